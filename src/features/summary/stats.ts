/**
 * One person's numbers for a period, activity beside outcome: the data behind `/my-stats`, the DM digests and
 * the App Home. Numbers come from src/metrics, the same team metrics as the leaderboard (so a person's figures and
 * ranks always agree with the board), plus one grouped query for activity outcomes.
 *
 * Privacy: the team's metrics carry nobody's name, and only the subject's own figures, their two ranks and
 * the number of ranked reps leave this module. No other person's figure (nor the team's totals) is returned.
 *
 * Decisions:
 * - Connect rate = calls that reached someone ÷ calls with an outcome recorded. "Reached someone" is `connected`
 *   or `booked` (a call that booked a meeting connected first); `voicemail` and `no-answer` did not. Calls logged
 *   without an outcome are left out of the rate (they may have connected or not; counting them as misses would
 *   punish people who log quickly) and shown beside it as "N without an outcome". No call with an outcome: no rate.
 * - Ranks are among the reps active in the period (any activity or closed deal), like the leaderboard; teamSize is
 *   that count. A person with nothing in the period gets zeros and no ranks (null, shown as "—").
 * - Observations are deterministic, coach-like and never shaming (see `personalObservations`).
 */
import type { webApi } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { formatMoney } from '../../lib/money.js';
import { loadOutcomeGroups, loadTeamGroups, outcomesByType, repMetrics, teamMetricsFromGroups, type Totals, type TypeOutcomes } from '../../metrics/index.js';
import type { BoardPeriod } from '../../periods/types.js';
import { getSlackUser } from '../../slack/user-directory.js';
import { ensureWorkspace } from '../../slack/workspace.js';
import type { ActivityTypeDef } from '../../entries/activity-types.js';
import { headlineText } from '../leaderboard/index.js';
import { loadActivityTypes } from '../logging/index.js';
import { loadPersonalFunnel, type PersonalFunnel } from './personal-funnel.js';

/** Outcome grouping lives in src/metrics; re-exported for this feature's renderers and tests. */
export { loadOutcomeGroups, outcomesByType, type TypeOutcomes } from '../../metrics/index.js';

/** The built-in key of calls, whose outcomes give the connect rate. */
export const CALL_TYPE_KEY = 'call';
/** Call outcomes that mean the rep reached someone. */
export const CONNECTED_OUTCOMES = ['connected', 'booked'] as const;
export const MAX_OBSERVATIONS = 2;

export interface CallStats {
  calls: number;
  connected: number;
  voicemail: number;
  noAnswer: number;
  booked: number;
  /** Calls with any outcome recorded: the connect rate's denominator. */
  withOutcome: number;
  withoutOutcome: number;
  /** (connected + booked) ÷ withOutcome, 0..1; null when no call has an outcome. */
  connectRate: number | null;
}

export interface PersonalRanks {
  /** 1 = most activities; ties share a rank; null when the person has nothing in the period. */
  activity: number | null;
  /** 1 = most headline revenue; ties share a rank; null when the person has nothing in the period. */
  revenue: number | null;
  /** How many reps are ranked (active in the period). */
  teamSize: number;
}

export interface PersonalStats {
  teamId: string;
  userId: string;
  /** Display name, raw (renderers escape it). */
  name: string;
  /** The headline (workspace) currency. */
  currency: string;
  period: BoardPeriod;
  /** True when the period has ended (its numbers are final), false while it is still running. */
  periodComplete: boolean;
  types: ActivityTypeDef[];
  current: Totals;
  previous: Totals;
  /** Types with activity in the period, in the workspace's order (then unknown keys). */
  outcomes: TypeOutcomes[];
  calls: CallStats;
  ranks: PersonalRanks;
  /** The person's own funnel against the median rep of their team (absent: not loaded). */
  funnel?: PersonalFunnel;
  /** 1–2 plain-text lines (emoji shortcodes allowed, no mrkdwn). */
  observations: string[];
}

export interface PersonalStatsInput {
  teamId: string;
  userId: string;
  period: BoardPeriod;
}

/** Calls by outcome and the connect rate (see the decisions above). Pure. */
export function callStats(outcomes: TypeOutcomes[]): CallStats {
  const calls = outcomes.find((o) => o.typeKey === CALL_TYPE_KEY);
  const count = (name: string) => calls?.outcomes.find((o) => o.outcome === name)?.count ?? 0;
  const total = calls?.total ?? 0;
  const withoutOutcome = calls?.withoutOutcome ?? 0;
  const withOutcome = total - withoutOutcome;
  const reached = CONNECTED_OUTCOMES.reduce((sum, name) => sum + count(name), 0);
  return {
    calls: total,
    connected: count('connected'),
    voicemail: count('voicemail'),
    noAnswer: count('no-answer'),
    booked: count('booked'),
    withOutcome,
    withoutOutcome,
    connectRate: withOutcome > 0 ? reached / withOutcome : null,
  };
}

/**
 * A person's summary for a period: their Totals now and in the previous period, outcomes per type, call
 * outcomes with the connect rate, their activity and revenue ranks among the active reps, and 1–2 observations.
 * Queries: the team metrics' two grouped queries (activities, deals over both periods: the same numbers and ranks
 * as the leaderboard), one grouped outcomes query, and the funnel's (the person's against their team's median rep).
 */
export async function loadPersonalStats(deps: Deps, client: webApi.WebClient, input: PersonalStatsInput): Promise<PersonalStats> {
  const { teamId, userId, period } = input;
  const workspace = await ensureWorkspace(deps.db, teamId);
  const currency = workspace.currency;
  const [types, groups, outcomeRows, subject] = await Promise.all([
    loadActivityTypes(deps.db, teamId),
    loadTeamGroups(deps.db, teamId, period),
    loadOutcomeGroups(deps.db, { teamId, userId, start: period.current.start, end: period.current.end }),
    getSlackUser(deps, client, teamId, userId),
  ]);
  // Team metrics carry no names: nobody else's name or figures leave this function, only the ranks.
  const metrics = teamMetricsFromGroups(groups, { teamId, currency, types });
  const rep = repMetrics(metrics, userId);

  const outcomes = outcomesByType(outcomeRows, types);
  const stats: Omit<PersonalStats, 'observations'> = {
    teamId,
    userId,
    name: subject.displayName,
    currency,
    period,
    periodComplete: deps.clock.now().getTime() >= period.current.end.getTime(),
    types,
    current: rep.current,
    previous: rep.previous,
    outcomes,
    calls: callStats(outcomes),
    ranks: { activity: rep.ranks?.activity ?? null, revenue: rep.ranks?.revenue ?? null, teamSize: metrics.reps.length },
    funnel: await loadPersonalFunnel(deps.db, { teamId, userId, period, stored: workspace.conversionStages ?? null }),
  };
  return { ...stats, observations: personalObservations(stats) };
}

// ---------------------------------------------------------------------------------------------
// Observations
// ---------------------------------------------------------------------------------------------

/** How to say the period and the one before it in a sentence: "this week" / "last week", else generic words. */
export function periodWords(period: BoardPeriod): { current: string; previous: string } {
  const label = period.current.label;
  if (/^this week\b/i.test(label)) return { current: 'this week', previous: 'last week' };
  if (/^last week\b/i.test(label)) return { current: 'last week', previous: 'the week before' };
  if (/^today\b/i.test(label)) return { current: 'today', previous: 'yesterday' };
  if (/^yesterday\b/i.test(label)) return { current: 'yesterday', previous: 'the day before' };
  return { current: 'in this period', previous: 'the previous period' };
}

function typeWord(types: ActivityTypeDef[], key: string, n: number): string {
  const t = types.find((x) => x.key === key);
  const one = (t?.label.trim() || key).toLowerCase();
  const many = (t?.plural.trim() || `${key}s`).toLowerCase();
  return n === 1 ? one : many;
}

function count(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

function typeCount(types: ActivityTypeDef[], key: string, n: number): string {
  return `${n.toLocaleString('en-US')} ${typeWord(types, key, n)}`;
}

/**
 * Won revenue in words, each currency on its own: "$12,500.00", "$12,500.00 and €900.00". Never added, except with
 * exchange rates: "$13,490.00 (converted to USD)", and any amount with no rate named after it.
 */
function revenueWords(totals: Totals, currency: string): string {
  if (totals.conversion) {
    const unconverted = totals.conversion.unconverted.map((m) => `${formatMoney(m)} ${m.currency} not converted (no rate)`);
    return [headlineText(totals, currency), ...unconverted].join(' and ');
  }
  const amounts = totals.revenue.filter((m) => m.minor !== 0n);
  if (amounts.length === 0) return formatMoney({ minor: totals.headlineRevenueMinor, currency });
  return amounts.map(formatMoney).join(' and ');
}

/** "up 12%" for a rise (exact, rounded half up; "under 1%" for tiny ones). Only called for rises from a non-zero base. */
function percentUp(current: bigint, previous: bigint): string {
  const p = ((current - previous) * 200n + previous) / (2n * previous);
  return `up ${p === 0n ? 'under 1' : p.toString()}%`;
}

/** The (up to) two busiest types in words: "18 calls and 3 meetings". */
function busiestTypes(stats: Pick<PersonalStats, 'current' | 'types'>): { words: string; plural: boolean } {
  const order = stats.types.map((t) => t.key);
  const entries = Object.entries(stats.current.activitiesByType)
    .filter(([, n]) => n > 0)
    .sort(([ka, a], [kb, b]) => b - a || rankOf(order, ka) - rankOf(order, kb) || (ka < kb ? -1 : 1))
    .slice(0, 2);
  const parts = entries.map(([key, n]) => typeCount(stats.types, key, n));
  return { words: parts.join(' and '), plural: entries.length > 1 || (entries[0]?.[1] ?? 0) > 1 };
}

function rankOf(order: string[], key: string): number {
  const i = order.indexOf(key);
  return i === -1 ? order.length : i;
}

/**
 * 1–2 plain-text lines, as a coach would say them: specific, encouraging, never shaming. Deterministic.
 * 1. Activity against the previous period: more calls (and what they booked), more activities, steady, or fewer
 *    (said gently: time is left, or a fresh start). Nothing logged at all: one welcoming line and nothing else.
 * 2. Outcome: revenue closed (up on the previous period when it is), or, with no wins yet, the activity that is
 *    building towards them.
 */
export function personalObservations(stats: Omit<PersonalStats, 'observations'>): string[] {
  const { current: cur, previous: prev, types, calls, periodComplete } = stats;
  const words = periodWords(stats.period);
  const lines: string[] = [];

  if (cur.activities === 0 && cur.won === 0 && cur.lost === 0) {
    const logged = prev.activities > 0 ? ` (${count(prev.activities, 'activity', 'activities')} ${words.previous})` : '';
    lines.push(
      periodComplete
        ? `:seedling: Nothing was logged ${words.current}${logged}. Log calls, emails and meetings as they happen and your next summary will have more to tell.`
        : `:seedling: Nothing logged ${words.current} yet${logged} — log calls, emails and meetings as they happen (/log-call, /log) and they'll show up here.`,
    );
    return lines;
  }

  // 1. Activity.
  if (cur.activities > 0) {
    const callsNow = cur.activitiesByType[CALL_TYPE_KEY] ?? 0;
    const callsBefore = prev.activitiesByType[CALL_TYPE_KEY] ?? 0;
    if (callsNow > callsBefore) {
      const more = `${(callsNow - callsBefore).toLocaleString('en-US')} more ${typeWord(types, CALL_TYPE_KEY, callsNow - callsBefore)} than ${words.previous}`;
      const meetings = typeWord(types, 'meeting', calls.booked);
      if (calls.booked > 0) {
        lines.push(`:chart_with_upwards_trend: ${more}, and ${calls.booked.toLocaleString('en-US')} ${meetings} booked from them — the work is paying off.`);
      } else if (calls.withOutcome > 0) {
        lines.push(`:chart_with_upwards_trend: ${more}, but no meetings booked from them yet — the next connected call could be the one.`);
      } else {
        lines.push(`:chart_with_upwards_trend: ${more} — add outcomes (#connected, #booked) when you log them to see what they turn into.`);
      }
    } else if (cur.activities > prev.activities) {
      const more = count(cur.activities - prev.activities, 'more activity', 'more activities');
      lines.push(`:chart_with_upwards_trend: ${more} than ${words.previous} (${prev.activities.toLocaleString('en-US')} → ${cur.activities.toLocaleString('en-US')}) — nice momentum.`);
    } else if (cur.activities === prev.activities) {
      lines.push(`:straight_ruler: Steady: ${count(cur.activities, 'activity', 'activities')}, the same as ${words.previous}.`);
    } else if (periodComplete) {
      lines.push(`:calendar: ${count(cur.activities, 'activity', 'activities')} ${words.current}, after ${prev.activities.toLocaleString('en-US')} ${words.previous} — every period is a fresh start.`);
    } else {
      lines.push(`:calendar: ${count(cur.activities, 'activity', 'activities')} so far ${words.current}, against ${prev.activities.toLocaleString('en-US')} ${words.previous} — there's still time to build momentum.`);
    }
  }

  // 2. Outcome.
  if (cur.won > 0) {
    const closed = `${revenueWords(cur, stats.currency)} from ${count(cur.won, 'won deal', 'won deals')}`;
    const winRate = cur.winRate !== null && cur.lost > 0 ? ` (a ${Math.round(cur.winRate * 100)}% win rate)` : '';
    if (prev.headlineRevenueMinor > 0n && cur.headlineRevenueMinor > prev.headlineRevenueMinor) {
      lines.push(`:moneybag: Revenue ${percentUp(cur.headlineRevenueMinor, prev.headlineRevenueMinor)} on ${words.previous}: ${closed}${winRate}.`);
    } else if (prev.headlineRevenueMinor > 0n) {
      const before = formatMoney({ minor: prev.headlineRevenueMinor, currency: stats.currency });
      lines.push(`:moneybag: ${closed}${periodComplete ? '' : ' so far'} ${words.current}${winRate}, after ${before} ${words.previous}.`);
    } else {
      lines.push(`:moneybag: ${closed} ${words.current}${winRate} — well done.`);
    }
  } else if (cur.activities > 0) {
    const base = busiestTypes(stats);
    const yet = periodComplete ? '' : ' yet';
    const none = cur.lost > 0 ? `No wins${yet}` : `No deals closed${yet}`;
    lines.push(`:seedling: ${none} ${words.current} — ${base.words} ${base.plural ? 'are' : 'is'} a solid base for the next ones.`);
  } else {
    lines.push(`:handshake: ${count(cur.lost, 'deal', 'deals')} closed ${words.current} — logging the calls and meetings behind the next ones shows what moves them.`);
  }

  return lines.slice(0, MAX_OBSERVATIONS);
}

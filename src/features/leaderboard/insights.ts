/**
 * Insights in plain language, written as a coach would say them: encouraging, specific, never shaming.
 *
 * Pure: a Board in, 3–5 plain-text lines out. The lines are shown in a `plain_text` text object
 * (emoji on), so names render literally and need no escaping here; lines may start with an emoji
 * shortcode. Never put mrkdwn in them.
 *
 * Every choice is deterministic: ties go to the name (then the user id), whatever the input order.
 */
import { formatMoney, type Money } from '../../lib/money.js';
import type { Board, Quadrant, RepStats, Totals } from './types.js';

/** The fewest activities a rep needs to be "most efficient", whatever the median (one lucky call must not win). */
export const MIN_ACTIVITIES_FOR_EFFICIENCY = 5;
/** Names in insight lines are cut to this many characters. */
export const MAX_INSIGHT_NAME_CHARS = 80;
export const MIN_INSIGHTS = 3;
export const MAX_INSIGHTS = 5;

type Position = Pick<RepStats, 'activities' | 'headlineRevenueMinor'>;
type Medians = Board['medians'];

/**
 * A rep's position against the team medians (at the median counts as at or above):
 * - leading: activity ≥ median and revenue ≥ median, with some of each;
 * - busy_not_closing: activity ≥ median (and some), revenue below the median or none yet;
 * - efficient_closer: revenue ≥ median (and some) from below-median activity;
 * - quiet: otherwise.
 * "With some" matters when a median is 0: no activity is never "busy", no revenue never "closing".
 */
export function quadrantOf(rep: Position, medians: Medians): Quadrant {
  const busy = rep.activities > 0 && rep.activities >= medians.activities;
  const closing = rep.headlineRevenueMinor > 0n && rep.headlineRevenueMinor >= medians.headlineRevenueMinor;
  if (busy && closing) return 'leading';
  if (busy) return 'busy_not_closing';
  if (closing) return 'efficient_closer';
  return 'quiet';
}

/**
 * The fewest activities for "most efficient": at least MIN_ACTIVITIES_FOR_EFFICIENCY (5), and at least half the
 * team's median activities (rounded up), so a rep with one lucky call and one big deal does not win it.
 */
export function efficiencyMinimum(board: Pick<Board, 'medians'>): number {
  return Math.max(MIN_ACTIVITIES_FOR_EFFICIENCY, Math.ceil(board.medians.activities / 2));
}

/** The rep with the highest score (ties: name, then user id); undefined when no rep qualifies. */
function best<T extends number | bigint>(reps: RepStats[], score: (r: RepStats) => T | undefined): RepStats | undefined {
  let winner: RepStats | undefined;
  let winnerScore: T | undefined;
  for (const rep of reps) {
    const s = score(rep);
    if (s === undefined) continue;
    if (winner === undefined || winnerScore === undefined || s > winnerScore || (s === winnerScore && byName(rep, winner) < 0)) {
      winner = rep;
      winnerScore = s;
    }
  }
  return winner;
}

function byName(a: RepStats, b: RepStats): number {
  const n = a.name.localeCompare(b.name, 'en');
  if (n !== 0) return n;
  return a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0;
}

/** A name fit for one line of plain text: no line breaks or control characters, not too long, never empty. */
export function insightName(rep: Pick<RepStats, 'name' | 'userId'>): string {
  // eslint-disable-next-line no-control-regex
  const clean = rep.name.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
  const name = clean === '' ? rep.userId : clean;
  return name.length <= MAX_INSIGHT_NAME_CHARS ? name : `${name.slice(0, MAX_INSIGHT_NAME_CHARS - 1)}…`;
}

function count(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

function listNames(reps: RepStats[], max = 3): string {
  const names = reps.slice(0, max).map(insightName);
  const rest = reps.length - names.length;
  if (rest > 0) return `${names.join(', ')} and ${count(rest, 'other', 'others')}`;
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

function pct(part: number, whole: number): number {
  return Math.round((part / whole) * 100);
}

/** Percentage change, rounded, for plain sentences: "up 12%", "down 5%", "new this period", "unchanged". */
function changeWords(current: bigint | number, previous: bigint | number): string {
  const cur = BigInt(current);
  const prev = BigInt(previous);
  if (cur === prev) return 'unchanged';
  if (prev === 0n) return 'new this period';
  const diff = cur > prev ? cur - prev : prev - cur;
  const p = (diff * 200n + prev) / (2n * prev);
  return `${cur > prev ? 'up' : 'down'} ${p === 0n ? 'under 1' : p.toString()}%`;
}

/**
 * 3–5 plain-text lines about the board, most telling first:
 * 1. the top closer (or "leading on both" when they are also at or above the activity median);
 * 2. the most active rep, when someone else (closing too, or "the deals should follow");
 * 3. the most efficient (highest revenue per activity among reps with at least `efficiencyMinimum` activities,
 *    and the line says that minimum when it left out a better rate, such as a top closer's from just 4 activities),
 *    or else an efficient closer not yet named;
 * 4. the biggest mover: the largest rise in headline revenue on the previous period, or, when nobody's revenue
 *    rose, the largest rise in activities;
 * 5. the reps busy but not yet closing (named), or how many are quiet (counted, never named);
 * then team-level lines until there are at least 3.
 */
export function boardInsights(board: Board): string[] {
  const money = (minor: bigint) => formatMoney({ minor, currency: board.currency });
  const reps = board.reps;
  if (reps.length === 0) return emptyBoardInsights(board);

  const lines: string[] = [];
  const named = new Set<string>();
  const quadrant = (r: RepStats) => quadrantOf(r, board.medians);

  const topCloser = best(reps, (r) => (r.headlineRevenueMinor > 0n ? r.headlineRevenueMinor : undefined));
  const mostActive = best(reps, (r) => (r.activities > 0 ? r.activities : undefined));
  const minimum = efficiencyMinimum(board);
  const mostEfficient = best(reps, (r) =>
    r.activities >= minimum && r.headlineRevenueMinor > 0n && r.revenuePerActivityMinor !== null ? r.revenuePerActivityMinor : undefined,
  );
  const solo = reps.length === 1;

  // 1. The top closer.
  if (topCloser) {
    const name = insightName(topCloser);
    const extra = otherCurrencies(topCloser, board.currency);
    const revenue = `${money(topCloser.headlineRevenueMinor)}${extra ? ` (plus ${extra})` : ''}`;
    if (solo) {
      lines.push(
        `:trophy: ${name} closed ${revenue} from ${count(topCloser.headlineWon, 'won deal', 'won deals')}` +
          (topCloser.activities > 0 ? ` and ${count(topCloser.activities, 'activity', 'activities')} this period.` : ' this period.'),
      );
    } else if (topCloser === mostActive) {
      lines.push(`:trophy: ${name} is leading on both: most revenue (${revenue}) and most activities (${topCloser.activities.toLocaleString('en-US')}).`);
    } else if (quadrant(topCloser) === 'leading') {
      lines.push(`:trophy: ${name} is leading on both: most revenue (${revenue}) and ${count(topCloser.activities, 'activity', 'activities')}.`);
    } else {
      const from = topCloser.activities > 0 ? `from just ${count(topCloser.activities, 'activity', 'activities')}` : `from ${count(topCloser.headlineWon, 'won deal', 'won deals')}`;
      lines.push(`:trophy: ${name} is the top closer and an efficient one: ${revenue} ${from}.`);
    }
    named.add(topCloser.userId);
  } else if (board.team.activities > 0) {
    lines.push(
      `:seedling: No deals closed yet this period, and ${count(board.team.activities, 'activity is', 'activities are')} building the pipeline for the wins ahead.`,
    );
  } else {
    lines.push(':seedling: No wins logged yet this period; every conversation logged now builds the next wins.');
  }

  // 2. The most active, when it is someone else.
  if (mostActive && !named.has(mostActive.userId)) {
    const name = insightName(mostActive);
    const acts = count(mostActive.activities, 'activity', 'activities');
    if (solo) {
      lines.push(`:zap: ${name} logged ${acts} this period, no revenue yet — the deals should follow; a coaching chat on converting could help.`);
    } else if (quadrant(mostActive) === 'leading') {
      lines.push(`:zap: ${name} is the most active (${acts}) and closing too: ${money(mostActive.headlineRevenueMinor)} won.`);
    } else {
      const yet = mostActive.headlineRevenueMinor === 0n ? ', no revenue yet' : '';
      lines.push(`:zap: ${name} is the most active (${acts}${yet}) — the deals should follow; a coaching chat on converting could help.`);
    }
    named.add(mostActive.userId);
  }

  // 3. The most efficient (with enough activities to count), else an efficient closer not yet named.
  if (mostEfficient && !named.has(mostEfficient.userId)) {
    const name = insightName(mostEfficient);
    const detail = `${money(mostEfficient.revenuePerActivityMinor!)} per activity (${money(mostEfficient.headlineRevenueMinor)} from ${count(mostEfficient.activities, 'activity', 'activities')})`;
    // When the minimum leaves out someone with a better rate (the top closer "from just 4 activities",
    // say), the line says the minimum, so it and the line about them are both true.
    const among = outrankedOnlyByMinimum(reps, mostEfficient, minimum) ? `the most efficient of the reps with at least ${count(minimum, 'activity', 'activities')}` : undefined;
    lines.push(
      quadrant(mostEfficient) === 'efficient_closer'
        ? `:dart: ${name} is an efficient closer and ${among ?? 'the most efficient on the team'}: ${detail}.`
        : `:dart: ${name} is ${among ?? 'the most efficient'}: ${detail}.`,
    );
    named.add(mostEfficient.userId);
  } else {
    const closer = best(
      reps.filter((r) => !named.has(r.userId) && quadrant(r) === 'efficient_closer'),
      (r) => r.headlineRevenueMinor,
    );
    if (closer) {
      const from = closer.activities > 0 ? `from ${count(closer.activities, 'activity', 'activities')}` : `from ${count(closer.headlineWon, 'won deal', 'won deals')}`;
      lines.push(`:dart: ${insightName(closer)} is an efficient closer: ${money(closer.headlineRevenueMinor)} ${from}.`);
      named.add(closer.userId);
    }
  }

  // 4. The biggest mover on the previous period.
  const revenueMover = best(reps, (r) => {
    const d = r.headlineRevenueMinor - r.previous.headlineRevenueMinor;
    return d > 0n ? d : undefined;
  });
  if (revenueMover) {
    const d = revenueMover.headlineRevenueMinor - revenueMover.previous.headlineRevenueMinor;
    const who = solo ? `${insightName(revenueMover)}'s revenue is` : `${insightName(revenueMover)} is the biggest mover: revenue`;
    lines.push(`:chart_with_upwards_trend: ${who} up ${money(d)} on the previous period (${money(revenueMover.previous.headlineRevenueMinor)} → ${money(revenueMover.headlineRevenueMinor)}).`);
  } else {
    const activityMover = best(reps, (r) => {
      const d = r.activities - r.previous.activities;
      return d > 0 ? d : undefined;
    });
    if (activityMover) {
      const d = activityMover.activities - activityMover.previous.activities;
      const who = solo ? `${insightName(activityMover)}'s activity is` : `${insightName(activityMover)} is the biggest mover: activity`;
      lines.push(`:chart_with_upwards_trend: ${who} up by ${d.toLocaleString('en-US')} on the previous period (${activityMover.previous.activities.toLocaleString('en-US')} → ${activityMover.activities.toLocaleString('en-US')}).`);
    }
  }

  // 5. Busy but not yet closing (named: it is a compliment on effort), else the quiet ones (counted only).
  if (!solo) {
    const busy = reps.filter((r) => !named.has(r.userId) && quadrant(r) === 'busy_not_closing').sort((a, b) => b.activities - a.activities || byName(a, b));
    const quiet = reps.filter((r) => quadrant(r) === 'quiet');
    if (busy.length > 0) {
      const verb = busy.length === 1 ? 'is putting in the work' : 'are putting in the work';
      lines.push(`:muscle: ${listNames(busy)} ${verb} but not yet closing — a deal review together could turn that activity into wins.`);
    } else if (quiet.length > 0) {
      const who = quiet.length === 1 ? '1 rep has' : `${quiet.length.toLocaleString('en-US')} reps have`;
      lines.push(`:wave: ${who} had a quieter period so far — a friendly check-in can help them get going.`);
    }
  }

  for (const line of teamLines(board)) {
    if (lines.length >= MIN_INSIGHTS) break;
    lines.push(line);
  }
  return lines.slice(0, MAX_INSIGHTS);
}

/**
 * Whether a rep below the efficiency minimum earned more per activity than `winner` (or earned
 * revenue from no logged activity at all): then `winner` is the most efficient only among the reps
 * with enough activities to count.
 */
function outrankedOnlyByMinimum(reps: RepStats[], winner: RepStats, minimum: number): boolean {
  const rate = winner.revenuePerActivityMinor ?? 0n;
  return reps.some(
    (r) =>
      r !== winner &&
      r.activities < minimum &&
      r.headlineRevenueMinor > 0n &&
      (r.activities === 0 || r.revenuePerActivityMinor === null || r.revenuePerActivityMinor > rate),
  );
}

/**
 * Amounts beside the headline, never added to it: without exchange rates, the other currencies ("€9,000.00 and
 * £300.00"); with them, only the amounts with no rate, named ("¥1,200,000 JPY not converted: no rate").
 */
function otherCurrencies(totals: Pick<Totals, 'revenue' | 'conversion'>, headline: string): string {
  if (totals.conversion) return totals.conversion.unconverted.map((m: Money) => `${formatMoney(m)} ${m.currency} not converted: no rate`).join(' and ');
  return totals.revenue
    .filter((m) => m.currency.toUpperCase() !== headline.toUpperCase() && m.minor !== 0n)
    .map(formatMoney)
    .join(' and ');
}

/** Team-level lines, used to make up the minimum. Always at least MIN_INSIGHTS of them. */
function teamLines(board: Board): string[] {
  const { team, previousTeam } = board;
  const money = (minor: bigint) => formatMoney({ minor, currency: board.currency });
  const extra = otherCurrencies(team, board.currency);
  const out: string[] = [];
  out.push(
    `:bar_chart: As a team: ${money(team.headlineRevenueMinor)}${extra ? ` (plus ${extra})` : ''} closed from ${count(team.activities, 'activity', 'activities')} and ${count(team.won, 'won deal', 'won deals')}.`,
  );
  out.push(
    `:calendar: Compared with the previous period, team revenue is ${changeWords(team.headlineRevenueMinor, previousTeam.headlineRevenueMinor)} and activity is ${changeWords(team.activities, previousTeam.activities)}.`,
  );
  if (team.winRate !== null) {
    out.push(`:handshake: Team win rate: ${pct(team.won, team.won + team.lost)}% (${team.won.toLocaleString('en-US')} won, ${team.lost.toLocaleString('en-US')} lost).`);
  }
  out.push(':sparkles: Every call, email and meeting logged makes this board sharper — keep them coming.');
  return out;
}

function emptyBoardInsights(board: Board): string[] {
  const label = board.period.current.label;
  return [
    `:seedling: No activities or deals logged yet this period (${label}) — a fresh start.`,
    ':telephone_receiver: Log calls, emails, meetings and demos as they happen with /log-call, /log-email, /log-meeting and /log-demo (or /log).',
    ':moneybag: Record wins and losses with /log-deal, and revenue will show up here next to the activity that earned it.',
  ];
}

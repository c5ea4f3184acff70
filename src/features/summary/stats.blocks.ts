/**
 * A person's summary as a Slack message. Pure: PersonalStats (and target progress lines) in, JSON out.
 *
 * Layout (at most 10 blocks):
 *   header        "Your Sales Pulse numbers" / "<name>'s numbers" (an admin viewing someone)
 *   context       the period (and "so far" while it runs), and the period the changes compare with
 *   section       activity fields: Activities (total and by type, ▲/▼ vs previous), then the outcomes of each
 *                 type that has some: Calls always show connected, voicemail, no answer, booked and the connect rate
 *   section       result fields: Deals won/lost, Revenue per currency (headline first, never added; with exchange
 *                 rates one converted headline, the amounts behind it and any amount with no rate, named),
 *                 Rev/activity, Win rate, Average deal
 *   section       ranks: only the person's own two ranks and how many reps are ranked
 *   section       funnel: the person's count at each conversion stage and rate between stages, beside the median
 *                 rep's rates of their team (never a count or name of anyone else)
 *   section       targets: each progress line (when there are any)
 *   section       observations, as plain_text (emoji on)
 *   context       footer
 *
 * Only the subject's own numbers appear: never another person's figures or the team's totals.
 * User text (names, custom type labels and outcomes, target lines) reaches mrkdwn escaped (&, <, >).
 */
import { formatMoney } from '../../lib/money.js';
import type { KnownBlock, Message } from '../../slack/blocks.js';
import { escapeMrkdwn, nonEmpty, truncate } from '../../slack/text.js';
import { activitiesWithScore, convertedLabel, formatChange, formatRevenue, perCurrencyText, unconvertedLines } from '../leaderboard/index.js';
import type { ActivityTypeDef } from '../../entries/activity-types.js';
import { CALL_TYPE_KEY, type PersonalRanks, type PersonalStats, type TypeOutcomes } from './stats.js';
import { funnelText } from './personal-funnel.blocks.js';

/** One target's progress: `TargetProgress` from the targets feature fits (only its plain-words `text` is shown). */
export interface TargetProgressLine {
  text: string;
}

export interface PersonalStatsMessageOptions {
  /** False when someone else (an admin) views the person's numbers: the title names the person. Default true. */
  viewerIsSubject?: boolean;
  /** The context line at the bottom (mrkdwn written by the app, not user text). Default: a pointer to other periods. */
  footer?: string;
}

const LIMITS = { header: 150, field: 2000, sectionText: 3000, messageText: 3000, fields: 10 };
/** Target lines shown before "…and N more". */
export const MAX_TARGET_LINES = 10;
const MAX_NAME_CHARS = 80;
const DASH = '—';

function n(value: number): string {
  return value.toLocaleString('en-US');
}

function percent(rate: number | null): string {
  return rate === null ? DASH : `${Math.round(rate * 100)}%`;
}

function money(minor: bigint | null, currency: string): string {
  return minor === null ? DASH : formatMoney({ minor, currency });
}

/** A name on one line, never empty, at most MAX_NAME_CHARS. Raw: escape it for mrkdwn. */
export function displayName(stats: Pick<PersonalStats, 'name' | 'userId'>): string {
  // eslint-disable-next-line no-control-regex
  const clean = stats.name.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
  return truncate(nonEmpty(clean, stats.userId), MAX_NAME_CHARS);
}

function typeDef(types: ActivityTypeDef[], key: string): ActivityTypeDef {
  return types.find((t) => t.key === key) ?? { key, label: key, plural: key, outcomes: [] };
}

/** "Calls" from a type's plural. Raw. */
function pluralLabel(type: ActivityTypeDef): string {
  const word = type.plural.trim() || type.label.trim() || type.key;
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** "No answer" from "no-answer". Raw. */
function outcomeLabel(outcome: string): string {
  const words = outcome.replace(/[-_]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** "▲ 25% vs last period" style words after a number. */
function vsPrevious(current: bigint | number, previous: bigint | number): string {
  const change = formatChange(current, previous);
  return change === 'new' ? 'new this period' : change === 'no change' ? 'no change vs previous' : `${change} vs previous`;
}

/** Types with activity now or in the previous period, in the workspace's order, then unknown keys. */
function typesShown(stats: PersonalStats): ActivityTypeDef[] {
  const keys = new Set<string>();
  for (const [k, v] of Object.entries(stats.current.activitiesByType)) if (v > 0) keys.add(k);
  for (const [k, v] of Object.entries(stats.previous.activitiesByType)) if (v > 0) keys.add(k);
  const known = stats.types.filter((t) => keys.has(t.key));
  const knownKeys = new Set(stats.types.map((t) => t.key));
  const unknown = [...keys].filter((k) => !knownKeys.has(k)).sort().map((k) => typeDef([], k));
  return [...known, ...unknown];
}

function activitiesField(stats: PersonalStats): string {
  const { current, previous } = stats;
  const count = current.activityScore === undefined ? n(current.activities) : activitiesWithScore(current);
  const lines = [`*Activities*`, `${count} · ${vsPrevious(current.activities, previous.activities)}`];
  for (const t of typesShown(stats)) {
    const now = current.activitiesByType[t.key] ?? 0;
    const before = previous.activitiesByType[t.key] ?? 0;
    const change = formatChange(now, before);
    lines.push(`${escapeMrkdwn(pluralLabel(t))} ${n(now)} (${change})`);
  }
  if (current.activities === 0 && previous.activities === 0) lines.push('Nothing logged yet');
  return lines.join('\n');
}

function callsField(stats: PersonalStats): string {
  const c = stats.calls;
  const label = escapeMrkdwn(pluralLabel(typeDef(stats.types, CALL_TYPE_KEY)));
  const lines = [
    `*${label}: outcomes*`,
    `Connected ${n(c.connected)} · Voicemail ${n(c.voicemail)} · No answer ${n(c.noAnswer)} · Booked ${n(c.booked)}`,
  ];
  const reached = c.connected + c.booked;
  lines.push(c.connectRate === null ? `Connect rate ${DASH} (no outcomes logged)` : `Connect rate ${percent(c.connectRate)} (${n(reached)} of ${n(c.withOutcome)} reached someone)`);
  // Outcomes of calls beyond the usual four (a workspace's own), then those logged without one.
  const usual = new Set(['connected', 'voicemail', 'no-answer', 'booked']);
  const others = stats.outcomes.find((o) => o.typeKey === CALL_TYPE_KEY)?.outcomes.filter((o) => !usual.has(o.outcome)) ?? [];
  if (others.length > 0) lines.push(others.map((o) => `${escapeMrkdwn(outcomeLabel(o.outcome))} ${n(o.count)}`).join(' · '));
  if (c.withoutOutcome > 0) lines.push(`${n(c.withoutOutcome)} without an outcome`);
  return lines.join('\n');
}

function outcomesField(stats: PersonalStats, o: TypeOutcomes): string {
  const label = escapeMrkdwn(pluralLabel(typeDef(stats.types, o.typeKey)));
  const lines = [`*${label}: outcomes*`, o.outcomes.map((x) => `${escapeMrkdwn(outcomeLabel(x.outcome))} ${n(x.count)}`).join(' · ')];
  if (o.withoutOutcome > 0) lines.push(`${n(o.withoutOutcome)} without an outcome`);
  return lines.join('\n');
}

function fieldsSection(texts: string[]): KnownBlock {
  return {
    type: 'section',
    fields: texts.slice(0, LIMITS.fields).map((text) => ({ type: 'mrkdwn' as const, text: truncate(text, LIMITS.field) })),
  };
}

function activitySection(stats: PersonalStats): KnownBlock {
  const fields = [activitiesField(stats)];
  if (stats.calls.calls > 0) fields.push(callsField(stats));
  for (const o of stats.outcomes) {
    if (o.typeKey === CALL_TYPE_KEY || o.outcomes.length === 0) continue;
    fields.push(outcomesField(stats, o));
  }
  return fieldsSection(fields);
}

function resultsSection(stats: PersonalStats): KnownBlock {
  const { current, previous, currency } = stats;
  const change = vsPrevious(current.headlineRevenueMinor, previous.headlineRevenueMinor);
  const label = convertedLabel(current, currency);
  // With exchange rates: one converted headline, the amounts behind it, and any amount with no rate, named.
  const revenue = current.conversion
    ? [`*Revenue*${label ? ` ${label}` : ''}`, money(current.headlineRevenueMinor, currency), ...unconvertedLines(current), perCurrencyText(current, currency), change]
        .filter((line) => line !== undefined)
        .join('\n')
    : `*Revenue*\n${formatRevenue(current, currency)}\n${change}`;
  return fieldsSection([
    `*Deals*\n${n(current.won)} won · ${n(current.lost)} lost\nWins: ${vsPrevious(current.won, previous.won)}`,
    revenue,
    `*Revenue per activity*\n${money(current.revenuePerActivityMinor, currency)}`,
    `*Win rate*\n${percent(current.winRate)}`,
    `*Average deal*\n${money(current.averageDealMinor, currency)}`,
  ]);
}

/** "#2 of 7 by revenue, #5 of 7 by activity": only the person's own ranks and how many are ranked. */
export function ranksText(ranks: PersonalRanks): string {
  if (ranks.revenue === null || ranks.activity === null) {
    const who = ranks.teamSize === 0 ? 'nobody has logged anything in this period yet' : `${n(ranks.teamSize)} ${ranks.teamSize === 1 ? 'rep is' : 'reps are'} ranked; log an activity or a deal to join them`;
    return `${DASH} by revenue, ${DASH} by activity (${who})`;
  }
  return `#${ranks.revenue} of ${n(ranks.teamSize)} by revenue, #${ranks.activity} of ${n(ranks.teamSize)} by activity`;
}

function targetsSection(progress: ReadonlyArray<TargetProgressLine>): KnownBlock {
  const shown = progress.slice(0, MAX_TARGET_LINES).map((p) => `• ${escapeMrkdwn(nonEmpty(p.text.replace(/\s+/g, ' ').trim(), DASH))}`);
  if (progress.length > MAX_TARGET_LINES) shown.push(`…and ${n(progress.length - MAX_TARGET_LINES)} more`);
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(`*Targets*\n${shown.join('\n')}`, LIMITS.sectionText) } };
}

function fallbackText(stats: PersonalStats, viewerIsSubject: boolean): string {
  const { current, currency } = stats;
  const whose = viewerIsSubject ? 'Your numbers' : `${displayName(stats)}'s numbers`;
  const parts = [
    `${whose}, ${stats.period.current.label}: ${n(current.activities)} ${current.activities === 1 ? 'activity' : 'activities'},`,
    `${formatRevenue(current, currency)} won from ${n(current.won)} ${current.won === 1 ? 'deal' : 'deals'}.`,
  ];
  if (stats.ranks.revenue !== null) parts.push(`${ranksText(stats.ranks)}.`);
  return escapeMrkdwn(truncate(parts.join(' '), LIMITS.messageText));
}

/** The person's summary: blocks within Slack's limits and a readable `text` fallback. */
export function personalStatsMessage(
  stats: PersonalStats,
  progress: ReadonlyArray<TargetProgressLine>,
  opts: PersonalStatsMessageOptions = {},
): Message {
  const viewerIsSubject = opts.viewerIsSubject ?? true;
  const { current, previous } = stats.period;
  const blocks: KnownBlock[] = [];

  const title = viewerIsSubject ? 'Your Sales Pulse numbers' : `${displayName(stats)}'s numbers`;
  blocks.push({ type: 'header', text: { type: 'plain_text', text: truncate(title, LIMITS.header), emoji: false } });
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: truncate(`*${escapeMrkdwn(current.label)}*${stats.periodComplete ? '' : ' (so far)'} · changes vs ${escapeMrkdwn(previous.label)}`, LIMITS.sectionText),
      },
    ],
  });
  blocks.push(activitySection(stats));
  blocks.push(resultsSection(stats));
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*${viewerIsSubject ? 'Your ranks' : 'Ranks'} in the team*\n${ranksText(stats.ranks)}` } });
  if (stats.funnel) blocks.push({ type: 'section', block_id: 'stats_funnel', text: { type: 'mrkdwn', text: funnelText(stats.funnel, { viewerIsSubject }) } });
  if (progress.length > 0) blocks.push(targetsSection(progress));
  if (stats.observations.length > 0) {
    blocks.push({ type: 'section', text: { type: 'plain_text', text: truncate(stats.observations.join('\n'), LIMITS.sectionText), emoji: true } });
  }
  const footer =
    opts.footer ??
    (viewerIsSubject
      ? 'Ranks show only your own place. `/my-stats last month` (or any period) for another one, `/leaderboard` for the team.'
      : 'Shown to you as a workspace admin. Ranks show only this person’s own place.');
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(footer, LIMITS.sectionText) }] });

  return { text: fallbackText(stats, viewerIsSubject), blocks };
}

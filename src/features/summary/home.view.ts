import type { types } from '@slack/bolt';
import type { DigestCadence } from '../../db/schema/digest-subscriptions.js';
import { formatMoney, type Money } from '../../lib/money.js';
import { escapeMrkdwn, nonEmpty, truncate } from '../../slack/text.js';
import type { ActivityTypeDef } from '../../entries/activity-types.js';
import { mention } from '../../entries/on-behalf.js';
import { activitiesWithScore, headlineText, perCurrencyText, unconvertedLines } from '../leaderboard/index.js';
import type { RevenueConversion } from '../../metrics/index.js';
import { progressBar } from '../targets/index.js';
import { funnelText } from './personal-funnel.blocks.js';
import type { PersonalFunnel } from './personal-funnel.js';

type KnownBlock = types.KnownBlock;

export const HOME_LOG_ACTIVITY_ACTION = 'home_log_activity';
export const HOME_LOG_DEAL_ACTION = 'home_log_deal';
export const HOME_DIGEST_ACTION = 'home_digest_choice';
/** Undo buttons: `home_undo_activity_<n>` / `home_undo_deal_<n>` (unique in the view); the value is the entry id. */
export const HOME_UNDO_ACTION_PATTERN = /^home_undo_(activity|deal)_\d+$/;

/** At most this many recent entries, and this many targets, are shown: the tab stays far below 100 blocks. */
export const MAX_RECENT_SHOWN = 10;
export const MAX_TARGETS_SHOWN = 10;
/** Activity-type lines in the week's summary before "…and N more types". */
const MAX_TYPE_LINES = 25;
const MAX_NOTE_CHARS = 150;
const MAX_NAME_CHARS = 80;

export const DIGEST_LABELS: Record<DigestCadence, string> = {
  off: 'Off',
  weekly: 'Weekly (Fridays 16:00)',
  daily: 'Daily (08:00)',
};

/** The week's numbers for the person (a `Totals` fits; zeros when nothing was logged). */
export interface HomeStats {
  activities: number;
  activitiesByType: Record<string, number>;
  won: number;
  lost: number;
  /** Won revenue per currency, never added across currencies. */
  revenue: Money[];
  /** With exchange rates (Totals.conversion set): the converted headline, in `conversion.currency`. */
  headlineRevenueMinor?: bigint;
  conversion?: RevenueConversion;
  /** The weighted activity score ("57.5"), when some activity type weighs other than 1. */
  activityScore?: string;
}

/** One target's progress, as loadTargetProgress gives it (a TargetProgress fits). `text` is plain words, label included. */
export interface HomeTarget {
  label: string;
  percent: number;
  /** "Calls: 31 of 50 (62%) with 2 of 5 days left: on pace". */
  text: string;
  status?: string;
  /** The target's period, e.g. "November 2026"; shown unless it is this week. */
  periodLabel?: string;
}

const STATUS_EMOJI: Record<string, string> = {
  done: ':white_check_mark:',
  ahead: ':rocket:',
  on_pace: ':large_green_circle:',
  behind: ':hourglass_flowing_sand:',
};

export interface RecentEntry {
  kind: 'activity' | 'deal';
  id: string;
  /** Plain words, no mrkdwn: "3 calls (connected) with Acme Corp", "Won deal: Acme Corp, $12,500.00". */
  text: string;
  /** Plain words for when it happened: "today", "yesterday", "Friday, Nov 27". */
  when: string;
  /** The entry's notes, raw; shown cut short. */
  notes?: string | null;
  /**
   * Where it came from when not logged in Slack ("your CRM", "an import"): such an entry has no Undo (it is changed
   * at its source; the next sync would bring it back), only a note saying where it came from.
   */
  from?: string;
  /** The Slack user id of who logged it on the person's behalf (a manager): shown as "logged by @Mia". */
  loggedBy?: string | null;
  /** A won deal's effort, plain words: "Won after 14 activities over 21 days (6 calls, …).". */
  effort?: string;
}

export interface HomeInput {
  displayName?: string;
  /** e.g. "This week (Nov 23 – Nov 29)". */
  weekLabel: string;
  stats: HomeStats;
  /** 0–2 plain-text coaching lines about the week (emoji shortcodes allowed). */
  observations?: string[];
  progress: HomeTarget[];
  /** Newest first. */
  recent: RecentEntry[];
  digest: DigestCadence;
  /** True when the person never chose: `digest` is the workspace default. */
  digestIsDefault: boolean;
  types: ActivityTypeDef[];
  /** The person's own funnel this week against their team's median rep (absent: not shown). */
  funnel?: PersonalFunnel;
  /** A one-line plain-text notice at the top (the result of the last Home action). */
  notice?: string;
}

/** User or workspace text inside mrkdwn: escaped, one line, cut short. */
function inline(text: string, max: number): string {
  return escapeMrkdwn(truncate(text.replace(/\s+/g, ' ').trim(), max));
}

/** Cut escaped mrkdwn to `max` characters without leaving half an entity (`&am…`) behind. */
function cutMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max - 1).replace(/&[a-z]{0,3}$/, '')}…`;
}

/** As many of `lines` as fit in `maxChars` characters (joined by newlines) and `maxLines` lines, then "…and N more <what>". */
function fitLines(lines: string[], maxChars: number, maxLines: number, what: string): string[] {
  const kept: string[] = [];
  let used = 0;
  for (const [i, line] of lines.entries()) {
    const more = `_…and ${lines.length - i} more ${what}_`;
    const last = i === lines.length - 1;
    if (i >= maxLines || used + line.length + 1 + (last ? 0 : more.length + 1) > maxChars) {
      kept.push(more);
      break;
    }
    kept.push(line);
    used += line.length + 1;
  }
  return kept;
}

function section(mrkdwn: string, extra: Partial<types.SectionBlock> = {}): types.SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: cutMrkdwn(nonEmpty(mrkdwn), 3000) }, ...extra };
}

function context(mrkdwn: string): types.ContextBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: cutMrkdwn(nonEmpty(mrkdwn), 2000) }] };
}

function typeLines(stats: HomeStats, types: ActivityTypeDef[]): string[] {
  const known = new Set(types.map((t) => t.key));
  const rows: string[] = [];
  for (const t of types) {
    const n = stats.activitiesByType[t.key] ?? 0;
    if (n > 0) rows.push(`${t.emoji ? inline(t.emoji, 40) : '•'} ${inline(n === 1 ? t.label : t.plural, MAX_NAME_CHARS).toLowerCase()}: *${n}*`);
  }
  // Entries of a type the workspace no longer has still count.
  for (const [key, n] of Object.entries(stats.activitiesByType)) {
    if (!known.has(key) && n > 0) rows.push(`• ${inline(key, MAX_NAME_CHARS)}: *${n}*`);
  }
  return fitLines(rows, 2900, MAX_TYPE_LINES, 'types');
}

/**
 * Without exchange rates, each currency on its own ("$12,500.00 + €900.00"); with them, the converted headline
 * labelled as such, any amount with no rate named under it, and the amounts behind it.
 */
function revenueText(stats: HomeStats): string {
  const revenue = stats.revenue.filter((m) => m.minor !== 0n);
  if (revenue.length === 0) return 'none yet';
  const { conversion } = stats;
  if (!conversion || stats.headlineRevenueMinor === undefined) return revenue.map(formatMoney).join(' + ');
  const totals = { revenue, headlineRevenueMinor: stats.headlineRevenueMinor, conversion };
  const perCurrency = perCurrencyText(totals, conversion.currency);
  return [headlineText(totals, conversion.currency), ...unconvertedLines(totals), ...(perCurrency ? [`_${perCurrency}_`] : [])].join('\n');
}

function weekBlocks(input: HomeInput): KnownBlock[] {
  const { stats } = input;
  const deals = [stats.won ? `${stats.won} won` : null, stats.lost ? `${stats.lost} lost` : null].filter(Boolean).join(' · ');
  const blocks: KnownBlock[] = [
    section(`*${inline(input.weekLabel, 150)}*`, { block_id: 'home_week' }),
    {
      type: 'section',
      block_id: 'home_week_numbers',
      fields: [
        { type: 'mrkdwn', text: `*Activities*\n${stats.activityScore === undefined ? stats.activities : activitiesWithScore(stats)}` },
        { type: 'mrkdwn', text: truncate(`*Revenue won*\n${revenueText(stats)}`, 2000) },
        { type: 'mrkdwn', text: `*Deals closed*\n${deals || 'none yet'}` },
      ],
    },
  ];
  const lines = typeLines(stats, input.types);
  if (lines.length) blocks.push(section(lines.join('\n'), { block_id: 'home_week_types' }));
  const observations = (input.observations ?? []).filter((o) => o.trim()).slice(0, 3);
  if (observations.length) blocks.push(context(observations.map((o) => inline(o, 500)).join('\n')));
  else if (!lines.length) blocks.push(context('_Nothing logged yet this week: Log activity and Log deal above take a few seconds._'));
  return blocks;
}

function targetBlocks(progress: HomeTarget[]): KnownBlock[] {
  if (progress.length === 0) return [context('_No targets set for you yet._')];
  const shown = progress.slice(0, MAX_TARGETS_SHOWN);
  const blocks: KnownBlock[] = shown.map((t, i) => {
    const emoji = (t.status && STATUS_EMOJI[t.status]) || ':dart:';
    const period = t.periodLabel && !/^this week\b/i.test(t.periodLabel) ? ` · _${inline(t.periodLabel, 80)}_` : '';
    const text = inline(t.text, 400) || inline(t.label, MAX_NAME_CHARS) || 'Target';
    return section(`${emoji} \`${progressBar(t.percent)}\` ${text}${period}`, { block_id: `home_target_${i}` });
  });
  if (progress.length > shown.length) blocks.push(context(`…and ${progress.length - shown.length} more targets.`));
  return blocks;
}

function recentBlocks(recent: RecentEntry[]): KnownBlock[] {
  if (recent.length === 0) return [context('_Nothing logged yet. What you log shows up here, with an Undo button._')];
  return recent.slice(0, MAX_RECENT_SHOWN).map((e, i) => {
    const emoji = e.kind === 'deal' ? ':moneybag:' : ':memo:';
    const note = e.notes && e.notes.trim() ? `\n_${inline(e.notes, MAX_NOTE_CHARS)}_` : '';
    const by = e.loggedBy ? ` · _logged by ${mention(e.loggedBy)}_` : '';
    const effort = e.effort && e.effort.trim() ? `\n:chart_with_upwards_trend: ${inline(e.effort, 400)}` : '';
    const text = `${emoji} ${inline(e.text, 400)} · ${inline(e.when, 60)}${e.from ? ` · _from ${inline(e.from, 40)}_` : ''}${by}${effort}${note}`;
    if (e.from) return section(text, { block_id: `home_recent_${i}` });
    return section(text, {
      block_id: `home_recent_${i}`,
      accessory: {
        type: 'button',
        action_id: `home_undo_${e.kind}_${i}`,
        text: { type: 'plain_text', text: 'Undo' },
        value: e.id,
        confirm: {
          title: { type: 'plain_text', text: e.kind === 'deal' ? 'Undo this deal?' : 'Undo this entry?' },
          text: { type: 'plain_text', text: truncate(`${e.text.replace(/\s+/g, ' ').trim()} · ${e.when}`, 300) || 'This entry' },
          confirm: { type: 'plain_text', text: 'Undo' },
          deny: { type: 'plain_text', text: 'Keep it' },
        },
      },
    });
  });
}

function digestBlock(digest: DigestCadence, isDefault: boolean): KnownBlock {
  const option = (c: DigestCadence) => ({ text: { type: 'plain_text' as const, text: DIGEST_LABELS[c] }, value: c });
  const state = isDefault ? `${DIGEST_LABELS[digest]}, the workspace default` : DIGEST_LABELS[digest];
  return section(`*Your digest by DM*\nYour numbers, sent to you privately. Now: ${state}.`, {
    block_id: 'home_digest',
    accessory: {
      type: 'static_select',
      action_id: HOME_DIGEST_ACTION,
      placeholder: { type: 'plain_text', text: 'Choose' },
      initial_option: option(digest),
      options: (['off', 'weekly', 'daily'] as const).map(option),
    },
  });
}

const COMMANDS = [
  '*Commands*',
  '• `/log-call Acme Corp 15m #connected -- asked for pricing`',
  '• `/log meeting Globex yesterday 1h #held` · `/log-email Initech -- sent proposal v2`',
  '• `/log-deal won $12,500 Acme Corp` · `/my-stats last month` · `/leaderboard`',
  '• Add `help` to any command for its full syntax.',
].join('\n');

/**
 * The App Home tab: the person's week at a glance, their targets, Log activity / Log deal, their recent entries
 * with Undo, and their digest choice. Pure. At most ~45 blocks whatever the data (Slack's limit is 100).
 */
export function homeView(input: HomeInput): types.HomeView {
  const name = input.displayName?.replace(/\s+/g, ' ').trim();
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(name ? `Hi ${name}!` : 'Sales Pulse', 150) } },
  ];
  if (input.notice && input.notice.trim()) blocks.push(context(inline(input.notice, 500)));
  blocks.push(
    {
      type: 'actions',
      block_id: 'home_actions',
      elements: [
        { type: 'button', action_id: HOME_LOG_ACTIVITY_ACTION, style: 'primary', text: { type: 'plain_text', text: 'Log activity' } },
        { type: 'button', action_id: HOME_LOG_DEAL_ACTION, text: { type: 'plain_text', text: 'Log deal' } },
      ],
    },
    ...weekBlocks(input),
    ...(input.funnel ? [section(funnelText(input.funnel), { block_id: 'home_funnel' })] : []),
    { type: 'divider' },
    section('*Targets*', { block_id: 'home_targets' }),
    ...targetBlocks(input.progress),
    { type: 'divider' },
    section('*Recent entries*', { block_id: 'home_recent' }),
    ...recentBlocks(input.recent),
    { type: 'divider' },
    digestBlock(input.digest, input.digestIsDefault),
    { type: 'divider' },
    section(COMMANDS, { block_id: 'home_commands' }),
    context(`Activity types: ${input.types.map((t) => inline(t.label, MAX_NAME_CHARS).toLowerCase()).join(', ') || 'none'}.`),
  );
  return { type: 'home', blocks };
}

/**
 * The leaderboard as a Slack message, and as a CSV of every rep. Pure: a Board in, JSON or text out.
 *
 * Layout (at most 15 blocks, whatever the team size):
 *   header        "Sales Pulse leaderboard" (a sales team's board: "East AEs leaderboard")
 *   context       the period, and the period the changes compare with
 *   section       team totals as mrkdwn fields (revenue per currency, deals, win rate, average deal,
 *                 activities and by type, revenue per activity), changes ▲/▼ vs the previous period; with exchange
 *                 rates one converted headline ("(converted to USD)") and any amount with no rate named under it
 *   context       with exchange rates: the per-currency amounts behind the converted headline
 *   section       when deals closed: new customers, retention, satisfaction and revenue by kind (deal-mix.blocks.ts);
 *                 the table then has a "Satisfaction" column beside revenue when a shown rep has a scored deal
 *   table         one table block (Slack allows one per message): header row + the top 20 reps by revenue;
 *                 raw_text cells, so names render literally with no escaping; a "% of target" column when
 *                 some rep has a target (RepStats.targetPercent), still within 20 cells a row
 *   context       "Showing the top 20 of N reps…" when there are more
 *   section ×1–2  with conversion stages: the funnel, reps against the median rep, where effort leaks (conversion.blocks.ts)
 *   section       when a shown rep won a deal with activity on its account: median activities and days per win,
 *                 as plain_text (names literal; effort.blocks.ts)
 *   section ×2    "Insights" and the lines themselves as plain_text (names literal, emoji shortcodes on)
 *   context       optional footer
 *   actions       optional "Post to channel" button
 *
 * User text (names, type labels) only ever reaches mrkdwn escaped (&, <, >), and names reach mrkdwn nowhere
 * but the message `text` fallback.
 */
import type { types } from '@slack/bolt';
import { formatMoney, minorToDecimal, type Money } from '../../lib/money.js';
import { activitiesWithScore, convertedLabel, formatRevenue, formatScore, perCurrencyText, unconvertedLines } from './revenue.text.js';
import { escapeMrkdwn, nonEmpty, truncate } from '../../slack/text.js';
import type { KnownBlock } from '../../slack/blocks.js';
import type { ActivityTypeDef } from '../../entries/activity-types.js';
import { EFFORT_CSV_HEADERS, effortBlocks, effortCsvCells } from './effort.blocks.js';
import type { Board, RepStats } from './types.js';
import { conversionBlocks } from './conversion.blocks.js';
import { dealMixBlocks, hasSatisfactionColumn, satisfactionCell } from './deal-mix.blocks.js';

export const POST_TO_CHANNEL_ACTION = 'leaderboard_post_to_channel';
/** Reps shown in the message's table; the rest go to the CSV. */
export const TOP_REPS_SHOWN = 20;
/** Names in table cells are cut to this many characters (Slack's display names are far shorter). */
export const MAX_CELL_NAME_CHARS = 256;
/** Slack's limits this renderer stays within. */
const LIMITS = { header: 150, sectionText: 3000, field: 2000, buttonValue: 2000, tableCells: 20, contextText: 3000, messageText: 3000 };
/** The table's fixed columns: #, Rep, Revenue, Won, Activities, Rev/activity, Win rate, Rev rank, Act rank (plus "% of target" when some rep has a target). */
const FIXED_COLUMNS = 9;
const DASH = '–';

type TableBlock = types.TableBlock;
type Cell = { type: 'raw_text'; text: string };

export interface RenderBoardOptions {
  /** Plain-text lines (see boardInsights); shown as plain_text, so no mrkdwn. Empty: no insights section. */
  insights: string[];
  /** When set, an actions block with a "Post to channel" button carrying this value (left out past 2000 characters). */
  postButtonValue?: string;
  /** A context line at the bottom, mrkdwn written by the app (not user text). */
  footer?: string;
  /**
   * Whether the full CSV follows in the message's thread (it does when posted to a channel with thread extras).
   * Default: true, except when there is a Post button (the private preview gets no CSV).
   */
  csvInThread?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Formatting helpers
// ---------------------------------------------------------------------------------------------

function n(value: number): string {
  return value.toLocaleString('en-US');
}

function percent(rate: number | null): string {
  return rate === null ? DASH : `${Math.round(rate * 100)}%`;
}

/**
 * The change from `previous` to `current`: "▲ 25%", "▼ 10%", "new" (previous was zero), "no change".
 * Exact (bigint) arithmetic, rounded half up; a change that rounds to 0% shows as "▲ <1%" / "▼ <1%".
 */
export function formatChange(current: bigint | number, previous: bigint | number): string {
  const cur = BigInt(current);
  const prev = BigInt(previous);
  if (cur === prev) return 'no change';
  if (prev === 0n) return 'new';
  const up = cur > prev;
  const diff = up ? cur - prev : prev - cur;
  const abs = prev < 0n ? -prev : prev;
  const p = (diff * 200n + abs) / (2n * abs);
  return `${up ? '▲' : '▼'} ${p === 0n ? '<1' : p.toString()}%`;
}

export { formatRevenue } from './revenue.text.js';

function money(minor: bigint | null, currency: string): string {
  return minor === null ? DASH : formatMoney({ minor, currency });
}

/** Whether the board gets a "Score" column: some activity type weighs other than 1 (the weighted activity score). */
function hasScoreColumn(board: Board): boolean {
  return board.team.activityScore !== undefined;
}

/** Whether the board gets a "% of target" column: some rep has a target (see features/targets/board-targets.ts). */
function hasTargetColumn(board: Board): boolean {
  return board.reps.some((r) => r.targetPercent !== undefined && r.targetPercent !== null);
}

function targetPercentText(rep: RepStats): string {
  return rep.targetPercent === undefined || rep.targetPercent === null ? DASH : `${n(rep.targetPercent)}%`;
}

/** A name for a table cell: one line, never empty, at most MAX_CELL_NAME_CHARS. Otherwise literal. */
function cellName(rep: Pick<RepStats, 'name' | 'userId'>): string {
  // eslint-disable-next-line no-control-regex
  const oneLine = rep.name.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
  return truncate(nonEmpty(oneLine, rep.userId), MAX_CELL_NAME_CHARS);
}

/** "Calls" from a type's plural ("calls"). */
function columnLabel(type: ActivityTypeDef): string {
  const word = type.plural.trim() || type.label.trim() || type.key;
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/**
 * Activity types with any activity this period, in the workspace's order, then any type keys the board holds
 * that the workspace no longer defines (labelled by key).
 */
function typesPresent(board: Board): ActivityTypeDef[] {
  const counts = board.team.activitiesByType;
  const known = board.types.filter((t) => (counts[t.key] ?? 0) > 0);
  const knownKeys = new Set(board.types.map((t) => t.key));
  const unknown = Object.keys(counts)
    .filter((k) => !knownKeys.has(k) && (counts[k] ?? 0) > 0)
    .sort()
    .map((key): ActivityTypeDef => ({ key, label: key, plural: key, outcomes: [] }));
  return [...known, ...unknown];
}

// ---------------------------------------------------------------------------------------------
// The message
// ---------------------------------------------------------------------------------------------

function totalsSection(board: Board): KnownBlock {
  const { team, previousTeam, currency } = board;
  const byType = typesPresent(board)
    .map((t) => `${escapeMrkdwn(columnLabel(t))} ${n(team.activitiesByType[t.key] ?? 0)}`)
    .join(' · ');
  const vsPrevious = (change: string) => (change === 'new' ? 'new this period' : `${change} vs previous`);
  const label = convertedLabel(team, currency);
  const revenue = team.conversion
    ? [`*Revenue*${label ? ` ${label}` : ''}`, formatMoney({ minor: team.headlineRevenueMinor, currency }), ...unconvertedLines(team)].join('\n')
    : `*Revenue*\n${formatRevenue(team, currency)}`;
  const fields = [
    `${revenue}\n${vsPrevious(formatChange(team.headlineRevenueMinor, previousTeam.headlineRevenueMinor))}`,
    `*Deals*\n${n(team.won)} won · ${n(team.lost)} lost\nWins: ${vsPrevious(formatChange(team.won, previousTeam.won))}`,
    `*Win rate*\n${percent(team.winRate)}`,
    `*Average deal*\n${money(team.averageDealMinor, currency)}`,
    `*Activities*\n${team.activityScore === undefined ? n(team.activities) : activitiesWithScore(team)}\n${vsPrevious(formatChange(team.activities, previousTeam.activities))}`,
    `*Revenue per activity*\n${money(team.revenuePerActivityMinor, currency)}`,
  ];
  if (byType) fields.push(`*By type*\n${byType}`);
  return {
    type: 'section',
    fields: fields.map((text) => ({ type: 'mrkdwn' as const, text: truncate(text, LIMITS.field) })),
  };
}

function tableBlock(board: Board, shown: RepStats[]): TableBlock {
  const { currency } = board;
  let typeColumns = typesPresent(board);
  const targetColumn = hasTargetColumn(board);
  const scoreColumn = hasScoreColumn(board);
  const satisfactionColumn = hasSatisfactionColumn(board, shown);
  const room = LIMITS.tableCells - FIXED_COLUMNS - (targetColumn ? 1 : 0) - (scoreColumn ? 1 : 0) - (satisfactionColumn ? 1 : 0);
  // More types than columns: the first (room - 1) get their own column, the rest share "Other".
  const overflow = typeColumns.length > room ? typeColumns.slice(room - 1) : [];
  if (overflow.length > 0) typeColumns = typeColumns.slice(0, room - 1);

  const cell = (text: string): Cell => ({ type: 'raw_text', text: nonEmpty(text, DASH) });
  const header = [
    '#',
    'Rep',
    board.team.conversion ? `Revenue (${currency})` : 'Revenue',
    ...(satisfactionColumn ? ['Satisfaction'] : []),
    'Won',
    'Activities',
    ...(scoreColumn ? ['Score'] : []),
    ...typeColumns.map(columnLabel),
    ...(overflow.length > 0 ? ['Other'] : []),
    ...(targetColumn ? ['% of target'] : []),
    'Rev/activity',
    'Win rate',
    'Rev rank',
    'Act rank',
  ].map((text) => cell(truncate(text, 50)));

  const rows = shown.map((rep, i) => {
    const byType = (t: ActivityTypeDef) => rep.activitiesByType[t.key] ?? 0;
    return [
      String(i + 1),
      cellName(rep),
      formatRevenue(rep, currency),
      ...(satisfactionColumn ? [satisfactionCell(board, rep)] : []),
      n(rep.won),
      n(rep.activities),
      ...(scoreColumn ? [rep.activityScore === undefined ? DASH : formatScore(rep.activityScore)] : []),
      ...typeColumns.map((t) => n(byType(t))),
      ...(overflow.length > 0 ? [n(overflow.reduce((sum, t) => sum + byType(t), 0))] : []),
      ...(targetColumn ? [targetPercentText(rep)] : []),
      money(rep.revenuePerActivityMinor, currency),
      percent(rep.winRate),
      String(rep.revenueRank),
      String(rep.activityRank),
    ].map(cell);
  });

  const right = { align: 'right' as const };
  return {
    type: 'table',
    column_settings: [right, { is_wrapped: true }, ...header.slice(2).map(() => right)],
    rows: [header, ...rows],
  };
}

/** The header: "Sales Pulse leaderboard", or a sales team's "East AEs leaderboard" (plain text, within Slack's 150). */
function boardTitle(board: Board): string {
  if (!board.salesTeam) return 'Sales Pulse leaderboard';
  const suffix = ' leaderboard';
  return `${truncate(cellName({ name: board.salesTeam.name, userId: 'Team' }), LIMITS.header - suffix.length)}${suffix}`;
}

/** The plain notification / screen-reader text. Escapes &, <, > (so `<!channel>` in a name pings nobody); * _ ~ stay literal. */
function fallbackText(board: Board): string {
  const label = board.salesTeam ? `${cellName({ name: board.salesTeam.name, userId: 'Team' })} leaderboard, ${board.period.current.label}` : `Leaderboard, ${board.period.current.label}`;
  if (board.reps.length === 0) return escapeMrkdwn(truncate(`${label}: no activities or deals logged yet.`, LIMITS.messageText));
  const name = (rep: RepStats) => truncate(cellName(rep), 80);
  const topCloser = board.reps.find((r) => r.revenueRank === 1 && r.headlineRevenueMinor > 0n);
  const mostActive = [...board.reps]
    .filter((r) => r.activityRank === 1 && r.activities > 0)
    .sort((a, b) => a.name.localeCompare(b.name, 'en'))[0];
  const parts = [`${label}: ${formatRevenue(board.team, board.currency)} closed from ${n(board.team.activities)} ${board.team.activities === 1 ? 'activity' : 'activities'}.`];
  if (topCloser) parts.push(`Top closer: ${name(topCloser)}.`);
  if (mostActive) parts.push(`Most active: ${name(mostActive)}.`);
  return escapeMrkdwn(truncate(parts.join(' '), LIMITS.messageText));
}

/** The leaderboard message: blocks within Slack's limits for any team size, and a readable `text` fallback. */
export function renderBoard(board: Board, opts: RenderBoardOptions): { text: string; blocks: KnownBlock[] } {
  const blocks: KnownBlock[] = [];
  const { current, previous } = board.period;

  blocks.push({ type: 'header', text: { type: 'plain_text', text: boardTitle(board), emoji: true } });
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: truncate(`:calendar: *${escapeMrkdwn(nonEmpty(current.label, 'This period'))}* · changes vs ${escapeMrkdwn(nonEmpty(previous.label, 'the previous period'))}`, LIMITS.contextText),
      },
    ],
  });

  if (board.reps.length > 0) {
    blocks.push(totalsSection(board));
    const perCurrency = perCurrencyText(board.team, board.currency);
    if (perCurrency) {
      const note = `${perCurrency}, converted at the rate in force on each deal’s close date.`;
      blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(note, LIMITS.contextText) }] });
    }
    // New customers, retention, satisfaction and revenue by kind (deal-mix.blocks.ts).
    blocks.push(...dealMixBlocks(board));
    const shown = board.reps.slice(0, TOP_REPS_SHOWN);
    blocks.push(tableBlock(board, shown));
    if (board.reps.length > shown.length) {
      const csvInThread = opts.csvInThread ?? opts.postButtonValue === undefined;
      const more = `Showing the top ${shown.length} of ${n(board.reps.length)} reps by revenue${csvInThread ? '; all reps are in the CSV in the thread.' : '.'}`;
      blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: more }] });
    }
    // The conversion funnel, its rates against the previous period, reps against the median rep (conversion.blocks.ts).
    blocks.push(...conversionBlocks(board));
    // The effort behind each shown rep's wins: median activities and days per won deal (effort.blocks.ts).
    blocks.push(...effortBlocks(shown));
  }

  const insights = opts.insights.map((line) => line.trim()).filter((line) => line !== '');
  if (insights.length > 0) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: '*Insights*' } });
    blocks.push({ type: 'section', text: { type: 'plain_text', text: truncate(insights.join('\n'), LIMITS.sectionText), emoji: true } });
  }

  if (opts.footer !== undefined && opts.footer.trim() !== '') {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(opts.footer, LIMITS.contextText) }] });
  }

  if (opts.postButtonValue !== undefined && opts.postButtonValue.length <= LIMITS.buttonValue) {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: POST_TO_CHANNEL_ACTION,
          text: { type: 'plain_text', text: 'Post to channel', emoji: true },
          style: 'primary',
          value: opts.postButtonValue,
        },
      ],
    });
  }

  return { text: fallbackText(board), blocks };
}

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

/** RFC 4180 field: quoted when it holds a comma, quote, CR or LF; quotes doubled. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * Text a spreadsheet would read as a formula (=, +, -, @, tab, CR first) gets a leading apostrophe,
 * so a display name can never run as a formula when the CSV is opened (CSV injection).
 */
function csvText(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function amountsBy(revenue: Money[]): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const m of revenue) out.set(m.currency.toUpperCase(), (out.get(m.currency.toUpperCase()) ?? 0n) + m.minor);
  return out;
}

/**
 * Every rep, in board order, as CSV (RFC 4180, CRLF line ends, header row). Money as plain decimals in a
 * column per currency ("Revenue (USD)", "Revenue (EUR)"; headline first, then the others alphabetically),
 * never added across currencies; win rate as a percentage with one decimal; empty where there is no value.
 * With exchange rates, the per-currency columns hold each currency's own amounts, and two more follow them: the
 * converted headline ("Revenue converted (USD)") and the amounts with no rate ("Not converted (no rate)").
 * With weighted activity types, an "Activity score" column follows the activities.
 */
export function boardCsv(board: Board): string {
  const headline = board.currency.toUpperCase();
  const perRep = board.reps.map((r) => amountsBy(r.revenue));
  const others = new Set<string>();
  for (const amounts of perRep) for (const code of amounts.keys()) if (code !== headline) others.add(code);
  for (const m of board.team.revenue) if (m.currency.toUpperCase() !== headline) others.add(m.currency.toUpperCase());
  const currencies = [headline, ...[...others].sort()];

  const types = [...board.types];
  const knownKeys = new Set(types.map((t) => t.key));
  const extraKeys = new Set<string>();
  for (const r of board.reps) for (const k of Object.keys(r.activitiesByType)) if (!knownKeys.has(k)) extraKeys.add(k);
  for (const key of [...extraKeys].sort()) types.push({ key, label: key, plural: key, outcomes: [] });

  const decimal = (minor: bigint | null, code: string) => (minor === null ? '' : minorToDecimal(minor, code));
  const targetColumn = hasTargetColumn(board);
  const converting = board.team.conversion !== undefined;
  const scoreColumn = hasScoreColumn(board);
  // The effort columns, only when some rep has an effort (a won deal with activity on its account).
  const effortColumns = board.reps.some((r) => r.effort !== undefined);
  const header = [
    'Position',
    'Rep',
    'User ID',
    'Revenue rank',
    'Activity rank',
    ...currencies.map((c) => `Revenue (${c})`),
    ...(converting ? [`Revenue converted (${headline})`, 'Not converted (no rate)'] : []),
    'Deals won',
    'Deals lost',
    'Win rate (%)',
    `Average deal (${headline})`,
    'Activities',
    ...(scoreColumn ? ['Activity score'] : []),
    ...types.map(columnLabel),
    `Revenue per activity (${headline})`,
    'Previous activities',
    `Previous revenue (${headline})`,
    ...(targetColumn ? ['% of target'] : []),
    ...(effortColumns ? EFFORT_CSV_HEADERS : []),
  ];
  const lines = [header.map((h) => csvField(csvText(h))).join(',')];
  board.reps.forEach((rep, i) => {
    const amounts = perRep[i]!;
    const row = [
      String(i + 1),
      csvText(rep.name),
      csvText(rep.userId),
      String(rep.revenueRank),
      String(rep.activityRank),
      ...currencies.map((c) => decimal(c === headline && !converting ? rep.headlineRevenueMinor : (amounts.get(c) ?? 0n), c)),
      ...(converting
        ? [decimal(rep.headlineRevenueMinor, headline), (rep.conversion?.unconverted ?? []).map((m) => `${m.currency} ${minorToDecimal(m.minor, m.currency)}`).join('; ')]
        : []),
      String(rep.won),
      String(rep.lost),
      rep.winRate === null ? '' : (rep.winRate * 100).toFixed(1),
      decimal(rep.averageDealMinor, headline),
      String(rep.activities),
      ...(scoreColumn ? [rep.activityScore ?? ''] : []),
      ...types.map((t) => String(rep.activitiesByType[t.key] ?? 0)),
      decimal(rep.revenuePerActivityMinor, headline),
      String(rep.previous.activities),
      decimal(rep.previous.headlineRevenueMinor, headline),
      ...(targetColumn ? [rep.targetPercent === undefined || rep.targetPercent === null ? '' : String(rep.targetPercent)] : []),
      ...(effortColumns ? effortCsvCells(rep) : []),
    ];
    lines.push(row.map(csvField).join(','));
  });
  return `${lines.join('\r\n')}\r\n`;
}

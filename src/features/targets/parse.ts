/**
 * Pure parser for `/sales-admin target …` (the words after `target`), and the phrases that echo a target back.
 *
 *   target <@U…|name> | everyone  <metric>  <amount>/<week|month|quarter>
 *   target <@U…|name> | everyone  <metric>  off
 *
 * - Who: a person picked with `@` (Slack sends `<@U123|name>`), or `everyone` (also `everybody`, `all`).
 * - Metric: an activity type by key, label or plural (`call`, `Calls`; a custom type's label may be several words),
 *   or `revenue` (also `quota`).
 * - Amount: activities take a whole number 1..100,000 (`50`, `1,000`); revenue takes an amount as the deal commands
 *   read it (`$40k`, `40000 EUR`, `EUR 40k`; the workspace currency when none is written).
 * - Period: `/week`, `/month`, `/quarter` (spaces allowed), or `per week`, `a month`, `each quarter`, or `weekly`,
 *   `monthly`, `quarterly`; `wk`, `mo`, `qtr` too. Revenue quotas are per month or quarter only.
 * - `off` (also `remove`, `none`) removes that person's (or everyone's) target for the metric.
 */
import type { TargetPeriod } from '../../db/schema/index.js';
import { formatMoney, type Money } from '../../lib/money.js';
import { parseAmountText } from '../../lib/money-input.js';
import { parseUserMention } from '../../slack/blocks.js';
import { codeSafe, decodeEntities, tokenize, tryMessage } from '../../slack/command-text.js';
import { escapeMrkdwn } from '../../slack/text.js';
import { findActivityType, type ActivityTypeDef } from '../../entries/activity-types.js';

/** `user_key` of a target for every rep. */
export const EVERYONE = '*';
/** `user_key` prefix of a sales team's target: `team:<sales team id>`. */
export const TEAM_KEY_PREFIX = 'team:';

/** The `user_key` of a sales team's target (every member without their own target for the metric). */
export function teamUserKey(salesTeamId: string): string {
  return `${TEAM_KEY_PREFIX}${salesTeamId}`;
}

/** The sales team id of a team target's `user_key`, else undefined. */
export function salesTeamIdOfKey(userKey: string): string | undefined {
  return userKey.startsWith(TEAM_KEY_PREFIX) ? userKey.slice(TEAM_KEY_PREFIX.length) : undefined;
}
export const REVENUE = 'revenue';
export const MAX_ACTIVITY_TARGET = 100_000;
export const REVENUE_PERIODS: readonly TargetPeriod[] = ['month', 'quarter'];

export interface TargetParseContext {
  /** The workspace's activity types (built-in and custom). */
  types: ActivityTypeDef[];
  /** The workspace currency: a revenue amount written without one is in it. */
  currency: string;
}

/** `*` for everyone, a sales team (`team:<id>`), else a user id. */
export type TargetWho = { kind: 'everyone' } | { kind: 'user'; userId: string } | { kind: 'team'; salesTeamId: string; name: string };

export type TargetCommand =
  | { kind: 'set'; who: TargetWho; metric: string; amount: bigint; currency: string | null; period: TargetPeriod }
  | { kind: 'remove'; who: TargetWho; metric: string }
  | { kind: 'error'; message: string };

export function userKeyOf(who: TargetWho): string {
  return who.kind === 'everyone' ? EVERYONE : who.kind === 'team' ? teamUserKey(who.salesTeamId) : who.userId;
}

/** The forms, for help and errors (mrkdwn). */
export function targetForms(currency: string): string {
  return [
    '• `/sales-admin target @ana calls 50/week`: an activity target for one rep, per week, month or quarter',
    `• \`/sales-admin target @ana revenue ${revenueExample(currency)}/month\`: a revenue quota, per month or quarter`,
    '• `/sales-admin target everyone demos 5/week`: a target for every rep; a rep’s own target replaces it',
    '• `/sales-admin target team "East AEs" calls 50/week`: a target for every member of a team; it replaces the everyone target, a rep’s own replaces it',
    '• `/sales-admin target @ana calls off`: remove a target',
    '• `/sales-admin targets`: list them',
  ].join('\n');
}

function revenueExample(currency: string): string {
  return currency.toUpperCase() === 'USD' ? '$40k' : `40k ${currency.toUpperCase()}`;
}

const EVERYONE_WORDS = new Set(['everyone', 'everybody', 'all']);
const REVENUE_WORDS = new Set(['revenue', 'quota']);
const OFF_WORDS = new Set(['off', 'remove', 'none']);
const PERIOD_WORDS: Record<string, TargetPeriod> = {
  week: 'week',
  weeks: 'week',
  wk: 'week',
  weekly: 'week',
  month: 'month',
  months: 'month',
  mo: 'month',
  monthly: 'month',
  quarter: 'quarter',
  quarters: 'quarter',
  qtr: 'quarter',
  quarterly: 'quarter',
};
/** The longest custom type label tried, in words. */
const MAX_METRIC_WORDS = 3;

/** User text inside a mrkdwn code span: no backticks, `&<>` escaped, not too long. */
function shown(text: string): string {
  const short = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return escapeMrkdwn(codeSafe(short));
}

/**
 * Reads the words after `/sales-admin target`. Errors are mrkdwn: what is wrong, then a `Try:` line with the
 * correct form, using the person and metric the admin typed where they were understood.
 */
export function parseTargetCommand(text: string, ctx: TargetParseContext, preset?: { who: TargetWho; whoWord: string }): TargetCommand {
  // With `preset`, the caller already read who (a sales team: `target team "East AEs" …`); the text starts at the metric.
  const tokens = preset ? ['*', ...tokenize(text.trim())] : tokenize(text.trim());
  const fail = (problem: string, example: string): TargetCommand => ({ kind: 'error', message: tryMessage(problem, example) });
  const example = (whoWord: string, metricWord: string, amount: string) => `/sales-admin target ${whoWord} ${metricWord} ${amount}`;
  const defaultAmount = (metric: string) => (metric === REVENUE ? `${revenueExample(ctx.currency)}/month` : '50/week');

  if (tokens.length === 0) {
    return { kind: 'error', message: `:warning: Say who the target is for, what it counts, and how much per period:\n${targetForms(ctx.currency)}` };
  }

  // Who
  const [whoToken, ...afterWho] = tokens as [string, ...string[]];
  let who: TargetWho;
  let whoWord: string;
  const mention = parseUserMention(whoToken);
  if (preset) {
    who = preset.who;
    whoWord = preset.whoWord;
  } else if (mention) {
    who = { kind: 'user', userId: mention.id };
    whoWord = `@${(mention.name ?? 'ana').replace(/[^\w.-]/g, '') || 'ana'}`;
  } else if (EVERYONE_WORDS.has(whoToken.toLowerCase())) {
    who = { kind: 'everyone' };
    whoWord = 'everyone';
  } else if (whoToken.startsWith('@')) {
    return fail(`Pick the person from the list that opens when you type \`@\`, so Slack links them (\`${shown(whoToken)}\` is not linked).`, example('@ana', 'calls', '50/week'));
  } else {
    return fail(`Say who the target is for: a person picked with \`@\`, or \`everyone\`. \`${shown(whoToken)}\` is neither.`, example('@ana', 'calls', '50/week'));
  }

  // Metric: `revenue`, or the longest run of words naming an activity type.
  if (afterWho.length === 0) {
    return fail('Say what the target counts: an activity type like `calls`, or `revenue`.', example(whoWord, 'calls', '50/week'));
  }
  let metric: string | undefined;
  let metricWord = '';
  let used = 0;
  if (REVENUE_WORDS.has(afterWho[0]!.toLowerCase())) {
    metric = REVENUE;
    metricWord = 'revenue';
    used = 1;
  } else {
    for (let n = Math.min(MAX_METRIC_WORDS, afterWho.length); n >= 1; n--) {
      // Slack sends & < > typed in the command as entities; a custom label may hold them ("R&D calls").
      const type = findActivityType(ctx.types, decodeEntities(afterWho.slice(0, n).join(' ')));
      if (type) {
        metric = type.key;
        metricWord = afterWho.slice(0, n).join(' ');
        used = n;
        break;
      }
    }
  }
  if (metric === undefined) {
    const names = ctx.types.map((t) => `\`${shown(t.plural || t.key)}\``).join(', ');
    return fail(`I don't know \`${shown(afterWho[0]!)}\`. A target counts one activity type (${names}) or \`revenue\`.`, example(whoWord, 'calls', '50/week'));
  }
  const rest = afterWho.slice(used).join(' ');

  if (rest === '') {
    return fail('Say how much, and per week, month or quarter.', example(whoWord, metricWord, defaultAmount(metric)));
  }
  if (OFF_WORDS.has(rest.toLowerCase())) return { kind: 'remove', who, metric };

  // Amount and period
  const split = splitPeriod(rest);
  if ('error' in split) {
    const problem =
      split.error === 'missing'
        ? `Say the period after the amount: \`/week\`, \`/month\` or \`/quarter\`.`
        : `Targets are per week, month or quarter, not \`${shown(split.word)}\`.`;
    return fail(problem, example(whoWord, metricWord, defaultAmount(metric)));
  }
  const { amountText, period } = split;

  if (metric === REVENUE) {
    if (!REVENUE_PERIODS.includes(period)) {
      return fail('Revenue quotas are per month or per quarter.', example(whoWord, metricWord, `${amountText}/month`));
    }
    const money = parseAmountText(amountText, ctx.currency);
    if ('code' in money) return fail(escapeMrkdwn(money.message), example(whoWord, metricWord, `${revenueExample(ctx.currency)}/${period}`));
    return { kind: 'set', who, metric, amount: money.minor, currency: money.currency, period };
  }

  const count = /^(?:\d{1,3}(?:,\d{3})+|\d+)$/.test(amountText) ? Number(amountText.replace(/,/g, '')) : NaN;
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_ACTIVITY_TARGET) {
    const problem =
      count === 0
        ? 'A target is at least 1. To remove one, write `off` instead of the amount.'
        : `An activity target is a whole number from 1 to ${MAX_ACTIVITY_TARGET.toLocaleString('en-US')}, not \`${shown(amountText)}\`.`;
    return fail(problem, example(whoWord, metricWord, `50/${period}`));
  }
  return { kind: 'set', who, metric, amount: BigInt(count), currency: null, period };
}

type PeriodSplit = { amountText: string; period: TargetPeriod } | { error: 'missing' } | { error: 'unknown'; word: string };

/** `50/week`, `50 / week`, `$40k per month`, `5 a week`, `5 each quarter`, `40000 EUR monthly`. */
function splitPeriod(text: string): PeriodSplit {
  let match = /^(.+?)\s*\/\s*([a-z]+)$/i.exec(text) ?? /^(.+?)\s+(?:per|a|an|each|every)\s+([a-z]+)$/i.exec(text);
  if (match) {
    const period = PERIOD_WORDS[match[2]!.toLowerCase()];
    return period ? { amountText: match[1]!.trim(), period } : { error: 'unknown', word: match[2]! };
  }
  match = /^(.+?)\s+(weekly|monthly|quarterly)$/i.exec(text);
  if (match) return { amountText: match[1]!.trim(), period: PERIOD_WORDS[match[2]!.toLowerCase()]! };
  const slash = /^(.+?)\s*\/\s*(\S+)$/.exec(text);
  if (slash) return { error: 'unknown', word: slash[2]! };
  return { error: 'missing' };
}

// ---------------------------------------------------------------------------------------------
// Echoing targets back

/** "Calls" for a metric: the type's plural, capitalized; "Revenue"; a key the workspace no longer defines as itself. */
export function metricLabel(metric: string, types: ActivityTypeDef[]): string {
  if (metric === REVENUE) return 'Revenue';
  const type = types.find((t) => t.key === metric);
  const word = type ? type.plural.trim() || type.label.trim() || type.key : metric;
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** "50 calls a week", "1 demo a week", "$40,000.00 revenue a month" (plain text; escape for mrkdwn). */
export function describeTargetAmount(target: { metric: string; amount: bigint; currency: string | null; period: TargetPeriod }, types: ActivityTypeDef[]): string {
  const per = `a ${target.period}`;
  if (target.metric === REVENUE) {
    const money: Money = { minor: target.amount, currency: target.currency ?? 'USD' };
    return `${formatMoney(money)} revenue ${per}`;
  }
  const type = types.find((t) => t.key === target.metric);
  const one = type ? type.label.trim().toLowerCase() || type.key : target.metric;
  const many = type ? type.plural.trim().toLowerCase() || one : target.metric;
  return `${target.amount.toLocaleString('en-US')} ${target.amount === 1n ? one : many} ${per}`;
}

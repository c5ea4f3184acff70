/**
 * `/sales-admin target …` parsing: who, metric, amount and period, removal, and the errors that show the right form.
 */
import { describe, expect, it } from 'vitest';
import { BUILT_IN_ACTIVITY_TYPES, type ActivityTypeDef } from '../../src/entries/activity-types.js';
import {
  describeTargetAmount,
  EVERYONE,
  metricLabel,
  parseTargetCommand,
  targetForms,
  userKeyOf,
  type TargetCommand,
  type TargetParseContext,
} from '../../src/features/targets/parse.js';

const ANA = '<@U0ANA0001|ana>';
const COLD_CALL: ActivityTypeDef = { key: 'cold_call', label: 'Cold call', plural: 'cold calls', outcomes: [] };
const RND: ActivityTypeDef = { key: 'rnd', label: 'R&D call', plural: 'R&D calls', outcomes: [] };
const CTX: TargetParseContext = { types: [...BUILT_IN_ACTIVITY_TYPES, COLD_CALL, RND], currency: 'USD' };
const EUR_CTX: TargetParseContext = { ...CTX, currency: 'EUR' };

const ana = { kind: 'user', userId: 'U0ANA0001' } as const;
const everyone = { kind: 'everyone' } as const;

function parsed(text: string, ctx = CTX): TargetCommand {
  return parseTargetCommand(text, ctx);
}

function errorOf(text: string, ctx = CTX): string {
  const result = parsed(text, ctx);
  if (result.kind !== 'error') throw new Error(`expected an error for "${text}", got ${JSON.stringify(result, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}`);
  return result.message;
}

describe('parseTargetCommand: setting', () => {
  const cases: Array<[string, TargetCommand, TargetParseContext?]> = [
    // the issue's forms
    [`${ANA} calls 50/week`, { kind: 'set', who: ana, metric: 'call', amount: 50n, currency: null, period: 'week' }],
    [`${ANA} revenue $40k/month`, { kind: 'set', who: ana, metric: 'revenue', amount: 4_000_000n, currency: 'USD', period: 'month' }],
    ['everyone demos 5/week', { kind: 'set', who: everyone, metric: 'demo', amount: 5n, currency: null, period: 'week' }],
    // who
    ['Everybody calls 10/week', { kind: 'set', who: everyone, metric: 'call', amount: 10n, currency: null, period: 'week' }],
    ['ALL emails 100/month', { kind: 'set', who: everyone, metric: 'email', amount: 100n, currency: null, period: 'month' }],
    ['<@W0ENT0001> calls 5/week', { kind: 'set', who: { kind: 'user', userId: 'W0ENT0001' }, metric: 'call', amount: 5n, currency: null, period: 'week' }],
    // metric by key, label, plural, any case; a custom type of several words
    [`${ANA} call 50/week`, { kind: 'set', who: ana, metric: 'call', amount: 50n, currency: null, period: 'week' }],
    [`${ANA} Meeting 8/week`, { kind: 'set', who: ana, metric: 'meeting', amount: 8n, currency: null, period: 'week' }],
    [`${ANA} PROPOSALS 3/month`, { kind: 'set', who: ana, metric: 'proposal', amount: 3n, currency: null, period: 'month' }],
    [`${ANA} cold calls 200/month`, { kind: 'set', who: ana, metric: 'cold_call', amount: 200n, currency: null, period: 'month' }],
    [`${ANA} R&amp;D calls 20/week`, { kind: 'set', who: ana, metric: 'rnd', amount: 20n, currency: null, period: 'week' }],
    [`${ANA} cold_call 200/month`, { kind: 'set', who: ana, metric: 'cold_call', amount: 200n, currency: null, period: 'month' }],
    // period forms
    [`${ANA} calls 50 / week`, { kind: 'set', who: ana, metric: 'call', amount: 50n, currency: null, period: 'week' }],
    [`${ANA} calls 50 per week`, { kind: 'set', who: ana, metric: 'call', amount: 50n, currency: null, period: 'week' }],
    [`${ANA} calls 50 a week`, { kind: 'set', who: ana, metric: 'call', amount: 50n, currency: null, period: 'week' }],
    [`${ANA} calls 50 weekly`, { kind: 'set', who: ana, metric: 'call', amount: 50n, currency: null, period: 'week' }],
    [`${ANA} calls 50/wk`, { kind: 'set', who: ana, metric: 'call', amount: 50n, currency: null, period: 'week' }],
    [`${ANA} calls 150 each quarter`, { kind: 'set', who: ana, metric: 'call', amount: 150n, currency: null, period: 'quarter' }],
    [`${ANA} calls 600/QTR`, { kind: 'set', who: ana, metric: 'call', amount: 600n, currency: null, period: 'quarter' }],
    [`${ANA} calls 200 monthly`, { kind: 'set', who: ana, metric: 'call', amount: 200n, currency: null, period: 'month' }],
    // activity amounts
    [`${ANA} calls 1/week`, { kind: 'set', who: ana, metric: 'call', amount: 1n, currency: null, period: 'week' }],
    [`${ANA} calls 100,000/quarter`, { kind: 'set', who: ana, metric: 'call', amount: 100_000n, currency: null, period: 'quarter' }],
    [`${ANA} calls 1,500/month`, { kind: 'set', who: ana, metric: 'call', amount: 1500n, currency: null, period: 'month' }],
    // revenue amounts: exact, in the written or the workspace currency
    [`${ANA} revenue 40000 EUR/month`, { kind: 'set', who: ana, metric: 'revenue', amount: 4_000_000n, currency: 'EUR', period: 'month' }],
    [`${ANA} revenue EUR 40k per quarter`, { kind: 'set', who: ana, metric: 'revenue', amount: 4_000_000n, currency: 'EUR', period: 'quarter' }],
    [`${ANA} revenue 12,500.50/month`, { kind: 'set', who: ana, metric: 'revenue', amount: 1_250_050n, currency: 'USD', period: 'month' }],
    [`${ANA} revenue 40k/month`, { kind: 'set', who: ana, metric: 'revenue', amount: 4_000_000n, currency: 'EUR', period: 'month' }, EUR_CTX],
    [`${ANA} revenue ¥5m/quarter`, { kind: 'set', who: ana, metric: 'revenue', amount: 5_000_000n, currency: 'JPY', period: 'quarter' }],
    [`${ANA} quota $1.2m quarterly`, { kind: 'set', who: ana, metric: 'revenue', amount: 120_000_000n, currency: 'USD', period: 'quarter' }],
    ['everyone revenue $25k a month', { kind: 'set', who: everyone, metric: 'revenue', amount: 2_500_000n, currency: 'USD', period: 'month' }],
  ];
  it.each(cases)('%s', (text, expected, ctx) => {
    expect(parsed(text, ctx)).toEqual(expected);
  });
});

describe('parseTargetCommand: removing', () => {
  it.each([
    [`${ANA} calls off`, { kind: 'remove', who: ana, metric: 'call' }],
    [`${ANA} revenue OFF`, { kind: 'remove', who: ana, metric: 'revenue' }],
    ['everyone demos remove', { kind: 'remove', who: everyone, metric: 'demo' }],
    [`${ANA} cold calls none`, { kind: 'remove', who: ana, metric: 'cold_call' }],
  ] as Array<[string, TargetCommand]>)('%s', (text, expected) => {
    expect(parsed(text)).toEqual(expected);
  });
});

describe('parseTargetCommand: errors show the correct form', () => {
  it.each([
    // [input, the problem (a substring), the Try: line]
    [`${ANA} calls 50`, 'Say the period after the amount: `/week`, `/month` or `/quarter`.', '/sales-admin target @ana calls 50/week'],
    [`${ANA} calls 50/day`, 'Targets are per week, month or quarter, not `day`.', '/sales-admin target @ana calls 50/week'],
    [`${ANA} calls 50/year`, 'Targets are per week, month or quarter, not `year`.', '/sales-admin target @ana calls 50/week'],
    [`${ANA} revenue $40k/week`, 'Revenue quotas are per month or per quarter.', '/sales-admin target @ana revenue $40k/month'],
    [`${ANA} calls 0/week`, 'A target is at least 1. To remove one, write `off` instead of the amount.', '/sales-admin target @ana calls 50/week'],
    [`${ANA} calls 100001/week`, 'An activity target is a whole number from 1 to 100,000, not `100001`.', '/sales-admin target @ana calls 50/week'],
    [`${ANA} calls 12.5/month`, 'An activity target is a whole number from 1 to 100,000, not `12.5`.', '/sales-admin target @ana calls 50/month'],
    [`${ANA} calls -5/week`, 'not `-5`', '/sales-admin target @ana calls 50/week'],
    [`${ANA} calls lots/week`, 'not `lots`', '/sales-admin target @ana calls 50/week'],
    [`${ANA} calls`, 'Say how much, and per week, month or quarter.', '/sales-admin target @ana calls 50/week'],
    [`${ANA} revenue`, 'Say how much, and per week, month or quarter.', '/sales-admin target @ana revenue $40k/month'],
    [`${ANA} revenue 40k XYZ/month`, 'XYZ', '/sales-admin target @ana revenue $40k/month'],
    [`${ANA} revenue 0/month`, 'zero', '/sales-admin target @ana revenue $40k/month'],
    [`${ANA} revenue $12.345/month`, 'more decimals', '/sales-admin target @ana revenue $40k/month'],
    [`${ANA} revenue $40k and more/month`, '"and" isn\'t a currency code I know', '/sales-admin target @ana revenue $40k/month'],
    [`${ANA} revenue $40k $50k/month`, 'Enter one amount, not 2', '/sales-admin target @ana revenue $40k/month'],
    [`${ANA}`, 'Say what the target counts: an activity type like `calls`, or `revenue`.', '/sales-admin target @ana calls 50/week'],
    [`${ANA} tweets 5/week`, "I don't know `tweets`. A target counts one activity type (`calls`, `emails`, `meetings`, `demos`, `proposals`, `cold calls`, `R&amp;D calls`) or `revenue`.", '/sales-admin target @ana calls 50/week'],
    ['@ana calls 50/week', 'Pick the person from the list that opens when you type `@`, so Slack links them (`@ana` is not linked).', '/sales-admin target @ana calls 50/week'],
    ['ana calls 50/week', 'Say who the target is for: a person picked with `@`, or `everyone`. `ana` is neither.', '/sales-admin target @ana calls 50/week'],
    ['<#C0SALES|sales> calls 50/week', 'is neither', '/sales-admin target @ana calls 50/week'],
    ['everyone calls 50', 'Say the period', '/sales-admin target everyone calls 50/week'],
    ['<@U0BO00001|bo> demos 5', 'Say the period', '/sales-admin target @bo demos 50/week'],
    ['<@U0BO00001> demos 5', 'Say the period', '/sales-admin target @ana demos 50/week'],
  ])('%s', (text, problem, tryLine) => {
    const message = errorOf(text);
    expect(message.startsWith(':warning: ')).toBe(true);
    expect(message).toContain(problem);
    expect(message.endsWith(`\nTry: \`${tryLine}\``)).toBe(true);
  });

  it('a revenue example in the workspace currency when it is not USD', () => {
    expect(errorOf(`${ANA} revenue`, EUR_CTX)).toContain('Try: `/sales-admin target @ana revenue 40k EUR/month`');
    expect(errorOf(`${ANA} revenue 40k/week`, EUR_CTX)).toContain('Try: `/sales-admin target @ana revenue 40k/month`');
  });

  it('nothing at all lists every form', () => {
    const message = errorOf('   ');
    expect(message).toContain('Say who the target is for');
    expect(message).toContain(targetForms('USD'));
    expect(targetForms('USD')).toContain('`/sales-admin target @ana calls 50/week`');
    expect(targetForms('USD')).toContain('`/sales-admin target @ana revenue $40k/month`');
    expect(targetForms('USD')).toContain('`/sales-admin target everyone demos 5/week`');
    expect(targetForms('USD')).toContain('`/sales-admin targets`');
  });

  it('user text in errors cannot break out of code spans or inject mrkdwn', () => {
    const message = errorOf(`${ANA} calls <!channel>\`x/week`);
    expect(message).not.toContain('<!channel>');
    expect(message).toContain('&lt;!channel&gt;');
    expect(message.split('`').length % 2).toBe(1); // balanced backticks
  });
});

describe('echoing targets', () => {
  it('describes amounts in words people read', () => {
    const types = CTX.types;
    expect(describeTargetAmount({ metric: 'call', amount: 50n, currency: null, period: 'week' }, types)).toBe('50 calls a week');
    expect(describeTargetAmount({ metric: 'demo', amount: 1n, currency: null, period: 'week' }, types)).toBe('1 demo a week');
    expect(describeTargetAmount({ metric: 'cold_call', amount: 1200n, currency: null, period: 'quarter' }, types)).toBe('1,200 cold calls a quarter');
    expect(describeTargetAmount({ metric: 'revenue', amount: 4_000_000n, currency: 'USD', period: 'month' }, types)).toBe('$40,000.00 revenue a month');
    expect(describeTargetAmount({ metric: 'revenue', amount: 5_000_000n, currency: 'JPY', period: 'quarter' }, types)).toBe('¥5,000,000 revenue a quarter');
    expect(describeTargetAmount({ metric: 'gone_type', amount: 3n, currency: null, period: 'month' }, types)).toBe('3 gone_type a month');
  });

  it('labels metrics', () => {
    expect(metricLabel('call', CTX.types)).toBe('Calls');
    expect(metricLabel('cold_call', CTX.types)).toBe('Cold calls');
    expect(metricLabel('revenue', CTX.types)).toBe('Revenue');
    expect(metricLabel('gone_type', CTX.types)).toBe('Gone_type');
  });

  it('keys everyone as *', () => {
    expect(userKeyOf(everyone)).toBe(EVERYONE);
    expect(EVERYONE).toBe('*');
    expect(userKeyOf(ana)).toBe('U0ANA0001');
  });
});

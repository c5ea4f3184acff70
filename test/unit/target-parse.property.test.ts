/**
 * Property tests of the target parser (`/sales-admin target @ana calls 50/week`): for any text it returns a target, a
 * removal or an error message, never throws, and a target it accepts is one the database and the boards can hold.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_ACTIVITY_TYPES, type ActivityTypeDef } from '../../src/entries/activity-types.js';
import { MAX_ACTIVITY_TARGET, parseTargetCommand, REVENUE, REVENUE_PERIODS, type TargetParseContext } from '../../src/features/targets/parse.js';
import { currencyExponent, isKnownCurrency } from '../../src/lib/money.js';
import { MAX_AMOUNT_MAJOR_UNITS } from '../../src/lib/money-input.js';
import { anyText, numberWord, parserInput, runs, slackReference } from '../helpers/arbitraries.js';

const RND: ActivityTypeDef = { key: 'rnd', label: 'R&D call', plural: 'R&D calls', outcomes: [] };
const LONG: ActivityTypeDef = { key: 'site_visit', label: 'On site visit', plural: 'On site visits', outcomes: [] };
const TYPES = [...BUILT_IN_ACTIVITY_TYPES, RND, LONG];
const contexts: fc.Arbitrary<TargetParseContext> = fc.record({ types: fc.constant(TYPES), currency: fc.constantFrom('USD', 'EUR', 'JPY', 'KWD', 'CAD') });

const who = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('<@U0ANA0001|ana>', '<@U0ANA0001>', '<@W0ENT0001|ent ann>', 'everyone', 'Everybody', 'ALL') },
  { weight: 1, arbitrary: fc.oneof(slackReference(), fc.constantFrom('@ana', 'ana', '<@U0ANA0001|ana lee>')) },
);
const metric = fc.constantFrom('calls', 'Call', 'revenue', 'quota', 'demos', 'R&amp;D calls', 'r&d call', 'On site visits', 'on', 'site', 'webinars');
const amount = fc.oneof(
  numberWord([MAX_ACTIVITY_TARGET]),
  fc.constantFrom('1,000', '100,000', '100,001', '1,00', '$40k', '40000 EUR', 'EUR 40k', '€9,000', '40k', '1.5', '0', '-5', '$0', '1.2345m', '9999999999k'),
);
const period = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('/week', '/ month', ' / quarter', 'per week', 'a month', 'each quarter', 'every week', ' weekly', ' monthly', ' quarterly', '/wk', '/mo', '/qtr') },
  { weight: 1, arbitrary: fc.constantFrom('an hour', '/year', '/', '/ 5', 'per', '', '/week/month') },
);
const removal = fc.constantFrom('off', 'OFF', 'remove', 'none', 'off please');

/** `who metric amount period` (or `who metric off`), in order, each part sometimes missing. */
const command = fc
  .tuple(
    fc.option(who, { nil: '', freq: 10 }),
    fc.option(metric, { nil: '', freq: 10 }),
    fc.oneof(
      { weight: 4, arbitrary: fc.tuple(amount, period).map(([a, p]) => (p.startsWith('/') || p.startsWith(' ') ? `${a}${p}` : `${a} ${p}`)) },
      { weight: 1, arbitrary: removal },
      { weight: 1, arbitrary: fc.constant('') },
    ),
  )
  .map((parts) => parts.filter(Boolean).join(' '));

const words = fc.oneof(who, metric, amount, period, removal, anyText(6));

describe('parseTargetCommand on any text', () => {
  it(`returns a target, a removal or an error, never throws; an accepted target is valid (${runs().numRuns} inputs)`, () => {
    fc.assert(
      fc.property(fc.oneof({ weight: 4, arbitrary: command }, { weight: 1, arbitrary: parserInput(words, 6) }), contexts, (text, ctx) => {
        const result = parseTargetCommand(text, ctx);
        if (result.kind === 'error') {
          expect(result.message).toMatch(/^:warning: /);
          return;
        }
        if (result.who.kind === 'user') expect(result.who.userId).toMatch(/^[UW][A-Z0-9]+$/);
        else expect(result.who).toEqual({ kind: 'everyone' });
        expect([REVENUE, ...TYPES.map((t) => t.key)]).toContain(result.metric);
        if (result.kind === 'remove') return;
        expect(result.kind).toBe('set');
        expect(typeof result.amount).toBe('bigint');
        if (result.metric === REVENUE) {
          expect(REVENUE_PERIODS).toContain(result.period);
          expect(isKnownCurrency(result.currency!)).toBe(true);
          expect(result.amount > 0n).toBe(true);
          expect(result.amount <= MAX_AMOUNT_MAJOR_UNITS * 10n ** BigInt(currencyExponent(result.currency!))).toBe(true);
        } else {
          expect(['week', 'month', 'quarter']).toContain(result.period);
          expect(result.currency).toBeNull();
          expect(result.amount >= 1n && result.amount <= BigInt(MAX_ACTIVITY_TARGET)).toBe(true);
        }
      }),
      runs(),
    );
  });

  it('an activity target is read as exactly the number written, with or without thousands separators', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_ACTIVITY_TARGET }), fc.boolean(), contexts, (n, grouped, ctx) => {
        const written = grouped ? n.toLocaleString('en-US') : String(n);
        expect(parseTargetCommand(`everyone calls ${written}/week`, ctx)).toEqual({ kind: 'set', who: { kind: 'everyone' }, metric: 'call', amount: BigInt(n), currency: null, period: 'week' });
      }),
      runs(),
    );
  });
});

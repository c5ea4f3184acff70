/**
 * Property tests of the deal parser (`/log-deal …` and the form's amount field): for any text it returns a result or
 * a structured error, never throws; an amount it accepts is exact (bigint minor units, never a float) and in range.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_DEAL_MAJOR_UNITS, parseAmountText, parseDealCommand, type DealParseContext, type DealParseErrorCode } from '../../src/features/deals/parse.js';
import { MAX_COMMAND_TEXT_LENGTH } from '../../src/slack/command-text.js';
import { currencyExponent, isKnownCurrency, type Money } from '../../src/lib/money.js';
import { anyText, dayWord, instant, numberWord, parserInput, runs, slackReference, zone } from '../helpers/arbitraries.js';

const DAY_MS = 86_400_000;
const ERROR_CODES: DealParseErrorCode[] = [
  'text_too_long', 'missing_amount', 'non_positive_amount', 'amount_too_large', 'duplicate_amount', 'unknown_currency', 'malformed_amount',
  'too_precise', 'conflicting_currency', 'duplicate_result', 'duplicate_kind', 'invalid_date', 'future_date', 'too_old', 'duplicate_date',
];
/** Currencies with 0, 2 and 3 decimal places, dollars and yen. */
const CURRENCIES = ['USD', 'EUR', 'JPY', 'KWD', 'BHD', 'CAD', 'CNY', 'INR', 'GBP', 'BRL'];

const contexts = fc.record({
  now: instant(),
  timeZone: zone(),
  backdateDays: fc.constantFrom(0, 1, 30, 365),
  defaultCurrency: fc.constantFrom(...CURRENCIES),
});

/** Amount words: plain, grouped, decimal, k/m, symbols before and after, codes attached and apart, and near misses. */
const amountWord = fc.oneof(
  numberWord([1_000_000_000]),
  fc.tuple(fc.constantFrom('', '$', '€', '£', '¥', '₹', 'US$', 'C$', 'A$', 'R$', 'JP¥', '-', '−', '-$', '$-', 'usd', 'EUR', 'xyz'), numberWord(), fc.constantFrom('', '.5', '.50', '.505', '.0001', '.', '..5', ',000', ',00', ',000,000'), fc.constantFrom('', 'k', 'K', 'm', 'M', 'b', 'bn'), fc.constantFrom('', '€', '$', 'eur', 'USD', 'XYZ', 'ARR')).map((parts) => parts.join('')),
  fc.constantFrom('12,500', '12,50,0', '1.2.3k', '12..5', '$', '5.', '€9,000', '9000EUR', 'EUR9k', '1.2345678m', '1.000', '0', '0.00', '$0.001', '1b', '360buy'),
);

function words(now: Date): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: amountWord },
    { weight: 2, arbitrary: fc.constantFrom('won', 'lost', 'WON', 'closed-won', 'Closed-Lost', 'closedwon', 'win') },
    { weight: 1, arbitrary: fc.constantFrom('new', 'New', 'expansion', 'Renewal', 'new-business', 'renew') },
    { weight: 3, arbitrary: fc.constantFrom('Acme', 'Corp', 'Globex', 'IBM', '3M', 'AMD', 'TOP', 'ARR', 'MRR', 'usd', 'EUR', 'XYZ', 'for', 'new', 'logo') },
    { weight: 2, arbitrary: fc.oneof(fc.constantFrom('today', 'yesterday', 'fri', 'Monday'), dayWord(now)) },
    { weight: 1, arbitrary: fc.constantFrom('--', '-- multi-year renewal', '—', '– note') },
    { weight: 1, arbitrary: slackReference() },
    { weight: 1, arbitrary: anyText(6) },
  );
}

/** An accepted amount: above zero, at most MAX_DEAL_MAJOR_UNITS of a known currency, in bigint minor units. */
function expectValidAmount(amount: Money): void {
  expect(typeof amount.minor).toBe('bigint');
  expect(isKnownCurrency(amount.currency)).toBe(true);
  expect(amount.currency).toBe(amount.currency.toUpperCase());
  expect(amount.minor > 0n).toBe(true);
  expect(amount.minor <= MAX_DEAL_MAJOR_UNITS * 10n ** BigInt(currencyExponent(amount.currency))).toBe(true);
}

describe('parseDealCommand on any text', () => {
  it(`returns a result or a structured error, never throws; an accepted deal keeps the rules (${runs().numRuns} inputs)`, () => {
    // Half of the inputs lead with an amount word, so most get past "a won deal needs its amount".
    const text = (now: Date) => fc.oneof(parserInput(words(now)), fc.tuple(amountWord, parserInput(words(now))).map(([amount, rest]) => `${amount} ${rest}`));
    const input = contexts.chain((c) => fc.tuple(fc.constant(c), text(c.now)));
    fc.assert(
      fc.property(input, ([c, text]) => {
        const ctx: DealParseContext = c;
        const result = parseDealCommand(text, ctx);
        switch (result.kind) {
          case 'help':
            expect(text.trim().toLowerCase()).toBe('help');
            break;
          case 'empty':
            expect(text.trim()).toBe('');
            break;
          case 'error':
            expect(ERROR_CODES).toContain(result.error.code);
            expect(result.error.message).toMatch(/^:warning: [^]+\nTry: `\/log-deal [^`]+`$/);
            if (text.length > MAX_COMMAND_TEXT_LENGTH) expect(result.error.code).toBe('text_too_long');
            break;
          case 'deal': {
            const d = result.value;
            expect(['won', 'lost']).toContain(d.status);
            expect(['new', 'expansion', 'renewal']).toContain(d.kind);
            if (d.status === 'won') expect(d.amount).not.toBeNull();
            if (d.amount) expectValidAmount(d.amount);
            expect(d.closedAt.getTime()).toBeLessThanOrEqual(c.now.getTime());
            expect(d.closedAt.getTime()).toBeGreaterThan(c.now.getTime() - (c.backdateDays + 2) * DAY_MS);
            if (!d.dateGiven) expect(d.closedAt.getTime()).toBe(c.now.getTime());
            if (d.account !== null) expect(d.account.trim()).not.toBe('');
            if (d.notes !== null) expect(d.notes.trim()).not.toBe('');
            break;
          }
          default:
            throw new Error(`unexpected result ${JSON.stringify(result, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`);
        }
      }),
      runs(),
    );
  });
});

/**
 * A decimal amount as typed (`12,500.5k EUR`) and the minor units it must give, computed here with plain string and
 * bigint arithmetic: value = digits × 10^(exponent + suffix shift − decimals typed).
 */
const typedAmounts = fc
  .record({
    whole: fc.oneof(fc.bigInt({ min: 0n, max: 2_000_000_000n }), fc.bigInt({ min: 0n, max: 999n })).map(String),
    frac: fc.oneof(fc.constant(''), fc.stringMatching(/^\d{1,5}$/)),
    shift: fc.constantFrom(0, 3, 6),
    grouped: fc.boolean(),
    currency: fc.constantFrom(...CURRENCIES),
    form: fc.constantFrom('code after', 'code before', 'attached'),
  })
  .map((a) => {
    const suffix = a.shift === 0 ? '' : a.shift === 3 ? 'k' : 'm';
    const whole = a.grouped ? a.whole.replace(/\B(?=(\d{3})+$)/g, ',') : a.whole;
    const number = `${whole}${a.frac ? `.${a.frac}` : ''}${suffix}`;
    const typed = a.form === 'code after' ? `${number} ${a.currency}` : a.form === 'code before' ? `${a.currency} ${number}` : `${number}${a.currency.toLowerCase()}`;
    const exponent = currencyExponent(a.currency);
    const places = exponent + a.shift - a.frac.length;
    const minor = places >= 0 ? BigInt(a.whole + a.frac) * 10n ** BigInt(places) : null;
    const expected =
      minor === null ? ('too_precise' as const)
      : minor === 0n ? ('non_positive_amount' as const)
      : minor > MAX_DEAL_MAJOR_UNITS * 10n ** BigInt(exponent) ? ('amount_too_large' as const)
      : { minor, currency: a.currency };
    return { typed, expected };
  });

describe('amounts are exact', () => {
  it('a typed amount in a command gives exactly its minor units, or says why not', () => {
    fc.assert(
      fc.property(typedAmounts, contexts, ({ typed, expected }, c) => {
        const result = parseDealCommand(`Acme ${typed} -- renewal`, c);
        if (typeof expected === 'string') expect(result).toMatchObject({ kind: 'error', error: { code: expected } });
        else expect(result).toMatchObject({ kind: 'deal', value: { status: 'won', amount: expected, account: 'Acme', notes: 'renewal' } });
      }),
      runs(),
    );
  });

  it('the form field reads the same amounts the same way', () => {
    fc.assert(
      fc.property(typedAmounts, fc.constantFrom(...CURRENCIES), ({ typed, expected }, defaultCurrency) => {
        const result = parseAmountText(typed, defaultCurrency);
        if (typeof expected === 'string') expect(result).toMatchObject({ code: expected });
        else expect(result).toEqual(expected);
      }),
      runs(),
    );
  });

  it(`the form field on any text: an exact amount in range or a structured error, never throws (${runs().numRuns} inputs)`, () => {
    const text = parserInput(fc.oneof(amountWord, fc.constantFrom('EUR', 'usd', 'xyz', 'JPY', 'Acme')), 3);
    fc.assert(
      fc.property(text, fc.constantFrom(...CURRENCIES), (typed, defaultCurrency) => {
        const result = parseAmountText(typed, defaultCurrency);
        if ('minor' in result) expectValidAmount(result);
        else {
          expect(ERROR_CODES).toContain(result.code);
          expect(result.message).not.toBe('');
        }
      }),
      runs(),
    );
  });
});

import { describe, expect, it } from 'vitest';
import {
  type DealParseContext,
  type DealParseErrorCode,
  type DealParseResult,
  type ParsedDeal,
  dealUsageText,
  MAX_DEAL_MAJOR_UNITS,
  parseAmountText,
  parseDealCommand,
} from '../../src/features/deals/parse.js';
import { formatMoney, type Money, sumMoney } from '../../src/lib/money.js';

// Saturday 2026-11-28, 19:00 in Los Angeles (PST, UTC-8): the UTC date is already the 29th.
const NOW = new Date('2026-11-29T03:00:00Z');
const utc = (iso: string) => new Date(iso);

function makeCtx(overrides: Partial<DealParseContext> = {}): DealParseContext {
  return { now: NOW, timeZone: 'America/Los_Angeles', backdateDays: 30, defaultCurrency: 'USD', ...overrides };
}

function run(text: string, ctx: DealParseContext = makeCtx()): DealParseResult {
  return parseDealCommand(text, ctx);
}

function deal(text: string, ctx?: DealParseContext): ParsedDeal {
  const result = run(text, ctx);
  if (result.kind !== 'deal') throw new Error(`expected a deal for "${text}", got ${JSON.stringify(result, bigints)}`);
  return result.value;
}

function errorOf(text: string, ctx?: DealParseContext) {
  const result = run(text, ctx);
  if (result.kind !== 'error') throw new Error(`expected an error for "${text}", got ${JSON.stringify(result, bigints)}`);
  return result.error;
}

function bigints(_key: string, value: unknown) {
  return typeof value === 'bigint' ? `${value}n` : value;
}

function expected(overrides: Partial<ParsedDeal>): ParsedDeal {
  return { status: 'won', kind: 'new', amount: null, closedAt: NOW, dateGiven: false, account: null, notes: null, ...overrides };
}

const money = (minor: bigint, currency: string): Money => ({ minor, currency });

/** The suggested command at the end of an error message. */
function tryLine(message: string): string | undefined {
  return /\nTry: `([^`]+)`$/.exec(message)?.[1];
}

/** The text after the command name, as Slack sends it. */
const argsOf = (line: string) => line.replace(/^\/log-deal ?/, '');

describe('the documented examples', () => {
  it.each<[string, Partial<ParsedDeal>]>([
    ['Acme Corp $12,500 -- multi-year renewal', { account: 'Acme Corp', amount: money(1250000n, 'USD'), notes: 'multi-year renewal' }],
    ['won Acme Corp 12.5k', { account: 'Acme Corp', amount: money(1250000n, 'USD') }],
    ['lost Initech -- went with a competitor', { status: 'lost', account: 'Initech', notes: 'went with a competitor' }],
    ['Globex 9000 EUR yesterday', { account: 'Globex', amount: money(900000n, 'EUR'), closedAt: utc('2026-11-27T20:00:00Z'), dateGiven: true }],
  ])('%s', (text, value) => {
    expect(deal(text)).toEqual(expected(value));
  });
});

describe('help and empty', () => {
  it.each<[string, DealParseResult['kind']]>([
    ['help', 'help'],
    ['  HELP ', 'help'],
    ['', 'empty'],
    ['  \t ', 'empty'],
    ['help Acme $5', 'deal'],
  ])('%j -> %s', (text, kind) => {
    expect(run(text).kind).toBe(kind);
  });
});

describe('amount forms (workspace currency USD)', () => {
  it.each<[string, bigint, string]>([
    ['12500', 1250000n, 'USD'],
    ['$12,500', 1250000n, 'USD'],
    ['12.5k', 1250000n, 'USD'],
    ['12.5K', 1250000n, 'USD'],
    ['12.50k', 1250000n, 'USD'],
    ['1.2m', 120000000n, 'USD'],
    ['1.2M', 120000000n, 'USD'],
    ['3M', 300000000n, 'USD'],
    ['.5k', 50000n, 'USD'],
    ['$12,500.50', 1250050n, 'USD'],
    ['1,250,000.50', 125000050n, 'USD'],
    ['1.23456m', 123456000n, 'USD'],
    ['1.23456789m', 123456789n, 'USD'],
    ['1.2345k', 123450n, 'USD'],
    ['€9,000', 900000n, 'EUR'],
    ['500€', 50000n, 'EUR'],
    ['9000 EUR', 900000n, 'EUR'],
    ['9000 eur', 900000n, 'EUR'],
    ['EUR 9k', 900000n, 'EUR'],
    ['eur 9K', 900000n, 'EUR'],
    ['9000eur', 900000n, 'EUR'],
    ['9000EUR', 900000n, 'EUR'],
    ['12kEUR', 1200000n, 'EUR'],
    ['EUR9k', 900000n, 'EUR'],
    ['£750', 75000n, 'GBP'],
    ['¥120000', 120000n, 'JPY'],
    ['¥120,000', 120000n, 'JPY'],
    ['￥500', 500n, 'JPY'],
    ['JPY 120000', 120000n, 'JPY'],
    ['¥500 CNY', 50000n, 'CNY'],
    ['CN¥500', 50000n, 'CNY'],
    ['JP¥500', 500n, 'JPY'],
    ['US$500', 50000n, 'USD'],
    ['us$500', 50000n, 'USD'],
    ['A$500', 50000n, 'AUD'],
    ['AU$500', 50000n, 'AUD'],
    ['C$500', 50000n, 'CAD'],
    ['CA$500', 50000n, 'CAD'],
    ['NZ$500', 50000n, 'NZD'],
    ['HK$500', 50000n, 'HKD'],
    ['R$500', 50000n, 'BRL'],
    ['₹500', 50000n, 'INR'],
    ['$500 CAD', 50000n, 'CAD'], // a dollar code refines `$`
    ['AUD $500', 50000n, 'AUD'],
    ['$12,500 USD', 1250000n, 'USD'],
    ['KWD 1.250', 1250n, 'KWD'],
    ['1.25 KWD', 1250n, 'KWD'],
    ['BHD 0.005', 5n, 'BHD'],
    ['0.10', 10n, 'USD'],
    ['0.20', 20n, 'USD'],
    ['$0.01', 1n, 'USD'],
    ['$1,000,000,000', 100000000000n, 'USD'], // exactly the limit
    ['1000m', 100000000000n, 'USD'],
    ['¥1,000,000,000', 1000000000n, 'JPY'],
    ['KWD 1000000000', 1000000000000n, 'KWD'],
  ])('%s -> %s minor %s', (amount, minor, currency) => {
    expect(deal(`Acme ${amount}`)).toEqual(expected({ account: 'Acme', amount: money(minor, currency) }));
  });

  it('adds 0.10 and 0.20 exactly', () => {
    const a = deal('Acme 0.10').amount;
    const b = deal('Acme 0.20').amount;
    expect(a && b && sumMoney([a, b], 'USD')).toEqual(money(30n, 'USD'));
    expect(deal('Acme 0.1').amount!.minor + deal('Acme 0.2').amount!.minor).toBe(30n);
  });

  it.each<[string, number]>([
    ['USD', 2],
    ['EUR', 2],
    ['JPY', 0],
    ['KRW', 0],
    ['KWD', 3],
    ['BHD', 3],
  ])('%s has %i minor digits: "1 %s" is 10^%i minor units', (currency, digits) => {
    expect(deal(`Acme 1 ${currency}`).amount).toEqual(money(10n ** BigInt(digits), currency));
  });
});

describe('workspace currency', () => {
  it.each<[string, string, bigint, string]>([
    ['EUR', '12500', 1250000n, 'EUR'],
    ['EUR', '12.5k', 1250000n, 'EUR'],
    ['EUR', '$500', 50000n, 'USD'],
    ['JPY', '12.5k', 12500n, 'JPY'],
    ['JPY', '$5', 500n, 'USD'],
    ['KWD', '1.5k', 1500000n, 'KWD'],
    ['CAD', '$500', 50000n, 'CAD'], // a bare `$` in a dollar workspace is that dollar
    ['CAD', 'US$500', 50000n, 'USD'],
    ['CAD', '$500 USD', 50000n, 'USD'],
    ['AUD', '$500', 50000n, 'AUD'],
    ['CNY', '¥500', 50000n, 'CNY'],
    ['CNY', 'JP¥500', 500n, 'JPY'],
    ['GBP', '¥500', 500n, 'JPY'],
    ['usd', '500', 50000n, 'USD'],
  ])('workspace %s: %s -> %s %s', (defaultCurrency, amount, minor, currency) => {
    expect(deal(`Acme ${amount}`, makeCtx({ defaultCurrency })).amount).toEqual(money(minor, currency));
  });
});

describe('currency codes next to the number, and account words', () => {
  it.each<[string, string | null, Money]>([
    ['IBM 50k', 'IBM', money(5000000n, 'USD')], // an unknown word before the number is an account word
    ['XYZ 9000', 'XYZ', money(900000n, 'USD')],
    ['Acme for $500', 'Acme for', money(50000n, 'USD')],
    ['Acme 5k new logo', 'Acme new logo', money(500000n, 'USD')], // lower case after: an account word
    ['Acme 12k ARR', 'Acme ARR', money(1200000n, 'USD')], // sales jargon, not a currency
    ['Acme 12k MRR', 'Acme MRR', money(1200000n, 'USD')],
    ['Acme Inc 9000', 'Acme Inc', money(900000n, 'USD')],
    ['360buy 500', '360buy', money(50000n, 'USD')], // an unknown lower-case code attached: the word isn't an amount
    ['EUR Acme 9000', 'EUR Acme', money(900000n, 'USD')], // a code not next to the number is an account word
    ['Acme 9000 yesterday EUR', 'Acme EUR', money(900000n, 'USD')],
    ['Amd 50k', null, money(5000000n, 'AMD')], // a known code next to the number is the currency (documented)
    ['EUR 9000 EUR', null, money(900000n, 'EUR')],
    ['Acme 500km 5k', 'Acme 500km', money(500000n, 'USD')], // `500km` fits no amount form
    ['Acme 1b 5k', 'Acme 1b', money(500000n, 'USD')], // no billion suffix
    ['Acme v1.2 5k', 'Acme v1.2', money(500000n, 'USD')],
    ['won 500', null, money(50000n, 'USD')], // the result word is never a currency
    ['9000 sat', null, money(900000n, 'USD')], // nor is a weekday
  ])('%s', (text, account, amount) => {
    const value = deal(text);
    expect(value.account).toBe(account);
    expect(value.amount).toEqual(amount);
  });
});

describe('result', () => {
  it.each<[string, Partial<ParsedDeal>]>([
    ['lost Acme', { status: 'lost', account: 'Acme' }],
    ['Acme lost', { status: 'lost', account: 'Acme' }],
    ['LOST Acme -- price', { status: 'lost', account: 'Acme', notes: 'price' }],
    ['lost Acme $9,000', { status: 'lost', account: 'Acme', amount: money(900000n, 'USD') }],
    ['lost 9000 EUR', { status: 'lost', amount: money(900000n, 'EUR') }],
    ['lost', { status: 'lost' }],
    ['closed-lost Acme', { status: 'lost', account: 'Acme' }],
    ['won Acme $5', { status: 'won', account: 'Acme', amount: money(500n, 'USD') }],
    ['Won Acme $5', { status: 'won', account: 'Acme', amount: money(500n, 'USD') }],
    ['closed-won Acme $5', { status: 'won', account: 'Acme', amount: money(500n, 'USD') }],
    ['Acme $5', { status: 'won', account: 'Acme', amount: money(500n, 'USD') }],
  ])('%s', (text, value) => {
    expect(deal(text)).toEqual(expected(value));
  });
});

describe('kind (new business by default; `new` only in lower case before the account)', () => {
  it.each<[string, Partial<ParsedDeal>]>([
    ['Acme $5', { kind: 'new', account: 'Acme', amount: money(500n, 'USD') }],
    ['renewal Acme $5', { kind: 'renewal', account: 'Acme', amount: money(500n, 'USD') }],
    ['Acme $5 renewal', { kind: 'renewal', account: 'Acme', amount: money(500n, 'USD') }],
    ['Acme Renewal $5', { kind: 'renewal', account: 'Acme', amount: money(500n, 'USD') }],
    ['EXPANSION Acme 12.5k', { kind: 'expansion', account: 'Acme', amount: money(1250000n, 'USD') }],
    ['lost renewal Initech -- went elsewhere', { status: 'lost', kind: 'renewal', account: 'Initech', notes: 'went elsewhere' }],
    ['won expansion Globex 9000 EUR', { kind: 'expansion', account: 'Globex', amount: money(900000n, 'EUR') }],
    ['new Acme $5', { kind: 'new', account: 'Acme', amount: money(500n, 'USD') }],
    ['won new $5 Acme', { kind: 'new', account: 'Acme', amount: money(500n, 'USD') }],
    ['new-business Acme $5', { kind: 'new', account: 'Acme', amount: money(500n, 'USD') }],
    // `new` as part of a name: capitalised, or after an account word, it stays in the account.
    ['New Relic $5', { kind: 'new', account: 'New Relic', amount: money(500n, 'USD') }],
    ['renewal New York Life $5', { kind: 'renewal', account: 'New York Life', amount: money(500n, 'USD') }],
    ['Acme 5k new logo', { kind: 'new', account: 'Acme new logo', amount: money(500000n, 'USD') }],
    // Only the exact words: `renew`, `renewals` and `expand` are account words.
    ['renew Acme $5', { kind: 'new', account: 'renew Acme', amount: money(500n, 'USD') }],
    ['Acme renewals $5', { kind: 'new', account: 'Acme renewals', amount: money(500n, 'USD') }],
    // A word in the notes is not the kind.
    ['Acme $5 -- expansion next year', { kind: 'new', account: 'Acme', amount: money(500n, 'USD'), notes: 'expansion next year' }],
  ])('%s', (text, value) => {
    expect(deal(text)).toEqual(expected(value));
  });

  it.each(['renewal expansion Acme $5', 'new renewal Acme $5', 'renewal Acme $5 Renewal', 'new-business expansion $5'])('two kinds are refused: %s', (text) => {
    const error = errorOf(text);
    expect(error.code).toBe('duplicate_kind');
    expect(error.message).toContain('Give the kind once: `new`, `expansion` or `renewal`');
    const example = tryLine(error.message)!;
    expect(deal(argsOf(example)).kind).toBe('renewal');
  });

  it('reads words like constructor or toString as account words, not as lookups', () => {
    expect(deal('constructor toString $5')).toEqual(expected({ account: 'constructor toString', amount: money(500n, 'USD') }));
  });
});

describe('close date in the user time zone (LA, now Saturday 2026-11-28 19:00 local)', () => {
  it.each<[string, string]>([
    ['today', NOW.toISOString()],
    ['Today', NOW.toISOString()],
    ['sat', NOW.toISOString()], // today is the most recent Saturday
    ['2026-11-28', NOW.toISOString()], // the local day, though UTC is on the 29th
    ['yesterday', '2026-11-27T20:00:00Z'], // noon local
    ['fri', '2026-11-27T20:00:00Z'],
    ['mon', '2026-11-23T20:00:00Z'],
    ['sun', '2026-11-22T20:00:00Z'],
    ['2026-11-27', '2026-11-27T20:00:00Z'],
    ['2026-10-29', '2026-10-29T19:00:00Z'], // 30 days back, still PDT
  ])('%s -> %s', (word, iso) => {
    expect(deal(`Acme $5 ${word}`)).toEqual(expected({ account: 'Acme', amount: money(500n, 'USD'), closedAt: utc(iso), dateGiven: true }));
  });

  it('defaults to now, dateGiven false', () => {
    const value = deal('Acme $5');
    expect(value.closedAt).toEqual(NOW);
    expect(value.closedAt).not.toBe(NOW); // a copy
    expect(value.dateGiven).toBe(false);
  });

  it('honours the backdating window', () => {
    expect(run('Acme $5 mon', makeCtx({ backdateDays: 7 })).kind).toBe('deal');
    expect(errorOf('Acme $5 mon', makeCtx({ backdateDays: 4 })).code).toBe('too_old');
    expect(errorOf('Acme $5 yesterday', makeCtx({ backdateDays: 0 })).message).toContain('at most 0 days back');
  });
});

describe('notes', () => {
  it.each<[string, Partial<ParsedDeal>]>([
    ['Acme $5 -- multi-year renewal', { notes: 'multi-year renewal' }],
    ['Acme $5 \u2014 multi-year renewal', { notes: 'multi-year renewal' }], // em dash
    ['Acme $5 \u2013 multi-year renewal', { notes: 'multi-year renewal' }], // en dash
    ['Acme $5 --', {}],
    ['Acme $5 -- 2000 seats, $9000 EUR, lost 2026-01-01', { notes: '2000 seats, $9000 EUR, lost 2026-01-01' }], // notes are text
    ['Acme $5 -- Q&amp;A went well &lt;3', { notes: 'Q&A went well <3' }],
    ['Acme $5 -- a -- b', { notes: 'a -- b' }],
  ])('%j', (text, value) => {
    expect(deal(text)).toEqual(expected({ account: 'Acme', amount: money(500n, 'USD'), ...value }));
  });

  it('takes notes alone for a lost deal', () => {
    expect(deal('lost -- no budget')).toEqual(expected({ status: 'lost', notes: 'no budget' }));
  });
});

describe('account and Slack escaping', () => {
  it.each<[string, string]>([
    ['Acme   Corp $5', 'Acme Corp'],
    ['AT&amp;T $5', 'AT&T'],
    ['&lt;Acme&gt; Holdings $5', '<Acme> Holdings'],
    ['&amp;lt; $5', '&lt;'],
    ['<@U123ABC|bob> at Acme $5', '@bob at Acme'],
    ['Acme <#C123|deals> $5', 'Acme #deals'],
    ['Acme yesterday Corp $5 won', 'Acme Corp'],
  ])('%j -> %s', (text, account) => {
    expect(deal(text).account).toBe(account);
  });
});

describe('errors', () => {
  it.each<[string, DealParseErrorCode, string[]]>([
    ['Acme Corp', 'missing_amount', ['won deal needs its amount', '`lost`']],
    ['won Acme', 'missing_amount', []],
    ['-- big one', 'missing_amount', []],
    ['Acme 1.5bn', 'missing_amount', []],
    ['Acme -500', 'non_positive_amount', ['`-500`', 'negative']],
    ['Acme \u2212500', 'non_positive_amount', []],
    ['Acme -$500', 'non_positive_amount', []],
    ['Acme $-500', 'non_positive_amount', []],
    ['Acme $0', 'non_positive_amount', ['`$0`', 'zero']],
    ['Acme 0', 'non_positive_amount', []],
    ['Acme 0.00 EUR', 'non_positive_amount', ['`0.00 EUR`']],
    ['lost Acme $0', 'non_positive_amount', []],
    ['Acme $1,000,000,000.01', 'amount_too_large', ['1,000,000,000 USD']],
    ['Acme 1000000001', 'amount_too_large', []],
    ['Acme 1001m', 'amount_too_large', ['`1001m`']],
    ['Acme ¥1000000001', 'amount_too_large', ['1,000,000,000 JPY']],
    ['Acme 99999999999999999999999 EUR', 'amount_too_large', ['EUR']],
    ['Acme 2000 $500', 'duplicate_amount', ['two amounts', '`2000`', '`$500`', 'form']],
    ['3M $50k', 'duplicate_amount', ['two amounts']],
    ['Acme 500 600', 'duplicate_amount', []],
    ['Acme 9000 XYZ', 'unknown_currency', ['`XYZ`', 'USD, EUR, GBP, JPY']],
    ['Acme 9000XYZ', 'unknown_currency', ['`XYZ`', 'USD, EUR, GBP, JPY']],
    ['Acme $9000 XYZ', 'unknown_currency', []],
    ['Acme 12,50,0', 'malformed_amount', ['`12,50,0`', '12,500.50']],
    ['Acme 1.2.3k', 'malformed_amount', ['`1.2.3k`']],
    ['Acme $', 'malformed_amount', ['`$`']],
    ['Acme 12..5', 'malformed_amount', []],
    ['Acme 1,2', 'malformed_amount', []],
    ['Acme 1234,567', 'malformed_amount', []],
    ['Acme 5.', 'malformed_amount', []],
    ['Acme €9.000,50', 'malformed_amount', []],
    ['Acme $abc', 'malformed_amount', []],
    ['Acme $500$', 'malformed_amount', []],
    ['Acme --500', 'malformed_amount', []],
    ['Acme $12.345', 'too_precise', ['`$12.345`', 'USD amounts have at most 2 decimal places']],
    ['Acme ¥12.5', 'too_precise', ['JPY amounts are whole numbers (0 decimal places)']],
    ['Acme JPY 12.5', 'too_precise', ['`JPY 12.5`']],
    ['Acme KWD 1.2345', 'too_precise', ['KWD amounts have at most 3 decimal places']],
    ['Acme 1.000', 'too_precise', ['2 decimal places']], // a European thousands separator is never read as 1
    ['Acme 1.234567k', 'too_precise', []],
    ['Acme 1.234567891m', 'too_precise', []],
    ['Acme 0.001', 'too_precise', []],
    ['Acme $9000 EUR', 'conflicting_currency', ['`$`', '`EUR`']],
    ['Acme EUR $9000', 'conflicting_currency', []],
    ['Acme €500 GBP', 'conflicting_currency', []],
    ['Acme US$500 CAD', 'conflicting_currency', []],
    ['Acme ¥500 USD', 'conflicting_currency', []],
    ['Acme EUR 9000 USD', 'conflicting_currency', ['`EUR`', '`USD`']],
    ['Acme 9000eur USD', 'conflicting_currency', []],
    ['won lost Acme', 'duplicate_result', ['`won`', '`lost`']],
    ['lost Acme won', 'duplicate_result', []],
    ['won Acme won', 'duplicate_result', []],
    ['Acme $5 2026-11-29', 'future_date', ['2026-11-29', 'future']],
    ['Acme $5 2026-10-28', 'too_old', ['at most 30 days back']],
    ['Acme $5 2026-02-30', 'invalid_date', ['2026-02-30', 'YYYY-MM-DD']],
    ['Acme $5 yesterday mon', 'duplicate_date', ['`yesterday`', '`mon`']],
    ['Acme 12,50,0 2026-02-30', 'malformed_amount', []], // the first problem wins
  ])('%s -> %s', (text, code, fragments) => {
    const error = errorOf(text);
    expect(error.code).toBe(code);
    for (const fragment of fragments) expect(error.message).toContain(fragment);
  });

  it.each<[string, number, DealParseResult['kind']]>([
    ['exactly 3000 characters', 3000, 'deal'],
    ['3001 characters', 3001, 'error'],
  ])('text length: %s -> %s', (_label, length, kind) => {
    const text = `Acme $5 -- ${'n'.repeat(length - 11)}`;
    expect(text).toHaveLength(length);
    expect(run(text).kind).toBe(kind);
  });

  it('checks the length before anything else', () => {
    const error = errorOf(`help${' '.repeat(2997)}`);
    expect(error.code).toBe('text_too_long');
    expect(error.message).toContain('3000');
  });

  it('writes a plain statement followed by a Try line', () => {
    expect(errorOf('Acme 9000 XYZ').message).toBe(
      ":warning: `XYZ` isn't a currency code I know. Use a three-letter ISO-4217 code like USD, EUR, GBP, JPY, or a symbol: $ € £ ¥.\n" +
        'Try: `/log-deal Acme Corp $12,500 -- multi-year renewal`',
    );
  });

  it('suggests the command as typed and the workspace currency', () => {
    const custom = parseDealCommand('Acme', makeCtx(), '/deal');
    expect(custom.kind === 'error' && tryLine(custom.error.message)).toBe('/deal Acme Corp $12,500 -- multi-year renewal');
    expect(tryLine(errorOf('Acme', makeCtx({ defaultCurrency: 'EUR' })).message)).toBe('/log-deal Acme Corp €12,500 -- multi-year renewal');
    expect(tryLine(errorOf('Acme', makeCtx({ defaultCurrency: 'KWD' })).message)).toBe('/log-deal Acme Corp 12,500 KWD -- multi-year renewal');
    expect(tryLine(errorOf('Acme $5 2026-11-29').message)).toBe('/log-deal Acme Corp $12,500 yesterday -- multi-year renewal');
  });

  const contexts: [string, DealParseContext][] = [
    ['USD', makeCtx()],
    ['EUR', makeCtx({ defaultCurrency: 'EUR' })],
    ['JPY', makeCtx({ defaultCurrency: 'JPY' })],
    ['KWD', makeCtx({ defaultCurrency: 'KWD' })],
    ['CAD', makeCtx({ defaultCurrency: 'CAD' })],
    ['USD, no backdating', makeCtx({ backdateDays: 0 })],
  ];
  const failing = [
    'Acme',
    'Acme -500',
    'Acme 1001m',
    'Acme 2000 $500',
    'Acme 9000 XYZ',
    'Acme 12,50,0',
    'Acme $12.345',
    'Acme $9000 EUR',
    'won lost',
    'Acme $5 2026-11-29',
    'Acme $5 2026-10-28',
    'Acme $5 2026-02-30',
    'Acme $5 today mon',
    'x'.repeat(3001),
  ];
  it.each(contexts.flatMap(([label, ctx]) => failing.map((text) => [label, text.slice(0, 40), text, ctx] as const)))(
    'workspace %s, %s: a warning whose suggested command parses as a deal',
    (_label, _shown, text, ctx) => {
      const result = run(text, ctx);
      expect(result.kind).toBe('error');
      if (result.kind !== 'error') return;
      expect(result.error.message.startsWith(':warning: ')).toBe(true);
      const suggestion = tryLine(result.error.message);
      expect(suggestion).toBeDefined();
      expect(run(argsOf(suggestion ?? ''), ctx).kind).toBe('deal');
    },
  );

  it('the lost example in the missing-amount message parses as a lost deal', () => {
    const lost = /`(\/log-deal lost [^`]+)`/.exec(errorOf('Acme').message)?.[1];
    expect(lost).toBeDefined();
    expect(deal(argsOf(lost ?? '')).status).toBe('lost');
  });
});

describe('dealUsageText', () => {
  it.each<[string, number]>([
    ['USD', 30],
    ['EUR', 30],
    ['JPY', 7],
    ['KWD', 30],
    ['CAD', 1],
    ['USD', 0],
  ])('workspace %s, %i days back: every example parses as a deal', (defaultCurrency, backdateDays) => {
    const text = dealUsageText('/log-deal', defaultCurrency, backdateDays);
    const examples = text
      .split('\n')
      .map((line) => /^• `(\/log-deal [^`]+)`$/.exec(line)?.[1])
      .filter((e): e is string => e !== undefined);
    expect(examples.length).toBeGreaterThanOrEqual(4);
    for (const example of examples) {
      const result = run(argsOf(example), makeCtx({ defaultCurrency, backdateDays }));
      expect(result.kind, example).toBe('deal');
    }
    expect(text).toContain(`at most ${backdateDays} days back`);
    expect(text).toContain(`in ${defaultCurrency}`);
  });

  it('shows the syntax with the command as typed and stays within a section', () => {
    const text = dealUsageText('/deal', 'USD', 30);
    expect(text).toContain('`/deal [won|lost] [new|expansion|renewal] [account] [amount] [date] [-- notes]`');
    expect(text).not.toMatch(/<(?!@|#)/); // no bare `<`: Slack would read a control sequence
    expect(text.length).toBeLessThanOrEqual(3000);
  });
});

describe('parseAmountText (the modal field)', () => {
  it.each<[string, string, bigint, string]>([
    ['12,500', 'USD', 1250000n, 'USD'],
    ['12500', 'EUR', 1250000n, 'EUR'],
    ['12.5k', 'USD', 1250000n, 'USD'],
    ['$12,500', 'USD', 1250000n, 'USD'],
    ['  $12,500.50 ', 'USD', 1250050n, 'USD'],
    ['9000 EUR', 'USD', 900000n, 'EUR'],
    ['EUR 9k', 'USD', 900000n, 'EUR'],
    ['9000eur', 'USD', 900000n, 'EUR'],
    ['$500', 'CAD', 50000n, 'CAD'],
    ['1.250', 'KWD', 1250n, 'KWD'],
    ['120000', 'JPY', 120000n, 'JPY'],
    ['1.2m', 'USD', 120000000n, 'USD'],
  ])('%j (default %s) -> %s %s', (text, defaultCurrency, minor, currency) => {
    expect(parseAmountText(text, defaultCurrency)).toEqual(money(minor, currency));
  });

  it.each<[string, string, DealParseErrorCode]>([
    ['', 'USD', 'malformed_amount'],
    ['twelve', 'USD', 'malformed_amount'],
    ['12,500 dollars', 'USD', 'malformed_amount'],
    ['12,50,0', 'USD', 'malformed_amount'],
    ['$', 'USD', 'malformed_amount'],
    ['abc', 'USD', 'unknown_currency'],
    ['9000 xyz', 'USD', 'unknown_currency'],
    ['9000xyz', 'USD', 'unknown_currency'],
    ['xyz9000', 'USD', 'unknown_currency'],
    ['500 600', 'USD', 'duplicate_amount'],
    ['$9000 EUR', 'USD', 'conflicting_currency'],
    ['EUR 9000 GBP', 'USD', 'conflicting_currency'],
    ['0', 'USD', 'non_positive_amount'],
    ['-5', 'USD', 'non_positive_amount'],
    ['12.345', 'USD', 'too_precise'],
    ['12.5', 'JPY', 'too_precise'],
    ['1001m', 'USD', 'amount_too_large'],
  ])('%j (default %s) -> %s, in plain text', (text, defaultCurrency, code) => {
    const result = parseAmountText(text, defaultCurrency);
    expect(result).toMatchObject({ code });
    if (!('message' in result)) return;
    expect(result.message).not.toContain('`');
    expect(result.message).not.toContain('Try:');
    expect(result.message).not.toContain(':warning:');
  });

  it('names the digits in plain text', () => {
    expect(parseAmountText('12.345', 'USD')).toEqual({
      code: 'too_precise',
      message: '"12.345" has more decimals than the currency has: USD amounts have at most 2 decimal places.',
    });
  });

  it.each<[bigint, string]>([
    [123450n, 'USD'],
    [123450n, 'EUR'],
    [123450n, 'GBP'],
    [1235n, 'JPY'],
    [1234500n, 'KWD'],
    [123450n, 'CAD'],
    [123450n, 'AUD'],
    [123450n, 'SGD'],
    [123450n, 'INR'],
    [123450n, 'CNY'],
    [123450n, 'BRL'],
    [123450n, 'CHF'],
    [MAX_DEAL_MAJOR_UNITS * 100n, 'USD'],
  ])('reads formatMoney(%s %s) back exactly', (minor, currency) => {
    const shown = formatMoney(money(minor, currency));
    expect(parseAmountText(shown, 'USD')).toEqual(money(minor, currency));
  });
});

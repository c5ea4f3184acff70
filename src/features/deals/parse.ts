/**
 * Pure parser for `/log-deal ...` and for the log-deal modal's amount field.
 * No I/O and no clock: `now`, the user's time zone and the workspace currency come in through `DealParseContext`.
 *
 * Grammar (every part optional except a won deal's amount; any order; notes last):
 *   [won | lost] [account words] [amount] [today | yesterday | mon..sun | YYYY-MM-DD] [-- notes]
 *
 * Money is exact: the number is read as a decimal string and turned into bigint minor units, never a float.
 *
 * Rules for the ambiguous cases (the help text and error messages say the same):
 * - An amount is any word that fits the money grammar: an optional `-`, an optional symbol or attached ISO code,
 *   digits (either plain, or with commas between groups of exactly three: `12,500`, not `12,50,0`), an optional
 *   `.decimals`, an optional `k` / `m` (any case), an optional trailing symbol or attached ISO code. So a bare number
 *   (`2000`) or `3M` is an amount, never an account word; a second amount is `duplicate_amount` (the message points
 *   at the form, where the account is its own field). `bn`/`b` are not suffixes (`1b` is an account word).
 * - A word made only of digits, commas and dots (with at least one digit), or one starting with a currency symbol,
 *   that does not fit the grammar (`12,50,0`, `1.2.3k`, `12..5`, `$`, `5.`) is `malformed_amount`, not an account word.
 * - Symbols: `$` is USD, except that when the workspace currency is another dollar (CAD, AUD, NZD, HKD, SGD, TWD,
 *   MXN) a bare `$` means that one; `¥` is JPY (or CNY in a CNY workspace). `€` EUR, `£` GBP, `₹` INR. The prefixes
 *   `formatMoney` prints are accepted too, so a confirmation's amount can be pasted back: `US$`, `A$`/`AU$`,
 *   `C$`/`CA$`, `NZ$`, `HK$`, `NT$`, `MX$`, `R$`, `JP¥`, `CN¥`. A symbol may also trail the number (`500€`).
 * - A currency code is a 3-letter word right next to the number (a separate word before or after it, `9000 EUR`,
 *   `EUR 9k`, or attached to it, `9000eur`, `EUR9k`). A known ISO-4217 code (any case) is the currency. So an
 *   account word that happens to be a code (`AMD`, `TOP`, `CUP`, `TRY`, `ALL`...) next to the number is read as the
 *   currency; the confirmation shows it, and writing the amount elsewhere avoids it.
 *   An unknown 3-letter word is `unknown_currency` only when it comes *after* the number and is written in capitals
 *   (`9000 XYZ`, `9000XYZ`), except the sales abbreviations ARR, MRR, ACV and TCV. Anything else stays an account
 *   word (`IBM 50k`, `Acme for $500`, `5k new logo`, `360buy`), because those are far likelier than a typo'd code.
 * - A dollar code refines `$` (`$500 CAD` is CAD) and `JPY`/`CNY` refine `¥`; any other code that disagrees with the
 *   symbol, or two different codes, is `conflicting_currency` (`$9000 EUR`).
 * - Decimals are counted as typed, after the suffix: `$12.345`, `¥12.5`, `1.2345678m` and also `1.000` in USD
 *   (three digits: likely a European thousands separator) are `too_precise`; nothing is ever rounded.
 * - An amount must be above zero and at most MAX_DEAL_MAJOR_UNITS major units of its own currency.
 * - `won` / `lost` (also `closed-won` / `closed-lost`, any case) once at most; won is the default.
 */
import { currencyExponent, decimalToMinor, isKnownCurrency, type Money } from '../../lib/money.js';
import { MAX_TEXT_LENGTH, type ParseContext, decodeEntities, resolveDay, splitNotes } from '../logging/parse.js';

export const MAX_DEAL_MAJOR_UNITS = 1_000_000_000n;

export interface DealParseContext {
  now: Date;
  /** IANA zone of the user, e.g. 'Europe/Berlin'. */
  timeZone: string;
  /** How many local calendar days back a close date may be (inclusive). */
  backdateDays: number;
  /** The workspace currency (ISO-4217, e.g. 'USD'): the currency of an amount written without one. */
  defaultCurrency: string;
}

export type DealStatusWord = 'won' | 'lost';

export interface ParsedDeal {
  status: DealStatusWord;
  /** Null only for a lost deal given without an amount. */
  amount: Money | null;
  closedAt: Date;
  dateGiven: boolean;
  account: string | null;
  notes: string | null;
}

export type DealParseErrorCode =
  | 'text_too_long'
  | 'missing_amount'
  | 'non_positive_amount'
  | 'amount_too_large'
  | 'duplicate_amount'
  | 'unknown_currency'
  | 'malformed_amount'
  | 'too_precise'
  | 'conflicting_currency'
  | 'duplicate_result'
  | 'invalid_date'
  | 'future_date'
  | 'too_old'
  | 'duplicate_date';

export interface DealParseError {
  code: DealParseErrorCode;
  /** From parseDealCommand: Slack mrkdwn ending in a `Try:` line. From parseAmountText: plain text, no `Try:` line. */
  message: string;
}

export type DealParseResult =
  | { kind: 'help' }
  | { kind: 'empty' }
  | { kind: 'deal'; value: ParsedDeal }
  | { kind: 'error'; error: DealParseError };

// ---------------------------------------------------------------------------
// Messages are written once and rendered twice: mrkdwn (inline code) for commands, plain text for modal fields.

type Quote = (text: string) => string;

/** User text shown inside inline code: a backtick would end the code span early. */
const mrkdwnQuote: Quote = (text) => `\`${text.replace(/`/g, "'")}\``;
const plainQuote: Quote = (text) => `"${text}"`;

interface Problem {
  code: DealParseErrorCode;
  say: (q: Quote) => string;
}

const problem = (code: DealParseErrorCode, say: (q: Quote) => string): Problem => ({ code, say });

const AMOUNT_FORMS = (q: Quote) => `${q('12500')}, ${q('12,500.50')}, ${q('12.5k')} or ${q('1.2m')}`;
const CODE_EXAMPLES = 'USD, EUR, GBP, JPY';

// ---------------------------------------------------------------------------
// Currency symbols

interface SymbolDef {
  /** What the user types; letters match in any case. */
  text: string;
  /** The currencies the symbol may stand for; the first is its meaning unless the workspace uses another one. */
  currencies: readonly string[];
}

const DOLLARS = ['USD', 'CAD', 'AUD', 'NZD', 'HKD', 'SGD', 'TWD', 'MXN'] as const;
const YEN = ['JPY', 'CNY'] as const;

const SYMBOLS: readonly SymbolDef[] = [
  { text: '$', currencies: DOLLARS },
  { text: 'US$', currencies: ['USD'] },
  { text: 'A$', currencies: ['AUD'] },
  { text: 'AU$', currencies: ['AUD'] },
  { text: 'C$', currencies: ['CAD'] },
  { text: 'CA$', currencies: ['CAD'] },
  { text: 'NZ$', currencies: ['NZD'] },
  { text: 'HK$', currencies: ['HKD'] },
  { text: 'NT$', currencies: ['TWD'] },
  { text: 'MX$', currencies: ['MXN'] },
  { text: 'R$', currencies: ['BRL'] },
  { text: '€', currencies: ['EUR'] },
  { text: '£', currencies: ['GBP'] },
  { text: '¥', currencies: YEN },
  { text: '￥', currencies: YEN },
  { text: 'JP¥', currencies: ['JPY'] },
  { text: 'CN¥', currencies: ['CNY'] },
  { text: '₹', currencies: ['INR'] },
];

/** The symbol a help text or example shows for a currency, when it has an unambiguous one. */
const DISPLAY_SYMBOL: Record<string, string> = { USD: '$', EUR: '€', GBP: '£', JPY: '¥' };

function findSymbol(text: string): SymbolDef {
  const upper = text.toUpperCase();
  const found = SYMBOLS.find((s) => s.text === upper);
  if (!found) throw new Error(`not a currency symbol: ${text}`);
  return found;
}

/** A bare symbol's currency: the workspace currency when the symbol can mean it (`$` in a CAD workspace), else its usual one. */
function symbolCurrency(symbol: SymbolDef, defaultCurrency: string): string {
  const home = defaultCurrency.toUpperCase();
  return symbol.currencies.includes(home) ? home : symbol.currencies[0];
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const SYMBOL_ALT = [...SYMBOLS]
  .sort((a, b) => b.text.length - a.text.length)
  .map((s) => escapeRegExp(s.text))
  .join('|');

/**
 * One word that might be an amount. Loose on purpose: the number part is any run of digits, commas and dots, checked
 * strictly afterwards, so `12,50,0` is reported as malformed instead of becoming part of the account.
 */
const AMOUNT_WORD = new RegExp(
  `^([-\u2212])?(?:(${SYMBOL_ALT})|([a-z]{3}))?([-\u2212])?([\\d.,]*\\d[\\d.,]*)?([km])?(?:(${SYMBOL_ALT})|([a-z]{3}))?$`,
  'i',
);
const STARTS_WITH_SYMBOL = new RegExp(`^[-\u2212]?(?:${SYMBOL_ALT})`, 'i');
const STRICT_NUMBER = /^(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d+))?$/;

/** Capitalised 3-letter words after a number that are sales jargon, not mistyped currency codes. */
const NOT_CURRENCY = new Set(['ARR', 'MRR', 'ACV', 'TCV']);

/** A lexed amount word, before its currency is settled. */
interface AmountWord {
  token: string;
  negative: boolean;
  whole: string;
  frac: string;
  /** Decimal places the k/m suffix shifts by. */
  shift: 0 | 3 | 6;
  symbol: SymbolDef | null;
  /** Codes attached to the number (`9000eur`, `EUR9k`), upper case, known. */
  codes: string[];
}

/**
 * `command` mode: an unknown attached code is only a problem after the number in capitals (else the word is no
 * amount). `field` mode (the modal's amount box holds nothing but an amount): every unknown code is a problem.
 */
type Mode = 'command' | 'field';

function unknownCurrency(word: string): Problem {
  return problem(
    'unknown_currency',
    (q) => `${q(word)} isn't a currency code I know. Use a three-letter ISO-4217 code like ${CODE_EXAMPLES}, or a symbol: $ € £ ¥.`,
  );
}

function malformed(token: string): Problem {
  return problem(
    'malformed_amount',
    (q) =>
      `${q(token)} isn't an amount I can read. Write digits, with commas only between groups of three and a dot before decimals, optionally ending in k or m: ${AMOUNT_FORMS(q)}.`,
  );
}

/** The word as an amount, a problem with it, or undefined when it is not an amount at all. */
function lexAmount(token: string, mode: Mode): AmountWord | Problem | undefined {
  const m = AMOUNT_WORD.exec(token);
  if (!m) return STARTS_WITH_SYMBOL.test(token) ? malformed(token) : undefined;
  const [, sign1, preSymbol, preCode, sign2, number, suffix, postSymbol, postCode] = m;

  if (number === undefined) return preSymbol || postSymbol ? malformed(token) : undefined;
  if (preCode !== undefined && !isKnownCurrency(preCode)) {
    return mode === 'field' ? unknownCurrency(preCode) : undefined;
  }
  if (postCode !== undefined && !isKnownCurrency(postCode)) {
    if (mode === 'field') return unknownCurrency(postCode);
    const flagged = postCode === postCode.toUpperCase() && !NOT_CURRENCY.has(postCode);
    return flagged ? unknownCurrency(postCode) : undefined;
  }
  if ((preSymbol && postSymbol) || (sign1 && sign2)) return malformed(token);

  const strict = STRICT_NUMBER.exec(number);
  if (!strict || (strict[1] === undefined && strict[2] === undefined)) return malformed(token);

  const symbolText = preSymbol ?? postSymbol;
  return {
    token,
    negative: Boolean(sign1 ?? sign2),
    whole: (strict[1] ?? '').replace(/,/g, ''),
    frac: strict[2] ?? '',
    shift: suffix === undefined ? 0 : suffix.toLowerCase() === 'k' ? 3 : 6,
    symbol: symbolText === undefined ? null : findSymbol(symbolText),
    codes: [preCode, postCode].filter((c): c is string => c !== undefined).map((c) => c.toUpperCase()),
  };
}

function isProblem<T extends object>(x: T | Problem): x is Problem {
  return 'code' in x && 'say' in x;
}

/** Settles the currency from the symbol, attached codes and code words next to the number. */
function resolveCurrency(word: AmountWord, codeWords: string[], defaultCurrency: string): string | Problem {
  const codes = [...word.codes, ...codeWords.map((c) => c.toUpperCase())];
  const distinct = [...new Set(codes)];
  if (distinct.length > 1) {
    return problem(
      'conflicting_currency',
      (q) => `You gave two currencies, ${distinct.map((c) => q(c)).join(' and ')}, for ${q(word.token)}. Give one, like ${q('9000 EUR')}.`,
    );
  }
  const code = distinct[0];
  if (word.symbol === null) return code ?? defaultCurrency.toUpperCase();
  if (code === undefined) return symbolCurrency(word.symbol, defaultCurrency);
  if (word.symbol.currencies.includes(code)) return code;
  const symbol = word.symbol.text;
  return problem(
    'conflicting_currency',
    (q) =>
      `The symbol ${q(symbol)} in ${q(word.token)} doesn't fit the currency ${q(code)}. Give one currency: a symbol like ${q('€9,000')} or a code like ${q('9000 EUR')}.`,
  );
}

function digitsRule(currency: string): string {
  const exp = currencyExponent(currency);
  if (exp === 0) return `${currency} amounts are whole numbers (0 decimal places)`;
  return `${currency} amounts have at most ${exp} decimal place${exp === 1 ? '' : 's'}`;
}

/** The exact amount in `currency`, range-checked. `shown` is the amount as the user wrote it. */
function amountValue(word: AmountWord, currency: string, shown: string): Money | Problem {
  if (word.negative) {
    return problem('non_positive_amount', (q) => `The amount ${q(shown)} is negative. Give the deal's value, above zero.`);
  }
  // Apply the k/m suffix by moving the decimal point in the digit string: exact, no float.
  const { whole, frac, shift } = word;
  const scaledWhole = whole + frac.slice(0, shift).padEnd(shift, '0');
  const scaledFrac = frac.slice(shift);
  const exp = currencyExponent(currency);
  if (scaledFrac.length > exp) {
    return problem('too_precise', (q) => `${q(shown)} has more decimals than the currency has: ${digitsRule(currency)}.`);
  }
  const minor = decimalToMinor(`${scaledWhole || '0'}${scaledFrac ? `.${scaledFrac}` : ''}`, currency);
  if (typeof minor !== 'bigint') return malformed(shown); // unreachable: the string was built to fit
  if (minor === 0n) {
    return problem('non_positive_amount', (q) => `The amount ${q(shown)} is zero. Give the deal's value, above zero.`);
  }
  if (minor > MAX_DEAL_MAJOR_UNITS * 10n ** BigInt(exp)) {
    return problem(
      'amount_too_large',
      (q) =>
        `${q(shown)} is more than ${MAX_DEAL_MAJOR_UNITS.toLocaleString('en-US')} ${currency}, the most one deal can be. Check the digits and the k/m suffix.`,
    );
  }
  return { minor, currency };
}

// ---------------------------------------------------------------------------
// The modal's amount field

/**
 * Reads a typed amount (the modal's amount field) with the command's rules: `12,500`, `12.5k`, `$12,500`,
 * `9000 EUR`, `EUR 9k`. Here every 3-letter word is a currency code (the field holds nothing else), and any other
 * word is an error. The error message is plain text, without a `Try:` line.
 */
export function parseAmountText(text: string, defaultCurrency: string): Money | DealParseError {
  const plain = (p: Problem): DealParseError => ({ code: p.code, message: p.say(plainQuote) });
  const words = text.trim().split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) {
    return { code: 'malformed_amount', message: `Enter an amount, like ${AMOUNT_FORMS(plainQuote)}.` };
  }
  const amounts: AmountWord[] = [];
  const codeWords: string[] = [];
  for (const word of words) {
    const lexed = lexAmount(word, 'field');
    if (lexed !== undefined && isProblem(lexed)) return plain(lexed);
    if (lexed !== undefined) {
      amounts.push(lexed);
      continue;
    }
    if (/^[a-z]{3}$/i.test(word)) {
      if (!isKnownCurrency(word)) return plain(unknownCurrency(word));
      codeWords.push(word);
      continue;
    }
    return plain(malformed(text.trim()));
  }
  if (amounts.length > 1) {
    return { code: 'duplicate_amount', message: `Enter one amount, not ${amounts.length}: ${amounts.map((a) => `"${a.token}"`).join(' and ')}.` };
  }
  const [amount] = amounts;
  if (amount === undefined) return plain(malformed(text.trim()));
  const currency = resolveCurrency(amount, codeWords, defaultCurrency);
  if (typeof currency !== 'string') return plain(currency);
  const value = amountValue(amount, currency, words.join(' '));
  return isProblem(value) ? plain(value) : value;
}

// ---------------------------------------------------------------------------
// The command

const RESULT_WORDS: Record<string, DealStatusWord> = {
  won: 'won',
  'closed-won': 'won',
  lost: 'lost',
  'closed-lost': 'lost',
};

type Item =
  | { kind: 'result'; token: string; value: DealStatusWord }
  | { kind: 'date'; token: string; value: Date }
  | { kind: 'amount'; token: string; value: AmountWord }
  | { kind: 'word'; token: string };

/** Whitespace-separated words, keeping a Slack reference like `<@U1|ann lee>` in one piece. */
function tokenize(head: string): string[] {
  return head.match(/(?:<[^<>]*>|\S)+/g) ?? [];
}

interface Examples {
  /** A complete won deal in the workspace currency. */
  base: string;
  /** The same with a close date that fits the backdating window. */
  dated: string;
  lost: string;
}

function exampleAmount(currency: string): string {
  const upper = currency.toUpperCase();
  const symbol = DISPLAY_SYMBOL[upper];
  return symbol === undefined ? `12,500 ${upper}` : `${symbol}12,500`;
}

function examples(command: string, ctx: Pick<DealParseContext, 'defaultCurrency' | 'backdateDays'>): Examples {
  const amount = exampleAmount(ctx.defaultCurrency);
  const day = ctx.backdateDays >= 1 ? 'yesterday' : 'today';
  return {
    base: `${command} Acme Corp ${amount} -- multi-year renewal`,
    dated: `${command} Acme Corp ${amount} ${day} -- multi-year renewal`,
    lost: `${command} lost Initech -- went with a competitor`,
  };
}

function commandError(p: Problem, example: string): DealParseResult {
  return { kind: 'error', error: { code: p.code, message: `:warning: ${p.say(mrkdwnQuote)}\nTry: \`${example}\`` } };
}

const DATE_CODES = new Set<DealParseErrorCode>(['invalid_date', 'future_date', 'too_old', 'duplicate_date']);

export function parseDealCommand(text: string, ctx: DealParseContext, command = '/log-deal'): DealParseResult {
  const ex = examples(command, ctx);
  const fail = (p: Problem) => commandError(p, DATE_CODES.has(p.code) ? ex.dated : ex.base);
  if (text.length > MAX_TEXT_LENGTH) {
    return fail(
      problem(
        'text_too_long',
        () => `That's ${text.length} characters; the most a command can take is ${MAX_TEXT_LENGTH}. For long notes, send \`${command}\` alone to open the form.`,
      ),
    );
  }
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'empty' };
  if (trimmed.toLowerCase() === 'help') return { kind: 'help' };

  const { head, notes } = splitNotes(trimmed);
  const items = classify(tokenize(head), ctx, command);
  if (isProblem(items)) return fail(items);

  const amountAt = items.findIndex((i) => i.kind === 'amount');
  const consumed = new Set<number>();
  let amount: Money | null = null;
  if (amountAt >= 0) {
    const settled = settleAmount(items, amountAt, ctx.defaultCurrency, consumed);
    if (isProblem(settled)) return fail(settled);
    amount = settled;
  }
  const result = items.find((i) => i.kind === 'result');
  const status = result?.kind === 'result' ? result.value : 'won';
  if (status === 'won' && amount === null) {
    return fail(
      problem(
        'missing_amount',
        (q) => `A won deal needs its amount, like ${q(exampleAmount(ctx.defaultCurrency))}, ${q('12.5k')} or ${q('9000 EUR')}. For a lost deal, start with ${q('lost')}: ${q(ex.lost)}.`,
      ),
    );
  }
  const date = items.find((i) => i.kind === 'date');
  const words = items.filter((item, index) => item.kind === 'word' && !consumed.has(index)).map((i) => i.token);
  return {
    kind: 'deal',
    value: {
      status,
      amount,
      closedAt: date?.kind === 'date' ? date.value : new Date(ctx.now.getTime()),
      dateGiven: date !== undefined,
      account: cleanAccount(words),
      notes: notes === null ? null : decodeEntities(notes),
    },
  };
}

const DUPLICATE_NOUN = { result: 'results', date: 'dates', amount: 'amounts' } as const;
const DUPLICATE_CODE = { result: 'duplicate_result', date: 'duplicate_date', amount: 'duplicate_amount' } as const;

/** Each word as a result, date, amount or plain word, in order; the first problem wins. */
function classify(tokens: string[], ctx: DealParseContext, command: string): Item[] | Problem {
  const dateCtx: ParseContext = { types: [], now: ctx.now, timeZone: ctx.timeZone, backdateDays: ctx.backdateDays };
  const items: Item[] = [];
  const seen = new Map<Item['kind'], string>();
  for (const token of tokens) {
    const item = classifyToken(token, dateCtx);
    if (isProblem(item)) return item;
    if (item.kind !== 'word') {
      const earlier = seen.get(item.kind);
      if (earlier !== undefined) return duplicate(item.kind, earlier, token, command);
      seen.set(item.kind, token);
    }
    items.push(item);
  }
  return items;
}

function classifyToken(token: string, dateCtx: ParseContext): Item | Problem {
  const day = resolveDay(token, dateCtx);
  if (day instanceof Date) return { kind: 'date', token, value: day };
  if (day !== null) return problem(day.code as DealParseErrorCode, () => day.message);
  const result = RESULT_WORDS[token.toLowerCase()];
  if (result !== undefined) return { kind: 'result', token, value: result };
  const amount = lexAmount(token, 'command');
  if (amount === undefined) return { kind: 'word', token };
  if (isProblem(amount)) return amount;
  return { kind: 'amount', token, value: amount };
}

function duplicate(kind: 'result' | 'date' | 'amount', earlier: string, token: string, command: string): Problem {
  const code = DUPLICATE_CODE[kind];
  if (kind === 'amount') {
    return problem(
      code,
      (q) =>
        `You gave two amounts: ${q(earlier)} and ${q(token)}. Give one. (Every number counts as an amount; if one is part of the account name, send ${q(command)} alone and use the form.)`,
    );
  }
  if (kind === 'result') {
    return problem(code, (q) => `You gave ${q(earlier)} and ${q(token)}. Say ${q('won')} or ${q('lost')} once (won is the default).`);
  }
  return problem(code, (q) => `You gave two ${DUPLICATE_NOUN[kind]}: ${q(earlier)} and ${q(token)}. Give at most one.`);
}

/** Reads the amount at `at` with the code words next to it; marks the words used as currency in `consumed`. */
function settleAmount(items: Item[], at: number, defaultCurrency: string, consumed: Set<number>): Money | Problem {
  const item = items[at];
  if (item.kind !== 'amount') throw new Error('settleAmount: not an amount');
  const codeWords: string[] = [];
  const shownParts = [item.token];
  for (const side of [-1, 1] as const) {
    const neighbour = items[at + side];
    if (neighbour?.kind !== 'word' || !/^[a-z]{3}$/i.test(neighbour.token)) continue;
    const word = neighbour.token;
    if (isKnownCurrency(word)) {
      codeWords.push(word);
      consumed.add(at + side);
      if (side === -1) shownParts.unshift(word);
      else shownParts.push(word);
    } else if (side === 1 && word === word.toUpperCase() && !NOT_CURRENCY.has(word)) {
      return unknownCurrency(word);
    }
  }
  const currency = resolveCurrency(item.value, codeWords, defaultCurrency);
  if (typeof currency !== 'string') return currency;
  return amountValue(item.value, currency, shownParts.join(' '));
}

/** The account from the leftover words: mentions and channels as `@name` / `#name`, Slack's escapes decoded. */
function cleanAccount(words: string[]): string | null {
  if (words.length === 0) return null;
  const text = words
    .join(' ')
    .replace(/<@[A-Z0-9]+\|([^>]+)>/gi, '@$1')
    .replace(/<#[A-Z0-9]+\|([^>]+)>/gi, '#$1');
  return decodeEntities(text);
}

// ---------------------------------------------------------------------------
// Help

/** Help text (mrkdwn): the syntax, the rules for amounts, and examples that parse as deals. */
export function dealUsageText(command: string, defaultCurrency: string, backdateDays: number): string {
  const home = defaultCurrency.toUpperCase();
  const ex = examples(command, { defaultCurrency: home, backdateDays });
  const globex = backdateDays >= 1 ? `${command} Globex 12.5k yesterday` : `${command} Globex 12.5k`;
  const lines = [
    '*Log a closed deal*',
    `\`${command} [won|lost] [account] [amount] [date] [-- notes]\``,
    'The order is free; notes go last, after ` -- `. A won deal needs an amount; everything else is optional.',
    '• *Result:* `won` (the default) or `lost`',
    `• *Amount:* \`12500\`, \`12,500.50\`, \`12.5k\`, \`1.2m\`; in ${home} unless you add a symbol (\`$12,500\`, \`€9,000\`, \`£750\`, \`¥120000\`) or a currency code next to it (\`9000 EUR\`, \`EUR 9k\`). \`$\` is US dollars and \`¥\` is yen unless the workspace uses another dollar or yuan.`,
    '    Any number counts as the amount, so an account like 3M goes in the form instead.',
    `• *Date closed:* \`today\` (the default), \`yesterday\`, a weekday like \`mon\`, or \`2026-11-27\`; at most ${backdateDays} days back`,
    '• *Account:* the remaining words, like `Acme Corp`',
    '*Examples*',
    `• \`${ex.base}\``,
    `• \`${globex}\``,
    `• \`${command} Initech 9000 EUR -- 3-year plan\``,
    `• \`${ex.lost}\``,
    `Send \`${command}\` alone to open a form.`,
  ];
  return lines.join('\n');
}

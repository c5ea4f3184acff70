/**
 * An amount of money as people type it: `12,500`, `12.5k`, `$12,500`, `€9,000`, `9000 EUR`, `EUR 9k`. Read
 * exactly (a decimal string to bigint minor units, never a float). Used by `/log-deal` (inside its command
 * grammar), the deal form's amount field and revenue targets; the rules are documented on the deal parser.
 */
import { currencyExponent, decimalToMinor, isKnownCurrency, type Money } from './money.js';

/** The most one amount can be, in major units of its own currency. */
export const MAX_AMOUNT_MAJOR_UNITS = 1_000_000_000n;

export type AmountErrorCode =
  | 'non_positive_amount'
  | 'amount_too_large'
  | 'duplicate_amount'
  | 'unknown_currency'
  | 'malformed_amount'
  | 'too_precise'
  | 'conflicting_currency';

export interface AmountError {
  code: AmountErrorCode;
  /** Plain text, no `Try:` line. */
  message: string;
}

// ---------------------------------------------------------------------------
// Messages are written once and rendered twice: mrkdwn (inline code) for commands, plain text for modal fields.

export type Quote = (text: string) => string;

/** User text shown inside inline code: a backtick would end the code span early. */
export const mrkdwnQuote: Quote = (text) => `\`${text.replace(/`/g, "'")}\``;
export const plainQuote: Quote = (text) => `"${text}"`;

/** What is wrong with an amount, said either way. */
export interface Problem<C extends string = AmountErrorCode> {
  code: C;
  say: (q: Quote) => string;
}

export const problem = <C extends string>(code: C, say: (q: Quote) => string): Problem<C> => ({ code, say });

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
export const NOT_CURRENCY = new Set(['ARR', 'MRR', 'ACV', 'TCV']);

/** A lexed amount word, before its currency is settled. */
export interface AmountWord {
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
export type AmountMode = 'command' | 'field';

export function unknownCurrency(word: string): Problem {
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
export function lexAmount(token: string, mode: AmountMode): AmountWord | Problem | undefined {
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

export function isProblem<T extends object, C extends string>(x: T | Problem<C>): x is Problem<C> {
  return 'code' in x && 'say' in x;
}

/** Settles the currency from the symbol, attached codes and code words next to the number. */
export function resolveCurrency(word: AmountWord, codeWords: string[], defaultCurrency: string): string | Problem {
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
export function amountValue(word: AmountWord, currency: string, shown: string): Money | Problem {
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
  if (minor > MAX_AMOUNT_MAJOR_UNITS * 10n ** BigInt(exp)) {
    return problem(
      'amount_too_large',
      (q) =>
        `${q(shown)} is more than ${MAX_AMOUNT_MAJOR_UNITS.toLocaleString('en-US')} ${currency}, the most one deal can be. Check the digits and the k/m suffix.`,
    );
  }
  return { minor, currency };
}

// ---------------------------------------------------------------------------
// A field that holds only an amount (the deal form's amount, a revenue target)

/**
 * Reads a typed amount (the modal's amount field) with the command's rules: `12,500`, `12.5k`, `$12,500`,
 * `9000 EUR`, `EUR 9k`. Here every 3-letter word is a currency code (the field holds nothing else), and any other
 * word is an error. The error message is plain text, without a `Try:` line.
 */
export function parseAmountText(text: string, defaultCurrency: string): Money | AmountError {
  const plain = (p: Problem): AmountError => ({ code: p.code, message: p.say(plainQuote) });
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


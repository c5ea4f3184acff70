/**
 * Pure parser for `/log-deal ...` and for the log-deal modal's amount field.
 * No I/O and no clock: `now`, the user's time zone and the workspace currency come in through `DealParseContext`.
 *
 * Grammar (every part optional except a won deal's amount; any order; notes last):
 *   [won | lost] [new | expansion | renewal] [account words] [amount] [today | yesterday | mon..sun | YYYY-MM-DD] [-- notes]
 *
 * Money is exact: the number is read as a decimal string and turned into bigint minor units, never a float.
 * The amount words themselves are read by `src/lib/money-input.ts` (shared with revenue targets); words, notes,
 * dates and the `Try:` form come from `src/slack/command-text.ts` and `src/entries/`. This file is the deal grammar.
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
 * - The kind, once at most; new business is the default. `expansion` and `renewal` (any case, anywhere) are the kind.
 *   `new` is far likelier than they are to start an account name (New Relic, New York Life) or to sit in one
 *   (`Acme 5k new logo`), so it is the kind only in lower case and before any account word: `new Acme 5k` and
 *   `won new 5k Acme` are new business with account Acme, while `New Relic 5k` and `Acme new logo 5k` keep it in the
 *   account. (`new-business` is the kind anywhere, any case.)
 */
import type { DealKind } from '../../db/schema/index.js';
import { isKnownCurrency, type Money } from '../../lib/money.js';
import {
  amountValue,
  type AmountWord,
  isProblem,
  lexAmount,
  MAX_AMOUNT_MAJOR_UNITS,
  mrkdwnQuote,
  NOT_CURRENCY,
  type Problem as AmountProblem,
  problem,
  resolveCurrency,
  unknownCurrency,
} from '../../lib/money-input.js';
import { type EntryDateContext, resolveEntryDay } from '../../entries/entry-date.js';
import {
  commandError as tryError,
  decodeEntities,
  MAX_COMMAND_TEXT_LENGTH,
  splitNotes,
  textTooLongProblem,
  tokenize,
  wordsAsText,
} from '../../slack/command-text.js';

export const MAX_DEAL_MAJOR_UNITS = MAX_AMOUNT_MAJOR_UNITS;
/** Reads the deal form's amount field (and a revenue target's amount). */
export { parseAmountText } from '../../lib/money-input.js';

type Problem = AmountProblem<DealParseErrorCode>;

/** `now`, the user's zone and how many local days back a close date may be, plus the workspace currency. */
export interface DealParseContext extends EntryDateContext {
  /** The workspace currency (ISO-4217, e.g. 'USD'): the currency of an amount written without one. */
  defaultCurrency: string;
}

export type DealStatusWord = 'won' | 'lost';

export interface ParsedDeal {
  status: DealStatusWord;
  /** New business (the default), expansion or renewal. */
  kind: DealKind;
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
  | 'duplicate_kind'
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
// The command

/** The symbol a help text or example shows for a currency, when it has an unambiguous one. */
const DISPLAY_SYMBOL: Record<string, string> = { USD: '$', EUR: '€', GBP: '£', JPY: '¥' };

const RESULT_WORDS: Record<string, DealStatusWord> = {
  won: 'won',
  'closed-won': 'won',
  lost: 'lost',
  'closed-lost': 'lost',
};

/** Kind words read anywhere, any case; `new` is read apart (see the rules above and `isLeadingNew`). */
const KIND_WORDS: Record<string, DealKind> = {
  'new-business': 'new',
  expansion: 'expansion',
  renewal: 'renewal',
};

type Item =
  | { kind: 'result'; token: string; value: DealStatusWord }
  | { kind: 'dealKind'; token: string; value: DealKind }
  | { kind: 'date'; token: string; value: Date }
  | { kind: 'amount'; token: string; value: AmountWord }
  | { kind: 'word'; token: string };

interface Examples {
  /** A complete won deal in the workspace currency. */
  base: string;
  /** The same with a close date that fits the backdating window. */
  dated: string;
  lost: string;
  /** A renewal, with the kind word. */
  renewal: string;
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
    renewal: `${command} renewal Acme Corp ${amount} -- 3-year term`,
  };
}

function commandError(p: Problem, example: string): DealParseResult {
  return tryError(p.code, p.say(mrkdwnQuote), example);
}

const DATE_CODES = new Set<DealParseErrorCode>(['invalid_date', 'future_date', 'too_old', 'duplicate_date']);

export function parseDealCommand(text: string, ctx: DealParseContext, command = '/log-deal'): DealParseResult {
  const ex = examples(command, ctx);
  const fail = (p: Problem) => commandError(p, DATE_CODES.has(p.code) ? ex.dated : p.code === 'duplicate_kind' ? ex.renewal : ex.base);
  if (text.length > MAX_COMMAND_TEXT_LENGTH) {
    return fail(problem('text_too_long', () => textTooLongProblem(text.length, command)));
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
  const kindItem = items.find((i) => i.kind === 'dealKind');
  const kind = kindItem?.kind === 'dealKind' ? kindItem.value : 'new';
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
      kind,
      amount,
      closedAt: date?.kind === 'date' ? date.value : new Date(ctx.now.getTime()),
      dateGiven: date !== undefined,
      account: wordsAsText(words, { channels: true }),
      notes: notes === null ? null : decodeEntities(notes),
    },
  };
}

const DUPLICATE_NOUN = { result: 'results', dealKind: 'kinds', date: 'dates', amount: 'amounts' } as const;
const DUPLICATE_CODE = { result: 'duplicate_result', dealKind: 'duplicate_kind', date: 'duplicate_date', amount: 'duplicate_amount' } as const;

/** Each word as a result, date, amount or plain word, in order; the first problem wins. */
function classify(tokens: string[], ctx: DealParseContext, command: string): Item[] | Problem {
  const items: Item[] = [];
  const seen = new Map<Item['kind'], string>();
  for (const token of tokens) {
    const afterAccountWord = items.some((i) => i.kind === 'word');
    const item: Item | Problem = token === 'new' && !afterAccountWord ? { kind: 'dealKind', token, value: 'new' } : classifyToken(token, ctx);
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

function classifyToken(token: string, dateCtx: EntryDateContext): Item | Problem {
  const day = resolveEntryDay(token, dateCtx);
  if (day instanceof Date) return { kind: 'date', token, value: day };
  if (day !== null) return problem(day.code, () => day.message);
  // Own keys only: `constructor` or `toString` is an account word, not a lookup of Object.prototype.
  const lower = token.toLowerCase();
  if (Object.hasOwn(RESULT_WORDS, lower)) return { kind: 'result', token, value: RESULT_WORDS[lower]! };
  if (Object.hasOwn(KIND_WORDS, lower)) return { kind: 'dealKind', token, value: KIND_WORDS[lower]! };
  const amount = lexAmount(token, 'command');
  if (amount === undefined) return { kind: 'word', token };
  if (isProblem(amount)) return amount;
  return { kind: 'amount', token, value: amount };
}

function duplicate(kind: 'result' | 'dealKind' | 'date' | 'amount', earlier: string, token: string, command: string): Problem {
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
  if (kind === 'dealKind') {
    return problem(
      code,
      (q) => `You gave ${q(earlier)} and ${q(token)}. Give the kind once: ${q('new')}, ${q('expansion')} or ${q('renewal')} (new business is the default).`,
    );
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

// ---------------------------------------------------------------------------
// Help

/** Help text (mrkdwn): the syntax, the rules for amounts, and examples that parse as deals. */
export function dealUsageText(command: string, defaultCurrency: string, backdateDays: number): string {
  const home = defaultCurrency.toUpperCase();
  const ex = examples(command, { defaultCurrency: home, backdateDays });
  const globex = backdateDays >= 1 ? `${command} Globex 12.5k yesterday` : `${command} Globex 12.5k`;
  const lines = [
    '*Log a closed deal*',
    `\`${command} [won|lost] [new|expansion|renewal] [account] [amount] [date] [-- notes]\``,
    'The order is free; notes go last, after ` -- `. A won deal needs an amount; everything else is optional.',
    '• *Result:* `won` (the default) or `lost`',
    '• *Kind:* `new` business (the default), `expansion` or `renewal`. `new` counts only in lower case before the account, so `New Relic` stays an account name',
    `• *Amount:* \`12500\`, \`12,500.50\`, \`12.5k\`, \`1.2m\`; in ${home} unless you add a symbol (\`$12,500\`, \`€9,000\`, \`£750\`, \`¥120000\`) or a currency code next to it (\`9000 EUR\`, \`EUR 9k\`). \`$\` is US dollars and \`¥\` is yen unless the workspace uses another dollar or yuan.`,
    '    Any number counts as the amount, so an account like 3M goes in the form instead.',
    `• *Date closed:* \`today\` (the default), \`yesterday\`, a weekday like \`mon\`, or \`2026-11-27\`; at most ${backdateDays} days back`,
    '• *Account:* the remaining words, like `Acme Corp`',
    '*Examples*',
    `• \`${ex.base}\``,
    `• \`${globex}\``,
    `• \`${command} Initech 9000 EUR -- 3-year plan\``,
    `• \`${ex.lost}\``,
    `• \`${ex.renewal}\``,
    `Send \`${command}\` alone to open a form.`,
  ];
  return lines.join('\n');
}

/**
 * The reporting currency and exchange rates: the one service behind `/sales-admin currency|rate|rates` and the
 * settings modal's Currency section.
 *
 * - `workspaces.currency` is the reporting currency: the headline every board and summary shows.
 * - An admin enters fixed rates: 1 unit of X = `rate` units of the reporting currency, from an effective date
 *   (YYYY-MM-DD) until the next rate of X. A deal converts at the rate in force on its close date, taken in the
 *   workspace's default time zone (src/metrics does the converting).
 * - Rates are exact decimals, parsed as strings (never floats), at most 12 decimals, positive.
 * - Rates are relative to the reporting currency, so changing it clears them, after saying so; audited.
 */
import { and, asc, desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { exchangeRates, workspaces } from '../../db/schema/index.js';
import { formatScaledDecimal, parseScaledDecimal, RATE_SCALE } from '../../lib/decimal.js';
import { isKnownCurrency } from '../../lib/money.js';
import { recordAudit } from '../../org/index.js';
import { dateIn, formatIsoDate, parseIsoDate } from '../../periods/calendar.js';

/** numeric(24, 12): at most 12 digits before the point. */
const MAX_RATE_WHOLE_DIGITS = 12;

export interface ExchangeRate {
  currency: string;
  /** YYYY-MM-DD. */
  effectiveOn: string;
  /** The shortest exact decimal ("1.27"). */
  rate: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; error: string };

const ok = <T>(value: T): Validated<T> => ({ ok: true, value });
const fail = <T>(error: string): Validated<T> => ({ ok: false, error });
const code = (text: string) => `\`${text.replace(/`/g, "'").slice(0, 40)}\``;

// ---------------------------------------------------------------------------------------------
// Validation (pure)

/** An ISO-4217 code the money module knows, upper-cased. */
export function validateCurrency(text: string): Validated<string> {
  const upper = text.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(upper) || !isKnownCurrency(upper)) {
    return fail(`${code(text.trim() || ' ')} isn't a currency code I know. Use a three-letter ISO-4217 code like EUR, GBP or JPY.`);
  }
  return ok(upper);
}

/** A currency a rate can be set for: known, and not the reporting currency itself (always 1). */
export function validateRateCurrency(text: string, reporting: string): Validated<string> {
  const currency = validateCurrency(text);
  if (!currency.ok) return currency;
  if (currency.value === reporting.toUpperCase()) {
    return fail(`${currency.value} is the reporting currency: its rate is always 1. Set rates for the other currencies.`);
  }
  return currency;
}

/** A rate: an exact positive decimal, at most 12 decimals and 12 digits before the point. Returns the shortest form. */
export function validateRate(text: string): Validated<string> {
  const trimmed = text.trim();
  const example = 'Write it as a plain decimal, like `1.27` or `0.0067`.';
  if (!/^\d+(\.\d+)?$/.test(trimmed)) return fail(`${code(trimmed || ' ')} isn't a rate. ${example}`);
  const scaled = parseScaledDecimal(trimmed, RATE_SCALE);
  if (scaled === undefined) return fail(`A rate has at most ${RATE_SCALE} decimals. ${example}`);
  if (scaled === 0n) return fail('A rate must be more than 0.');
  if (scaled >= 10n ** BigInt(MAX_RATE_WHOLE_DIGITS + RATE_SCALE)) return fail('That rate is too large: at most 12 digits before the decimal point.');
  return ok(formatScaledDecimal(scaled, RATE_SCALE));
}

/** An effective date: YYYY-MM-DD, a real day. */
export function validateEffectiveDate(text: string): Validated<string> {
  const trimmed = text.trim();
  const date = parseIsoDate(trimmed);
  if (!date) return fail(`${code(trimmed || ' ')} isn't a date. Write it as YYYY-MM-DD, like 2026-11-01.`);
  return ok(formatIsoDate(date));
}

// ---------------------------------------------------------------------------------------------
// The text sub-commands' words (pure)

export type RateCommand =
  | { kind: 'set'; currency: string; rate: string; effectiveOn: string }
  | { kind: 'remove'; currency: string; effectiveOn?: string }
  | { kind: 'usage' }
  | { kind: 'error'; error: string };

export const RATE_USAGE =
  '`/sales-admin rate GBP 1.27 [from 2026-11-01]`: 1 GBP = 1.27 in the reporting currency, from that day (default today); `/sales-admin rate GBP off [2026-11-01]`: remove that rate (without a date, every GBP rate)';

/**
 * `rate <CUR> <rate> [from] [YYYY-MM-DD]` or `rate <CUR> off [YYYY-MM-DD]`. `today` (YYYY-MM-DD, in the workspace's
 * zone) is the default effective date; `reporting` is refused as a rate currency.
 */
export function parseRateCommand(words: readonly string[], today: string, reporting: string): RateCommand {
  if (words.length === 0) return { kind: 'usage' };
  const [currencyWord, valueWord, ...rest] = words;
  const currency = validateRateCurrency(currencyWord!, reporting);
  if (!currency.ok) return { kind: 'error', error: currency.error };
  if (valueWord === undefined) return { kind: 'error', error: `Give the rate too, like \`/sales-admin rate ${currency.value} 1.27\`, or \`off\` to remove it.` };
  const dateWords = rest[0]?.toLowerCase() === 'from' ? rest.slice(1) : rest;
  if (dateWords.length > 1 || (rest[0]?.toLowerCase() === 'from' && dateWords.length === 0)) {
    return { kind: 'error', error: `I expected at most one date after the rate, as YYYY-MM-DD. ${RATE_USAGE}` };
  }
  let effectiveOn: string | undefined;
  if (dateWords.length === 1) {
    const date = validateEffectiveDate(dateWords[0]!);
    if (!date.ok) return { kind: 'error', error: date.error };
    effectiveOn = date.value;
  }
  if (valueWord.toLowerCase() === 'off') return { kind: 'remove', currency: currency.value, ...(effectiveOn ? { effectiveOn } : {}) };
  const rate = validateRate(valueWord);
  if (!rate.ok) return { kind: 'error', error: rate.error };
  return { kind: 'set', currency: currency.value, rate: rate.value, effectiveOn: effectiveOn ?? today };
}

export type CurrencyCommand = { kind: 'show' } | { kind: 'change'; currency: string; confirmed: boolean } | { kind: 'error'; error: string };

/** `currency` (show), `currency EUR`, `currency EUR confirm`. */
export function parseCurrencyCommand(words: readonly string[]): CurrencyCommand {
  if (words.length === 0) return { kind: 'show' };
  if (words.length > 2 || (words.length === 2 && words[1]!.toLowerCase() !== 'confirm')) {
    return { kind: 'error', error: 'Name one currency, like `/sales-admin currency EUR`.' };
  }
  const currency = validateCurrency(words[0]!);
  if (!currency.ok) return { kind: 'error', error: currency.error };
  return { kind: 'change', currency: currency.value, confirmed: words.length === 2 };
}

// ---------------------------------------------------------------------------------------------
// Reading and writing (every change audited in its own transaction)

/** Today's date (YYYY-MM-DD) in the workspace's default time zone: the default effective date. */
export function todayIn(now: Date, timeZone: string): string {
  return formatIsoDate(dateIn(now, timeZone));
}

/** The shortest form of a rate as the database gives it ("1.270000000000" -> "1.27"). */
function normalRate(stored: string): string {
  const scaled = parseScaledDecimal(stored, RATE_SCALE);
  return scaled === undefined ? stored : formatScaledDecimal(scaled, RATE_SCALE);
}

/** Every rate of the workspace: by currency, then newest effective date first. */
export async function listRates(db: Db, teamId: string): Promise<ExchangeRate[]> {
  const rows = await db
    .select({ currency: exchangeRates.currency, effectiveOn: exchangeRates.effectiveOn, rate: exchangeRates.rate })
    .from(exchangeRates)
    .where(eq(exchangeRates.teamId, teamId))
    .orderBy(asc(exchangeRates.currency), desc(exchangeRates.effectiveOn));
  return rows.map((r) => ({ currency: r.currency, effectiveOn: r.effectiveOn, rate: normalRate(r.rate) }));
}

/** Whether each rate is the one in force on `today` (the latest of its currency on or before today). Pure. */
export function ratesInForce(rates: readonly ExchangeRate[], today: string): Set<ExchangeRate> {
  const out = new Set<ExchangeRate>();
  const seen = new Set<string>();
  // listRates orders each currency newest first: the first on or before today is in force.
  for (const r of [...rates].sort((a, b) => (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : a.effectiveOn < b.effectiveOn ? 1 : -1))) {
    if (seen.has(r.currency) || r.effectiveOn > today) continue;
    seen.add(r.currency);
    out.add(r);
  }
  return out;
}

interface Change {
  teamId: string;
  actorId: string;
  at: Date;
}

export type SetRateResult = { ok: true; previous: string | null; reporting: string } | { ok: false; error: string };

/** Set (or replace) one rate; audited as `rate.set` with the rate before (null when new) and after. */
export async function setRate(db: Db, input: Change & { currency: string; rate: string; effectiveOn: string }): Promise<SetRateResult> {
  return db.transaction(async (tx) => {
    const [workspace] = await tx.select({ currency: workspaces.currency }).from(workspaces).where(eq(workspaces.teamId, input.teamId)).for('update');
    const reporting = workspace?.currency ?? 'USD';
    // Checked again under the workspace's lock: the reporting currency may have changed since the form was read.
    const currency = validateRateCurrency(input.currency, reporting);
    if (!currency.ok) return { ok: false, error: currency.error };
    const key = and(eq(exchangeRates.teamId, input.teamId), eq(exchangeRates.currency, currency.value), eq(exchangeRates.effectiveOn, input.effectiveOn));
    const [before] = await tx.select({ rate: exchangeRates.rate }).from(exchangeRates).where(key);
    const previous = before ? normalRate(before.rate) : null;
    await tx
      .insert(exchangeRates)
      .values({ teamId: input.teamId, currency: currency.value, effectiveOn: input.effectiveOn, rate: input.rate, createdBy: input.actorId, createdAt: input.at })
      .onConflictDoUpdate({
        target: [exchangeRates.teamId, exchangeRates.currency, exchangeRates.effectiveOn],
        set: { rate: input.rate, createdBy: input.actorId, createdAt: input.at },
      });
    await recordAudit(tx, {
      teamId: input.teamId,
      actorId: input.actorId,
      action: 'rate.set',
      subject: currency.value,
      before: previous === null ? null : { rate: previous, effectiveOn: input.effectiveOn, reporting },
      after: { rate: input.rate, effectiveOn: input.effectiveOn, reporting },
      at: input.at,
    });
    return { ok: true, previous, reporting };
  });
}

/** Remove one rate (with `effectiveOn`) or every rate of a currency; audited as `rate.remove`. The rates removed. */
export async function removeRates(db: Db, input: Change & { currency: string; effectiveOn?: string }): Promise<ExchangeRate[]> {
  return db.transaction(async (tx) => {
    const removed = await tx
      .delete(exchangeRates)
      .where(
        and(
          eq(exchangeRates.teamId, input.teamId),
          eq(exchangeRates.currency, input.currency),
          input.effectiveOn ? eq(exchangeRates.effectiveOn, input.effectiveOn) : undefined,
        ),
      )
      .returning({ currency: exchangeRates.currency, effectiveOn: exchangeRates.effectiveOn, rate: exchangeRates.rate });
    const rates = removed
      .map((r) => ({ currency: r.currency, effectiveOn: r.effectiveOn, rate: normalRate(r.rate) }))
      .sort((a, b) => (a.effectiveOn < b.effectiveOn ? 1 : -1));
    if (rates.length > 0) {
      await recordAudit(tx, {
        teamId: input.teamId,
        actorId: input.actorId,
        action: 'rate.remove',
        subject: input.currency,
        before: rates.map(({ rate, effectiveOn }) => ({ rate, effectiveOn })),
        after: null,
        at: input.at,
      });
    }
    return rates;
  });
}

export type CurrencyChangeResult = { changed: false; currency: string } | { changed: true; from: string; to: string; cleared: ExchangeRate[] };

/**
 * Make `currency` the reporting currency. The rates were relative to the old one, so they are all cleared (the
 * caller said so first). Audited as `settings.currency` with the currency and the rates before and after.
 */
export async function changeReportingCurrency(db: Db, input: Change & { currency: string }): Promise<CurrencyChangeResult> {
  return db.transaction(async (tx) => {
    const [workspace] = await tx.select({ currency: workspaces.currency }).from(workspaces).where(eq(workspaces.teamId, input.teamId)).for('update');
    const from = workspace?.currency ?? 'USD';
    if (from === input.currency) return { changed: false, currency: from };
    const removed = await tx
      .delete(exchangeRates)
      .where(eq(exchangeRates.teamId, input.teamId))
      .returning({ currency: exchangeRates.currency, effectiveOn: exchangeRates.effectiveOn, rate: exchangeRates.rate });
    const cleared = removed
      .map((r) => ({ currency: r.currency, effectiveOn: r.effectiveOn, rate: normalRate(r.rate) }))
      .sort((a, b) => (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : a.effectiveOn < b.effectiveOn ? 1 : -1));
    await tx.update(workspaces).set({ currency: input.currency, updatedAt: input.at }).where(eq(workspaces.teamId, input.teamId));
    await recordAudit(tx, {
      teamId: input.teamId,
      actorId: input.actorId,
      action: 'settings.currency',
      subject: 'currency',
      before: { currency: from, rates: cleared },
      after: { currency: input.currency, rates: [] },
      at: input.at,
    });
    return { changed: true, from, to: input.currency, cleared };
  });
}

// ---------------------------------------------------------------------------------------------
// Words shared by the command and the modal (pure)

/** "1 GBP = 1.27 USD from 2026-11-01". */
export function rateWords(r: ExchangeRate, reporting: string): string {
  return `1 ${r.currency} = ${r.rate} ${reporting} from ${r.effectiveOn}`;
}

/** What changing the reporting currency will clear, said before it happens; undefined when there are no rates. */
export function clearWarning(rates: readonly ExchangeRate[], from: string): string | undefined {
  if (rates.length === 0) return undefined;
  const currencies = [...new Set(rates.map((r) => r.currency))].join(', ');
  return `Changing the reporting currency clears the ${rates.length === 1 ? 'exchange rate' : `${rates.length} exchange rates`} (${currencies}): they are relative to ${from}.`;
}

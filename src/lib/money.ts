/**
 * Exact money: integer minor units (bigint) plus an ISO-4217 code. No floating point anywhere.
 * Minor units differ by currency: USD 2 digits, JPY 0, KWD 3 (taken from the runtime's ICU data).
 */

export interface Money {
  minor: bigint;
  currency: string;
}

const KNOWN = new Set(Intl.supportedValuesOf('currency'));

export function isKnownCurrency(code: string): boolean {
  return KNOWN.has(code.toUpperCase());
}

const exponents = new Map<string, number>();

/** How many decimal digits the currency's minor unit has (2 for USD, 0 for JPY, 3 for KWD). */
export function currencyExponent(code: string): number {
  const upper = code.toUpperCase();
  let exp = exponents.get(upper);
  if (exp === undefined) {
    exp = new Intl.NumberFormat('en-US', { style: 'currency', currency: upper }).resolvedOptions().maximumFractionDigits ?? 2;
    exponents.set(upper, exp);
  }
  return exp;
}

export type DecimalError = 'malformed' | 'too_precise';

/**
 * A plain decimal string ("12500", "12500.5", "0.10") to minor units of `currency`, exactly.
 * More fractional digits than the currency has is an error, never a rounding.
 */
export function decimalToMinor(decimal: string, currency: string): bigint | DecimalError {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(decimal.trim());
  if (!m) return 'malformed';
  const [, sign, whole, frac = ''] = m;
  const exp = currencyExponent(currency);
  const significant = frac.replace(/0+$/, '');
  if (significant.length > exp) return 'too_precise';
  const minor = BigInt(whole!) * 10n ** BigInt(exp) + BigInt((significant.padEnd(exp, '0') || '0'));
  return sign === '-' ? -minor : minor;
}

/** Minor units back to a plain decimal string with the currency's digits ("12500.00", "120000" for JPY). */
export function minorToDecimal(minor: bigint, currency: string): string {
  const exp = currencyExponent(currency);
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  const digits = abs.toString().padStart(exp + 1, '0');
  const whole = exp === 0 ? digits : digits.slice(0, -exp);
  const frac = exp === 0 ? '' : `.${digits.slice(-exp)}`;
  return `${negative ? '-' : ''}${whole}${frac}`;
}

const formatters = new Map<string, Intl.NumberFormat>();

/** "$12,500.00", "€9,000.00", "¥120,000", "KWD 1.250": formatted exactly (Intl formats decimal strings without floats). */
export function formatMoney(money: Money): string {
  const currency = money.currency.toUpperCase();
  let f = formatters.get(currency);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    formatters.set(currency, f);
  }
  // format() takes a decimal string as an exact value (Intl.NumberFormat v3).
  return f.format(minorToDecimal(money.minor, currency) as unknown as number);
}

/** Sum amounts of one currency. Mixing currencies is a programming error. */
export function sumMoney(amounts: Money[], currency: string): Money {
  let minor = 0n;
  for (const a of amounts) {
    if (a.currency !== currency) throw new Error(`cannot add ${a.currency} to ${currency}`);
    minor += a.minor;
  }
  return { minor, currency };
}

/**
 * `minor / divisor`, rounded half-up to a whole minor unit (the currency's smallest: a cent, a yen, a fils), exactly.
 * Half-up means half away from zero, so a negative amount rounds like its positive mirror: $10,000 / 15 is $666.67,
 * -$10,000 / 15 is -$666.67. Dividing by zero is a programming error (a ratio with no denominator is null upstream).
 */
export function divideMinor(minor: bigint, divisor: bigint | number): bigint {
  if (typeof divisor === 'number' && !Number.isSafeInteger(divisor)) throw new RangeError(`cannot divide money by ${divisor}`);
  const d = BigInt(divisor);
  if (d === 0n) throw new RangeError('cannot divide money by zero');
  const negative = minor < 0n !== d < 0n;
  const n = minor < 0n ? -minor : minor;
  const m = d < 0n ? -d : d;
  const q = (2n * n + m) / (2n * m);
  return negative ? -q : q;
}

/** An amount divided by a count (average deal, revenue per activity), rounded half-up to the currency's minor unit. */
export function divideMoney(money: Money, divisor: bigint | number): Money {
  return { minor: divideMinor(money.minor, divisor), currency: money.currency };
}

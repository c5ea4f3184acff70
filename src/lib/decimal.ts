/**
 * Exact decimals as scaled integers: "1.27" at scale 12 is 1_270_000_000_000n. Parsed from strings, never through
 * a float, so an exchange rate or a weight is exactly what was typed (or what PostgreSQL's numeric gave back).
 */

/** The scale exchange rates are kept at: numeric(24, 12). */
export const RATE_SCALE = 12;

/**
 * A plain non-negative decimal string ("1.27", "0.0067", "12", "1.270000000000") as an integer scaled by
 * 10^scale, exactly; undefined when it is not such a decimal or has more significant decimals than `scale`.
 * Trailing zeros after the point do not count (PostgreSQL pads numeric to its scale).
 */
export function parseScaledDecimal(text: string, scale: number): bigint | undefined {
  const m = /^(\d+)(?:\.(\d*))?$/.exec(text.trim());
  if (!m) return undefined;
  const [, whole, frac = ''] = m;
  const significant = frac.replace(/0+$/, '');
  if (significant.length > scale) return undefined;
  return BigInt(whole!) * 10n ** BigInt(scale) + BigInt(significant.padEnd(scale, '0') || '0');
}

/** A scaled integer back to its shortest decimal string: 1_270_000_000_000n at scale 12 is "1.27"; 5n at 0 is "5". */
export function formatScaledDecimal(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const whole = scale === 0 ? digits : digits.slice(0, -scale);
  const frac = scale === 0 ? '' : digits.slice(-scale).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

/** `numerator / denominator` rounded half-up (half away from zero), exactly. The denominator is positive. */
export function divideHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError('divideHalfUp needs a positive denominator');
  const negative = numerator < 0n;
  const n = negative ? -numerator : numerator;
  const q = (2n * n + denominator) / (2n * denominator);
  return negative ? -q : q;
}

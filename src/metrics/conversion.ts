/**
 * Exact currency conversion and the weighted activity score, in scaled integers: no float anywhere.
 *
 * A won amount of `minor` units of currency X at rate r (1 X = r reporting units) is
 *   minor × r × 10^(reporting digits − X's digits)  reporting minor units,
 * kept unrounded as an integer in units of 10^-CONVERTED_SCALE of a reporting minor unit, summed over every group,
 * and rounded half-up once, at the end (roundConverted).
 */
import { divideHalfUp, formatScaledDecimal, parseScaledDecimal, RATE_SCALE } from '../lib/decimal.js';
import { currencyExponent } from '../lib/money.js';
import type { ActivityTypeKey } from './types.js';

/** Headroom for a currency with more minor digits than the reporting one (ISO 4217 has at most 4). */
const MAX_DIGIT_GAP = 4;
/** Converted sums are integers in units of 10^-CONVERTED_SCALE of a reporting minor unit. */
export const CONVERTED_SCALE = RATE_SCALE + MAX_DIGIT_GAP;

/** A rate as the database gives it ("1.270000000000") scaled by 10^RATE_SCALE; throws on anything else. */
export function rateScaled(rate: string): bigint {
  const scaled = parseScaledDecimal(rate, RATE_SCALE);
  if (scaled === undefined) throw new Error(`not an exchange rate: ${rate}`);
  return scaled;
}

/** `minor` units of `from` at `rate`, in reporting minor units × 10^CONVERTED_SCALE, exactly (not rounded). */
export function convertScaled(minor: bigint, from: string, reporting: string, rate: string): bigint {
  const shift = currencyExponent(reporting) - currencyExponent(from) + MAX_DIGIT_GAP;
  if (shift < 0) throw new Error(`cannot convert ${from} into ${reporting}: too many minor digits`);
  return minor * rateScaled(rate) * 10n ** BigInt(shift);
}

/** A converted sum back to whole reporting minor units, rounded half-up: the one rounding. */
export function roundConverted(scaled: bigint): bigint {
  return divideHalfUp(scaled, 10n ** BigInt(CONVERTED_SCALE));
}

/** Weights are read at this scale (activity_type_settings.weight is numeric(8, 2); more is tolerated). */
const WEIGHT_SCALE = 12;
const ONE = 10n ** BigInt(WEIGHT_SCALE);

/** A type's weight scaled by 10^WEIGHT_SCALE: 1 when absent or unreadable. */
function weightOf(type: ActivityTypeKey | undefined): bigint {
  if (type?.weight === undefined) return ONE;
  return parseScaledDecimal(type.weight, WEIGHT_SCALE) ?? ONE;
}

/** Whether some type weighs other than 1: only then is a weighted score shown. */
export function hasWeights(types: readonly ActivityTypeKey[]): boolean {
  return types.some((t) => weightOf(t) !== ONE);
}

/**
 * Σ quantity × weight over the types, exact, as the shortest decimal ("57.5", "42"). Keys without a type (one since
 * removed) weigh 1. Undefined when no type weighs other than 1.
 */
export function weightedScore(activitiesByType: Readonly<Record<string, number>>, types: readonly ActivityTypeKey[]): string | undefined {
  if (!hasWeights(types)) return undefined;
  const byKey = new Map(types.map((t) => [t.key, t]));
  let total = 0n;
  for (const [key, quantity] of Object.entries(activitiesByType)) total += BigInt(quantity) * weightOf(byKey.get(key));
  return formatScaledDecimal(total, WEIGHT_SCALE);
}

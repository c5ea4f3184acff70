import { divideMinor, type Money } from '../lib/money.js';
import { convertScaled, roundConverted, weightedScore } from './conversion.js';
import type { ActivityTypeKey, Totals } from './types.js';

/** Aggregated inputs of one Totals: activity quantities by type, and deals by status and currency. */
export interface TotalsInput {
  activitiesByType: Map<string, number>;
  /** Won deals per currency (null currency never happens for won deals, but is tolerated). */
  won: Map<string | null, { count: number; minor: bigint }>;
  lost: number;
  /** Set (by addDeals with a conversion) when the workspace has exchange rates. */
  conversion?: {
    /** Σ of the converted amounts, unrounded (see conversion.ts), and how many won deals they are. */
    scaled: bigint;
    count: number;
    /** Per currency: the original amounts converted, and those with no rate in force. */
    converted: Map<string, bigint>;
    unconverted: Map<string, bigint>;
  };
}

/** Nothing yet; `converting` when the workspace has exchange rates (the totals then carry a conversion). */
export function emptyTotalsInput(converting = false): TotalsInput {
  const input: TotalsInput = { activitiesByType: new Map(), won: new Map(), lost: 0 };
  if (converting) input.conversion = { scaled: 0n, count: 0, converted: new Map(), unconverted: new Map() };
  return input;
}

/** How a group of won deals converts: the reporting currency, and the rate in force on their close date (null: none). */
export interface GroupConversion {
  reporting: string;
  rate: string | null;
}

export function addActivities(into: TotalsInput, typeKey: string, quantity: number): void {
  into.activitiesByType.set(typeKey, (into.activitiesByType.get(typeKey) ?? 0) + quantity);
}

/**
 * Add a group of deals. With `conversion` (into totals made with emptyTotalsInput(true)), a won group in another
 * currency is converted at its rate (kept unrounded), or, with no rate in force, set aside as not converted.
 */
export function addDeals(
  into: TotalsInput,
  status: 'won' | 'lost',
  currency: string | null,
  count: number,
  minor: bigint,
  conversion?: GroupConversion,
): void {
  if (count === 0) return;
  if (status === 'lost') {
    into.lost += count;
    return;
  }
  const entry = into.won.get(currency) ?? { count: 0, minor: 0n };
  entry.count += count;
  entry.minor += minor;
  into.won.set(currency, entry);
  const c = into.conversion;
  if (!conversion || !c || currency === null || currency === conversion.reporting) return;
  if (conversion.rate === null) {
    c.unconverted.set(currency, (c.unconverted.get(currency) ?? 0n) + minor);
    return;
  }
  c.scaled += convertScaled(minor, currency, conversion.reporting, conversion.rate);
  c.count += count;
  c.converted.set(currency, (c.converted.get(currency) ?? 0n) + minor);
}

/** Headline first, the others alphabetically (by code). */
export function compareCurrencies(headline: string): (a: Money, b: Money) => number {
  return (a, b) => (a.currency === headline ? -1 : b.currency === headline ? 1 : a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0);
}

/**
 * The numbers of a rep or a team from its aggregated groups. Every type of `types` appears in activitiesByType
 * (0 when none), plus any other key found (a custom type since removed). Revenue lists the currencies with won
 * deals: the headline first, the others alphabetically; amounts of different currencies are never added, except
 * into the converted headline when the workspace has exchange rates (then the headline, the ratios and everything
 * ranked on it are in the reporting currency, and amounts with no rate are listed, never added).
 * Money ratios (revenue per activity, average deal) round half-up to the currency's minor unit.
 */
export function totalsFrom(input: TotalsInput, headline: string, types: readonly ActivityTypeKey[] = []): Totals {
  const activitiesByType: Record<string, number> = {};
  for (const t of types) activitiesByType[t.key] = 0;
  let activityCount = 0;
  for (const [key, n] of input.activitiesByType) {
    activitiesByType[key] = (activitiesByType[key] ?? 0) + n;
    activityCount += n;
  }
  let won = 0;
  const revenue: Money[] = [];
  for (const [currency, { count, minor }] of input.won) {
    won += count;
    if (currency !== null) revenue.push({ currency, minor });
  }
  revenue.sort(compareCurrencies(headline));
  const headlineEntry = input.won.get(headline);
  const c = input.conversion;
  const headlineRevenueMinor = (headlineEntry?.minor ?? 0n) + (c ? roundConverted(c.scaled) : 0n);
  const headlineWon = (headlineEntry?.count ?? 0) + (c?.count ?? 0);
  const closed = won + input.lost;
  const amounts = (m: Map<string, bigint>): Money[] =>
    [...m]
      .filter(([, minor]) => minor !== 0n)
      .map(([currency, minor]) => ({ currency, minor }))
      .sort(compareCurrencies(headline));
  const activityScore = weightedScore(activitiesByType, types);
  return {
    ...(c ? { conversion: { currency: headline, converted: amounts(c.converted), unconverted: amounts(c.unconverted) } } : {}),
    ...(activityScore !== undefined ? { activityScore } : {}),
    activities: activityCount,
    activitiesByType,
    won,
    lost: input.lost,
    revenue,
    headlineRevenueMinor,
    headlineWon,
    revenuePerActivityMinor: activityCount > 0 ? divideMinor(headlineRevenueMinor, activityCount) : null,
    winRate: closed > 0 ? won / closed : null,
    averageDealMinor: headlineWon > 0 ? divideMinor(headlineRevenueMinor, headlineWon) : null,
  };
}

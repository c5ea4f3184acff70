import { divideMinor, type Money } from '../lib/money.js';
import type { ActivityTypeKey, Totals } from './types.js';

/** Aggregated inputs of one Totals: activity quantities by type, and deals by status and currency. */
export interface TotalsInput {
  activitiesByType: Map<string, number>;
  /** Won deals per currency (null currency never happens for won deals, but is tolerated). */
  won: Map<string | null, { count: number; minor: bigint }>;
  lost: number;
}

export function emptyTotalsInput(): TotalsInput {
  return { activitiesByType: new Map(), won: new Map(), lost: 0 };
}

export function addActivities(into: TotalsInput, typeKey: string, quantity: number): void {
  into.activitiesByType.set(typeKey, (into.activitiesByType.get(typeKey) ?? 0) + quantity);
}

export function addDeals(into: TotalsInput, status: 'won' | 'lost', currency: string | null, count: number, minor: bigint): void {
  if (count === 0) return;
  if (status === 'lost') {
    into.lost += count;
    return;
  }
  const entry = into.won.get(currency) ?? { count: 0, minor: 0n };
  entry.count += count;
  entry.minor += minor;
  into.won.set(currency, entry);
}

/** Headline first, the others alphabetically (by code). */
export function compareCurrencies(headline: string): (a: Money, b: Money) => number {
  return (a, b) => (a.currency === headline ? -1 : b.currency === headline ? 1 : a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0);
}

/**
 * The numbers of a rep or a team from its aggregated groups. Every type of `types` appears in activitiesByType
 * (0 when none), plus any other key found (a custom type since removed). Revenue lists the currencies with won
 * deals: the headline first, the others alphabetically; amounts of different currencies are never added.
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
  const headlineRevenueMinor = headlineEntry?.minor ?? 0n;
  const headlineWon = headlineEntry?.count ?? 0;
  const closed = won + input.lost;
  return {
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

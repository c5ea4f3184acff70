import type { Money } from '../lib/money.js';

/** A half-open time range: query [start, end). */
export interface Span {
  start: Date;
  end: Date;
}

/** A period and the one of the same length right before it (a BoardPeriod is one). */
export interface SpanPair {
  current: Span;
  previous: Span;
}

/**
 * What metrics needs of an activity type: its key, and for outcome grouping the outcomes it defines, in order.
 * The logging feature's ActivityTypeDef is one.
 */
export interface ActivityTypeKey {
  key: string;
  outcomes?: readonly string[];
  /** Its weight in the weighted activity score, an exact decimal string ("2.5"); absent = 1. */
  weight?: string;
}

/**
 * How revenue was converted into the reporting (headline) currency: present only when the workspace has exchange
 * rates. Without rates, other currencies stand beside the headline as they are, never added.
 */
export interface RevenueConversion {
  /** The reporting currency the headline is in. */
  currency: string;
  /** Won amounts in other currencies that were converted into the headline, per currency (original amounts). */
  converted: Money[];
  /** Won amounts with no rate in force on their close date, per currency: never added, never dropped. */
  unconverted: Money[];
}

/** Shared numbers for a rep or the whole team. Money in the workspace's (headline) currency is exact minor units. */
export interface Totals {
  activities: number;
  activitiesByType: Record<string, number>;
  won: number;
  lost: number;
  /** Won revenue per currency, the headline currency first; never added across currencies. */
  revenue: Money[];
  /**
   * Won revenue in the headline currency (0n when none). When the workspace has exchange rates (`conversion` set),
   * the converted total: the headline currency's amounts plus every other amount at the rate in force on its close
   * date, rounded half-up once at the end; amounts with no rate are left out of it and listed in `conversion`.
   */
  headlineRevenueMinor: bigint;
  /** Won deals counted in the headline (the denominator of the average deal size). */
  headlineWon: number;
  /** Set when the workspace has exchange rates: what the headline converted, and what it could not. */
  conversion?: RevenueConversion;
  /** The weighted activity score as an exact decimal ("57.5"): set only when some activity type weighs other than 1. */
  activityScore?: string;
  /** headline revenue ÷ activities, minor units rounded half-up (null with no activities). */
  revenuePerActivityMinor: bigint | null;
  /** won ÷ (won + lost) by count, 0..1 (null with no closed deals). */
  winRate: number | null;
  /** headline revenue ÷ headline won deals, minor units rounded half-up (null with none). */
  averageDealMinor: bigint | null;
}

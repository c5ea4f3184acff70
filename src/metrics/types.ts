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
}

/** Shared numbers for a rep or the whole team. Money in the workspace's (headline) currency is exact minor units. */
export interface Totals {
  activities: number;
  activitiesByType: Record<string, number>;
  won: number;
  lost: number;
  /** Won revenue per currency, the headline currency first; never added across currencies. */
  revenue: Money[];
  /** Won revenue in the headline currency (0n when none). */
  headlineRevenueMinor: bigint;
  /** Won deals in the headline currency (the denominator of the average deal size). */
  headlineWon: number;
  /** headline revenue ÷ activities, minor units rounded half-up (null with no activities). */
  revenuePerActivityMinor: bigint | null;
  /** won ÷ (won + lost) by count, 0..1 (null with no closed deals). */
  winRate: number | null;
  /** headline revenue ÷ headline won deals, minor units rounded half-up (null with none). */
  averageDealMinor: bigint | null;
}

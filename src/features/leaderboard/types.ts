import type { Money } from '../../lib/money.js';
import type { ActivityTypeDef } from '../../entries/activity-types.js';
import type { BoardPeriod } from '../../periods/types.js';

/** Period shapes live in src/periods; re-exported for the features that read them with a board. */
export type { BoardPeriod, PeriodRange } from '../../periods/types.js';

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
  /** headline revenue ÷ activities, minor units (null with no activities). */
  revenuePerActivityMinor: bigint | null;
  /** won ÷ (won + lost) by count, 0..1 (null with no closed deals). */
  winRate: number | null;
  /** headline revenue ÷ headline won deals (null with none). */
  averageDealMinor: bigint | null;
}

export interface RepStats extends Totals {
  userId: string;
  /** The person's Slack display name, raw (renderers escape it). */
  name: string;
  /** 1 = most revenue; ties share a rank (1, 2, 2, 4). */
  revenueRank: number;
  /** 1 = most activities; ties share a rank. */
  activityRank: number;
  /** The same rep's numbers in the previous period. */
  previous: { activities: number; headlineRevenueMinor: bigint };
  /**
   * Progress against the rep's targets over the board's period, in % (rounded down): set by attachTargetPercents
   * (features/targets) when the workspace has targets; null when none applies to this rep; absent without targets.
   */
  targetPercent?: number | null;
}

export type Quadrant = 'leading' | 'busy_not_closing' | 'efficient_closer' | 'quiet';

export interface Board {
  teamId: string;
  /** The headline currency (the workspace's). */
  currency: string;
  period: BoardPeriod;
  types: ActivityTypeDef[];
  team: Totals;
  previousTeam: Totals;
  /** Sorted by headline revenue, then activities (both descending), then name. */
  reps: RepStats[];
  medians: { activities: number; headlineRevenueMinor: bigint };
}

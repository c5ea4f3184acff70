import type { Totals } from '../../metrics/index.js';
import type { ActivityTypeDef } from '../../entries/activity-types.js';
import type { BoardPeriod } from '../../periods/types.js';

/** Period shapes live in src/periods; re-exported for the features that read them with a board. */
export type { BoardPeriod, PeriodRange } from '../../periods/types.js';

/** The team's and a rep's numbers: the metrics module's shape. */
export type { Totals } from '../../metrics/index.js';

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
  /** A sales team's board (ranked within the team, its medians); absent: the whole workspace. */
  salesTeam?: { id: string; name: string };
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

import type { DealMix, Funnel, Totals } from '../../metrics/index.js';
import type { SatisfactionScale } from '../../entries/deal-kinds.js';
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
  /** The rep's conversion funnel this period (stage counts and rates): set when the board has a conversion section. */
  funnel?: Funnel;
  /**
   * The effort behind the rep's wins this period (metrics/effort.ts): median activities and median days per won deal,
   * over the `deals` won deals that have one (an account with matching activity). Set by attachEffort; absent: none.
   */
  effort?: { activities: number; days: number; deals: number };
  /** The rep's deals this period by kind, new customers and satisfaction (metrics/deal-mix.ts); absent: none closed. */
  dealMix?: DealMix;
}

/**
 * The conversion section (metrics/funnel): the team's funnel pooled (its reps' counts summed, then divided), in this
 * period and the previous one, and the median rep's (per step, the median of the active reps' rates).
 */
export interface BoardConversion {
  team: Funnel;
  previousTeam: Funnel;
  median: Funnel;
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
  /** The conversion funnel section; absent when the board was computed without stages. */
  conversion?: BoardConversion;
  /** The team's deals this period by kind, new customers, retention and satisfaction; absent: not computed. */
  dealMix?: DealMix;
  /** The scale satisfaction averages are on (the workspace's); absent when no deal was read. */
  satisfactionScale?: SatisfactionScale;
}

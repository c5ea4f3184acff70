/** The shapes of periods, shared by every view that covers one (boards, digests, stats, targets). */

/** A half-open time range [start, end) with the words people read for it. */
export interface PeriodRange {
  start: Date;
  end: Date;
  /** e.g. "This week (Nov 23 – Nov 29)", "October 2026", "Q3 FY2026", "Oct 1 – Oct 31, 2026". */
  label: string;
}

/** The period a board covers and the one of the same length right before it (for ▲/▼ changes). */
export interface BoardPeriod {
  current: PeriodRange;
  previous: PeriodRange;
  timeZone: string;
}

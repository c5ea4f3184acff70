import { addDays, dateIn, formatIsoDate, startOfDayIn, startOfWeekOn, type Weekday } from './calendar.js';

export interface Range {
  /** Inclusive. */
  start: Date;
  /** Exclusive: query [start, end). */
  end: Date;
}

export type WeekStart = Weekday;

/** Whether `instant` falls in [start, end). */
export function inRange(instant: Date, range: Range): boolean {
  return instant.getTime() >= range.start.getTime() && instant.getTime() < range.end.getTime();
}

/**
 * The week containing `now`, with boundaries at local midnight in `timeZone`. The week is found on local
 * dates and each boundary placed in the zone once, so it is right where a DST change falls at midnight
 * (the day then starts at 01:00, and adding 7×24 h to that instant would drift).
 */
export function weekContaining(now: Date, timeZone: string, weekStartsOn: WeekStart = 1): Range {
  const first = startOfWeekOn(dateIn(now, timeZone), weekStartsOn);
  return { start: startOfDayIn(first, timeZone), end: startOfDayIn(addDays(first, 7), timeZone) };
}

/** The calendar day (YYYY-MM-DD) that `instant` falls on in `timeZone`. */
export function localDay(instant: Date, timeZone: string): string {
  return formatIsoDate(dateIn(instant, timeZone));
}

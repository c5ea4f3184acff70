import { dateIn, normalizeDate, startOfDayIn } from './calendar.js';
import type { Range } from './week.js';

/** The calendar month containing `now`, with boundaries at local midnight in `timeZone`. */
export function monthContaining(now: Date, timeZone: string): Range {
  const today = dateIn(now, timeZone);
  const first = normalizeDate(today.year, today.month, 1);
  const next = normalizeDate(today.year, today.month + 1, 1);
  return { start: startOfDayIn(first, timeZone), end: startOfDayIn(next, timeZone) };
}

import { addMonths, startOfMonth } from 'date-fns';
import { TZDate } from '@date-fns/tz';
import type { Range } from './week.js';

/** The calendar month containing `now`, with boundaries at local midnight in `timeZone`. */
export function monthContaining(now: Date, timeZone: string): Range {
  const start = startOfMonth(new TZDate(now, timeZone));
  return { start: new Date(start.getTime()), end: new Date(addMonths(start, 1).getTime()) };
}

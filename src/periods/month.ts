import { currentRange, type Range } from './week.js';

/** The calendar month containing `now`, with boundaries at local midnight in `timeZone`. */
export function monthContaining(now: Date, timeZone: string): Range {
  return currentRange('this month', now, timeZone);
}

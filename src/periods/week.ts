import { startOfDay } from 'date-fns';
import { TZDate } from '@date-fns/tz';
import { parsePeriod } from './parse-period.js';

export interface Range {
  /** Inclusive. */
  start: Date;
  /** Exclusive: query [start, end). */
  end: Date;
}

export type WeekStart = 0 | 1 | 2 | 3 | 4 | 5 | 6;

/**
 * The week containing `now`, with boundaries at local midnight in `timeZone`.
 * One implementation of calendar periods (parse-period.ts), which is correct even where a DST change
 * falls at midnight (the day then starts at 01:00, and adding 7×24 h to that instant would drift).
 */
export function weekContaining(now: Date, timeZone: string, weekStartsOn: WeekStart = 1): Range {
  return currentRange('this week', now, timeZone, weekStartsOn);
}

export function currentRange(form: 'this week' | 'this month', now: Date, timeZone: string, weekStartsOn: WeekStart = 1): Range {
  const parsed = parsePeriod(form, now, { timeZone, weekStartsOn, fiscalYearStartMonth: 1 });
  if (!parsed.ok) throw new Error(parsed.error);
  return { start: parsed.period.current.start, end: parsed.period.current.end };
}

/** The calendar day (YYYY-MM-DD) that `instant` falls on in `timeZone`. */
export function localDay(instant: Date, timeZone: string): string {
  const d = startOfDay(new TZDate(instant, timeZone));
  const y = d.getFullYear();
  const m = String(d.getMonth() + 1).padStart(2, '0');
  const day = String(d.getDate()).padStart(2, '0');
  return `${y}-${m}-${day}`;
}

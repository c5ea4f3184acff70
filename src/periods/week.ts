import { addWeeks, startOfDay, startOfWeek } from 'date-fns';
import { TZDate } from '@date-fns/tz';

export interface Range {
  /** Inclusive. */
  start: Date;
  /** Exclusive: query [start, end). */
  end: Date;
}

export type WeekStart = 0 | 1 | 2 | 3 | 4 | 5 | 6;

/** The week containing `now`, with boundaries at local midnight in `timeZone`. */
export function weekContaining(now: Date, timeZone: string, weekStartsOn: WeekStart = 1): Range {
  const start = startOfWeek(new TZDate(now, timeZone), { weekStartsOn });
  return { start: new Date(start.getTime()), end: new Date(addWeeks(start, 1).getTime()) };
}

/** The calendar day (YYYY-MM-DD) that `instant` falls on in `timeZone`. */
export function localDay(instant: Date, timeZone: string): string {
  const d = startOfDay(new TZDate(instant, timeZone));
  const y = d.getFullYear();
  const m = String(d.getMonth() + 1).padStart(2, '0');
  const day = String(d.getDate()).padStart(2, '0');
  return `${y}-${m}-${day}`;
}

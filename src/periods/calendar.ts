/**
 * The one calendar: local dates, where a local day or time of day falls in an IANA zone, ISO-8601 text,
 * and the date words people type. Pure: no I/O and no clock (`now` comes in).
 *
 * Two kinds of value, never mixed:
 * - A `LocalDate` is a day on the wall calendar with no zone: `{ year, month, day }`, **month 1–12**
 *   (January is 1, as people and ISO text write it). Arithmetic on it (add days, weekdays, month ends) is
 *   exact integer arithmetic on day numbers and never meets DST. JavaScript's 0–11 months appear only
 *   inside this file, where a `Date` or `TZDate` is built or read.
 * - An instant is a plain `Date`. A local date becomes an instant only through a zone, once, at the edge:
 *   `startOfDayIn`, `noonIn`, `slotInstant`, `wallClockIn`; an instant becomes a local date through `dateIn`.
 *   Adding days to an instant that was already placed in a zone would carry a DST shift along (where
 *   midnight is skipped, America/Santiago's day starts at 01:00), so arithmetic happens on local dates first.
 *
 * Zone work is done by `@date-fns/tz` (`TZDate` reads and builds wall-clock fields in a zone whatever the
 * process zone is; `tzOffset` gives a zone's UTC offset at an instant).
 *
 * Years run from 100 to 9999: below 100, `Date` and `TZDate` read a year as 1900 + year, so such dates are
 * refused as not real rather than misplaced by 1900 years.
 */
import { TZDate, tzOffset } from '@date-fns/tz';

/** A calendar day with no zone; month is 1–12. Always a real day (see `realDate`, `normalizeDate`). */
export interface LocalDate {
  year: number;
  /** 1–12. */
  month: number;
  day: number;
}

/** A wall-clock time of day. */
export interface LocalTime {
  hour: number;
  minute: number;
  second?: number;
  millisecond?: number;
}

/** 0 = Sunday … 6 = Saturday, as `Date.getDay()` and date-fns' `weekStartsOn`. */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

const MS_PER_DAY = 86_400_000;
const MIN_YEAR = 100;
const MAX_YEAR = 9999;

// ---------------------------------------------------------------------------
// Local dates (no zone)

/** Milliseconds of `date` at `time` read as UTC; setUTCFullYear, unlike Date.UTC, takes every year as written. */
function utcMs(date: LocalDate, time: LocalTime = { hour: 0, minute: 0 }): number {
  const d = new Date(0);
  d.setUTCFullYear(date.year, date.month - 1, date.day);
  d.setUTCHours(time.hour, time.minute, time.second ?? 0, time.millisecond ?? 0);
  return d.getTime();
}

/** Days since 1970-01-01 (negative before): for counting and comparing days, never a moment. */
export function dayNumber(date: LocalDate): number {
  return Math.round(utcMs(date) / MS_PER_DAY);
}

/** The local date of day number `n` (inverse of `dayNumber`). */
export function fromDayNumber(n: number): LocalDate {
  const d = new Date(n * MS_PER_DAY);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** The date `year-month-day` with overflow rolled over: month 13 is next January, day 0 the previous month's last day. */
export function normalizeDate(year: number, month: number, day: number): LocalDate {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Whether `year-month-day` is a day on the calendar (2026-02-29 is not; 2028-02-29 is). */
export function isRealDate(year: number, month: number, day: number): boolean {
  if (![year, month, day].every(Number.isInteger) || year < MIN_YEAR || year > MAX_YEAR) return false;
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** The date, or null when it is not a real day. */
export function realDate(year: number, month: number, day: number): LocalDate | null {
  return isRealDate(year, month, day) ? { year, month, day } : null;
}

/** Days in `month` (1–12) of `year`: 28 to 31, leap years included. */
export function daysInMonth(year: number, month: number): number {
  return normalizeDate(year, month + 1, 0).day;
}

export function addDays(date: LocalDate, n: number): LocalDate {
  return fromDayNumber(dayNumber(date) + n);
}

/** Days from `a` to `b`: positive when `b` is later. */
export function daysBetween(a: LocalDate, b: LocalDate): number {
  return dayNumber(b) - dayNumber(a);
}

/** Negative when `a` is earlier, 0 on the same day, positive when later (a comparator for sort). */
export function compareDates(a: LocalDate, b: LocalDate): number {
  return dayNumber(a) - dayNumber(b);
}

/** The weekday of day number `n`. */
export function weekdayOfDayNumber(n: number): Weekday {
  return ((((n + 4) % 7) + 7) % 7) as Weekday; // 1970-01-01 was a Thursday
}

export function weekdayOf(date: LocalDate): Weekday {
  return weekdayOfDayNumber(dayNumber(date));
}

/** The first day of the week containing `date`, for weeks starting on `weekStartsOn`. */
export function startOfWeekOn(date: LocalDate, weekStartsOn: Weekday | number): LocalDate {
  return addDays(date, -((weekdayOf(date) - weekStartsOn + 7) % 7));
}

/** The most recent `weekday` on or before `date` (`date` itself when it is one). */
export function lastWeekdayOnOrBefore(date: LocalDate, weekday: Weekday | number): LocalDate {
  return startOfWeekOn(date, weekday);
}

/** "2026-03-08". */
export function formatIsoDate(date: LocalDate): string {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
}

// ---------------------------------------------------------------------------
// Local dates and times in a zone

/** The local date it is at `instant` in `timeZone`. */
export function dateIn(instant: Date, timeZone: string): LocalDate {
  const local = new TZDate(instant.getTime(), timeZone);
  return { year: local.getFullYear(), month: local.getMonth() + 1, day: local.getDate() };
}

/** The wall-clock hour and minute at `instant` in `timeZone`. */
export function timeIn(instant: Date, timeZone: string): { hour: number; minute: number } {
  const local = new TZDate(instant.getTime(), timeZone);
  return { hour: local.getHours(), minute: local.getMinutes() };
}

function zoned(date: LocalDate, time: LocalTime, timeZone: string): TZDate {
  return new TZDate(date.year, date.month - 1, date.day, time.hour, time.minute, time.second ?? 0, time.millisecond ?? 0, timeZone);
}

/**
 * The first instant of local day `date` in `timeZone`: local midnight, or the moment the clocks jump where
 * midnight is skipped (America/Santiago on 2026-09-06: 01:00 -03, which is 04:00Z).
 */
export function startOfDayIn(date: LocalDate, timeZone: string): Date {
  return new Date(zoned(date, { hour: 0, minute: 0 }, timeZone).getTime());
}

/** 12:00 on `date` in `timeZone`: a moment on that day in the zone and in every zone within 11 hours of it. */
export function noonIn(date: LocalDate, timeZone: string): Date {
  return new Date(zoned(date, { hour: 12, minute: 0 }, timeZone).getTime());
}

/**
 * The moment recorded for something that happened on local day `date` with no time given: noon in
 * `timeZone`, or `now` when `date` is today there and noon has not come yet (so today is never in the future).
 */
export function dayInstant(date: LocalDate, timeZone: string, now: Date): Date {
  const noon = noonIn(date, timeZone);
  if (noon.getTime() > now.getTime() && compareDates(date, dateIn(now, timeZone)) === 0) return new Date(now.getTime());
  return noon;
}

/**
 * Wall-clock `time` on `date` in `timeZone`, as `TZDate` reads it: a time that happens twice (fall back) is
 * its first occurrence; a time that does not exist (spring forward) is moved forward by the gap (02:30 on
 * 2026-03-08 in New York is 03:30 EDT). For a recorded moment given without an offset.
 */
export function wallClockIn(date: LocalDate, time: LocalTime, timeZone: string): Date {
  return new Date(zoned(date, time, timeZone).getTime());
}

/**
 * The instant of a scheduled slot at `time` on `date` in `timeZone`: the first instant at which the local
 * clock has reached that time on that day. A time that happens twice (fall back) is its first occurrence,
 * so the slot is one instant; a time that does not exist (spring forward, 02:30 on 2026-03-08 in New York)
 * is the moment the clocks jump past it (03:00 EDT, 07:00Z), not `wallClockIn`'s 03:30.
 */
export function slotInstant(date: LocalDate, time: LocalTime, timeZone: string): Date {
  const candidate = zoned(date, time, timeZone);
  const sameFields =
    candidate.getFullYear() === date.year &&
    candidate.getMonth() === date.month - 1 &&
    candidate.getDate() === date.day &&
    candidate.getHours() === time.hour &&
    candidate.getMinutes() === time.minute;
  if (sameFields) return new Date(candidate.getTime());
  // In a gap: TZDate moved the time forward by the gap, so the jump is in the day before the candidate.
  return offsetChangeIn(timeZone, new Date(candidate.getTime() - MS_PER_DAY), new Date(candidate.getTime())) ?? new Date(candidate.getTime());
}

/**
 * The first instant in `(after, until]` at which `timeZone`'s UTC offset differs from its offset at `after`,
 * to the millisecond; null when the offset at `until` is the same (assumed: at most one change in the window).
 * A DST change is found by bisection over `tzOffset`, about 27 steps for a day. (`@date-fns/tz`'s `tzScan`
 * steps by whole hours, so it puts Lord Howe's 02:00 → 02:30 change, 15:30Z, at 16:00Z.)
 */
export function offsetChangeIn(timeZone: string, after: Date, until: Date): Date | null {
  let lo = after.getTime();
  let hi = until.getTime();
  const before = tzOffset(timeZone, new Date(lo));
  if (hi <= lo || tzOffset(timeZone, new Date(hi)) === before) return null;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (tzOffset(timeZone, new Date(mid)) === before) lo = mid;
    else hi = mid;
  }
  return new Date(hi);
}

// ---------------------------------------------------------------------------
// ISO-8601 text

/** A date-time as written; `offsetMinutes` east of UTC, null when the text had none. */
export interface IsoDateTime {
  date: LocalDate;
  time: Required<LocalTime>;
  offsetMinutes: number | null;
}

export type IsoValue = ({ kind: 'date' } & { date: LocalDate }) | ({ kind: 'dateTime' } & IsoDateTime);

export interface IsoOptions {
  /** Also take a space between date and time and before the offset (`2026-10-01 14:30 +02:00`), as spreadsheets write. */
  spaces?: boolean;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const ISO_DATE_TIME_SPACES = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
/** The furthest UTC offset accepted, in minutes (ISO and every real zone stay within ±18:00). */
const MAX_OFFSET_MINUTES = 18 * 60;

/** `YYYY-MM-DD` exactly (two-digit month and day), a real day; else null. */
export function parseIsoDate(text: string): LocalDate | null {
  const m = ISO_DATE.exec(text);
  return m ? realDate(Number(m[1]), Number(m[2]), Number(m[3])) : null;
}

/**
 * An ISO-8601 calendar date (`2026-11-27`) or date-time (`2026-11-27T15:00`, `…:00`, `…:00.123`, with `Z`,
 * `±hh`, `±hhmm` or `±hh:mm`, or no offset); null when malformed or impossible (2026-02-30, 24:00, an offset
 * beyond ±18:00). Fractions of a second keep milliseconds. Does not trim.
 */
export function parseIso(text: string, options: IsoOptions = {}): IsoValue | null {
  const date = parseIsoDate(text);
  if (date) return { kind: 'date', date };
  if (ISO_DATE.test(text)) return null;
  const m = (options.spaces ? ISO_DATE_TIME_SPACES : ISO_DATE_TIME).exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number];
  const onDay = realDate(year, month, day);
  if (!onDay || hour > 23 || minute > 59 || second > 59) return null;
  const millisecond = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3) || 0);
  let offsetMinutes: number | null = null;
  if (m[8] !== undefined) {
    offsetMinutes = parseOffset(m[8]);
    if (Math.abs(offsetMinutes) > MAX_OFFSET_MINUTES) return null;
  }
  return { kind: 'dateTime', date: onDay, time: { hour, minute, second, millisecond }, offsetMinutes };
}

/** `Z`, `±hh`, `±hhmm`, `±hh:mm` → minutes east of UTC. */
function parseOffset(offset: string): number {
  if (offset.toUpperCase() === 'Z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(offset)!;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return m[1] === '-' ? -minutes : minutes;
}

/** The instant a date-time names: exact with an offset; without one, its wall-clock time in `timeZone` (`wallClockIn`). */
export function isoInstant(value: IsoDateTime, timeZone: string): Date {
  if (value.offsetMinutes === null) return wallClockIn(value.date, value.time, timeZone);
  return new Date(utcMs(value.date, value.time) - value.offsetMinutes * 60_000);
}

/** "HH:MM" or "H:MM" on a 24-hour clock (surrounding spaces ignored), or undefined. */
export function parseTimeOfDay(text: string): { hour: number; minute: number } | undefined {
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  return m ? { hour: Number(m[1]), minute: Number(m[2]) } : undefined;
}

// ---------------------------------------------------------------------------
// Names and date words

export const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
export const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'] as const;

/** "Jan" … "Dec" for `month` 1–12. */
export function shortMonthName(month: number): string {
  return MONTH_NAMES[month - 1]!.slice(0, 3);
}

const WEEKDAY_WORDS = new Map<string, Weekday>();
WEEKDAY_NAMES.forEach((name, i) => {
  WEEKDAY_WORDS.set(name.toLowerCase(), i as Weekday);
  WEEKDAY_WORDS.set(name.slice(0, 3).toLowerCase(), i as Weekday);
});
for (const [word, i] of [['tues', 2], ['weds', 3], ['wednes', 3], ['thur', 4], ['thurs', 4]] as const) WEEKDAY_WORDS.set(word, i);

const MONTH_WORDS = new Map<string, number>([['sept', 9]]);
MONTH_NAMES.forEach((name, i) => {
  MONTH_WORDS.set(name.toLowerCase(), i + 1);
  MONTH_WORDS.set(name.slice(0, 3).toLowerCase(), i + 1);
});

/** `mon`, `tues`, `Wednesday` … (any case) → its weekday; else undefined. */
export function weekdayFromWord(word: string): Weekday | undefined {
  return WEEKDAY_WORDS.get(word.toLowerCase());
}

/** `jan`, `sept`, `October` … (any case) → its month, 1–12; else undefined. */
export function monthFromWord(word: string): number | undefined {
  return MONTH_WORDS.get(word.toLowerCase());
}

/**
 * A date word read on local day `today`: `today`, `yesterday`, or a weekday (`mon`, `tuesday` …) meaning the
 * most recent such day, today included. Any case; null when `word` is not a date word.
 */
export function dateFromWord(word: string, today: LocalDate): LocalDate | null {
  const lower = word.toLowerCase();
  if (lower === 'today') return today;
  if (lower === 'yesterday') return addDays(today, -1);
  const weekday = weekdayFromWord(lower);
  return weekday === undefined ? null : lastWeekdayOnOrBefore(today, weekday);
}

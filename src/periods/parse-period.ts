/**
 * Pure parser for the period a board covers (`/leaderboard last month`, `q3`, `2026-10-01..2026-10-31`)
 * and the periods scheduled boards cover. No I/O and no clock: `now` and the settings come in.
 *
 * Every boundary is the start of a local day (local midnight) in `settings.timeZone`, returned as a
 * plain `Date` instant; ranges are half-open `[start, end)`, so a week across a DST change is 167 or
 * 169 hours long and nothing at 23:59:59.999999 falls between two periods.
 *
 * Calendar arithmetic is done on local dates (calendar.ts: year, month 1–12, day; no zone), and each
 * boundary is turned into an instant once, with `startOfDayIn(date, zone)`. That is `startOfDay` in the zone, and
 * stays right where a DST change happens at midnight (America/Santiago, Asia/Beirut: the day starts
 * at 01:00), where adding days or weeks to an already shifted instant would carry the 01:00 along.
 *
 * Decisions (the brief left these open):
 * - Empty text is `this week`.
 * - `this year` is the whole (fiscal) year, `[year start, next year start)`, future included like
 *   `this week`. `ytd` is `[year start, tomorrow 00:00)`. Its previous period is the same span a year
 *   earlier: `[last year start, the day after today's date last year)` (Feb 29 counts as Feb 28).
 * - `since`, `ytd` and `last N days` end at the end of today (tomorrow 00:00 local), not at `now`:
 *   every boundary is a local midnight, the range is stable all day, and today counts as one day.
 * - The previous period of a calendar unit (day, week, month, quarter, year) is the unit before it
 *   (October for November, whatever their lengths). For `last N days`, `since` and day ranges it is
 *   the same number of local days ending where the current period starts.
 * - A month name without a year is the most recent such month that has started (in November 2026
 *   `november` is November 2026, `december` is December 2025). `q3` likewise is the most recent Q3 of
 *   a fiscal year that has started. With a year, a month, quarter or year that has not started yet is
 *   an error, and so is a day range or `since` starting after today. A day range may end in the future.
 * - Fiscal years: with `fiscalYearStartMonth` 1 quarters and years are calendar ones, labelled
 *   "Q4 2026", "2026". Otherwise a fiscal year is named by the calendar year it ENDS in: with April (4)
 *   FY2027 is Apr 1 2026 – Mar 31 2027, its Q1 is Apr–Jun 2026, labelled "Q1 FY2027". A year typed by
 *   the user (`q3 2026`, `2026`, `fy2026`) is read with the same convention.
 * - LocalDate ranges, `since` and `last N days` may cover at most 366 local days (a leap year): longer spans
 *   are what `this year`, `last year` and `2025` are for, and it bounds the work behind one board.
 */
import {
  addDays,
  compareDates,
  dateIn,
  daysBetween,
  daysInMonth,
  formatIsoDate,
  type LocalDate,
  MONTH_NAMES,
  monthFromWord,
  normalizeDate,
  realDate,
  shortMonthName,
  startOfDayIn,
  startOfWeekOn,
} from './calendar.js';
import type { BoardPeriod, PeriodRange } from './types.js';

export interface PeriodSettings {
  /** IANA zone, e.g. 'America/New_York'. */
  timeZone: string;
  /** 0 = Sunday, 1 = Monday (the default), ... */
  weekStartsOn: 0 | 1 | 2 | 3 | 4 | 5 | 6;
  /** 1..12: the month the fiscal year starts in (1 = January, calendar years). */
  fiscalYearStartMonth: number;
}

export type PeriodParseResult = { ok: true; period: BoardPeriod } | { ok: false; error: string };

export type Cadence = 'daily' | 'weekly' | 'monthly';

/** The longest day range, `since` or `last N days`, in local days. */
export const MAX_RANGE_DAYS = 366;

/** Every form `parsePeriod` understands (mrkdwn), for errors and `/leaderboard help`. */
export const PERIOD_FORMS_HELP = [
  '• `this week` (the default), `last week`',
  '• `today`, `yesterday`',
  '• `this month`, `last month`, or a month: `october`, `oct 2025`',
  '• `this quarter`, `last quarter`, or a quarter: `q3`, `q3 2026`',
  '• `this year`, `last year`, a year: `2025`, or the year so far: `ytd`',
  `• \`last 7 days\`, \`last 30 days\` (up to ${MAX_RANGE_DAYS}, today included)`,
  '• `since 2026-02-01`',
  '• a day: `2026-10-01`, or a range of days: `2026-10-01..2026-10-31`',
  '_Quarters and years follow the workspace’s fiscal year._',
].join('\n');

// ---------------------------------------------------------------------------
// Labels

function fmtDay(x: LocalDate, withYear: boolean): string {
  return `${shortMonthName(x.month)} ${x.day}${withYear ? `, ${x.year}` : ''}`;
}

/** "Nov 23 – 29", "Nov 30 – Dec 6", "Dec 28, 2026 – Jan 3, 2027"; the year only when not `currentYear`. */
function compactRange(first: LocalDate, last: LocalDate, currentYear: number): string {
  if (first.year !== last.year) return `${fmtDay(first, true)} – ${fmtDay(last, true)}`;
  const year = first.year === currentYear ? '' : `, ${first.year}`;
  if (first.month === last.month && first.day === last.day) return `${fmtDay(first, false)}${year}`;
  const end = first.month === last.month ? String(last.day) : fmtDay(last, false);
  return `${fmtDay(first, false)} – ${end}${year}`;
}

/** "Oct 1, 2026", "Oct 1 – Oct 31, 2026", "Dec 15, 2025 – Jan 14, 2026". */
function fullRange(first: LocalDate, last: LocalDate): string {
  if (compareDates(first, last) === 0) return fmtDay(first, true);
  if (first.year !== last.year) return `${fmtDay(first, true)} – ${fmtDay(last, true)}`;
  return `${fmtDay(first, false)} – ${fmtDay(last, true)}`;
}

/** "October 2026"; `month` is 1–12. */
function monthLabel(year: number, month: number): string {
  return `${MONTH_NAMES[month - 1]} ${year}`;
}

// ---------------------------------------------------------------------------
// Periods as calendar days

/** `[start, end)` in calendar days, with its label. */
interface Span {
  start: LocalDate;
  end: LocalDate;
  label: string;
}

function toRange(span: Span, timeZone: string): PeriodRange {
  return { start: startOfDayIn(span.start, timeZone), end: startOfDayIn(span.end, timeZone), label: span.label };
}

function board(current: Span, previous: Span, timeZone: string): BoardPeriod {
  return { current: toRange(current, timeZone), previous: toRange(previous, timeZone), timeZone };
}

function daySpan(x: LocalDate, label: string): Span {
  return { start: x, end: addDays(x, 1), label };
}

function weekSpan(start: LocalDate, label: (range: string) => string, currentYear: number): Span {
  const end = addDays(start, 7);
  return { start, end, label: label(compactRange(start, addDays(end, -1), currentYear)) };
}

/** The month `month` (1–12, rolled over: 0 is December of the year before) of `year`. */
function monthSpan(year: number, month: number): Span {
  const start = normalizeDate(year, month, 1);
  return { start, end: normalizeDate(start.year, start.month + 1, 1), label: monthLabel(start.year, start.month) };
}

/** Fiscal arithmetic. `fyStartYear` is the calendar year the fiscal year starts in. */
class Fiscal {
  /** 1–12. */
  readonly startMonth: number;

  constructor(fiscalYearStartMonth: number) {
    this.startMonth = fiscalYearStartMonth;
  }

  get isCalendar(): boolean {
    return this.startMonth === 1;
  }

  /** The calendar year a fiscal year starting in `fyStartYear` is named by. */
  name(fyStartYear: number): number {
    return this.isCalendar ? fyStartYear : fyStartYear + 1;
  }

  /** Inverse of `name`: the start year of the fiscal year the user called `year`. */
  startYearOf(year: number): number {
    return this.isCalendar ? year : year - 1;
  }

  yearLabel(fyStartYear: number): string {
    return this.isCalendar ? String(fyStartYear) : `FY${this.name(fyStartYear)}`;
  }

  quarterLabel(fyStartYear: number, quarter: number): string {
    return this.isCalendar ? `Q${quarter} ${fyStartYear}` : `Q${quarter} FY${this.name(fyStartYear)}`;
  }

  /** The fiscal year (by start year) and quarter (1-4) that day `x` is in. */
  locate(x: LocalDate): { fyStartYear: number; quarter: number } {
    const fyStartYear = x.month >= this.startMonth ? x.year : x.year - 1;
    const monthsIn = (x.month - this.startMonth + 12) % 12;
    return { fyStartYear, quarter: Math.floor(monthsIn / 3) + 1 };
  }

  year(fyStartYear: number): Span {
    return {
      start: normalizeDate(fyStartYear, this.startMonth, 1),
      end: normalizeDate(fyStartYear + 1, this.startMonth, 1),
      label: this.yearLabel(fyStartYear),
    };
  }

  /** Quarter `quarter` of the fiscal year starting in `fyStartYear`; quarters 0 and 5 roll over. */
  quarter(fyStartYear: number, quarter: number): Span {
    const start = normalizeDate(fyStartYear, this.startMonth + 3 * (quarter - 1), 1);
    const located = this.locate(start);
    return {
      start,
      end: normalizeDate(start.year, start.month + 3, 1),
      label: this.quarterLabel(located.fyStartYear, located.quarter),
    };
  }
}

// ---------------------------------------------------------------------------
// Parsing

const DATE = String.raw`([1-9]\d{3})-(\d{1,2})-(\d{1,2})`;
const RANGE_RE = new RegExp(String.raw`^(?:from )?${DATE} ?(?:\.\.\.?|to|-|–|—) ?${DATE}$`);
const SINCE_RE = new RegExp(String.raw`^since ${DATE}$`);
const SINGLE_DATE_RE = new RegExp(String.raw`^(?:on )?${DATE}$`);
const LAST_DAYS_RE = /^(?:last|past) (\d{1,6}) ?(?:days?|d)$/;
const MONTH_RE = /^([a-z]+)\.?(?: ([1-9]\d{3}))?$/;
const QUARTER_RE = /^q([1-4])(?: (?:fy ?)?([1-9]\d{3}))?$/;
const YEAR_RE = /^(?:fy ?)?([1-9]\d{3})$/;

type Parsed = { ok: true; current: Span; previous: Span } | { ok: false; error: string };

/**
 * Reads the period a user asked for. Unknown text and impossible ranges come back as `{ ok: false }`
 * with a mrkdwn message; invalid settings (an unknown zone, a fiscal month outside 1..12) throw.
 */
export function parsePeriod(text: string, now: Date, settings: PeriodSettings): PeriodParseResult {
  checkSettings(settings);
  const typed = text.trim().replace(/\s+/g, ' ');
  const parsed = parseNormalized(typed.toLowerCase(), typed, now, settings);
  if (!parsed.ok) return parsed;
  return { ok: true, period: board(parsed.current, parsed.previous, settings.timeZone) };
}

/** `input` is lower case with single spaces; `typed` is the same text as typed, for messages. */
function parseNormalized(input: string, typed: string, now: Date, settings: PeriodSettings): Parsed {
  const today = dateIn(now, settings.timeZone);
  const fiscal = new Fiscal(settings.fiscalYearStartMonth);
  const ok = (current: Span, previous: Span): Parsed => ({ ok: true, current, previous });

  switch (input) {
    case '':
    case 'week':
    case 'this week':
    case 'current week':
      return ok(...weeks(today, 0, settings.weekStartsOn, today.year));
    case 'last week':
    case 'previous week':
      return ok(...weeks(today, -1, settings.weekStartsOn, today.year));
    case 'today':
      return ok(...days(today, 0, today.year));
    case 'yesterday':
      return ok(...days(today, -1, today.year));
    case 'month':
    case 'this month':
    case 'current month':
      return ok(monthSpan(today.year, today.month), monthSpan(today.year, today.month - 1));
    case 'last month':
    case 'previous month':
      return ok(monthSpan(today.year, today.month - 1), monthSpan(today.year, today.month - 2));
    case 'quarter':
    case 'this quarter':
    case 'current quarter':
    case 'last quarter':
    case 'previous quarter': {
      const { fyStartYear, quarter } = fiscal.locate(today);
      const shift = input.startsWith('last') || input.startsWith('previous') ? -1 : 0;
      return ok(fiscal.quarter(fyStartYear, quarter + shift), fiscal.quarter(fyStartYear, quarter + shift - 1));
    }
    case 'year':
    case 'this year':
    case 'current year':
    case 'last year':
    case 'previous year': {
      const shift = input.startsWith('last') || input.startsWith('previous') ? -1 : 0;
      const { fyStartYear } = fiscal.locate(today);
      return ok(fiscal.year(fyStartYear + shift), fiscal.year(fyStartYear + shift - 1));
    }
    case 'ytd':
    case 'year to date':
    case 'year-to-date':
      return ok(...yearToDate(today, fiscal));
  }

  let match: RegExpMatchArray | null;

  if ((match = input.match(LAST_DAYS_RE))) {
    const n = Number(match[1]);
    if (n < 1 || n > MAX_RANGE_DAYS) {
      return { ok: false, error: `\`${shown(typed)}\`: pick from 1 to ${MAX_RANGE_DAYS} days, e.g. \`last 7 days\` or \`last 30 days\`.` };
    }
    return ok(...lastDays(today, n));
  }

  if ((match = input.match(SINCE_RE))) {
    const from = dateOf(match, 1);
    if (!from) return notADate(match, 1);
    if (compareDates(from, today) > 0) return future(typed, today, settings.timeZone);
    const span = { start: from, end: addDays(today, 1), label: `Since ${fmtDay(from, true)}` };
    const length = daysBetween(span.start, span.end);
    if (length > MAX_RANGE_DAYS) return tooLong(typed, length);
    return ok(span, before(span.start, length));
  }

  if ((match = input.match(RANGE_RE)) || (match = input.match(SINGLE_DATE_RE))) {
    const first = dateOf(match, 1);
    if (!first) return notADate(match, 1);
    const last = match[4] === undefined ? first : dateOf(match, 4);
    if (!last) return notADate(match, 4);
    if (compareDates(last, first) < 0) {
      return {
        ok: false,
        error: `The range \`${shown(typed)}\` ends before it starts: put the earlier day first, e.g. \`${formatIsoDate(last)}..${formatIsoDate(first)}\`.`,
      };
    }
    if (compareDates(first, today) > 0) return future(typed, today, settings.timeZone);
    const length = daysBetween(first, last) + 1;
    if (length > MAX_RANGE_DAYS) return tooLong(typed, length);
    return ok({ start: first, end: addDays(last, 1), label: fullRange(first, last) }, before(first, length));
  }

  if ((match = input.match(QUARTER_RE))) {
    const quarter = Number(match[1]);
    if (match[2] !== undefined) {
      const span = fiscal.quarter(fiscal.startYearOf(Number(match[2])), quarter);
      if (compareDates(span.start, today) > 0) return notStarted(span.label);
      return ok(span, fiscal.quarter(fiscal.startYearOf(Number(match[2])), quarter - 1));
    }
    let { fyStartYear } = fiscal.locate(today);
    if (compareDates(fiscal.quarter(fyStartYear, quarter).start, today) > 0) fyStartYear -= 1;
    return ok(fiscal.quarter(fyStartYear, quarter), fiscal.quarter(fyStartYear, quarter - 1));
  }

  if ((match = input.match(YEAR_RE))) {
    const fyStartYear = fiscal.startYearOf(Number(match[1]));
    const span = fiscal.year(fyStartYear);
    if (compareDates(span.start, today) > 0) return notStarted(span.label);
    return ok(span, fiscal.year(fyStartYear - 1));
  }

  const month = (match = input.match(MONTH_RE)) ? monthFromWord(match[1]!) : undefined;
  if (match && month !== undefined) {
    if (match[2] !== undefined) {
      const span = monthSpan(Number(match[2]), month);
      if (compareDates(span.start, today) > 0) return notStarted(span.label);
      return ok(span, monthSpan(Number(match[2]), month - 1));
    }
    const year = month <= today.month ? today.year : today.year - 1;
    return ok(monthSpan(year, month), monthSpan(year, month - 1));
  }

  return { ok: false, error: notUnderstood(typed) };
}

function weeks(today: LocalDate, shift: number, weekStartsOn: number, currentYear: number): [Span, Span] {
  const start = addDays(startOfWeekOn(today, weekStartsOn), 7 * shift);
  const name = (s: number) => (s === 0 ? 'This week' : s === -1 ? 'Last week' : '');
  const label = (s: number) => (range: string) => (name(s) ? `${name(s)} (${range})` : range);
  return [weekSpan(start, label(shift), currentYear), weekSpan(addDays(start, -7), label(shift - 1), currentYear)];
}

function days(today: LocalDate, shift: number, currentYear: number): [Span, Span] {
  const name = (s: number) => (s === 0 ? 'Today' : s === -1 ? 'Yesterday' : '');
  const label = (s: number) => {
    const x = addDays(today, s);
    const text = compactRange(x, x, currentYear);
    return name(s) ? `${name(s)} (${text})` : text;
  };
  return [daySpan(addDays(today, shift), label(shift)), daySpan(addDays(today, shift - 1), label(shift - 1))];
}

function lastDays(today: LocalDate, n: number): [Span, Span] {
  const end = addDays(today, 1);
  const start = addDays(end, -n);
  const unit = n === 1 ? 'day' : 'days';
  const current = { start, end, label: `Last ${n} ${unit} (${compactRange(start, today, today.year)})` };
  const prevStart = addDays(start, -n);
  const previous = { start: prevStart, end: start, label: `Previous ${n} ${unit} (${compactRange(prevStart, addDays(start, -1), today.year)})` };
  return [current, previous];
}

function yearToDate(today: LocalDate, fiscal: Fiscal): [Span, Span] {
  const { fyStartYear } = fiscal.locate(today);
  const year = fiscal.year(fyStartYear);
  const current = { start: year.start, end: addDays(today, 1), label: `${year.label} so far` };
  const lastYearStart = fiscal.year(fyStartYear - 1).start;
  // Today's date a year ago; Feb 29 becomes Feb 28.
  const sameDay = normalizeDate(today.year - 1, today.month, Math.min(today.day, daysInMonth(today.year - 1, today.month)));
  return [current, { start: lastYearStart, end: addDays(sameDay, 1), label: fullRange(lastYearStart, sameDay) }];
}

/** The `length` days right before `start`. */
function before(start: LocalDate, length: number): Span {
  const from = addDays(start, -length);
  return { start: from, end: start, label: fullRange(from, addDays(start, -1)) };
}

function dateOf(match: RegExpMatchArray, at: number): LocalDate | null {
  return realDate(Number(match[at]), Number(match[at + 1]), Number(match[at + 2]));
}

// ---------------------------------------------------------------------------
// Messages

/** User text as it can sit inside a mrkdwn code span: no backticks, `&<>` escaped, not too long. */
function shown(text: string): string {
  const short = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return short.replace(/`/g, "'").replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function notUnderstood(typed: string): string {
  return `I didn't understand the period \`${shown(typed)}\`. Try one of these:\n${PERIOD_FORMS_HELP}`;
}

function notADate(match: RegExpMatchArray, at: number): Parsed {
  const typed = `${match[at]}-${match[at + 1]}-${match[at + 2]}`;
  return { ok: false, error: `\`${shown(typed)}\` is not a date. Write days as YYYY-MM-DD, e.g. \`2026-10-01\`.` };
}

function future(typed: string, today: LocalDate, timeZone: string): Parsed {
  return {
    ok: false,
    error: `\`${shown(typed)}\` starts after today (today is ${fmtDay(today, true)} in ${timeZone}). Pick days up to today.`,
  };
}

function notStarted(label: string): Parsed {
  return { ok: false, error: `${label} hasn't started yet. Pick one that has, e.g. \`this month\` or \`last quarter\`.` };
}

function tooLong(typed: string, length: number): Parsed {
  return {
    ok: false,
    error: `\`${shown(typed)}\` covers ${length} days; the most is ${MAX_RANGE_DAYS}. For longer spans use \`this year\`, \`last year\` or a year like \`2025\`.`,
  };
}

// ---------------------------------------------------------------------------
// Schedules

/**
 * The last complete period before `slot`, for a scheduled board posted at `slot`:
 * daily: the local day before slot's day; weekly: the full week before the week containing slot;
 * monthly: the month before slot's month. Labels read as of the slot ("Yesterday (Nov 24)").
 */
export function lastCompletePeriod(cadence: Cadence, slot: Date, settings: PeriodSettings): BoardPeriod {
  checkSettings(settings);
  const today = dateIn(slot, settings.timeZone);
  let current: Span;
  let previous: Span;
  switch (cadence) {
    case 'daily':
      [current, previous] = days(today, -1, today.year);
      break;
    case 'weekly':
      [current, previous] = weeks(today, -1, settings.weekStartsOn, today.year);
      break;
    case 'monthly':
      [current, previous] = [monthSpan(today.year, today.month - 1), monthSpan(today.year, today.month - 2)];
      break;
    default:
      throw new RangeError(`Unknown cadence: ${String(cadence)}`);
  }
  return board(current, previous, settings.timeZone);
}

/**
 * The week, month or quarter containing `now`, as `this week`, `this month` and `this quarter` read
 * (the workspace's week start and fiscal year, in `settings.timeZone`).
 */
export function periodContaining(unit: 'week' | 'month' | 'quarter', now: Date, settings: PeriodSettings): PeriodRange {
  checkSettings(settings);
  const today = dateIn(now, settings.timeZone);
  let span: Span;
  switch (unit) {
    case 'week':
      [span] = weeks(today, 0, settings.weekStartsOn, today.year);
      break;
    case 'month':
      span = monthSpan(today.year, today.month);
      break;
    case 'quarter': {
      const fiscal = new Fiscal(settings.fiscalYearStartMonth);
      const { fyStartYear, quarter } = fiscal.locate(today);
      span = fiscal.quarter(fyStartYear, quarter);
      break;
    }
    default:
      throw new RangeError(`Unknown period unit: ${String(unit)}`);
  }
  return toRange(span, settings.timeZone);
}

function checkSettings(settings: PeriodSettings): void {
  const { timeZone, weekStartsOn, fiscalYearStartMonth } = settings;
  if (!Number.isInteger(fiscalYearStartMonth) || fiscalYearStartMonth < 1 || fiscalYearStartMonth > 12) {
    throw new RangeError(`fiscalYearStartMonth must be 1..12, got ${fiscalYearStartMonth}`);
  }
  if (!Number.isInteger(weekStartsOn) || weekStartsOn < 0 || weekStartsOn > 6) {
    throw new RangeError(`weekStartsOn must be 0..6, got ${weekStartsOn}`);
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new RangeError(`Unknown time zone: ${timeZone}`);
  }
}

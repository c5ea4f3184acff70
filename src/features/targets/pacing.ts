/**
 * Pacing against targets (pure: no I/O, no clock; `now` and the settings come in).
 *
 * Rules (decided here, tested in test/unit/pacing.test.ts):
 * - Working days are Monday to Friday, as local calendar days in the person's time zone. Holidays are not known.
 * - A target's period is the week, month or quarter containing `now` (parse-period's `periodContaining`, what
 *   `this week` / `this month` / `this quarter` read, so the workspace's week start and fiscal year apply), in the person's zone.
 * - A working day counts as elapsed once it is over, at END_OF_WORKDAY_HOUR (17:00) local time. Before that, today
 *   is still a day left: on Thursday morning a Mon–Fri week has "2 of 5 days left" (Thursday and Friday), from
 *   Friday 17:00 it has "0 of 5 days left", and on Monday morning nobody is behind yet.
 * - Expected so far = target × elapsed ÷ total working days. Status, compared exactly (bigint, no floats):
 *     done     actual ≥ target
 *     behind   actual < expected
 *     ahead    actual > expected × 1.1
 *     on pace  otherwise (at or up to 10% above the expected amount)
 * - Proration: a person who joined (users.joined_at; null = long ago) after the period's first day gets
 *   target × (working days from their join day to the period's end) ÷ (all working days of the period), rounded UP
 *   to a whole count, or to a whole minor unit for money. Their pacing then runs over their own working days
 *   ("with 2 of 3 days left"). Someone who joined after the period's last working day has no target there yet.
 * - Percent is rounded DOWN (99.6% shows 99%, never a premature 100%); it may exceed 100.
 */
import type { TargetPeriod } from '../../db/schema/index.js';
import { formatMoney } from '../../lib/money.js';
import { dateIn, dayNumber, timeIn, weekdayOfDayNumber } from '../../periods/calendar.js';
import { periodContaining, type PeriodSettings } from '../../periods/parse-period.js';
import type { PeriodRange } from '../../periods/types.js';

/** The local hour at which today's working day counts as elapsed. */
export const END_OF_WORKDAY_HOUR = 17;
/** "ahead" needs more than this × the expected amount (11/10: 10% above). */
const AHEAD_NUMERATOR = 11n;
const AHEAD_DENOMINATOR = 10n;

export type PaceStatus = 'done' | 'ahead' | 'on_pace' | 'behind';

export const STATUS_WORDS: Record<PaceStatus, string> = { done: 'done', ahead: 'ahead', on_pace: 'on pace', behind: 'behind' };

export interface TargetProgress {
  /** An activity type key, or 'revenue'. */
  metric: string;
  /** "Calls", "Revenue". */
  label: string;
  /** The revenue target's currency; null for activity counts. */
  currency: string | null;
  /** Activities logged (count), or won revenue in minor units of `currency`, in the target's current period. */
  actual: bigint;
  /** The target this person has for the period: prorated when they joined mid-period. Count or minor units. */
  target: bigint;
  /** The target as set (before proration). */
  fullTarget: bigint;
  prorated: boolean;
  period: TargetPeriod;
  /** The current period's label, e.g. "This week (Nov 23 – 29)", "November 2026", "Q4 2026". */
  periodLabel: string;
  /** floor(actual ÷ target × 100); may exceed 100. */
  percent: number;
  /** Working days not yet over (today counts until 17:00 local). */
  daysLeft: number;
  /** The person's working days in the period (from their join day when prorated). */
  daysTotal: number;
  status: PaceStatus;
  /** "Calls: 31 of 50 (62%) with 2 of 5 days left: on pace". Plain text: no mrkdwn, no user text except labels. */
  text: string;
}

// ---------------------------------------------------------------------------------------------
// Local calendar days as day numbers (the calendar's `dayNumber`, days since 1970-01-01), so day arithmetic never meets DST.

/** The local calendar day `instant` falls on in `timeZone`, as a day number. */
export function localDayNumber(instant: Date, timeZone: string): number {
  return dayNumber(dateIn(instant, timeZone));
}

export function isWorkingDay(day: number): boolean {
  const wd = weekdayOfDayNumber(day);
  return wd >= 1 && wd <= 5;
}

/** Working days (Mon–Fri) among the day numbers [from, to); 0 when to ≤ from. */
export function workingDaysBetween(from: number, to: number): number {
  if (to <= from) return 0;
  const fullWeeks = Math.floor((to - from) / 7);
  let count = fullWeeks * 5;
  for (let d = from + fullWeeks * 7; d < to; d++) if (isWorkingDay(d)) count++;
  return count;
}

/** Working days in the local days of [start, end) (instants at local midnights, as periods are) in `timeZone`. */
export function workingDaysIn(range: { start: Date; end: Date }, timeZone: string): number {
  return workingDaysBetween(localDayNumber(range.start, timeZone), localDayNumber(range.end, timeZone));
}

function localMinutes(instant: Date, timeZone: string): number {
  const { hour, minute } = timeIn(instant, timeZone);
  return hour * 60 + minute;
}

/** Ceiling of a ÷ b for a ≥ 0, b > 0. */
function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

// ---------------------------------------------------------------------------------------------
// Periods

/** The week, month or quarter containing `now`, with the workspace's week start and fiscal year, in settings.timeZone. */
export function targetPeriodRange(period: TargetPeriod, now: Date, settings: PeriodSettings): PeriodRange {
  return periodContaining(period, now, settings);
}

/** The part of a span inside one week / month / quarter: local day numbers [start, end), and the whole unit's working days. */
export interface SpanPiece {
  start: number;
  end: number;
  unitWorkingDays: number;
}

/** A span (a leaderboard's period) cut at the boundaries of the target period `period`, in settings.timeZone. */
export function spanPieces(period: TargetPeriod, span: { start: Date; end: Date }, settings: PeriodSettings): SpanPiece[] {
  const zone = settings.timeZone;
  const spanStart = localDayNumber(span.start, zone);
  const spanEnd = localDayNumber(span.end, zone);
  const pieces: SpanPiece[] = [];
  let cursor = span.start;
  // Each unit ends after the cursor, so this ends; the bound only guards against a broken period parser.
  for (let guard = 0; guard < 1000 && cursor.getTime() < span.end.getTime(); guard++) {
    const unit = targetPeriodRange(period, cursor, settings);
    const unitStart = localDayNumber(unit.start, zone);
    const unitEnd = localDayNumber(unit.end, zone);
    pieces.push({ start: Math.max(unitStart, spanStart), end: Math.min(unitEnd, spanEnd), unitWorkingDays: workingDaysBetween(unitStart, unitEnd) });
    if (unit.end.getTime() <= cursor.getTime()) break;
    cursor = unit.end;
  }
  return pieces;
}

/**
 * `amount` per unit over the pieces of a span, from local day `fromDay` on (the join day; null = all): each piece
 * gets amount × its working days ÷ its unit's working days, rounded up. 0n when no working day is left.
 */
export function prorateOverPieces(amount: bigint, pieces: SpanPiece[], fromDay: number | null): bigint {
  let total = 0n;
  for (const piece of pieces) {
    const part = workingDaysBetween(fromDay === null ? piece.start : Math.max(piece.start, fromDay), piece.end);
    if (piece.unitWorkingDays > 0 && part > 0) total += ceilDiv(amount * BigInt(part), BigInt(piece.unitWorkingDays));
  }
  return total;
}

/**
 * A target of `amount` per `period`, prorated to an arbitrary span (a leaderboard's period): the span is cut at the
 * target period's boundaries, and each piece gets amount × its working days (from the join day on) ÷ the working days
 * of its whole week / month / quarter, rounded up. A 50-a-week target over a 21-working-day month is 50 × 21 ÷ 5 = 210;
 * a monthly target over exactly that month is the target itself. 0n when the span has no working days after joining.
 */
export function targetForSpan(input: {
  amount: bigint;
  period: TargetPeriod;
  span: { start: Date; end: Date };
  joinedAt: Date | null;
  settings: PeriodSettings;
}): bigint {
  const { amount, period, span, joinedAt, settings } = input;
  const fromDay = joinedAt ? localDayNumber(joinedAt, settings.timeZone) : null;
  return prorateOverPieces(amount, spanPieces(period, span, settings), fromDay);
}

// ---------------------------------------------------------------------------------------------
// Progress

export interface ProgressInput {
  metric: string;
  label: string;
  /** The revenue target's currency; null for an activity count. */
  currency: string | null;
  /** The target as set, per period (a count, or minor units of `currency`). */
  amount: bigint;
  period: TargetPeriod;
  /** What the person did in the current period (a count, or minor units). */
  actual: bigint;
  now: Date;
  /** The person's time zone and the workspace's week start and fiscal year. */
  settings: PeriodSettings;
  /** users.joined_at; null = joined long ago. */
  joinedAt: Date | null;
}

/** Progress against one target in its period containing `now`; null when the person has no working day in it (joined after it). */
export function computeProgress(input: ProgressInput): TargetProgress | null {
  const { settings, now } = input;
  const zone = settings.timeZone;
  const range = targetPeriodRange(input.period, now, settings);
  const start = localDayNumber(range.start, zone);
  const end = localDayNumber(range.end, zone);
  const from = input.joinedAt ? Math.max(start, localDayNumber(input.joinedAt, zone)) : start;

  const allDays = workingDaysBetween(start, end);
  const ownDays = workingDaysBetween(from, end);
  if (allDays === 0 || ownDays === 0) return null;
  const prorated = ownDays < allDays;
  const target = prorated ? ceilDiv(input.amount * BigInt(ownDays), BigInt(allDays)) : input.amount;

  const today = localDayNumber(now, zone);
  let elapsed = workingDaysBetween(from, Math.min(today, end));
  if (today >= from && today < end && isWorkingDay(today) && localMinutes(now, zone) >= END_OF_WORKDAY_HOUR * 60) elapsed += 1;
  const daysLeft = ownDays - elapsed;

  const status = paceStatus(input.actual, target, elapsed, ownDays);
  const percent = target > 0n ? Number((input.actual * 100n) / target) : 0;
  const show = (v: bigint) => (input.currency ? formatMoney({ minor: v, currency: input.currency }) : v.toLocaleString('en-US'));
  const text =
    `${input.label}: ${show(input.actual)} of ${show(target)} (${percent}%) ` +
    `with ${daysLeft} of ${ownDays} ${ownDays === 1 ? 'day' : 'days'} left: ${STATUS_WORDS[status]}`;

  return {
    metric: input.metric,
    label: input.label,
    currency: input.currency,
    actual: input.actual,
    target,
    fullTarget: input.amount,
    prorated,
    period: input.period,
    periodLabel: range.label,
    percent,
    daysLeft,
    daysTotal: ownDays,
    status,
    text,
  };
}

/** The status for `actual` against `target` after `elapsed` of `total` working days (see the rules above). */
export function paceStatus(actual: bigint, target: bigint, elapsed: number, total: number): PaceStatus {
  if (actual >= target) return 'done';
  // expected = target × elapsed ÷ total; compare actual × total with target × elapsed to stay exact.
  const scaledActual = actual * BigInt(total);
  const scaledExpected = target * BigInt(elapsed);
  if (scaledActual < scaledExpected) return 'behind';
  if (scaledActual * AHEAD_DENOMINATOR > scaledExpected * AHEAD_NUMERATOR) return 'ahead';
  return 'on_pace';
}

/** A 10-cell text bar for `percent` (rounded down to whole cells, 0..10): 50 → "▓▓▓▓▓░░░░░". */
export function progressBar(percent: number): string {
  const cells = Number.isFinite(percent) ? Math.max(0, Math.min(10, Math.floor(percent / 10))) : 0;
  return '▓'.repeat(cells) + '░'.repeat(10 - cells);
}

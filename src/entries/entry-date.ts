/**
 * The day a logged entry (an activity, a deal) happened, in the user's time zone: a date word from a command
 * or a datepicker's `YYYY-MM-DD`, within the backdating window. Today is recorded as `now`, whatever the hour;
 * an earlier day as noon there. Messages are plain text, usable as a modal field error too.
 */
import { addDays, dateFromWord, dateIn, daysBetween, formatIsoDate, type LocalDate, noonIn, realDate } from '../periods/calendar.js';

export interface EntryDateContext {
  now: Date;
  /** IANA zone of the user, e.g. 'Europe/Berlin'. */
  timeZone: string;
  /** How many local calendar days back a date may be (inclusive). */
  backdateDays: number;
}

export type EntryDateErrorCode = 'invalid_date' | 'future_date' | 'too_old';

export interface EntryDateError {
  code: EntryDateErrorCode;
  message: string;
}

/** The shape of a day token; whether it is a real day is the calendar's question. */
const ISO_DAY = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;

/**
 * Resolves a date word (`today`, `yesterday`, `mon`..`sun`, `monday`.., `YYYY-MM-DD`) to the moment an entry
 * on that day is recorded at, or an error. Null when the word is not a date word at all.
 */
export function resolveEntryDay(word: string, ctx: EntryDateContext): Date | EntryDateError | null {
  const named = dateFromWord(word, dateIn(ctx.now, ctx.timeZone));
  if (named) return entryInstant(named, ctx);
  if (ISO_DAY.test(word)) return validateEntryDay(word, ctx);
  return null;
}

/** Applies the date rules to a `YYYY-MM-DD` day (e.g. a modal's datepicker value). */
export function validateEntryDay(isoDay: string, ctx: EntryDateContext): Date | EntryDateError {
  const m = ISO_DAY.exec(isoDay.trim());
  const day = m ? realDate(Number(m[1]), Number(m[2]), Number(m[3])) : null;
  if (day === null) {
    const example = formatIsoDate(addDays(dateIn(ctx.now, ctx.timeZone), -1));
    return {
      code: 'invalid_date',
      message: `${isoDay} isn't a real date. Use YYYY-MM-DD (like ${example}), today, yesterday or a weekday like mon.`,
    };
  }
  return entryInstant(day, ctx);
}

function entryInstant(day: LocalDate, ctx: EntryDateContext): Date | EntryDateError {
  const daysBack = daysBetween(day, dateIn(ctx.now, ctx.timeZone));
  if (daysBack < 0) {
    return {
      code: 'future_date',
      message: `${formatIsoDate(day)} is in the future. Log today or up to ${ctx.backdateDays} days back.`,
    };
  }
  if (daysBack > ctx.backdateDays) {
    return {
      code: 'too_old',
      message: `${formatIsoDate(day)} is too long ago: you can log at most ${ctx.backdateDays} days back.`,
    };
  }
  // Today is now, whatever the hour; an earlier day is noon there.
  if (daysBack === 0) return new Date(ctx.now.getTime());
  return noonIn(day, ctx.timeZone);
}

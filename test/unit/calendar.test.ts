/**
 * The one calendar (src/periods/calendar.ts): local dates (month 1–12), days placed in zones across DST,
 * schedule slots in spring-forward gaps, ISO-8601 text and the date words. The process runs in
 * Pacific/Kiritimati (UTC+14, vitest.config.ts) and every expectation is an exact UTC instant, so a
 * leak of the process zone fails here.
 */
import { describe, expect, it } from 'vitest';
import {
  addDays,
  compareDates,
  dateFromWord,
  dateIn,
  dayInstant,
  dayNumber,
  daysBetween,
  daysInMonth,
  formatIsoDate,
  fromDayNumber,
  isoInstant,
  isRealDate,
  type IsoValue,
  type LocalDate,
  monthFromWord,
  noonIn,
  normalizeDate,
  offsetChangeIn,
  parseIso,
  parseIsoDate,
  parseTimeOfDay,
  shortMonthName,
  slotInstant,
  startOfDayIn,
  startOfWeekOn,
  timeIn,
  wallClockIn,
  weekdayFromWord,
  weekdayOf,
} from '../../src/periods/calendar.js';

/** '2026-03-08' → a LocalDate. */
function d(text: string): LocalDate {
  const [year, month, day] = text.split('-').map(Number) as [number, number, number];
  return { year, month, day };
}
const iso = (instant: Date | null) => instant?.toISOString() ?? null;
const z = (text: string) => new Date(text).toISOString();

describe('local dates', () => {
  it('the process zone is the far-off one the suite runs in', () => {
    expect(Intl.DateTimeFormat().resolvedOptions().timeZone).toBe('Pacific/Kiritimati');
  });

  it.each([
    // [year, month, day, normalized]
    [2026, 13, 1, '2027-01-01'],
    [2026, 0, 1, '2025-12-01'],
    [2026, -1, 1, '2025-11-01'],
    [2026, 3, 0, '2026-02-28'],
    [2028, 3, 0, '2028-02-29'],
    [2026, 1, 32, '2026-02-01'],
    [2026, 12, 32, '2027-01-01'],
    [2026, 2, 29, '2026-03-01'],
  ])('normalizeDate(%i, %i, %i) is %s', (year, month, day, expected) => {
    expect(formatIsoDate(normalizeDate(year, month, day))).toBe(expected);
  });

  it.each([
    // month ends and leap years: [year, month, days]
    [2026, 1, 31],
    [2026, 2, 28],
    [2028, 2, 29],
    [2000, 2, 29],
    [1900, 2, 28],
    [2100, 2, 28],
    [2026, 4, 30],
    [2026, 6, 30],
    [2026, 9, 30],
    [2026, 11, 30],
    [2026, 12, 31],
  ])('%i-%i has %i days', (year, month, days) => {
    expect(daysInMonth(year, month)).toBe(days);
  });

  it.each([
    ['2026-02-28', true],
    ['2026-02-29', false],
    ['2028-02-29', true],
    ['2000-02-29', true],
    ['1900-02-29', false],
    ['2026-04-30', true],
    ['2026-04-31', false],
    ['2026-12-31', true],
    ['2026-13-01', false],
    ['2026-00-10', false],
    ['2026-01-00', false],
    // Date and TZDate read years 0–99 as 1900–1999: such dates are refused, not misplaced.
    ['0099-12-31', false],
    ['0100-01-01', true],
    ['9999-12-31', true],
  ])('isRealDate(%s) is %s', (text, real) => {
    const { year, month, day } = d(text);
    expect(isRealDate(year, month, day)).toBe(real);
  });

  it('refuses fractions', () => {
    expect(isRealDate(2026, 1.5, 1)).toBe(false);
    expect(isRealDate(2026, 1, 1.5)).toBe(false);
  });

  it.each([
    // [date, n, result]
    ['2026-12-31', 1, '2027-01-01'],
    ['2027-01-01', -1, '2026-12-31'],
    ['2028-02-28', 1, '2028-02-29'],
    ['2026-02-28', 1, '2026-03-01'],
    ['2028-03-01', -1, '2028-02-29'],
    ['2026-03-07', 1, '2026-03-08'], // DST day in New York: nothing changes for a local date
    ['2026-01-31', 30, '2026-03-02'],
    ['1970-01-01', -1, '1969-12-31'],
    ['2026-11-25', -366, '2025-11-24'],
  ])('addDays(%s, %i) is %s', (from, n, expected) => {
    expect(formatIsoDate(addDays(d(from), n))).toBe(expected);
  });

  it.each([
    ['2026-01-01', '2027-01-01', 365],
    ['2028-01-01', '2029-01-01', 366],
    ['2026-03-01', '2026-02-01', -28],
    ['2026-03-08', '2026-03-09', 1],
    ['2026-11-25', '2026-11-25', 0],
  ])('daysBetween(%s, %s) is %i', (a, b, days) => {
    expect(daysBetween(d(a), d(b))).toBe(days);
    expect(Math.sign(compareDates(d(a), d(b)))).toBe(-Math.sign(days) || 0);
  });

  it.each([
    ['1970-01-01', 4],
    ['1969-12-31', 3],
    ['2000-02-29', 2],
    ['2026-11-29', 0],
    ['2026-11-30', 1],
    ['2027-01-01', 5],
    ['2026-10-03', 6],
  ])('weekdayOf(%s) is %i', (date, weekday) => {
    expect(weekdayOf(d(date))).toBe(weekday);
  });

  it.each([
    // [date, weekStartsOn, first day of its week]
    ['2026-11-29', 1, '2026-11-23'], // a Sunday, weeks from Monday: the week before
    ['2026-11-29', 0, '2026-11-29'],
    ['2026-11-30', 1, '2026-11-30'],
    ['2026-11-30', 0, '2026-11-29'],
    ['2026-11-30', 6, '2026-11-28'],
    ['2027-01-01', 1, '2026-12-28'], // across the year end
    ['2028-03-01', 1, '2028-02-28'], // across a leap day
    ['2026-03-05', 5, '2026-02-27'],
  ])('the week of %s starting on weekday %i starts %s', (date, weekStartsOn, start) => {
    expect(formatIsoDate(startOfWeekOn(d(date), weekStartsOn))).toBe(start);
  });

  it('day numbers, days, weekdays and ISO text agree with Date for every day of 1999–2029', () => {
    const wrong: string[] = [];
    let date = d('1999-12-25');
    for (let n = dayNumber(date); n <= dayNumber(d('2029-01-05')); n++) {
      const utc = new Date(n * 86_400_000);
      const text = formatIsoDate(date);
      const back = fromDayNumber(n);
      const parsed = parseIsoDate(text);
      const agrees =
        text === utc.toISOString().slice(0, 10) &&
        back.year === date.year && back.month === date.month && back.day === date.day &&
        weekdayOf(date) === utc.getUTCDay() &&
        parsed?.year === date.year && parsed.month === date.month && parsed.day === date.day;
      if (!agrees) wrong.push(text);
      date = addDays(date, 1);
    }
    expect(wrong).toEqual([]);
  });

  it('formats years with four digits and names months 1–12', () => {
    expect(formatIsoDate({ year: 999, month: 1, day: 2 })).toBe('0999-01-02');
    expect(formatIsoDate(d('2026-03-08'))).toBe('2026-03-08');
    expect([1, 9, 12].map(shortMonthName)).toEqual(['Jan', 'Sep', 'Dec']);
  });
});

describe('local dates in a zone', () => {
  it.each([
    // [instant, zone, local date]
    ['2026-11-29T03:00:00Z', 'America/Los_Angeles', '2026-11-28'],
    ['2026-11-29T03:00:00Z', 'Asia/Kolkata', '2026-11-29'],
    ['2026-11-29T10:00:00Z', 'Pacific/Kiritimati', '2026-11-30'],
    ['2026-11-29T09:59:59.999Z', 'Pacific/Kiritimati', '2026-11-29'],
    ['2026-11-29T11:00:00Z', 'Pacific/Pago_Pago', '2026-11-29'],
    ['2026-12-31T15:00:00Z', 'Asia/Tokyo', '2027-01-01'],
    ['2026-09-06T03:59:59Z', 'America/Santiago', '2026-09-05'],
    ['2026-09-06T04:00:00Z', 'America/Santiago', '2026-09-06'],
  ])('%s in %s is %s', (instant, zone, date) => {
    expect(formatIsoDate(dateIn(new Date(instant), zone))).toBe(date);
  });

  it('reads the wall clock in the zone', () => {
    expect(timeIn(new Date('2026-03-08T07:00:00Z'), 'America/New_York')).toEqual({ hour: 3, minute: 0 });
    expect(timeIn(new Date('2026-03-08T06:59:00Z'), 'America/New_York')).toEqual({ hour: 1, minute: 59 });
    expect(timeIn(new Date('2026-11-29T10:30:00Z'), 'Asia/Kolkata')).toEqual({ hour: 16, minute: 0 });
  });

  it.each([
    // [date, zone, first instant of the local day]
    ['2026-11-30', 'America/New_York', '2026-11-30T05:00:00Z'],
    ['2026-07-06', 'America/New_York', '2026-07-06T04:00:00Z'],
    ['2026-03-08', 'America/New_York', '2026-03-08T05:00:00Z'], // spring forward at 02:00: midnight exists
    ['2026-11-01', 'America/New_York', '2026-11-01T04:00:00Z'], // fall back at 02:00
    ['2026-09-06', 'America/Santiago', '2026-09-06T04:00:00Z'], // midnight skipped: the day starts at 01:00 -03
    ['2026-09-07', 'America/Santiago', '2026-09-07T03:00:00Z'],
    ['2026-03-29', 'Asia/Beirut', '2026-03-28T22:00:00Z'], // midnight skipped: 01:00 +03
    ['2026-03-28', 'Asia/Beirut', '2026-03-27T22:00:00Z'],
    ['2026-03-29', 'Europe/London', '2026-03-29T00:00:00Z'],
    ['2026-10-04', 'Australia/Lord_Howe', '2026-10-03T13:30:00Z'], // +10:30 until 02:00
    ['2026-10-05', 'Australia/Lord_Howe', '2026-10-04T13:00:00Z'], // +11 after
    ['2026-11-30', 'Pacific/Kiritimati', '2026-11-29T10:00:00Z'],
    ['2027-01-01', 'Asia/Tokyo', '2026-12-31T15:00:00Z'],
    ['2026-11-30', 'Asia/Kathmandu', '2026-11-29T18:15:00Z'],
  ])('%s in %s starts at %s', (date, zone, start) => {
    expect(iso(startOfDayIn(d(date), zone))).toBe(z(start));
  });

  it('a day starts at its first instant, in zones with DST at midnight, for every day of 2026', () => {
    const wrong: string[] = [];
    for (const zone of ['America/Santiago', 'Asia/Beirut', 'America/Havana', 'America/New_York', 'Australia/Lord_Howe', 'Pacific/Kiritimati', 'Asia/Tokyo']) {
      for (let date = d('2026-01-01'); date.year === 2026; date = addDays(date, 1)) {
        const start = startOfDayIn(date, zone);
        const first = compareDates(dateIn(start, zone), date) === 0 && compareDates(dateIn(new Date(start.getTime() - 1), zone), addDays(date, -1)) === 0;
        if (!first) wrong.push(`${formatIsoDate(date)} ${zone}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it.each([
    ['2026-11-27', 'America/New_York', '2026-11-27T17:00:00Z'],
    ['2026-07-06', 'America/New_York', '2026-07-06T16:00:00Z'],
    ['2026-09-06', 'America/Santiago', '2026-09-06T15:00:00Z'],
    ['2026-11-30', 'Pacific/Kiritimati', '2026-11-29T22:00:00Z'],
  ])('noon on %s in %s is %s', (date, zone, noon) => {
    expect(iso(noonIn(d(date), zone))).toBe(z(noon));
  });

  it.each([
    // [date, zone, now, recorded at]: noon, or now for today before noon
    ['2026-11-27', 'America/New_York', '2026-11-27T15:00:00Z', '2026-11-27T15:00:00Z'], // today, 10:00: now
    ['2026-11-27', 'America/New_York', '2026-11-27T18:00:00Z', '2026-11-27T17:00:00Z'], // today, 13:00: noon
    ['2026-11-26', 'America/New_York', '2026-11-27T15:00:00Z', '2026-11-26T17:00:00Z'], // yesterday: noon
    ['2026-11-28', 'America/New_York', '2026-11-27T15:00:00Z', '2026-11-28T17:00:00Z'], // tomorrow: noon (the caller refuses it)
    ['2026-11-30', 'Pacific/Kiritimati', '2026-11-29T20:00:00Z', '2026-11-29T20:00:00Z'], // already Nov 30 there, 10:00: now
    ['2026-11-29', 'Pacific/Kiritimati', '2026-11-29T20:00:00Z', '2026-11-28T22:00:00Z'],
  ])('%s in %s at %s is recorded at %s', (date, zone, now, at) => {
    expect(iso(dayInstant(d(date), zone, new Date(now)))).toBe(z(at));
  });
});

describe('times of day in a zone', () => {
  it.each([
    // [date, time, zone, slot instant, wall-clock instant]
    ['2026-11-30', '09:00', 'America/New_York', '2026-11-30T14:00:00Z', '2026-11-30T14:00:00Z'],
    ['2026-07-06', '09:00', 'America/New_York', '2026-07-06T13:00:00Z', '2026-07-06T13:00:00Z'],
    ['2026-11-30', '09:00', 'Asia/Tokyo', '2026-11-30T00:00:00Z', '2026-11-30T00:00:00Z'],
    ['2026-11-30', '09:00', 'Pacific/Kiritimati', '2026-11-29T19:00:00Z', '2026-11-29T19:00:00Z'],
    // spring forward, New York 02:00 → 03:00: the slot is the jump; the wall clock moves by the gap
    ['2026-03-08', '02:30', 'America/New_York', '2026-03-08T07:00:00Z', '2026-03-08T07:30:00Z'],
    ['2026-03-08', '02:00', 'America/New_York', '2026-03-08T07:00:00Z', '2026-03-08T07:00:00Z'],
    ['2026-03-08', '03:00', 'America/New_York', '2026-03-08T07:00:00Z', '2026-03-08T07:00:00Z'],
    ['2026-03-08', '01:59', 'America/New_York', '2026-03-08T06:59:00Z', '2026-03-08T06:59:00Z'],
    // fall back, New York 02:00 → 01:00: a repeated time is its first occurrence
    ['2026-11-01', '01:30', 'America/New_York', '2026-11-01T05:30:00Z', '2026-11-01T05:30:00Z'],
    ['2026-11-01', '02:00', 'America/New_York', '2026-11-01T07:00:00Z', '2026-11-01T07:00:00Z'],
    // Sydney and Lord Howe (a half-hour gap)
    ['2026-10-04', '02:30', 'Australia/Sydney', '2026-10-03T16:00:00Z', '2026-10-03T16:30:00Z'],
    ['2026-10-04', '02:15', 'Australia/Lord_Howe', '2026-10-03T15:30:00Z', '2026-10-03T15:45:00Z'],
    ['2026-04-05', '02:30', 'Australia/Sydney', '2026-04-04T15:30:00Z', '2026-04-04T15:30:00Z'],
    // Santiago skips midnight
    ['2026-09-06', '00:00', 'America/Santiago', '2026-09-06T04:00:00Z', '2026-09-06T04:00:00Z'],
    ['2026-09-06', '00:30', 'America/Santiago', '2026-09-06T04:00:00Z', '2026-09-06T04:30:00Z'],
    ['2026-09-06', '01:00', 'America/Santiago', '2026-09-06T04:00:00Z', '2026-09-06T04:00:00Z'],
  ])('%s %s in %s: slot %s, wall clock %s', (date, time, zone, slot, wall) => {
    const t = parseTimeOfDay(time)!;
    expect(iso(slotInstant(d(date), t, zone))).toBe(z(slot));
    expect(iso(wallClockIn(d(date), t, zone))).toBe(z(wall));
  });

  it('a slot is the first instant the local clock reaches its time that day, every day of 2026', () => {
    const minutes = (instant: Date, zone: string) => {
      const { hour, minute } = timeIn(instant, zone);
      return hour * 60 + minute;
    };
    const wrong: string[] = [];
    for (const zone of ['America/New_York', 'Australia/Lord_Howe', 'America/Santiago', 'Asia/Beirut']) {
      for (let date = d('2026-01-01'); date.year === 2026; date = addDays(date, 1)) {
        for (const time of ['00:00', '00:30', '01:30', '02:00', '02:15', '02:30', '03:00', '12:00', '23:30']) {
          const t = parseTimeOfDay(time)!;
          const wanted = t.hour * 60 + t.minute;
          const slot = slotInstant(date, t, zone);
          const reached = compareDates(dateIn(slot, zone), date) === 0 && minutes(slot, zone) >= wanted;
          const before = new Date(slot.getTime() - 1);
          const notYet = compareDates(dateIn(before, zone), date) < 0 || minutes(before, zone) < wanted;
          if (!reached || !notYet) wrong.push(`${formatIsoDate(date)} ${time} ${zone}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it.each([
    // [zone, after, until, change]
    ['America/New_York', '2026-03-08T00:00:00Z', '2026-03-09T00:00:00Z', '2026-03-08T07:00:00Z'],
    ['America/New_York', '2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z', '2026-11-01T06:00:00Z'],
    ['Australia/Lord_Howe', '2026-10-03T00:00:00Z', '2026-10-04T00:00:00Z', '2026-10-03T15:30:00Z'],
    ['America/Santiago', '2026-09-05T12:00:00Z', '2026-09-06T12:00:00Z', '2026-09-06T04:00:00Z'],
    ['Europe/London', '2026-03-29T00:59:59Z', '2026-03-29T01:00:00Z', '2026-03-29T01:00:00Z'],
    ['America/New_York', '2026-03-09T00:00:00Z', '2026-03-10T00:00:00Z', null],
    ['Asia/Tokyo', '2026-01-01T00:00:00Z', '2026-12-31T00:00:00Z', null],
    ['America/New_York', '2026-03-09T00:00:00Z', '2026-03-08T00:00:00Z', null], // an empty window
  ])('the offset change in %s between %s and %s is %s', (zone, after, until, change) => {
    expect(iso(offsetChangeIn(zone, new Date(after), new Date(until)))).toBe(change === null ? null : z(change));
  });

  it.each([
    ['09:00', { hour: 9, minute: 0 }],
    ['9:05', { hour: 9, minute: 5 }],
    [' 23:59 ', { hour: 23, minute: 59 }],
    ['00:00', { hour: 0, minute: 0 }],
    ['24:00', undefined],
    ['9:5', undefined],
    ['12:60', undefined],
    ['0900', undefined],
  ])('parseTimeOfDay(%j)', (text, time) => {
    expect(parseTimeOfDay(text)).toEqual(time);
  });
});

describe('ISO-8601 text', () => {
  const date = (text: string): IsoValue => ({ kind: 'date', date: d(text) });
  const dateTime = (day: string, [hour, minute, second, millisecond]: number[], offsetMinutes: number | null): IsoValue => ({
    kind: 'dateTime',
    date: d(day),
    time: { hour: hour!, minute: minute!, second: second ?? 0, millisecond: millisecond ?? 0 },
    offsetMinutes,
  });

  it.each<[string, IsoValue | null, IsoValue | null]>([
    // [text, strict (webhook), with spaces (import)]
    ['2026-11-27', date('2026-11-27'), date('2026-11-27')],
    ['2028-02-29', date('2028-02-29'), date('2028-02-29')],
    ['2026-02-29', null, null],
    ['2026-04-31', null, null],
    ['2026-13-01', null, null],
    ['0050-01-01', null, null],
    ['2026-1-5', null, null],
    ['26-11-27', null, null],
    ['', null, null],
    [' 2026-11-27', null, null],
    ['2026-11-27T15:00:00Z', dateTime('2026-11-27', [15, 0], 0), dateTime('2026-11-27', [15, 0], 0)],
    ['2026-11-27T15:00Z', dateTime('2026-11-27', [15, 0], 0), dateTime('2026-11-27', [15, 0], 0)],
    ['2026-11-27t15:00:00z', dateTime('2026-11-27', [15, 0], 0), dateTime('2026-11-27', [15, 0], 0)],
    ['2026-11-27T10:00:00-05:00', dateTime('2026-11-27', [10, 0], -300), dateTime('2026-11-27', [10, 0], -300)],
    ['2026-11-27T10:00:00+0530', dateTime('2026-11-27', [10, 0], 330), dateTime('2026-11-27', [10, 0], 330)],
    ['2026-11-27T10:00:00+05', dateTime('2026-11-27', [10, 0], 300), dateTime('2026-11-27', [10, 0], 300)],
    ['2026-11-27T10:00:00+18:00', dateTime('2026-11-27', [10, 0], 1080), dateTime('2026-11-27', [10, 0], 1080)],
    ['2026-11-27T10:00:00-18:01', null, null],
    ['2026-11-27T10:00:00+19:00', null, null],
    ['2026-11-27T10:00:07.5Z', dateTime('2026-11-27', [10, 0, 7, 500], 0), dateTime('2026-11-27', [10, 0, 7, 500], 0)],
    ['2026-11-27T10:00:07,123456789Z', dateTime('2026-11-27', [10, 0, 7, 123], 0), dateTime('2026-11-27', [10, 0, 7, 123], 0)],
    ['2026-11-27T10:00:00', dateTime('2026-11-27', [10, 0], null), dateTime('2026-11-27', [10, 0], null)],
    ['2026-11-27T10:00', dateTime('2026-11-27', [10, 0], null), dateTime('2026-11-27', [10, 0], null)],
    ['2026-11-27 10:00:00Z', null, dateTime('2026-11-27', [10, 0], 0)],
    ['2026-11-27T10:00:00 +02:00', null, dateTime('2026-11-27', [10, 0], 120)],
    ['2026-11-27 10:00', null, dateTime('2026-11-27', [10, 0], null)],
    ['2026-11-27T24:00:00Z', null, null],
    ['2026-11-27T23:60Z', null, null],
    ['2026-11-27T23:59:60Z', null, null],
    ['2026-02-29T10:00:00Z', null, null],
    ['2026-11-27T10Z', null, null],
    ['2026-11-27T10:00:00EST', null, null],
    ['20261127T100000Z', null, null],
  ])('%j', (text, strict, spaced) => {
    expect(parseIso(text)).toEqual(strict);
    expect(parseIso(text, { spaces: true })).toEqual(spaced);
  });

  it.each([
    // [text, zone for an offset-less time, instant]
    ['2026-11-27T10:00:00-05:00', 'Asia/Tokyo', '2026-11-27T15:00:00Z'],
    ['2026-11-27T10:00:00+0530', 'UTC', '2026-11-27T04:30:00Z'],
    ['2026-11-27T00:30:00+14:00', 'UTC', '2026-11-26T10:30:00Z'],
    ['2026-11-27T10:00:07.5Z', 'America/New_York', '2026-11-27T10:00:07.500Z'],
    ['2026-11-27T10:00:00', 'America/New_York', '2026-11-27T15:00:00Z'],
    ['2026-11-27T10:00:00', 'Pacific/Kiritimati', '2026-11-26T20:00:00Z'],
    ['2026-03-08T02:30:00', 'America/New_York', '2026-03-08T07:30:00Z'], // in the gap: moved forward by it
    ['2026-11-01T01:30:00', 'America/New_York', '2026-11-01T05:30:00Z'], // repeated: the first
  ])('%s (zone %s) is %s', (text, zone, instant) => {
    const value = parseIso(text);
    expect(value?.kind).toBe('dateTime');
    if (value?.kind !== 'dateTime') return;
    expect(iso(isoInstant(value, zone))).toBe(z(instant));
  });

  it('parseIsoDate takes exactly YYYY-MM-DD', () => {
    expect(parseIsoDate('2026-03-08')).toEqual(d('2026-03-08'));
    expect(parseIsoDate('2026-3-8')).toBeNull();
    expect(parseIsoDate('2026-03-08T00:00Z')).toBeNull();
    expect(parseIsoDate('2026-02-30')).toBeNull();
  });
});

describe('date words', () => {
  it.each([
    // [word, today (a Wednesday unless said), date]
    ['today', '2026-11-25', '2026-11-25'],
    ['TODAY', '2026-11-25', '2026-11-25'],
    ['yesterday', '2026-11-25', '2026-11-24'],
    ['Yesterday', '2027-01-01', '2026-12-31'],
    ['yesterday', '2028-03-01', '2028-02-29'],
    ['yesterday', '2026-03-01', '2026-02-28'],
    // a weekday is the most recent one, today included
    ['wed', '2026-11-25', '2026-11-25'],
    ['wednesday', '2026-11-25', '2026-11-25'],
    ['weds', '2026-11-25', '2026-11-25'],
    ['wednes', '2026-11-25', '2026-11-25'],
    ['tue', '2026-11-25', '2026-11-24'],
    ['tues', '2026-11-25', '2026-11-24'],
    ['Tuesday', '2026-11-25', '2026-11-24'],
    ['mon', '2026-11-25', '2026-11-23'],
    ['sun', '2026-11-25', '2026-11-22'],
    ['sat', '2026-11-25', '2026-11-21'],
    ['fri', '2026-11-25', '2026-11-20'],
    ['thu', '2026-11-25', '2026-11-19'],
    ['thur', '2026-11-25', '2026-11-19'],
    ['thurs', '2026-11-25', '2026-11-19'],
    ['thu', '2027-01-01', '2026-12-31'], // Friday Jan 1: across the year end
    ['sat', '2027-01-01', '2026-12-26'],
    ['mon', '2028-03-01', '2028-02-28'],
  ])('%s on %s is %s', (word, today, date) => {
    expect(dateFromWord(word, d(today))).toEqual(d(date));
  });

  it.each(['tomorrow', 'mon.', 'mo', '2026-11-25', 'week', '', 'january'])('%j is not a date word', (word) => {
    expect(dateFromWord(word, d('2026-11-25'))).toBeNull();
  });

  it.each([
    ['sun', 0],
    ['Monday', 1],
    ['TUES', 2],
    ['wednes', 3],
    ['thurs', 4],
    ['fri', 5],
    ['saturday', 6],
    ['su', undefined],
    ['today', undefined],
  ])('weekdayFromWord(%j) is %s', (word, weekday) => {
    expect(weekdayFromWord(word)).toBe(weekday);
  });

  it.each([
    ['jan', 1],
    ['January', 1],
    ['feb', 2],
    ['sep', 9],
    ['sept', 9],
    ['SEPTEMBER', 9],
    ['oct', 10],
    ['dec', 12],
    ['juli', undefined],
    ['mon', undefined],
  ])('monthFromWord(%j) is %s', (word, month) => {
    expect(monthFromWord(word)).toBe(month);
  });
});

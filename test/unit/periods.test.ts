import { describe, expect, it } from 'vitest';
import type { BoardPeriod, PeriodRange } from '../../src/periods/types.js';
import {
  type Cadence,
  lastCompletePeriod,
  MAX_RANGE_DAYS,
  PERIOD_FORMS_HELP,
  type PeriodSettings,
  parsePeriod,
} from '../../src/periods/parse-period.js';

// The process runs in Pacific/Kiritimati (UTC+14, vitest.config.ts): every expectation below is an
// exact UTC instant, so leaning on the process zone anywhere fails here.

/** [start ISO, end ISO, label] */
type Expected = [string, string, string];

function settings(timeZone: string, overrides: Partial<PeriodSettings> = {}): PeriodSettings {
  return { timeZone, weekStartsOn: 1, fiscalYearStartMonth: 1, ...overrides };
}

function periodOf(text: string, now: string, s: PeriodSettings): BoardPeriod {
  const result = parsePeriod(text, new Date(now), s);
  if (!result.ok) throw new Error(`expected a period for ${JSON.stringify(text)}, got: ${result.error}`);
  return result.period;
}

function errorOf(text: string, now: string, s: PeriodSettings): string {
  const result = parsePeriod(text, new Date(now), s);
  if (result.ok) throw new Error(`expected an error for ${JSON.stringify(text)}, got ${JSON.stringify(result.period)}`);
  return result.error;
}

function plain(range: PeriodRange): Expected {
  return [range.start.toISOString(), range.end.toISOString(), range.label];
}

const iso = (text: string) => new Date(text).toISOString();
const hours = (range: PeriodRange) => (range.end.getTime() - range.start.getTime()) / 3_600_000;

/** Compares a period with the expected current and previous ranges (ISO strings may omit ms). */
function expectPeriod(period: BoardPeriod, current: Expected, previous: Expected) {
  const norm = ([start, end, label]: Expected): Expected => [iso(start), iso(end), label];
  expect({ current: plain(period.current), previous: plain(period.previous) }).toEqual({
    current: norm(current),
    previous: norm(previous),
  });
}

// Wednesday 2026-11-25, 10:30 in New York (EST, UTC-5 since Nov 1).
const NOW = '2026-11-25T15:30:00Z';
const NY = settings('America/New_York');

describe('every form (New York, Wed Nov 25 2026 10:30, Monday weeks, calendar years)', () => {
  it.each<[string, Expected, Expected]>([
    ['', ['2026-11-23T05:00Z', '2026-11-30T05:00Z', 'This week (Nov 23 – 29)'], ['2026-11-16T05:00Z', '2026-11-23T05:00Z', 'Last week (Nov 16 – 22)']],
    ['this week', ['2026-11-23T05:00Z', '2026-11-30T05:00Z', 'This week (Nov 23 – 29)'], ['2026-11-16T05:00Z', '2026-11-23T05:00Z', 'Last week (Nov 16 – 22)']],
    ['last week', ['2026-11-16T05:00Z', '2026-11-23T05:00Z', 'Last week (Nov 16 – 22)'], ['2026-11-09T05:00Z', '2026-11-16T05:00Z', 'Nov 9 – 15']],
    ['today', ['2026-11-25T05:00Z', '2026-11-26T05:00Z', 'Today (Nov 25)'], ['2026-11-24T05:00Z', '2026-11-25T05:00Z', 'Yesterday (Nov 24)']],
    ['yesterday', ['2026-11-24T05:00Z', '2026-11-25T05:00Z', 'Yesterday (Nov 24)'], ['2026-11-23T05:00Z', '2026-11-24T05:00Z', 'Nov 23']],
    // Nov 1 00:00 is still EDT (UTC-4); Dec 1 00:00 is EST.
    ['this month', ['2026-11-01T04:00Z', '2026-12-01T05:00Z', 'November 2026'], ['2026-10-01T04:00Z', '2026-11-01T04:00Z', 'October 2026']],
    ['last month', ['2026-10-01T04:00Z', '2026-11-01T04:00Z', 'October 2026'], ['2026-09-01T04:00Z', '2026-10-01T04:00Z', 'September 2026']],
    ['this quarter', ['2026-10-01T04:00Z', '2027-01-01T05:00Z', 'Q4 2026'], ['2026-07-01T04:00Z', '2026-10-01T04:00Z', 'Q3 2026']],
    ['last quarter', ['2026-07-01T04:00Z', '2026-10-01T04:00Z', 'Q3 2026'], ['2026-04-01T04:00Z', '2026-07-01T04:00Z', 'Q2 2026']],
    ['this year', ['2026-01-01T05:00Z', '2027-01-01T05:00Z', '2026'], ['2025-01-01T05:00Z', '2026-01-01T05:00Z', '2025']],
    ['last year', ['2025-01-01T05:00Z', '2026-01-01T05:00Z', '2025'], ['2024-01-01T05:00Z', '2025-01-01T05:00Z', '2024']],
    ['2025', ['2025-01-01T05:00Z', '2026-01-01T05:00Z', '2025'], ['2024-01-01T05:00Z', '2025-01-01T05:00Z', '2024']],
    ['ytd', ['2026-01-01T05:00Z', '2026-11-26T05:00Z', '2026 so far'], ['2025-01-01T05:00Z', '2025-11-26T05:00Z', 'Jan 1 – Nov 25, 2025']],
    ['last 7 days', ['2026-11-19T05:00Z', '2026-11-26T05:00Z', 'Last 7 days (Nov 19 – 25)'], ['2026-11-12T05:00Z', '2026-11-19T05:00Z', 'Previous 7 days (Nov 12 – 18)']],
    // 30 days back crosses the fall-back change: Oct 27 00:00 is EDT.
    ['last 30 days', ['2026-10-27T04:00Z', '2026-11-26T05:00Z', 'Last 30 days (Oct 27 – Nov 25)'], ['2026-09-27T04:00Z', '2026-10-27T04:00Z', 'Previous 30 days (Sep 27 – Oct 26)']],
    ['last 1 day', ['2026-11-25T05:00Z', '2026-11-26T05:00Z', 'Last 1 day (Nov 25)'], ['2026-11-24T05:00Z', '2026-11-25T05:00Z', 'Previous 1 day (Nov 24)']],
    ['october', ['2026-10-01T04:00Z', '2026-11-01T04:00Z', 'October 2026'], ['2026-09-01T04:00Z', '2026-10-01T04:00Z', 'September 2026']],
    ['oct', ['2026-10-01T04:00Z', '2026-11-01T04:00Z', 'October 2026'], ['2026-09-01T04:00Z', '2026-10-01T04:00Z', 'September 2026']],
    ['november', ['2026-11-01T04:00Z', '2026-12-01T05:00Z', 'November 2026'], ['2026-10-01T04:00Z', '2026-11-01T04:00Z', 'October 2026']],
    ['december', ['2025-12-01T05:00Z', '2026-01-01T05:00Z', 'December 2025'], ['2025-11-01T04:00Z', '2025-12-01T05:00Z', 'November 2025']],
    ['october 2025', ['2025-10-01T04:00Z', '2025-11-01T04:00Z', 'October 2025'], ['2025-09-01T04:00Z', '2025-10-01T04:00Z', 'September 2025']],
    ['sept 2026', ['2026-09-01T04:00Z', '2026-10-01T04:00Z', 'September 2026'], ['2026-08-01T04:00Z', '2026-09-01T04:00Z', 'August 2026']],
    ['jan 2026', ['2026-01-01T05:00Z', '2026-02-01T05:00Z', 'January 2026'], ['2025-12-01T05:00Z', '2026-01-01T05:00Z', 'December 2025']],
    ['q3', ['2026-07-01T04:00Z', '2026-10-01T04:00Z', 'Q3 2026'], ['2026-04-01T04:00Z', '2026-07-01T04:00Z', 'Q2 2026']],
    ['q4', ['2026-10-01T04:00Z', '2027-01-01T05:00Z', 'Q4 2026'], ['2026-07-01T04:00Z', '2026-10-01T04:00Z', 'Q3 2026']],
    ['q1 2026', ['2026-01-01T05:00Z', '2026-04-01T04:00Z', 'Q1 2026'], ['2025-10-01T04:00Z', '2026-01-01T05:00Z', 'Q4 2025']],
    ['q3 2026', ['2026-07-01T04:00Z', '2026-10-01T04:00Z', 'Q3 2026'], ['2026-04-01T04:00Z', '2026-07-01T04:00Z', 'Q2 2026']],
    // 31 days, so the previous range is the 31 days before Oct 1.
    ['2026-10-01..2026-10-31', ['2026-10-01T04:00Z', '2026-11-01T04:00Z', 'Oct 1 – Oct 31, 2026'], ['2026-08-31T04:00Z', '2026-10-01T04:00Z', 'Aug 31 – Sep 30, 2026']],
    ['2025-12-15 to 2026-01-14', ['2025-12-15T05:00Z', '2026-01-15T05:00Z', 'Dec 15, 2025 – Jan 14, 2026'], ['2025-11-14T05:00Z', '2025-12-15T05:00Z', 'Nov 14 – Dec 14, 2025']],
    // A range may end after today: like `this week`, the data just is not there yet.
    ['2026-11-20..2026-12-05', ['2026-11-20T05:00Z', '2026-12-06T05:00Z', 'Nov 20 – Dec 5, 2026'], ['2026-11-04T05:00Z', '2026-11-20T05:00Z', 'Nov 4 – Nov 19, 2026']],
    ['2026-10-01', ['2026-10-01T04:00Z', '2026-10-02T04:00Z', 'Oct 1, 2026'], ['2026-09-30T04:00Z', '2026-10-01T04:00Z', 'Sep 30, 2026']],
    // Feb 1 .. Nov 25 is 298 local days; the previous period is the 298 days before Feb 1.
    ['since 2026-02-01', ['2026-02-01T05:00Z', '2026-11-26T05:00Z', 'Since Feb 1, 2026'], ['2025-04-09T04:00Z', '2026-02-01T05:00Z', 'Apr 9, 2025 – Jan 31, 2026']],
    ['since 2026-11-25', ['2026-11-25T05:00Z', '2026-11-26T05:00Z', 'Since Nov 25, 2026'], ['2026-11-24T05:00Z', '2026-11-25T05:00Z', 'Nov 24, 2026']],
  ])('%j', (text, current, previous) => {
    const period = periodOf(text, NOW, NY);
    expectPeriod(period, current, previous);
    expect(period.timeZone).toBe('America/New_York');
  });
});

describe('spelling: case, spaces and synonyms', () => {
  it.each<[string, string]>([
    ['  LAST   Week ', 'last week'],
    ['This Month', 'this month'],
    ['\tthis\u00a0week\n', 'this week'],
    ['week', 'this week'],
    ['previous month', 'last month'],
    ['YTD', 'ytd'],
    ['year to date', 'ytd'],
    ['Past 7 Days', 'last 7 days'],
    ['last 7d', 'last 7 days'],
    ['OCT 2025', 'october 2025'],
    ['Oct. 2025', 'october 2025'],
    ['September', 'sept 2026'],
    ['Q3', 'q3'],
    ['q3 fy2026', 'q3 2026'],
    ['fy2025', '2025'],
    ['SINCE 2026-02-01', 'since 2026-02-01'],
    ['since 2026-2-1', 'since 2026-02-01'],
    ['2026-10-01 .. 2026-10-31', '2026-10-01..2026-10-31'],
    ['from 2026-10-01 to 2026-10-31', '2026-10-01..2026-10-31'],
    ['2026-10-01 – 2026-10-31', '2026-10-01..2026-10-31'],
    ['2026-10-01-2026-10-31', '2026-10-01..2026-10-31'],
    ['2026-10-01..2026-10-01', '2026-10-01'],
  ])('%j reads like %j', (text, canonical) => {
    expect(periodOf(text, NOW, NY)).toEqual(periodOf(canonical, NOW, NY));
  });

  it('reads other lengths of `last N days`', () => {
    const period = periodOf('last 14 days', NOW, NY);
    expectPeriod(
      period,
      ['2026-11-12T05:00Z', '2026-11-26T05:00Z', 'Last 14 days (Nov 12 – 25)'],
      ['2026-10-29T04:00Z', '2026-11-12T05:00Z', 'Previous 14 days (Oct 29 – Nov 11)'],
    );
  });
});

describe('the previous period ends where the current one starts', () => {
  const forms = [
    '', 'last week', 'today', 'yesterday', 'this month', 'last month', 'this quarter', 'last quarter', 'this year',
    'last year', 'last 7 days', 'last 30 days', 'march', 'q1', 'q2 2025', '2024', 'since 2026-01-15',
    '2026-03-01..2026-04-15', '2026-03-08',
  ];
  it.each(['America/New_York', 'Australia/Sydney', 'Asia/Kolkata', 'Pacific/Auckland'])('in %s', (zone) => {
    for (const fiscalYearStartMonth of [1, 4, 10]) {
      for (const text of forms) {
        const { current, previous } = periodOf(text, NOW, settings(zone, { fiscalYearStartMonth }));
        expect(previous.end, `${text} (${zone}, FY from ${fiscalYearStartMonth})`).toEqual(current.start);
        expect(previous.start.getTime()).toBeLessThan(previous.end.getTime());
        expect(current.start.getTime()).toBeLessThan(current.end.getTime());
      }
    }
  });
});

describe('weeks across DST changes (start of the local day, 167 or 169 hours)', () => {
  it.each<[string, string, string, 0 | 1, Expected, number]>([
    // America/New_York: clocks go back on Sun Nov 1 2026 at 02:00, forward on Sun Mar 8 2026 at 02:00.
    ['New York fall back, Monday weeks', 'America/New_York', '2026-11-01T12:00:00Z', 1, ['2026-10-26T04:00Z', '2026-11-02T05:00Z', 'This week (Oct 26 – Nov 1)'], 169],
    ['New York fall back, Sunday weeks', 'America/New_York', '2026-11-01T12:00:00Z', 0, ['2026-11-01T04:00Z', '2026-11-08T05:00Z', 'This week (Nov 1 – 7)'], 169],
    ['New York spring forward, Monday weeks', 'America/New_York', '2026-03-08T18:00:00Z', 1, ['2026-03-02T05:00Z', '2026-03-09T04:00Z', 'This week (Mar 2 – 8)'], 167],
    ['New York spring forward, Sunday weeks', 'America/New_York', '2026-03-08T18:00:00Z', 0, ['2026-03-08T05:00Z', '2026-03-15T04:00Z', 'This week (Mar 8 – 14)'], 167],
    ['New York, week after fall back', 'America/New_York', '2026-11-04T12:00:00Z', 1, ['2026-11-02T05:00Z', '2026-11-09T05:00Z', 'This week (Nov 2 – 8)'], 168],
    // Europe/London: BST starts Sun Mar 29 2026 01:00 UTC, ends Sun Oct 25 2026 01:00 UTC.
    ['London spring forward', 'Europe/London', '2026-03-29T12:00:00Z', 1, ['2026-03-23T00:00Z', '2026-03-29T23:00Z', 'This week (Mar 23 – 29)'], 167],
    ['London fall back', 'Europe/London', '2026-10-25T12:00:00Z', 1, ['2026-10-18T23:00Z', '2026-10-26T00:00Z', 'This week (Oct 19 – 25)'], 169],
    // Australia/Sydney: AEDT (+11) ends Sun Apr 5 2026, starts Sun Oct 4 2026.
    ['Sydney fall back', 'Australia/Sydney', '2026-04-05T02:00:00Z', 1, ['2026-03-29T13:00Z', '2026-04-05T14:00Z', 'This week (Mar 30 – Apr 5)'], 169],
    ['Sydney spring forward', 'Australia/Sydney', '2026-10-04T02:00:00Z', 1, ['2026-09-27T14:00Z', '2026-10-04T13:00Z', 'This week (Sep 28 – Oct 4)'], 167],
    // Asia/Kolkata is UTC+5:30 all year; 20:00 UTC Wednesday is already Thursday 01:30 there.
    ['Kolkata half-hour offset', 'Asia/Kolkata', '2026-11-25T20:00:00Z', 1, ['2026-11-22T18:30Z', '2026-11-29T18:30Z', 'This week (Nov 23 – 29)'], 168],
  ])('%s', (_name, zone, now, weekStartsOn, current, length) => {
    const period = periodOf('this week', now, settings(zone, { weekStartsOn }));
    expect(plain(period.current)).toEqual([iso(current[0]), iso(current[1]), current[2]]);
    expect(hours(period.current)).toBe(length);
    expect(period.previous.end).toEqual(period.current.start);
  });

  it('gives last week its own length when the change is in it', () => {
    // Asked on Wed Nov 4 2026 in New York: last week is the 169-hour one.
    const period = periodOf('last week', '2026-11-04T12:00:00Z', NY);
    expect(plain(period.current)).toEqual([iso('2026-10-26T04:00Z'), iso('2026-11-02T05:00Z'), 'Last week (Oct 26 – Nov 1)']);
    expect(hours(period.current)).toBe(169);
    expect(hours(period.previous)).toBe(168);
  });

  it('starts a day at 01:00 where midnight is skipped (Santiago, DST starts Sun Sep 6 2026 at 00:00)', () => {
    const santiago = settings('America/Santiago', { weekStartsOn: 0 });
    const period = periodOf('this week', '2026-09-08T15:00:00Z', santiago);
    // Sep 6 00:00-04 does not exist: the day begins at 01:00-03 = 04:00Z. The next Sunday is at 00:00-03.
    expect(plain(period.current)).toEqual([iso('2026-09-06T04:00Z'), iso('2026-09-13T03:00Z'), 'This week (Sep 6 – 12)']);
    expect(period.previous.end).toEqual(period.current.start);
    expect(periodOf('2026-09-06', '2026-09-08T15:00:00Z', santiago).current.end).toEqual(new Date('2026-09-07T03:00Z'));
  });
});

describe('week start setting', () => {
  it.each<[string, string, 0 | 1 | 6, Expected, Expected]>([
    ['Sunday weeks on a Wednesday', NOW, 0, ['2026-11-22T05:00Z', '2026-11-29T05:00Z', 'This week (Nov 22 – 28)'], ['2026-11-15T05:00Z', '2026-11-22T05:00Z', 'Last week (Nov 15 – 21)']],
    ['Sunday weeks on the Sunday', '2026-11-22T15:00:00Z', 0, ['2026-11-22T05:00Z', '2026-11-29T05:00Z', 'This week (Nov 22 – 28)'], ['2026-11-15T05:00Z', '2026-11-22T05:00Z', 'Last week (Nov 15 – 21)']],
    ['Monday weeks on a Sunday', '2026-11-22T15:00:00Z', 1, ['2026-11-16T05:00Z', '2026-11-23T05:00Z', 'This week (Nov 16 – 22)'], ['2026-11-09T05:00Z', '2026-11-16T05:00Z', 'Last week (Nov 9 – 15)']],
    ['Saturday weeks on a Wednesday', NOW, 6, ['2026-11-21T05:00Z', '2026-11-28T05:00Z', 'This week (Nov 21 – 27)'], ['2026-11-14T05:00Z', '2026-11-21T05:00Z', 'Last week (Nov 14 – 20)']],
  ])('%s', (_name, now, weekStartsOn, current, previous) => {
    expectPeriod(periodOf('this week', now, settings('America/New_York', { weekStartsOn })), current, previous);
  });

  it('labels weeks across a year end with both years', () => {
    // Saturday Jan 2 2027 in New York.
    const now = '2027-01-02T15:00:00Z';
    expectPeriod(
      periodOf('this week', now, NY),
      ['2026-12-28T05:00Z', '2027-01-04T05:00Z', 'This week (Dec 28, 2026 – Jan 3, 2027)'],
      ['2026-12-21T05:00Z', '2026-12-28T05:00Z', 'Last week (Dec 21 – 27, 2026)'],
    );
    expect(periodOf('last week', now, NY).previous.label).toBe('Dec 14 – 20, 2026');
  });
});

describe('fiscal years', () => {
  // UTC keeps the instants readable; zones are covered above and in the Tokyo/Auckland cases.
  const fy = (fiscalYearStartMonth: number, timeZone = 'UTC') => settings(timeZone, { fiscalYearStartMonth });

  describe('starting in April (FY2027 = Apr 2026 – Mar 2027), asked on Nov 25 2026', () => {
    it.each<[string, Expected, Expected]>([
      ['this quarter', ['2026-10-01', '2027-01-01', 'Q3 FY2027'], ['2026-07-01', '2026-10-01', 'Q2 FY2027']],
      ['last quarter', ['2026-07-01', '2026-10-01', 'Q2 FY2027'], ['2026-04-01', '2026-07-01', 'Q1 FY2027']],
      ['q1', ['2026-04-01', '2026-07-01', 'Q1 FY2027'], ['2026-01-01', '2026-04-01', 'Q4 FY2026']],
      ['q2', ['2026-07-01', '2026-10-01', 'Q2 FY2027'], ['2026-04-01', '2026-07-01', 'Q1 FY2027']],
      ['q3', ['2026-10-01', '2027-01-01', 'Q3 FY2027'], ['2026-07-01', '2026-10-01', 'Q2 FY2027']],
      // Q4 FY2027 starts Jan 2027, not yet: the most recent Q4 that has started.
      ['q4', ['2026-01-01', '2026-04-01', 'Q4 FY2026'], ['2025-10-01', '2026-01-01', 'Q3 FY2026']],
      ['q1 2026', ['2025-04-01', '2025-07-01', 'Q1 FY2026'], ['2025-01-01', '2025-04-01', 'Q4 FY2025']],
      ['q4 fy2026', ['2026-01-01', '2026-04-01', 'Q4 FY2026'], ['2025-10-01', '2026-01-01', 'Q3 FY2026']],
      ['this year', ['2026-04-01', '2027-04-01', 'FY2027'], ['2025-04-01', '2026-04-01', 'FY2026']],
      ['last year', ['2025-04-01', '2026-04-01', 'FY2026'], ['2024-04-01', '2025-04-01', 'FY2025']],
      ['fy2026', ['2025-04-01', '2026-04-01', 'FY2026'], ['2024-04-01', '2025-04-01', 'FY2025']],
      ['ytd', ['2026-04-01', '2026-11-26', 'FY2027 so far'], ['2025-04-01', '2025-11-26', 'Apr 1 – Nov 25, 2025']],
      // Months stay calendar months.
      ['this month', ['2026-11-01', '2026-12-01', 'November 2026'], ['2026-10-01', '2026-11-01', 'October 2026']],
    ])('%j', (text, current, previous) => {
      expectPeriod(periodOf(text, '2026-11-25T12:00:00Z', fy(4)), current, previous);
    });
  });

  describe('starting in April, asked on Apr 10 2026 (just after the fiscal year turned)', () => {
    it.each<[string, Expected, Expected]>([
      ['this quarter', ['2026-04-01', '2026-07-01', 'Q1 FY2027'], ['2026-01-01', '2026-04-01', 'Q4 FY2026']],
      ['last quarter', ['2026-01-01', '2026-04-01', 'Q4 FY2026'], ['2025-10-01', '2026-01-01', 'Q3 FY2026']],
      ['q2', ['2025-07-01', '2025-10-01', 'Q2 FY2026'], ['2025-04-01', '2025-07-01', 'Q1 FY2026']],
      ['this year', ['2026-04-01', '2027-04-01', 'FY2027'], ['2025-04-01', '2026-04-01', 'FY2026']],
      ['ytd', ['2026-04-01', '2026-04-11', 'FY2027 so far'], ['2025-04-01', '2025-04-11', 'Apr 1 – Apr 10, 2025']],
    ])('%j', (text, current, previous) => {
      expectPeriod(periodOf(text, '2026-04-10T12:00:00Z', fy(4)), current, previous);
    });
  });

  describe('starting in October (FY2027 = Oct 2026 – Sep 2027), asked on Nov 25 2026', () => {
    it.each<[string, Expected, Expected]>([
      ['this quarter', ['2026-10-01', '2027-01-01', 'Q1 FY2027'], ['2026-07-01', '2026-10-01', 'Q4 FY2026']],
      ['last quarter', ['2026-07-01', '2026-10-01', 'Q4 FY2026'], ['2026-04-01', '2026-07-01', 'Q3 FY2026']],
      ['q1', ['2026-10-01', '2027-01-01', 'Q1 FY2027'], ['2026-07-01', '2026-10-01', 'Q4 FY2026']],
      ['q2', ['2026-01-01', '2026-04-01', 'Q2 FY2026'], ['2025-10-01', '2026-01-01', 'Q1 FY2026']],
      ['q3', ['2026-04-01', '2026-07-01', 'Q3 FY2026'], ['2026-01-01', '2026-04-01', 'Q2 FY2026']],
      ['q4', ['2026-07-01', '2026-10-01', 'Q4 FY2026'], ['2026-04-01', '2026-07-01', 'Q3 FY2026']],
      ['q1 2026', ['2025-10-01', '2026-01-01', 'Q1 FY2026'], ['2025-07-01', '2025-10-01', 'Q4 FY2025']],
      ['this year', ['2026-10-01', '2027-10-01', 'FY2027'], ['2025-10-01', '2026-10-01', 'FY2026']],
      ['ytd', ['2026-10-01', '2026-11-26', 'FY2027 so far'], ['2025-10-01', '2025-11-26', 'Oct 1 – Nov 25, 2025']],
    ])('%j', (text, current, previous) => {
      expectPeriod(periodOf(text, '2026-11-25T12:00:00Z', fy(10)), current, previous);
    });
  });

  it('decides the fiscal quarter by the local day (Sep 30 23:30 UTC is already Oct 1 in Auckland)', () => {
    const now = '2026-09-30T23:30:00Z';
    expectPeriod(
      periodOf('this quarter', now, fy(10, 'America/New_York')),
      ['2026-07-01T04:00Z', '2026-10-01T04:00Z', 'Q4 FY2026'],
      ['2026-04-01T04:00Z', '2026-07-01T04:00Z', 'Q3 FY2026'],
    );
    // NZDT (+13) began Sep 27 2026; NZST (+12) before it.
    expectPeriod(
      periodOf('this quarter', now, fy(10, 'Pacific/Auckland')),
      ['2026-09-30T11:00Z', '2026-12-31T11:00Z', 'Q1 FY2027'],
      ['2026-06-30T12:00Z', '2026-09-30T11:00Z', 'Q4 FY2026'],
    );
  });

  it('puts fiscal boundaries at local midnight (Tokyo, April)', () => {
    expectPeriod(
      periodOf('this year', '2026-11-25T12:00:00Z', fy(4, 'Asia/Tokyo')),
      ['2026-03-31T15:00Z', '2027-03-31T15:00Z', 'FY2027'],
      ['2025-03-31T15:00Z', '2026-03-31T15:00Z', 'FY2026'],
    );
  });

  it('refuses a fiscal quarter or year that has not started', () => {
    expect(errorOf('q4 2027', '2026-11-25T12:00:00Z', fy(4))).toBe(
      "Q4 FY2027 hasn't started yet. Pick one that has, e.g. `this month` or `last quarter`.",
    );
    expect(errorOf('fy2028', '2026-11-25T12:00:00Z', fy(4))).toMatch(/^FY2028 hasn't started yet/);
    expect(periodOf('q3 2027', '2026-11-25T12:00:00Z', fy(4)).current.label).toBe('Q3 FY2027');
  });
});

describe('month names across a year end (New York, Wed Feb 10 2027)', () => {
  const now = '2027-02-10T17:00:00Z';
  it.each<[string, Expected, Expected]>([
    ['october', ['2026-10-01T04:00Z', '2026-11-01T04:00Z', 'October 2026'], ['2026-09-01T04:00Z', '2026-10-01T04:00Z', 'September 2026']],
    ['dec', ['2026-12-01T05:00Z', '2027-01-01T05:00Z', 'December 2026'], ['2026-11-01T04:00Z', '2026-12-01T05:00Z', 'November 2026']],
    ['january', ['2027-01-01T05:00Z', '2027-02-01T05:00Z', 'January 2027'], ['2026-12-01T05:00Z', '2027-01-01T05:00Z', 'December 2026']],
    ['february', ['2027-02-01T05:00Z', '2027-03-01T05:00Z', 'February 2027'], ['2027-01-01T05:00Z', '2027-02-01T05:00Z', 'January 2027']],
    ['march', ['2026-03-01T05:00Z', '2026-04-01T04:00Z', 'March 2026'], ['2026-02-01T05:00Z', '2026-03-01T05:00Z', 'February 2026']],
    ['this month', ['2027-02-01T05:00Z', '2027-03-01T05:00Z', 'February 2027'], ['2027-01-01T05:00Z', '2027-02-01T05:00Z', 'January 2027']],
    ['last month', ['2027-01-01T05:00Z', '2027-02-01T05:00Z', 'January 2027'], ['2026-12-01T05:00Z', '2027-01-01T05:00Z', 'December 2026']],
    ['this quarter', ['2027-01-01T05:00Z', '2027-04-01T04:00Z', 'Q1 2027'], ['2026-10-01T04:00Z', '2027-01-01T05:00Z', 'Q4 2026']],
    ['last quarter', ['2026-10-01T04:00Z', '2027-01-01T05:00Z', 'Q4 2026'], ['2026-07-01T04:00Z', '2026-10-01T04:00Z', 'Q3 2026']],
    ['q4', ['2026-10-01T04:00Z', '2027-01-01T05:00Z', 'Q4 2026'], ['2026-07-01T04:00Z', '2026-10-01T04:00Z', 'Q3 2026']],
    ['feb 2027', ['2027-02-01T05:00Z', '2027-03-01T05:00Z', 'February 2027'], ['2027-01-01T05:00Z', '2027-02-01T05:00Z', 'January 2027']],
  ])('%j', (text, current, previous) => {
    expectPeriod(periodOf(text, now, NY), current, previous);
  });

  it('refuses a named month that has not started', () => {
    expect(errorOf('march 2027', now, NY)).toBe("March 2027 hasn't started yet. Pick one that has, e.g. `this month` or `last quarter`.");
  });
});

describe('the local day, not the UTC one, near midnight', () => {
  it.each<[string, string, string, string, Expected]>([
    // Wed Nov 25 23:30 in Los Angeles is Thursday in UTC (and in the Kiritimati process zone).
    ['Los Angeles late evening: today', 'America/Los_Angeles', '2026-11-26T07:30:00Z', 'today', ['2026-11-25T08:00Z', '2026-11-26T08:00Z', 'Today (Nov 25)']],
    ['Los Angeles on the last evening of a month', 'America/Los_Angeles', '2026-12-01T07:30:00Z', 'this month', ['2026-11-01T07:00Z', '2026-12-01T08:00Z', 'November 2026']],
    ['Los Angeles on New Year’s Eve', 'America/Los_Angeles', '2027-01-01T07:30:00Z', 'ytd', ['2026-01-01T08:00Z', '2027-01-01T08:00Z', '2026 so far']],
    // Tue Dec 1 00:30 in Auckland (NZDT, +13) is still Nov 30 in UTC.
    ['Auckland just after midnight: this month', 'Pacific/Auckland', '2026-11-30T11:30:00Z', 'this month', ['2026-11-30T11:00Z', '2026-12-31T11:00Z', 'December 2026']],
    ['Auckland just after midnight: yesterday', 'Pacific/Auckland', '2026-11-30T11:30:00Z', 'yesterday', ['2026-11-29T11:00Z', '2026-11-30T11:00Z', 'Yesterday (Nov 30)']],
    // Mon Nov 30 00:30 in Auckland is Sunday in UTC.
    ['Auckland Monday 00:30: this week', 'Pacific/Auckland', '2026-11-29T11:30:00Z', 'this week', ['2026-11-29T11:00Z', '2026-12-06T11:00Z', 'This week (Nov 30 – Dec 6)']],
    ['Auckland: last 7 days', 'Pacific/Auckland', '2026-11-29T11:30:00Z', 'last 7 days', ['2026-11-23T11:00Z', '2026-11-30T11:00Z', 'Last 7 days (Nov 24 – 30)']],
  ])('%s', (_name, zone, now, text, current) => {
    expect(plain(periodOf(text, now, settings(zone)).current)).toEqual([iso(current[0]), iso(current[1]), current[2]]);
  });

  it('accepts `since` today and refuses tomorrow by the local day', () => {
    // 23:30 on Nov 25 in Los Angeles: Nov 26 is tomorrow there, although it is today in UTC.
    const la = settings('America/Los_Angeles');
    expect(errorOf('since 2026-11-26', '2026-11-26T07:30:00Z', la)).toBe(
      '`since 2026-11-26` starts after today (today is Nov 25, 2026 in America/Los_Angeles). Pick days up to today.',
    );
    expect(periodOf('since 2026-11-25', '2026-11-26T07:30:00Z', la).current.start).toEqual(new Date('2026-11-25T08:00Z'));
  });
});

describe('year to date on a leap day', () => {
  it('compares with the same span last year, Feb 29 counting as Feb 28', () => {
    expectPeriod(
      periodOf('ytd', '2028-02-29T12:00:00Z', settings('UTC')),
      ['2028-01-01', '2028-03-01', '2028 so far'],
      ['2027-01-01', '2027-03-01', 'Jan 1 – Feb 28, 2027'],
    );
  });
});

describe('lastCompletePeriod', () => {
  it.each<[string, Cadence, string, PeriodSettings, Expected, Expected]>([
    // Monday Mar 9 2026 09:00 EDT, the morning after spring forward: last week is 167 hours.
    ['weekly, Monday 09:00 New York after spring forward', 'weekly', '2026-03-09T13:00:00Z', NY, ['2026-03-02T05:00Z', '2026-03-09T04:00Z', 'Last week (Mar 2 – 8)'], ['2026-02-23T05:00Z', '2026-03-02T05:00Z', 'Feb 23 – Mar 1']],
    // Monday Nov 2 2026 09:00 EST, the morning after fall back: last week is 169 hours.
    ['weekly, Monday 09:00 New York after fall back', 'weekly', '2026-11-02T14:00:00Z', NY, ['2026-10-26T04:00Z', '2026-11-02T05:00Z', 'Last week (Oct 26 – Nov 1)'], ['2026-10-19T04:00Z', '2026-10-26T04:00Z', 'Oct 19 – 25']],
    ['weekly, slot mid-week', 'weekly', NOW, NY, ['2026-11-16T05:00Z', '2026-11-23T05:00Z', 'Last week (Nov 16 – 22)'], ['2026-11-09T05:00Z', '2026-11-16T05:00Z', 'Nov 9 – 15']],
    ['weekly, Sunday weeks, Sunday slot', 'weekly', '2026-11-22T14:00:00Z', settings('America/New_York', { weekStartsOn: 0 }), ['2026-11-15T05:00Z', '2026-11-22T05:00Z', 'Last week (Nov 15 – 21)'], ['2026-11-08T05:00Z', '2026-11-15T05:00Z', 'Nov 8 – 14']],
    // Monday 09:00 in Sydney is Sunday 22:00 UTC.
    ['weekly, Monday 09:00 Sydney', 'weekly', '2026-11-22T22:00:00Z', settings('Australia/Sydney'), ['2026-11-15T13:00Z', '2026-11-22T13:00Z', 'Last week (Nov 16 – 22)'], ['2026-11-08T13:00Z', '2026-11-15T13:00Z', 'Nov 9 – 15']],
    ['daily, 09:00 New York', 'daily', '2026-11-25T14:00:00Z', NY, ['2026-11-24T05:00Z', '2026-11-25T05:00Z', 'Yesterday (Nov 24)'], ['2026-11-23T05:00Z', '2026-11-24T05:00Z', 'Nov 23']],
    ['daily, the day of spring forward is 23 hours', 'daily', '2026-03-09T13:00:00Z', NY, ['2026-03-08T05:00Z', '2026-03-09T04:00Z', 'Yesterday (Mar 8)'], ['2026-03-07T05:00Z', '2026-03-08T05:00Z', 'Mar 7']],
    ['daily, New Year’s Day', 'daily', '2027-01-01T14:00:00Z', NY, ['2026-12-31T05:00Z', '2027-01-01T05:00Z', 'Yesterday (Dec 31, 2026)'], ['2026-12-30T05:00Z', '2026-12-31T05:00Z', 'Dec 30, 2026']],
    ['daily, 00:15 in Kolkata', 'daily', '2026-11-25T18:45:00Z', settings('Asia/Kolkata'), ['2026-11-24T18:30Z', '2026-11-25T18:30Z', 'Yesterday (Nov 25)'], ['2026-11-23T18:30Z', '2026-11-24T18:30Z', 'Nov 24']],
    ['monthly, Dec 1 09:00 New York', 'monthly', '2026-12-01T14:00:00Z', NY, ['2026-11-01T04:00Z', '2026-12-01T05:00Z', 'November 2026'], ['2026-10-01T04:00Z', '2026-11-01T04:00Z', 'October 2026']],
    ['monthly, Jan 1 09:00 New York', 'monthly', '2027-01-01T14:00:00Z', NY, ['2026-12-01T05:00Z', '2027-01-01T05:00Z', 'December 2026'], ['2026-11-01T04:00Z', '2026-12-01T05:00Z', 'November 2026']],
    // Dec 1 09:00 in Auckland is Nov 30 in UTC.
    ['monthly, Dec 1 09:00 Auckland', 'monthly', '2026-11-30T20:00:00Z', settings('Pacific/Auckland'), ['2026-10-31T11:00Z', '2026-11-30T11:00Z', 'November 2026'], ['2026-09-30T11:00Z', '2026-10-31T11:00Z', 'October 2026']],
  ])('%s', (_name, cadence, slot, s, current, previous) => {
    const period = lastCompletePeriod(cadence, new Date(slot), s);
    expectPeriod(period, current, previous);
    expect(period.timeZone).toBe(s.timeZone);
    expect(period.current.end.getTime()).toBeLessThanOrEqual(new Date(slot).getTime());
  });

  it('gives the lengths the DST changes make', () => {
    expect(hours(lastCompletePeriod('weekly', new Date('2026-03-09T13:00:00Z'), NY).current)).toBe(167);
    expect(hours(lastCompletePeriod('weekly', new Date('2026-11-02T14:00:00Z'), NY).current)).toBe(169);
    expect(hours(lastCompletePeriod('daily', new Date('2026-11-02T14:00:00Z'), NY).current)).toBe(25);
  });

  it('matches the parsed forms', () => {
    const slot = new Date(NOW);
    expect(lastCompletePeriod('weekly', slot, NY)).toEqual(periodOf('last week', NOW, NY));
    expect(lastCompletePeriod('daily', slot, NY)).toEqual(periodOf('yesterday', NOW, NY));
    expect(lastCompletePeriod('monthly', slot, NY)).toEqual(periodOf('last month', NOW, NY));
  });
});

describe('errors', () => {
  const examples = [
    'this week', 'last week', 'today', 'yesterday', 'this month', 'last month', 'october', 'oct 2025', 'this quarter',
    'last quarter', 'q3', 'q3 2026', 'this year', 'last year', '2025', 'ytd', 'last 7 days', 'last 30 days',
    'since 2026-02-01', '2026-10-01', '2026-10-01..2026-10-31',
  ];

  it('lists every form in the help, and each example there parses', () => {
    for (const example of examples) {
      expect(PERIOD_FORMS_HELP).toContain(`\`${example}\``);
      expect(parsePeriod(example, new Date(NOW), NY).ok, example).toBe(true);
    }
    for (const [, example] of PERIOD_FORMS_HELP.matchAll(/`([^`]+)`/g)) {
      expect(parsePeriod(example, new Date(NOW), NY).ok, example).toBe(true);
    }
  });

  it.each(['next week', 'last fortnight', 'octobre', 'q5', 'q0 2026', 'since yesterday', 'constructor', 'toString', '2026/10/01', 'last week please', 'last -3 days', '0999'])(
    '%j is not understood, and the reply lists the forms',
    (text) => {
      expect(errorOf(text, NOW, NY)).toBe(`I didn't understand the period \`${text}\`. Try one of these:\n${PERIOD_FORMS_HELP}`);
    },
  );

  it('shows the text safely inside the code span', () => {
    const error = errorOf('<@U123|ann> & `x`', NOW, NY);
    expect(error.split('\n')[0]).toBe("I didn't understand the period `&lt;@U123|ann&gt; &amp; 'x'`. Try one of these:");
    expect(errorOf('x'.repeat(500), NOW, NY).split('\n')[0].length).toBeLessThan(120);
  });

  it.each<[string, string]>([
    ['2026-10-31..2026-10-01', 'The range `2026-10-31..2026-10-01` ends before it starts: put the earlier day first, e.g. `2026-10-01..2026-10-31`.'],
    ['2026-12-01..2026-12-31', '`2026-12-01..2026-12-31` starts after today (today is Nov 25, 2026 in America/New_York). Pick days up to today.'],
    ['2026-11-26', '`2026-11-26` starts after today (today is Nov 25, 2026 in America/New_York). Pick days up to today.'],
    ['since 2027-01-01', '`since 2027-01-01` starts after today (today is Nov 25, 2026 in America/New_York). Pick days up to today.'],
    ['2026-02-30', '`2026-02-30` is not a date. Write days as YYYY-MM-DD, e.g. `2026-10-01`.'],
    ['2026-13-01..2026-12-01', '`2026-13-01` is not a date. Write days as YYYY-MM-DD, e.g. `2026-10-01`.'],
    ['2026-10-01..2026-10-32', '`2026-10-32` is not a date. Write days as YYYY-MM-DD, e.g. `2026-10-01`.'],
    ['2025-01-01..2026-01-02', '`2025-01-01..2026-01-02` covers 367 days; the most is 366. For longer spans use `this year`, `last year` or a year like `2025`.'],
    ['since 2025-11-24', '`since 2025-11-24` covers 367 days; the most is 366. For longer spans use `this year`, `last year` or a year like `2025`.'],
    ['last 0 days', '`last 0 days`: pick from 1 to 366 days, e.g. `last 7 days` or `last 30 days`.'],
    ['last 367 days', '`last 367 days`: pick from 1 to 366 days, e.g. `last 7 days` or `last 30 days`.'],
    ['december 2026', "December 2026 hasn't started yet. Pick one that has, e.g. `this month` or `last quarter`."],
    ['q1 2027', "Q1 2027 hasn't started yet. Pick one that has, e.g. `this month` or `last quarter`."],
    ['2027', "2027 hasn't started yet. Pick one that has, e.g. `this month` or `last quarter`."],
  ])('%j', (text, error) => {
    expect(errorOf(text, NOW, NY)).toBe(error);
  });

  it.each(['2024-01-01..2024-12-31', 'since 2025-11-25', `last ${MAX_RANGE_DAYS} days`, '2028-02-29..2028-02-29'])(
    '%j is within the limits',
    (text) => {
      const now = text.startsWith('2028') ? '2028-03-01T12:00:00Z' : NOW;
      const { current, previous } = periodOf(text, now, NY);
      expect(previous.end).toEqual(current.start);
    },
  );

  it('throws on settings no user can fix', () => {
    expect(() => parsePeriod('', new Date(NOW), settings('Mars/Olympus_Mons'))).toThrow(RangeError);
    expect(() => parsePeriod('', new Date(NOW), settings('UTC', { fiscalYearStartMonth: 13 }))).toThrow(RangeError);
    expect(() => parsePeriod('', new Date(NOW), settings('UTC', { fiscalYearStartMonth: 0 }))).toThrow(RangeError);
    expect(() => lastCompletePeriod('weekly', new Date(NOW), settings('Nowhere/Land'))).toThrow(RangeError);
  });
});

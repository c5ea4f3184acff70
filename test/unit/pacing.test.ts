/**
 * Pacing against targets: working days, the start / middle / end of a week, month and quarter, weekends,
 * proration for a mid-period join, exact money and the wording.
 *
 * Calendar used throughout (November 2026): Sun Nov 1, Mon Nov 2 … Mon Nov 23 – Sun Nov 29, Mon Nov 30.
 * Working days: November 21, October 22, December 23, Q4 2026 66. New York is UTC-5 (DST ended Nov 1).
 */
import { describe, expect, it } from 'vitest';
import type { PeriodSettings } from '../../src/periods/parse-period.js';
import {
  computeProgress,
  END_OF_WORKDAY_HOUR,
  localDayNumber,
  paceStatus,
  progressBar,
  targetForSpan,
  targetPeriodRange,
  workingDaysBetween,
  workingDaysIn,
  type ProgressInput,
  type TargetProgress,
} from '../../src/features/targets/pacing.js';

const NY: PeriodSettings = { timeZone: 'America/New_York', weekStartsOn: 1, fiscalYearStartMonth: 1 };

/** An instant from a New York wall-clock time in November–December 2026 (UTC-5). */
function ny(local: string): Date {
  return new Date(`${local}-05:00`);
}

function calls(actual: number, now: Date, extra: Partial<ProgressInput> = {}): TargetProgress | null {
  return computeProgress({
    metric: 'call',
    label: 'Calls',
    currency: null,
    amount: 50n,
    period: 'week',
    actual: BigInt(actual),
    now,
    settings: NY,
    joinedAt: null,
    ...extra,
  });
}

function revenue(actualMinor: bigint, now: Date, extra: Partial<ProgressInput> = {}): TargetProgress | null {
  return computeProgress({
    metric: 'revenue',
    label: 'Revenue',
    currency: 'USD',
    amount: 4_000_000n, // $40,000.00
    period: 'month',
    actual: actualMinor,
    now,
    settings: NY,
    joinedAt: null,
    ...extra,
  });
}

const textOf = (p: TargetProgress | null) => {
  if (!p) throw new Error('expected progress');
  return p.text;
};

describe('working days', () => {
  it('counts Monday to Friday in [from, to)', () => {
    const d = (iso: string) => localDayNumber(new Date(`${iso}T12:00:00Z`), 'UTC');
    expect(workingDaysBetween(d('2026-11-23'), d('2026-11-30'))).toBe(5); // a Mon–Sun week
    expect(workingDaysBetween(d('2026-11-28'), d('2026-11-30'))).toBe(0); // a weekend
    expect(workingDaysBetween(d('2026-11-27'), d('2026-11-28'))).toBe(1); // one Friday
    expect(workingDaysBetween(d('2026-11-01'), d('2026-12-01'))).toBe(21);
    expect(workingDaysBetween(d('2026-10-01'), d('2027-01-01'))).toBe(66);
    expect(workingDaysBetween(d('2026-11-30'), d('2026-11-23'))).toBe(0); // backwards: none
    // Brute force over many spans.
    const start = d('2026-01-01');
    for (let len = 0; len < 40; len++) {
      let count = 0;
      for (let x = start + 3; x < start + 3 + len; x++) {
        const wd = new Date(x * 86_400_000).getUTCDay();
        if (wd >= 1 && wd <= 5) count++;
      }
      expect(workingDaysBetween(start + 3, start + 3 + len)).toBe(count);
    }
  });

  it('counts the local days of periods, whatever the zone', () => {
    expect(workingDaysIn(targetPeriodRange('month', ny('2026-11-15T12:00'), NY), NY.timeZone)).toBe(21);
    expect(workingDaysIn(targetPeriodRange('quarter', ny('2026-11-15T12:00'), NY), NY.timeZone)).toBe(66);
    const tokyo = { ...NY, timeZone: 'Asia/Tokyo' };
    expect(workingDaysIn(targetPeriodRange('week', ny('2026-11-15T12:00'), tokyo), tokyo.timeZone)).toBe(5);
    // A fiscal year from February: the quarter of November is Nov 2026 – Jan 2027 (21 + 23 + 21).
    const fiscalFeb = { ...NY, fiscalYearStartMonth: 2 };
    const q = targetPeriodRange('quarter', ny('2026-11-15T12:00'), fiscalFeb);
    expect(q.label).toBe('Q4 FY2027');
    expect(workingDaysIn(q, NY.timeZone)).toBe(65);
  });
});

describe('pacing through a week (50 calls, Mon–Fri, New York)', () => {
  it('start: Monday morning nobody is behind; any calls are ahead', () => {
    expect(textOf(calls(0, ny('2026-11-23T09:00')))).toBe('Calls: 0 of 50 (0%) with 5 of 5 days left: on pace');
    expect(calls(0, ny('2026-11-23T09:00'))!.status).toBe('on_pace');
    expect(textOf(calls(4, ny('2026-11-23T09:00')))).toBe('Calls: 4 of 50 (8%) with 5 of 5 days left: ahead');
  });

  it('the weekend before the week counts as last week; Sunday night in New York is still Sunday', () => {
    // Sun Nov 22 23:30 New York is Mon Nov 23 04:30 UTC: still last week there, with its last day over.
    expect(textOf(calls(50, ny('2026-11-22T23:30')))).toBe('Calls: 50 of 50 (100%) with 0 of 5 days left: done');
  });

  it('middle: the issue example, Thursday morning with Mon–Wed over', () => {
    const p = calls(31, ny('2026-11-26T10:00'))!;
    expect(p.text).toBe('Calls: 31 of 50 (62%) with 2 of 5 days left: on pace');
    expect(p).toMatchObject({ metric: 'call', label: 'Calls', currency: null, actual: 31n, target: 50n, fullTarget: 50n, prorated: false, percent: 62, daysLeft: 2, daysTotal: 5, status: 'on_pace', period: 'week' });
    expect(p.periodLabel).toBe('This week (Nov 23 – 29)');
  });

  it('middle: expected is 30 after three days; behind below it, on pace up to 10% above, ahead beyond', () => {
    const thursday = ny('2026-11-26T10:00');
    expect(calls(29, thursday)!.status).toBe('behind');
    expect(calls(30, thursday)!.status).toBe('on_pace');
    expect(calls(33, thursday)!.status).toBe('on_pace'); // exactly 10% above
    expect(calls(34, thursday)!.status).toBe('ahead');
    expect(textOf(calls(29, thursday))).toBe('Calls: 29 of 50 (58%) with 2 of 5 days left: behind');
  });

  it(`today counts as elapsed from ${END_OF_WORKDAY_HOUR}:00 local time`, () => {
    expect(textOf(calls(30, ny('2026-11-25T16:59')))).toBe('Calls: 30 of 50 (60%) with 3 of 5 days left: ahead');
    expect(textOf(calls(30, ny('2026-11-25T17:00')))).toBe('Calls: 30 of 50 (60%) with 2 of 5 days left: on pace');
  });

  it('end: Friday during the day has one day left; from 17:00 none, and short of the target is behind', () => {
    expect(textOf(calls(43, ny('2026-11-27T10:00')))).toBe('Calls: 43 of 50 (86%) with 1 of 5 days left: on pace');
    expect(textOf(calls(49, ny('2026-11-27T17:30')))).toBe('Calls: 49 of 50 (98%) with 0 of 5 days left: behind');
    expect(textOf(calls(50, ny('2026-11-27T17:30')))).toBe('Calls: 50 of 50 (100%) with 0 of 5 days left: done');
    expect(textOf(calls(61, ny('2026-11-27T17:30')))).toBe('Calls: 61 of 50 (122%) with 0 of 5 days left: done');
  });

  it('weekend: the week is over on Saturday and Sunday', () => {
    expect(textOf(calls(40, ny('2026-11-28T10:00')))).toBe('Calls: 40 of 50 (80%) with 0 of 5 days left: behind');
    expect(textOf(calls(40, ny('2026-11-29T23:59')))).toBe('Calls: 40 of 50 (80%) with 0 of 5 days left: behind');
  });

  it('done as soon as the target is met, whenever that is', () => {
    expect(textOf(calls(50, ny('2026-11-23T09:00')))).toBe('Calls: 50 of 50 (100%) with 5 of 5 days left: done');
  });

  it('days and periods are the person’s own: in Kiritimati (UTC+14) Friday 12:00 UTC is already Saturday', () => {
    const kiritimati = { ...NY, timeZone: 'Pacific/Kiritimati' };
    expect(textOf(calls(50, new Date('2026-11-27T12:00:00Z'), { settings: kiritimati }))).toBe('Calls: 50 of 50 (100%) with 0 of 5 days left: done');
    expect(textOf(calls(10, new Date('2026-11-27T12:00:00Z')))).toBe('Calls: 10 of 50 (20%) with 1 of 5 days left: behind');
  });

  it('a week starting on Sunday still has five working days', () => {
    const sunday = { ...NY, weekStartsOn: 0 as const };
    const p = calls(0, ny('2026-11-22T10:00'), { settings: sunday })!;
    expect(p.text).toBe('Calls: 0 of 50 (0%) with 5 of 5 days left: on pace');
    expect(p.periodLabel).toBe('This week (Nov 22 – 28)');
  });
});

describe('pacing through a month (revenue $40,000, exact money)', () => {
  it('start: the 1st is a Sunday, and Monday morning is still the start', () => {
    expect(textOf(revenue(0n, ny('2026-11-01T10:00')))).toBe('Revenue: $0.00 of $40,000.00 (0%) with 21 of 21 days left: on pace');
    expect(textOf(revenue(0n, ny('2026-11-02T08:00')))).toBe('Revenue: $0.00 of $40,000.00 (0%) with 21 of 21 days left: on pace');
  });

  it('middle: the issue example, Friday Nov 13 with 9 working days over', () => {
    const p = revenue(1_250_000n, ny('2026-11-13T10:00'))!;
    expect(p.text).toBe('Revenue: $12,500.00 of $40,000.00 (31%) with 12 of 21 days left: behind');
    expect(p).toMatchObject({ currency: 'USD', actual: 1_250_000n, target: 4_000_000n, percent: 31, daysLeft: 12, daysTotal: 21, status: 'behind', period: 'month', periodLabel: 'November 2026' });
  });

  it('middle: exactly on the expected cent is on pace, a cent under is behind', () => {
    // After 7 of 21 days the expected amount is $40,000 × 7 / 21 = $13,333.333…: $13,333.34 is at or above it.
    const wed = ny('2026-11-11T10:00'); // Nov 2–6, 9, 10 are over: 7 days
    expect(revenue(1_333_334n, wed)!.status).toBe('on_pace');
    expect(revenue(1_333_333n, wed)!.status).toBe('behind');
    expect(revenue(1_466_667n, wed)!.status).toBe('ahead'); // above 110% of $13,333.33…
    expect(revenue(1_466_666n, wed)!.status).toBe('on_pace');
  });

  it('the weekend keeps the count of the Friday before', () => {
    expect(revenue(0n, ny('2026-11-07T12:00'))!.daysLeft).toBe(16);
    expect(revenue(0n, ny('2026-11-08T12:00'))!.daysLeft).toBe(16);
    expect(revenue(0n, ny('2026-11-09T12:00'))!.daysLeft).toBe(16);
    expect(revenue(0n, ny('2026-11-09T17:00'))!.daysLeft).toBe(15);
  });

  it('end: the last working day, then nothing left', () => {
    expect(textOf(revenue(3_999_999n, ny('2026-11-30T12:00')))).toBe('Revenue: $39,999.99 of $40,000.00 (99%) with 1 of 21 days left: on pace');
    expect(textOf(revenue(3_999_999n, ny('2026-11-30T18:00')))).toBe('Revenue: $39,999.99 of $40,000.00 (99%) with 0 of 21 days left: behind');
    expect(textOf(revenue(4_000_000n, ny('2026-11-30T18:00')))).toBe('Revenue: $40,000.00 of $40,000.00 (100%) with 0 of 21 days left: done');
  });

  it('money is exact far past a float’s precision', () => {
    const huge = 900_719_925_474_099_300n; // > 2^53 minor units
    const p = revenue(huge - 1n, ny('2026-11-30T18:00'), { amount: huge })!;
    expect(p.status).toBe('behind');
    expect(p.percent).toBe(99);
    expect(revenue(huge, ny('2026-11-30T18:00'), { amount: huge })!.status).toBe('done');
  });

  it('other currencies keep their own minor units', () => {
    const yen = revenue(1_250_000n, ny('2026-11-13T10:00'), { currency: 'JPY', amount: 5_000_000n })!;
    expect(yen.text).toBe('Revenue: ¥1,250,000 of ¥5,000,000 (25%) with 12 of 21 days left: behind');
  });
});

describe('a quarter', () => {
  it('Q4 2026 on Friday Nov 27: 22 October + 19 November days over, 25 of 66 left', () => {
    const p = computeProgress({ metric: 'demo', label: 'Demos', currency: null, amount: 66n, period: 'quarter', actual: 41n, now: ny('2026-11-27T10:00'), settings: NY, joinedAt: null })!;
    expect(p.text).toBe('Demos: 41 of 66 (62%) with 25 of 66 days left: on pace');
    expect(p.periodLabel).toBe('Q4 2026');
  });
});

describe('proration for a mid-period join', () => {
  it('joined Wednesday: 50 a week becomes 30 over their 3 days, paced over those days', () => {
    const joinedAt = ny('2026-11-25T09:00');
    const p = calls(10, ny('2026-11-26T10:00'), { joinedAt })!;
    expect(p.text).toBe('Calls: 10 of 30 (33%) with 2 of 3 days left: on pace');
    expect(p).toMatchObject({ target: 30n, fullTarget: 50n, prorated: true, daysTotal: 3, daysLeft: 2 });
    expect(calls(9, ny('2026-11-26T10:00'), { joinedAt })!.status).toBe('behind');
  });

  it('the join day is the local day: 22:00 Tuesday in New York is Wednesday in UTC', () => {
    const p = calls(0, ny('2026-11-25T10:00'), { joinedAt: new Date('2026-11-25T03:00:00Z') })!;
    expect(p).toMatchObject({ target: 40n, daysTotal: 4, daysLeft: 3, prorated: true });
  });

  it('counts round up: 7 a week from Wednesday is 4.2, so 5', () => {
    const p = calls(0, ny('2026-11-25T10:00'), { amount: 7n, joinedAt: ny('2026-11-25T09:00') })!;
    expect(p.target).toBe(5n);
  });

  it('money prorates exactly, rounded up to the cent: $40,000 × 11/21 from Monday Nov 16', () => {
    // 4,000,000 × 11 / 21 = 2,095,238.095… cents → 2,095,239.
    const p = revenue(0n, ny('2026-11-16T10:00'), { joinedAt: ny('2026-11-16T09:00') })!;
    expect(p.target).toBe(2_095_239n);
    expect(p.text).toBe('Revenue: $0.00 of $20,952.39 (0%) with 11 of 11 days left: on pace');
  });

  it('no proration when they joined before the period, or on the weekend right before it', () => {
    expect(calls(0, ny('2026-11-25T10:00'), { joinedAt: ny('2026-11-02T09:00') })!.prorated).toBe(false);
    const weekend = calls(0, ny('2026-11-25T10:00'), { joinedAt: ny('2026-11-21T09:00') })!;
    expect(weekend).toMatchObject({ prorated: false, target: 50n, daysTotal: 5 });
    // …but the month that weekend falls in is prorated: Nov 23–27 and 30, 6 of 21 days.
    const month = revenue(0n, ny('2026-11-25T10:00'), { joinedAt: ny('2026-11-21T09:00') })!;
    expect(month).toMatchObject({ prorated: true, daysTotal: 6, target: 1_142_858n }); // 4,000,000 × 6 / 21 = 1,142,857.14…
  });

  it('joined on a Sunday with a Sunday week start: all five working days are theirs', () => {
    const sunday = { ...NY, weekStartsOn: 0 as const };
    expect(calls(0, ny('2026-11-23T10:00'), { settings: sunday, joinedAt: ny('2026-11-22T09:00') })!.prorated).toBe(false);
  });

  it('joined after the period’s last working day: no target for them this period', () => {
    expect(calls(0, ny('2026-11-28T12:00'), { joinedAt: ny('2026-11-28T09:00') })).toBeNull();
  });
});

describe('paceStatus', () => {
  it.each([
    [0n, 50n, 0, 5, 'on_pace'],
    [1n, 50n, 0, 5, 'ahead'],
    [50n, 50n, 0, 5, 'done'],
    [9n, 50n, 1, 5, 'behind'],
    [10n, 50n, 1, 5, 'on_pace'],
    [11n, 50n, 1, 5, 'on_pace'],
    [12n, 50n, 1, 5, 'ahead'],
    [49n, 50n, 5, 5, 'behind'],
  ] as const)('%s of %s after %s of %s days: %s', (actual, target, elapsed, total, status) => {
    expect(paceStatus(actual, target, elapsed, total)).toBe(status);
  });
});

describe('progressBar', () => {
  it.each([
    [0, '░░░░░░░░░░'],
    [9, '░░░░░░░░░░'],
    [10, '▓░░░░░░░░░'],
    [50, '▓▓▓▓▓░░░░░'],
    [62, '▓▓▓▓▓▓░░░░'],
    [99, '▓▓▓▓▓▓▓▓▓░'],
    [100, '▓▓▓▓▓▓▓▓▓▓'],
    [250, '▓▓▓▓▓▓▓▓▓▓'],
    [-5, '░░░░░░░░░░'],
    [Number.NaN, '░░░░░░░░░░'],
  ])('%s%% → %s', (percent, bar) => {
    expect(progressBar(percent)).toBe(bar);
    expect([...progressBar(percent)]).toHaveLength(10);
  });
});

describe('targetForSpan: a target prorated to a leaderboard period', () => {
  const november = { start: ny('2026-11-01T00:00'), end: ny('2026-12-01T00:00') };

  it('50 a week over November (21 working days) is 50 × 21 / 5 = 210', () => {
    expect(targetForSpan({ amount: 50n, period: 'week', span: november, joinedAt: null, settings: NY })).toBe(210n);
  });

  it('a monthly target over its own month is itself; over one week it is its share of the month', () => {
    expect(targetForSpan({ amount: 4_000_000n, period: 'month', span: november, joinedAt: null, settings: NY })).toBe(4_000_000n);
    const week = { start: ny('2026-11-23T00:00'), end: ny('2026-11-30T00:00') };
    expect(targetForSpan({ amount: 4_000_000n, period: 'month', span: week, joinedAt: null, settings: NY })).toBe(952_381n); // 4e6 × 5/21, up
  });

  it('a span across two months takes each month’s share', () => {
    // Nov 23 – Dec 6: Nov 23–27, 30 (6 of 21) + Dec 1–4 (4 of 23).
    const span = { start: ny('2026-11-23T00:00'), end: ny('2026-12-07T00:00') };
    expect(targetForSpan({ amount: 2100n, period: 'month', span, joinedAt: null, settings: NY })).toBe(600n + 366n); // 2100×4/23 = 365.2 → 366
  });

  it('a quarterly target over a month', () => {
    expect(targetForSpan({ amount: 660n, period: 'quarter', span: november, joinedAt: null, settings: NY })).toBe(210n);
  });

  it('counts only the working days after joining; nothing when they joined after the span', () => {
    expect(targetForSpan({ amount: 50n, period: 'week', span: november, joinedAt: ny('2026-11-25T09:00'), settings: NY })).toBe(40n); // Nov 25–27 + Nov 30
    expect(targetForSpan({ amount: 50n, period: 'week', span: november, joinedAt: ny('2026-12-02T09:00'), settings: NY })).toBe(0n);
  });

  it('a weekend-only span has no target', () => {
    const weekend = { start: ny('2026-11-28T00:00'), end: ny('2026-11-30T00:00') };
    expect(targetForSpan({ amount: 50n, period: 'week', span: weekend, joinedAt: null, settings: NY })).toBe(0n);
  });
});

/**
 * Property tests of the period parser (`/leaderboard last month`, `q3 2026`, `2026-10-01..2026-10-31`): for any text,
 * zone, week start and fiscal year it returns a period or an error message, never throws, and every period it returns
 * is a real half-open range: start before end, the previous period before the current one, within the limits.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lastCompletePeriod, MAX_RANGE_DAYS, parsePeriod, type PeriodSettings } from '../../src/periods/parse-period.js';
import type { PeriodRange } from '../../src/periods/types.js';
import { anyText, dayWord, instant, numberWord, parserInput, runs, zone } from '../helpers/arbitraries.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const settings: fc.Arbitrary<PeriodSettings> = fc.record({
  timeZone: zone(),
  weekStartsOn: fc.constantFrom(0, 1, 2, 3, 4, 5, 6),
  fiscalYearStartMonth: fc.integer({ min: 1, max: 12 }),
});

function words(now: Date): fc.Arbitrary<string> {
  const year = fc.oneof(fc.integer({ min: 1000, max: 9999 }).map(String), fc.constantFrom('2025', '2026', '2027', '0999', '10000', '1969'));
  return fc.oneof(
    fc.constantFrom('this', 'last', 'previous', 'current', 'past', 'week', 'month', 'quarter', 'year', 'days', 'day', 'd', 'ytd', 'year-to-date', 'today', 'yesterday', 'since', 'from', 'on', 'to', 'fy', 'FY'),
    fc.constantFrom('january', 'Jan', 'feb.', 'sept', 'september', 'oct', 'december', 'dec.', 'mayo'),
    fc.oneof(fc.integer({ min: 0, max: 6 }).map((q) => `q${q}`), fc.constantFrom('Q3', 'q3fy', 'fy2026', 'FY 2027')),
    year,
    numberWord([MAX_RANGE_DAYS]),
    dayWord(now, 800),
    fc.tuple(dayWord(now, 800), fc.constantFrom('..', '...', ' to ', '-', ' – ', '—', ' .. '), dayWord(now, 800)).map(([a, s, b]) => `${a}${s}${b}`),
    anyText(6),
  );
}

/** Whole phrases of the grammar, so the forms with several words are reached as well as single words. */
function phrases(now: Date): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom('this week', 'last week', 'this month', 'last month', 'this quarter', 'last quarter', 'this year', 'last year', 'year to date', 'last 7 days', 'past 30 d', 'last 366 days', 'last 367 days', 'last 0 days'),
    fc.tuple(fc.constantFrom('last', 'past'), numberWord([MAX_RANGE_DAYS]), fc.constantFrom(' days', ' day', 'd', ' d', ' weeks')).map(([a, n, u]) => `${a} ${n}${u}`),
    fc.tuple(fc.constantFrom('q1', 'q2', 'q3', 'q4', 'Q4', 'oct', 'february', 'fy', ''), fc.integer({ min: 1000, max: 9999 })).map(([w, y]) => `${w} ${y}`.trim()),
    fc.tuple(fc.constantFrom('since ', 'from ', 'on ', ''), dayWord(now, 800)).map(([w, d]) => `${w}${d}`),
    fc.tuple(fc.constantFrom('', 'from '), dayWord(now, 800), fc.constantFrom('..', '...', ' to ', '-', '–'), dayWord(now, 800)).map((parts) => parts.join('')),
  );
}

/** A real half-open range with a label. */
function expectRange(range: PeriodRange): void {
  expect(Number.isNaN(range.start.getTime())).toBe(false);
  expect(Number.isNaN(range.end.getTime())).toBe(false);
  expect(range.start.getTime()).toBeLessThan(range.end.getTime());
  expect(range.label.trim()).not.toBe('');
}

describe('parsePeriod on any text', () => {
  it(`returns a period or an error, never throws; a period is a real range before which its previous one lies (${runs().numRuns} inputs)`, () => {
    const input = fc.record({ now: instant(), settings }).chain(({ now, settings: s }) =>
      fc.tuple(fc.constant(now), fc.constant(s), fc.oneof({ weight: 2, arbitrary: phrases(now) }, { weight: 3, arbitrary: parserInput(words(now), 4) })),
    );
    fc.assert(
      fc.property(input, ([now, s, text]) => {
        const result = parsePeriod(text, now, s);
        if (!result.ok) {
          expect(typeof result.error).toBe('string');
          expect(result.error.trim()).not.toBe('');
          return;
        }
        const { current, previous, timeZone } = result.period;
        expect(timeZone).toBe(s.timeZone);
        expectRange(current);
        expectRange(previous);
        expect(previous.end.getTime()).toBeLessThanOrEqual(current.start.getTime());
        // A period has started: it does not begin after tomorrow's start in the zone (at most a day and a bit ahead).
        expect(current.start.getTime()).toBeLessThanOrEqual(now.getTime() + DAY_MS + 2 * HOUR_MS);
        // Day ranges, `since` and `last N days` are bounded; the longest calendar unit is a (leap) year.
        expect(current.end.getTime() - current.start.getTime()).toBeLessThanOrEqual((MAX_RANGE_DAYS + 1) * DAY_MS);
      }),
      runs(),
    );
  });

  it('the scheduled boards\' periods: complete, adjacent, and before the slot', () => {
    fc.assert(
      fc.property(fc.constantFrom('daily' as const, 'weekly' as const, 'monthly' as const), instant(), settings, (cadence, slot, s) => {
        const { current, previous } = lastCompletePeriod(cadence, slot, s);
        expectRange(current);
        expectRange(previous);
        expect(previous.end.getTime()).toBe(current.start.getTime());
        expect(current.end.getTime()).toBeLessThanOrEqual(slot.getTime());
      }),
      runs(),
    );
  });
});

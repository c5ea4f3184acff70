/**
 * When scheduled leaderboards are due (latestSlot / nextSlot), DST edges included, and the arguments of
 * `/sales-admin leaderboard`. The test process runs in Pacific/Kiritimati (+14), so code leaning on the
 * process time zone instead of the schedule's shows up here.
 */
import { describe, expect, it } from 'vitest';
import {
  formatSlot,
  latestSlot,
  nextSlot,
  parseScheduleArgs,
  SCHEDULE_EXAMPLE,
  type ScheduleTiming,
} from '../../src/features/leaderboard/schedule.js';

const timing = (cadence: ScheduleTiming['cadence'], timeOfDay: string, timeZone: string, weekday = 1): ScheduleTiming => ({ cadence, weekday, timeOfDay, timeZone });
const NY_WEEKLY = timing('weekly', '09:00', 'America/New_York');

interface SlotCase {
  name: string;
  schedule: ScheduleTiming;
  now: string;
  latest: string;
  next: string;
}

const CASES: SlotCase[] = [
  // weekly, Monday 09:00 New York (14:00Z in winter, 13:00Z in summer)
  { name: 'weekly: exactly at the slot, it is the latest', schedule: NY_WEEKLY, now: '2026-11-30T14:00:00Z', latest: '2026-11-30T14:00:00Z', next: '2026-12-07T14:00:00Z' },
  { name: 'weekly: a second before, the week before', schedule: NY_WEEKLY, now: '2026-11-30T13:59:59Z', latest: '2026-11-23T14:00:00Z', next: '2026-11-30T14:00:00Z' },
  { name: 'weekly: midweek', schedule: NY_WEEKLY, now: '2026-12-02T00:00:00Z', latest: '2026-11-30T14:00:00Z', next: '2026-12-07T14:00:00Z' },
  { name: 'weekly: Monday 11:00, two hours after (catch-up)', schedule: NY_WEEKLY, now: '2026-11-30T16:00:00Z', latest: '2026-11-30T14:00:00Z', next: '2026-12-07T14:00:00Z' },
  { name: 'weekly: summer time', schedule: NY_WEEKLY, now: '2026-07-08T12:00:00Z', latest: '2026-07-06T13:00:00Z', next: '2026-07-13T13:00:00Z' },
  { name: 'weekly: across the fall-back week, the local time stays 09:00', schedule: NY_WEEKLY, now: '2026-11-02T13:30:00Z', latest: '2026-10-26T13:00:00Z', next: '2026-11-02T14:00:00Z' },
  { name: 'weekly: across the spring-forward week', schedule: NY_WEEKLY, now: '2026-03-09T13:30:00Z', latest: '2026-03-09T13:00:00Z', next: '2026-03-16T13:00:00Z' },
  { name: 'weekly Friday 16:30', schedule: timing('weekly', '16:30', 'America/New_York', 5), now: '2026-11-30T14:00:00Z', latest: '2026-11-27T21:30:00Z', next: '2026-12-04T21:30:00Z' },
  { name: 'weekly Sunday (weekday 0)', schedule: timing('weekly', '18:00', 'Europe/London', 0), now: '2026-11-30T14:00:00Z', latest: '2026-11-29T18:00:00Z', next: '2026-12-06T18:00:00Z' },
  // far east / far west of UTC: the local day is not the UTC day
  { name: 'Tokyo: Monday 09:00 JST is Monday 00:00Z', schedule: timing('weekly', '09:00', 'Asia/Tokyo'), now: '2026-11-30T00:00:00Z', latest: '2026-11-30T00:00:00Z', next: '2026-12-07T00:00:00Z' },
  { name: 'Tokyo: Sunday 23:59Z is already Monday 08:59 JST', schedule: timing('weekly', '09:00', 'Asia/Tokyo'), now: '2026-11-29T23:59:00Z', latest: '2026-11-23T00:00:00Z', next: '2026-11-30T00:00:00Z' },
  { name: 'Kiritimati (+14): daily 09:00', schedule: timing('daily', '09:00', 'Pacific/Kiritimati'), now: '2026-11-29T20:00:00Z', latest: '2026-11-29T19:00:00Z', next: '2026-11-30T19:00:00Z' },
  { name: 'Honolulu (-10): daily 23:30', schedule: timing('daily', '23:30', 'Pacific/Honolulu'), now: '2026-12-01T10:00:00Z', latest: '2026-12-01T09:30:00Z', next: '2026-12-02T09:30:00Z' },
  { name: 'Kolkata (+05:30): daily 09:00', schedule: timing('daily', '09:00', 'Asia/Kolkata'), now: '2026-12-01T03:30:00Z', latest: '2026-12-01T03:30:00Z', next: '2026-12-02T03:30:00Z' },
  // monthly: the 1st
  { name: 'monthly: mid-month', schedule: timing('monthly', '08:00', 'Europe/London'), now: '2026-11-15T12:00:00Z', latest: '2026-11-01T08:00:00Z', next: '2026-12-01T08:00:00Z' },
  { name: 'monthly: just before the 1st, the month before (then in BST)', schedule: timing('monthly', '08:00', 'Europe/London'), now: '2026-11-01T07:59:00Z', latest: '2026-10-01T07:00:00Z', next: '2026-11-01T08:00:00Z' },
  { name: 'monthly: across the year end', schedule: timing('monthly', '09:00', 'America/New_York'), now: '2027-01-01T13:00:00Z', latest: '2026-12-01T14:00:00Z', next: '2027-01-01T14:00:00Z' },
  // spring forward: a local time that does not exist maps to the instant the clocks jump
  { name: 'NY spring forward: daily 02:30 on Mar 8 is 03:00 EDT (07:00Z)', schedule: timing('daily', '02:30', 'America/New_York'), now: '2026-03-08T07:00:00Z', latest: '2026-03-08T07:00:00Z', next: '2026-03-09T06:30:00Z' },
  { name: 'NY spring forward: a minute before the jump, the day before', schedule: timing('daily', '02:30', 'America/New_York'), now: '2026-03-08T06:59:00Z', latest: '2026-03-07T07:30:00Z', next: '2026-03-08T07:00:00Z' },
  { name: 'NY spring forward: 02:00 itself does not exist either', schedule: timing('daily', '02:00', 'America/New_York'), now: '2026-03-08T12:00:00Z', latest: '2026-03-08T07:00:00Z', next: '2026-03-09T06:00:00Z' },
  { name: 'Sydney spring forward: Sunday 02:30 on Oct 4 is 03:00 AEDT', schedule: timing('weekly', '02:30', 'Australia/Sydney', 0), now: '2026-10-04T12:00:00Z', latest: '2026-10-03T16:00:00Z', next: '2026-10-10T15:30:00Z' },
  { name: 'Lord Howe half-hour gap: 02:15 is 02:30 (+11)', schedule: timing('daily', '02:15', 'Australia/Lord_Howe'), now: '2026-10-04T12:00:00Z', latest: '2026-10-03T15:30:00Z', next: '2026-10-04T15:15:00Z' },
  { name: 'Santiago: midnight skipped, the day starts at 01:00', schedule: timing('daily', '00:00', 'America/Santiago'), now: '2026-09-06T12:00:00Z', latest: '2026-09-06T04:00:00Z', next: '2026-09-07T03:00:00Z' },
  // fall back: a time that happens twice is its first occurrence, so one slot that day
  { name: 'NY fall back: 01:30 is 01:30 EDT; the second 01:30 (EST) is not another slot', schedule: timing('daily', '01:30', 'America/New_York'), now: '2026-11-01T06:30:00Z', latest: '2026-11-01T05:30:00Z', next: '2026-11-02T06:30:00Z' },
  { name: 'NY fall back: exactly at the first 01:30', schedule: timing('daily', '01:30', 'America/New_York'), now: '2026-11-01T05:30:00Z', latest: '2026-11-01T05:30:00Z', next: '2026-11-02T06:30:00Z' },
  { name: 'Sydney fall back: Sunday 02:30 on Apr 5 is 02:30 AEDT', schedule: timing('weekly', '02:30', 'Australia/Sydney', 0), now: '2026-04-05T12:00:00Z', latest: '2026-04-04T15:30:00Z', next: '2026-04-11T16:30:00Z' },
];

describe('latestSlot / nextSlot', () => {
  it.each(CASES)('$name', ({ schedule, now, latest, next }) => {
    expect(latestSlot(schedule, new Date(now)).toISOString()).toBe(new Date(latest).toISOString());
    expect(nextSlot(schedule, new Date(now)).toISOString()).toBe(new Date(next).toISOString());
  });

  it('latest ≤ now < next, and next is the latest of a moment later, for every hour of a DST year', () => {
    for (const schedule of [NY_WEEKLY, timing('daily', '02:30', 'America/New_York'), timing('monthly', '00:00', 'America/Santiago'), timing('daily', '01:30', 'Europe/London')]) {
      for (let t = Date.parse('2026-01-01T00:00:00Z'); t < Date.parse('2027-01-01T00:00:00Z'); t += 3_600_000 * 7) {
        const now = new Date(t);
        const latest = latestSlot(schedule, now);
        const next = nextSlot(schedule, now);
        expect(latest.getTime()).toBeLessThanOrEqual(t);
        expect(next.getTime()).toBeGreaterThan(t);
        expect(latestSlot(schedule, next).getTime()).toBe(next.getTime());
        expect(nextSlot(schedule, latest).getTime()).toBeGreaterThan(latest.getTime());
      }
    }
  });

  it('formatSlot reads the instant in the schedule’s zone', () => {
    expect(formatSlot(new Date('2026-11-30T14:00:00Z'), 'America/New_York')).toBe('Mon, Nov 30, 2026 at 09:00 EST');
    expect(formatSlot(new Date('2026-11-30T00:00:00Z'), 'Asia/Tokyo')).toMatch(/^Mon, Nov 30, 2026 at 09:00 /);
  });
});

describe('parseScheduleArgs', () => {
  const defaults = { timeZone: 'America/Chicago' };
  const ok = (tokens: string[]) => parseScheduleArgs(tokens, defaults);

  it.each([
    { tokens: ['<#C0SALES|sales>'], want: { channelId: 'C0SALES', cadence: 'weekly', weekday: 1, timeOfDay: '09:00', timeZone: 'America/Chicago' } },
    { tokens: ['<#C0SALES|sales>', 'weekly', 'mon', '09:00', 'America/New_York'], want: { cadence: 'weekly', weekday: 1, timeOfDay: '09:00', timeZone: 'America/New_York' } },
    { tokens: ['<#C0SALES>', 'daily', '7:30', 'europe/london'], want: { cadence: 'daily', timeOfDay: '07:30', timeZone: 'Europe/London' } },
    { tokens: ['<#C0SALES>', 'Friday', '16:45'], want: { cadence: 'weekly', weekday: 5, timeOfDay: '16:45' } },
    { tokens: ['<#C0SALES>', 'sun'], want: { cadence: 'weekly', weekday: 0 } },
    { tokens: ['<#C0SALES>', 'Asia/Tokyo', '08:00', 'monthly'], want: { cadence: 'monthly', timeOfDay: '08:00', timeZone: 'Asia/Tokyo' } },
    { tokens: ['<#C0SALES>', 'UTC', '23:59'], want: { timeZone: 'UTC', timeOfDay: '23:59' } },
    { tokens: ['<#G0PRIVATE|deals>', 'tue'], want: { channelId: 'G0PRIVATE', channelName: 'deals', weekday: 2 } },
  ])('$tokens', ({ tokens, want }) => {
    expect(ok(tokens)).toMatchObject(want);
  });

  it('`off` with the channel', () => {
    expect(ok(['<#C0SALES|sales>', 'OFF'])).toEqual({ off: true, channelId: 'C0SALES', channelName: 'sales' });
  });

  it('an admin zone Slack reports that Intl does not know falls back to UTC', () => {
    expect(parseScheduleArgs(['<#C0SALES>'], { timeZone: 'Mars/Olympus' })).toMatchObject({ timeZone: 'UTC' });
  });

  it.each([
    { tokens: [], says: ['Name the channel', SCHEDULE_EXAMPLE] },
    { tokens: ['sales'], says: ['`sales` is not a channel link', SCHEDULE_EXAMPLE] },
    { tokens: ['<#C0SALES>', '25:00'], says: ['`25:00` is not a time', 'HH:MM on a 24-hour clock', SCHEDULE_EXAMPLE] },
    { tokens: ['<#C0SALES>', '9am'], says: ['`9am` is not a time', '`09:00`'] },
    { tokens: ['<#C0SALES>', '09:60'], says: ['`09:60` is not a time'] },
    { tokens: ['<#C0SALES>', 'Mars/Olympus'], says: ['`Mars/Olympus` is not a time zone I know', 'America/New_York'] },
    { tokens: ['<#C0SALES>', 'daily', 'mon'], says: ['A weekday only applies to weekly leaderboards', SCHEDULE_EXAMPLE] },
    { tokens: ['<#C0SALES>', 'weekly', 'daily'], says: ['Give the cadence (weekly, daily or monthly) once'] },
    { tokens: ['<#C0SALES>', '09:00', '10:00'], says: ['Give the time once'] },
    { tokens: ['<#C0SALES>', 'fortnightly'], says: ["I don't understand `fortnightly`", '`weekly`, `daily` or `monthly`', SCHEDULE_EXAMPLE] },
    { tokens: ['<#C0SALES>', '+05:00'], says: ["I don't understand `+05:00`"] },
    { tokens: ['<#C0SALES>', 'weekly', 'off'], says: ['give just the channel and `off`'] },
  ])('refuses $tokens, showing the right form', ({ tokens, says }) => {
    const result = ok(tokens);
    expect(result).toHaveProperty('error');
    for (const words of says) expect((result as { error: string }).error).toContain(words);
  });
});

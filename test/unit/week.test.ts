import { describe, expect, it } from 'vitest';
import { monthContaining } from '../../src/periods/month.js';
import { localDay, weekContaining } from '../../src/periods/week.js';

describe('weekContaining / monthContaining / localDay', () => {
  it.each([
    // [now, zone, weekStartsOn, start, end]
    ['2026-11-27T15:00:00Z', 'America/New_York', 1, '2026-11-23T05:00:00.000Z', '2026-11-30T05:00:00.000Z'],
    ['2026-11-27T15:00:00Z', 'America/New_York', 0, '2026-11-22T05:00:00.000Z', '2026-11-29T05:00:00.000Z'],
    // Late Sunday in New York is already Monday in UTC: still the New York week.
    ['2026-11-30T03:00:00Z', 'America/New_York', 1, '2026-11-23T05:00:00.000Z', '2026-11-30T05:00:00.000Z'],
    // Monday morning in Sydney is still Sunday in UTC: the new Sydney week.
    ['2026-11-29T22:00:00Z', 'Australia/Sydney', 1, '2026-11-29T13:00:00.000Z', '2026-12-06T13:00:00.000Z'],
    // The week of the fall-back change in New York is 169 hours long.
    ['2026-10-29T12:00:00Z', 'America/New_York', 1, '2026-10-26T04:00:00.000Z', '2026-11-02T05:00:00.000Z'],
    // Santiago springs forward at midnight: Sunday Sept 6 2026 starts at 01:00 local. The week must still end at midnight.
    ['2026-09-09T12:00:00Z', 'America/Santiago', 0, '2026-09-06T04:00:00.000Z', '2026-09-13T03:00:00.000Z'],
  ])('the week of %s in %s (weekStartsOn %i)', (now, zone, weekStartsOn, start, end) => {
    const w = weekContaining(new Date(now), zone, weekStartsOn as 0 | 1);
    expect([w.start.toISOString(), w.end.toISOString()]).toEqual([start, end]);
  });

  it('the month in the user zone', () => {
    const m = monthContaining(new Date('2026-11-30T23:30:00Z'), 'Pacific/Auckland'); // Dec 1 in Auckland
    expect([m.start.toISOString(), m.end.toISOString()]).toEqual(['2026-11-30T11:00:00.000Z', '2026-12-31T11:00:00.000Z']);
  });

  it('localDay is the calendar day in the zone, not the server zone', () => {
    expect(localDay(new Date('2026-11-29T03:00:00Z'), 'America/Los_Angeles')).toBe('2026-11-28');
    expect(localDay(new Date('2026-11-29T03:00:00Z'), 'Asia/Kolkata')).toBe('2026-11-29');
  });
});

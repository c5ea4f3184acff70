/** The day a logged entry happened: date words and datepicker days, within the backdating window. */
import { describe, expect, it } from 'vitest';
import { type EntryDateContext, resolveEntryDay, validateEntryDay } from '../../src/entries/entry-date.js';

// Wednesday 2026-11-25, 16:30 in Berlin (CET, UTC+1).
const NOW = new Date('2026-11-25T15:30:00Z');
const CTX: EntryDateContext = { now: NOW, timeZone: 'Europe/Berlin', backdateDays: 30 };

describe('resolveEntryDay', () => {
  it.each([
    ['today', NOW.toISOString()],
    ['Yesterday', '2026-11-24T11:00:00.000Z'],
    ['mon', '2026-11-23T11:00:00.000Z'],
    ['wed', NOW.toISOString()],
    ['2026-11-01', '2026-11-01T11:00:00.000Z'],
  ])('%j is recorded at %s', (word, want) => {
    const got = resolveEntryDay(word, CTX);
    expect(got).toBeInstanceOf(Date);
    expect((got as Date).toISOString()).toBe(want);
  });

  it('is null for a word that is no date', () => {
    expect(resolveEntryDay('Acme', CTX)).toBeNull();
  });

  it.each([
    ['2026-02-30', 'invalid_date', "2026-02-30 isn't a real date. Use YYYY-MM-DD (like 2026-11-24), today, yesterday or a weekday like mon."],
    ['2026-11-26', 'future_date', '2026-11-26 is in the future. Log today or up to 30 days back.'],
    ['2026-10-25', 'too_old', '2026-10-25 is too long ago: you can log at most 30 days back.'],
  ])('%j is refused as %s', (word, code, message) => {
    expect(resolveEntryDay(word, CTX)).toEqual({ code, message });
  });
});

describe('validateEntryDay', () => {
  it('takes the last day of the window and refuses the one before', () => {
    expect(validateEntryDay('2026-10-26', CTX)).toEqual(new Date('2026-10-26T11:00:00.000Z'));
    expect(validateEntryDay('2026-10-25', CTX)).toMatchObject({ code: 'too_old' });
  });

  it('reads today as now whatever the hour, and trims the day', () => {
    expect(validateEntryDay(' 2026-11-25 ', CTX)).toEqual(NOW);
  });

  it('refuses text that is no day at all', () => {
    expect(validateEntryDay('soon', CTX)).toMatchObject({ code: 'invalid_date' });
  });
});

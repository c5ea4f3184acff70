/** The sandbox's movable clock: presets, the page's date-time input, and the offset kept across restarts. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { localDateTimeInstant, presetInstant, sandboxClock, type ClockPreset } from '../../src/sandbox/clock.js';

const NY = 'America/New_York';

describe('clock presets, in the workspace zone', () => {
  it.each<[ClockPreset, string, string]>([
    ['next-monday-0900', '2026-11-25T15:00:00Z', '2026-11-30T14:00:00.000Z'],
    // At Monday 09:00 exactly, the next Monday 09:00 is a week on.
    ['next-monday-0900', '2026-11-30T14:00:00Z', '2026-12-07T14:00:00.000Z'],
    // Across the spring-forward change: 09:00 EDT is 13:00Z.
    ['next-monday-0900', '2026-03-06T15:00:00Z', '2026-03-09T13:00:00.000Z'],
    ['next-friday-1600', '2026-11-25T15:00:00Z', '2026-11-27T21:00:00.000Z'],
    ['plus-1-hour', '2026-11-25T15:00:00Z', '2026-11-25T16:00:00.000Z'],
    ['plus-1-day', '2026-11-25T15:00:00Z', '2026-11-26T15:00:00.000Z'],
  ])('%s from %s is %s', (preset, from, expected) => {
    expect(presetInstant(preset, new Date(from), NY).toISOString()).toBe(expected);
  });
});

describe("the page's date-time input", () => {
  it.each([
    ['2026-12-07T09:00', '2026-12-07T14:00:00.000Z'],
    ['2026-07-01T09:30', '2026-07-01T13:30:00.000Z'],
    [' 2026-12-07T09:00 ', '2026-12-07T14:00:00.000Z'],
  ])('%j in New York is %s', (text, expected) => {
    expect(localDateTimeInstant(text, NY)?.toISOString()).toBe(expected);
  });

  it.each(['2026-02-30T09:00', '2026-12-07', '2026-12-07T25:00', '2026-12-07T09:00Z', 'next monday', ''])('refuses %j', (text) => {
    expect(localDateTimeInstant(text, NY)).toBeUndefined();
  });
});

describe('sandboxClock', () => {
  it('runs from the system clock plus an offset that a new clock on the same directory reads back', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sp-clock-'));
    try {
      let system = Date.parse('2026-11-25T15:00:00Z');
      const base = { now: () => new Date(system) };
      const clock = sandboxClock(dir, base);
      expect(clock.now().toISOString()).toBe('2026-11-25T15:00:00.000Z');
      clock.set(new Date('2026-11-30T14:00:00Z'));
      system += 60_000;
      expect(clock.now().toISOString()).toBe('2026-11-30T14:01:00.000Z');
      expect(sandboxClock(dir, base).now().toISOString()).toBe('2026-11-30T14:01:00.000Z');
      clock.reset();
      expect(sandboxClock(dir, base).now().toISOString()).toBe('2026-11-25T15:01:00.000Z');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

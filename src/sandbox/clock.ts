/**
 * The sandbox's clock: the system time plus an offset the person can move ("next Monday 09:00"), so the
 * scheduled leaderboard and the digests can be seen arriving. The bot gets it as its injected clock; the
 * offset is kept beside the sandbox's data so a restart keeps the sandbox's time.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { addDays } from 'date-fns/addDays';
import { addHours } from 'date-fns/addHours';
import type { Clock } from '../lib/clock.js';
import { isoInstant, parseIso } from '../periods/calendar.js';
import { nextSlot } from '../features/leaderboard/index.js';

export interface SandboxClock extends Clock {
  /** Milliseconds the sandbox is ahead of (or behind) the system clock. */
  readonly offsetMs: number;
  set(at: Date): void;
  /** Back to the system time. */
  reset(): void;
}

export function sandboxClock(dir?: string, system: Clock = { now: () => new Date() }): SandboxClock {
  const file = dir ? path.join(dir, 'clock.json') : undefined;
  let offsetMs = 0;
  if (file) {
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { offsetMs?: unknown };
      if (typeof saved.offsetMs === 'number' && Number.isFinite(saved.offsetMs)) offsetMs = saved.offsetMs;
    } catch {
      // No saved offset yet: the system time.
    }
  }
  const save = () => {
    if (file) writeFileSync(file, JSON.stringify({ offsetMs }));
  };
  return {
    get offsetMs() {
      return offsetMs;
    },
    now: () => new Date(system.now().getTime() + offsetMs),
    set(at) {
      offsetMs = at.getTime() - system.now().getTime();
      save();
    },
    reset() {
      offsetMs = 0;
      save();
    },
  };
}

export const CLOCK_PRESETS = ['next-monday-0900', 'next-friday-1600', 'plus-1-hour', 'plus-1-day'] as const;
export type ClockPreset = (typeof CLOCK_PRESETS)[number];

/** Where a preset moves the clock: the weekly leaderboard's slot (Monday 09:00) or the digests' (Friday 16:00), in `timeZone`. */
export function presetInstant(preset: ClockPreset, now: Date, timeZone: string): Date {
  switch (preset) {
    case 'next-monday-0900':
      return nextSlot({ cadence: 'weekly', weekday: 1, timeOfDay: '09:00', timeZone }, now);
    case 'next-friday-1600':
      return nextSlot({ cadence: 'weekly', weekday: 5, timeOfDay: '16:00', timeZone }, now);
    case 'plus-1-hour':
      return addHours(now, 1);
    case 'plus-1-day':
      return addDays(now, 1);
  }
}

/** A `YYYY-MM-DDTHH:MM` wall-clock time (an <input type=datetime-local>) in `timeZone`, as an instant. */
export function localDateTimeInstant(text: string, timeZone: string): Date | undefined {
  const value = parseIso(text.trim());
  // A wall-clock time only: the page's input has no offset, and a bare date is not a time.
  if (value?.kind !== 'dateTime' || value.offsetMinutes !== null) return undefined;
  return isoInstant(value, timeZone);
}

/**
 * Property tests of what `/sales-admin` reads without a database: the schedule of `/sales-admin leaderboard …` (the
 * admin's words split as the command splits them), and the channel and person references. For any text they return
 * a value or an error message, never throw, and a schedule they accept can be scheduled: its next and latest slots
 * exist and lie either side of now.
 *
 * The whole command, with its database and Slack calls, is tested the same way in
 * test/integration/admin-command.property.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CADENCES } from '../../src/db/schema/index.js';
import { canonicalTimeZone } from '../../src/features/leaderboard/schedule.js';
import { latestSlot, nextSlot, parseScheduleArgs } from '../../src/features/leaderboard/index.js';
import { parseChannelMention, parseUserMention } from '../../src/slack/blocks.js';
import { anyText, instant, parserInput, runs, slackReference, zone } from '../helpers/arbitraries.js';

/** The words after `/sales-admin`, as the command splits them (src/features/admin/command.ts). */
const split = (text: string) => text.trim().split(/\s+/).filter(Boolean);

const channel = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('<#C0SALES|sales>', '<#C0SALES>', '<#G0PRIV|private>', '<#C0SALES|sales-east>') },
  { weight: 1, arbitrary: fc.oneof(slackReference(), fc.constantFrom('#sales', 'sales', '<#c0lower|x>', '<#D0DM|dm>', '<#C0SALES|a b>')) },
);
const scheduleWord = fc.oneof(
  fc.constantFrom('weekly', 'daily', 'monthly', 'Weekly,', 'hourly', 'off', 'OFF'),
  fc.constantFrom('mon', 'Monday', 'tue.', 'wed', 'thursday', 'fri', 'sat', 'sun', 'sunday,', 'tues', 'thurs', 'mo'),
  fc.oneof(
    fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 99 }), fc.constantFrom(':', '.', 'h', '')).map(([h, m, sep]) => `${h}${sep}${String(m).padStart(2, '0')}`),
    fc.constantFrom('9am', '9:30pm', '12am', '24:00', '23:59', '0:00', '9', '09', '9:5', '99:99', '1:2:3', '9:00am'),
  ),
  fc.oneof(zone(), fc.constantFrom('america/new_york', 'UTC', 'utc', 'GMT', 'Etc/GMT+5', 'Etc/GMT-14', 'Etc/Nowhere', 'Mars/Olympus', 'EST', '+05:00', 'Asia/Calcutta', 'US/Eastern', 'Europe/Kyiv', 'a/b/c')),
  anyText(5),
);

describe('/sales-admin leaderboard: the schedule on any text', () => {
  it(`returns a schedule, a removal or an error, never throws; an accepted schedule has slots either side of now (${runs().numRuns} inputs)`, () => {
    const text = fc.oneof(
      { weight: 4, arbitrary: fc.tuple(channel, parserInput(scheduleWord, 5)).map(([c, rest]) => `leaderboard ${c} ${rest}`) },
      { weight: 1, arbitrary: parserInput(fc.oneof(fc.constant('leaderboard'), channel, scheduleWord), 6).map((rest) => `leaderboard ${rest}`) },
    );
    fc.assert(
      fc.property(text, zone(), instant(), (typed, adminZone, now) => {
        const [sub, ...rest] = split(typed);
        expect(sub).toBe('leaderboard');
        const parsed = parseScheduleArgs(rest, { timeZone: adminZone });
        if ('error' in parsed) {
          expect(parsed.error).toMatch(/^:warning: /);
          return;
        }
        expect(parsed.channelId).toMatch(/^[CG][A-Z0-9]+$/);
        if ('off' in parsed) return;
        expect(CADENCES).toContain(parsed.cadence);
        expect(Number.isInteger(parsed.weekday) && parsed.weekday >= 0 && parsed.weekday <= 6).toBe(true);
        expect(parsed.timeOfDay).toMatch(/^([01]\d|2[0-3]):[0-5]\d$/);
        expect(canonicalTimeZone(parsed.timeZone)).toBe(parsed.timeZone);
        const latest = latestSlot(parsed, now);
        const next = nextSlot(parsed, now);
        expect(latest.getTime()).toBeLessThanOrEqual(now.getTime());
        expect(next.getTime()).toBeGreaterThan(now.getTime());
        expect(next.getTime() - latest.getTime()).toBeLessThanOrEqual(32 * 86_400_000);
      }),
      runs(),
    );
  });
});

describe('references in admin commands on any text', () => {
  it(`a channel or person reference is read only when it is one, never throws (${runs().numRuns} inputs)`, () => {
    const token = fc.oneof(slackReference(), channel, anyText(12), fc.tuple(fc.constantFrom('<#', '<@', '<!'), anyText(8), fc.constantFrom('>', '|x>', '')).map((p) => p.join('')));
    fc.assert(
      fc.property(token, (t) => {
        const c = parseChannelMention(t);
        if (c) {
          expect(c.id).toMatch(/^[CG][A-Z0-9]+$/);
          expect(t.trim().startsWith(`<#${c.id}`)).toBe(true);
        }
        const u = parseUserMention(t);
        if (u) {
          expect(u.id).toMatch(/^[UW][A-Z0-9]+$/);
          expect(t.trim().startsWith(`<@${u.id}`)).toBe(true);
        }
        expect(c && u).toBeFalsy();
      }),
      runs(),
    );
  });
});

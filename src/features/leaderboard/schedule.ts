/**
 * When scheduled leaderboards are due, and the arguments of `/sales-admin leaderboard`. Pure: no I/O, no clock.
 *
 * A schedule's slots are wall-clock times in its own IANA zone: every day (daily), one weekday (weekly) or
 * the 1st of each month (monthly), at `timeOfDay`. Each slot is turned into an instant once, on its own
 * calendar day, so the local time stays put across DST changes (09:00 New York is 14:00Z in winter and
 * 13:00Z in summer).
 *
 * DST edges (the calendar's `slotInstant`, src/periods/calendar.ts):
 * - A local time that does not exist (spring forward: 02:30 on 2026-03-08 in New York) maps to the next
 *   valid instant, the moment the clocks jump (03:00 local): the first instant at which the local clock
 *   has passed the scheduled time. The board is posted that day, as early as it can be.
 * - A local time that happens twice (fall back: 01:30 on 2026-11-01 in New York) is its first occurrence
 *   (01:30 EDT). The slot is one instant, so it is posted once.
 */
import { CADENCES, type Cadence } from '../../db/schema/index.js';
import { addDays, dateIn, type LocalDate, parseTimeOfDay, slotInstant, WEEKDAY_NAMES, weekdayFromWord, weekdayOf } from '../../periods/calendar.js';
import { parseChannelMention } from '../../slack/blocks.js';

export interface ScheduleTiming {
  cadence: Cadence;
  /** 0 = Sunday … 6 = Saturday; used by weekly schedules. */
  weekday: number;
  /** "HH:MM", 24-hour. */
  timeOfDay: string;
  timeZone: string;
}

export { WEEKDAY_NAMES };

export const SCHEDULE_EXAMPLE = '/sales-admin leaderboard #sales weekly mon 09:00 America/New_York';
export const SCHEDULE_FORM = '/sales-admin leaderboard #channel [weekly|daily|monthly] [mon..sun] [HH:MM] [time zone]';

function runsOn(schedule: ScheduleTiming, day: LocalDate): boolean {
  switch (schedule.cadence) {
    case 'daily':
      return true;
    case 'weekly':
      return weekdayOf(day) === schedule.weekday;
    case 'monthly':
      return day.day === 1;
  }
}

function slotOn(schedule: ScheduleTiming, day: LocalDate): Date {
  const time = parseTimeOfDay(schedule.timeOfDay);
  if (!time) throw new RangeError(`Invalid time of day: ${schedule.timeOfDay}`);
  return slotInstant(day, time, schedule.timeZone);
}

/** Far enough back or ahead to meet any cadence's slot (a month and a bit, DST days included). */
const SEARCH_DAYS = 40;

/** The most recent slot at or before `now`. */
export function latestSlot(schedule: ScheduleTiming, now: Date): Date {
  // Start a day ahead: `now`'s local day in the zone may already be "tomorrow" relative to a late slot's day.
  const today = dateIn(now, schedule.timeZone);
  for (let k = -1; k <= SEARCH_DAYS; k++) {
    const day = addDays(today, -k);
    if (!runsOn(schedule, day)) continue;
    const slot = slotOn(schedule, day);
    if (slot.getTime() <= now.getTime()) return slot;
  }
  throw new RangeError('No slot found');
}

/** The first slot strictly after `now` (for the listing and messages). */
export function nextSlot(schedule: ScheduleTiming, now: Date): Date {
  const today = dateIn(now, schedule.timeZone);
  for (let k = -1; k <= SEARCH_DAYS; k++) {
    const day = addDays(today, k);
    if (!runsOn(schedule, day)) continue;
    const slot = slotOn(schedule, day);
    if (slot.getTime() > now.getTime()) return slot;
  }
  throw new RangeError('No slot found');
}

// ---------------------------------------------------------------------------------------------
// Words people read

/** "every Monday at 09:00", "every day at 09:00", "on the 1st of every month at 09:00". */
export function describeWhen(schedule: Pick<ScheduleTiming, 'cadence' | 'weekday' | 'timeOfDay'>): string {
  switch (schedule.cadence) {
    case 'daily':
      return `every day at ${schedule.timeOfDay}`;
    case 'weekly':
      return `every ${WEEKDAY_NAMES[schedule.weekday]} at ${schedule.timeOfDay}`;
    case 'monthly':
      return `on the 1st of every month at ${schedule.timeOfDay}`;
  }
}

/** What each run covers: "the previous week", "the day before", "the month before". */
export function describeCoverage(cadence: Cadence): string {
  return cadence === 'daily' ? 'the day before' : cadence === 'weekly' ? 'the previous full week' : 'the month before';
}

export function cadenceLabel(cadence: Cadence): string {
  return cadence === 'daily' ? 'Daily' : cadence === 'weekly' ? 'Weekly' : 'Monthly';
}

/** "Mon, Nov 30, 09:00 EST": an instant as read in `timeZone`. */
export function formatSlot(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('weekday')}, ${get('month')} ${get('day')}, ${get('year')} at ${get('hour')}:${get('minute')} ${get('timeZoneName')}`;
}

// ---------------------------------------------------------------------------------------------
// `/sales-admin leaderboard …` arguments

export type ParsedScheduleArgs =
  | { channelId: string; channelName?: string; cadence: Cadence; weekday: number; timeOfDay: string; timeZone: string }
  | { off: true; channelId: string; channelName?: string }
  | { error: string };

const TRY = `Try: \`${SCHEDULE_EXAMPLE}\``;
const FORM = `\`${SCHEDULE_FORM}\``;

/** The canonical name of an IANA zone ("america/new_york" → "America/New_York"), or undefined. */
export function canonicalTimeZone(text: string): string | undefined {
  // Names only: Intl also takes offsets like "+05:00", which are not zones (they ignore DST).
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(text)) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: text }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

function looksLikeZone(token: string): boolean {
  return token.includes('/') || /^(utc|gmt|etc\/.*)$/i.test(token);
}

/**
 * Parse the words after `/sales-admin leaderboard`: a channel first, then `off`, or any of cadence, weekday,
 * time and zone in any order. Defaults: weekly, Monday, 09:00, `defaults.timeZone` (the admin's zone).
 */
export function parseScheduleArgs(tokens: string[], defaults: { timeZone: string }): ParsedScheduleArgs {
  const [first, ...rest] = tokens;
  if (first === undefined) return { error: `:warning: Name the channel for the leaderboard, picked with \`#\` so Slack links it.\n${FORM}\n${TRY}` };
  const channel = parseChannelMention(first);
  if (!channel) {
    return { error: `:warning: \`${first.replace(/`/g, "'")}\` is not a channel link. Pick the channel with \`#\` so Slack links it.\n${FORM}\n${TRY}` };
  }
  if (rest.length === 1 && rest[0]!.toLowerCase() === 'off') return { off: true, channelId: channel.id, channelName: channel.name };

  let cadence: Cadence | undefined;
  let weekday: number | undefined;
  let timeOfDay: string | undefined;
  let timeZone: string | undefined;
  const twice = (what: string) => ({ error: `:warning: Give the ${what} once.\n${FORM}\n${TRY}` });
  for (const token of rest) {
    const word = token.toLowerCase().replace(/[.,]$/, '');
    if ((CADENCES as readonly string[]).includes(word)) {
      if (cadence) return twice('cadence (weekly, daily or monthly)');
      cadence = word as Cadence;
    } else if (weekdayFromWord(word) !== undefined) {
      if (weekday !== undefined) return twice('weekday');
      weekday = weekdayFromWord(word);
    } else if (/^\d{1,2}[:.h]?\d{0,2}\s*(am|pm)?$/i.test(word) || /^\d+:\d+$/.test(word)) {
      const time = parseTimeOfDay(word);
      if (!time) return { error: `:warning: \`${token}\` is not a time. Give it as HH:MM on a 24-hour clock, like \`09:00\` or \`16:30\`.\n${TRY}` };
      if (timeOfDay) return twice('time');
      timeOfDay = `${String(time.hour).padStart(2, '0')}:${String(time.minute).padStart(2, '0')}`;
    } else if (word === 'off') {
      return { error: `:warning: To stop a scheduled leaderboard, give just the channel and \`off\`: \`/sales-admin leaderboard #sales off\`.` };
    } else if (looksLikeZone(token)) {
      const zone = canonicalTimeZone(token);
      if (!zone) {
        return { error: `:warning: \`${token.replace(/`/g, "'")}\` is not a time zone I know. Use an IANA name like \`America/New_York\`, \`Europe/London\` or \`Asia/Tokyo\`.\n${TRY}` };
      }
      if (timeZone) return twice('time zone');
      timeZone = zone;
    } else {
      return {
        error: `:warning: I don't understand \`${token.replace(/`/g, "'")}\`. After the channel, give any of: \`weekly\`, \`daily\` or \`monthly\`; a weekday (\`mon\` … \`sun\`, weekly only); a time as HH:MM (24-hour); an IANA time zone like \`America/New_York\`.\n${FORM}\n${TRY}`,
      };
    }
  }
  const finalCadence = cadence ?? 'weekly';
  if (weekday !== undefined && finalCadence !== 'weekly') {
    return {
      error: `:warning: A weekday only applies to weekly leaderboards (${finalCadence} ones are posted ${finalCadence === 'daily' ? 'every day' : 'on the 1st of the month'}). Drop \`${WEEKDAY_NAMES[weekday]!.toLowerCase().slice(0, 3)}\`, or use \`weekly\`.\n${TRY}`,
    };
  }
  const zone = timeZone ?? canonicalTimeZone(defaults.timeZone) ?? 'UTC';
  return { channelId: channel.id, channelName: channel.name, cadence: finalCadence, weekday: weekday ?? 1, timeOfDay: timeOfDay ?? '09:00', timeZone: zone };
}

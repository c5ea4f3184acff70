/**
 * When scheduled leaderboards are due, and the arguments of `/sales-admin leaderboard`. Pure: no I/O, no clock.
 *
 * A schedule's slots are wall-clock times in its own IANA zone: every day (daily), one weekday (weekly) or
 * the 1st of each month (monthly), at `timeOfDay`. Each slot is turned into an instant once, on its own
 * calendar day, so the local time stays put across DST changes (09:00 New York is 14:00Z in winter and
 * 13:00Z in summer).
 *
 * DST edges, decided here:
 * - A local time that does not exist (spring forward: 02:30 on 2026-03-08 in New York) maps to the next
 *   valid instant, the moment the clocks jump (03:00 local): the first instant at which the local clock
 *   has passed the scheduled time. The board is posted that day, as early as it can be.
 * - A local time that happens twice (fall back: 01:30 on 2026-11-01 in New York) is its first occurrence
 *   (01:30 EDT). The slot is one instant, so it is posted once.
 */
import { TZDate, tzOffset } from '@date-fns/tz';
import { CADENCES, type Cadence } from '../../db/schema/index.js';
import { parseChannelMention } from '../../slack/blocks.js';

export interface ScheduleTiming {
  cadence: Cadence;
  /** 0 = Sunday … 6 = Saturday; used by weekly schedules. */
  weekday: number;
  /** "HH:MM", 24-hour. */
  timeOfDay: string;
  timeZone: string;
}

export const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

export const SCHEDULE_EXAMPLE = '/sales-admin leaderboard #sales weekly mon 09:00 America/New_York';
export const SCHEDULE_FORM = '/sales-admin leaderboard #channel [weekly|daily|monthly] [mon..sun] [HH:MM] [time zone]';

const MS_PER_DAY = 86_400_000;

interface LocalDay {
  y: number;
  /** 0-11 */
  m: number;
  d: number;
}

function addDays(day: LocalDay, n: number): LocalDay {
  const date = new Date(Date.UTC(day.y, day.m, day.d) + n * MS_PER_DAY);
  return { y: date.getUTCFullYear(), m: date.getUTCMonth(), d: date.getUTCDate() };
}

function weekdayOf(day: LocalDay): number {
  return new Date(Date.UTC(day.y, day.m, day.d)).getUTCDay();
}

function localDayOf(instant: Date, timeZone: string): LocalDay {
  const local = new TZDate(instant.getTime(), timeZone);
  return { y: local.getFullYear(), m: local.getMonth(), d: local.getDate() };
}

export function parseTimeOfDay(text: string): { hour: number; minute: number } | undefined {
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  return m ? { hour: Number(m[1]), minute: Number(m[2]) } : undefined;
}

/**
 * The instant of local time `hour:minute` on local `day` in `timeZone` (see the DST notes above).
 * Exported for tests.
 */
export function localTimeToInstant(day: LocalDay, hour: number, minute: number, timeZone: string): Date {
  // TZDate resolves a repeated time to its first occurrence, and a skipped one by shifting it forward by the gap.
  const candidate = new TZDate(day.y, day.m, day.d, hour, minute, 0, 0, timeZone);
  const exists = candidate.getFullYear() === day.y && candidate.getMonth() === day.m && candidate.getDate() === day.d && candidate.getHours() === hour && candidate.getMinutes() === minute;
  if (exists) return new Date(candidate.getTime());
  // In a gap: the clocks jumped past hour:minute. The next valid instant is the jump itself, the first
  // instant after it with the new offset: binary search the day before the shifted candidate.
  let lo = candidate.getTime() - MS_PER_DAY;
  let hi = candidate.getTime();
  const before = tzOffset(timeZone, new Date(lo));
  if (tzOffset(timeZone, new Date(hi)) === before) return new Date(hi);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (tzOffset(timeZone, new Date(mid)) === before) lo = mid;
    else hi = mid;
  }
  return new Date(hi);
}

function runsOn(schedule: ScheduleTiming, day: LocalDay): boolean {
  switch (schedule.cadence) {
    case 'daily':
      return true;
    case 'weekly':
      return weekdayOf(day) === schedule.weekday;
    case 'monthly':
      return day.d === 1;
  }
}

function slotOn(schedule: ScheduleTiming, day: LocalDay): Date {
  const time = parseTimeOfDay(schedule.timeOfDay);
  if (!time) throw new RangeError(`Invalid time of day: ${schedule.timeOfDay}`);
  return localTimeToInstant(day, time.hour, time.minute, schedule.timeZone);
}

/** Far enough back or ahead to meet any cadence's slot (a month and a bit, DST days included). */
const SEARCH_DAYS = 40;

/** The most recent slot at or before `now`. */
export function latestSlot(schedule: ScheduleTiming, now: Date): Date {
  // Start a day ahead: `now`'s local day in the zone may already be "tomorrow" relative to a late slot's day.
  const today = localDayOf(now, schedule.timeZone);
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
  const today = localDayOf(now, schedule.timeZone);
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

const WEEKDAY_WORDS: Record<string, number> = {};
WEEKDAY_NAMES.forEach((name, i) => {
  const lower = name.toLowerCase();
  WEEKDAY_WORDS[lower] = i;
  WEEKDAY_WORDS[lower.slice(0, 3)] = i;
});
Object.assign(WEEKDAY_WORDS, { tues: 2, wednes: 3, thur: 4, thurs: 4 });

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
    } else if (word in WEEKDAY_WORDS) {
      if (weekday !== undefined) return twice('weekday');
      weekday = WEEKDAY_WORDS[word];
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

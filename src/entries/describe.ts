import { differenceInCalendarDays } from 'date-fns/differenceInCalendarDays';
import { format } from 'date-fns/format';
import { TZDate } from '@date-fns/tz';
import type { ActivityTypeDef } from './activity-types.js';

export interface ActivitySummary {
  typeKey: string;
  quantity: number;
  outcome: string | null;
  account: string | null;
  contact: string | null;
  durationMinutes: number | null;
  occurredAt: Date;
  notes: string | null;
}

export function typeNoun(type: ActivityTypeDef | undefined, typeKey: string, quantity: number): string {
  if (!type) return quantity === 1 ? typeKey : `${typeKey}s`;
  return quantity === 1 ? type.label.toLowerCase() : type.plural.toLowerCase();
}

/** "today", "yesterday", or "Friday, Nov 27" in the user's time zone. */
export function dayWords(occurredAt: Date, now: Date, timeZone: string): string {
  const local = new TZDate(occurredAt, timeZone);
  const days = differenceInCalendarDays(new TZDate(now, timeZone), local);
  if (days === 0) return 'today';
  if (days === 1) return 'yesterday';
  return format(local, 'EEEE, MMM d');
}

export function formatDuration(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** "12 calls (voicemail) with Acme Corp for today": the plain words for what was stored (no mrkdwn). */
export function describeActivity(a: ActivitySummary, type: ActivityTypeDef | undefined, now: Date, timeZone: string): string {
  const parts = [`${a.quantity} ${typeNoun(type, a.typeKey, a.quantity)}`];
  if (a.outcome) parts.push(`(${a.outcome})`);
  if (a.account) parts.push(`with ${a.account}`);
  parts.push(`for ${dayWords(a.occurredAt, now, timeZone)}`);
  return parts.join(' ');
}

/** The effort behind a won deal, as src/metrics computes it (a DealEffort fits). */
export interface EffortSummary {
  activities: number;
  days: number;
  byType: Record<string, number>;
}

/** "1 activity" / "14 activities". */
function activitiesNoun(n: number): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? 'activity' : 'activities'}`;
}

/**
 * "won after 14 activities over 21 days (6 calls, 5 emails, 2 meetings, 1 demo)": plain words, no mrkdwn (type
 * labels are the workspace's text: escape them for mrkdwn). Types by count, most first, then in the workspace's
 * order; a type the workspace no longer has is named by its key.
 */
export function effortWords(effort: EffortSummary, types: readonly ActivityTypeDef[]): string {
  const order = (key: string) => {
    const i = types.findIndex((t) => t.key === key);
    return i === -1 ? types.length : i;
  };
  const parts = Object.entries(effort.byType)
    .filter(([, n]) => n > 0)
    .sort(([ka, a], [kb, b]) => b - a || order(ka) - order(kb) || (ka < kb ? -1 : 1))
    .map(([key, n]) => `${n.toLocaleString('en-US')} ${typeNoun(types.find((t) => t.key === key), key, n)}`);
  const span = effort.days <= 0 ? 'the same day' : `over ${effort.days.toLocaleString('en-US')} ${effort.days === 1 ? 'day' : 'days'}`;
  return `won after ${activitiesNoun(effort.activities)} ${span}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

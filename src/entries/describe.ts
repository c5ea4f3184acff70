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

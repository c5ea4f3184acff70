/**
 * Pure readers for the values of an imported CSV cell. Each returns the value or a message that completes
 * "line N: <column> ..." (e.g. `"12,50" is not a decimal number like 12500.50`). No I/O; `now` comes in.
 */
import { z } from 'zod';
import { dayInstant, isoInstant, parseIso, parseIsoDate } from '../../periods/calendar.js';

export const MAX_EXTERNAL_ID_LENGTH = 255;
export const MAX_NAME_LENGTH = 255;
export const MAX_NOTES_LENGTH = 3000;

/** Where a date without a time of day is placed, and what "the future" means. */
export interface WhenContext {
  /** IANA zone date-only values are read in (the workspace default time zone). */
  timeZone: string;
  now: Date;
}

/** A value shown in a message: quoted, cut short, control characters made visible. */
export function shown(value: string): string {
  const flat = value.replace(/\r\n|\r|\n/g, '\\n').replace(/\t/g, '\\t');
  return JSON.stringify(flat.length > 40 ? `${flat.slice(0, 37)}...` : flat);
}

/** A cell as an optional trimmed string: blank cells are absent. */
export function optionalCell() {
  return z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
}

/** Issues in a transform: one custom issue with `message` on the current path. */
type Ctx = z.core.$RefinementCtx;
function fail(ctx: Ctx, message: string): typeof z.NEVER {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
}

export function requiredCell(column: string, hint: string) {
  return optionalCell().transform((v, ctx) => (v === undefined ? fail(ctx, `${column} is required (${hint})`) : v));
}

export function textCell(column: string, max: number) {
  return optionalCell().transform((v, ctx) => {
    if (v === undefined) return null;
    if (v.length > max) return fail(ctx, `${column} is ${v.length} characters long; the most is ${max}`);
    return v;
  });
}

const SLACK_USER_ID = /^[UW][A-Z0-9]+$/;

/** A Slack user id (U0123ABCD, or W... on Enterprise Grid). Emails can't be resolved without Slack. */
export function userIdCell() {
  return requiredCell('user_id', 'a Slack user id like U0123ABCD').transform((v, ctx) =>
    SLACK_USER_ID.test(v) ? v : fail(ctx, `user_id ${shown(v)} is not a Slack user id like U0123ABCD`),
  );
}

export function externalIdCell() {
  return textCell('external_id', MAX_EXTERNAL_ID_LENGTH);
}

/** A whole number in [min, max], or `fallback` when blank. */
export function intCell(column: string, min: number, max: number, fallback: number | null) {
  return optionalCell().transform((v, ctx) => {
    if (v === undefined) return fallback;
    if (!/^\d+$/.test(v)) return fail(ctx, `${column} ${shown(v)} is not a whole number from ${min} to ${max}`);
    const n = Number(v);
    if (n < min || n > max) return fail(ctx, `${column} ${v} is out of range: use a whole number from ${min} to ${max}`);
    return n;
  });
}

// ---------------------------------------------------------------------------
// Dates and times

export type WhenResult = { ok: true; at: Date } | { ok: false; message: string };

/**
 * An imported moment:
 * - `2026-10-01`: 12:00 that day in `ctx.timeZone` (noon keeps the day the same in every nearby zone);
 *   for today, if noon has not come yet, `now` instead, so today's rows are never in the future;
 * - `2026-10-01T14:30:00+02:00` / `...Z`: that instant, as is;
 * - `2026-10-01T14:30` / `2026-10-01 14:30:00` (no offset): that wall-clock time in `ctx.timeZone`.
 * Anything later than `ctx.now` is refused. There is no lower limit: imports are history.
 */
export function parseWhen(value: string, ctx: WhenContext): WhenResult {
  const parsed = parseIso(value, { spaces: true });
  const at = !parsed ? null : parsed.kind === 'date' ? dayInstant(parsed.date, ctx.timeZone, ctx.now) : isoInstant(parsed, ctx.timeZone);
  if (at === null || Number.isNaN(at.getTime())) return { ok: false, message: `${shown(value)} is not a date like 2026-10-01 or 2026-10-01T14:30:00Z` };
  if (at > ctx.now) return { ok: false, message: `${value} is in the future` };
  return { ok: true, at };
}

export function whenCell(column: string, ctx: WhenContext) {
  // Placing a day in a time zone costs ~10 µs (TZDate asks Intl for the offset); a file repeats its days a lot.
  const days = new Map<string, WhenResult>();
  return requiredCell(column, 'a date like 2026-10-01 or a timestamp like 2026-10-01T14:30:00Z').transform((v, zctx) => {
    let result = days.get(v);
    if (result === undefined) {
      result = parseWhen(v, ctx);
      if (parseIsoDate(v)) days.set(v, result);
    }
    return result.ok ? new Date(result.at.getTime()) : fail(zctx, `${column} ${result.message}`);
  });
}

export { fail };

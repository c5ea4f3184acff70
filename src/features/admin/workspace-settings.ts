/**
 * The workspace's calendar settings (backdating window, week start, fiscal-year start, default time zone): the one
 * place that validates and changes them. The settings modal's calendar section uses it; every change is written with
 * its audit entry (`settings.update`, subject the setting's name) in one transaction and takes effect at once (the
 * logging commands reuse a person's context for at most a second, LOGGING_CONTEXT_KEEP_MS).
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { workspaces } from '../../db/schema/index.js';
import { recordAudit } from '../../org/index.js';
import { ensureWorkspace, type WorkspaceSettings } from '../../slack/workspace.js';

export const MAX_BACKDATE_DAYS = 90;

export const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
export const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'] as const;

/** True when `name` is an IANA time zone this runtime knows ("Europe/Paris", "UTC"); offsets and abbreviations are not. */
export function isIanaTimeZone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const wholeNumber = (message: string) =>
  z
    .union([z.number(), z.string()])
    .transform((v) => (typeof v === 'string' ? v.trim() : v))
    .refine((v) => (typeof v === 'number' ? Number.isInteger(v) : /^\d{1,3}$/.test(v)), message)
    .transform(Number);

const BACKDATE_ERROR = `Enter a whole number of days from 0 to ${MAX_BACKDATE_DAYS}.`;
const WEEK_START_ERROR = 'Pick the day weeks start on.';
const FISCAL_ERROR = 'Pick the month the fiscal year starts in.';
const ZONE_ERROR = 'Enter a time zone name like Europe/Paris, America/New_York or UTC.';

/** Each setting, validated from what a form or a command gives (strings or numbers). */
export const calendarSettingsSchema = z.object({
  backdateDays: wholeNumber(BACKDATE_ERROR).pipe(z.number().min(0, BACKDATE_ERROR).max(MAX_BACKDATE_DAYS, BACKDATE_ERROR)),
  weekStartsOn: wholeNumber(WEEK_START_ERROR).pipe(z.number().min(0, WEEK_START_ERROR).max(6, WEEK_START_ERROR)),
  fiscalYearStartMonth: wholeNumber(FISCAL_ERROR).pipe(z.number().min(1, FISCAL_ERROR).max(12, FISCAL_ERROR)),
  defaultTimeZone: z
    .string(ZONE_ERROR)
    .trim()
    .refine((v) => isIanaTimeZone(v), ZONE_ERROR),
});

export type CalendarSettings = z.output<typeof calendarSettingsSchema>;
export type CalendarSettingName = keyof CalendarSettings;
export type CalendarSettingsInput = Partial<Record<CalendarSettingName, string | number | undefined>>;

/** The name a setting has in the audit log (its column). */
export const SETTING_AUDIT_NAMES: Record<CalendarSettingName, string> = {
  backdateDays: 'backdate_days',
  weekStartsOn: 'week_starts_on',
  fiscalYearStartMonth: 'fiscal_year_start_month',
  defaultTimeZone: 'default_time_zone',
};

export type ValidatedSettings = { ok: true; value: Partial<CalendarSettings> } | { ok: false; errors: Partial<Record<CalendarSettingName, string>> };

/** Validate the given settings (the absent ones are left alone): every problem, by setting. Pure. */
export function validateCalendarSettings(input: CalendarSettingsInput): ValidatedSettings {
  const given = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  const parsed = calendarSettingsSchema.partial().safeParse(given);
  if (parsed.success) return { ok: true, value: parsed.data };
  const errors: Partial<Record<CalendarSettingName, string>> = {};
  for (const issue of parsed.error.issues) {
    const name = issue.path[0] as CalendarSettingName;
    errors[name] ??= issue.message;
  }
  return { ok: false, errors };
}

export function calendarSettingsOf(ws: WorkspaceSettings): CalendarSettings {
  return { backdateDays: ws.backdateDays, weekStartsOn: ws.weekStartsOn, fiscalYearStartMonth: ws.fiscalYearStartMonth, defaultTimeZone: ws.defaultTimeZone };
}

export type UpdateSettingsResult = { ok: true; changed: CalendarSettingName[]; settings: CalendarSettings } | { ok: false; errors: Partial<Record<CalendarSettingName, string>> };

/**
 * Validate and store the given settings: nothing is stored when any is invalid. Only real changes are written, each
 * with an audit entry, all in one transaction.
 */
export async function updateCalendarSettings(
  deps: Pick<Deps, 'db' | 'clock'>,
  input: { teamId: string; actorId: string; settings: CalendarSettingsInput },
): Promise<UpdateSettingsResult> {
  const validated = validateCalendarSettings(input.settings);
  if (!validated.ok) return validated;
  await ensureWorkspace(deps.db, input.teamId);
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const [row] = await tx.select().from(workspaces).where(eq(workspaces.teamId, input.teamId)).for('update');
    const before = calendarSettingsOf(row!);
    const changed = (Object.keys(validated.value) as CalendarSettingName[]).filter((k) => validated.value[k] !== before[k]);
    if (changed.length === 0) return { ok: true, changed, settings: before };
    const set = Object.fromEntries(changed.map((k) => [k, validated.value[k]])) as Partial<CalendarSettings>;
    await tx
      .update(workspaces)
      .set({ ...set, updatedAt: now })
      .where(eq(workspaces.teamId, input.teamId));
    for (const k of changed) {
      await recordAudit(tx, { teamId: input.teamId, actorId: input.actorId, action: 'settings.update', subject: SETTING_AUDIT_NAMES[k], before: before[k], after: validated.value[k], at: now });
    }
    return { ok: true, changed, settings: { ...before, ...set } };
  });
}

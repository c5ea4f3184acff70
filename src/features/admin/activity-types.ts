/**
 * The workspace's activity types, as an admin manages them: custom types (create, edit, delete while they have no
 * entries), and hide/show for any type, built-in or custom (activity_type_settings). Every change is validated and
 * written with its audit entry in one transaction. Logging reads the types afresh (the slash commands within a
 * second, LOGGING_CONTEXT_KEEP_MS), so a change takes effect at once.
 */
import { and, count, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { activities, activityTypes, activityTypeSettings } from '../../db/schema/index.js';
import { BUILT_IN_ACTIVITY_TYPES, type ActivityTypeDef } from '../../entries/activity-types.js';
import { recordAudit } from '../../org/index.js';
import { ensureWorkspace } from '../../slack/workspace.js';
import { loadActivityTypes } from '../logging/index.js';

export const MAX_TYPE_NAME = 40;
export const MAX_OUTCOMES = 10;
export const MAX_CUSTOM_TYPES = 40;

/** What the form (or a caller) gives for a custom type, as text. */
export interface TypeInput {
  name: string;
  plural: string;
  emoji?: string | null;
  /** Comma-separated. */
  outcomes?: string | null;
  /** An exact decimal, > 0 and ≤ 100, at most 2 decimals; empty = none (1). */
  weight?: string | null;
}
export type TypeField = keyof TypeInput;

export interface ValidType {
  label: string;
  plural: string;
  emoji: string | null;
  outcomes: string[];
  weight: string | null;
}

const NAME_ERROR = `Use 1 to ${MAX_TYPE_NAME} letters, digits, spaces or dashes, starting with a letter.`;
const OUTCOMES_ERROR = `Outcomes are single words (letters, digits, dashes) separated by commas, like \`booked, no-show\`; at most ${MAX_OUTCOMES}.`;
const EMOJI_ERROR = 'Use an emoji code like :car: or leave it empty.';
const WEIGHT_ERROR = 'Enter a number above 0 and at most 100, with at most 2 decimals (like 1.5), or leave it empty.';

const name = z
  .string()
  .trim()
  .regex(new RegExp(`^[A-Za-z][A-Za-z0-9 -]{0,${MAX_TYPE_NAME - 1}}$`), NAME_ERROR)
  .transform((v) => v.replace(/\s+/g, ' '));
const optionalText = z
  .string()
  .nullish()
  .transform((v) => (v ?? '').trim());

export const typeInputSchema = z.object({
  name,
  plural: name,
  emoji: optionalText.refine((v) => v === '' || /^:[a-z0-9_+'-]{1,60}:$/i.test(v), EMOJI_ERROR).transform((v) => v || null),
  outcomes: optionalText
    .transform((v) => v.split(',').map((o) => o.trim().replace(/^#/, '')).filter(Boolean))
    .refine((list) => list.length <= MAX_OUTCOMES && list.every((o) => /^[A-Za-z0-9][A-Za-z0-9_-]{0,29}$/.test(o)), OUTCOMES_ERROR)
    .refine((list) => new Set(list.map((o) => o.toLowerCase())).size === list.length, 'Each outcome once, please.'),
  weight: optionalText
    .refine((v) => v === '' || (/^\d{1,3}(\.\d{1,2})?$/.test(v) && Number(v) > 0 && Number(v) <= 100), WEIGHT_ERROR)
    .transform((v) => (v === '' ? null : normaliseDecimal(v))),
});

/** "1.50" -> "1.5", "007" -> "7": the same exact value, written plainly. */
function normaliseDecimal(v: string): string {
  const [int = '0', frac = ''] = v.split('.');
  const i = int.replace(/^0+(?=\d)/, '');
  const f = frac.replace(/0+$/, '');
  return f ? `${i}.${f}` : i;
}

/** The key of a new type: its name in lower case, words joined by dashes ("Site visit" -> "site-visit"). */
export function typeKeyOf(label: string): string {
  return label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_TYPE_NAME);
}

export type TypeValidation = { ok: true; value: ValidType } | { ok: false; errors: Partial<Record<TypeField, string>> };

/**
 * Validate a custom type against the workspace's types (`existing`): its name and plural may not be taken by
 * another type (key, name or plural, whatever the case). `editing` is the key of the type being edited. Pure.
 */
export function validateTypeInput(input: TypeInput, existing: ActivityTypeDef[], editing?: string): TypeValidation {
  const parsed = typeInputSchema.safeParse(input);
  const errors: Partial<Record<TypeField, string>> = {};
  if (!parsed.success) {
    for (const issue of parsed.error.issues) errors[issue.path[0] as TypeField] ??= issue.message;
    return { ok: false, errors };
  }
  const v = parsed.data;
  const others = existing.filter((t) => t.key !== editing);
  const taken = (word: string) => others.find((t) => [t.key, t.label, t.plural].some((n) => n.toLowerCase() === word.toLowerCase()) || t.key === typeKeyOf(word));
  const nameTaken = taken(v.name);
  if (nameTaken) errors.name = `There is already a type called ${nameTaken.label}. Pick another name.`;
  const pluralTaken = taken(v.plural);
  if (pluralTaken) errors.plural = `${pluralTaken.label} already uses that word. Pick another plural.`;
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, value: { label: v.name, plural: v.plural.toLowerCase(), emoji: v.emoji, outcomes: v.outcomes, weight: v.weight } };
}

const isBuiltIn = (key: string) => BUILT_IN_ACTIVITY_TYPES.some((t) => t.key === key);

type ServiceDeps = Pick<Deps, 'db' | 'clock'>;
export type TypeChange = { ok: true; type: ActivityTypeDef } | { ok: false; errors: Partial<Record<TypeField, string>> };

/** Create a custom type (and its weight). Audited `activity_type.create`. */
export async function createCustomType(deps: ServiceDeps, input: { teamId: string; actorId: string; type: TypeInput }): Promise<TypeChange> {
  await ensureWorkspace(deps.db, input.teamId);
  const existing = await loadActivityTypes(deps.db, input.teamId);
  const valid = validateTypeInput(input.type, existing);
  if (!valid.ok) return valid;
  if (existing.filter((t) => !isBuiltIn(t.key)).length >= MAX_CUSTOM_TYPES) return { ok: false, errors: { name: `A workspace can have at most ${MAX_CUSTOM_TYPES} types of its own.` } };
  const v = valid.value;
  const key = typeKeyOf(v.label);
  const now = deps.clock.now();
  const created = await deps.db.transaction(async (tx) => {
    const rows = await tx
      .insert(activityTypes)
      .values({ teamId: input.teamId, key, label: v.label, plural: v.plural, outcomes: v.outcomes, emoji: v.emoji, createdAt: now })
      .onConflictDoNothing()
      .returning({ key: activityTypes.key });
    if (rows.length === 0) return false;
    if (v.weight !== null) await tx.insert(activityTypeSettings).values({ teamId: input.teamId, typeKey: key, weight: v.weight, updatedAt: now });
    await recordAudit(tx, { teamId: input.teamId, actorId: input.actorId, action: 'activity_type.create', subject: v.label, before: null, after: { key, ...v }, at: now });
    return true;
  });
  if (!created) return { ok: false, errors: { name: `There is already a type called ${v.label}. Pick another name.` } };
  return { ok: true, type: { key, label: v.label, plural: v.plural, outcomes: v.outcomes, ...(v.emoji ? { emoji: v.emoji } : {}), ...(v.weight ? { weight: v.weight } : {}) } };
}

/** Change a custom type's name, plural, emoji, outcomes and weight (its key stays). Audited `activity_type.update`. */
export async function updateCustomType(deps: ServiceDeps, input: { teamId: string; actorId: string; key: string; type: TypeInput }): Promise<TypeChange | { ok: false; notFound: true }> {
  const existing = await loadActivityTypes(deps.db, input.teamId);
  const current = existing.find((t) => t.key === input.key);
  if (!current || isBuiltIn(input.key)) return { ok: false, notFound: true };
  const valid = validateTypeInput(input.type, existing, input.key);
  if (!valid.ok) return valid;
  const v = valid.value;
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await tx
      .update(activityTypes)
      .set({ label: v.label, plural: v.plural, outcomes: v.outcomes, emoji: v.emoji })
      .where(and(eq(activityTypes.teamId, input.teamId), eq(activityTypes.key, input.key)));
    await tx
      .insert(activityTypeSettings)
      .values({ teamId: input.teamId, typeKey: input.key, weight: v.weight, updatedAt: now })
      .onConflictDoUpdate({ target: [activityTypeSettings.teamId, activityTypeSettings.typeKey], set: { weight: v.weight, updatedAt: now } });
    const before = { label: current.label, plural: current.plural, emoji: current.emoji ?? null, outcomes: current.outcomes, weight: current.weight ?? null };
    await recordAudit(tx, { teamId: input.teamId, actorId: input.actorId, action: 'activity_type.update', subject: v.label, before, after: v, at: now });
  });
  return { ok: true, type: { ...current, label: v.label, plural: v.plural, outcomes: v.outcomes, emoji: v.emoji ?? undefined, weight: v.weight ?? undefined } };
}

/** Hide (no longer offered for logging; its entries still count and show) or show a type, built-in or custom. */
export async function setTypeHidden(deps: ServiceDeps, input: { teamId: string; actorId: string; key: string; hidden: boolean }): Promise<ActivityTypeDef | undefined> {
  const type = (await loadActivityTypes(deps.db, input.teamId)).find((t) => t.key === input.key);
  if (!type) return undefined;
  if ((type.hidden ?? false) === input.hidden) return type;
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await tx
      .insert(activityTypeSettings)
      .values({ teamId: input.teamId, typeKey: input.key, hidden: input.hidden, updatedAt: now })
      .onConflictDoUpdate({ target: [activityTypeSettings.teamId, activityTypeSettings.typeKey], set: { hidden: input.hidden, updatedAt: now } });
    await recordAudit(tx, {
      teamId: input.teamId,
      actorId: input.actorId,
      action: input.hidden ? 'activity_type.hide' : 'activity_type.show',
      subject: type.label,
      before: { hidden: !input.hidden },
      after: { hidden: input.hidden },
      at: now,
    });
  });
  return { ...type, hidden: input.hidden };
}

export type DeleteResult = 'deleted' | 'has_entries' | 'not_found';

/** Delete a custom type that has no entries (else hide it). Audited `activity_type.delete`. */
export async function deleteCustomType(deps: ServiceDeps, input: { teamId: string; actorId: string; key: string }): Promise<{ result: DeleteResult; label?: string; entries?: number }> {
  if (isBuiltIn(input.key)) return { result: 'not_found' };
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const [type] = await tx
      .select({ label: activityTypes.label, plural: activityTypes.plural, outcomes: activityTypes.outcomes, emoji: activityTypes.emoji })
      .from(activityTypes)
      .where(and(eq(activityTypes.teamId, input.teamId), eq(activityTypes.key, input.key)))
      .for('update');
    if (!type) return { result: 'not_found' as const };
    // Every row counts, undone ones too: an undone entry still names its type.
    const [used] = await tx
      .select({ n: count() })
      .from(activities)
      .where(and(eq(activities.teamId, input.teamId), eq(activities.typeKey, input.key)));
    const entries = Number(used?.n ?? 0);
    if (entries > 0) return { result: 'has_entries' as const, label: type.label, entries };
    await tx.delete(activityTypes).where(and(eq(activityTypes.teamId, input.teamId), eq(activityTypes.key, input.key)));
    await tx.delete(activityTypeSettings).where(and(eq(activityTypeSettings.teamId, input.teamId), eq(activityTypeSettings.typeKey, input.key)));
    await recordAudit(tx, { teamId: input.teamId, actorId: input.actorId, action: 'activity_type.delete', subject: type.label, before: { key: input.key, ...type }, after: null, at: now });
    return { result: 'deleted' as const, label: type.label };
  });
}

export { isBuiltIn as isBuiltInType };

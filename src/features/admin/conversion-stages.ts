/**
 * The workspace's conversion stages, as an admin manages them (the settings modal's `stages` section): add, edit,
 * remove, move up or down, reset to the defaults. Stored in workspaces.conversion_stages (null: the default stages
 * of src/metrics). Every change is validated with zod and written with its audit entry in one transaction, under a
 * lock on the workspace row, so two admins editing at once never lose a change or store a list that breaks a rule.
 *
 * Rules (decisions):
 * - 2 to 8 stages. The last stage is always "deals won" (`won: true`) and only the last: the funnel ends where the
 *   outcome is, so every rate before it reads as "how effort becomes wins". It can be renamed, never removed or
 *   moved; a new stage goes just before it.
 * - Labels: 1 to 40 characters (spaces collapsed), unique whatever the case.
 * - An activity stage names the types it counts (none: any type) and the outcomes (none: any outcome, or none).
 *   Every named type must exist in the workspace (built-in or custom, hidden ones too: their entries still count),
 *   and every named outcome must be an outcome of one of the stage's types (of any type when it names none).
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { workspaces, type StoredConversionStage } from '../../db/schema/index.js';
import type { ActivityTypeDef } from '../../entries/activity-types.js';
import { conversionStagesOf, DEFAULT_CONVERSION_STAGES } from '../../metrics/index.js';
import { recordAudit } from '../../org/index.js';
import { ensureWorkspace } from '../../slack/workspace.js';
import { loadActivityTypes } from '../logging/index.js';

export const MIN_STAGES = 2;
export const MAX_STAGES = 8;
export const MAX_STAGE_LABEL = 40;
/** More than any workspace has (5 built-in + 40 custom types; outcomes per type are at most 10). */
const MAX_STAGE_TYPES = 50;
const MAX_STAGE_OUTCOMES = 30;

export type StageField = 'label' | 'types' | 'outcomes';

/** What the form (or a caller) gives for one stage. */
export interface StageInput {
  label: string;
  /** Activity type keys; empty: any type. */
  types: string[];
  /** Outcomes as typed or picked (a leading # is dropped); empty: any outcome. */
  outcomes: string[];
}

const LABEL_ERROR = `Give the stage a name of 1 to ${MAX_STAGE_LABEL} characters.`;

/** A label as stored: trimmed, inner whitespace collapsed, no control characters. */
export const stageLabelSchema = z
  .string()
  // eslint-disable-next-line no-control-regex
  .transform((v) => v.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim())
  .pipe(z.string().min(1, LABEL_ERROR).max(MAX_STAGE_LABEL, LABEL_ERROR));

const outcomeWord = z
  .string()
  .transform((v) => v.trim().replace(/^#/, ''))
  .pipe(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,29}$/, 'Outcomes are single words (letters, digits, dashes), like `booked` or `held`.'));

/** One stage's own shape (what the form gives). */
export const stageInputSchema = z.object({
  label: stageLabelSchema,
  types: z.array(z.string().min(1).max(40)).max(MAX_STAGE_TYPES, `At most ${MAX_STAGE_TYPES} types.`),
  outcomes: z.array(outcomeWord).max(MAX_STAGE_OUTCOMES, `At most ${MAX_STAGE_OUTCOMES} outcomes.`),
});

const storedStageSchema = z.strictObject({
  label: stageLabelSchema,
  types: z.array(z.string().min(1).max(40)).max(MAX_STAGE_TYPES).optional(),
  outcomes: z.array(z.string().min(1).max(30)).max(MAX_STAGE_OUTCOMES).optional(),
  won: z.boolean().optional(),
});

const labelKey = (label: string) => label.toLowerCase();

/** The whole list's rules: the last word before anything is stored. */
export const conversionStagesSchema = z
  .array(storedStageSchema)
  .min(MIN_STAGES, `A funnel needs at least ${MIN_STAGES} stages: where it starts, and deals won.`)
  .max(MAX_STAGES, `A funnel has at most ${MAX_STAGES} stages, deals won included.`)
  .refine((list) => list.at(-1)?.won === true, 'The last stage must be deals won.')
  .refine((list) => list.filter((s) => s.won).length === 1, 'Only the last stage counts deals won.')
  .refine((list) => list.every((s) => !s.won || (!s.types?.length && !s.outcomes?.length)), 'The deals won stage counts deals, not activities.')
  .refine((list) => new Set(list.map((s) => labelKey(s.label))).size === list.length, 'Each stage needs its own name.');

/** A stage as stored: empty lists left out. */
function stored(stage: { label: string; types?: string[]; outcomes?: string[]; won?: boolean }): StoredConversionStage {
  return {
    label: stage.label,
    ...(stage.types?.length ? { types: [...stage.types] } : {}),
    ...(stage.outcomes?.length ? { outcomes: [...stage.outcomes] } : {}),
    ...(stage.won ? { won: true } : {}),
  };
}

/** The default stages (src/metrics), as they would be stored. */
export function defaultStages(): StoredConversionStage[] {
  return DEFAULT_CONVERSION_STAGES.map(stored);
}

function typeName(types: ActivityTypeDef[], key: string): string {
  return types.find((t) => t.key === key)?.plural ?? key;
}

function wordList(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

export type StageValidation = { ok: true; value: StoredConversionStage } | { ok: false; errors: Partial<Record<StageField, string>> };

/**
 * Validate one stage against the workspace's types and the other stages (`others`: every stage but the one being
 * edited). `won`: the deals-won stage, whose types and outcomes are not asked. Pure.
 */
export function validateStage(input: StageInput, ctx: { types: ActivityTypeDef[]; others: StoredConversionStage[]; won?: boolean }): StageValidation {
  const parsed = stageInputSchema.safeParse(ctx.won ? { ...input, types: [], outcomes: [] } : input);
  const errors: Partial<Record<StageField, string>> = {};
  if (!parsed.success) {
    for (const issue of parsed.error.issues) errors[issue.path[0] as StageField] ??= issue.message;
    return { ok: false, errors };
  }
  const v = parsed.data;
  const taken = ctx.others.find((s) => labelKey(s.label) === labelKey(v.label));
  if (taken) errors.label = `There is already a stage called ${taken.label}. Pick another name.`;
  if (ctx.won) return Object.keys(errors).length ? { ok: false, errors } : { ok: true, value: { label: v.label, won: true } };

  const typeKeys = [...new Set(v.types)];
  const unknown = typeKeys.filter((k) => !ctx.types.some((t) => t.key === k));
  if (unknown.length) errors.types = `${wordList(unknown.map((k) => `\`${k}\``))} ${unknown.length === 1 ? 'is not an activity type' : 'are not activity types'} here. Pick from the list.`;
  const chosen = typeKeys.length ? ctx.types.filter((t) => typeKeys.includes(t.key)) : ctx.types;
  // Outcomes as the types spell them (a typed `Booked` is the type's `booked`), each once.
  const outcomes: string[] = [];
  const missing: string[] = [];
  for (const word of v.outcomes) {
    const canonical = chosen.flatMap((t) => t.outcomes).find((o) => o.toLowerCase() === word.toLowerCase());
    if (canonical === undefined) missing.push(word);
    else if (!outcomes.includes(canonical)) outcomes.push(canonical);
  }
  if (missing.length && !errors.types) {
    const whose = typeKeys.length ? wordList(chosen.map((t) => t.plural)) : 'no activity type';
    errors.outcomes = typeKeys.length
      ? `${wordList(missing.map((o) => `#${o}`))}: not an outcome of ${whose}. Pick outcomes of the chosen types, or leave the types empty.`
      : `${wordList(missing.map((o) => `#${o}`))}: ${whose} has that outcome. Add it to a type first (Activity types).`;
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, value: stored({ label: v.label, types: typeKeys, outcomes }) };
}

/** What a stage counts, in words: "calls and emails · #connected, #replied". Plain text (escape for mrkdwn). */
export function stageWords(stage: StoredConversionStage, types: ActivityTypeDef[]): string {
  if (stage.won) return 'deals marked won';
  const which = stage.types?.length
    ? wordList(stage.types.map((k) => (types.some((t) => t.key === k) ? typeName(types, k) : `${k} (no longer a type)`)))
    : 'any activity';
  const how = stage.outcomes?.length ? stage.outcomes.map((o) => `#${o}`).join(', ') : 'any outcome';
  return `${which} · ${how}`;
}

export interface StageSettings {
  /** What is stored (null: the defaults). */
  stored: StoredConversionStage[] | null;
  /** The stages in force, in order. */
  stages: StoredConversionStage[];
  types: ActivityTypeDef[];
}

/** The stages in force for a stored value: the stored list when it keeps the rules, else the defaults. */
function inForce(value: StoredConversionStage[] | null): StoredConversionStage[] {
  return conversionStagesOf(value).map(stored);
}

export async function loadStageSettings(deps: Pick<Deps, 'db'>, teamId: string): Promise<StageSettings> {
  const [ws, types] = await Promise.all([ensureWorkspace(deps.db, teamId), loadActivityTypes(deps.db, teamId)]);
  const value = ws.conversionStages ?? null;
  return { stored: value, stages: inForce(value), types };
}

export type StageChange =
  | { op: 'add'; stage: StageInput }
  /** `label`: the stage's label when the admin saw it (a stale index is refused, never applied to another stage). */
  | { op: 'edit'; index: number; label: string; stage: StageInput }
  | { op: 'up' | 'down' | 'remove'; index: number; label: string }
  | { op: 'reset' };

export type StageChangeResult =
  | { ok: true; changed: boolean; stages: StoredConversionStage[]; label?: string }
  | { ok: false; errors: Partial<Record<StageField, string>> }
  /** The stage is not where the admin saw it (someone else changed the list meanwhile). */
  | { ok: false; stale: true }
  /** The change would break a rule of the whole list (2 to 8 stages, deals won last): nothing stored. */
  | { ok: false; error: string };

const AUDIT_ACTIONS: Record<StageChange['op'], string> = {
  add: 'conversion_stages.add',
  edit: 'conversion_stages.update',
  up: 'conversion_stages.move',
  down: 'conversion_stages.move',
  remove: 'conversion_stages.remove',
  reset: 'conversion_stages.reset',
};

type Apply = { ok: true; next: StoredConversionStage[] | null; label?: string } | Exclude<StageChangeResult, { ok: true }>;

/** The list after the change, or why not. Pure. */
export function applyStageChange(current: StoredConversionStage[], change: StageChange, types: ActivityTypeDef[]): Apply {
  if (change.op === 'reset') return { ok: true, next: null };
  if (change.op === 'add') {
    const wonAt = current.findIndex((s) => s.won);
    const valid = validateStage(change.stage, { types, others: current });
    if (!valid.ok) return valid;
    if (current.length >= MAX_STAGES) return { ok: false, errors: { label: `A funnel has at most ${MAX_STAGES} stages, deals won included. Remove one first.` } };
    const at = wonAt === -1 ? current.length : wonAt;
    return { ok: true, next: [...current.slice(0, at), valid.value, ...current.slice(at)], label: valid.value.label };
  }
  const target = current[change.index];
  if (!target || target.label !== change.label) return { ok: false, stale: true };
  const next = [...current];
  switch (change.op) {
    case 'edit': {
      const valid = validateStage(change.stage, { types, others: current.filter((_, i) => i !== change.index), won: target.won === true });
      if (!valid.ok) return valid;
      next[change.index] = valid.value;
      return { ok: true, next, label: valid.value.label };
    }
    case 'remove':
      if (target.won) return { ok: false, error: 'Deals won is always the last stage: rename it if you like, it cannot be removed.' };
      if (current.length <= MIN_STAGES) return { ok: false, error: `A funnel needs at least ${MIN_STAGES} stages: where it starts, and deals won. Add another before removing ${target.label}.` };
      next.splice(change.index, 1);
      return { ok: true, next, label: target.label };
    case 'up':
    case 'down': {
      const to = change.op === 'up' ? change.index - 1 : change.index + 1;
      if (target.won || next[to] === undefined || next[to].won) return { ok: false, error: 'Deals won is always the last stage; the others move before it.' };
      [next[change.index], next[to]] = [next[to], target];
      return { ok: true, next, label: target.label };
    }
  }
}

/**
 * Apply one change for an admin (the caller checked the role): validated, stored and audited together, or nothing.
 * Audited `conversion_stages.<add|update|move|remove|reset>` with the stages in force before and after.
 */
export async function changeConversionStages(deps: Pick<Deps, 'db' | 'clock'>, input: { teamId: string; actorId: string; change: StageChange }): Promise<StageChangeResult> {
  const { teamId, actorId, change } = input;
  await ensureWorkspace(deps.db, teamId);
  const types = await loadActivityTypes(deps.db, teamId);
  const now = deps.clock.now();
  return deps.db.transaction(async (tx): Promise<StageChangeResult> => {
    const [row] = await tx.select({ stages: workspaces.conversionStages }).from(workspaces).where(eq(workspaces.teamId, teamId)).for('update');
    const before = row?.stages ?? null;
    const current = inForce(before);
    const applied = applyStageChange(current, change, types);
    if (!applied.ok) return applied;
    if (applied.next === null) {
      if (before === null) return { ok: true, changed: false, stages: current };
    } else {
      const checked = conversionStagesSchema.safeParse(applied.next);
      if (!checked.success) return { ok: false, error: checked.error.issues[0]?.message ?? 'Those stages break a rule.' };
      if (JSON.stringify(applied.next) === JSON.stringify(current)) return { ok: true, changed: false, stages: current, ...(applied.label ? { label: applied.label } : {}) };
    }
    const after = applied.next ?? defaultStages();
    await tx.update(workspaces).set({ conversionStages: applied.next, updatedAt: now }).where(eq(workspaces.teamId, teamId));
    await recordAudit(tx, {
      teamId,
      actorId,
      action: AUDIT_ACTIONS[change.op],
      subject: change.op === 'reset' ? 'Conversion stages' : (applied.label ?? 'Conversion stages'),
      before: current,
      after: applied.next === null ? { default: true, stages: after } : after,
      at: now,
    });
    return { ok: true, changed: true, stages: after, ...(applied.label ? { label: applied.label } : {}) };
  });
}

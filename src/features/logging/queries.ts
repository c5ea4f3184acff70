import { and, eq, getTableColumns, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { isEntryId } from '../../entries/entry-id.js';
import { activities, activityTypes, activityTypeSettings, workspaces, type ActivitySource } from '../../db/schema/index.js';
import { activitySums, activitySumSql, type Driven } from '../../metrics/index.js';
import type { ReturningStatement } from '../../db/commit-before.js';
import type { Range } from '../../periods/week.js';
import { BUILT_IN_ACTIVITY_TYPES, type ActivityTypeDef } from '../../entries/activity-types.js';

export type Activity = typeof activities.$inferSelect;

export interface NewActivity {
  teamId: string;
  userId: string;
  /** Who logged it on `userId`'s behalf (a manager or an admin); absent when they logged it themselves. */
  loggedBy?: string | null;
  typeKey: string;
  quantity: number;
  occurredAt: Date;
  account: string | null;
  contact: string | null;
  outcome: string | null;
  durationMinutes: number | null;
  notes: string | null;
  source: ActivitySource;
  /** Same key twice (a Slack retry, a double click) stores one row. */
  idempotencyKey: string;
}

/**
 * Built-in types plus the workspace's own (a custom type with a built-in key replaces it), each with its settings
 * (`hidden`, `weight`). Hidden types are included: reports still name them; logging offers only the visible ones.
 */
export async function loadActivityTypes(db: Db, teamId: string): Promise<ActivityTypeDef[]> {
  const [custom, settings] = await Promise.all([
    db.select(CUSTOM_TYPE_COLUMNS).from(activityTypes).where(eq(activityTypes.teamId, teamId)).orderBy(activityTypes.id),
    db
      .select({ key: activityTypeSettings.typeKey, hidden: activityTypeSettings.hidden, weight: activityTypeSettings.weight })
      .from(activityTypeSettings)
      .where(eq(activityTypeSettings.teamId, teamId)),
  ]);
  return withCustomTypes(custom, settings);
}

/** A type's workspace settings (activity_type_settings). */
export type TypeSettingRow = { key: string; hidden: boolean; weight: string | null };

/**
 * The settings of the workspace's types as one JSON text column, for a select whose FROM has `workspaces` (the
 * logging context's one round trip); read it with typeSettingsFromJson.
 */
export const TYPE_SETTINGS_JSON = sql<string | null>`(select json_agg(json_build_object('key', ${activityTypeSettings.typeKey}, 'hidden', ${activityTypeSettings.hidden}, 'weight', ${activityTypeSettings.weight}::text))::text from ${activityTypeSettings} where ${activityTypeSettings.teamId} = ${workspaces.teamId})`;

export function typeSettingsFromJson(json: string | null | undefined): TypeSettingRow[] {
  if (!json) return [];
  return (JSON.parse(json) as TypeSettingRow[]).map((r) => ({ key: r.key, hidden: r.hidden === true, weight: r.weight ?? null }));
}

/** The columns of a workspace's own activity type. */
export const CUSTOM_TYPE_COLUMNS = {
  key: activityTypes.key,
  label: activityTypes.label,
  plural: activityTypes.plural,
  outcomes: activityTypes.outcomes,
  emoji: activityTypes.emoji,
};
export type CustomTypeRow = { key: string; label: string; plural: string; outcomes: string[]; emoji: string | null };

/**
 * The built-in types with a workspace's own (in id order) merged in: a custom type with a built-in key replaces it;
 * each with its settings (hidden, weight) when it has any.
 */
export function withCustomTypes(custom: CustomTypeRow[], settings: TypeSettingRow[] = []): ActivityTypeDef[] {
  const customKeys = new Set(custom.map((t) => t.key));
  const byKey = new Map(settings.map((s) => [s.key, s]));
  const withSettings = (t: ActivityTypeDef): ActivityTypeDef => {
    const s = byKey.get(t.key);
    if (!s) return t;
    return { ...t, ...(s.hidden ? { hidden: true } : {}), ...(s.weight !== null ? { weight: s.weight } : {}) };
  };
  return [...BUILT_IN_ACTIVITY_TYPES.filter((t) => !customKeys.has(t.key)), ...custom.map((t) => ({ ...t, emoji: t.emoji ?? undefined }))].map(withSettings);
}

/** The entry stored under an idempotency key, if any. */
export async function findActivityByKey(db: Db, teamId: string, idempotencyKey: string): Promise<Activity | undefined> {
  const [row] = await db
    .select()
    .from(activities)
    .where(and(eq(activities.teamId, teamId), eq(activities.idempotencyKey, idempotencyKey)));
  return row;
}

/**
 * One statement that inserts the entry (nothing when its idempotency key is stored: no row comes back) and returns it
 * with `before`, the person's sum of the type in `range` as it was before this insert (RETURNING's subquery reads the
 * statement's snapshot, which does not hold the new row). Run with statementBefore.
 */
export function insertActivityReturningSum(row: NewActivity, range: Range): ReturningStatement<Activity & { before: Driven }> {
  const fields = {
    ...getTableColumns(activities),
    before: activitySumSql({ teamId: row.teamId, userId: row.userId, typeKey: row.typeKey, range }),
  };
  return {
    fields,
    build: (db) =>
      db
        .insert(activities)
        .values(row)
        .onConflictDoNothing({ target: [activities.teamId, activities.idempotencyKey] })
        .returning(fields),
  };
}

export async function findActivity(db: Db, teamId: string, id: string): Promise<Activity | undefined> {
  if (!isEntryId(id)) return undefined;
  const [row] = await db
    .select()
    .from(activities)
    .where(and(eq(activities.teamId, teamId), eq(activities.id, id)));
  return row;
}

/** Soft delete: the row stays for audit, every report skips it. Returns false when already deleted. */
export async function softDeleteActivity(db: Db, teamId: string, userId: string, id: string, at: Date): Promise<boolean> {
  const rows = await db
    .update(activities)
    .set({ deletedAt: at, updatedAt: at })
    .where(and(eq(activities.teamId, teamId), eq(activities.userId, userId), eq(activities.id, id), isNull(activities.deletedAt)))
    .returning({ id: activities.id });
  return rows.length > 0;
}

export type ActivityChanges = Pick<NewActivity, 'typeKey' | 'quantity' | 'occurredAt' | 'account' | 'contact' | 'outcome' | 'durationMinutes' | 'notes'>;

/** Edit the author's own, not-deleted entry. Returns the updated row, or undefined if there is none. */
export async function updateActivity(db: Db, teamId: string, userId: string, id: string, changes: ActivityChanges, at: Date): Promise<Activity | undefined> {
  if (!isEntryId(id)) return undefined;
  const [row] = await db
    .update(activities)
    .set({ ...changes, updatedAt: at })
    .where(and(eq(activities.teamId, teamId), eq(activities.userId, userId), eq(activities.id, id), isNull(activities.deletedAt)))
    .returning();
  return row;
}

/** How many activities of one type the user logged in [start, end): the sum of quantities, from src/metrics. */
export async function countActivities(db: Db, teamId: string, userId: string, typeKey: string, range: Range): Promise<number> {
  const sums = await activitySums(db, { teamId, userId, ranges: new Map([['range', range]]), typeKeys: [typeKey] });
  return sums.get('range')?.get(typeKey) ?? 0;
}

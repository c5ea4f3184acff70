import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { targets, type TargetPeriod } from '../../db/schema/index.js';
import { salesTeamIdsOf, type DbOrTx } from '../../org/index.js';
import { EVERYONE, teamUserKey } from './parse.js';

export type TargetRow = typeof targets.$inferSelect;

export interface TargetInput {
  teamId: string;
  /** A user id, EVERYONE ('*'), or a sales team's `team:<id>` (teamUserKey). */
  userKey: string;
  /** An activity type key, or 'revenue'. */
  metric: string;
  /** A count, or minor units of `currency` for revenue. */
  amount: bigint;
  /** Revenue only; null for activity counts. */
  currency: string | null;
  period: TargetPeriod;
  createdBy: string;
}

/** Set a target; setting the same person's (or everyone's) metric again replaces it. Returns the target it replaced, if any. */
export async function upsertTarget(db: DbOrTx, input: TargetInput, now: Date): Promise<{ replaced: TargetRow | undefined }> {
  const [replaced] = await db
    .select()
    .from(targets)
    .where(and(eq(targets.teamId, input.teamId), eq(targets.userKey, input.userKey), eq(targets.metric, input.metric)));
  const values = { amount: input.amount, currency: input.currency, period: input.period, createdBy: input.createdBy, updatedAt: now };
  await db
    .insert(targets)
    .values({ teamId: input.teamId, userKey: input.userKey, metric: input.metric, ...values, createdAt: now })
    .onConflictDoUpdate({ target: [targets.teamId, targets.userKey, targets.metric], set: values });
  return { replaced };
}

/** Remove one target; the removed row, or undefined when there was none. */
export async function removeTarget(db: DbOrTx, teamId: string, userKey: string, metric: string): Promise<TargetRow | undefined> {
  const [removed] = await db
    .delete(targets)
    .where(and(eq(targets.teamId, teamId), eq(targets.userKey, userKey), eq(targets.metric, metric)))
    .returning();
  return removed;
}

/** Every target of the workspace: the everyone targets first, then per rep (by user id); each group by metric. */
export async function listTargets(db: Db, teamId: string): Promise<TargetRow[]> {
  return db
    .select()
    .from(targets)
    .where(eq(targets.teamId, teamId))
    .orderBy(sql`case when ${targets.userKey} = ${EVERYONE} then 0 else 1 end`, asc(targets.userKey), asc(targets.metric));
}

/**
 * One metric per row, by precedence: the rep's own target; else a target of one of their sales teams
 * (`salesTeamIds`, the teams they are a member of; when several of those teams have one for the metric, the one set
 * or changed most recently wins); else the everyone target. Sorted by metric.
 */
export function resolveEffective(rows: TargetRow[], userId: string, salesTeamIds: readonly string[] = []): TargetRow[] {
  const byMetric = new Map<string, TargetRow>();
  for (const row of rows) {
    if (row.userKey === EVERYONE && !byMetric.has(row.metric)) byMetric.set(row.metric, row);
  }
  const teamKeys = new Set(salesTeamIds.map(teamUserKey));
  const teamRows = rows
    .filter((row) => teamKeys.has(row.userKey))
    .sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const row of teamRows) byMetric.set(row.metric, row);
  for (const row of rows) {
    if (row.userKey === userId) byMetric.set(row.metric, row);
  }
  return [...byMetric.values()].sort((a, b) => (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0));
}

/** The targets that apply to one rep: their own, else their teams', else the everyone target, per metric. */
export async function effectiveTargets(db: Db, teamId: string, userId: string): Promise<TargetRow[]> {
  const salesTeamIds = await salesTeamIdsOf(db, teamId, userId, 'member');
  const rows = await db
    .select()
    .from(targets)
    .where(and(eq(targets.teamId, teamId), inArray(targets.userKey, [EVERYONE, userId, ...salesTeamIds.map(teamUserKey)])));
  return resolveEffective(rows, userId, salesTeamIds);
}

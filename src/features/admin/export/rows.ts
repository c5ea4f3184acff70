/**
 * The raw rows of an export, read a page at a time in a stable order (time, then id) so memory stays bounded
 * whatever the period holds. Every query is scoped by workspace, skips deleted rows, and with a sales team reads
 * only that team's members' rows.
 */
import { and, asc, eq, gte, isNull, lt, sql, type Column, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { activities, auditLog, deals, salesTeamMembers, users } from '../../../db/schema/index.js';
import { minorToDecimal } from '../../../lib/money.js';
import { dateIn, formatIsoDate, timeIn } from '../../../periods/calendar.js';
import type { PeriodRange } from '../../../periods/types.js';

/** Rows read per query. */
export const EXPORT_PAGE_SIZE = 2_000;

export interface RowsQuery {
  teamId: string;
  period: Pick<PeriodRange, 'start' | 'end'>;
  /** Dates and times are written in this zone (the workspace's). */
  timeZone: string;
  /** Only the members of this sales team. */
  salesTeamId?: string;
}

type Cell = string | number | null;

export const ACTIVITY_COLUMNS = [
  'id',
  'date',
  'time',
  'occurred_at_utc',
  'rep_id',
  'rep_name',
  'logged_by',
  'type',
  'quantity',
  'outcome',
  'account',
  'contact',
  'duration_minutes',
  'notes',
  'source',
] as const;

export const DEAL_COLUMNS = [
  'id',
  'closed_date',
  'closed_time',
  'closed_at_utc',
  'rep_id',
  'rep_name',
  'logged_by',
  'status',
  'amount',
  'currency',
  'account',
  'notes',
  'source',
  'external_id',
] as const;

export const AUDIT_COLUMNS = ['id', 'date', 'time', 'at_utc', 'actor_id', 'action', 'subject', 'before', 'after'] as const;

/** "2026-11-27", "09:05" in the zone. */
function localParts(at: Date, timeZone: string): [string, string] {
  const t = timeIn(at, timeZone);
  return [formatIsoDate(dateIn(at, timeZone)), `${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`];
}

function membersOf(teamId: string, salesTeamId: string, userColumn: typeof activities.userId | typeof deals.userId): SQL {
  return sql`${userColumn} in (select ${salesTeamMembers.userId} from ${salesTeamMembers} where ${salesTeamMembers.teamId} = ${teamId} and ${salesTeamMembers.salesTeamId} = ${salesTeamId} and ${salesTeamMembers.role} = 'member')`;
}

/** After (at, id) in time-then-id order. `at` is the timestamp's own text, so no microsecond is lost. */
function after(atColumn: Column, idColumn: Column, cursor: Cursor | undefined): SQL | undefined {
  return cursor ? sql`(${atColumn}, ${idColumn}) > (${cursor.at}::timestamptz, ${cursor.id}::uuid)` : undefined;
}

interface Cursor {
  at: string;
  id: string;
}

/** Pages of activity rows (CSV cells), oldest first. */
export async function* activityRows(db: Db, q: RowsQuery): AsyncGenerator<Cell[][]> {
  let cursor: Cursor | undefined;
  for (;;) {
    const page = await db
      .select({
        id: activities.id,
        occurredAt: activities.occurredAt,
        cursorAt: sql<string>`${activities.occurredAt}::text`,
        userId: activities.userId,
        name: users.displayName,
        loggedBy: activities.loggedBy,
        typeKey: activities.typeKey,
        quantity: activities.quantity,
        outcome: activities.outcome,
        account: activities.account,
        contact: activities.contact,
        durationMinutes: activities.durationMinutes,
        notes: activities.notes,
        source: activities.source,
      })
      .from(activities)
      .leftJoin(users, and(eq(users.teamId, activities.teamId), eq(users.userId, activities.userId)))
      .where(
        and(
          eq(activities.teamId, q.teamId),
          isNull(activities.deletedAt),
          gte(activities.occurredAt, q.period.start),
          lt(activities.occurredAt, q.period.end),
          q.salesTeamId ? membersOf(q.teamId, q.salesTeamId, activities.userId) : undefined,
          after(activities.occurredAt, activities.id, cursor),
        ),
      )
      .orderBy(asc(activities.occurredAt), asc(activities.id))
      .limit(EXPORT_PAGE_SIZE);
    if (page.length === 0) return;
    yield page.map((r) => [
      r.id,
      ...localParts(r.occurredAt, q.timeZone),
      r.occurredAt.toISOString(),
      r.userId,
      r.name,
      r.loggedBy,
      r.typeKey,
      r.quantity,
      r.outcome,
      r.account,
      r.contact,
      r.durationMinutes,
      r.notes,
      r.source,
    ]);
    if (page.length < EXPORT_PAGE_SIZE) return;
    const last = page[page.length - 1]!;
    cursor = { at: last.cursorAt, id: last.id };
  }
}

/** Pages of deal rows (CSV cells), by close time. Amounts as exact decimals in their own currency. */
export async function* dealRows(db: Db, q: RowsQuery): AsyncGenerator<Cell[][]> {
  let cursor: Cursor | undefined;
  for (;;) {
    const page = await db
      .select({
        id: deals.id,
        closedAt: deals.closedAt,
        cursorAt: sql<string>`${deals.closedAt}::text`,
        userId: deals.userId,
        name: users.displayName,
        loggedBy: deals.loggedBy,
        status: deals.status,
        amountMinor: deals.amountMinor,
        currency: deals.currency,
        account: deals.account,
        notes: deals.notes,
        source: deals.source,
        externalId: deals.externalId,
      })
      .from(deals)
      .leftJoin(users, and(eq(users.teamId, deals.teamId), eq(users.userId, deals.userId)))
      .where(
        and(
          eq(deals.teamId, q.teamId),
          isNull(deals.deletedAt),
          gte(deals.closedAt, q.period.start),
          lt(deals.closedAt, q.period.end),
          q.salesTeamId ? membersOf(q.teamId, q.salesTeamId, deals.userId) : undefined,
          after(deals.closedAt, deals.id, cursor),
        ),
      )
      .orderBy(asc(deals.closedAt), asc(deals.id))
      .limit(EXPORT_PAGE_SIZE);
    if (page.length === 0) return;
    yield page.map((r) => [
      r.id,
      ...localParts(r.closedAt, q.timeZone),
      r.closedAt.toISOString(),
      r.userId,
      r.name,
      r.loggedBy,
      r.status,
      r.amountMinor !== null && r.currency ? minorToDecimal(r.amountMinor, r.currency) : null,
      r.currency,
      r.account,
      r.notes,
      r.source,
      r.externalId,
    ]);
    if (page.length < EXPORT_PAGE_SIZE) return;
    const last = page[page.length - 1]!;
    cursor = { at: last.cursorAt, id: last.id };
  }
}

/** Pages of audit entries (CSV cells), oldest first; before and after as JSON. */
export async function* auditRows(db: Db, q: RowsQuery): AsyncGenerator<Cell[][]> {
  let cursor: Cursor | undefined;
  for (;;) {
    const page = await db
      .select({
        id: auditLog.id,
        createdAt: auditLog.createdAt,
        cursorAt: sql<string>`${auditLog.createdAt}::text`,
        actorId: auditLog.actorId,
        action: auditLog.action,
        subject: auditLog.subject,
        before: auditLog.before,
        after: auditLog.after,
      })
      .from(auditLog)
      .where(
        and(
          eq(auditLog.teamId, q.teamId),
          gte(auditLog.createdAt, q.period.start),
          lt(auditLog.createdAt, q.period.end),
          after(auditLog.createdAt, auditLog.id, cursor),
        ),
      )
      .orderBy(asc(auditLog.createdAt), asc(auditLog.id))
      .limit(EXPORT_PAGE_SIZE);
    if (page.length === 0) return;
    yield page.map((r) => [
      r.id,
      ...localParts(r.createdAt, q.timeZone),
      r.createdAt.toISOString(),
      r.actorId,
      r.action,
      r.subject,
      r.before === null ? null : JSON.stringify(r.before),
      r.after === null ? null : JSON.stringify(r.after),
    ]);
    if (page.length < EXPORT_PAGE_SIZE) return;
    const last = page[page.length - 1]!;
    cursor = { at: last.cursorAt, id: last.id };
  }
}

import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { activities, deals } from '../../db/schema/index.js';

export interface RecentActivityRow {
  kind: 'activity';
  id: string;
  typeKey: string;
  quantity: number;
  outcome: string | null;
  account: string | null;
  occurredAt: Date;
  notes: string | null;
  source: string;
  /** Who logged it on the person's behalf (a manager), if someone did. */
  loggedBy: string | null;
  createdAt: Date;
}

export interface RecentDealRow {
  kind: 'deal';
  id: string;
  status: 'won' | 'lost';
  amountMinor: bigint | null;
  currency: string | null;
  account: string | null;
  closedAt: Date;
  notes: string | null;
  source: string;
  /** Who logged it on the person's behalf (a manager), if someone did. */
  loggedBy: string | null;
  createdAt: Date;
}

export type RecentRow = RecentActivityRow | RecentDealRow;

/**
 * The person's last `limit` live (not undone) activities and deals together, newest first by when they were
 * stored. Two small indexed reads of at most `limit` rows each, merged: a UNION would need matching columns.
 */
export async function loadRecentEntries(db: Db, teamId: string, userId: string, limit = 10): Promise<RecentRow[]> {
  const activityRows = await db
    .select({
      id: activities.id,
      typeKey: activities.typeKey,
      quantity: activities.quantity,
      outcome: activities.outcome,
      account: activities.account,
      occurredAt: activities.occurredAt,
      notes: activities.notes,
      source: activities.source,
      loggedBy: activities.loggedBy,
      createdAt: activities.createdAt,
    })
    .from(activities)
    .where(and(eq(activities.teamId, teamId), eq(activities.userId, userId), isNull(activities.deletedAt)))
    .orderBy(desc(activities.createdAt), desc(activities.id))
    .limit(limit);
  const dealRows = await db
    .select({
      id: deals.id,
      status: deals.status,
      amountMinor: deals.amountMinor,
      currency: deals.currency,
      account: deals.account,
      closedAt: deals.closedAt,
      notes: deals.notes,
      source: deals.source,
      loggedBy: deals.loggedBy,
      createdAt: deals.createdAt,
    })
    .from(deals)
    .where(and(eq(deals.teamId, teamId), eq(deals.userId, userId), isNull(deals.deletedAt)))
    .orderBy(desc(deals.createdAt), desc(deals.id))
    .limit(limit);
  const rows: RecentRow[] = [
    ...activityRows.map((r) => ({ kind: 'activity' as const, ...r })),
    ...dealRows.map((r) => ({ kind: 'deal' as const, ...r })),
  ];
  return rows.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()).slice(0, limit);
}

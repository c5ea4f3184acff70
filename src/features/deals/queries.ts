import { and, eq, getTableColumns, isNull, lte, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { isEntryId } from '../../entries/entry-id.js';
import { deals, type DealKind, type DealSource, type DealStatus, type SatisfactionScale } from '../../db/schema/index.js';
import type { Money } from '../../lib/money.js';
import { dealSums } from '../../metrics/index.js';
import type { Range } from '../../periods/week.js';

export type Deal = typeof deals.$inferSelect;

export interface DealFields {
  userId: string;
  /** Who logged it on `userId`'s behalf; stored by insertDeal only (an edit keeps who logged it). */
  loggedBy?: string | null;
  status: DealStatus;
  /** Null only for a lost deal without an amount. */
  amount: Money | null;
  closedAt: Date;
  account: string | null;
  notes: string | null;
  /** New business, expansion or renewal. Absent: new business for a new deal, unchanged by an update. */
  kind?: DealKind;
  /** The customer's satisfaction score. Absent: none for a new deal, unchanged by an update (a later survey keeps it). */
  satisfaction?: SatisfactionScore;
}

/** A satisfaction score and the scale it was given on (the workspace's when it arrived). */
export interface SatisfactionScore {
  score: number;
  scale: SatisfactionScale;
}

function columns(f: DealFields) {
  return {
    userId: f.userId,
    status: f.status,
    amountMinor: f.amount?.minor ?? null,
    currency: f.amount?.currency ?? null,
    closedAt: f.closedAt,
    account: f.account,
    notes: f.notes,
    ...(f.kind ? { kind: f.kind } : {}),
    ...(f.satisfaction ? { satisfaction: f.satisfaction.score, satisfactionScale: f.satisfaction.scale } : {}),
  };
}

/** A deal logged in Slack. The same idempotency key twice stores one row; returns whether this call created it. */
export async function insertDeal(db: Db, teamId: string, fields: DealFields, idempotencyKey: string): Promise<{ deal: Deal; created: boolean }> {
  const [inserted] = await db
    .insert(deals)
    .values({ teamId, ...columns(fields), loggedBy: fields.loggedBy ?? null, source: 'slack', idempotencyKey })
    .onConflictDoNothing({ target: [deals.teamId, deals.idempotencyKey] })
    .returning();
  if (inserted) return { deal: inserted, created: true };
  const [existing] = await db
    .select()
    .from(deals)
    .where(and(eq(deals.teamId, teamId), eq(deals.idempotencyKey, idempotencyKey)));
  return { deal: existing!, created: false };
}

/** What upsertExternalDeal did: stored (inserted or updated), or nothing because a newer request was applied first. */
export type ExternalDealResult = { applied: true; deal: Deal; created: boolean } | { applied: false; deal: Deal };

/**
 * A deal from a CRM or a file, keyed by its external id: the first time it is inserted, after that updated
 * (a CRM may change the amount or flip won/lost). One statement, so two identical requests at once leave one row.
 *
 * `signedAt` (the webhook's signed request timestamp) orders the updates: the deal keeps the timestamp of the last
 * request applied, and a request signed before it is out of order, so it changes nothing (`applied: false`, with
 * the deal as the newer request left it). Requests signed in the same second are applied in arrival order.
 */
export async function upsertExternalDeal(
  db: Db,
  teamId: string,
  externalId: string,
  fields: DealFields,
  source: Exclude<DealSource, 'slack'>,
  now: Date,
  signedAt?: Date,
): Promise<ExternalDealResult> {
  const ordered = signedAt ? { webhookTimestamp: signedAt } : {};
  const [row] = await db
    .insert(deals)
    .values({ teamId, ...columns(fields), source, externalId, createdAt: now, updatedAt: now, ...ordered })
    .onConflictDoUpdate({
      target: [deals.teamId, deals.externalId],
      set: { ...columns(fields), source, updatedAt: now, deletedAt: null, ...ordered },
      ...(signedAt ? { setWhere: or(isNull(deals.webhookTimestamp), lte(deals.webhookTimestamp, signedAt)) } : {}),
    })
    // xmax = 0 only on a freshly inserted tuple: tells an insert from an update in the same statement.
    .returning({ ...getTableColumns(deals), inserted: sql<boolean>`(xmax = 0)` });
  if (!row) {
    // The conflict's update was skipped: a newer request came first.
    const [newer] = await db
      .select()
      .from(deals)
      .where(and(eq(deals.teamId, teamId), eq(deals.externalId, externalId)));
    return { applied: false, deal: newer! };
  }
  const { inserted, ...deal } = row;
  return { applied: true, deal, created: Boolean(inserted) };
}

/** What scoreExternalDeal did: scored the deal, found it updated by a request signed later, or found no such deal. */
export type ScoreResult = { kind: 'applied'; deal: Deal } | { kind: 'out_of_order'; deal: Deal } | { kind: 'unknown' };

/**
 * A satisfaction score for a deal already stored (a survey tool calling after the CRM): only the score changes. It
 * takes its place in the deal's signed order like any webhook request (see upsertExternalDeal): one signed before
 * the last request applied to the deal changes nothing. A deal undone in Slack (deleted) is not scored.
 */
export async function scoreExternalDeal(db: Db, teamId: string, externalId: string, satisfaction: SatisfactionScore, now: Date, signedAt: Date): Promise<ScoreResult> {
  const live = and(eq(deals.teamId, teamId), eq(deals.externalId, externalId), isNull(deals.deletedAt));
  const [scored] = await db
    .update(deals)
    .set({ satisfaction: satisfaction.score, satisfactionScale: satisfaction.scale, webhookTimestamp: signedAt, updatedAt: now })
    .where(and(live, or(isNull(deals.webhookTimestamp), lte(deals.webhookTimestamp, signedAt))))
    .returning();
  if (scored) return { kind: 'applied', deal: scored };
  const [newer] = await db.select().from(deals).where(live);
  return newer ? { kind: 'out_of_order', deal: newer } : { kind: 'unknown' };
}

export async function findDeal(db: Db, teamId: string, id: string): Promise<Deal | undefined> {
  if (!isEntryId(id)) return undefined;
  const [row] = await db
    .select()
    .from(deals)
    .where(and(eq(deals.teamId, teamId), eq(deals.id, id)));
  return row;
}

export async function softDeleteDeal(db: Db, teamId: string, userId: string, id: string, at: Date): Promise<boolean> {
  const rows = await db
    .update(deals)
    .set({ deletedAt: at, updatedAt: at })
    .where(and(eq(deals.teamId, teamId), eq(deals.userId, userId), eq(deals.id, id), isNull(deals.deletedAt)))
    .returning({ id: deals.id });
  return rows.length > 0;
}

export async function updateDeal(db: Db, teamId: string, userId: string, id: string, fields: DealFields, at: Date): Promise<Deal | undefined> {
  if (!isEntryId(id)) return undefined;
  const [row] = await db
    .update(deals)
    .set({ ...columns(fields), updatedAt: at })
    .where(and(eq(deals.teamId, teamId), eq(deals.userId, userId), eq(deals.id, id), isNull(deals.deletedAt)))
    .returning();
  return row;
}

export interface RevenueByCurrency {
  currency: string;
  minor: bigint;
  won: number;
}

/**
 * A user's won revenue per currency (alphabetically), won-deal and lost-deal counts in [start, end): from
 * src/metrics, summed in SQL, exactly.
 */
export async function userRevenue(db: Db, teamId: string, userId: string, range: Range): Promise<{ byCurrency: RevenueByCurrency[]; won: number; lost: number }> {
  const sums = (await dealSums(db, { teamId, userId, ranges: new Map([['range', range]]) })).get('range')!;
  const byCurrency: RevenueByCurrency[] = [];
  let won = 0;
  for (const [currency, entry] of sums.won) {
    won += entry.count;
    if (currency) byCurrency.push({ currency, minor: entry.minor, won: entry.count });
  }
  byCurrency.sort((a, b) => a.currency.localeCompare(b.currency));
  return { byCurrency, won, lost: sums.lost };
}

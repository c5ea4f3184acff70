/**
 * The effort behind a won deal: the activities logged against its account before it closed.
 *
 * Activities and deals are matched by `account_key` (the generated column of src/db/schema/account-key.ts: lower
 * case, spaces and punctuation removed), within one workspace. The effort of a won deal is the workspace's live
 * activities with the same account key that occurred after the account's previous closed deal (won or lost; none:
 * since the first activity) and up to the deal's close: `sum(quantity)` of them, per type too, and the days from the
 * first of them to the close. Activities by ANYONE in the workspace count, not only the deal owner's: selling to an
 * account is team work (an SDR books the meeting, an AE closes), and the account, not the person, is the thread.
 * Days are calendar days in the workspace's default time zone, so every surface (confirmation, celebration, Home,
 * board) says the same number for the same deal.
 *
 * Everything is aggregated in SQL: one statement for any number of deals, served by the (team_id, account_key,
 * occurred_at) index on activities and the (team_id, account_key) index on deals.
 */
import { and, eq, gt, gte, inArray, isNotNull, isNull, lt, lte, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../db/client.js';
import { activities, deals, workspaces } from '../db/schema/index.js';
import { toNumber, type Driven } from './driver.js';
import { memberOfSalesTeam } from './team-groups.js';
import type { Span } from './types.js';

/** The effort behind one won deal. Only deals with an account and at least one matching activity have one. */
export interface DealEffort {
  dealId: string;
  /** sum(quantity) of the matching activities (at least 1). */
  activities: number;
  /** Calendar days from the first matching activity to the close, in the workspace's time zone (0: the same day). */
  days: number;
  /** sum(quantity) per activity type key. */
  byType: Record<string, number>;
}

/** A rep's effort per won deal in a period: medians over their won deals that have an effort. */
export interface EffortMedians {
  userId: string;
  /** Median activities per won deal (an even count gives the mean of the middle two). */
  activities: number;
  /** Median days from the first activity to the close per won deal. */
  days: number;
  /** How many won deals the medians cover (won deals without an account or without matching activity are left out). */
  deals: number;
}

const PREVIOUS_DEAL = 'previous_deal';
const previousDeal = alias(deals, PREVIOUS_DEAL);

/**
 * The close of the account's previous closed deal (won or lost, not deleted), or null: a scalar subquery on the
 * outer `deals` row. Deals closed at the same instant are ordered by when they were stored (then id), so of two
 * logged "today" the earlier one is the later one's previous deal.
 */
const previousClose: SQL = sql`(select max(${previousDeal.closedAt}) from ${deals} ${sql.identifier(PREVIOUS_DEAL)} where ${and(
  eq(previousDeal.teamId, deals.teamId),
  eq(previousDeal.accountKey, deals.accountKey),
  isNull(previousDeal.deletedAt),
  sql`(${previousDeal.closedAt}, ${previousDeal.createdAt}, ${previousDeal.id}) < (${deals.closedAt}, ${deals.createdAt}, ${deals.id})`,
)})`;

/** The workspace's time zone, for the outer `deals` row. */
const workspaceZone: SQL = sql`(select ${workspaces.defaultTimeZone} from ${workspaces} where ${workspaces.teamId} = ${deals.teamId})`;

/**
 * The effort of the outer `deals` row as a lateral subquery: one row whose `activities` is null when no activity
 * matches. Per type first (sum and first occurrence), then over the types: one pass over the matching activities.
 */
function effortLateral(db: Db) {
  const perType = db
    .select({
      typeKey: activities.typeKey,
      quantity: sql<Driven>`sum(${activities.quantity})`.as('quantity'),
      firstAt: sql<Date>`min(${activities.occurredAt})`.as('first_at'),
    })
    .from(activities)
    .where(
      and(
        eq(activities.teamId, deals.teamId),
        eq(activities.accountKey, deals.accountKey),
        isNull(activities.deletedAt),
        lte(activities.occurredAt, deals.closedAt),
        gt(activities.occurredAt, sql`coalesce(${previousClose}, '-infinity'::timestamptz)`),
      ),
    )
    .groupBy(activities.typeKey)
    .as('effort_by_type');
  return db
    .select({
      total: sql<Driven>`sum(${perType.quantity})`.as('effort_activities'),
      firstAt: sql<string | Date | null>`min(${perType.firstAt})`.as('effort_first_at'),
      // As text, parsed here: the drivers differ in how they hand back json.
      byType: sql<string | null>`json_object_agg(${perType.typeKey}, ${perType.quantity})::text`.as('effort_by_type_json'),
    })
    .from(perType)
    .as('effort');
}

/** Calendar days from the effort's first activity to the outer deal's close, in the workspace's time zone. */
function effortDays(effort: ReturnType<typeof effortLateral>): SQL<Driven> {
  return sql<Driven>`((${deals.closedAt} at time zone ${workspaceZone})::date - (${effort.firstAt} at time zone ${workspaceZone})::date)`;
}

function parseByType(json: string | null): Record<string, number> {
  if (!json) return {};
  const raw = JSON.parse(json) as Record<string, unknown>;
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(raw)) out[key] = toNumber(value as Driven);
  return out;
}

/**
 * The effort behind each of these deals of one workspace, by deal id: only won, live deals with an account and at
 * least one matching activity appear. One statement whatever the number of deals.
 */
export async function loadDealEfforts(db: Db, teamId: string, dealIds: readonly string[]): Promise<Map<string, DealEffort>> {
  const out = new Map<string, DealEffort>();
  if (dealIds.length === 0) return out;
  const effort = effortLateral(db);
  const rows = await db
    .select({ dealId: deals.id, total: effort.total, days: effortDays(effort), byType: effort.byType })
    .from(deals)
    .innerJoinLateral(effort, sql`true`)
    .where(
      and(
        eq(deals.teamId, teamId),
        inArray(deals.id, [...dealIds]),
        eq(deals.status, 'won'),
        isNull(deals.deletedAt),
        isNotNull(deals.accountKey),
        sql`${effort.total} > 0`,
      ),
    );
  for (const r of rows) out.set(r.dealId, { dealId: r.dealId, activities: toNumber(r.total), days: toNumber(r.days), byType: parseByType(r.byType) });
  return out;
}

/** The effort behind one deal (see loadDealEfforts), or undefined when it has none. */
export async function loadDealEffort(db: Db, teamId: string, dealId: string): Promise<DealEffort | undefined> {
  return (await loadDealEfforts(db, teamId, [dealId])).get(dealId);
}

/**
 * Per rep, the median activities and median days per won deal closed in `span`, over their won deals that have an
 * effort (an account and at least one matching activity): one statement for the whole board, whatever the number
 * of reps. With `salesTeamId`, only that sales team's members (as the team board ranks).
 */
export async function loadEffortMedians(db: Db, input: { teamId: string; span: Span; salesTeamId?: string }): Promise<Map<string, EffortMedians>> {
  const effort = effortLateral(db);
  const perDeal = db
    .select({ userId: deals.userId, total: effort.total, days: effortDays(effort).as('effort_days') })
    .from(deals)
    .innerJoinLateral(effort, sql`true`)
    .where(
      and(
        eq(deals.teamId, input.teamId),
        eq(deals.status, 'won'),
        isNull(deals.deletedAt),
        isNotNull(deals.accountKey),
        // Instants as ISO strings: postgres.js rejects a Date in raw SQL, and the typed operators keep it that way.
        gte(deals.closedAt, input.span.start),
        lt(deals.closedAt, input.span.end),
        input.salesTeamId ? memberOfSalesTeam(deals.userId, input.salesTeamId) : undefined,
        sql`${effort.total} > 0`,
      ),
    )
    .as('per_deal');
  const rows = await db
    .select({
      userId: perDeal.userId,
      activities: sql<Driven>`percentile_cont(0.5) within group (order by ${perDeal.total})`,
      days: sql<Driven>`percentile_cont(0.5) within group (order by ${perDeal.days})`,
      deals: sql<Driven>`count(*)`,
    })
    .from(perDeal)
    .groupBy(perDeal.userId);
  return new Map(rows.map((r) => [r.userId, { userId: r.userId, activities: toNumber(r.activities), days: toNumber(r.days), deals: toNumber(r.deals) }]));
}

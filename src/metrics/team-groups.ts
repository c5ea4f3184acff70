/**
 * The team queries: per (user, activity type) and per (user, deal status, currency, exchange rate in force) over a
 * period and the one before it, for every rep of a workspace at once. Their shape matches the covering partial
 * indexes of migration 0003 (team_id, occurred_at | closed_at, then the grouped and summed columns, where deleted_at
 * is null), so each is one index range scan whatever the number of reps; the deal query adds one primary-key lookup
 * of exchange_rates per deal row (the rate in force on its close date). bench/leaderboard.ts measures them.
 */
import { and, desc, eq, gte, isNull, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { activities, deals, exchangeRates, salesTeamMembers, workspaces, type SatisfactionScale } from '../db/schema/index.js';
import { toBigint, toNumber, type Driven } from './driver.js';
import type { SpanPair } from './types.js';
import type { DealMixGroup } from './deal-mix.js';

/** One (user, activity type) group: sum(quantity) in each period, null when the user has no row there. */
export interface ActivityGroup {
  userId: string;
  typeKey: string;
  current: number | null;
  previous: number | null;
}

/**
 * One (user, status, currency, rate in force, kind) group of deals: counts and sums (minor units) in each period. Deals
 * of one currency closed under different exchange rates are different groups, so each converts at its own rate. The
 * current period's satisfaction and new-business accounts ride along for the deal mix (deal-mix.ts).
 */
export interface DealGroup extends DealMixGroup {
  userId: string;
  status: 'won' | 'lost';
  currency: string | null;
  currentCount: number;
  currentMinor: bigint;
  previousCount: number;
  previousMinor: bigint;
  /** The exchange rate in force on these deals' close date (an exact decimal string); null or absent: none. */
  rate?: string | null;
}

export interface TeamGroups {
  activities: ActivityGroup[];
  deals: DealGroup[];
  /** The workspace has exchange rates: its headline revenue is converted into the reporting currency. */
  ratesExist?: boolean;
  /** The workspace's satisfaction scale (the scores summed in the deal groups are on it); absent: no deal rows. */
  satisfactionScale?: SatisfactionScale;
}

/** The span both periods lie in: one index range scan covers them, FILTER splits the rows. */
function span(period: SpanPair): { start: Date; end: Date } {
  const { current, previous } = period;
  return {
    start: new Date(Math.min(current.start.getTime(), previous.start.getTime())),
    end: new Date(Math.max(current.end.getTime(), previous.end.getTime())),
  };
}

/**
 * The statements' parameters. Instants go as ISO strings: placeholders skip Drizzle's column encoders, and
 * postgres.js rejects a JavaScript Date there.
 */
export function boardParams(teamId: string, period: SpanPair, salesTeamId?: string): Record<string, string> {
  const { start, end } = span(period);
  return {
    teamId,
    ...(salesTeamId ? { salesTeamId } : {}),
    spanStart: start.toISOString(),
    spanEnd: end.toISOString(),
    currentStart: period.current.start.toISOString(),
    currentEnd: period.current.end.toISOString(),
    previousStart: period.previous.start.toISOString(),
    previousEnd: period.previous.end.toISOString(),
  };
}

const p = (name: string) => sql.placeholder(name);

/**
 * Only the members of one sales team (`salesTeamId`; default the placeholder `salesTeamId`): a team board ranks
 * within the team. Managers who are not also members are not ranked.
 */
export function memberOfSalesTeam(userColumn: typeof activities.userId | typeof deals.userId, salesTeamId: string | ReturnType<typeof p> = p('salesTeamId')): SQL {
  return sql`${userColumn} in (select ${salesTeamMembers.userId} from ${salesTeamMembers} where ${salesTeamMembers.salesTeamId} = ${salesTeamId} and ${salesTeamMembers.role} = 'member')`;
}

function within(column: typeof activities.occurredAt | typeof deals.closedAt, which: 'current' | 'previous'): SQL {
  return and(gte(column, p(`${which}Start`)), lt(column, p(`${which}End`)))!;
}

/**
 * sum(quantity) per (user, type) in the current and previous periods: one index range scan over the span of both
 * ([previous.start, current.end) for adjacent periods), of one workspace's not-deleted rows. Placeholders: boardParams.
 */
export function activityGroupsQuery(db: Db, scope: 'workspace' | 'salesTeam' = 'workspace') {
  return db
    .select({
      userId: activities.userId,
      typeKey: activities.typeKey,
      current: sql<Driven>`sum(${activities.quantity}) filter (where ${within(activities.occurredAt, 'current')})`,
      previous: sql<Driven>`sum(${activities.quantity}) filter (where ${within(activities.occurredAt, 'previous')})`,
    })
    .from(activities)
    .where(
      and(
        eq(activities.teamId, p('teamId')),
        isNull(activities.deletedAt),
        gte(activities.occurredAt, p('spanStart')),
        lt(activities.occurredAt, p('spanEnd')),
        scope === 'salesTeam' ? memberOfSalesTeam(activities.userId) : undefined,
      ),
    )
    .groupBy(activities.userId, activities.typeKey);
}

/**
 * The exchange rate in force on a deal's close date: the latest effective_on on or before the close date, the close
 * date taken in the workspace's default time zone. One primary-key lookup per deal row (team, currency, date).
 */
function rateInForce(db: Db) {
  const zone = sql`(select ${workspaces.defaultTimeZone} from ${workspaces} where ${workspaces.teamId} = ${p('teamId')})`;
  const closeDate = sql`(${deals.closedAt} at time zone ${zone})::date`;
  return db
    .select({ effectiveOn: exchangeRates.effectiveOn, rate: exchangeRates.rate })
    .from(exchangeRates)
    .where(and(eq(exchangeRates.teamId, deals.teamId), eq(exchangeRates.currency, deals.currency), lte(exchangeRates.effectiveOn, closeDate)))
    .orderBy(desc(exchangeRates.effectiveOn))
    .limit(1)
    .as('rate_in_force');
}

/**
 * count(*) and sum(amount_minor) per (user, status, currency, rate in force, kind) in both periods, one scan;
 * `ratesExist` says whether the workspace has any exchange rate and `scale` its satisfaction scale (the same on
 * every row). For the current period also the satisfaction scores given on that scale (sum, count; a deal without
 * one counts in neither) and, for won new business, the distinct account keys and the deals without an account.
 * Placeholders: boardParams.
 */
export function dealGroupsQuery(db: Db, scope: 'workspace' | 'salesTeam' = 'workspace') {
  const cur = within(deals.closedAt, 'current');
  const prev = within(deals.closedAt, 'previous');
  const rate = rateInForce(db);
  const scale = sql`(select ${workspaces.satisfactionScale} from ${workspaces} where ${workspaces.teamId} = ${p('teamId')})`;
  const scored = sql`${cur} and ${deals.satisfaction} is not null and ${deals.satisfactionScale} = ${scale}`;
  const wonNew = sql`${cur} and ${deals.status} = 'won' and ${deals.kind} = 'new'`;
  return db
    .select({
      userId: deals.userId,
      status: deals.status,
      currency: deals.currency,
      kind: deals.kind,
      rateOn: rate.effectiveOn,
      rate: rate.rate,
      currentCount: sql<Driven>`count(*) filter (where ${cur})`,
      currentMinor: sql<Driven>`sum(${deals.amountMinor}) filter (where ${cur})`,
      previousCount: sql<Driven>`count(*) filter (where ${prev})`,
      previousMinor: sql<Driven>`sum(${deals.amountMinor}) filter (where ${prev})`,
      scoreSum: sql<Driven>`sum(${deals.satisfaction}) filter (where ${scored})`,
      scoreCount: sql<Driven>`count(*) filter (where ${scored})`,
      newAccounts: sql<string[] | string | null>`array_agg(distinct ${deals.accountKey}) filter (where ${wonNew} and ${deals.accountKey} is not null)`,
      newWithoutAccount: sql<Driven>`count(*) filter (where ${wonNew} and ${deals.accountKey} is null)`,
      ratesExist: sql<boolean | string | null>`exists (select 1 from ${exchangeRates} where ${exchangeRates.teamId} = ${p('teamId')})`,
      scale: sql<SatisfactionScale | null>`${scale}`,
    })
    .from(deals)
    .leftJoinLateral(rate, sql`true`)
    .where(
      and(
        eq(deals.teamId, p('teamId')),
        isNull(deals.deletedAt),
        gte(deals.closedAt, p('spanStart')),
        lt(deals.closedAt, p('spanEnd')),
        scope === 'salesTeam' ? memberOfSalesTeam(deals.userId) : undefined,
      ),
    )
    .groupBy(deals.userId, deals.status, deals.currency, rate.effectiveOn, rate.rate, deals.kind);
}

function prepareStatements(db: Db) {
  return {
    activities: activityGroupsQuery(db).prepare('leaderboard_activity_groups'),
    deals: dealGroupsQuery(db).prepare('leaderboard_deal_groups'),
    teamActivities: activityGroupsQuery(db, 'salesTeam').prepare('team_board_activity_groups'),
    teamDeals: dealGroupsQuery(db, 'salesTeam').prepare('team_board_deal_groups'),
  };
}

/**
 * Prepared once per database handle: the SQL is built once, and the server plans each statement once per
 * connection (postgres.js keeps named statements per connection) instead of on every board.
 */
const statementsByDb = new WeakMap<Db, ReturnType<typeof prepareStatements>>();

function statements(db: Db): ReturnType<typeof prepareStatements> {
  let s = statementsByDb.get(db);
  if (!s) {
    s = prepareStatements(db);
    statementsByDb.set(db, s);
  }
  return s;
}

/**
 * The grouped rows of a workspace's period and the one before: aggregated in SQL, at most users × types rows.
 * With `salesTeamId`, only that sales team's members.
 */
export async function loadTeamGroups(db: Db, teamId: string, period: SpanPair, salesTeamId?: string): Promise<TeamGroups> {
  const params = boardParams(teamId, period, salesTeamId);
  const all = statements(db);
  const [activityStatement, dealStatement] = salesTeamId ? [all.teamActivities, all.teamDeals] : [all.activities, all.deals];
  const [activityRows, dealRows] = await Promise.all([activityStatement.execute(params), dealStatement.execute(params)]);
  return {
    activities: activityRows.map((r) => ({
      userId: r.userId,
      typeKey: r.typeKey,
      current: r.current === null ? null : toNumber(r.current),
      previous: r.previous === null ? null : toNumber(r.previous),
    })),
    deals: dealRows.map((r) => ({
      userId: r.userId,
      status: r.status,
      currency: r.currency,
      currentCount: toNumber(r.currentCount),
      currentMinor: toBigint(r.currentMinor),
      previousCount: toNumber(r.previousCount),
      previousMinor: toBigint(r.previousMinor),
      rate: r.rate,
      kind: r.kind,
      scoreSum: r.scoreSum === null ? 0 : toNumber(r.scoreSum),
      scoreCount: toNumber(r.scoreCount),
      newAccounts: textArray(r.newAccounts),
      newWithoutAccount: toNumber(r.newWithoutAccount),
    })),
    ratesExist: dealRows.some((r) => r.ratesExist === true || r.ratesExist === 't' || r.ratesExist === 'true'),
    ...(dealRows[0]?.scale ? { satisfactionScale: dealRows[0].scale } : {}),
  };
}

/**
 * A text[] as a driver gives it: an array (postgres.js, PGlite), or the array literal `{a,b}` when a driver leaves it
 * unparsed. Account keys hold no spaces, punctuation or quotes (account-key.ts), so a literal splits on commas.
 */
function textArray(value: string[] | string | null): string[] {
  if (value === null) return [];
  if (Array.isArray(value)) return value;
  const inner = value.replace(/^\{|\}$/g, '');
  return inner === '' ? [] : inner.split(',');
}

import { and, eq, gte, isNull, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { activities, deals } from '../../db/schema/index.js';
import type { Money } from '../../lib/money.js';
import type { ActivityTypeDef } from '../logging/activity-types.js';
import type { Board, BoardPeriod, RepStats, Totals } from './types.js';

export interface ComputeBoardInput {
  teamId: string;
  period: BoardPeriod;
  /** The headline currency: the workspace's. */
  currency: string;
  types: ActivityTypeDef[];
  /** Display names for user ids (the caller reads the users cache / Slack). A missing id shows as itself. */
  names: (userIds: string[]) => Promise<Map<string, string>>;
}

/** One (user, activity type) group: sum(quantity) in each period, null when the user has no row there. */
export interface ActivityGroup {
  userId: string;
  typeKey: string;
  current: number | null;
  previous: number | null;
}

/** One (user, status, currency) group of deals: counts and sums (minor units) in each period. */
export interface DealGroup {
  userId: string;
  status: 'won' | 'lost';
  currency: string | null;
  currentCount: number;
  currentMinor: bigint;
  previousCount: number;
  previousMinor: bigint;
}

/** Aggregated inputs of one Totals: activity quantities by type, and deals by status and currency. */
export interface TotalsInput {
  activitiesByType: Map<string, number>;
  /** Won deals per currency (null currency never happens for won deals, but is tolerated). */
  won: Map<string | null, { count: number; minor: bigint }>;
  lost: number;
}

type Driven = string | number | bigint | null;

function toNumber(v: Driven | undefined): number {
  return v === null || v === undefined ? 0 : Number(v);
}

/** Sums of bigint columns come back as numeric: a string (postgres.js, PGlite) — parsed exactly. */
function toBigint(v: Driven | undefined): bigint {
  if (v === null || v === undefined) return 0n;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new Error(`inexact money sum from the driver: ${v}`);
    return BigInt(v);
  }
  return BigInt(v);
}

/** The span both periods lie in: one index range scan covers them, FILTER splits the rows. */
function span(period: BoardPeriod): { start: Date; end: Date } {
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
export function boardParams(teamId: string, period: BoardPeriod): Record<string, string> {
  const { start, end } = span(period);
  return {
    teamId,
    spanStart: start.toISOString(),
    spanEnd: end.toISOString(),
    currentStart: period.current.start.toISOString(),
    currentEnd: period.current.end.toISOString(),
    previousStart: period.previous.start.toISOString(),
    previousEnd: period.previous.end.toISOString(),
  };
}

const p = (name: string) => sql.placeholder(name);

function within(column: typeof activities.occurredAt | typeof deals.closedAt, which: 'current' | 'previous'): SQL {
  return and(gte(column, p(`${which}Start`)), lt(column, p(`${which}End`)))!;
}

/**
 * sum(quantity) per (user, type) in the current and previous periods: one index range scan over the span of both
 * ([previous.start, current.end) for adjacent periods), of one workspace's not-deleted rows. Placeholders: boardParams.
 */
export function activityGroupsQuery(db: Db) {
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
      ),
    )
    .groupBy(activities.userId, activities.typeKey);
}

/** count(*) and sum(amount_minor) per (user, status, currency) in both periods, one scan. Placeholders: boardParams. */
export function dealGroupsQuery(db: Db) {
  const cur = within(deals.closedAt, 'current');
  const prev = within(deals.closedAt, 'previous');
  return db
    .select({
      userId: deals.userId,
      status: deals.status,
      currency: deals.currency,
      currentCount: sql<Driven>`count(*) filter (where ${cur})`,
      currentMinor: sql<Driven>`sum(${deals.amountMinor}) filter (where ${cur})`,
      previousCount: sql<Driven>`count(*) filter (where ${prev})`,
      previousMinor: sql<Driven>`sum(${deals.amountMinor}) filter (where ${prev})`,
    })
    .from(deals)
    .where(and(eq(deals.teamId, p('teamId')), isNull(deals.deletedAt), gte(deals.closedAt, p('spanStart')), lt(deals.closedAt, p('spanEnd'))))
    .groupBy(deals.userId, deals.status, deals.currency);
}

function prepareStatements(db: Db) {
  return {
    activities: activityGroupsQuery(db).prepare('leaderboard_activity_groups'),
    deals: dealGroupsQuery(db).prepare('leaderboard_deal_groups'),
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

/** The grouped rows for a board: aggregation happens in SQL, these are at most users × types rows. */
export async function loadBoardGroups(db: Db, teamId: string, period: BoardPeriod): Promise<{ activities: ActivityGroup[]; deals: DealGroup[] }> {
  const params = boardParams(teamId, period);
  const { activities: activityStatement, deals: dealStatement } = statements(db);
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
    })),
  };
}

export function emptyTotalsInput(): TotalsInput {
  return { activitiesByType: new Map(), won: new Map(), lost: 0 };
}

export function addActivities(into: TotalsInput, typeKey: string, quantity: number): void {
  into.activitiesByType.set(typeKey, (into.activitiesByType.get(typeKey) ?? 0) + quantity);
}

export function addDeals(into: TotalsInput, status: 'won' | 'lost', currency: string | null, count: number, minor: bigint): void {
  if (count === 0) return;
  if (status === 'lost') {
    into.lost += count;
    return;
  }
  const entry = into.won.get(currency) ?? { count: 0, minor: 0n };
  entry.count += count;
  entry.minor += minor;
  into.won.set(currency, entry);
}

/**
 * The numbers of a rep or a team from its aggregated groups. Every type of `types` appears in activitiesByType
 * (0 when none), plus any other key found (a custom type since removed). Revenue lists the currencies with won
 * deals: the headline first, the others alphabetically; amounts of different currencies are never added.
 */
export function totalsFrom(input: TotalsInput, headline: string, types: ActivityTypeDef[] = []): Totals {
  const activitiesByType: Record<string, number> = {};
  for (const t of types) activitiesByType[t.key] = 0;
  let activityCount = 0;
  for (const [key, n] of input.activitiesByType) {
    activitiesByType[key] = (activitiesByType[key] ?? 0) + n;
    activityCount += n;
  }
  let won = 0;
  const revenue: Money[] = [];
  for (const [currency, { count, minor }] of input.won) {
    won += count;
    if (currency !== null) revenue.push({ currency, minor });
  }
  revenue.sort((a, b) => (a.currency === headline ? -1 : b.currency === headline ? 1 : a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0));
  const headlineEntry = input.won.get(headline);
  const headlineRevenueMinor = headlineEntry?.minor ?? 0n;
  const headlineWon = headlineEntry?.count ?? 0;
  const closed = won + input.lost;
  return {
    activities: activityCount,
    activitiesByType,
    won,
    lost: input.lost,
    revenue,
    headlineRevenueMinor,
    headlineWon,
    revenuePerActivityMinor: activityCount > 0 ? headlineRevenueMinor / BigInt(activityCount) : null,
    winRate: closed > 0 ? won / closed : null,
    averageDealMinor: headlineWon > 0 ? headlineRevenueMinor / BigInt(headlineWon) : null,
  };
}

/** Competition ranking, highest first: [10, 8, 8, 3] -> [1, 2, 2, 4]. Ranks line up with the input order. */
export function rankWithTies(values: Array<number | bigint>): number[] {
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => (a.v > b.v ? -1 : a.v < b.v ? 1 : 0));
  const ranks = new Array<number>(values.length);
  for (let k = 0; k < order.length; k++) {
    const prev = order[k - 1];
    ranks[order[k]!.i] = prev !== undefined && prev.v === order[k]!.v ? ranks[prev.i]! : k + 1;
  }
  return ranks;
}

/** The median (0 for none); an even count gives the mean of the middle two. */
export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The median of exact amounts (0n for none); an even count gives the floor of the mean of the middle two. */
export function medianBigint(values: bigint[]): bigint {
  if (values.length === 0) return 0n;
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[mid]!;
  const sum = sorted[mid - 1]! + sorted[mid]!;
  // BigInt division truncates toward zero; floor it for negative sums too.
  const q = sum / 2n;
  return sum < 0n && q * 2n !== sum ? q - 1n : q;
}

/** Compare rep rows: headline revenue, then activities (both descending), then name, then user id. */
export function compareReps(a: Pick<RepStats, 'headlineRevenueMinor' | 'activities' | 'name' | 'userId'>, b: typeof a): number {
  if (a.headlineRevenueMinor !== b.headlineRevenueMinor) return a.headlineRevenueMinor > b.headlineRevenueMinor ? -1 : 1;
  if (a.activities !== b.activities) return b.activities - a.activities;
  const byName = a.name.localeCompare(b.name);
  if (byName !== 0) return byName;
  return a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0;
}

interface RepAccumulator {
  current: TotalsInput;
  previous: TotalsInput;
  active: boolean;
}

/** Build a board from the grouped rows (pure): reps are the users with any activity or closed deal in the current period. */
export function boardFromGroups(
  groups: { activities: ActivityGroup[]; deals: DealGroup[] },
  input: Omit<ComputeBoardInput, 'names'>,
  names: Map<string, string>,
): Board {
  const headline = input.currency;
  const team = emptyTotalsInput();
  const previousTeam = emptyTotalsInput();
  const byUser = new Map<string, RepAccumulator>();
  const rep = (userId: string) => {
    let acc = byUser.get(userId);
    if (!acc) {
      acc = { current: emptyTotalsInput(), previous: emptyTotalsInput(), active: false };
      byUser.set(userId, acc);
    }
    return acc;
  };
  for (const g of groups.activities) {
    const acc = rep(g.userId);
    if (g.current !== null) {
      acc.active = true;
      addActivities(acc.current, g.typeKey, g.current);
      addActivities(team, g.typeKey, g.current);
    }
    if (g.previous !== null) {
      addActivities(acc.previous, g.typeKey, g.previous);
      addActivities(previousTeam, g.typeKey, g.previous);
    }
  }
  for (const g of groups.deals) {
    const acc = rep(g.userId);
    if (g.currentCount > 0) acc.active = true;
    addDeals(acc.current, g.status, g.currency, g.currentCount, g.currentMinor);
    addDeals(team, g.status, g.currency, g.currentCount, g.currentMinor);
    addDeals(acc.previous, g.status, g.currency, g.previousCount, g.previousMinor);
    addDeals(previousTeam, g.status, g.currency, g.previousCount, g.previousMinor);
  }

  const reps: RepStats[] = [];
  for (const [userId, acc] of byUser) {
    if (!acc.active) continue;
    const previous = totalsFrom(acc.previous, headline);
    reps.push({
      userId,
      name: names.get(userId) ?? userId,
      ...totalsFrom(acc.current, headline, input.types),
      revenueRank: 0,
      activityRank: 0,
      previous: { activities: previous.activities, headlineRevenueMinor: previous.headlineRevenueMinor },
    });
  }
  const revenueRanks = rankWithTies(reps.map((r) => r.headlineRevenueMinor));
  const activityRanks = rankWithTies(reps.map((r) => r.activities));
  reps.forEach((r, i) => {
    r.revenueRank = revenueRanks[i]!;
    r.activityRank = activityRanks[i]!;
  });
  reps.sort(compareReps);

  return {
    teamId: input.teamId,
    currency: headline,
    period: input.period,
    types: input.types,
    team: totalsFrom(team, headline, input.types),
    previousTeam: totalsFrom(previousTeam, headline, input.types),
    reps,
    medians: {
      activities: median(reps.map((r) => r.activities)),
      headlineRevenueMinor: medianBigint(reps.map((r) => r.headlineRevenueMinor)),
    },
  };
}

/**
 * A workspace's board for a period: team totals, every rep active in the current period with ranks, the previous
 * period's numbers for the ▲/▼ changes, and medians. Two grouped queries (activities, deals), each one index range
 * scan over [previous.start, current.end) of the workspace's not-deleted rows.
 */
export async function computeBoard(db: Db, input: ComputeBoardInput): Promise<Board> {
  const groups = await loadBoardGroups(db, input.teamId, input.period);
  const active = new Set<string>();
  for (const g of groups.activities) if (g.current !== null) active.add(g.userId);
  for (const g of groups.deals) if (g.currentCount > 0) active.add(g.userId);
  const names = active.size > 0 ? await input.names([...active].sort()) : new Map<string, string>();
  return boardFromGroups(groups, input, names);
}

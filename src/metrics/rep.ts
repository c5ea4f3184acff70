/**
 * One person's sums over one or more named ranges: activities per type (and per outcome), deals per status and
 * currency. Each is one grouped query with a FILTER column per range over the span of them all.
 */
import { and, eq, gte, inArray, isNull, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { activities, deals } from '../db/schema/index.js';
import { toBigint, toNumber, type Driven } from './driver.js';
import type { ActivityTypeKey, Span } from './types.js';

export interface RepScope {
  teamId: string;
  userId: string;
}

/** The activities of one type in a range, by outcome. */
export interface TypeOutcomes {
  typeKey: string;
  /** sum(quantity) of the type in the range. */
  total: number;
  /** Recorded outcomes with their counts: the type's outcomes in its order, then any others (alphabetically). Zero counts left out. */
  outcomes: Array<{ outcome: string; count: number }>;
  /** Activities logged without an outcome. */
  withoutOutcome: number;
}

export interface OutcomeGroup {
  typeKey: string;
  outcome: string | null;
  quantity: number;
}

/** sum(quantity) per (type, outcome) of one person's live activities in [start, end). One grouped query. */
export async function loadOutcomeGroups(db: Db, input: RepScope & Span): Promise<OutcomeGroup[]> {
  const rows = await db
    .select({
      typeKey: activities.typeKey,
      outcome: activities.outcome,
      quantity: sql<Driven>`sum(${activities.quantity})`,
    })
    .from(activities)
    .where(
      and(
        eq(activities.teamId, input.teamId),
        eq(activities.userId, input.userId),
        isNull(activities.deletedAt),
        gte(activities.occurredAt, input.start),
        lt(activities.occurredAt, input.end),
      ),
    )
    .groupBy(activities.typeKey, activities.outcome);
  return rows.map((r) => ({ typeKey: r.typeKey, outcome: r.outcome, quantity: toNumber(r.quantity) }));
}

/** Group outcome rows per type, ordered like `types` (unknown keys after, alphabetically). Outcome case is folded. Pure. */
export function outcomesByType(rows: OutcomeGroup[], types: readonly ActivityTypeKey[]): TypeOutcomes[] {
  const byKey = new Map<string, { total: number; withoutOutcome: number; counts: Map<string, number> }>();
  for (const r of rows) {
    if (r.quantity === 0) continue;
    let entry = byKey.get(r.typeKey);
    if (!entry) {
      entry = { total: 0, withoutOutcome: 0, counts: new Map() };
      byKey.set(r.typeKey, entry);
    }
    entry.total += r.quantity;
    const outcome = r.outcome?.trim() ? r.outcome.trim().toLowerCase() : null;
    if (outcome === null) entry.withoutOutcome += r.quantity;
    else entry.counts.set(outcome, (entry.counts.get(outcome) ?? 0) + r.quantity);
  }
  const knownKeys = types.map((t) => t.key);
  const keys = [...knownKeys.filter((k) => byKey.has(k)), ...[...byKey.keys()].filter((k) => !knownKeys.includes(k)).sort()];
  return keys.map((typeKey) => {
    const entry = byKey.get(typeKey)!;
    const defined = (types.find((t) => t.key === typeKey)?.outcomes ?? []).map((o) => o.toLowerCase());
    const order = [...defined.filter((o) => entry.counts.has(o)), ...[...entry.counts.keys()].filter((o) => !defined.includes(o)).sort()];
    return {
      typeKey,
      total: entry.total,
      outcomes: order.map((outcome) => ({ outcome, count: entry.counts.get(outcome)! })),
      withoutOutcome: entry.withoutOutcome,
    };
  });
}

/** The span all the ranges lie in: the query reads it once, FILTER splits it. */
function spanOf(ranges: ReadonlyMap<string, Span>): Span {
  const all = [...ranges.values()];
  return {
    start: new Date(Math.min(...all.map((r) => r.start.getTime()))),
    end: new Date(Math.max(...all.map((r) => r.end.getTime()))),
  };
}

/** `agg FILTER (where column in [start, end))`. Instants as ISO strings: postgres.js rejects a Date in raw SQL. */
function inRange(aggregate: SQL, column: typeof activities.occurredAt | typeof deals.closedAt, range: Span): SQL<Driven> {
  return sql<Driven>`${aggregate} filter (where ${column} >= ${range.start.toISOString()} and ${column} < ${range.end.toISOString()})`;
}

/**
 * One person's sum(quantity) per activity type in each named range (a week, a month, a quarter), in one grouped
 * query; `typeKeys` limits the types read (none given: all). Returns range name -> type key -> quantity; a type
 * with nothing in a range reads 0 (or is absent).
 */
export async function activitySums<K extends string>(
  db: Db,
  input: RepScope & { ranges: ReadonlyMap<K, Span>; typeKeys?: readonly string[] },
): Promise<Map<K, Map<string, number>>> {
  const out = new Map<K, Map<string, number>>([...input.ranges.keys()].map((k) => [k, new Map<string, number>()]));
  if (input.ranges.size === 0 || input.typeKeys?.length === 0) return out;
  const names = [...input.ranges.keys()];
  const columns: Record<string, SQL<Driven>> = {};
  names.forEach((name, i) => {
    columns[`r${i}`] = inRange(sql`sum(${activities.quantity})`, activities.occurredAt, input.ranges.get(name)!);
  });
  const span = spanOf(input.ranges);
  const rows = await db
    .select({ typeKey: activities.typeKey, ...columns })
    .from(activities)
    .where(
      and(
        eq(activities.teamId, input.teamId),
        eq(activities.userId, input.userId),
        isNull(activities.deletedAt),
        input.typeKeys ? inArray(activities.typeKey, [...input.typeKeys]) : undefined,
        gte(activities.occurredAt, span.start),
        lt(activities.occurredAt, span.end),
      ),
    )
    .groupBy(activities.typeKey);
  for (const row of rows as Array<Record<string, Driven> & { typeKey: string }>) {
    names.forEach((name, i) => out.get(name)!.set(row.typeKey, toNumber(row[`r${i}`])));
  }
  return out;
}

/**
 * One person's sum(quantity) of one activity type in [start, end), as a scalar subquery (0 for none) for a
 * statement that does more: the logging hot path stores an entry and reads the week's count in one statement.
 */
export function activitySumSql(input: RepScope & { typeKey: string; range: Span }): SQL<Driven> {
  return sql<Driven>`(select coalesce(sum(${activities.quantity}), 0) from ${activities} where ${and(
    eq(activities.teamId, input.teamId),
    eq(activities.userId, input.userId),
    isNull(activities.deletedAt),
    eq(activities.typeKey, input.typeKey),
    gte(activities.occurredAt, input.range.start),
    lt(activities.occurredAt, input.range.end),
  )})`;
}

/** One person's deals in a range: won per currency (count and exact sum), and lost. */
export interface DealSums {
  won: Map<string | null, { count: number; minor: bigint }>;
  lost: number;
}

/**
 * One person's deals per status and currency in each named range, in one grouped query: counts and exact sums of
 * amount_minor. `status` and `currencies` limit the rows read (none given: all).
 */
export async function dealSums<K extends string>(
  db: Db,
  input: RepScope & { ranges: ReadonlyMap<K, Span>; status?: 'won' | 'lost'; currencies?: readonly string[] },
): Promise<Map<K, DealSums>> {
  const out = new Map<K, DealSums>([...input.ranges.keys()].map((k) => [k, { won: new Map(), lost: 0 }]));
  if (input.ranges.size === 0 || input.currencies?.length === 0) return out;
  const names = [...input.ranges.keys()];
  const columns: Record<string, SQL<Driven>> = {};
  names.forEach((name, i) => {
    const range = input.ranges.get(name)!;
    columns[`c${i}`] = inRange(sql`count(*)`, deals.closedAt, range);
    columns[`m${i}`] = inRange(sql`sum(${deals.amountMinor})`, deals.closedAt, range);
  });
  const span = spanOf(input.ranges);
  const rows = await db
    .select({ status: deals.status, currency: deals.currency, ...columns })
    .from(deals)
    .where(
      and(
        eq(deals.teamId, input.teamId),
        eq(deals.userId, input.userId),
        input.status ? eq(deals.status, input.status) : undefined,
        isNull(deals.deletedAt),
        input.currencies ? inArray(deals.currency, [...input.currencies]) : undefined,
        gte(deals.closedAt, span.start),
        lt(deals.closedAt, span.end),
      ),
    )
    .groupBy(deals.status, deals.currency);
  for (const row of rows as Array<Record<string, Driven> & { status: 'won' | 'lost'; currency: string | null }>) {
    names.forEach((name, i) => {
      const count = toNumber(row[`c${i}`]);
      if (count === 0) return;
      const sums = out.get(name)!;
      if (row.status === 'lost') {
        sums.lost += count;
        return;
      }
      const entry = sums.won.get(row.currency) ?? { count: 0, minor: 0n };
      entry.count += count;
      entry.minor += toBigint(row[`m${i}`]);
      sums.won.set(row.currency, entry);
    });
  }
  return out;
}

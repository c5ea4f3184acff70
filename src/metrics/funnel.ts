/**
 * The conversion funnel: an ordered list of stages, the count at each per rep and period, and the rate between
 * consecutive stages. Counted in SQL, one query per board whatever the number of reps (loadStageCounts).
 *
 * Decisions:
 * - Stages are NOT nested filters: each stage counts its own rows. An activity row counts in every stage whose types
 *   (empty: any) and outcomes (empty: any) it matches, as sum(quantity); a `won` stage counts won deals (closed in
 *   the period), whatever its types and outcomes. So with the default stages a call #booked counts as a touch, as
 *   a conversation (a call that booked a meeting connected first: CONNECTED_OUTCOMES in summary/stats.ts) and as
 *   a meeting booked; an email #replied as a touch and a conversation.
 * - A stage lists activity type KEYS (matched exactly) and outcomes (matched case-insensitively, as outcomes are
 *   grouped elsewhere in metrics). A stage's types × outcomes is a cross product: the default "conversations" lists
 *   calls and emails with connected, booked or replied, which reads right because emails have no "connected" and calls
 *   no "replied".
 * - rates[i] = count[i+1] ÷ count[i]; null (no data, shown as such, never 0%) when count[i] is 0. Custom stages that
 *   are not subsets of each other may give a rate above 1: shown as it is.
 * - A team's funnel is pooled (the team's counts summed, then divided), never an average of its reps' rates. The
 *   "median rep" funnel (medianFunnel) is the median, per step, of the rates of the reps that have one.
 */
import { and, eq, gte, isNull, lt, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Db } from '../db/client.js';
import { resultRows } from '../db/client.js';
import { activities, deals, salesTeamMembers, type StoredConversionStage } from '../db/schema/index.js';
import { toNumber, type Driven } from './driver.js';
import { median } from './ranking.js';
import type { Span, SpanPair } from './types.js';

/** A stage resolved for counting: activity rows whose type is in `types` (empty: any) and outcome in `outcomes` (empty: any) count quantity; `won` counts won deals. */
export interface ConversionStage {
  label: string;
  types: string[];
  outcomes: string[];
  won: boolean;
}

/** touches → conversations → meetings booked → meetings held → deals won. */
export const DEFAULT_CONVERSION_STAGES: readonly ConversionStage[] = Object.freeze([
  { label: 'Touches', types: ['call', 'email'], outcomes: [], won: false },
  { label: 'Conversations', types: ['call', 'email'], outcomes: ['connected', 'booked', 'replied'], won: false },
  { label: 'Meetings booked', types: [], outcomes: ['booked'], won: false },
  { label: 'Meetings held', types: ['meeting', 'demo'], outcomes: ['held'], won: false },
  { label: 'Deals won', types: [], outcomes: [], won: true },
]);

/** The stages to count: a workspace's stored conversion_stages, or the default when it has none (null, empty). */
export function conversionStagesOf(stored: readonly StoredConversionStage[] | null | undefined): ConversionStage[] {
  const source = stored && stored.length > 0 ? stored : DEFAULT_CONVERSION_STAGES;
  return source.map((s) => ({
    label: s.label,
    types: [...(s.types ?? [])],
    outcomes: [...(s.outcomes ?? [])],
    won: s.won === true,
  }));
}

/** Counts at each stage and the rates between consecutive stages. */
export interface Funnel {
  stages: { label: string; count: number }[];
  /** rates[i] = count[i+1] ÷ count[i] (length stages - 1); null when count[i] is 0: no data, never 0%. */
  rates: (number | null)[];
  /** End to end: the first stage's count per one of the last stage's (touches per won deal); null when the last is 0. */
  touchesPerWon: number | null;
}

/** count[i+1] ÷ count[i], null when count[i] is 0. */
function ratesOf(counts: readonly number[]): (number | null)[] {
  const rates: (number | null)[] = [];
  for (let i = 0; i + 1 < counts.length; i++) rates.push(counts[i]! > 0 ? counts[i + 1]! / counts[i]! : null);
  return rates;
}

/** A funnel from counts lined up with `stages` (a missing count reads 0). Pure. */
export function funnelOf(stages: readonly ConversionStage[], counts: readonly number[]): Funnel {
  const full = stages.map((_, i) => counts[i] ?? 0);
  const first = full[0] ?? 0;
  const last = full[full.length - 1] ?? 0;
  return {
    stages: stages.map((s, i) => ({ label: s.label, count: full[i]! })),
    rates: ratesOf(full),
    touchesPerWon: full.length >= 2 && last > 0 ? first / last : null,
  };
}

/** The stage counts summed over reps (lined up with `stages`). */
export function sumStageCounts(stages: readonly ConversionStage[], countsByUser: Iterable<readonly number[]>): number[] {
  const sums = stages.map(() => 0);
  for (const counts of countsByUser) {
    for (let i = 0; i < sums.length; i++) sums[i]! += counts[i] ?? 0;
  }
  return sums;
}

/** A group's funnel: the reps' counts summed first, then divided. Never an average of the reps' rates. */
export function pooledFunnel(stages: readonly ConversionStage[], countsByUser: Iterable<readonly number[]>): Funnel {
  return funnelOf(stages, sumStageCounts(stages, countsByUser));
}

/**
 * The median rep's funnel: per stage the median count, per step the median of the rates of the reps that have one
 * (count[i] > 0; a rep with no data at a step is left out of that step, not counted as 0%), end to end likewise.
 * Null where no rep has a rate. Compare a rep against it with "per rep vs team median".
 */
export function medianFunnel(stages: readonly ConversionStage[], countsByUser: Iterable<readonly number[]>): Funnel {
  const funnels = [...countsByUser].map((c) => funnelOf(stages, c));
  const defined = (values: (number | null)[]): number | null => {
    const present = values.filter((v): v is number => v !== null);
    return present.length > 0 ? median(present) : null;
  };
  return {
    stages: stages.map((s, i) => ({ label: s.label, count: median(funnels.map((f) => f.stages[i]!.count)) })),
    rates: stages.slice(1).map((_, i) => defined(funnels.map((f) => f.rates[i]!))),
    touchesPerWon: defined(funnels.map((f) => f.touchesPerWon)),
  };
}

/** Per user, the count at each stage (lined up with the stages) in the current and previous periods. */
export interface UserStageCounts {
  current: number[];
  previous: number[];
}

/** Which rows to count: the whole workspace, one sales team's members, or some people. */
export interface StageCountScope {
  /** Only this sales team's members (role member), like a team board. */
  salesTeamId?: string;
  /** Only these people (an empty list reads nobody). */
  userIds?: readonly string[];
}

function inSpan(column: typeof activities.occurredAt | typeof deals.closedAt, range: Span): SQL {
  return sql`${column} >= ${range.start.toISOString()} and ${column} < ${range.end.toISOString()}`;
}

function inList(column: SQL | AnyPgColumn, values: readonly string[]): SQL {
  return sql`${column} in (${sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  )})`;
}

/** The activity rows a (non-won) stage counts; undefined: every row. */
function stageMatch(stage: ConversionStage): SQL | undefined {
  const outcomes = [...new Set(stage.outcomes.map((o) => o.trim().toLowerCase()))];
  return and(
    stage.types.length > 0 ? inList(activities.typeKey, stage.types) : undefined,
    outcomes.length > 0 ? inList(sql`lower(${activities.outcome})`, outcomes) : undefined,
  );
}

function scoped(userColumn: typeof activities.userId | typeof deals.userId, scope: StageCountScope): SQL | undefined {
  return and(
    scope.salesTeamId
      ? sql`${userColumn} in (select ${salesTeamMembers.userId} from ${salesTeamMembers} where ${salesTeamMembers.salesTeamId} = ${scope.salesTeamId} and ${salesTeamMembers.role} = 'member')`
      : undefined,
    scope.userIds ? inList(userColumn, scope.userIds) : undefined,
  );
}

/**
 * The statement behind loadStageCounts (undefined when it would read nothing): columns user_id, c0…cN (current
 * period) and p0…pN (previous). Exported for the benchmark's EXPLAIN.
 */
export function stageCountsQuery(teamId: string, stages: readonly ConversionStage[], period: SpanPair, scope: StageCountScope = {}): SQL | undefined {
  if (stages.length === 0 || scope.userIds?.length === 0) return undefined;
  const { current, previous } = period;
  const span: Span = {
    start: new Date(Math.min(current.start.getTime(), previous.start.getTime())),
    end: new Date(Math.max(current.end.getTime(), previous.end.getTime())),
  };
  const activityStages = stages.filter((s) => !s.won);
  const wonStages = stages.filter((s) => s.won);
  const column = (which: 'c' | 'p', i: number) => sql.raw(`${which}${i}`);
  const periods = [
    ['c', current],
    ['p', previous],
  ] as const;

  const branches: SQL[] = [];
  if (activityStages.length > 0) {
    const columns = periods.flatMap(([which, range]) =>
      stages.map((stage, i) => {
        if (stage.won) return sql`0::bigint as ${column(which, i)}`;
        const match = stageMatch(stage);
        return sql`coalesce(sum(${activities.quantity}) filter (where ${and(inSpan(activities.occurredAt, range), match)}), 0) as ${column(which, i)}`;
      }),
    );
    // Only the types some stage counts are read, unless a stage counts any type.
    const typed = activityStages.every((s) => s.types.length > 0);
    const where = and(
      eq(activities.teamId, teamId),
      isNull(activities.deletedAt),
      gte(activities.occurredAt, span.start),
      lt(activities.occurredAt, span.end),
      typed ? inList(activities.typeKey, [...new Set(activityStages.flatMap((s) => s.types))]) : undefined,
      scoped(activities.userId, scope),
    );
    branches.push(sql`select ${activities.userId} as user_id, ${sql.join(columns, sql`, `)} from ${activities} where ${where} group by ${activities.userId}`);
  }
  if (wonStages.length > 0) {
    const columns = periods.flatMap(([which, range]) =>
      stages.map((stage, i) =>
        stage.won ? sql`count(*) filter (where ${inSpan(deals.closedAt, range)}) as ${column(which, i)}` : sql`0::bigint as ${column(which, i)}`,
      ),
    );
    const where = and(
      eq(deals.teamId, teamId),
      isNull(deals.deletedAt),
      eq(deals.status, 'won'),
      gte(deals.closedAt, span.start),
      lt(deals.closedAt, span.end),
      scoped(deals.userId, scope),
    );
    branches.push(sql`select ${deals.userId} as user_id, ${sql.join(columns, sql`, `)} from ${deals} where ${where} group by ${deals.userId}`);
  }
  const sums = periods.flatMap(([which]) => stages.map((_, i) => sql`sum(${column(which, i)}) as ${column(which, i)}`));
  return sql`select user_id, ${sql.join(sums, sql`, `)} from (${sql.join(branches, sql` union all `)}) as stage_rows group by user_id`;
}

/**
 * One query: per user, the count at each stage in the period and the one before it (a BoardPeriod is a SpanPair).
 * Activities are one range scan over the span of both periods (FILTER splits them per stage and period), won deals
 * another, added per user. People with nothing in any stage are absent (read them as zeros).
 */
export async function loadStageCounts(
  db: Db,
  teamId: string,
  stages: readonly ConversionStage[],
  period: SpanPair,
  scope: StageCountScope = {},
): Promise<Map<string, UserStageCounts>> {
  const out = new Map<string, UserStageCounts>();
  const query = stageCountsQuery(teamId, stages, period, scope);
  if (!query) return out;
  const rows = resultRows<Record<string, Driven> & { user_id: string }>(await db.execute(query));
  for (const row of rows) {
    const counts = { current: stages.map((_, i) => toNumber(row[`c${i}`])), previous: stages.map((_, i) => toNumber(row[`p${i}`])) };
    if (counts.current.some((c) => c > 0) || counts.previous.some((c) => c > 0)) out.set(row.user_id, counts);
  }
  return out;
}

import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { users, workspaces, type TargetPeriod } from '../../db/schema/index.js';
import type { Deps } from '../../deps.js';
import { activitySums, dealSums, type Span } from '../../metrics/index.js';
import type { PeriodSettings } from '../../periods/parse-period.js';
import { loadActivityTypes } from '../logging/index.js';
import { computeProgress, targetPeriodRange, type TargetProgress } from './pacing.js';
import { metricLabel, REVENUE } from './parse.js';
import { effectiveTargets, type TargetRow } from './queries.js';

export interface TargetProgressInput {
  teamId: string;
  userId: string;
  now: Date;
  /** The person's IANA time zone: periods and working days are theirs. */
  timeZone: string;
}

type Ranges = Map<TargetPeriod, Span>;

/**
 * The person's actuals for their targets' current periods, from src/metrics in two grouped queries at most:
 * activities sum(quantity) per type, and won revenue per currency, each with one FILTER column per period (week,
 * month, quarter). Returns (metric, period) -> actual; revenue keyed as `revenue:<CUR>`.
 */
async function loadActuals(db: Db, teamId: string, userId: string, rows: TargetRow[], ranges: Ranges): Promise<Map<string, bigint>> {
  const actuals = new Map<string, bigint>();
  const typeKeys = [...new Set(rows.filter((r) => r.metric !== REVENUE).map((r) => r.metric))];
  const currencies = [...new Set(rows.filter((r) => r.metric === REVENUE && r.currency).map((r) => r.currency!))];
  const activityRanges: Ranges = new Map(rows.filter((r) => r.metric !== REVENUE).map((r) => [r.period, ranges.get(r.period)!]));
  const revenueRanges: Ranges = new Map(rows.filter((r) => r.metric === REVENUE).map((r) => [r.period, ranges.get(r.period)!]));

  const [activityTotals, dealTotals] = await Promise.all([
    activitySums(db, { teamId, userId, ranges: activityRanges, typeKeys }),
    dealSums(db, { teamId, userId, ranges: revenueRanges, status: 'won', currencies }),
  ]);
  for (const [period, byType] of activityTotals) {
    for (const [key, quantity] of byType) actuals.set(`${key}:${period}`, BigInt(quantity));
  }
  for (const [period, sums] of dealTotals) {
    for (const [currency, { minor }] of sums.won) if (currency !== null) actuals.set(`${REVENUE}:${currency}:${period}`, minor);
  }
  return actuals;
}

/**
 * Progress against every target that applies to the person (their own, else everyone's, per metric), each in its
 * current week / month / quarter in their time zone, prorated from users.joined_at. Activity targets first in the
 * workspace's type order (types it no longer defines after, by key), revenue last. Targets the person has no working
 * day for yet (joined after the period's last working day) are left out. Empty when there are no targets.
 */
export async function loadTargetProgress(deps: Pick<Deps, 'db'>, input: TargetProgressInput): Promise<TargetProgress[]> {
  const { db } = deps;
  const { teamId, userId, now, timeZone } = input;
  const rows = await effectiveTargets(db, teamId, userId);
  if (rows.length === 0) return [];

  const [[workspace], [user], types] = await Promise.all([
    db
      .select({ weekStartsOn: workspaces.weekStartsOn, fiscalYearStartMonth: workspaces.fiscalYearStartMonth })
      .from(workspaces)
      .where(eq(workspaces.teamId, teamId)),
    db
      .select({ joinedAt: users.joinedAt })
      .from(users)
      .where(and(eq(users.teamId, teamId), eq(users.userId, userId))),
    loadActivityTypes(db, teamId),
  ]);
  const settings: PeriodSettings = {
    timeZone,
    weekStartsOn: (workspace?.weekStartsOn ?? 1) as PeriodSettings['weekStartsOn'],
    fiscalYearStartMonth: workspace?.fiscalYearStartMonth ?? 1,
  };
  const ranges: Ranges = new Map();
  for (const row of rows) if (!ranges.has(row.period)) ranges.set(row.period, targetPeriodRange(row.period, now, settings));
  const actuals = await loadActuals(db, teamId, userId, rows, ranges);

  const order = new Map(types.map((t, i) => [t.key, i]));
  const rank = (row: TargetRow) => (row.metric === REVENUE ? Number.MAX_SAFE_INTEGER : (order.get(row.metric) ?? types.length));
  const sorted = [...rows].sort((a, b) => rank(a) - rank(b) || (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0));

  const out: TargetProgress[] = [];
  for (const row of sorted) {
    const isRevenue = row.metric === REVENUE;
    if (isRevenue && !row.currency) continue; // never stored so: revenue targets always name their currency
    const key = isRevenue ? `${REVENUE}:${row.currency}:${row.period}` : `${row.metric}:${row.period}`;
    const progress = computeProgress({
      metric: row.metric,
      label: metricLabel(row.metric, types),
      currency: isRevenue ? row.currency : null,
      amount: row.amount,
      period: row.period,
      actual: actuals.get(key) ?? 0n,
      now,
      settings,
      joinedAt: user?.joinedAt ?? null,
    });
    if (progress) out.push(progress);
  }
  return out;
}

import type { Db } from '../../db/client.js';
import { loadStageCounts, loadTeamMetrics, type ConversionStage, type TeamMetrics } from '../../metrics/index.js';
import { withConversion } from './conversion.js';
import type { Board, BoardPeriod, RepStats } from './types.js';

export interface ComputeBoardInput {
  teamId: string;
  period: BoardPeriod;
  /** The headline currency: the workspace's. */
  currency: string;
  types: Board['types'];
  /** Only this sales team's members: ranks and medians within the team. Absent: the whole workspace. */
  salesTeam?: { id: string; name: string };
  /** The workspace's conversion stages (metrics conversionStagesOf): the board gets a conversion section. Absent: none. */
  conversionStages?: readonly ConversionStage[];
  /** Display names for user ids (the caller reads the users cache / Slack). A missing id shows as itself. */
  names: (userIds: string[]) => Promise<Map<string, string>>;
}

/** Compare rep rows: headline revenue, then activities (both descending), then name, then user id. */
export function compareReps(a: Pick<RepStats, 'headlineRevenueMinor' | 'activities' | 'name' | 'userId'>, b: typeof a): number {
  if (a.headlineRevenueMinor !== b.headlineRevenueMinor) return a.headlineRevenueMinor > b.headlineRevenueMinor ? -1 : 1;
  if (a.activities !== b.activities) return b.activities - a.activities;
  const byName = a.name.localeCompare(b.name);
  if (byName !== 0) return byName;
  return a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0;
}

/** A board from the team's metrics (pure): the active reps with names, sorted; team totals, the previous period, medians. */
export function boardFromMetrics(metrics: TeamMetrics, input: Omit<ComputeBoardInput, 'names'>, names: Map<string, string>): Board {
  const reps: RepStats[] = metrics.reps.map((r) => ({
    userId: r.userId,
    name: names.get(r.userId) ?? r.userId,
    ...r.current,
    revenueRank: r.ranks!.revenue,
    activityRank: r.ranks!.activity,
    previous: { activities: r.previous.activities, headlineRevenueMinor: r.previous.headlineRevenueMinor },
    ...(r.dealMix ? { dealMix: r.dealMix } : {}),
  }));
  reps.sort(compareReps);
  return {
    teamId: input.teamId,
    ...(input.salesTeam ? { salesTeam: { id: input.salesTeam.id, name: input.salesTeam.name } } : {}),
    currency: metrics.currency,
    period: input.period,
    types: input.types,
    team: metrics.team,
    previousTeam: metrics.previousTeam,
    reps,
    medians: metrics.medians,
    dealMix: metrics.dealMix,
    ...(metrics.satisfactionScale ? { satisfactionScale: metrics.satisfactionScale } : {}),
  };
}

/**
 * A workspace's board for a period: team totals, every rep active in the current period with ranks, the previous
 * period's numbers for the ▲/▼ changes, and medians, all from src/metrics (two grouped queries, each one index
 * range scan over [previous.start, current.end) of the workspace's not-deleted rows), and with conversion stages the
 * funnel's stage counts (one more grouped query). Names are asked for the
 * active reps only, and not at all when there are none.
 */
export async function computeBoard(db: Db, input: ComputeBoardInput): Promise<Board> {
  const stages = input.conversionStages;
  // The conversion funnel: one more grouped query (metrics/funnel), whatever the number of reps.
  const [metrics, stageCounts] = await Promise.all([
    loadTeamMetrics(db, { ...input, salesTeamId: input.salesTeam?.id }),
    stages && stages.length > 0 ? loadStageCounts(db, input.teamId, stages, input.period, { salesTeamId: input.salesTeam?.id }) : undefined,
  ]);
  const active = metrics.reps.map((r) => r.userId).sort();
  const names = active.length > 0 ? await input.names(active) : new Map<string, string>();
  const board = boardFromMetrics(metrics, input, names);
  return stages && stageCounts ? withConversion(board, stages, stageCounts) : board;
}

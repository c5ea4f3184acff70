/**
 * A person's own conversion funnel for a period, against the median rep of their sales team (of the workspace when
 * they are in none): the data behind the funnel in `/my-stats`, the DM digests and the App Home. Counted in SQL by
 * src/metrics (one query for the whole group).
 *
 * Privacy (decisions):
 * - Only the person's own counts and rates leave this module, and the group's median RATES (never a count, a name or
 *   anyone's own figure). The median of a step is shown only when at least MEDIAN_MIN_REPS reps of the group have a
 *   rate there: with two, the median and your own rate would give away the other rep's.
 * - The group is the sales teams the person is a member of (several: their members together), so the median rep is
 *   a peer; "the median rep" is among the reps with a count at some stage in the period, like the ranks.
 */
import type { Db } from '../../db/client.js';
import type { StoredConversionStage } from '../../db/schema/index.js';
import { conversionStagesOf, funnelOf, loadStageCounts, medianFunnel, type ConversionStage, type UserStageCounts } from '../../metrics/index.js';
import { listSalesTeams } from '../../org/index.js';
import type { BoardPeriod } from '../../periods/types.js';

/** Reps with a rate at a step before the group's median of it is shown. */
export const MEDIAN_MIN_REPS = 3;

/** Whose median: one sales team (by name), several (the person is a member of each), or the whole workspace. */
export type FunnelGroup = { kind: 'team'; name: string } | { kind: 'teams'; count: number } | { kind: 'workspace' };

export interface PersonalFunnel {
  /** The person's count at each stage, in order. */
  stages: { label: string; count: number }[];
  /** rates[i]: stage i+1 ÷ stage i; null when stage i has no count (no data, never 0%). */
  rates: (number | null)[];
  /** The first stage's count per won deal; null with no won deal. */
  touchesPerWon: number | null;
  /** The median rep's rates (null: no data, or fewer than MEDIAN_MIN_REPS reps with a rate there). */
  median: { rates: (number | null)[]; touchesPerWon: number | null };
  group: FunnelGroup;
}

/**
 * The person's funnel against the group's median. Pure: `counts` are the group's reps' stage counts (the person's
 * among them when they have any).
 */
export function personalFunnel(stages: readonly ConversionStage[], counts: ReadonlyMap<string, UserStageCounts>, userId: string, group: FunnelGroup): PersonalFunnel {
  const own = funnelOf(stages, counts.get(userId)?.current ?? []);
  const reps = [...counts.values()].map((c) => c.current).filter((c) => c.some((n) => n > 0));
  const median = medianFunnel(stages, reps);
  const enough = (i: number) => reps.filter((c) => (c[i] ?? 0) > 0).length >= MEDIAN_MIN_REPS;
  return {
    stages: own.stages,
    rates: own.rates,
    touchesPerWon: own.touchesPerWon,
    median: {
      rates: median.rates.map((r, i) => (enough(i) ? r : null)),
      touchesPerWon: enough(stages.length - 1) ? median.touchesPerWon : null,
    },
    group,
  };
}

/**
 * Load the person's funnel for the period: the workspace's stages, the sales teams they are a member of, and one
 * stage-count query over that group (the workspace when they are in no team).
 */
export async function loadPersonalFunnel(
  db: Db,
  input: { teamId: string; userId: string; period: BoardPeriod; stored: StoredConversionStage[] | null },
): Promise<PersonalFunnel> {
  const stages = conversionStagesOf(input.stored);
  const teams = (await listSalesTeams(db, input.teamId)).filter((t) => t.members.includes(input.userId));
  const group: FunnelGroup = teams.length === 0 ? { kind: 'workspace' } : teams.length === 1 ? { kind: 'team', name: teams[0]!.name } : { kind: 'teams', count: teams.length };
  const userIds = teams.length === 0 ? undefined : [...new Set(teams.flatMap((t) => t.members))];
  const counts = await loadStageCounts(db, input.teamId, stages, input.period, userIds ? { userIds } : {});
  return personalFunnel(stages, counts, input.userId, group);
}

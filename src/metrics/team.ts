import type { Db } from '../db/client.js';
import { median, medianBigint, rankWithTies } from './ranking.js';
import { loadTeamGroups, type TeamGroups } from './team-groups.js';
import { addActivities, addDeals, emptyTotalsInput, totalsFrom, type TotalsInput } from './totals.js';
import type { ActivityTypeKey, SpanPair, Totals } from './types.js';
import type { SatisfactionScale } from '../db/schema/index.js';
import { dealMixesOf, type DealMix } from './deal-mix.js';

/** One person's numbers in a team's period and the one before it. */
export interface RepMetrics {
  userId: string;
  current: Totals;
  previous: Totals;
  /** Any activity or closed deal in the current period: only active reps are ranked. */
  active: boolean;
  /** Competition ranks (1, 2, 2, 4) among the active reps by headline revenue and by activities; null when not active. */
  ranks: { revenue: number; activity: number } | null;
  /** The current period's deals by kind, new customers, retention and satisfaction; absent: no deal closed in it. */
  dealMix?: DealMix;
}

/** A workspace's numbers for a period: the team's, every rep's, ranks and medians. No names: callers add those. */
export interface TeamMetrics {
  teamId: string;
  /**
   * The headline currency (the workspace's reporting currency): ratios and ranks are in it. Without exchange rates,
   * other currencies stand beside it; with them, they are converted into it (see Totals.conversion).
   */
  currency: string;
  /** The workspace has exchange rates: headline revenue is converted (Totals.conversion is set on every total). */
  converting: boolean;
  /** The types every activitiesByType lists (0 when none). */
  types: readonly ActivityTypeKey[];
  team: Totals;
  previousTeam: Totals;
  /** The reps active in the current period, ranked, in no particular order. */
  reps: RepMetrics[];
  /** Everyone with a row in either period, active or not. Read through repMetrics(). */
  byUser: Map<string, RepMetrics>;
  /** Over the active reps: activities, and headline revenue (an even count floors the mean of the middle two). */
  medians: { activities: number; headlineRevenueMinor: bigint };
  /** The team's current period by deal kind, new customers, retention and satisfaction. */
  dealMix: DealMix;
  /** The scale the satisfaction averages are on (the workspace's); absent when no deal was read. */
  satisfactionScale?: SatisfactionScale;
}

export interface TeamMetricsInput {
  teamId: string;
  period: SpanPair;
  /** The headline currency: the workspace's. */
  currency: string;
  /** Every one of these types appears in activitiesByType (0 when none). */
  types: readonly ActivityTypeKey[];
  /** Only this sales team's members (ranks and medians within the team); absent: the whole workspace. */
  salesTeamId?: string;
}

/** Build the team's metrics from its grouped rows (pure). */
export function teamMetricsFromGroups(groups: TeamGroups, input: Omit<TeamMetricsInput, 'period' | 'salesTeamId'>): TeamMetrics {
  const { currency: headline, types } = input;
  // With exchange rates, every total (rep, team, both periods) converts into the headline; without, none does.
  const converting = groups.ratesExist === true;
  const empty = (): TotalsInput => emptyTotalsInput(converting);
  const team = empty();
  const previousTeam = empty();
  const byUser = new Map<string, { current: TotalsInput; previous: TotalsInput; active: boolean }>();
  const acc = (userId: string) => {
    let a = byUser.get(userId);
    if (!a) {
      a = { current: empty(), previous: empty(), active: false };
      byUser.set(userId, a);
    }
    return a;
  };
  for (const g of groups.activities) {
    const a = acc(g.userId);
    if (g.current !== null) {
      a.active = true;
      addActivities(a.current, g.typeKey, g.current);
      addActivities(team, g.typeKey, g.current);
    }
    if (g.previous !== null) {
      addActivities(a.previous, g.typeKey, g.previous);
      addActivities(previousTeam, g.typeKey, g.previous);
    }
  }
  for (const g of groups.deals) {
    const a = acc(g.userId);
    if (g.currentCount > 0) a.active = true;
    const conversion = converting ? { reporting: headline, rate: g.rate ?? null } : undefined;
    addDeals(a.current, g.status, g.currency, g.currentCount, g.currentMinor, conversion);
    addDeals(team, g.status, g.currency, g.currentCount, g.currentMinor, conversion);
    addDeals(a.previous, g.status, g.currency, g.previousCount, g.previousMinor, conversion);
    addDeals(previousTeam, g.status, g.currency, g.previousCount, g.previousMinor, conversion);
  }

  const mixes = dealMixesOf(groups.deals, headline, converting);
  const everyone = new Map<string, RepMetrics>();
  for (const [userId, a] of byUser) {
    const dealMix = mixes.byUser.get(userId);
    everyone.set(userId, {
      userId,
      current: totalsFrom(a.current, headline, types),
      previous: totalsFrom(a.previous, headline, types),
      active: a.active,
      ranks: null,
      ...(dealMix ? { dealMix } : {}),
    });
  }
  const reps = [...everyone.values()].filter((r) => r.active);
  const revenueRanks = rankWithTies(reps.map((r) => r.current.headlineRevenueMinor));
  const activityRanks = rankWithTies(reps.map((r) => r.current.activities));
  reps.forEach((r, i) => {
    r.ranks = { revenue: revenueRanks[i]!, activity: activityRanks[i]! };
  });

  return {
    teamId: input.teamId,
    currency: headline,
    converting,
    types,
    team: totalsFrom(team, headline, types),
    previousTeam: totalsFrom(previousTeam, headline, types),
    reps,
    byUser: everyone,
    dealMix: mixes.team,
    ...(groups.satisfactionScale ? { satisfactionScale: groups.satisfactionScale } : {}),
    medians: {
      activities: median(reps.map((r) => r.current.activities)),
      headlineRevenueMinor: medianBigint(reps.map((r) => r.current.headlineRevenueMinor)),
    },
  };
}

/**
 * A workspace's metrics for a period and the one before it: two grouped queries (activities, deals), each one index
 * range scan over [previous.start, current.end) of the workspace's not-deleted rows, whatever the number of reps.
 */
export async function loadTeamMetrics(db: Db, input: TeamMetricsInput): Promise<TeamMetrics> {
  const groups = await loadTeamGroups(db, input.teamId, input.period, input.salesTeamId);
  return teamMetricsFromGroups(groups, input);
}

/** One person's metrics in the team's period: zeros (and no ranks) for someone with no row in either period. */
export function repMetrics(metrics: TeamMetrics, userId: string): RepMetrics {
  const found = metrics.byUser.get(userId);
  if (found) return found;
  const none = () => totalsFrom(emptyTotalsInput(metrics.converting), metrics.currency, metrics.types);
  return { userId, current: none(), previous: none(), active: false, ranks: null };
}

import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { salesTeamMembers, targets, users, type TargetPeriod } from '../../db/schema/index.js';
import type { PeriodSettings } from '../../periods/parse-period.js';
import type { Board, RepStats } from './types.js';
import { EVERYONE, localDayNumber, prorateOverPieces, resolveEffective, REVENUE, salesTeamIdOfKey, spanPieces, type SpanPiece, type TargetRow } from '../targets/index.js';

export interface BoardTargetSettings {
  weekStartsOn: number;
  fiscalYearStartMonth: number;
}

/**
 * A rep's "% of target", or null when no target applies (or it prorates to nothing: the period has no working day
 * after they joined). The revenue target wins when the rep has one: won revenue in the target's currency against the
 * prorated target. Otherwise the sum of their activity targets, each prorated, against the sum of those activities.
 * Rounded down, like the pacing percent. `prorate` turns a target into its amount for the board's period and this rep.
 */
export function targetPercentFor(rep: Pick<RepStats, 'revenue' | 'activitiesByType'>, effective: TargetRow[], prorate: (row: TargetRow) => bigint): number | null {
  const revenue = effective.find((t) => t.metric === REVENUE && t.currency);
  if (revenue) {
    const target = prorate(revenue);
    if (target <= 0n) return null;
    const currency = revenue.currency!.toUpperCase();
    const actual = rep.revenue.filter((m) => m.currency.toUpperCase() === currency).reduce((sum, m) => sum + m.minor, 0n);
    return Number((actual * 100n) / target);
  }
  const counts = effective.filter((t) => t.metric !== REVENUE);
  if (counts.length === 0) return null;
  let target = 0n;
  let actual = 0n;
  for (const row of counts) {
    target += prorate(row);
    actual += BigInt(rep.activitiesByType[row.metric] ?? 0);
  }
  return target > 0n ? Number((actual * 100n) / target) : null;
}

/**
 * When the workspace has any target, set every rep's `targetPercent` for the board's period (null for a rep no
 * target applies to); otherwise leave the board as it is (no column). Targets are prorated to the board's period in
 * the board's time zone, from each rep's users.joined_at. Two small queries: the workspace's targets, the reps' join dates
 * (and a third, the reps' sales teams, when a team target exists).
 */
export async function attachTargetPercents(db: Db, board: Board, settings: BoardTargetSettings): Promise<Board> {
  if (board.reps.length === 0) return board;
  const rows = await db.select().from(targets).where(eq(targets.teamId, board.teamId));
  if (rows.length === 0) return board;

  const ids = board.reps.map((r) => r.userId);
  const joined = await db
    .select({ userId: users.userId, joinedAt: users.joinedAt })
    .from(users)
    .where(and(eq(users.teamId, board.teamId), inArray(users.userId, ids)));
  const joinedAt = new Map(joined.map((j) => [j.userId, j.joinedAt]));
  const periodSettings: PeriodSettings = {
    timeZone: board.period.timeZone,
    weekStartsOn: settings.weekStartsOn as PeriodSettings['weekStartsOn'],
    fiscalYearStartMonth: settings.fiscalYearStartMonth,
  };
  // The board's period cut into weeks / months / quarters once per period kind, not per rep.
  const pieces = new Map<TargetPeriod, SpanPiece[]>();
  const piecesOf = (period: TargetPeriod) => {
    let p = pieces.get(period);
    if (!p) {
      p = spanPieces(period, board.period.current, periodSettings);
      pieces.set(period, p);
    }
    return p;
  };
  // Team targets apply to the teams' members: the reps' memberships, only when some team target exists.
  const teamsOf = new Map<string, string[]>();
  if (rows.some((r) => salesTeamIdOfKey(r.userKey) !== undefined)) {
    const memberships = await db
      .select({ userId: salesTeamMembers.userId, salesTeamId: salesTeamMembers.salesTeamId })
      .from(salesTeamMembers)
      .where(and(eq(salesTeamMembers.teamId, board.teamId), eq(salesTeamMembers.role, 'member'), inArray(salesTeamMembers.userId, ids)));
    for (const m of memberships) teamsOf.set(m.userId, [...(teamsOf.get(m.userId) ?? []), m.salesTeamId]);
  }
  const relevant = new Set([EVERYONE, ...ids]);
  const byRep = rows.filter((r) => relevant.has(r.userKey) || salesTeamIdOfKey(r.userKey) !== undefined);
  for (const rep of board.reps) {
    const effective = resolveEffective(byRep, rep.userId, teamsOf.get(rep.userId) ?? []);
    const joined = joinedAt.get(rep.userId);
    const fromDay = joined ? localDayNumber(joined, periodSettings.timeZone) : null;
    rep.targetPercent = effective.length === 0 ? null : targetPercentFor(rep, effective, (row) => prorateOverPieces(row.amount, piecesOf(row.period), fromDay));
  }
  return board;
}

import type { Db } from '../../db/client.js';
import { loadEffortMedians } from '../../metrics/index.js';
import type { Board } from './types.js';

/**
 * Set each rep's `effort` (median activities and days per won deal in the board's period, metrics/effort.ts): one
 * query for the whole board, whatever the number of reps. Reps with no won deal that has an effort get none.
 */
export async function attachEffort(db: Db, board: Board): Promise<Board> {
  if (board.reps.length === 0 || board.team.won === 0) return board;
  const medians = await loadEffortMedians(db, { teamId: board.teamId, span: board.period.current, salesTeamId: board.salesTeam?.id });
  if (medians.size === 0) return board;
  return {
    ...board,
    reps: board.reps.map((rep) => {
      const m = medians.get(rep.userId);
      return m ? { ...rep, effort: { activities: m.activities, days: m.days, deals: m.deals } } : rep;
    }),
  };
}

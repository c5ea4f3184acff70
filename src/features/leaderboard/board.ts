import { and, eq, inArray } from 'drizzle-orm';
import type { webApi } from '@slack/bolt';
import { users } from '../../db/schema/index.js';
import { conversionStagesOf } from '../../metrics/index.js';
import type { Deps } from '../../deps.js';
import { getSlackUser } from '../../slack/user-directory.js';
import { ensureWorkspace } from '../../slack/workspace.js';
import { loadActivityTypes } from '../logging/index.js';
import { attachTargetPercents } from './board-targets.js';
import { attachEffort } from './board-effort.js';
import { renderBoardChart } from './chart.js';
import { computeBoard } from './compute.js';
import { funnelChartData } from './conversion.js';
import { drawFunnelChart } from './funnel-chart.js';
import { releaseNativeMemory } from '../../lib/native-memory.js';
import { boardInsights } from './insights.js';
import { boardCsv, renderBoard, TOP_REPS_SHOWN } from './render.blocks.js';
import type { Board, BoardPeriod } from './types.js';

/** Names missing from the users cache are fetched from Slack, at most this many per board (the rest show their id). */
const MAX_NAME_LOOKUPS = 50;

/** Display names for a board: the users cache first, then users.info for the few it has not seen. */
async function displayNames(deps: Deps, client: webApi.WebClient, teamId: string, userIds: string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  if (userIds.length === 0) return names;
  const rows = await deps.db
    .select({ userId: users.userId, displayName: users.displayName })
    .from(users)
    .where(and(eq(users.teamId, teamId), inArray(users.userId, userIds)));
  for (const r of rows) names.set(r.userId, r.displayName);
  const missing = userIds.filter((id) => !names.has(id)).slice(0, MAX_NAME_LOOKUPS);
  for (const id of missing) {
    const u = await getSlackUser(deps, client, teamId, id);
    names.set(id, u.displayName);
  }
  return names;
}

/**
 * Compute a board for a workspace and period (numbers in SQL, names from the users cache); with `salesTeam`, that
 * sales team's board: its members only, ranked within the team, the team's medians.
 */
export async function loadBoard(
  deps: Deps,
  client: webApi.WebClient,
  input: { teamId: string; period: BoardPeriod; salesTeam?: { id: string; name: string } },
): Promise<Board> {
  const workspace = await ensureWorkspace(deps.db, input.teamId);
  const types = await loadActivityTypes(deps.db, input.teamId);
  const board = await computeBoard(deps.db, {
    teamId: input.teamId,
    period: input.period,
    currency: workspace.currency,
    types,
    salesTeam: input.salesTeam,
    conversionStages: conversionStagesOf(workspace.conversionStages),
    names: (ids) => displayNames(deps, client, input.teamId, ids),
  });
  // "% of target" per rep, only when the workspace has targets; the effort behind each rep's wins.
  return attachEffort(deps.db, await attachTargetPercents(deps.db, board, workspace));
}

/**
 * Post the board message itself. Errors propagate: the caller decides what a failure means. A scheduled board
 * passes a posting client (slack/posting-client.ts), so no client retry can post it twice.
 */
export async function postBoardMessage(client: webApi.WebClient, input: { channel: string; board: Board; threadExtras: boolean }): Promise<{ ts: string }> {
  const { channel, board } = input;
  const message = renderBoard(board, { insights: boardInsights(board), csvInThread: input.threadExtras });
  const res = await client.chat.postMessage({ channel, text: message.text, blocks: message.blocks, unfurl_links: false, unfurl_media: false });
  if (!res.ts) throw new Error('chat.postMessage returned no ts');
  return { ts: res.ts };
}

/**
 * The chart, the conversion funnel chart and, for big teams, the full CSV, uploaded into the board's thread. Failures are only logged:
 * they never block or undo the post, and are not retried (with a posting client, an upload Slack took but
 * answered late is not uploaded twice).
 */
export async function uploadThreadExtras(deps: Deps, client: webApi.WebClient, input: { channel: string; board: Board; ts: string }): Promise<void> {
  const { channel, board, ts } = input;
  if (board.reps.length > TOP_REPS_SHOWN) {
    try {
      await client.files.uploadV2({
        channel_id: channel,
        thread_ts: ts,
        file: Buffer.from(boardCsv(board), 'utf8'),
        filename: 'leaderboard.csv',
        title: `All ${board.reps.length} reps, ${board.period.current.label}`,
      });
    } catch (error) {
      deps.logger.warn({ err: error, channel }, 'could not upload the leaderboard CSV');
    }
  }
  try {
    const png = await renderBoardChart(board);
    // A chart's native buffers are let go before the next is drawn: a thousand boards in a row stay flat in memory.
    await releaseNativeMemory();
    await client.files.uploadV2({
      channel_id: channel,
      thread_ts: ts,
      file: png,
      filename: 'leaderboard.png',
      title: `Activity vs revenue, ${board.period.current.label}`,
    });
  } catch (error) {
    deps.logger.warn({ err: error, channel }, 'could not render or upload the leaderboard chart');
  }
  // The conversion funnel, the team beside the median rep, after the scatter chart (none without funnel data).
  const funnel = funnelChartData(board);
  if (funnel) {
    try {
      const png = await drawFunnelChart(funnel);
      await releaseNativeMemory();
      await client.files.uploadV2({ channel_id: channel, thread_ts: ts, file: png, filename: 'funnel.png', title: funnel.title });
    } catch (error) {
      deps.logger.warn({ err: error, channel }, 'could not render or upload the funnel chart');
    }
  }
}

/** Post a board to a channel, then (with threadExtras) its chart and CSV in the thread. */
export async function publishBoard(
  deps: Deps,
  client: webApi.WebClient,
  input: { channel: string; board: Board; threadExtras: boolean },
): Promise<{ ts: string }> {
  const { ts } = await postBoardMessage(client, input);
  if (input.threadExtras) await uploadThreadExtras(deps, client, { channel: input.channel, board: input.board, ts });
  return { ts };
}

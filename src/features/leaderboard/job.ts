/**
 * Scheduled leaderboards: on each scheduler tick, post every schedule's board whose latest slot is due and
 * has not been run by anyone, exactly once across replicas and restarts. The lifecycle (grace window, claim,
 * lease, retries, the "certainly not sent" rule, completion) is the delivery protocol's, see
 * src/scheduler/deliveries.ts; this file says what is due, how to build a board and how to post it.
 *
 * - Due: each schedule's latest slot at `now` (schedule.ts). Slots before the schedule was set (or last
 *   changed) are not due. Only the latest slot counts: after a long outage, older missed slots are superseded.
 *   The run key is `leaderboard:<schedule id>:<slot ISO>`.
 * - Build: the board for the last complete period before the slot (the schedule's zone, the workspace's week
 *   start and fiscal year); for a team's schedule (sales_team_id), that team's board, ranked within the team.
 * - Send: the board message in the schedule's channel, through the posting client (retries off, 429s surfacing:
 *   slack/posting-client.ts), so a board is never posted twice by a client retry after Slack posted and answered
 *   late or with a 5xx. What is tried again is the protocol's decision: a 429 after its Retry-After, a connection
 *   never made at a later tick; anything else fails the run with the reason.
 * - After: the chart (and CSV for big teams) in the message's thread, once the run is recorded, so the window
 *   in which a killed process leaves a claim that is taken over and posted again is one database write.
 * - Platform errors that will not fix themselves (bot not in the channel, archived, token or scope problems):
 *   the run is failed with the reason and the admin who set the schedule gets a DM saying what to do. No
 *   retries, so no storm: at most one DM per slot.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { webApi } from '@slack/bolt';
import { leaderboardSchedules, salesTeams, workspaces } from '../../db/schema/index.js';
import type { Deps } from '../../deps.js';
import { lastCompletePeriod, type PeriodSettings } from '../../periods/parse-period.js';
import { defineDeliveryJob, type DueRun } from '../../scheduler/deliveries.js';
import type { ScheduledJob } from '../../scheduler/scheduler.js';
import { sendDirectMessage } from '../../slack/deliver.js';
import { loadBoard, postBoardMessage, uploadThreadExtras } from './board.js';
import { cadenceLabel, formatSlot, latestSlot, nextSlot } from './schedule.js';
import type { Board } from './types.js';

export const LEADERBOARD_JOB = 'leaderboard';
/**
 * Boards worked on at once per process, all workspaces together (the fan-out of src/scheduler/fan-out.ts): a board is
 * mostly waiting on the database and Slack, so sixteen keep one process busy without holding much memory each.
 */
export const DEFAULT_CONCURRENCY = 16;
/** Boards of one workspace at once per process: its channels share the workspace's caps, more only buys 429s. */
export const DEFAULT_PER_WORKSPACE = 4;

export interface LeaderboardJobOptions {
  /** The Web API client for a workspace's reads (users.info): its installation's token (slack/clients.ts). */
  clientFor: (teamId: string) => Promise<webApi.WebClient>;
  /** The client for a workspace's posts (the board, its chart, the admin's DM): retries off (slack/posting-client.ts). */
  postingClientFor: (teamId: string) => Promise<webApi.WebClient>;
  /** Recorded as claimed_by. */
  claimedBy: string;
  graceMs?: number;
  leaseMs?: number;
  /** Boards at once per process, all workspaces together (default DEFAULT_CONCURRENCY). */
  concurrency?: number;
  /** Boards of one workspace at once per process (default DEFAULT_PER_WORKSPACE). */
  perWorkspace?: number;
}

export type ScheduleRow = typeof leaderboardSchedules.$inferSelect & {
  weekStartsOn: number;
  fiscalYearStartMonth: number;
  /** The sales team's name for a team schedule (null for the workspace's, or when the team is gone). */
  salesTeamName: string | null;
};

export function leaderboardRunKey(scheduleId: string, slot: Date): string {
  return `${LEADERBOARD_JOB}:${scheduleId}:${slot.toISOString()}`;
}

/** Platform errors a retry cannot fix: a person has to act. Each maps to what the admin is told. */
const PERMANENT_ERRORS: Record<string, (channel: string) => string> = {
  not_in_channel: (c) => `I'm not a member of ${c}. Type \`/invite @Sales Pulse\` in ${c} so I can post there.`,
  channel_not_found: (c) =>
    `I can't find ${c}: it may have been deleted, or it is a private channel I was removed from. Type \`/invite @Sales Pulse\` in it, or move the leaderboard with \`/sales-admin leaderboard #other-channel\`.`,
  is_archived: (c) => `${c} is archived. Unarchive it, or move the leaderboard with \`/sales-admin leaderboard #other-channel\`.`,
  restricted_action: (c) => `Posting in ${c} is restricted (only some members may post there). Allow apps to post, or move the leaderboard to another channel.`,
  restricted_action_read_only_channel: (c) => `${c} is read-only for me. Allow apps to post there, or move the leaderboard to another channel.`,
  restricted_action_thread_only_channel: (c) => `${c} only allows replies in threads. Move the leaderboard to another channel.`,
  team_not_found: () => 'Slack no longer knows this workspace for Sales Pulse. Ask whoever runs Sales Pulse to reinstall the app.',
  missing_scope: () => 'The Sales Pulse app is missing a permission it needs to post. Ask whoever runs Sales Pulse to reinstall the app from its manifest.',
  invalid_auth: () => 'Slack refused the Sales Pulse token. Ask whoever runs Sales Pulse to reinstall the app and update its token.',
  not_authed: () => 'Slack refused the Sales Pulse token. Ask whoever runs Sales Pulse to reinstall the app and update its token.',
  account_inactive: () => 'The Sales Pulse app was deactivated or uninstalled. Ask whoever runs Sales Pulse to reinstall it.',
  token_revoked: () => 'The Sales Pulse token was revoked. Ask whoever runs Sales Pulse to reinstall the app and update its token.',
  token_expired: () => 'The Sales Pulse token expired. Ask whoever runs Sales Pulse to reinstall the app and update its token.',
  no_permission: () => 'Sales Pulse is not allowed to post there. Ask whoever runs Sales Pulse to check the app’s permissions.',
  ekm_access_denied: () => 'Your workspace administrators have suspended Sales Pulse’s access (EKM). Ask them to restore it.',
};

/** The DM to the admin who set a schedule whose run failed for good. */
export function failureDm(schedule: ScheduleRow, code: string, slot: Date, now: Date): string {
  const channel = `<#${schedule.channelId}>`;
  const what = PERMANENT_ERRORS[code]?.(channel) ?? `Slack answered \`${code}\`.`;
  const next = formatSlot(nextSlot(schedule, now), schedule.timeZone);
  return [
    `:warning: I couldn't post the ${cadenceLabel(schedule.cadence).toLowerCase()} leaderboard in ${channel} (scheduled ${formatSlot(slot, schedule.timeZone)}; Slack said \`${code}\`).`,
    what,
    `The next one is due ${next}. To stop them, run \`/sales-admin leaderboard #channel off\` naming ${channel}.`,
  ].join('\n');
}

/** Every schedule, all workspaces, with the workspace settings its boards need and, for a team's board, the team's name. */
export async function loadAllSchedules(deps: Pick<Deps, 'db'>): Promise<ScheduleRow[]> {
  const rows = await deps.db
    .select({
      schedule: leaderboardSchedules,
      weekStartsOn: workspaces.weekStartsOn,
      fiscalYearStartMonth: workspaces.fiscalYearStartMonth,
      salesTeamName: salesTeams.name,
    })
    .from(leaderboardSchedules)
    // An uninstalled workspace's boards stop at once (features/install/lifecycle.ts); they resume on reinstall.
    .innerJoin(workspaces, and(eq(workspaces.teamId, leaderboardSchedules.teamId), isNull(workspaces.uninstalledAt)))
    .leftJoin(salesTeams, and(eq(salesTeams.id, leaderboardSchedules.salesTeamId), eq(salesTeams.teamId, leaderboardSchedules.teamId)));
  return rows.map((r) => ({ ...r.schedule, weekStartsOn: r.weekStartsOn, fiscalYearStartMonth: r.fiscalYearStartMonth, salesTeamName: r.salesTeamName }));
}

interface DueBoard extends DueRun {
  schedule: ScheduleRow;
}

interface BuiltBoard {
  /** The posting client. */
  client: webApi.WebClient;
  board: Board;
}

/** Posted boards whose thread waits at most (each holds its board in memory); past it, posting waits for a chart. */
export const MAX_WAITING_THREADS = 50;

/**
 * A scheduled board as the one delivery protocol runs it, with its thread (the chart, and the CSV of every rep on a
 * long board) added after the board, one thread at a time. Drawing a chart is CPU work on the event loop (about a
 * tenth of a second at 20 reps, much more on a loaded machine), ten times a board's queries: at a Monday fan-out of a
 * thousand workspaces, drawing each board's chart before the next board goes out would hold every later board back
 * by all the charts before it. So boards go out first and threads follow; but each waiting thread holds its board,
 * so at most MAX_WAITING_THREADS wait: past that, posting waits while the oldest is drawn, which keeps memory bounded
 * however many boards are due. The board is the delivery and is recorded done when posted; its thread is added
 * within the same tick (so the tick, the CLI's run-due and a stop wait for it as before). At shutdown, threads not
 * yet added are dropped with a warning: their boards are posted.
 */
export function createLeaderboardJob(options: LeaderboardJobOptions): ScheduledJob {
  const threads: { log: Deps['logger']; add: () => Promise<void> }[] = [];
  let stopping = false;
  // One thread drawn at a time, whoever asks (a board past the bound, the end of the tick).
  let drawing: Promise<void> = Promise.resolve();
  const drawOldest = async (): Promise<void> => {
    const next = threads.shift();
    if (!next) return;
    if (stopping) {
      next.log.warn('shutting down: the thread of a posted leaderboard (its chart) is not added');
      return;
    }
    try {
      await next.add();
    } catch (error) {
      next.log.warn({ err: error }, 'the scheduled leaderboard was posted, but its thread (the chart) failed');
    }
    // (uploadThreadExtras lets each chart's native buffers go before the next is drawn.)
  };
  const drawWhile = async (more: () => boolean): Promise<void> => {
    while (more()) {
      drawing = drawing.then(drawOldest);
      await drawing;
    }
  };
  const job = defineDeliveryJob<DueBoard, BuiltBoard, Deps, { messageTs: string }>({
    name: LEADERBOARD_JOB,
    noun: 'scheduled leaderboard',
    verb: 'posted',
    claimedBy: options.claimedBy,
    graceMs: options.graceMs,
    leaseMs: options.leaseMs,
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    perWorkspace: options.perWorkspace ?? DEFAULT_PER_WORKSPACE,
    sendMethod: 'chat.postMessage',
    permanentErrors: new Set(Object.keys(PERMANENT_ERRORS)),

    async listDue(deps, now) {
      const due: DueBoard[] = [];
      for (const schedule of await loadAllSchedules(deps)) {
        let slot: Date;
        try {
          slot = latestSlot(schedule, now);
        } catch (error) {
          deps.logger.error({ err: error, scheduleId: schedule.id }, 'leaderboard schedule has invalid timing; ignoring it');
          continue;
        }
        // Set (or changed) after this slot: its first slot is a later one.
        if (slot.getTime() < schedule.updatedAt.getTime()) continue;
        // A team's board whose team was deleted: nothing to rank (never the whole workspace in the team's channel).
        if (schedule.salesTeamId !== null && schedule.salesTeamName === null) {
          deps.logger.warn({ scheduleId: schedule.id, salesTeamId: schedule.salesTeamId }, 'scheduled team leaderboard has no team any more; skipping it');
          continue;
        }
        due.push({ runKey: leaderboardRunKey(schedule.id, slot), teamId: schedule.teamId, slotAt: slot, schedule });
      }
      return due;
    },
    describe: ({ schedule }) => `<#${schedule.channelId}> (${schedule.teamId})`,
    logFields: ({ schedule }) => ({ channel: schedule.channelId }),

    async build({ schedule, slotAt }, { deps }) {
      const settings: PeriodSettings = {
        timeZone: schedule.timeZone,
        weekStartsOn: schedule.weekStartsOn as PeriodSettings['weekStartsOn'],
        fiscalYearStartMonth: schedule.fiscalYearStartMonth,
      };
      const period = lastCompletePeriod(schedule.cadence, slotAt, settings);
      const salesTeam = schedule.salesTeamId !== null && schedule.salesTeamName !== null ? { id: schedule.salesTeamId, name: schedule.salesTeamName } : undefined;
      const board = await loadBoard(deps, await options.clientFor(schedule.teamId), { teamId: schedule.teamId, period, salesTeam });
      return { client: await options.postingClientFor(schedule.teamId), board };
    },
    async send({ schedule }, { client, board }) {
      const { ts } = await postBoardMessage(client, { channel: schedule.channelId, board, threadExtras: true });
      return { messageTs: ts };
    },
    // The chart and CSV in the thread, after the board (see above: at most MAX_WAITING_THREADS wait); failures are logged,
    // never undo the post.
    async afterSend({ schedule }, { client, board }, { messageTs }, { deps, log }) {
      threads.push({ log, add: () => uploadThreadExtras(deps, client, { channel: schedule.channelId, board, ts: messageTs }) });
      await drawWhile(() => threads.length > MAX_WAITING_THREADS);
    },
    // A person has to act: tell the admin who set the schedule what to do.
    async onPermanentFailure({ schedule, slotAt }, { code }, { deps }) {
      await sendDirectMessage(await options.postingClientFor(schedule.teamId), schedule.createdBy, { text: failureDm(schedule, code, slotAt, deps.clock.now()) });
    },
  });
  return {
    ...job,
    async runDue(deps, now, signal) {
      const outcomes = await job.runDue(deps, now, signal);
      await drawWhile(() => threads.length > 0);
      return outcomes;
    },
    async abandon() {
      stopping = true;
      await job.abandon?.();
    },
  };
}

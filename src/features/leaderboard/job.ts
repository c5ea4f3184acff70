/**
 * Scheduled leaderboards: on each scheduler tick, post every schedule's board whose latest slot is due and
 * has not been run by anyone, exactly once across replicas and restarts.
 *
 * For each schedule (all workspaces):
 * 1. Its latest slot at `now` (schedule.ts). Slots before the schedule was set (or last changed) are not due.
 *    Only the latest slot counts: after a long outage, older missed slots are superseded by it.
 * 2. Slot older than the grace window (default 24 h) and never run: recorded once as `skipped` and logged.
 * 3. Otherwise claim `leaderboard:<schedule id>:<slot ISO>` (runs.ts). Only the claimant goes on.
 * 4. Build the board for the last complete period before the slot (the schedule's zone, the workspace's week
 *    start and fiscal year), post it with the chart (and CSV for big teams) in its thread, complete the run
 *    with the message ts.
 *
 * Failures:
 * - Before anything was sent (loading the board): the claim is given back for a later tick (1, then 5
 *   minutes), at most MAX_ATTEMPTS times; then the run is failed. Nothing can be duplicated there.
 * - Slack 429 and 5xx / network errors while posting are retried by the job's WebClient with backoff
 *   (buildScheduler in app.ts gives it a bounded retryConfig; 429 waits Retry-After).
 *   If the client gives up on a 429 or on a connection that was never made (Slack unreachable), nothing was
 *   posted: the claim is given back and a later tick (a minute on) tries again, until the slot leaves the
 *   grace window. A board is delayed by rate limits or an outage, never dropped for them.
 *   If it gives up on 5xx, resets or timeouts, the run is FAILED and logged, not retried by later ticks:
 *   then we cannot know whether Slack posted, and a missed board (visible in scheduled_runs and the logs)
 *   is better than a double.
 * - Platform errors that will not fix themselves (bot not in the channel, archived, token or scope problems):
 *   the run is failed with the reason and the admin who set the schedule gets a DM saying what to do. No
 *   retries, so no storm: at most one DM per slot.
 * - Any other platform error (a bug on our side, e.g. invalid_blocks): failed and logged as an error.
 * - The post worked but recording it failed (database down): retried for half the lease; if the database is
 *   still away, the lease later expires and another process posts again (the at-least-once case of runs.ts).
 *
 * While a run works its claim's lease is renewed (keepClaimAlive), so only a process that died loses it.
 * The run is completed right after the message is posted, before the chart and CSV go into its thread, so
 * the window in which a killed process leaves a claim that is taken over and posted again is one database write.
 */
import { eq } from 'drizzle-orm';
import type { webApi } from '@slack/bolt';
import { leaderboardSchedules, workspaces } from '../../db/schema/index.js';
import type { Deps } from '../../deps.js';
import { lastCompletePeriod, type PeriodSettings } from '../../periods/parse-period.js';
import { claimRun, completeRunPersistently, failRun, findRuns, isClaimable, keepClaimAlive, releaseRun, skipRun } from '../../scheduler/runs.js';
import type { RunOutcome, ScheduledJob } from '../../scheduler/scheduler.js';
import { sendDirectMessage } from '../../slack/deliver.js';
import { loadBoard, postBoardMessage, uploadThreadExtras } from './board.js';
import { certainlyNotSent, describeFailure, platformCode } from '../../slack/web-api-errors.js';
import { cadenceLabel, formatSlot, latestSlot, nextSlot } from './schedule.js';

export const LEADERBOARD_JOB = 'leaderboard';
export const DEFAULT_GRACE_MS = 24 * 60 * 60 * 1000;
/**
 * How long a claim stays valid without renewal. The running process renews it every third of this, so it
 * only bounds how soon a run whose process died is taken over.
 */
export const DEFAULT_LEASE_MS = 10 * 60 * 1000;
/** Schedules worked on at once per process: different channels, well under Slack's workspace-wide caps. */
export const DEFAULT_CONCURRENCY = 4;
/** Claims of one run before a pre-post failure becomes final. */
export const MAX_ATTEMPTS = 3;
const RETRY_DELAYS_MS = [60_000, 5 * 60_000];
/** After the client gave up on a post Slack certainly did not make (rate limits, unreachable): retry from this much later. */
const NOT_SENT_RETRY_MS = 60_000;

export interface LeaderboardJobOptions {
  /** The Web API client for a workspace (one bot token today; per-install clients later). */
  clientFor: (teamId: string) => webApi.WebClient;
  /** Recorded as claimed_by. */
  claimedBy: string;
  graceMs?: number;
  leaseMs?: number;
  concurrency?: number;
}

export type ScheduleRow = typeof leaderboardSchedules.$inferSelect & { weekStartsOn: number; fiscalYearStartMonth: number };

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

export function isPermanentSlackError(code: string | undefined): boolean {
  return code !== undefined && Object.prototype.hasOwnProperty.call(PERMANENT_ERRORS, code);
}

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


/** Run `work` over `items`, at most `limit` at a time; stops taking new items once `signal` aborts. */
async function eachLimited<T>(items: T[], limit: number, signal: AbortSignal | undefined, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !signal?.aborted) {
      const item = items[next++]!;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

/** Every schedule, all workspaces, with the workspace settings its boards need. */
export async function loadAllSchedules(deps: Pick<Deps, 'db'>): Promise<ScheduleRow[]> {
  const rows = await deps.db
    .select({ schedule: leaderboardSchedules, weekStartsOn: workspaces.weekStartsOn, fiscalYearStartMonth: workspaces.fiscalYearStartMonth })
    .from(leaderboardSchedules)
    .innerJoin(workspaces, eq(workspaces.teamId, leaderboardSchedules.teamId));
  return rows.map((r) => ({ ...r.schedule, weekStartsOn: r.weekStartsOn, fiscalYearStartMonth: r.fiscalYearStartMonth }));
}

export function createLeaderboardJob(options: LeaderboardJobOptions): ScheduledJob {
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;

  async function runOne(deps: Deps, schedule: ScheduleRow, slot: Date, runKey: string, attempt: number): Promise<RunOutcome> {
    const log = deps.logger.child({ job: LEADERBOARD_JOB, runKey, teamId: schedule.teamId, channel: schedule.channelId });
    const base = { job: LEADERBOARD_JOB, runKey, teamId: schedule.teamId, slotAt: slot };
    const where = `<#${schedule.channelId}> (${schedule.teamId})`;
    const client = options.clientFor(schedule.teamId);

    // 1. The board. Nothing has been sent yet, so a failure here can safely be retried later.
    let board;
    try {
      const settings: PeriodSettings = {
        timeZone: schedule.timeZone,
        weekStartsOn: schedule.weekStartsOn as PeriodSettings['weekStartsOn'],
        fiscalYearStartMonth: schedule.fiscalYearStartMonth,
      };
      board = await loadBoard(deps, client, { teamId: schedule.teamId, period: lastCompletePeriod(schedule.cadence, slot, settings) });
    } catch (error) {
      const reason = describeFailure(error);
      const now = deps.clock.now();
      if (attempt < MAX_ATTEMPTS) {
        const retryAt = new Date(now.getTime() + RETRY_DELAYS_MS[Math.min(attempt - 1, RETRY_DELAYS_MS.length - 1)]!);
        log.warn({ err: error, attempt, retryAt }, 'could not build the scheduled leaderboard; will retry');
        await releaseRun(deps.db, runKey, { error: `attempt ${attempt}: ${reason}`, retryAt }).catch((e: unknown) => log.error({ err: e }, 'could not release the run'));
        return { ...base, status: 'retry', detail: `${where}: ${reason}; retrying after ${retryAt.toISOString()}`, error: reason };
      }
      log.error({ err: error, attempt }, 'could not build the scheduled leaderboard; giving up on this slot');
      await failRun(deps.db, runKey, { error: reason, now }).catch((e: unknown) => log.error({ err: e }, 'could not record the failed run'));
      return { ...base, status: 'failed', detail: `${where}: ${reason}`, error: reason };
    }

    // 2. The post. From here on a failure is final for this slot (see the header).
    let ts: string;
    try {
      ({ ts } = await postBoardMessage(client, { channel: schedule.channelId, board, threadExtras: true }));
    } catch (error) {
      const reason = describeFailure(error);
      const code = platformCode(error);
      const now = deps.clock.now();
      if (certainlyNotSent(error)) {
        const retryAt = new Date(now.getTime() + NOT_SENT_RETRY_MS);
        log.warn({ retryAt, reason }, 'Slack refused or could not be reached before anything was posted; a later tick tries again');
        await releaseRun(deps.db, runKey, { error: reason, retryAt }).catch((e: unknown) => log.error({ err: e }, 'could not release the run'));
        return { ...base, status: 'retry', detail: `${where}: ${reason}; retrying after ${retryAt.toISOString()}`, error: reason };
      }
      await failRun(deps.db, runKey, { error: reason, now }).catch((e: unknown) => log.error({ err: e }, 'could not record the failed run'));
      if (isPermanentSlackError(code)) {
        log.warn({ code }, 'scheduled leaderboard failed for good; telling the admin who set it');
        try {
          await sendDirectMessage(client, schedule.createdBy, { text: failureDm(schedule, code!, slot, now) });
        } catch (dmError) {
          log.warn({ err: dmError, user: schedule.createdBy }, 'could not DM the admin about the failed leaderboard');
        }
      } else {
        log.error({ err: error, reason }, 'scheduled leaderboard could not be posted; this slot is not retried');
      }
      return { ...base, status: 'failed', detail: `${where}: ${reason}`, error: reason };
    }

    // 3. Record it. Retried hard: a run left `running` would be posted again once its lease expires.
    const recorded = await completeRunPersistently(deps.db, runKey, { messageTs: ts, clock: deps.clock, withinMs: leaseMs / 2 });
    if (!recorded) log.error({ ts }, 'posted the leaderboard but could not record it; it may be posted again when the claim expires');

    // 4. The chart and CSV in the thread; their failures are logged, never undo the post.
    await uploadThreadExtras(deps, client, { channel: schedule.channelId, board, ts });
    log.info({ ts, slot: slot.toISOString() }, 'posted the scheduled leaderboard');
    return { ...base, status: 'done', detail: `${where}: posted (ts ${ts})`, messageTs: ts };
  }

  return {
    name: LEADERBOARD_JOB,
    async runDue(deps: Deps, now: Date, signal?: AbortSignal): Promise<RunOutcome[]> {
      const schedules = await loadAllSchedules(deps);
      const due: { schedule: ScheduleRow; slot: Date; runKey: string }[] = [];
      for (const schedule of schedules) {
        let slot: Date;
        try {
          slot = latestSlot(schedule, now);
        } catch (error) {
          deps.logger.error({ err: error, scheduleId: schedule.id }, 'leaderboard schedule has invalid timing; ignoring it');
          continue;
        }
        // Set (or changed) after this slot: its first slot is a later one.
        if (slot.getTime() < schedule.updatedAt.getTime()) continue;
        due.push({ schedule, slot, runKey: leaderboardRunKey(schedule.id, slot) });
      }
      const existing = await findRuns(deps.db, due.map((d) => d.runKey));
      const outcomes: RunOutcome[] = [];

      await eachLimited(due, concurrency, signal, async ({ schedule, slot, runKey }) => {
        const row = existing.get(runKey);
        const wall = deps.clock.now();
        if (!isClaimable(row, wall)) return;
        try {
          if (now.getTime() - slot.getTime() > graceMs) {
            if (row) {
              // A claim given back (or left by a dead process) and now too old to post: close it, once.
              const reason = `not posted within the grace window${row.error ? ` (last: ${row.error})` : ''}`;
              if (await claimRun(deps.db, { runKey, job: LEADERBOARD_JOB, teamId: schedule.teamId, slotAt: slot, claimedBy: options.claimedBy, leaseMs, now: wall })) {
                await failRun(deps.db, runKey, { error: reason, now: wall });
                deps.logger.warn({ job: LEADERBOARD_JOB, runKey, teamId: schedule.teamId, channel: schedule.channelId, reason }, 'scheduled leaderboard given up');
                outcomes.push({ job: LEADERBOARD_JOB, runKey, teamId: schedule.teamId, slotAt: slot, status: 'failed', detail: `<#${schedule.channelId}> (${schedule.teamId}): ${reason}`, error: reason });
              }
              return;
            }
            const recorded = await skipRun(deps.db, {
              runKey,
              job: LEADERBOARD_JOB,
              teamId: schedule.teamId,
              slotAt: slot,
              reason: `missed: slot older than the ${Math.round(graceMs / 3_600_000)} h grace window at ${now.toISOString()}`,
              claimedBy: options.claimedBy,
              now: wall,
            });
            if (recorded) {
              deps.logger.warn(
                { job: LEADERBOARD_JOB, runKey, teamId: schedule.teamId, channel: schedule.channelId, slot: slot.toISOString(), now: now.toISOString(), graceMs },
                'scheduled leaderboard missed and skipped: its slot is older than the grace window',
              );
              outcomes.push({
                job: LEADERBOARD_JOB,
                runKey,
                teamId: schedule.teamId,
                slotAt: slot,
                status: 'skipped',
                detail: `<#${schedule.channelId}> (${schedule.teamId}): slot ${slot.toISOString()} is older than the grace window`,
              });
            }
            return;
          }
          const claimed = await claimRun(deps.db, {
            runKey,
            job: LEADERBOARD_JOB,
            teamId: schedule.teamId,
            slotAt: slot,
            claimedBy: options.claimedBy,
            leaseMs,
            now: wall,
          });
          if (!claimed) return; // another process has it (or just finished it)
          if (row) deps.logger.warn({ job: LEADERBOARD_JOB, runKey, attempts: row.attempts + 1, lastError: row.error }, 'took over a scheduled run whose claim had expired');
          const stopRenewing = keepClaimAlive(deps.db, runKey, {
            claimedBy: options.claimedBy,
            leaseMs,
            now: () => deps.clock.now(),
            onLost: () => deps.logger.error({ job: LEADERBOARD_JOB, runKey }, 'lost the claim of a run still in progress (this process stalled past its lease)'),
            onError: (error) => deps.logger.warn({ err: error, job: LEADERBOARD_JOB, runKey }, 'could not renew the claim of a run in progress'),
          });
          try {
            outcomes.push(await runOne(deps, schedule, slot, runKey, (row?.attempts ?? 0) + 1));
          } finally {
            stopRenewing();
          }
        } catch (error) {
          // A database error around the claim: nothing was posted; the next tick looks again.
          deps.logger.error({ err: error, job: LEADERBOARD_JOB, runKey }, 'scheduled leaderboard run failed before posting');
        }
      });
      return outcomes;
    },
  };
}

/**
 * The one delivery protocol: how every scheduled job turns "this is due" into "this was sent, exactly once".
 *
 * A job says three things (a `DeliveryJob`): what is due at a tick (`listDue`), how to build one delivery
 * (`build`) and how to send it (`send`). Everything else happens here, the same way for every job:
 *
 * 1. Every tick: the job lists what is due; the run rows of those keys are read in one go (runs.ts); only keys
 *    without a row, or with a running claim whose lease has passed, are looked at: workspaces in parallel and
 *    round-robin by team, each team's oldest slot first (fan-out.ts), at most `concurrency` at a time in all and
 *    `perWorkspace` of one workspace, at most `maxPerTick` started per tick (the rest are due at the next tick).
 *    Once `signal` aborts (shutdown) nothing new is started or claimed; work already claimed finishes, unless
 *    the stop runs out of time first (9).
 * 2. A slot older than the grace window (24 h): never run, it is recorded once as `skipped` and logged; a
 *    claim given back (or left by a dead process) that is now too old is claimed and failed once, with its
 *    last error. Neither is ever sent.
 * 3. The job's optional `ready` check (before claiming, e.g. a refreshed profile): 'go', 'later' (not due at
 *    this tick after all: nothing recorded) or `{ skip: reason }` (recorded once as `skipped`).
 * 4. Claim the run key (INSERT … ON CONFLICT: of any number of processes exactly one goes on), then keep the
 *    claim alive (its lease renewed every third of it) for as long as the run works.
 * 5. `build`: everything before the one call that delivers. It may call Slack methods that post nothing
 *    (users.info, conversations.open), so a failure here sent nothing and is retried: the claim is given back
 *    for a later tick (RETRY_DELAYS_MS: 1, then 5 minutes), at most MAX_ATTEMPTS claims, then failed.
 * 6. `send`: the call that delivers, made through a posting client (src/slack/posting-client.ts: retries off,
 *    429s rejected at once), so this protocol alone decides what is sent again. If it fails, Slack may or may
 *    not have delivered, so only what certainly did not go out is tried again: a 429 is waited out here
 *    (Retry-After, at most RATE_LIMITED_SENDS sends per claim), and a 429 past that or a connection never made
 *    (certainlyNotSent) is given back, for NOT_SENT_RETRY_MS on or Slack's Retry-After if longer, without an
 *    attempt limit (the grace window bounds it): a delivery is delayed by rate limits or an outage, never
 *    dropped for them. A 429 pauses that workspace's sends (the job's `sendMethod`) in this job until its
 *    Retry-After has passed (workspace-gates.ts): every run of that workspace waits before sending, without
 *    holding an overall concurrency slot meanwhile, and is given back the same way when the pause is longer
 *    than MAX_RATE_LIMIT_WAIT_MS. Other workspaces go on; there is never a global pause. Anything else (5xx,
 *    resets, timeouts, an answer that came too late) fails the run with the reason and is logged as an error:
 *    a miss (visible in scheduled_runs and the logs) beats a double.
 * 7. At either stage, a Slack error in the job's `permanentErrors` (no retry can fix it: the bot is not in
 *    the channel, the person is gone, the token is revoked) fails the run at once and calls
 *    `onPermanentFailure` once (e.g. DM whoever set the schedule). No retries, so no storm. The workspace
 *    having no installation any more (NotInstalledError, 'not_installed': uninstalled, tokens revoked) is
 *    permanent for every job, and nobody is told through Slack (nothing can reach that workspace).
 * 8. Sent: the run is completed with the message ts, retried with backoff for half the lease (a run left
 *    `running` would be sent again once its lease expires), even if the tick was aborted meanwhile. Then
 *    `afterSend` (e.g. a chart in the message's thread); its failures are logged, never undo the delivery.
 * 9. Shutdown (`abandon`, called by the Scheduler when a bounded stop runs out of time): every run this process
 *    still holds is given up at once. One that sent nothing yet (building, or waiting out a 429) is given back
 *    for another process to take now; one whose send is in flight may or may not be delivered, so it is failed
 *    with that reason (a miss beats a double). Nothing abandoned is sent afterwards by this process.
 *
 * The one case that can still send twice is the crash case of runs.ts: a process that died after sending and
 * before recording it (or could not record it for half a lease) has its claim taken over later.
 */
import type { Db } from '../db/client.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { MAX_RATE_LIMIT_WAIT_MS, RATE_LIMITED_SENDS } from '../slack/posting-client.js';
import { certainlyNotSent, describeFailure, platformCode, retryAfterMs } from '../slack/web-api-errors.js';
import { fanOut, type Slot } from './fan-out.js';
import { claimRun, completeRunPersistently, failRun, findRuns, isClaimable, keepClaimAlive, releaseRun, skipRun, type RunRow } from './runs.js';
import type { RunOutcome } from './scheduler.js';
import { WorkspaceGates } from './workspace-gates.js';

/** A slot older than this when a tick first sees it is skipped, not sent. */
export const DEFAULT_GRACE_MS = 24 * 60 * 60 * 1000;
/**
 * How long a claim stays valid without renewal. The running process renews it every third of this, so it
 * only bounds how soon a run whose process died is taken over.
 */
export const DEFAULT_LEASE_MS = 10 * 60 * 1000;
/** Claims of one run before a failure that sent nothing (building it) becomes final. */
export const MAX_ATTEMPTS = 3;
/** After the n-th failed build, the run is given back until this much later (the last entry repeats). */
export const RETRY_DELAYS_MS: readonly number[] = [60_000, 5 * 60_000];
/** After Slack certainly did not deliver (rate limits, unreachable): given back until this much later (or Retry-After). */
export const NOT_SENT_RETRY_MS = 60_000;
/** Runs of one workspace worked on at once by one process, unless the job says otherwise (capped by `concurrency`). */
export const DEFAULT_PER_WORKSPACE = 4;
/** The Web API method a job's `send` calls, unless it says otherwise: what a 429 on a send pauses. */
export const DEFAULT_SEND_METHOD = 'chat.postMessage';
/** The code of NotInstalledError (src/slack/clients.ts): the workspace has no installation; permanent for every job. */
export const NOT_INSTALLED = 'not_installed';
/** The error recorded on a run given back at shutdown (it sent nothing). */
export const GIVEN_BACK_AT_SHUTDOWN = 'given back at shutdown';
/** The error recorded on a run failed at shutdown while its send was in flight. */
export const INTERRUPTED_WHILE_SENDING = 'interrupted by shutdown while sending: it may or may not have been delivered';

/** What the protocol itself needs; a job's own callbacks may ask for more (`D`). */
export interface DeliveryDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
}

/** One unit of work a job found due: the job adds what it needs to build and send it. */
export interface DueRun {
  /** Unique per unit of work and slot, starting with the job's name, e.g. `leaderboard:<schedule id>:<slot ISO>`. */
  runKey: string;
  teamId: string | null;
  /** The slot this run is for. */
  slotAt: Date;
}

export interface TickContext<D extends DeliveryDeps> {
  deps: D;
  /** The tick's instant (what is due is due as of this). The wall clock is `deps.clock`. */
  now: Date;
  /** `deps.logger` with the job, run key, team and the job's `logFields` bound. */
  log: Logger;
}

export interface DeliveryContext<D extends DeliveryDeps> extends TickContext<D> {
  /** 1 on the first claim of this run; more after runs given back or taken over. */
  attempt: number;
}

/** What `send` reports: the delivered message's ts, recorded on the run. */
export interface Sent {
  messageTs?: string | null;
}

export interface PermanentFailure {
  /** The Slack error code, one of the job's `permanentErrors`. */
  code: string;
  /** The short reason recorded on the run. */
  reason: string;
  error: unknown;
  stage: 'build' | 'send';
}

/** The answer of a job's `ready` check, before claiming. */
export type Readiness = 'go' | 'later' | { skip: string };

/**
 * A scheduled job on the protocol: `T` is one due delivery, `M` what `build` makes of it, `D` the deps its
 * callbacks need, `S` what `send` reports.
 */
export interface DeliveryJob<T extends DueRun, M, D extends DeliveryDeps = DeliveryDeps, S extends Sent = Sent> {
  /** The job's name: the runs' `job` column and every outcome's `job`. */
  name: string;
  /** What one delivery is called in the logs: 'scheduled leaderboard', 'digest'. */
  noun: string;
  /** What a delivery does, as a past participle, in outcomes and logs: 'posted', 'sent'. */
  verb: string;
  /** Recorded as claimed_by (host:pid:instance). */
  claimedBy: string;
  graceMs?: number;
  leaseMs?: number;
  /** Deliveries worked on at once by one process, all workspaces together (default 1). */
  concurrency?: number;
  /** Deliveries of one workspace worked on at once by one process (default DEFAULT_PER_WORKSPACE, at most `concurrency`). */
  perWorkspace?: number;
  /** The Web API method `send` calls (default DEFAULT_SEND_METHOD): a 429 on a send pauses the workspace's calls of it. */
  sendMethod?: string;
  /** Deliveries one process starts per tick (default: no limit); the rest are due at the next tick. */
  maxPerTick?: number;

  /** Everything due at `now`, run or not: the protocol leaves out what was already run or is being run. */
  listDue(deps: D, now: Date): Promise<T[]>;
  /** Who or where, for outcomes: `<#C123> (T123)`. */
  describe(due: T): string;
  /** Fields for every log line about this delivery: `{ channel }`, `{ userId }`. */
  logFields?(due: T): Record<string, unknown>;
  /** Before claiming: still due, and for whom? Default 'go'. */
  ready?(due: T, ctx: TickContext<D>): Promise<Readiness>;
  /** Everything before the call that delivers; nothing may be delivered here (failures are retried). */
  build(due: T, ctx: DeliveryContext<D>): Promise<M>;
  /** The call that delivers (failures are final unless Slack certainly did not deliver). */
  send(due: T, message: M, ctx: DeliveryContext<D>): Promise<S>;
  /** After the run is recorded done: extras that never undo the delivery (failures are logged). */
  afterSend?(due: T, message: M, sent: S, ctx: DeliveryContext<D>): Promise<void>;
  /** Slack error codes no retry can fix: the run fails at once and `onPermanentFailure` is called. */
  permanentErrors?: ReadonlySet<string>;
  /** Called once when a run fails for one of `permanentErrors`, after the failure is recorded. */
  onPermanentFailure?(due: T, failure: PermanentFailure, ctx: DeliveryContext<D>): Promise<void>;
}

/** A job built on the protocol: a ScheduledJob (scheduler.ts) for deps of type `D`. */
export interface DeliveryScheduledJob<D extends DeliveryDeps> {
  name: string;
  runDue(deps: D, now: Date, signal?: AbortSignal): Promise<RunOutcome[]>;
  /** Give up every run this job holds in this process (shutdown out of time; see the header, 9). */
  abandon(): Promise<void>;
}

/** Where a claimed run is, for `abandon`: what giving it up means depends on whether anything may have been sent. */
type HeldStage = 'building' | 'waiting' | 'sending' | 'sent';

/** A run this process has claimed and not finished. */
interface HeldRun {
  stage: HeldStage;
  /** Aborted when the run is given up: nothing more is sent or recorded for it here. */
  readonly abandoned: AbortController;
  /** Give it up: back for another process, or failed when a send is in flight. */
  giveUp(): Promise<void>;
}

/** The runs one job holds in this process. Once given up, a run claimed late (a slow claim) is given up at once. */
class HeldRuns {
  private readonly runs = new Set<HeldRun>();
  private givenUp = false;

  add(run: HeldRun): void {
    this.runs.add(run);
    if (this.givenUp) void run.giveUp();
  }

  delete(run: HeldRun): void {
    this.runs.delete(run);
  }

  async giveUpAll(): Promise<void> {
    this.givenUp = true;
    await Promise.allSettled([...this.runs].map((run) => run.giveUp()));
  }
}

/** What one job instance keeps between ticks in this process (per app, never module-level). */
interface JobState {
  /** The runs it holds, for `abandon`. */
  held: HeldRuns;
  /** Workspaces whose sends are paused by a 429's Retry-After. */
  gates: WorkspaceGates;
}

/** The ScheduledJob that runs `job`'s deliveries on every tick. */
export function defineDeliveryJob<T extends DueRun, M, D extends DeliveryDeps, S extends Sent = Sent>(job: DeliveryJob<T, M, D, S>): DeliveryScheduledJob<D> {
  const state: JobState = { held: new HeldRuns(), gates: new WorkspaceGates() };
  return {
    name: job.name,
    runDue: (deps, now, signal) => runDeliveries(job, deps, now, signal, state),
    abandon: () => state.held.giveUpAll(),
  };
}

/**
 * Run everything of `job` due at `now` that nobody has run yet (see the header). Safe to call from many
 * processes at once and any number of times for the same `now`. Rejects only when listing what is due or
 * reading the runs fails; a failure around one delivery is logged and the others go on.
 */
export async function runDeliveries<T extends DueRun, M, D extends DeliveryDeps, S extends Sent>(
  job: DeliveryJob<T, M, D, S>,
  deps: D,
  now: Date,
  signal?: AbortSignal,
  state: JobState = { held: new HeldRuns(), gates: new WorkspaceGates() },
): Promise<RunOutcome[]> {
  const graceMs = job.graceMs ?? DEFAULT_GRACE_MS;
  const maxPerTick = job.maxPerTick ?? Infinity;
  const due = await job.listDue(deps, now);
  const existing = await findRuns(deps.db, due.map((d) => d.runKey));
  const wall = deps.clock.now();
  const open = due.filter((d) => isClaimable(existing.get(d.runKey), wall)).sort((a, b) => a.slotAt.getTime() - b.slotAt.getTime());

  const outcomes: RunOutcome[] = [];
  let started = 0;
  let deferred = 0;
  const concurrency = job.concurrency ?? 1;
  const perWorkspace = Math.min(concurrency, job.perWorkspace ?? DEFAULT_PER_WORKSPACE);
  await fanOut(open, { concurrency, perWorkspace, signal }, async (item, slot) => {
    const log = deps.logger.child({ job: job.name, runKey: item.runKey, teamId: item.teamId, ...job.logFields?.(item) });
    const ctx: TickContext<D> = { deps, now, log };
    try {
      let outcome: RunOutcome | undefined;
      if (now.getTime() - item.slotAt.getTime() > graceMs) {
        outcome = await closeTooLate(job, item, existing.get(item.runKey), ctx, graceMs);
      } else if (started >= maxPerTick) {
        deferred++;
      } else {
        started++;
        outcome = await claimAndDeliver(job, item, existing.get(item.runKey), ctx, signal, state, slot);
      }
      if (outcome) outcomes.push(outcome);
    } catch (error) {
      // A database error around the claim: nothing was sent; the next tick looks again.
      log.error({ err: error }, `${job.noun} run failed before anything was ${job.verb}`);
    }
  });
  if (deferred > 0) deps.logger.info({ job: job.name, deferred, maxPerTick }, `more ${job.noun} runs due than one tick starts; the next tick starts the rest`);
  return outcomes;
}

function outcomeBase(job: { name: string }, item: DueRun) {
  return { job: job.name, runKey: item.runKey, teamId: item.teamId, slotAt: item.slotAt };
}

/** A due slot past the grace window: recorded once (skipped, or a given-back claim failed), never sent. */
async function closeTooLate<T extends DueRun, M, D extends DeliveryDeps, S extends Sent>(
  job: DeliveryJob<T, M, D, S>,
  item: T,
  row: RunRow | undefined,
  { deps, now, log }: TickContext<D>,
  graceMs: number,
): Promise<RunOutcome | undefined> {
  const wall = deps.clock.now();
  const base = outcomeBase(job, item);
  if (row) {
    // A claim given back (or left by a dead process) and now too old to send: close it, once.
    const reason = `not ${job.verb} within the grace window${row.error ? ` (last: ${row.error})` : ''}`;
    const claimed = await claimRun(deps.db, { ...base, claimedBy: job.claimedBy, leaseMs: job.leaseMs ?? DEFAULT_LEASE_MS, now: wall });
    if (!claimed) return undefined;
    await failRun(deps.db, item.runKey, { claimedBy: job.claimedBy, error: reason, now: wall });
    log.warn({ reason }, `${job.noun} given up`);
    return { ...base, status: 'failed', detail: `${job.describe(item)}: ${reason}`, error: reason };
  }
  const recorded = await skipRun(deps.db, {
    ...base,
    reason: `missed: slot older than the ${Math.round(graceMs / 3_600_000)} h grace window at ${now.toISOString()}`,
    claimedBy: job.claimedBy,
    now: wall,
  });
  if (!recorded) return undefined;
  log.warn({ slot: item.slotAt.toISOString(), now: now.toISOString(), graceMs }, `${job.noun} missed and skipped: its slot is older than the grace window`);
  return { ...base, status: 'skipped', detail: `${job.describe(item)}: slot ${item.slotAt.toISOString()} is older than the grace window` };
}

/** Ready? Then claim, keep the claim alive while delivering, and stop renewing when done. */
async function claimAndDeliver<T extends DueRun, M, D extends DeliveryDeps, S extends Sent>(
  job: DeliveryJob<T, M, D, S>,
  item: T,
  row: RunRow | undefined,
  ctx: TickContext<D>,
  signal: AbortSignal | undefined,
  { held, gates }: JobState,
  slot: Slot,
): Promise<RunOutcome | undefined> {
  const { deps, log } = ctx;
  const base = outcomeBase(job, item);
  const readiness = job.ready ? await job.ready(item, ctx) : 'go';
  if (readiness === 'later') return undefined;
  if (readiness !== 'go') {
    const recorded = await skipRun(deps.db, { ...base, reason: readiness.skip, claimedBy: job.claimedBy, now: deps.clock.now() });
    if (!recorded) return undefined;
    log.info({ reason: readiness.skip }, `${job.noun} skipped`);
    return { ...base, status: 'skipped', detail: `${job.describe(item)}: ${readiness.skip}` };
  }
  if (signal?.aborted) return undefined; // shutting down: claim nothing new

  const leaseMs = job.leaseMs ?? DEFAULT_LEASE_MS;
  const claimed = await claimRun(deps.db, { ...base, claimedBy: job.claimedBy, leaseMs, now: deps.clock.now() });
  if (!claimed) return undefined; // another process has it (or just finished it)
  if (row) log.warn({ attempts: row.attempts + 1, lastError: row.error }, 'took over a scheduled run whose claim had expired');
  const stopRenewing = keepClaimAlive(deps.db, item.runKey, {
    claimedBy: job.claimedBy,
    leaseMs,
    now: () => deps.clock.now(),
    onLost: () => log.error('lost the claim of a run still in progress (this process stalled past its lease)'),
    onError: (error) => log.warn({ err: error }, 'could not renew the claim of a run in progress'),
  });
  const run: HeldRun = {
    stage: 'building',
    abandoned: new AbortController(),
    async giveUp() {
      if (run.abandoned.signal.aborted) return;
      run.abandoned.abort();
      stopRenewing();
      const stage = run.stage;
      if (stage === 'sent') return; // delivered: its completion is being recorded
      if (stage === 'sending') {
        log.error({ stage }, `shutting down while the ${job.noun} was being ${job.verb}: failed, since it may or may not have been ${job.verb}`);
        await failRun(deps.db, item.runKey, { claimedBy: job.claimedBy, error: INTERRUPTED_WHILE_SENDING, now: deps.clock.now() });
        return;
      }
      log.warn({ stage }, `shutting down before the ${job.noun} was ${job.verb}: given back for another process`);
      await releaseRun(deps.db, item.runKey, { claimedBy: job.claimedBy, error: GIVEN_BACK_AT_SHUTDOWN, retryAt: deps.clock.now() });
    },
  };
  held.add(run);
  try {
    return await deliver(job, item, { ...ctx, attempt: (row?.attempts ?? 0) + 1 }, leaseMs, run, { gates, slot });
  } finally {
    held.delete(run);
    stopRenewing();
  }
}

/** The outcome of a run given up at shutdown (see HeldRun.giveUp: it recorded what happened). */
function abandonedOutcome(job: { name: string }, item: DueRun, where: string, stage: HeldStage): RunOutcome {
  const sentNothing = stage === 'building' || stage === 'waiting';
  const error = sentNothing ? GIVEN_BACK_AT_SHUTDOWN : INTERRUPTED_WHILE_SENDING;
  return { ...outcomeBase(job, item), status: sentNothing ? 'retry' : 'failed', detail: `${where}: ${error}`, error };
}

/** Claimed: build, send, record. Returns what came of it; never throws. */
async function deliver<T extends DueRun, M, D extends DeliveryDeps, S extends Sent>(
  job: DeliveryJob<T, M, D, S>,
  item: T,
  ctx: DeliveryContext<D>,
  leaseMs: number,
  run: HeldRun,
  pacing: { gates: WorkspaceGates; slot: Slot },
): Promise<RunOutcome> {
  const { deps, log } = ctx;
  const abandoned = run.abandoned.signal;
  const given = () => abandonedOutcome(job, item, job.describe(item), run.stage);
  let message: M;
  try {
    message = await job.build(item, ctx);
  } catch (error) {
    if (abandoned.aborted) return given();
    return notDelivered(job, item, ctx, error, 'build');
  }
  let sent: S;
  try {
    sent = await sendThroughGate(job, item, message, ctx, run, pacing);
  } catch (error) {
    if (abandoned.aborted) return given();
    return notDelivered(job, item, ctx, error, 'send');
  }
  if (abandoned.aborted) {
    // Given up while in flight (recorded failed, "may or may not have been delivered"): it was, as it turns out.
    log.warn({ ts: sent.messageTs ?? null }, `the ${job.noun} given up at shutdown while in flight was ${job.verb} after all`);
    return given();
  }
  run.stage = 'sent';

  // Delivered. Record it, retried hard: a run left `running` would be delivered again once its lease expires.
  const messageTs = sent.messageTs ?? null;
  const recorded = await completeRunPersistently(deps.db, item.runKey, { claimedBy: job.claimedBy, messageTs, clock: deps.clock, withinMs: leaseMs / 2 });
  if (recorded === 'unrecorded') log.error({ ts: messageTs }, `${job.verb} the ${job.noun} but could not record it; it may be ${job.verb} again when the claim expires`);
  if (recorded === 'taken-over') log.error({ ts: messageTs }, `${job.verb} the ${job.noun}, but another process had taken the run over (this one stalled past its lease); its record stands`);
  if (job.afterSend && abandoned.aborted) log.warn(`shutting down: what follows the ${job.noun} is not done`);
  else if (job.afterSend) {
    try {
      await job.afterSend(item, message, sent, ctx);
    } catch (error) {
      log.warn({ err: error, ts: messageTs }, `the ${job.noun} was ${job.verb}, but what follows it failed`);
    }
  }
  log.info({ ts: messageTs, slot: item.slotAt.toISOString() }, `${job.verb} the ${job.noun}`);
  const detail = `${job.describe(item)}: ${job.verb}${messageTs ? ` (ts ${messageTs})` : ''}`;
  return { ...outcomeBase(job, item), status: 'done', detail, ...(messageTs ? { messageTs } : {}) };
}

/**
 * Building or sending failed: fail at once (permanent), give the claim back (certainly not sent, or nothing
 * sent and attempts left), or fail (Slack may have delivered, or no attempts left).
 */
async function notDelivered<T extends DueRun, M, D extends DeliveryDeps, S extends Sent>(
  job: DeliveryJob<T, M, D, S>,
  item: T,
  ctx: DeliveryContext<D>,
  error: unknown,
  stage: 'build' | 'send',
): Promise<RunOutcome> {
  const { deps, log, attempt } = ctx;
  const reason = describeFailure(error);
  const code = platformCode(error);
  const base = outcomeBase(job, item);
  const where = job.describe(item);
  const fail = async (): Promise<RunOutcome> => {
    const recorded = await failRun(deps.db, item.runKey, { claimedBy: job.claimedBy, error: reason, now: deps.clock.now() }).catch((e: unknown) => {
      log.error({ err: e }, 'could not record the failed run');
      return true;
    });
    if (!recorded) log.warn({ reason }, 'the run failed here, but another process had taken it over; its record stands');
    return { ...base, status: 'failed', detail: `${where}: ${reason}`, error: reason };
  };
  const giveBack = async (retryAt: Date, error: string): Promise<RunOutcome> => {
    await releaseRun(deps.db, item.runKey, { claimedBy: job.claimedBy, error, retryAt }).catch((e: unknown) => log.error({ err: e }, 'could not release the run'));
    return { ...base, status: 'retry', detail: `${where}: ${reason}; retrying after ${retryAt.toISOString()}`, error: reason };
  };

  if (isNotInstalled(error)) {
    log.warn({ code: NOT_INSTALLED, stage }, `${job.noun} failed for good: the workspace has no installation (uninstalled or tokens revoked); not retried`);
    return fail();
  }
  if (code !== undefined && job.permanentErrors?.has(code)) {
    log.warn({ code, stage }, `${job.noun} failed for good (${code}); not retried`);
    const outcome = await fail();
    if (job.onPermanentFailure) {
      try {
        await job.onPermanentFailure(item, { code, reason, error, stage }, ctx);
      } catch (e) {
        log.warn({ err: e, code }, `could not act on the permanent failure of the ${job.noun}`);
      }
    }
    return outcome;
  }
  if (certainlyNotSent(error)) {
    const retryAt = new Date(deps.clock.now().getTime() + Math.max(NOT_SENT_RETRY_MS, retryAfterMs(error) ?? 0));
    log.warn({ retryAt, reason, stage }, `Slack refused or could not be reached before anything was ${job.verb}; a later tick tries again`);
    return giveBack(retryAt, reason);
  }
  if (stage === 'send') {
    log.error({ err: error, reason }, `${job.noun} could not be ${job.verb}; this slot is not retried`);
    return fail();
  }
  if (attempt < MAX_ATTEMPTS) {
    const retryAt = new Date(deps.clock.now().getTime() + RETRY_DELAYS_MS[Math.min(attempt - 1, RETRY_DELAYS_MS.length - 1)]!);
    log.warn({ err: error, attempt, retryAt }, `could not build the ${job.noun}; a later tick tries again`);
    return giveBack(retryAt, `attempt ${attempt}: ${reason}`);
  }
  log.error({ err: error, attempt }, `could not build the ${job.noun}; giving up on this slot`);
  return fail();
}

/** NotInstalledError (src/slack/clients.ts), by its code: the protocol does not depend on how clients are made. */
function isNotInstalled(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === NOT_INSTALLED;
}

/** Refused before sending: the workspace's sends are paused for longer than is waited out in process. */
function pausedError(teamId: string | null, method: string, waitMs: number): Error {
  const seconds = Math.ceil(waitMs / 1000);
  // Shaped like @slack/web-api's WebAPIRateLimitedError, so it is read as one: certainly not sent, given back until then.
  return Object.assign(new Error(`A rate limit was exceeded (workspace ${teamId ?? '-'} paused for ${method}, retry-after: ${seconds})`), {
    code: 'slack_webapi_rate_limited_error',
    retryAfter: seconds,
  });
}

/**
 * `job.send`, after the workspace's pause of its method (if any) has passed, and again after a 429's Retry-After
 * (which pauses the workspace for every run of this job), at most RATE_LIMITED_SENDS sends in all; waits happen
 * aside (no overall slot held) and end at once when the run is given up. A wait longer than MAX_RATE_LIMIT_WAIT_MS
 * is not made here: the rate-limit error is thrown for notDelivered to give the run back.
 */
async function sendThroughGate<T extends DueRun, M, D extends DeliveryDeps, S extends Sent>(
  job: DeliveryJob<T, M, D, S>,
  item: T,
  message: M,
  ctx: DeliveryContext<D>,
  run: HeldRun,
  { gates, slot }: { gates: WorkspaceGates; slot: Slot },
): Promise<S> {
  const { deps, log } = ctx;
  const method = job.sendMethod ?? DEFAULT_SEND_METHOD;
  const abandoned = run.abandoned.signal;
  const nowMs = () => deps.clock.now().getTime();
  let sends = 0;
  let lastError: unknown;
  /** The pause this run has already waited out (a wait lasts the pause's length, whatever the injected clock says). */
  let waitedUntil = 0;
  for (;;) {
    const until = gates.until(item.teamId, method, nowMs());
    if (until > waitedUntil) {
      const waitMs = until - nowMs();
      // Paused (by another run's 429, or extended since ours) for longer than is waited out here: give it back.
      if (waitMs > MAX_RATE_LIMIT_WAIT_MS) throw pausedError(item.teamId, method, waitMs);
      run.stage = 'waiting';
      if (lastError === undefined) log.debug({ waitMs, method }, `the workspace is rate-limited for ${method}; the ${job.noun} waits for its Retry-After`);
      if (!(await slot.aside(() => sleep(waitMs, abandoned)))) throw lastError ?? new Error(GIVEN_BACK_AT_SHUTDOWN);
      waitedUntil = until;
      continue;
    }
    // Checked and set in one synchronous step, so a give-up sees either "nothing sent" or "sending".
    if (abandoned.aborted) throw lastError ?? new Error(GIVEN_BACK_AT_SHUTDOWN);
    run.stage = 'sending';
    sends++;
    try {
      return await job.send(item, message, ctx);
    } catch (error) {
      const waitMs = retryAfterMs(error);
      if (waitMs === undefined) throw error;
      // Refused for rate limits, so nothing was sent: pause the workspace's calls of this method for every run.
      gates.pause(item.teamId, method, nowMs() + waitMs, nowMs());
      if (waitMs > MAX_RATE_LIMIT_WAIT_MS || sends >= RATE_LIMITED_SENDS || abandoned.aborted) throw error;
      run.stage = 'waiting';
      lastError = error;
      log.info({ waitMs, sends }, `Slack is rate-limiting; the ${job.noun} is sent again after its Retry-After`);
    }
  }
}

/** Wait `ms`; false when `signal` aborted first. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

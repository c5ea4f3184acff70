/**
 * The scheduler: one node-cron task that ticks every minute and asks each job what is due.
 *
 * Why one every-minute tick instead of a cron task per schedule: node-cron fires a task only at the exact
 * wall-clock second (a tick more than a second late is dropped), never fires a local time that a
 * spring-forward day skips, cannot catch up a slot missed while the process was down, and would need
 * tasks added and removed whenever an admin changes a schedule, on every replica. Instead each job computes
 * its own due slots from its data on every tick (DST-safe, in each schedule's zone) and claims them in the
 * database (see runs.ts), so the same code path serves the regular tick, the catch-up at start-up, a late
 * or skipped tick, and `npm run cli -- run-due --now …`. A tick that finds nothing due costs a query or two.
 *
 * No module-level state: each app builds its own Scheduler.
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import cron, { type ScheduledTask } from 'node-cron';
import type { Deps } from '../deps.js';

/** What one unit of scheduled work came to, for logs and the CLI. */
export interface RunOutcome {
  job: string;
  runKey: string;
  teamId: string | null;
  slotAt: Date;
  /** done: the work happened; failed: it will not be retried; skipped: too old to run; retry: given back for a later tick. */
  status: 'done' | 'failed' | 'skipped' | 'retry';
  /** Human-readable: where it went, why it failed or was skipped. */
  detail: string;
  messageTs?: string;
  error?: string;
}

export interface ScheduledJob {
  name: string;
  /**
   * Run everything due at `now` that no one has run yet: claim first, work, then complete or fail.
   * Must be safe to call from many processes at once and any number of times for the same `now`.
   * Should stop claiming new work once `signal` is aborted (shutdown); work already claimed finishes.
   */
  runDue(deps: Deps, now: Date, signal?: AbortSignal): Promise<RunOutcome[] | void>;
  /**
   * Shutdown ran out of time: give up, at once, whatever this job still holds in this process, so another
   * process can take it (see deliveries.ts). Nothing given up may be sent by this process afterwards.
   */
  abandon?(): Promise<void>;
}

export interface SchedulerOptions {
  /** node-cron expression for the tick; default every minute. */
  cronExpression?: string;
  /** How long stop() waits for runs in progress before giving them up; default DEFAULT_STOP_TIMEOUT_MS. */
  stopTimeoutMs?: number;
  /** Told what each tick came to, once its jobs are done (metrics). Must not throw; an error is logged, not raised. */
  onOutcomes?: (outcomes: RunOutcome[]) => void;
}

export const EVERY_MINUTE = '* * * * *';
/**
 * How long stop() lets claimed runs finish before giving them up: a few seconds, well inside a container's kill
 * grace period (Docker's 10 s, Kubernetes' 30 s), however long Slack's rate limits would have kept them going.
 */
export const DEFAULT_STOP_TIMEOUT_MS = 5_000;
/** How long stop() then waits for the give-ups to be recorded (a database write per run). */
export const ABANDON_TIMEOUT_MS = 2_000;

/** host:pid:random, recorded on the claims this process makes (operators read it; nothing depends on it). */
export function instanceId(): string {
  return `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

export class Scheduler {
  private task: ScheduledTask | undefined;
  private readonly inFlight = new Set<Promise<RunOutcome[]>>();
  private readonly abort = new AbortController();
  private readonly cronExpression: string;
  private readonly stopTimeoutMs: number;
  private readonly onOutcomes: ((outcomes: RunOutcome[]) => void) | undefined;

  constructor(
    private readonly deps: Deps,
    private readonly jobs: ScheduledJob[],
    opts: SchedulerOptions = {},
  ) {
    this.cronExpression = opts.cronExpression ?? EVERY_MINUTE;
    this.stopTimeoutMs = opts.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
    this.onOutcomes = opts.onOutcomes;
    if (!cron.validate(this.cronExpression)) throw new Error(`Invalid cron expression for the scheduler: ${this.cronExpression}`);
  }

  get running(): boolean {
    return this.task !== undefined;
  }

  /** Start ticking, and run a catch-up tick right away (slots missed while no process was up). */
  start(): void {
    if (this.task || this.abort.signal.aborted) return;
    const log = this.deps.logger.child({ component: 'scheduler' });
    this.task = cron.schedule(this.cronExpression, () => this.tick(this.deps.clock.now()).then(() => undefined), {
      name: `sales-pulse-scheduler-${randomBytes(4).toString('hex')}`,
      // A tick still running (a long catch-up, Slack rate limits) makes the next one skip: claims make that safe.
      noOverlap: true,
      logger: {
        info: (m) => log.debug(m),
        warn: (m) => log.debug(m),
        error: (m, e) => log.error({ err: e ?? m }, 'node-cron error'),
        debug: () => {},
      },
    });
    // Missed and overlapping ticks are harmless (the next tick computes the same due slots): note them quietly.
    this.task.on('execution:missed', (ctx) => log.debug({ at: ctx.date }, 'scheduler tick missed (event loop busy); the next tick catches up'));
    this.task.on('execution:overlap', (ctx) => log.debug({ at: ctx.date }, 'previous scheduler tick still running; skipping this one'));
    log.info({ cron: this.cronExpression, jobs: this.jobs.map((j) => j.name) }, 'scheduler started; catching up missed runs');
    void this.tick(this.deps.clock.now());
  }

  /**
   * Stop ticking, tell running jobs to claim nothing new, and let the runs already claimed finish, for at most
   * `stopTimeoutMs`: past that, each job gives up what it still holds (given back for another process, or failed
   * when a send is in flight; see deliveries.ts), and stop() returns once that is recorded (at most
   * ABANDON_TIMEOUT_MS more) without waiting for the work itself.
   */
  async stop(): Promise<void> {
    const task = this.task;
    this.task = undefined;
    this.abort.abort();
    if (task) {
      await task.stop();
      await task.destroy();
    }
    const finished = (async () => {
      while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
      return true;
    })();
    if (await within(finished, this.stopTimeoutMs)) return;
    this.deps.logger.warn({ component: 'scheduler', stopTimeoutMs: this.stopTimeoutMs }, 'scheduled runs still in progress at shutdown; giving them up for another process');
    const abandoned = Promise.allSettled(this.jobs.flatMap((job) => (job.abandon ? [job.abandon()] : []))).then(() => true);
    if (!(await within(abandoned, ABANDON_TIMEOUT_MS))) this.deps.logger.error({ component: 'scheduler' }, 'could not record every scheduled run given up at shutdown');
  }

  /**
   * The one code path for scheduled work: the cron tick, the start-up catch-up, tests and the CLI all call it.
   * Runs every job's due work as of `now`; never throws (a failing job is logged and the others still run).
   */
  tick(now: Date): Promise<RunOutcome[]> {
    if (this.abort.signal.aborted) return Promise.resolve([]);
    const run = this.runJobs(now);
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
    return run;
  }

  private async runJobs(now: Date): Promise<RunOutcome[]> {
    const outcomes: RunOutcome[] = [];
    for (const job of this.jobs) {
      if (this.abort.signal.aborted) break;
      try {
        const result = await job.runDue(this.deps, now, this.abort.signal);
        if (result) outcomes.push(...result);
      } catch (error) {
        this.deps.logger.error({ err: error, job: job.name, now: now.toISOString() }, 'scheduled job failed');
      }
    }
    try {
      this.onOutcomes?.(outcomes);
    } catch (error) {
      this.deps.logger.error({ err: error }, 'reporting scheduled run outcomes failed');
    }
    return outcomes;
  }
}

/** `work`'s value if it settles within `ms`, else false (it is not cancelled, only no longer waited for). */
async function within(work: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The run-claim table (`scheduled_runs`): how every replica and restart agrees on who does a slot's work.
 *
 * A job names each unit of work with a run key (job, subject, slot), claims it here BEFORE doing the work,
 * and completes or fails it after. The claim is one INSERT … ON CONFLICT on the unique `run_key`, so of any
 * number of processes ticking at the same instant exactly one gets `true`; the rest see the row and move on.
 * A row stays forever (done / failed / skipped), so the slot is never run again by a later tick or a restart.
 *
 * The one exception is a claim left `running` by a process that died mid-run: once its `lease_until` has
 * passed, the next claim takes it over (same statement, atomically: two processes cannot both take it over).
 * That is at-least-once, not exactly-once, for that crash case: if the dead process had already posted before
 * it died (or could not record the completion), the work is done a second time. A live process keeps its
 * claim by renewing the lease while it works (keepClaimAlive), so a slow run (Slack retries, uploads) is
 * never mistaken for a dead one; only a process that stopped renewing loses its claim.
 *
 * `now` is always passed in (the caller's clock): these functions never read the time themselves.
 */
import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Clock } from '../lib/clock.js';
import type { Db } from '../db/client.js';
import { scheduledRuns, type RunStatus } from '../db/schema/index.js';

export interface ClaimInput {
  /** Unique per unit of work, e.g. `leaderboard:<schedule id>:2026-11-30T14:00:00.000Z`. */
  runKey: string;
  /** The job's name, e.g. 'leaderboard'. */
  job: string;
  teamId: string | null;
  /** The slot this run is for. */
  slotAt: Date;
  /** Who is claiming (host:pid:instance), for operators reading the table. */
  claimedBy: string;
  /** How long the claim is trusted before another process may take it over. */
  leaseMs: number;
  now: Date;
}

export interface RunRow {
  runKey: string;
  status: RunStatus;
  attempts: number;
  leaseUntil: Date | null;
  messageTs: string | null;
  error: string | null;
}

/**
 * Claim a run: true when this caller now owns it (a new row, or a `running` row whose lease had expired),
 * false when another process holds it or it is already finished (done, failed or skipped).
 */
export async function claimRun(db: Db, input: ClaimInput): Promise<boolean> {
  const leaseUntil = new Date(input.now.getTime() + input.leaseMs);
  const rows = await db
    .insert(scheduledRuns)
    .values({
      runKey: input.runKey,
      job: input.job,
      teamId: input.teamId,
      slotAt: input.slotAt,
      status: 'running',
      attempts: 1,
      claimedBy: input.claimedBy,
      claimedAt: input.now,
      leaseUntil,
    })
    .onConflictDoUpdate({
      target: scheduledRuns.runKey,
      set: {
        claimedBy: input.claimedBy,
        claimedAt: input.now,
        leaseUntil,
        attempts: sql`${scheduledRuns.attempts} + 1`,
      },
      // Take-over only: a running claim whose lease has passed. Under concurrency PostgreSQL re-checks this
      // against the row as the first taker left it (lease renewed), so a second taker gets nothing.
      setWhere: and(eq(scheduledRuns.status, 'running'), lt(scheduledRuns.leaseUntil, input.now)),
    })
    .returning({ id: scheduledRuns.id });
  return rows.length === 1;
}

/**
 * Extend a running claim this process holds. False when the claim is no longer ours (taken over after a
 * stall, or finished): the caller cannot undo what it did, but should log it.
 */
export async function renewLease(db: Db, runKey: string, input: { claimedBy: string; leaseMs: number; now: Date }): Promise<boolean> {
  const rows = await db
    .update(scheduledRuns)
    .set({ leaseUntil: new Date(input.now.getTime() + input.leaseMs) })
    .where(and(eq(scheduledRuns.runKey, runKey), eq(scheduledRuns.status, 'running'), eq(scheduledRuns.claimedBy, input.claimedBy)))
    .returning({ id: scheduledRuns.id });
  return rows.length === 1;
}

/**
 * Renew a claim every third of its lease while the work runs; call the returned function when done.
 * Renewal errors (the database away for a moment) are reported to `onError` and retried on the next beat.
 */
export function keepClaimAlive(
  db: Db,
  runKey: string,
  input: { claimedBy: string; leaseMs: number; now: () => Date; onLost?: () => void; onError?: (error: unknown) => void },
): () => void {
  let stopped = false;
  const timer = setInterval(() => {
    void renewLease(db, runKey, { claimedBy: input.claimedBy, leaseMs: input.leaseMs, now: input.now() }).then(
      (held) => {
        if (!held && !stopped) input.onLost?.();
      },
      (error: unknown) => input.onError?.(error),
    );
  }, Math.max(1, Math.floor(input.leaseMs / 3)));
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

/** The work is done: record the message ts (when it posted one). */
/**
 * The holder's run is done. Only the holder can record it: a process that stalled past its lease and was taken
 * over changes nothing (false), so it cannot overwrite the outcome of the process that took over.
 */
export async function completeRun(db: Db, runKey: string, result: { claimedBy: string; messageTs?: string | null; now: Date }): Promise<boolean> {
  const rows = await db
    .update(scheduledRuns)
    .set({ status: 'done', completedAt: result.now, leaseUntil: null, messageTs: result.messageTs ?? null, error: null })
    .where(heldBy(runKey, result.claimedBy))
    .returning({ runKey: scheduledRuns.runKey });
  return rows.length > 0;
}

/** The run is still running and claimed by `claimedBy`. */
function heldBy(runKey: string, claimedBy: string) {
  return and(eq(scheduledRuns.runKey, runKey), eq(scheduledRuns.status, 'running'), eq(scheduledRuns.claimedBy, claimedBy));
}

/**
 * completeRun, retried with backoff for up to `withinMs`: once the work is done (a message posted), a run
 * left `running` would be done again when its lease expires, so recording it is worth waiting for.
 * 'taken-over' when another process holds the run now (its outcome stands); 'unrecorded' when it still failed.
 */
export async function completeRunPersistently(
  db: Db,
  runKey: string,
  input: { claimedBy: string; messageTs?: string | null; clock: Clock; withinMs: number },
): Promise<'recorded' | 'taken-over' | 'unrecorded'> {
  const deadline = Date.now() + input.withinMs;
  for (let wait = 250; ; wait = Math.min(wait * 2, 30_000)) {
    try {
      const recorded = await completeRun(db, runKey, { claimedBy: input.claimedBy, messageTs: input.messageTs, now: input.clock.now() });
      return recorded ? 'recorded' : 'taken-over';
    } catch {
      if (Date.now() + wait > deadline) return 'unrecorded';
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/** The run failed for good: it is not retried by later ticks. Only the holder can record it (see completeRun). */
export async function failRun(db: Db, runKey: string, result: { claimedBy: string; error: string; now: Date }): Promise<boolean> {
  const rows = await db
    .update(scheduledRuns)
    .set({ status: 'failed', completedAt: result.now, leaseUntil: null, error: result.error.slice(0, 1000) })
    .where(heldBy(runKey, result.claimedBy))
    .returning({ runKey: scheduledRuns.runKey });
  return rows.length > 0;
}

/**
 * Give a claimed run back, to be retried by a later tick at or after `retryAt` (the row stays `running`
 * with an expired-by-then lease, so the ordinary take-over claims it). Only for failures that happened
 * before anything was sent, where running again cannot duplicate anything. Only the holder can give it back.
 */
export async function releaseRun(db: Db, runKey: string, result: { claimedBy: string; error: string; retryAt: Date }): Promise<boolean> {
  const rows = await db
    .update(scheduledRuns)
    .set({ leaseUntil: result.retryAt, claimedBy: null, error: result.error.slice(0, 1000) })
    .where(heldBy(runKey, result.claimedBy))
    .returning({ runKey: scheduledRuns.runKey });
  return rows.length > 0;
}

/**
 * Record that a slot was not run (e.g. older than the grace window), so it is logged once and not looked
 * at again. True when this call recorded it, false when the key already had a row (anyone's).
 */
export async function skipRun(
  db: Db,
  input: { runKey: string; job: string; teamId: string | null; slotAt: Date; reason: string; claimedBy?: string; now: Date },
): Promise<boolean> {
  const rows = await db
    .insert(scheduledRuns)
    .values({
      runKey: input.runKey,
      job: input.job,
      teamId: input.teamId,
      slotAt: input.slotAt,
      status: 'skipped',
      attempts: 0,
      claimedBy: input.claimedBy ?? null,
      claimedAt: input.now,
      completedAt: input.now,
      leaseUntil: null,
      error: input.reason.slice(0, 1000),
    })
    .onConflictDoNothing({ target: scheduledRuns.runKey })
    .returning({ id: scheduledRuns.id });
  return rows.length === 1;
}

/** Keys per query in findRuns, so a big workspace does not make one huge IN list. */
const FIND_RUNS_CHUNK = 500;

/**
 * The rows for these keys (one query per FIND_RUNS_CHUNK keys), so a tick only tries to claim what has no
 * row or a dead claim.
 */
export async function findRuns(db: Db, runKeys: string[]): Promise<Map<string, RunRow>> {
  const found = new Map<string, RunRow>();
  for (let i = 0; i < runKeys.length; i += FIND_RUNS_CHUNK) {
    const rows = await db
      .select({
        runKey: scheduledRuns.runKey,
        status: scheduledRuns.status,
        attempts: scheduledRuns.attempts,
        leaseUntil: scheduledRuns.leaseUntil,
        messageTs: scheduledRuns.messageTs,
        error: scheduledRuns.error,
      })
      .from(scheduledRuns)
      .where(inArray(scheduledRuns.runKey, runKeys.slice(i, i + FIND_RUNS_CHUNK)));
    for (const row of rows) found.set(row.runKey, row);
  }
  return found;
}

/** True when a tick should try to claim this key: no row yet, or a running claim whose lease has passed. */
export function isClaimable(row: RunRow | undefined, now: Date): boolean {
  if (!row) return true;
  return row.status === 'running' && row.leaseUntil !== null && row.leaseUntil.getTime() < now.getTime();
}

/** One run, read back (tests, the CLI). */
export async function getRun(db: Db, runKey: string) {
  const [row] = await db.select().from(scheduledRuns).where(eq(scheduledRuns.runKey, runKey));
  return row;
}

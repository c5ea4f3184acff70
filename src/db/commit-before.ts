import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { isPglite, type Db } from './client.js';

/** The work did not finish (or commit) before its deadline, and nothing it wrote was kept. */
export class DeadlineExceeded extends Error {
  constructor(message = 'deadline exceeded') {
    super(message);
    this.name = 'DeadlineExceeded';
  }
}

/** A deadline `ms` from now, on the monotonic clock the helpers below read (never the injected, possibly fixed, clock). */
export function deadlineIn(ms: number): number {
  return performance.now() + ms;
}

/** Milliseconds left before `deadline` (0 when passed). */
export function remainingMs(deadline: number): number {
  return Math.max(0, Math.floor(deadline - performance.now()));
}

/**
 * `work`'s result if it settles before `deadline`, else DeadlineExceeded. For reads and other work whose
 * late completion does no harm: it is not cancelled, only no longer waited for.
 */
export function beforeDeadline<T>(deadline: number, work: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new DeadlineExceeded()), remainingMs(deadline));
    work.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

const QUERY_CANCELED = '57014';

function isStatementTimeout(e: unknown): boolean {
  for (let cur = e as { code?: unknown; cause?: unknown } | undefined, depth = 0; cur && depth < 5; cur = cur.cause as typeof cur, depth++) {
    if (cur.code === QUERY_CANCELED) return true;
  }
  return false;
}

/**
 * Run `work` in a transaction that is committed only if it finished before `deadline`; otherwise it is rolled
 * back and this rejects with DeadlineExceeded, so "nothing was stored" is true when the caller says it.
 *
 * - PostgreSQL: `SET LOCAL statement_timeout` to the time left makes the server cancel a statement that runs
 *   past the deadline. A transaction still waiting for a pooled connection, or whose work returns late, is
 *   rolled back when it gets there. The caller is answered at the deadline, without waiting for either.
 * - PGlite: one connection on Node's main thread. A statement that has started cannot be interrupted (timers
 *   do not run while it does), so the answer can come late; but a transaction whose work finishes past the
 *   deadline is still rolled back rather than committed, and one still waiting for the connection never starts.
 *
 * Once the work has finished in time the transaction is committing: the deadline then waits for the COMMIT's
 * outcome instead of guessing, so a late commit is reported as stored, never as "not saved".
 */
export function commitBefore<T>(db: Db, deadline: number, work: (tx: Db) => Promise<T>): Promise<T> {
  let state: 'waiting' | 'working' | 'committing' | 'cancelled' = 'waiting';
  // Read through a function: the timer below may set 'cancelled' while the work is awaited.
  const tooLate = () => state === 'cancelled' || remainingMs(deadline) === 0;
  const transaction = db.transaction(async (tx) => {
    if (tooLate()) throw new DeadlineExceeded();
    state = 'working';
    // PGlite cannot cancel a running statement, and the extra round trip would only delay its one connection.
    // On PostgreSQL the setting is pipelined: sent, not waited for, so the work's first statement follows it on the
    // same connection at once (postgres.js pipelines a transaction's queries) and runs under it.
    const timeoutSet = isPglite(db) ? undefined : Promise.resolve(tx.execute(sql.raw(`set local statement_timeout = ${Math.max(1, remainingMs(deadline))}`)));
    timeoutSet?.catch(() => {}); // awaited below; a failure also fails the work's statements
    const result = await work(tx as unknown as Db);
    await timeoutSet;
    if (tooLate()) throw new DeadlineExceeded();
    state = 'committing';
    return result;
  });

  return new Promise<T>((resolve, reject) => {
    let answered = false;
    const timer = setTimeout(() => {
      if (state === 'committing') return; // the outcome of the commit decides
      state = 'cancelled';
      answered = true;
      reject(new DeadlineExceeded());
    }, remainingMs(deadline));
    transaction.then(
      (v) => {
        clearTimeout(timer);
        if (!answered) resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        if (answered) return; // rolled back after the caller was told it was not saved
        reject(e instanceof DeadlineExceeded || isStatementTimeout(e) ? new DeadlineExceeded() : e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

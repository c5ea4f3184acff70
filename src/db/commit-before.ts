import { performance } from 'node:perf_hooks';
import { Column, is, SQL, sql } from 'drizzle-orm';
import type postgres from 'postgres';
import { isPglite, type Db } from './client.js';
import { isDatabaseUnavailable, isQueryCancelled, neverConnected } from './errors.js';

/** The work did not finish (or commit) before its deadline, and nothing it wrote was kept. */
export class DeadlineExceeded extends Error {
  constructor(message = 'deadline exceeded') {
    super(message);
    this.name = 'DeadlineExceeded';
  }
}

/**
 * The connection to the database was lost while a statement that stores (or a COMMIT) was on its way: it may have
 * been stored or not, and only the database can tell, once it answers again (look the entry up by its idempotency
 * key). Never "not saved" on its own: not a database-unavailable error (isDatabaseUnavailable), not DeadlineExceeded.
 */
export class CommitOutcomeUnknown extends Error {
  constructor(readonly connectionError: unknown) {
    super('the connection was lost while the entry was being committed: it may or may not be stored');
    this.name = 'CommitOutcomeUnknown';
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
        // The COMMIT was sent and its answer lost with the connection: committed or not, nobody here knows.
        if (state === 'committing' && isDatabaseUnavailable(e)) return reject(new CommitOutcomeUnknown(e));
        reject(e instanceof DeadlineExceeded || isQueryCancelled(e) ? new DeadlineExceeded() : e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** What statementBefore reads of a postgres.js 3.4.9 query: not in its types, so named here, in one place. */
interface QueryInternals {
  /** The connection's backend it was handed to; unset while it waits in the pool's queue. */
  state?: unknown;
  /** True once it is the statement its connection is running (not written behind another one). */
  active?: boolean;
  /** Sends the cancel; its promise reports whether the cancel request could be sent. */
  canceller?: ((query: unknown) => Promise<void>) | null;
}

/**
 * Cancel a postgres.js query as soon as that is safe: at once when it still waits in the pool's queue (it is dropped
 * unsent) or is running; while it is written behind another statement on its connection, only once it runs. (3.4.9
 * skips a query cancelled there when the statement ahead finishes, and its results are then read as nobody's: its
 * promise never settles.) `query.cancel()` drops the promise of its cancel request, so a cancel that cannot connect
 * (an unreachable server is when deadlines pass) would be an unhandled rejection, which ends the process; the
 * query's own canceller returns that promise, and it is caught here. Returns a function that stops waiting to cancel.
 */
function cancelWhenSafe(query: object): () => void {
  const q = query as QueryInternals;
  const attempt = (): boolean => {
    if (q.state !== undefined && !q.active) return false;
    const canceller = q.canceller;
    if (typeof canceller === 'function') {
      q.canceller = null;
      canceller(query).catch(() => {}); // the query's own promise reports what happened to it
    }
    return true;
  };
  if (attempt()) return () => {};
  const poll = setInterval(() => attempt() && clearInterval(poll), 5);
  return () => clearInterval(poll);
}

/**
 * A statement built with Drizzle that returns rows (an insert or update with returning(fields), or a select of
 * fields), with the flat selection it returns: columns (decoded as Drizzle decodes them) and sql<T> values (as the
 * driver gives them, no mapWith).
 */
export interface ReturningStatement<T> {
  fields: Record<string, Column | SQL>;
  build(db: Db): PromiseLike<T[]> & { toSQL(): { sql: string; params: unknown[] } };
}

/** A raw row in the selection's order, decoded as Drizzle would. */
function decodeRow<T>(fields: Record<string, Column | SQL>, values: unknown[]): T {
  const out: Record<string, unknown> = {};
  Object.entries(fields).forEach(([key, field], i) => {
    const raw = values[i];
    if (is(field, Column)) out[key] = raw === null ? null : field.mapFromDriverValue(raw);
    else if (is(field, SQL)) out[key] = raw;
    else throw new Error(`statementBefore: field ${key} is neither a column nor sql`);
  });
  return out as T;
}

/**
 * Run one statement, on its own (it is its own transaction), so that it is committed only if it runs before
 * `deadline`; otherwise it rejects with DeadlineExceeded and nothing was stored. The hot path's way to store: one
 * round trip, where commitBefore's BEGIN, SET LOCAL and COMMIT take three. `statement.build` makes it on the
 * database it is given.
 *
 * - PostgreSQL: the statement goes through the Drizzle database's postgres.js pool directly, so it can be
 *   cancelled. At the deadline one still waiting for a connection is dropped unsent (DeadlineExceeded); one sent is
 *   cancelled as soon as it runs (see cancelWhenSafe), and its outcome decides: cancelled means rolled back (DeadlineExceeded), rows
 *   mean it committed before the cancel arrived (answered as stored, late). A connection that could not be made
 *   stored nothing (the database's error); one lost after that leaves the outcome unknown (CommitOutcomeUnknown). Not through `reserve()`:
 *   postgres.js 3.4.9 can lose a reserved connection's queries while the pool reconnects.
 *   A cancel request names a server process, not a statement: one that arrives just after the statement finished
 *   can cancel the statement sent behind it on that connection, which then fails as cancelled and rolled back
 *   (DeadlineExceeded too, before its deadline: nothing was stored).
 * - PGlite: nothing can be cancelled there (see commitBefore), so the statement runs in commitBefore's transaction,
 *   rolled back if it finishes late.
 */
export async function statementBefore<T>(db: Db, deadline: number, statement: ReturningStatement<T>): Promise<T[]> {
  if (isPglite(db)) return commitBefore(db, deadline, async (tx) => await statement.build(tx));
  if (remainingMs(deadline) === 0) throw new DeadlineExceeded();
  const { sql: text, params } = statement.build(db).toSQL();
  const client = (db as unknown as { $client: postgres.Sql }).$client;
  const query = client.unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare: true }).values();
  let late = false;
  let stopCancelling = () => {};
  const timer = setTimeout(() => {
    late = true;
    stopCancelling = cancelWhenSafe(query);
  }, remainingMs(deadline));
  try {
    const rows = await query;
    return rows.map((values) => decodeRow<T>(statement.fields, values as unknown[]));
  } catch (e) {
    if (late && isQueryCancelled(e)) throw new DeadlineExceeded();
    // Cancelled before its deadline: a cancel request sent for the statement before it on this connection (see above)
    // arrived after that one finished. Cancelled all the same, so rolled back and nothing stored: "not saved".
    if (isQueryCancelled(e)) throw new DeadlineExceeded('cancelled by a cancel request meant for the statement before it: rolled back');
    // A connection never made received nothing; one lost after that may have committed the statement.
    if (isDatabaseUnavailable(e) && !neverConnected(e)) throw new CommitOutcomeUnknown(e);
    throw e instanceof Error ? e : new Error(String(e));
  } finally {
    clearTimeout(timer);
    stopCancelling();
  }
}

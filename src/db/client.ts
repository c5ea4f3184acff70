import path from 'node:path';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import type { Database, Db } from './database.js';
import * as schema from './schema/index.js';
import { acquireDataDirLock, type DataDirLock } from './lock-file.js';
import { createPgliteCluster } from './pglite-template.js';

export type { Database, Db, Schema } from './database.js';

export interface DbConfig {
  DATABASE_URL?: string;
  DATA_DIR: string;
}

export interface CountOption {
  /**
   * Count the queries and transactions in progress (Database.queriesInFlight), for the metrics: on only when they
   * are served, since counting wraps every query.
   */
  countQueries?: boolean;
}

/** Normalise db.execute() results: postgres.js returns an array of rows, PGlite an object with `rows`. */
export function resultRows<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  const rows = (result as { rows?: T[] } | null)?.rows;
  return rows ?? [];
}

/** Drizzle databases over PGlite (see isPglite). */
const pgliteDbs = new WeakSet<Db>();

/** True for a database opened by openPglite: one connection on this thread, no statement timeouts. */
export function isPglite(db: Db): boolean {
  return pgliteDbs.has(db);
}

/** Queries and transactions in progress through one database's client (Database.queriesInFlight). */
class InFlightCount {
  value = 0;

  /** Counts `work` until it settles. */
  async around<T>(work: () => Promise<T>): Promise<T> {
    this.value += 1;
    try {
      return await work();
    } finally {
      this.value -= 1;
    }
  }
}

/**
 * The postgres.js client Drizzle is given, counting what is in progress: a query from when the pool is handed it
 * (it may wait there for a connection) until it settles, a transaction for as long as it holds its connection.
 * postgres.js queries are lazy (sent once awaited) and settle through their own resolve/reject, which the pool calls,
 * so a query is counted from its handler call on, never merely for being built.
 */
function countingPostgres(client: postgres.Sql, count: InFlightCount): postgres.Sql {
  type Pending = { handler: (q: unknown) => unknown; resolve: (x: unknown) => unknown; reject: (x: unknown) => unknown };
  const unsafe = ((...args: Parameters<postgres.Sql['unsafe']>) => {
    const query = client.unsafe(...args);
    const pending = query as unknown as Pending;
    const handler = pending.handler;
    pending.handler = (q) => {
      count.value += 1;
      let settled = false;
      const settle = () => {
        if (!settled) count.value -= 1;
        settled = true;
      };
      const { resolve, reject } = pending;
      pending.resolve = (x) => (settle(), resolve(x));
      pending.reject = (x) => (settle(), reject(x));
      return handler(q);
    };
    return query;
  }) as postgres.Sql['unsafe'];
  const begin = ((...args: unknown[]) => count.around(() => (client.begin as (...a: unknown[]) => Promise<unknown>)(...args))) as postgres.Sql['begin'];
  return new Proxy(client, { get: (target, prop, receiver) => (prop === 'unsafe' ? unsafe : prop === 'begin' ? begin : Reflect.get(target, prop, receiver)) });
}

/** The PGlite client Drizzle is given, counting its queries and transactions in progress (queued behind one another). */
function countingPglite<C extends object>(client: C, count: InFlightCount): C {
  const counted = new Set<PropertyKey>(['query', 'exec', 'transaction']);
  return new Proxy(client, {
    get: (target, prop) => {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      // Bound to the PGlite instance itself: its methods read private fields, which a proxy does not have.
      const method = (value as (...a: unknown[]) => unknown).bind(target);
      return counted.has(prop) ? (...args: unknown[]) => count.around(() => method(...args) as Promise<unknown>) : method;
    },
  });
}

function wrap(db: Db, kind: Database['kind'], close: () => Promise<void>, count: InFlightCount | undefined, poolSize: number, url?: string): Database {
  let closed = false;
  return {
    db,
    kind,
    url,
    poolSize,
    queriesInFlight: () => count?.value,
    rows: async <T>(query: ReturnType<typeof sql>) => resultRows<T>(await db.execute(query)),
    ping: async () => {
      if (closed) return false;
      try {
        await db.execute(sql`select 1`);
        return true;
      } catch {
        return false;
      }
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await close();
    },
  };
}

/**
 * Seconds a pool connection waits before reconnecting after its last attempt failed: postgres.js's own curve
 * (3^n / 100, jittered) capped at 1 s instead of 20 s. Its count of failures is shared by the pool and only reset by
 * a connection that succeeds, so after a few seconds of outage its default delay grows to 10-20 s, and every query
 * handed to a reconnecting connection waits that out: the bot would answer "not saved" for up to 20 s after the
 * database is back. Capped, it is back within a second; a down server costs at most a refused connection a second
 * per pool connection.
 */
/** The longest a pool connection waits before reconnecting (see reconnectDelaySeconds). */
export const MAX_RECONNECT_DELAY_S = 1;

export function reconnectDelaySeconds(failures: number): number {
  return (0.5 + Math.random() / 2) * Math.min(3 ** failures / 100, MAX_RECONNECT_DELAY_S);
}

export function connectPostgres(url: string, opts: { max?: number } & CountOption = {}): Database {
  const max = opts.max ?? 10;
  const client = postgres(url, { max, onnotice: () => {}, connection: { application_name: 'sales-pulse' }, backoff: reconnectDelaySeconds });
  const count = opts.countQueries ? new InFlightCount() : undefined;
  const db = drizzlePostgres(count ? countingPostgres(client, count) : client, { schema }) as unknown as Db;
  return wrap(db, 'postgres', () => client.end({ timeout: 5 }), count, max, url);
}

export interface PgliteOptions extends CountOption {
  /**
   * The cluster a new data directory starts as a copy of, instead of running initdb (see pglite-template.ts):
   * by default the one the build made for this PGlite and these migrations, if any; null for none.
   */
  template?: string | null;
}

/**
 * PGlite in memory (tests) or persisted in a directory guarded by a lock file. PGlite and its Drizzle driver
 * are loaded here, on first use, so a bot on PostgreSQL never loads them.
 */
export async function openPglite(dataDir?: string, opts: PgliteOptions = {}): Promise<Database> {
  let lock: DataDirLock | undefined;
  if (dataDir) lock = acquireDataDirLock(dataDir);
  try {
    const [client, { drizzle: drizzlePglite }] = await Promise.all([
      dataDir
        ? createPgliteCluster(path.join(dataDir, 'pglite'), opts.template)
        : import('@electric-sql/pglite').then(({ PGlite }) => PGlite.create()),
      import('drizzle-orm/pglite'),
    ]);
    const count = opts.countQueries ? new InFlightCount() : undefined;
    const db = drizzlePglite(count ? countingPglite(client, count) : client, { schema }) as unknown as Db;
    pgliteDbs.add(db);
    return wrap(
      db,
      'pglite',
      async () => {
        try {
          await client.close();
        } finally {
          lock?.release();
        }
      },
      count,
      1,
    );
  } catch (e) {
    lock?.release();
    throw e;
  }
}

/** DATABASE_URL set: PostgreSQL. Unset: embedded PGlite under DATA_DIR. */
export async function createDb(config: DbConfig, opts: CountOption = {}): Promise<Database> {
  if (config.DATABASE_URL) return connectPostgres(config.DATABASE_URL, opts);
  return openPglite(config.DATA_DIR, opts);
}

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

function wrap(db: Db, kind: Database['kind'], close: () => Promise<void>, url?: string): Database {
  let closed = false;
  return {
    db,
    kind,
    url,
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
export function reconnectDelaySeconds(failures: number): number {
  return (0.5 + Math.random() / 2) * Math.min(3 ** failures / 100, 1);
}

export function connectPostgres(url: string, opts: { max?: number } = {}): Database {
  const client = postgres(url, { max: opts.max ?? 10, onnotice: () => {}, connection: { application_name: 'sales-pulse' }, backoff: reconnectDelaySeconds });
  const db = drizzlePostgres(client, { schema }) as unknown as Db;
  return wrap(db, 'postgres', () => client.end({ timeout: 5 }), url);
}

export interface PgliteOptions {
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
    const db = drizzlePglite(client, { schema }) as unknown as Db;
    pgliteDbs.add(db);
    return wrap(db, 'pglite', async () => {
      try {
        await client.close();
      } finally {
        lock?.release();
      }
    });
  } catch (e) {
    lock?.release();
    throw e;
  }
}

/** DATABASE_URL set: PostgreSQL. Unset: embedded PGlite under DATA_DIR. */
export async function createDb(config: DbConfig): Promise<Database> {
  if (config.DATABASE_URL) return connectPostgres(config.DATABASE_URL);
  return openPglite(config.DATA_DIR);
}

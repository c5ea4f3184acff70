import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import * as schema from './schema/index.js';
import { acquireDataDirLock, type DataDirLock } from './lock-file.js';

export type Schema = typeof schema;
/** The Drizzle database both drivers give: query builders and transactions behave the same. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** The PostgreSQL URL (postgres only), for work that needs its own connection such as migrations. */
  url?: string;
  /** Raw SQL returning rows, the same shape on both drivers. */
  rows<T = Record<string, unknown>>(query: ReturnType<typeof sql>): Promise<T[]>;
  /** True when the database answers a trivial query. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

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

export function connectPostgres(url: string, opts: { max?: number } = {}): Database {
  const client = postgres(url, { max: opts.max ?? 10, onnotice: () => {}, connection: { application_name: 'sales-pulse' } });
  const db = drizzlePostgres(client, { schema }) as unknown as Db;
  return wrap(db, 'postgres', () => client.end({ timeout: 5 }), url);
}

/** PGlite in memory (tests) or persisted in a directory guarded by a lock file. */
export async function openPglite(dataDir?: string): Promise<Database> {
  let lock: DataDirLock | undefined;
  if (dataDir) lock = acquireDataDirLock(dataDir);
  try {
    const client = dataDir ? await PGlite.create(path.join(dataDir, 'pglite')) : await PGlite.create();
    const db = drizzlePglite(client, { schema }) as unknown as Db;
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

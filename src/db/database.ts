/**
 * What a database is to the rest of the program, whichever driver is behind it (client.ts opens one).
 * Kept apart from the drivers so that the modules below them (migrate.ts, pglite-template.ts) name the
 * type without loading a driver.
 */
import type { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type * as schema from './schema/index.js';

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
  /**
   * Queries and transactions started through `db` and not yet settled, running or waiting for a connection: the
   * pool in use, for metrics (postgres.js does not tell its connections' states). Undefined unless the database
   * was opened with countQueries.
   */
  queriesInFlight(): number | undefined;
  /** Connections the pool opens at most (PGlite: 1). */
  poolSize: number;
  close(): Promise<void>;
}

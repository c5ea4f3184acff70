import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe } from 'vitest';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { connectPostgres, openPglite, type Database } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrate.js';

export type DbKind = 'pglite' | 'postgres';

/** PGlite always; PostgreSQL too when TEST_DATABASE_URL names a server (CI sets it). */
export const DB_KINDS: DbKind[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export interface TestDb {
  kind: DbKind;
  database: Database;
  /** Empty every table (keeps the schema): each test starts from nothing. */
  truncate(): Promise<void>;
  close(): Promise<void>;
}

/** A fresh, migrated database: in-memory PGlite, or a new database on the PostgreSQL server, dropped on close. */
export async function createTestDb(kind: DbKind): Promise<TestDb> {
  if (kind === 'pglite') {
    // Counting queries in flight, as main.ts opens it when metrics are on (the metrics tests read the count).
    const database = await openPglite(undefined, { countQueries: true });
    await runMigrations(database);
    return { kind, database, truncate: () => truncateAll(database), close: () => database.close() };
  }
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `sp_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = connectPostgres(url.toString(), { max: 5, countQueries: true });
  await runMigrations(database);
  return {
    kind,
    database,
    truncate: () => truncateAll(database),
    close: async () => {
      await database.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}

/**
 * Another connection to the same test database, as a second bot process would open: on PostgreSQL a new
 * postgres.js pool on the same database; on PGlite (one connection per process by design) the same
 * in-memory database, whose close() here is a no-op (the suite closes the real one).
 */
/**
 * Another connection holds `lock table <table> in exclusive mode` (on PGlite, its one connection is held by that
 * transaction), so writes to the table wait. Resolves once the lock is held, with the function that releases it.
 */
export async function lockTable(testDb: TestDb, table: string): Promise<() => Promise<void>> {
  const other = openAnotherConnection(testDb);
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const holder = other.db.transaction(async (tx) => {
    await tx.execute(sql.raw(`lock table ${table} in exclusive mode`));
    locked();
    await released;
  });
  await isLocked;
  return async () => {
    release();
    await holder;
    await other.close();
  };
}

export function openAnotherConnection(testDb: TestDb): Database {
  if (testDb.kind === 'postgres') {
    const url = testDb.database.url;
    if (!url) throw new Error('the PostgreSQL test database has no URL');
    return connectPostgres(url, { max: 5 });
  }
  return { ...testDb.database, close: async () => {} };
}

async function truncateAll(database: Database): Promise<void> {
  const tables = await database.rows<{ table_name: string }>(
    sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
  );
  if (tables.length === 0) return;
  const list = tables.map((t) => `"${t.table_name}"`).join(', ');
  await database.db.execute(sql.raw(`truncate ${list} restart identity cascade`));
}

/**
 * Run a suite once per database kind. Each suite gets its own database; every test starts with empty tables.
 * Use the getter inside tests: `const db = getDb()`.
 */
export function describeEachDb(title: string, body: (getDb: () => TestDb) => void): void {
  for (const kind of DB_KINDS) {
    describe(`${title} [${kind}]`, () => {
      let testDb: TestDb | undefined;
      beforeAll(async () => {
        testDb = await createTestDb(kind);
      });
      afterAll(async () => {
        await testDb?.close();
      });
      beforeEach(async () => {
        await testDb?.truncate();
      });
      body(() => {
        if (!testDb) throw new Error('test database not ready');
        return testDb;
      });
    });
  }
}

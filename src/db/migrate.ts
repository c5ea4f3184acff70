import type { PgliteDatabase } from 'drizzle-orm/pglite';
import { packagePath } from '../lib/package-root.js';
import type { Database } from './database.js';

export const MIGRATIONS_FOLDER = packagePath('migrations');

/** Arbitrary constant: one migrating process at a time on a shared PostgreSQL. */
const MIGRATION_LOCK_ID = 727_001;

/**
 * Apply pending migrations. Safe to call from several processes at once on PostgreSQL.
 * Each driver's migrator is loaded only when its database is used.
 */
export async function runMigrations(database: Pick<Database, 'kind' | 'db' | 'url'>): Promise<void> {
  const config = { migrationsFolder: MIGRATIONS_FOLDER };
  if (database.kind === 'pglite') {
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    await migrate(database.db as unknown as PgliteDatabase, config);
    return;
  }
  if (!database.url) throw new Error('runMigrations: a PostgreSQL database needs its URL');
  const [{ default: postgres }, { drizzle }, { migrate }] = await Promise.all([
    import('postgres'),
    import('drizzle-orm/postgres-js'),
    import('drizzle-orm/postgres-js/migrator'),
  ]);
  // An advisory lock belongs to a session: run the whole migration on one dedicated connection.
  const client = postgres(database.url, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
    await migrate(drizzle(client), config);
  } finally {
    await client.end({ timeout: 5 });
  }
}

import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { connectPostgres, type Database } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import { deferCleanup } from './cleanup.js';

/** The server benchmarks create their databases on: BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local one. */
export function benchServerUrl(): string {
  return process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
}

/** A URL safe to print and store: no password. */
export function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

export interface FreshPostgres {
  database: Database;
  url: string;
  drop(): Promise<void>;
}

/** A new, migrated database on the benchmark server (like test/helpers/db.ts), dropped by `drop()`. */
export async function freshPostgres(label: string): Promise<FreshPostgres> {
  const serverUrl = benchServerUrl();
  const name = `sp_bench_${label}_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = connectPostgres(url.toString(), { max: 5 });
  try {
    await runMigrations(database);
  } catch (e) {
    await database.close();
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end({ timeout: 5 });
    throw e;
  }
  // Dropped by drop(), or by the run's cleanup when the bench fails or is interrupted before it gets there.
  const drop = deferCleanup(async () => {
    await database.close();
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end({ timeout: 5 });
  });
  return { database, url: url.toString(), drop };
}

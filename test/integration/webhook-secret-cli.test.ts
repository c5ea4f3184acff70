import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../src/db/client.js';
import { acquireDataDirLock } from '../../src/db/lock-file.js';
import { getSecret } from '../../src/features/deals/webhook-secrets.js';
import { createTestDb, DB_KINDS, type TestDb } from '../helpers/db.js';
import { CLI_ARGS, ROOT } from '../helpers/built.js';

const SECRET = /spwh_[0-9a-f]{64}/g;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run cli -- <args>` as an operator runs it: on the embedded database in `dataDir`, or on DATABASE_URL. */
function cli(dataDir: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...CLI_ARGS, ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), DATA_DIR: dataDir, ...env } },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function storedSecret(dataDir: string, teamId: string): Promise<string | null> {
  const database = await openPglite(dataDir);
  try {
    return await getSecret(database.db, teamId);
  } finally {
    await database.close();
  }
}

describe('npm run cli -- webhook-secret (embedded database)', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-webhook-secret-'));
  });
  afterAll(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints a new secret once, refuses to show it again, prints a different one with --rotate, and stores what it printed', async () => {
    // A fresh data directory: the command migrates it and creates the workspace row.
    const created = await cli(dataDir, ['webhook-secret', '--workspace', 'T1']);
    expect(created.code, created.stderr).toBe(0);
    const printed = created.stdout.match(SECRET) ?? [];
    expect(printed).toHaveLength(1);
    expect(created.stdout).toContain('Created the deal-webhook secret of workspace T1');
    expect(created.stdout).toContain('shown only this once');
    expect(await storedSecret(dataDir, 'T1')).toBe(printed[0]);

    const again = await cli(dataDir, ['webhook-secret', '--workspace', 'T1']);
    expect(again.code).toBe(1);
    expect(again.stdout + again.stderr).not.toMatch(SECRET);
    expect(again.stderr).toContain('Workspace T1 already has a deal-webhook secret');
    expect(again.stderr).toContain('npm run cli -- webhook-secret --workspace T1 --rotate');
    expect(await storedSecret(dataDir, 'T1')).toBe(printed[0]);

    const rotated = await cli(dataDir, ['webhook-secret', '--workspace', 'T1', '--rotate']);
    expect(rotated.code, rotated.stderr).toBe(0);
    const newSecret = rotated.stdout.match(SECRET) ?? [];
    expect(newSecret).toHaveLength(1);
    expect(newSecret[0]).not.toBe(printed[0]);
    expect(rotated.stdout).toContain('Rotated the deal-webhook secret of workspace T1');
    expect(rotated.stdout).toContain('The old secret no longer works');
    expect(await storedSecret(dataDir, 'T1')).toBe(newSecret[0]);

    // Another workspace gets its own secret; --rotate on a workspace without one creates it.
    const other = await cli(dataDir, ['webhook-secret', '--rotate', '--workspace', 'T2']);
    expect(other.code, other.stderr).toBe(0);
    expect(other.stdout).toContain('Created the deal-webhook secret of workspace T2');
    expect(await storedSecret(dataDir, 'T2')).toBe(other.stdout.match(SECRET)![0]);
    expect(await storedSecret(dataDir, 'T1')).toBe(newSecret[0]);
  }, 120_000);

  it('explains a missing or malformed --workspace and an unknown option, touching nothing', async () => {
    const missing = await cli(dataDir, ['webhook-secret']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('--workspace <team_id> is required');
    const malformed = await cli(dataDir, ['webhook-secret', '--workspace', 'acme']);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain('"acme" is not a Slack team id');
    const unknown = await cli(dataDir, ['webhook-secret', '--workspace', 'T3', '--force']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("Unknown option '--force'");
    for (const run of [missing, malformed, unknown]) expect(run.stdout + run.stderr).not.toMatch(SECRET);
    expect(await storedSecret(dataDir, 'T3')).toBeNull();
  }, 60_000);

  it('stops with the lock message while another process (the bot) holds the embedded database', async () => {
    const lock = acquireDataDirLock(dataDir);
    try {
      const run = await cli(dataDir, ['webhook-secret', '--workspace', 'T9']);
      expect(run.code).toBe(75);
      expect(run.stderr).toMatch(/already open in another Sales Pulse process.*Stop the running bot first/s);
      expect(run.stdout + run.stderr).not.toMatch(SECRET);
    } finally {
      lock.release();
    }
    expect(await storedSecret(dataDir, 'T9')).toBeNull();
  }, 60_000);
});

describe.runIf(DB_KINDS.includes('postgres'))('npm run cli -- webhook-secret (PostgreSQL, DATABASE_URL)', () => {
  let testDb: TestDb;
  let dataDir: string;
  beforeAll(async () => {
    testDb = await createTestDb('postgres');
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-webhook-secret-pg-'));
  });
  afterAll(async () => {
    await testDb?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates, refuses to show again, and rotates the secret in the PostgreSQL database', async () => {
    const env = { DATABASE_URL: testDb.database.url! };
    const created = await cli(dataDir, ['webhook-secret', '--workspace', 'T1'], env);
    expect(created.code, created.stderr).toBe(0);
    const printed = created.stdout.match(SECRET)![0];
    expect(await getSecret(testDb.database.db, 'T1')).toBe(printed);

    const again = await cli(dataDir, ['webhook-secret', '--workspace', 'T1'], env);
    expect(again.code).toBe(1);
    expect(again.stdout + again.stderr).not.toMatch(SECRET);

    const rotated = await cli(dataDir, ['webhook-secret', '--workspace', 'T1', '--rotate'], env);
    expect(rotated.code, rotated.stderr).toBe(0);
    const newSecret = rotated.stdout.match(SECRET)![0];
    expect(newSecret).not.toBe(printed);
    expect(await getSecret(testDb.database.db, 'T1')).toBe(newSecret);
    // Nothing was written to the embedded database's directory.
    expect(fs.readdirSync(dataDir)).toEqual([]);
  }, 60_000);
});

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite, type Db } from '../../src/db/client.js';
import { acquireDataDirLock } from '../../src/db/lock-file.js';
import { webhookSecrets } from '../../src/db/schema/index.js';
import { getSecret } from '../../src/features/deals/webhook-secrets.js';
import { ENCRYPTION_KEY_FILE, loadSecretBox, secretBoxFromEnvironment } from '../../src/lib/encryption-key.js';
import { generateEncryptionKey, SecretBox } from '../../src/lib/secret-box.js';
import { ensureWorkspace } from '../../src/slack/workspace.js';
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

const quiet = { info: () => {}, warn: () => {} };

/** What the row holds: never the secret itself. */
async function storedRow(db: Db, teamId: string): Promise<string | undefined> {
  const [row] = await db.select({ secret: webhookSecrets.secret }).from(webhookSecrets).where(eq(webhookSecrets.teamId, teamId));
  return row?.secret;
}

/** The secret as the bot reads it (with the key in the data directory, or `box`), after checking it is stored encrypted. */
async function storedSecret(dataDir: string, teamId: string, box?: SecretBox): Promise<string | null> {
  const database = await openPglite(dataDir);
  try {
    const row = await storedRow(database.db, teamId);
    if (row !== undefined) {
      expect(row).toMatch(/^sb1:/);
      expect(row).not.toMatch(SECRET);
    }
    return await getSecret(database.db, box ?? loadSecretBox({ DATA_DIR: dataDir }, quiet), teamId);
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
    // No ENCRYPTION_KEY: a key was made in the data directory, for this user only, and the operator told so.
    const keyFile = path.join(dataDir, ENCRYPTION_KEY_FILE);
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(created.stderr).toContain(`ENCRYPTION_KEY is not set: generated an encryption key for secrets at rest in ${keyFile}`);
    expect(created.stderr).toContain('In production set ENCRYPTION_KEY');
    expect(await storedSecret(dataDir, 'T1')).toBe(printed[0]);

    const again = await cli(dataDir, ['webhook-secret', '--workspace', 'T1']);
    expect(again.code).toBe(1);
    expect(again.stdout + again.stderr).not.toMatch(SECRET);
    expect(again.stderr).not.toContain('generated an encryption key');
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

  it('reencrypt-secrets: moves every secret to a new key given the old one, encrypts plaintext ones, and reports one it cannot open', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-reencrypt-'));
    try {
      // Secrets made with the generated key file, plus one stored in plaintext by an earlier version.
      const created = await cli(dir, ['webhook-secret', '--workspace', 'T1']);
      expect(created.code, created.stderr).toBe(0);
      const t1 = created.stdout.match(SECRET)![0];
      const legacy = `spwh_${'ab'.repeat(32)}`;
      let database = await openPglite(dir);
      await ensureWorkspace(database.db, 'T2');
      await database.db.insert(webhookSecrets).values({ teamId: 'T2', secret: legacy });
      await database.close();
      const oldKey = fs.readFileSync(path.join(dir, ENCRYPTION_KEY_FILE), 'utf8').trim();
      const newKey = generateEncryptionKey();
      const newBox = secretBoxFromEnvironment({ ENCRYPTION_KEY: newKey })!;

      const rotated = await cli(dir, ['reencrypt-secrets'], { ENCRYPTION_KEY: newKey, OLD_ENCRYPTION_KEY: oldKey });
      expect(rotated.code, rotated.stderr).toBe(0);
      expect(rotated.stdout).toContain(`Deal-webhook secrets: 1 re-encrypted from the previous key, 1 encrypted from plaintext; all readable ones are now encrypted with key ${newBox.keyId}.`);
      expect(rotated.stdout + rotated.stderr).not.toMatch(SECRET);
      expect(await storedSecret(dir, 'T1', newBox)).toBe(t1);
      expect(await storedSecret(dir, 'T2', newBox)).toBe(legacy);
      // The old key alone opens nothing any more.
      await expect(storedSecret(dir, 'T1', secretBoxFromEnvironment({ ENCRYPTION_KEY: oldKey }))).rejects.toThrow(/sealed with encryption key/);

      const again = await cli(dir, ['reencrypt-secrets'], { ENCRYPTION_KEY: newKey, OLD_ENCRYPTION_KEY: oldKey });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toContain('0 re-encrypted from the previous key, 0 encrypted from plaintext');

      // A key that opens neither: reported with the workspaces, exit 1, nothing changed.
      database = await openPglite(dir);
      const before = await storedRow(database.db, 'T1');
      await database.close();
      const wrong = await cli(dir, ['reencrypt-secrets'], { ENCRYPTION_KEY: generateEncryptionKey() });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain('2 secrets were encrypted with neither ENCRYPTION_KEY nor OLD_ENCRYPTION_KEY');
      expect(wrong.stderr).toContain('workspaces T1, T2');
      database = await openPglite(dir);
      expect(await storedRow(database.db, 'T1')).toBe(before);
      await database.close();

      // A malformed key stops the command before it touches anything, naming the variable (never its value).
      const bad = await cli(dir, ['reencrypt-secrets'], { ENCRYPTION_KEY: 'not-a-key-123' });
      expect(bad.code).toBe(78);
      expect(bad.stderr).toContain('ENCRYPTION_KEY must be 32 random bytes written as 64 hex characters or as base64');
      expect(bad.stderr).not.toContain('not-a-key-123');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

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

  it('creates, refuses to show again, and rotates the secret in the PostgreSQL database, encrypted with ENCRYPTION_KEY', async () => {
    const key = generateEncryptionKey();
    const box = secretBoxFromEnvironment({ ENCRYPTION_KEY: key })!;
    const env = { DATABASE_URL: testDb.database.url!, ENCRYPTION_KEY: key };
    const created = await cli(dataDir, ['webhook-secret', '--workspace', 'T1'], env);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stderr).toBe('');
    const printed = created.stdout.match(SECRET)![0];
    expect(await storedRow(testDb.database.db, 'T1')).toMatch(new RegExp(`^sb1:${box.keyId}:`));
    expect(await getSecret(testDb.database.db, box, 'T1')).toBe(printed);

    const again = await cli(dataDir, ['webhook-secret', '--workspace', 'T1'], env);
    expect(again.code).toBe(1);
    expect(again.stdout + again.stderr).not.toMatch(SECRET);

    const rotated = await cli(dataDir, ['webhook-secret', '--workspace', 'T1', '--rotate'], env);
    expect(rotated.code, rotated.stderr).toBe(0);
    const newSecret = rotated.stdout.match(SECRET)![0];
    expect(newSecret).not.toBe(printed);
    expect(await getSecret(testDb.database.db, box, 'T1')).toBe(newSecret);
    // Nothing was written to the embedded database's directory.
    expect(fs.readdirSync(dataDir)).toEqual([]);
  }, 60_000);
});

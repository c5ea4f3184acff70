/**
 * The encryption key of secrets at rest as `npm start` resolves it (issue 11 #9), in a spawned bot process:
 * without ENCRYPTION_KEY a key is generated into DATA_DIR (mode 0600) with a log line saying to set it in
 * production, and plaintext webhook secrets left by an earlier version are encrypted at start and keep working;
 * a malformed ENCRYPTION_KEY stops the start with a message naming the variable.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrate.js';
import { webhookSecrets } from '../../src/db/schema/index.js';
import { ENCRYPTION_KEY_FILE, loadSecretBox } from '../../src/lib/encryption-key.js';
import { ensureWorkspace } from '../../src/slack/workspace.js';
import { manifestBotScopes, startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import { BOT_TOKEN, SIGNING_SECRET } from '../helpers/harness.js';
import { freePort, startBot } from '../helpers/built.js';
import { DEFAULT_TEAM_ID, DEFAULT_USER_ID } from '../helpers/signed-request.js';
import { sendDealWebhook } from '../helpers/webhook-signer.js';

const LEGACY = `spwh_${'c3'.repeat(32)}`;



describe('the encryption key at start (npm start, embedded database)', () => {
  let fake: FakeSlack;
  let dataDir: string;
  beforeAll(async () => {
    fake = await startFakeSlack({ botToken: BOT_TOKEN, scopes: manifestBotScopes() });
    fake.addUser({ id: DEFAULT_USER_ID, tz: 'Europe/London' });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-key-'));
  });
  afterAll(async () => {
    await fake.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('no ENCRYPTION_KEY: generates the key file (0600) and says to set it; plaintext secrets are encrypted at start and keep working', async () => {
    // A data directory from an earlier version: the secret stored in plaintext.
    const before = await openPglite(dataDir);
    await runMigrations(before);
    await ensureWorkspace(before.db, DEFAULT_TEAM_ID);
    await before.db.insert(webhookSecrets).values({ teamId: DEFAULT_TEAM_ID, secret: LEGACY });
    await before.close();

    const port = await freePort();
    const bot = startBot({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info' });
    try {
      const until = Date.now() + 60_000;
      while (!bot.output().includes('Sales Pulse is listening') && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      expect(bot.output()).toContain('Sales Pulse is listening');
      const keyFile = path.join(dataDir, ENCRYPTION_KEY_FILE);
      expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
      const lines = bot.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.find((l) => String(l.msg).startsWith('ENCRYPTION_KEY is not set: generated an encryption key'))).toMatchObject({ level: 40, keyFile });
      expect(lines.find((l) => l.msg === 'encrypted the webhook secrets stored in plaintext by an earlier version')).toMatchObject({ sealed: 1 });

      const res = await sendDealWebhook(
        { external_id: 'crm-1', status: 'won', amount: '10', slack_user_id: DEFAULT_USER_ID },
        { url: `http://127.0.0.1:${port}/webhooks/deals`, teamId: DEFAULT_TEAM_ID, secret: LEGACY },
      );
      expect(res.status).toBe(200);
    } finally {
      bot.child.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
    }
    expect(bot.output()).not.toContain(LEGACY);

    const after = await openPglite(dataDir);
    try {
      const [row] = await after.db.select().from(webhookSecrets).where(eq(webhookSecrets.teamId, DEFAULT_TEAM_ID));
      expect(row!.secret).toMatch(/^sb1:/);
      const box = loadSecretBox({ DATA_DIR: dataDir }, { info: () => {}, warn: () => {} });
      expect(box.open(row!.secret, `webhook_secrets:${DEFAULT_TEAM_ID}`)).toBe(LEGACY);
    } finally {
      await after.close();
    }
  }, 120_000);

  it('a malformed ENCRYPTION_KEY stops the start with a message naming the variable, never its value', async () => {
    const bot = startBot({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, PORT: String(await freePort()), DATA_DIR: dataDir, ENCRYPTION_KEY: 'abc123-too-short' });
    expect(await bot.exited).toBe(78);
    expect(bot.output()).toContain('ENCRYPTION_KEY must be 32 random bytes written as 64 hex characters or as base64 (make one with: openssl rand -hex 32)');
    expect(bot.output()).not.toContain('abc123-too-short');
  }, 60_000);
});

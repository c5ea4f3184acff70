/**
 * Secrets never reach the logs. The built bot (`node dist/main.js`, what `npm start` runs) at LOG_LEVEL=debug, on
 * each database, through a run that touches every path that logs: commands of every kind, an admin command, the App
 * Home event, Slack calls that fail (an API error, a 5xx, Slack unreachable), Slack requests with the signing secret
 * in the wrong header and replayed, deal webhooks signed, mis-signed, stale, replayed and with the webhook secret in
 * the wrong header or field, shutdown; then starts that fail (a Slack API URL with credentials in it, a malformed
 * ENCRYPTION_KEY, an unreachable database whose URL has a password). Everything the processes wrote, stdout and
 * stderr, is scanned for every secret the run used: the bot token, the signing secret, the webhook secret, the
 * encryption key (hex and base64), the database and URL passwords; none may appear, whole or in part (any 12
 * characters of one).
 */
import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openPglite, type Database } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrate.js';
import { createOrRotateSecret } from '../../src/features/deals/webhook-secrets.js';
import { secretBoxFromEnvironment } from '../../src/lib/encryption-key.js';
import { freePort, startBot } from '../helpers/built.js';
import { createTestDb, DB_KINDS, type DbKind } from '../helpers/db.js';
import { manifestBotScopes, startFakeSlack } from '../helpers/fake-slack.js';
import { DEFAULT_TEAM_ID, DEFAULT_USER_ID, signSlackRequest, slackSender } from '../helpers/signed-request.js';
import { sendDealWebhook } from '../helpers/webhook-signer.js';

const ADMIN = 'U0ADMIN03';
const digits = (n: number) => Array.from(randomBytes(n), (b) => String(b % 10)).join('');
const alnum = (n: number) => randomBytes(n).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, n).padEnd(n, 'Q');

interface Run {
  output: () => string;
  exited: Promise<number | null>;
  stop: () => Promise<number | null>;
}

/** The built bot (see startBot), with a way to stop it with SIGTERM. */
function startStoppableBot(env: Record<string, string>): Run {
  const { child, output, exited } = startBot(env);
  return {
    output,
    exited,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

async function until(check: () => boolean | Promise<boolean>, what: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}


/** Every secret and every 12-character piece of it, with the secret's name. */
function piecesOf(secrets: Record<string, string>): [string, string][] {
  const pieces: [string, string][] = [];
  for (const [name, secret] of Object.entries(secrets)) {
    for (let i = 0; i + 12 <= secret.length; i++) pieces.push([name, secret.slice(i, i + 12)]);
  }
  return pieces;
}

describe.each(DB_KINDS)('secrets never reach the logs [%s]', (kind: DbKind) => {
  it('a debug-level run of the built bot, and starts that fail, log none of the secrets used', async () => {
    const encryptionKey = randomBytes(32).toString('hex');
    const secrets: Record<string, string> = {
      botToken: `xoxb-${digits(12)}-${digits(13)}-${alnum(24)}`,
      signingSecret: randomBytes(16).toString('hex'),
      encryptionKeyHex: encryptionKey,
      encryptionKeyBase64: Buffer.from(encryptionKey, 'hex').toString('base64'),
      apiUrlPassword: `apiPw${alnum(16)}`,
    };
    const box = secretBoxFromEnvironment({ ENCRYPTION_KEY: encryptionKey })!;
    const fake = await startFakeSlack({ botToken: secrets.botToken!, scopes: manifestBotScopes() });
    fake.addUser({ id: DEFAULT_USER_ID, name: 'ana', tz: 'America/New_York' });
    fake.addUser({ id: ADMIN, name: 'ada', tz: 'America/New_York', is_admin: true });
    fake.addUser({ id: 'U0FAIL001', name: 'fay', tz: 'Europe/London' });

    // Storage, and the workspace's webhook secret made before the bot starts (as `npm run cli -- webhook-secret` does).
    const storage: Record<string, string> = {};
    let testDb: Awaited<ReturnType<typeof createTestDb>> | undefined;
    let dataDir: string | undefined;
    let database: Database;
    if (kind === 'postgres') {
      testDb = await createTestDb('postgres');
      database = testDb.database;
      secrets.databasePassword = `dbPw${alnum(20)}`;
      const url = new URL(testDb.database.url!);
      url.password = secrets.databasePassword;
      storage.DATABASE_URL = url.toString();
    } else {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-log-secrets-'));
      storage.DATA_DIR = dataDir;
      database = await openPglite(dataDir);
      await runMigrations(database);
    }
    secrets.webhookSecret = (await createOrRotateSecret(database.db, box, DEFAULT_TEAM_ID, { rotate: false, now: new Date() })).secret!;
    if (kind === 'pglite') await database.close();

    const outputs: string[] = [];
    try {
      const port = await freePort();
      const env = { SLACK_BOT_TOKEN: secrets.botToken!, SLACK_SIGNING_SECRET: secrets.signingSecret!, SLACK_API_URL: fake.apiUrl, ENCRYPTION_KEY: encryptionKey, PORT: String(port), LOG_LEVEL: 'debug', ...storage };
      const bot = startStoppableBot(env);
      await until(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200, bot.output);
      const base = `http://127.0.0.1:${port}`;
      const slack = slackSender({ url: `${base}/slack/events`, signingSecret: secrets.signingSecret!, responseUrl: (id) => fake.responseUrl(id) });

      // Commands of every kind, an admin's, a rep's refused one, the Home tab.
      for (const [command, text, userId] of [
        ['/log-call', 'Acme x2 #connected -- asked for pricing', DEFAULT_USER_ID],
        ['/log-deal', 'Globex $5,000 -- renewal', DEFAULT_USER_ID],
        ['/leaderboard', 'this month', DEFAULT_USER_ID],
        ['/my-stats', '', DEFAULT_USER_ID],
        ['/sales-admin', 'target everyone calls 5/week', ADMIN],
        ['/sales-admin', 'celebrations <#C0WINS|wins>', DEFAULT_USER_ID],
        ['/log-call', 'Globex 99999h', DEFAULT_USER_ID],
      ] as const) {
        expect((await slack.command({ command, text, userId })).status).toBe(200);
      }
      expect((await slack.event({ type: 'app_home_opened', user: DEFAULT_USER_ID, channel: 'D0001', tab: 'home' })).status).toBe(200);

      // Slack calls that fail: an API error (users.info for someone new) and a 5xx (the Home tab's refresh).
      fake.failNext('users.info', { error: 'invalid_auth' });
      fake.failNext('views.publish', { status: 500, times: 5 });
      expect((await slack.command({ command: '/log-call', text: 'Initech', userId: 'U0FAIL001' })).status).toBe(200);

      // Slack requests with the signing secret where the signature or timestamp goes, and a replay.
      const body = new URLSearchParams({ command: '/log-call', text: 'Acme', team_id: DEFAULT_TEAM_ID, user_id: DEFAULT_USER_ID, trigger_id: '1.2.3' }).toString();
      const form = { 'content-type': 'application/x-www-form-urlencoded' };
      expect((await slack.raw(body, { ...form, 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)), 'x-slack-signature': `v0=${secrets.signingSecret}` })).status).toBe(401);
      expect((await slack.raw(body, { ...form, 'x-slack-request-timestamp': secrets.signingSecret!, 'x-slack-signature': 'v0=00' })).status).toBe(401);
      const signed = { ...form, ...signSlackRequest(secrets.signingSecret!, body) };
      expect((await slack.raw(body, signed)).status).toBe(200);
      expect((await slack.raw(body, signed)).status).toBe(401);

      // Deal webhooks: right, wrong, stale, replayed, and the secret where it does not belong.
      const deal = { external_id: 'crm-1', status: 'won', amount: '5000', currency: 'USD', account: 'Initech', slack_user_id: DEFAULT_USER_ID };
      const hook = { url: `${base}/webhooks/deals`, teamId: DEFAULT_TEAM_ID, secret: secrets.webhookSecret };
      const now = Math.floor(Date.now() / 1000);
      expect((await sendDealWebhook(deal, { ...hook, timestamp: now })).status).toBe(200);
      expect((await sendDealWebhook(deal, { ...hook, timestamp: now })).status).toBe(409);
      expect((await sendDealWebhook(deal, { ...hook, secret: 'spwh_wrongsecret123' })).status).toBe(401);
      expect((await sendDealWebhook(deal, { ...hook, timestamp: now - 3600 })).status).toBe(401);
      expect((await sendDealWebhook(deal, { ...hook, headers: { 'x-sales-pulse-signature': `sha256=${secrets.webhookSecret}` } })).status).toBe(401);
      expect((await sendDealWebhook(deal, { ...hook, headers: { 'x-sales-pulse-workspace': secrets.webhookSecret } })).status).toBe(401);
      expect((await sendDealWebhook({ ...deal, external_id: 'crm-2', currency: secrets.webhookSecret, notes: secrets.botToken }, hook)).status).toBe(400);
      expect((await sendDealWebhook('{"truncated', hook)).status).toBe(400);

      // Slack unreachable: a request error carries the client's config (its Authorization header) and the URL.
      await fake.close();
      expect((await slack.command({ command: '/log-call', text: 'Umbrella', userId: 'U0GONE001' })).status).toBe(200);
      await until(() => bot.output().includes('http request failed'), bot.output, 15_000);
      expect(await bot.stop()).toBe(0);
      outputs.push(bot.output());

      // Starts that fail: credentials in the Slack API URL, a malformed key, an unreachable database with a password.
      const withCredentials = startStoppableBot({ ...env, SLACK_API_URL: `http://sales:${secrets.apiUrlPassword}@127.0.0.1:${await freePort()}/api/` });
      await until(() => withCredentials.output().includes('http request failed'), withCredentials.output);
      await withCredentials.stop();
      outputs.push(withCredentials.output());
      const badKey = startStoppableBot({ ...env, ENCRYPTION_KEY: encryptionKey.slice(0, 63) });
      expect(await badKey.exited).toBe(78);
      expect(badKey.output()).toContain('ENCRYPTION_KEY');
      outputs.push(badKey.output());
      if (kind === 'postgres') {
        const unreachable = new URL(storage.DATABASE_URL!);
        unreachable.port = String(await freePort());
        const noDatabase = startStoppableBot({ ...env, DATABASE_URL: unreachable.toString() });
        expect(await noDatabase.exited).toBe(1);
        expect(noDatabase.output()).toContain('ECONNREFUSED');
        outputs.push(noDatabase.output());
      }
    } finally {
      await fake.close().catch(() => {});
      await testDb?.close();
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    }

    const all = outputs.join('\n');
    // The run went where it should: debug lines, refusals, failed calls, the shutdown.
    for (const seen of ['"level":20', 'http request headers', 'slack request refused', 'deal webhook refused: not authenticated', 'deal webhook refused: already received', 'users.info failed', 'http request failed fetch failed', 'cannot be constructed from a URL that includes credentials', 'stopped cleanly']) {
      expect(all, seen).toContain(seen);
    }
    const leaks = piecesOf(secrets).filter(([, piece]) => all.includes(piece) || all.toLowerCase().includes(piece.toLowerCase()));
    expect(leaks.map(([name, piece]) => `${name}: …${piece}… at ${all.toLowerCase().indexOf(piece.toLowerCase())}`)).toEqual([]);
    // A webhook signature computed with a secret is not the secret: only what was redacted stands for it.
    expect(all).not.toContain(createHmac('sha256', secrets.webhookSecret!).update('x').digest('hex').slice(0, 12));
  }, 120_000);
});

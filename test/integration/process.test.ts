import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openPglite } from '../../src/db/client.js';
import { manifestBotScopes, startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import { DEFAULT_USER_ID, slackSender } from '../helpers/signed-request.js';
import { BOT_TOKEN, SIGNING_SECRET } from '../helpers/harness.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** Exactly what `npm start` runs: node with tsx's loader in the same process (no wrapper process between us and the signal). */
const START = [process.execPath, ['--import', 'tsx', 'src/main.ts']] as const;

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startBot(env: Record<string, string>): Running {
  const child = spawn(START[0], [...START[1]], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitForHealth(port: number, run: Running, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.status === 200) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`bot did not become ready:\n${run.output()}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

describe('the bot process (npm start) on the embedded database', () => {
  let fake: FakeSlack;
  let dataDir: string;
  beforeAll(async () => {
    fake = await startFakeSlack({ botToken: BOT_TOKEN, scopes: manifestBotScopes() });
    fake.addUser({ id: DEFAULT_USER_ID, tz: 'Europe/London' });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-proc-'));
  });
  afterAll(async () => {
    await fake.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves health checks, refuses a second process on the same data directory, finishes in-flight work on SIGTERM and reopens intact', async () => {
    const port = await freePort();
    const env = { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info' };
    const bot = startBot(env);
    await waitForHealth(port, bot);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

    // A second process on the same directory stops at once and says what to do.
    const second = startBot({ ...env, PORT: String(await freePort()) });
    expect(await second.exited).toBe(75);
    expect(second.output()).toMatch(/already open in another Sales Pulse process.*Stop the running bot first.*DATABASE_URL/s);

    // A command acknowledged just before SIGTERM is still stored and answered.
    const slack = slackSender({ url: `http://127.0.0.1:${port}/slack/events`, signingSecret: SIGNING_SECRET, responseUrl: (id) => fake.responseUrl(id) });
    const res = await slack.command({ command: '/log-call', text: 'Acme Corp x3 #connected -- before shutdown' });
    expect(res.status).toBe(200);
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    expect(bot.output()).toContain('stopped cleanly');
    const reply = await fake.waitFor('response_url', undefined, 1000);
    expect(reply.args.text).toContain('Logged 3 calls (connected) with Acme Corp');
    expect(fs.existsSync(path.join(dataDir, 'sales-pulse.lock'))).toBe(false);

    // The data directory reopens intact, with the row.
    const reopened = await openPglite(dataDir);
    try {
      const rows = await reopened.rows<{ account: string; quantity: number }>(sql`select account, quantity from activities`);
      expect(rows).toEqual([{ account: 'Acme Corp', quantity: 3 }]);
    } finally {
      await reopened.close();
    }
    // Secrets never reach the logs.
    expect(bot.output()).not.toContain(BOT_TOKEN);
    expect(bot.output()).not.toContain(SIGNING_SECRET);
  }, 90_000);

  it('stops with a message naming the variable when configuration is missing', async () => {
    const run = startBot({ SLACK_SIGNING_SECRET: SIGNING_SECRET, DATA_DIR: dataDir });
    expect(await run.exited).toBe(78);
    expect(run.output()).toContain('SLACK_BOT_TOKEN is required');
    expect(fs.existsSync(path.join(dataDir, 'sales-pulse.lock'))).toBe(false);
  }, 30_000);
});

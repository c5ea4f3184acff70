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
import { freePort, startBot, waitForHealth, type Running } from '../helpers/built.js';
import { createTestDb, DB_KINDS } from '../helpers/db.js';





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
    const env = { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info', METRICS: '1' };
    const bot = startBot(env);
    await waitForHealth(port, bot);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    // Metrics on: the database was opened counting its queries in flight.
    expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toMatch(/^sales_pulse_db_queries_in_flight \d+$/m);

    // A second process on the same directory stops at once and says what to do.
    const second = startBot({ ...env, PORT: String(await freePort()) });
    expect(await second.exited).toBe(75);
    expect(second.output()).toMatch(/already open in another Sales Pulse process.*Stop the running bot first.*DATABASE_URL/s);

    // A command acknowledged just before SIGTERM was stored and confirmed in its ack; it survives the shutdown.
    const slack = slackSender({ url: `http://127.0.0.1:${port}/slack/events`, signingSecret: SIGNING_SECRET, responseUrl: (id) => fake.responseUrl(id) });
    const res = await slack.command({ command: '/log-call', text: 'Acme Corp x3 #connected -- before shutdown' });
    expect(res.status).toBe(200);
    expect((res.json() as { text: string }).text).toContain('Logged 3 calls (connected) with Acme Corp');
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    expect(bot.output()).toContain('stopped cleanly');
    expect(fake.callsTo('response_url')).toEqual([]);
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

  it('SIGTERM under a stream of commands on keep-alive connections: every 200 is stored and confirmed, nothing else is stored, and it exits', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-proc-load-'));
    const port = await freePort();
    const bot = startBot({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, PORT: String(port), DATA_DIR: dir, LOG_LEVEL: 'info' });
    try {
      await waitForHealth(port, bot);
      const slack = slackSender({ url: `http://127.0.0.1:${port}/slack/events`, signingSecret: SIGNING_SECRET, responseUrl: (id) => fake.responseUrl(id) });
      const answered = new Map<string, string>(); // trigger_id -> the ack's text, for every 200
      const refused: string[] = []; // trigger_ids of requests that got no 200 (refused, reset, or another status)
      let sent = 0;
      let stop = false;
      // Eight clients, each sending one command after another on fetch's keep-alive connections, until the bot is gone.
      const client = async (n: number) => {
        for (let i = 0; !stop; i++) {
          const triggerId = `load-${n}-${i}`;
          sent++;
          try {
            const res = await slack.command({ command: '/log-call', text: `Account ${n}-${i} 5m #connected`, triggerId });
            if (res.status === 200) answered.set(triggerId, String((res.json() as { text?: string } | null)?.text ?? ''));
            else refused.push(triggerId);
          } catch {
            refused.push(triggerId);
            await new Promise((r) => setTimeout(r, 20));
          }
        }
      };
      const clients = Array.from({ length: 8 }, (_, n) => client(n));
      while (answered.size < 40) await new Promise((r) => setTimeout(r, 10));
      bot.child.kill('SIGTERM');
      // Without Connection: close on shutdown, the clients' keep-alive connections kept it serving and it never exited.
      expect(await bot.exited).toBe(0);
      stop = true;
      await Promise.all(clients);
      expect(bot.output()).toContain('stopped cleanly');
      expect(bot.output()).not.toMatch(/CONNECTION_ENDED|error during shutdown/);

      const reopened = await openPglite(dir);
      try {
        const rows = await reopened.rows<{ key: string }>(sql`select idempotency_key as key from activities`);
        const stored = new Set(rows.map((r) => r.key.replace(/^cmd:/, '')));
        // Every command answered 200 was confirmed in its ack and is stored; no command without a 200 is.
        for (const [triggerId, text] of answered) {
          expect(text, triggerId).toMatch(/^Logged 1 call \(connected\) with Account/);
          expect(stored.has(triggerId), `${triggerId} answered but not stored`).toBe(true);
        }
        expect(refused.filter((t) => stored.has(t))).toEqual([]);
        expect(stored.size).toBe(answered.size);
        expect(sent).toBe(answered.size + refused.length);
      } finally {
        await reopened.close();
      }
    } finally {
      if (bot.child.exitCode === null) bot.child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('stops with a message naming the variable when configuration is missing', async () => {
    const run = startBot({ SLACK_SIGNING_SECRET: SIGNING_SECRET, DATA_DIR: dataDir });
    expect(await run.exited).toBe(78);
    expect(run.output()).toContain('SLACK_BOT_TOKEN is required');
    expect(fs.existsSync(path.join(dataDir, 'sales-pulse.lock'))).toBe(false);
  }, 30_000);
});

describe('npm start without Slack credentials: the local sandbox', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-sandbox-proc-'));
  });
  afterAll(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function waitForLine(run: Running, pattern: RegExp, timeoutMs = 45_000): Promise<RegExpMatchArray> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const match = run.output().match(pattern);
      if (match) return match;
      if (run.child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no line matching ${pattern}:\n${run.output()}`);
  }

  const post = (url: string, body: object) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, json: (await r.json()) as Record<string, unknown> }));

  it('serves the sandbox on 127.0.0.1, says so last, keeps its workspace across a restart, and stops cleanly', async () => {
    const port = await freePort();
    // Empty credentials count as unset, in the environment as in .env.
    const env = { PORT: String(port), DATA_DIR: dataDir, SLACK_BOT_TOKEN: '' };
    const ui = async () => ((await (await fetch(`http://127.0.0.1:${port}/sandbox/ui?as=U0SPREP01&conv=C0SPSALES`)).json()) as { body: string }).body;
    const first = startBot(env);
    const stopLater = [first];
    try {
      await waitForLine(first, /Sales Pulse sandbox: http:\/\/127\.0\.0\.1:\d+\n/);
      const lines = first.output().trim().split('\n');
      expect(lines.at(-1)).toBe(`Sales Pulse sandbox: http://127.0.0.1:${port}`);
      expect(lines.at(-2)).toMatch(/local sandbox.*127\.0\.0\.1 only.*Connect to Slack.*README/);

      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Sales Pulse sandbox');
      const sent = await post(`http://127.0.0.1:${port}/sandbox/api/command`, { as: 'U0SPREP01', conv: 'C0SPSALES', text: '/log-call Initech x2 #connected' });
      expect(sent).toEqual({ status: 200, json: { ok: true } });
      await expect.poll(ui).toContain('Logged 2 calls (connected) with Initech');

      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      // The sandbox's data lives under DATA_DIR/sandbox, apart from a real workspace's.
      expect(fs.existsSync(path.join(dataDir, 'sandbox', 'pglite'))).toBe(true);
      expect(fs.existsSync(path.join(dataDir, 'pglite'))).toBe(false);

      const second = startBot(env);
      stopLater.push(second);
      await waitForLine(second, /Sales Pulse sandbox: /);
      expect(await ui()).toContain('Logged 2 calls (connected) with Initech');
      const again = await post(`http://127.0.0.1:${port}/sandbox/api/command`, { as: 'U0SPREP01', conv: 'C0SPSALES', text: '/log-call Initech' });
      expect(again.status).toBe(200);
      // The count includes the calls stored before the restart.
      await expect.poll(ui).toContain('3 calls this week');
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      for (const run of stopLater) if (run.child.exitCode === null) run.child.kill('SIGKILL');
    }
  }, 120_000);

  it('refuses to start the sandbox with NODE_ENV=production and says why', async () => {
    const run = startBot({ NODE_ENV: 'production', DATA_DIR: dataDir, PORT: String(await freePort()) });
    expect(await run.exited).toBe(78);
    expect(run.output()).toContain('NODE_ENV=production');
    expect(run.output()).toContain('Connect to Slack');
    expect(fs.existsSync(path.join(dataDir, 'sandbox', 'sales-pulse.lock'))).toBe(false);
  }, 30_000);

  it('says which port is taken instead of failing obscurely', async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', () => resolve()));
    const { port } = busy.address() as net.AddressInfo;
    try {
      const run = startBot({ DATA_DIR: dataDir, PORT: String(port) });
      expect(await run.exited).toBe(75);
      expect(run.output()).toContain(`port ${port} on 127.0.0.1 is in use`);
    } finally {
      busy.close();
    }
  }, 60_000);
});

describe('what npm start loads before it is ready', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-modules-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** Modules the bot for Slack must not load to start: they are loaded when used, or belong to other modes or to the build. */
  const NOT_AT_START: Record<string, RegExp> = {
    'the chart renderer': /\/node_modules\/@resvg\//,
    'the sandbox': /\/dist\/sandbox\//,
    'the CSV importer': /\/node_modules\/csv-parse\/|\/dist\/features\/import\//,
    'the YAML parser': /\/node_modules\/yaml\//,
    'the build and dev tools': /\/node_modules\/(tsx|typescript|esbuild|drizzle-kit)\//,
    'TypeScript sources': /\/src\/.*\.ts$/,
  };

  it.each(DB_KINDS)('on %s: its own driver, and no chart renderer, sandbox, CSV or YAML parser, or build tool', async (kind) => {
    const testDb = kind === 'postgres' ? await createTestDb('postgres') : undefined;
    const log = path.join(tmp, `${kind}.log`);
    const port = await freePort();
    const env = {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: 'http://127.0.0.1:9/api/',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      MODULE_LOG: log,
      ...(testDb ? { DATABASE_URL: testDb.database.url! } : { DATA_DIR: path.join(tmp, 'data') }),
    };
    const bot = startBot(env, ['--import', './test/helpers/module-log.mjs']);
    try {
      await waitForHealth(port, bot);
      bot.child.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
    } finally {
      if (bot.child.exitCode === null) bot.child.kill('SIGKILL');
      await testDb?.close();
    }
    const loaded = fs.readFileSync(log, 'utf8').split('\n');
    // The log sees the app (so an empty list below means something).
    expect(loaded.filter((url) => url.endsWith('/dist/app.js'))).toHaveLength(1);
    for (const [what, pattern] of Object.entries(NOT_AT_START)) expect(loaded.filter((url) => pattern.test(url)), what).toEqual([]);
    const pglite = loaded.filter((url) => /\/node_modules\/@electric-sql\/pglite\//.test(url));
    if (kind === 'postgres') expect(pglite, 'PGlite').toEqual([]);
    else expect(pglite.length).toBeGreaterThan(0);
  }, 60_000);
});

/**
 * `npm start` without Slack credentials: the sandbox workspace on 127.0.0.1 with the real bot behind it.
 *
 * The bot is built exactly as for Slack (buildApp, HTTP mode, its own migrations and scheduler); only its
 * settings differ: a token and signing secret made up for this run, the sandbox's Web API as SLACK_API_URL,
 * its embedded database under DATA_DIR/sandbox (never mixed with a real workspace's data), and the
 * sandbox's movable clock. The sandbox's own state (messages, files, Home tabs, the clock) lives beside
 * that database in the same directory.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { buildApp, type SalesPulseApp } from '../app.js';
import { configSchema } from '../config.js';
import { openPglite, type Database } from '../db/client.js';
import { runMigrations } from '../db/migrate.js';
import { systemClock, type Clock } from '../lib/clock.js';
import { loadSecretBox } from '../lib/encryption-key.js';
import type { Logger } from '../lib/logger.js';
import type { RunOutcome } from '../scheduler/scheduler.js';
import { sandboxClock, type SandboxClock } from './clock.js';
import type { PageData } from './page.js';
import { PeopleActions } from './people-actions.js';
import { SANDBOX_BOT, SANDBOX_CHANNELS, SANDBOX_PEOPLE, SANDBOX_TEAM_ID, SANDBOX_TEAM_NAME, SANDBOX_TIME_ZONE } from './people.js';
import { pageRoutes } from './server.js';
import { readManifest } from './method-reference.js';
import { startFakeSlack, type FakeSlack } from './slack-api.js';
import { Workspace } from './workspace.js';

export interface SandboxOptions {
  /** DATA_DIR: the sandbox keeps everything under DATA_DIR/sandbox. */
  dataDir: string;
  /** The page's port on 127.0.0.1 (0: a free one). */
  port: number;
  logLevel: string;
  logger: Logger;
  /** The time the sandbox clock moves from; default the system clock (tests pass their own). */
  baseClock?: Clock;
  /** Tick the scheduler every minute (default true; tests drive it through "run what's due"). */
  startScheduler?: boolean;
}

export interface RunningSandbox {
  /** The page: http://127.0.0.1:PORT */
  url: string;
  dir: string;
  slack: FakeSlack;
  bot: SalesPulseApp;
  database: Database;
  clock: SandboxClock;
  actions: PeopleActions;
  stop(): Promise<void>;
}

export const SANDBOX_HOST = '127.0.0.1';

/** The sandbox's directory for a DATA_DIR. */
export const sandboxDir = (dataDir: string) => path.join(dataDir, 'sandbox');

/** A line for the page and the CLI: what one scheduler tick did, per job ("leaderboard: 1 posted; digest: 2 sent, 1 skipped"). */
export function describeOutcomes(outcomes: RunOutcome[]): string {
  if (outcomes.length === 0) return 'Nothing was due.';
  const byJob = new Map<string, Map<RunOutcome['status'], number>>();
  for (const o of outcomes) {
    const counts = byJob.get(o.job) ?? new Map<RunOutcome['status'], number>();
    counts.set(o.status, (counts.get(o.status) ?? 0) + 1);
    byJob.set(o.job, counts);
  }
  const words: Record<RunOutcome['status'], string> = { done: 'sent', failed: 'failed', skipped: 'skipped (too late to send)', retry: 'to retry' };
  const parts = [...byJob].map(([job, counts]) => `${job}: ${[...counts].map(([status, n]) => `${n} ${words[status]}`).join(', ')}`);
  return `Ran what was due. ${parts.join('; ')}.`;
}

export async function startSandbox(opts: SandboxOptions): Promise<RunningSandbox> {
  const dir = sandboxDir(opts.dataDir);
  mkdirSync(dir, { recursive: true });
  // The lock on the directory comes with the database: a second sandbox on the same DATA_DIR stops here.
  const database = await openPglite(dir);
  let slack: FakeSlack | undefined;
  let bot: SalesPulseApp | undefined;
  try {
    await runMigrations(database);
    const clock = sandboxClock(dir, opts.baseClock ?? systemClock);
    const workspace = new Workspace(dir);
    const manifest = readManifest();
    const botToken = `xoxb-sandbox-${randomBytes(12).toString('hex')}`;
    const signingSecret = randomBytes(24).toString('hex');

    let routes: ReturnType<typeof pageRoutes> | undefined;
    slack = await startFakeSlack({
      botToken,
      scopes: manifest.scopes,
      teamId: SANDBOX_TEAM_ID,
      teamName: SANDBOX_TEAM_NAME,
      bot: SANDBOX_BOT,
      workspace,
      clock,
      record: false,
      listen: { host: SANDBOX_HOST, port: opts.port },
      channelNames: new Map(SANDBOX_CHANNELS.map((c) => [c.id, c.name])),
      routes: (req, res, url) => (routes ? routes(req, res, url) : Promise.resolve(false)),
    });
    for (const p of SANDBOX_PEOPLE) {
      slack.addUser({
        id: p.id,
        team_id: SANDBOX_TEAM_ID,
        name: p.handle,
        real_name: p.realName,
        tz: p.tz,
        is_admin: p.role === 'admin',
        is_owner: p.role === 'admin',
        profile: { display_name: p.realName.split(' ')[0]!, real_name: p.realName, title: p.title, email: `${p.handle}@sandbox.example.com` },
      });
    }

    const config = configSchema.parse({
      SLACK_BOT_TOKEN: botToken,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      DATA_DIR: dir,
      LOG_LEVEL: opts.logLevel,
    });
    // The sandbox's own key file beside its database; its warning is for production, so it stays out of sight here.
    const secretBox = loadSecretBox({ DATA_DIR: dir }, { info: () => {}, warn: (fields, message) => opts.logger.debug(fields, message) });
    const app = buildApp({ config, database, clock, logger: opts.logger, secretBox });
    bot = app;
    let botUrl: string | undefined;
    const actions = new PeopleActions({
      slack,
      botUrl: async () => {
        if (!botUrl) throw new Error('the bot is not listening yet');
        return botUrl;
      },
      signingSecret,
      commands: manifest.commands,
      shortcuts: manifest.shortcuts,
      channels: SANDBOX_CHANNELS,
      clock,
      logger: opts.logger,
    });
    const data: PageData = { people: SANDBOX_PEOPLE, channels: SANDBOX_CHANNELS, commands: manifest.commands, shortcuts: manifest.shortcuts, timeZone: SANDBOX_TIME_ZONE };
    routes = pageRoutes({
      workspace,
      data,
      actions,
      clock,
      logger: opts.logger,
      controls: {
        ready: () => botUrl !== undefined,
        runDue: async () => describeOutcomes(await app.scheduler.tick(clock.now())),
        // Demo data (and the CSV importer behind it) loads when first asked for.
        loadDemo: async () => {
          const { describeDemoData, loadDemoData } = await import('./demo-data.js');
          return describeDemoData(await loadDemoData(database.db, clock.now()));
        },
      },
    });

    const { port: botPort } = await app.start({ port: 0, host: SANDBOX_HOST });
    botUrl = `http://${SANDBOX_HOST}:${botPort}/slack/events`;
    if (opts.startScheduler ?? true) app.scheduler.start();

    const running = slack;
    let stopped = false;
    return {
      url: running.baseUrl,
      dir,
      slack: running,
      bot: app,
      database,
      clock,
      actions,
      async stop() {
        if (stopped) return;
        stopped = true;
        await app.stop();
        await running.close();
        workspace.save();
        await database.close();
      },
    };
  } catch (error) {
    await bot?.stop(1000).catch(() => {});
    await slack?.close().catch(() => {});
    await database.close();
    throw error;
  }
}

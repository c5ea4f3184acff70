import { Writable } from 'node:stream';
import { buildApp, type SalesPulseApp } from '../../src/app.js';
import { configSchema, type Config } from '../../src/config.js';
import { fixedClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import type { TestDb } from './db.js';
import { manifestBotScopes, startFakeSlack, type FakeSlack } from './fake-slack.js';
import { DEFAULT_USER_ID, slackSender, type SlackSender } from './signed-request.js';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const BOT_TOKEN = 'xoxb-test-token';

export interface Harness {
  bot: SalesPulseApp;
  fake: FakeSlack;
  slack: SlackSender;
  clock: ReturnType<typeof fixedClock>;
  config: Config;
  baseUrl: string;
  /** Every log line the app wrote, parsed. */
  logs: Record<string, unknown>[];
  stop(): Promise<void>;
}

export interface HarnessOptions {
  db: TestDb;
  now?: string | Date;
  /** Bot scopes granted; default: exactly what manifest.yml declares. */
  scopes?: string[];
  /** The default user, created in the fake's directory. */
  userTimeZone?: string;
}

/**
 * The real Bolt app in HTTP mode on a free port, its Web API client pointed at a fake Slack,
 * and a sender that signs requests as Slack does. Nothing below the HTTP line is mocked.
 */
export async function startHarness(opts: HarnessOptions): Promise<Harness> {
  const fake = await startFakeSlack({ botToken: BOT_TOKEN, scopes: opts.scopes ?? manifestBotScopes() });
  fake.addUser({ id: DEFAULT_USER_ID, name: 'ana', real_name: 'Ana Lima', tz: opts.userTimeZone ?? 'America/New_York' });
  const clock = fixedClock(opts.now ?? '2026-11-27T15:00:00Z');
  const config = configSchema.parse({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
    PORT: '0',
    LOG_LEVEL: 'debug',
  });
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger('debug', sink);
  // Fail fast in tests: no long retry loops against the fake unless a test asks for them.
  const bot = buildApp({ config, database: opts.db.database, clock, logger, clientOptions: { retryConfig: { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 50 } } });
  const { port } = await bot.start(0);
  const baseUrl = `http://127.0.0.1:${port}`;
  const slack = slackSender({ url: `${baseUrl}/slack/events`, signingSecret: SIGNING_SECRET, responseUrl: (id) => fake.responseUrl(id) });
  return {
    bot,
    fake,
    slack,
    clock,
    config,
    baseUrl,
    logs,
    async stop() {
      await bot.stop(2000);
      await fake.close();
    },
  };
}

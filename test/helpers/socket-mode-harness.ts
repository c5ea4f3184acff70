/**
 * The real app in Socket Mode (SLACK_APP_TOKEN set, no signing secret) against the fake Slack: its Web API
 * (`apps.connections.open` included, through the same SLACK_API_URL) and the Socket Mode endpoint it hands out
 * (fake-socket-mode.ts). Requests arrive as envelopes on the WebSocket, not as signed HTTP requests; the payload
 * builders here and in signed-request.ts make them as Slack does.
 */
import { randomBytes } from 'node:crypto';
import { buildApp, type SalesPulseApp } from '../../src/app.js';
import { configSchema, type Config } from '../../src/config.js';
import { fixedClock } from '../../src/lib/clock.js';
import type { TestDb } from './db.js';
import { manifestBotScopes, startFakeSlack, type FakeSlack } from './fake-slack.js';
import { startFakeSocketMode, type FakeSocketMode, type SocketConnection } from './fake-socket-mode.js';
import { BOT_TOKEN, capturedLogger, TEST_ENCRYPTION_KEY } from './harness.js';
import { DEFAULT_CHANNEL_ID, DEFAULT_TEAM_ID, DEFAULT_USER_ID, newTriggerId } from './signed-request.js';

export interface SocketModeHarness {
  bot: SalesPulseApp;
  fake: FakeSlack;
  socketMode: FakeSocketMode;
  clock: ReturnType<typeof fixedClock>;
  config: Config;
  logs: Record<string, unknown>[];
  /** The connection the app opened at start (open, `hello` sent). */
  first: SocketConnection;
  stop(): Promise<void>;
}

export interface SocketModeHarnessOptions {
  db: TestDb;
  now?: string | Date;
  userTimeZone?: string;
}

/** Build the app in Socket Mode and start it: it resolves once the app has opened its connection and got `hello`. */
export async function startSocketModeHarness(opts: SocketModeHarnessOptions): Promise<SocketModeHarness> {
  const socketMode = await startFakeSocketMode();
  const fake = await startFakeSlack({
    botToken: BOT_TOKEN,
    scopes: manifestBotScopes(),
    socketMode: { appToken: socketMode.appToken, connectionUrl: () => socketMode.connectionUrl() },
  });
  fake.addUser({ id: DEFAULT_USER_ID, name: 'ana', real_name: 'Ana Lima', tz: opts.userTimeZone ?? 'America/New_York' });
  const clock = fixedClock(opts.now ?? '2026-11-27T15:00:00Z');
  const config = configSchema.parse({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_APP_TOKEN: socketMode.appToken,
    SLACK_API_URL: fake.apiUrl,
    PORT: '0',
    LOG_LEVEL: 'debug',
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
  });
  const { logs, logger } = capturedLogger();
  const bot = buildApp({ config, database: opts.db.database, clock, logger, clientOptions: { retryConfig: { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 50 } } });
  let started = false;
  try {
    await bot.start();
    started = true;
  } finally {
    if (!started) {
      await bot.stop(500).catch(() => {});
      await fake.close();
      await socketMode.close();
    }
  }
  const first = await socketMode.connection(1);
  let stopped = false;
  return {
    bot,
    fake,
    socketMode,
    clock,
    config,
    logs,
    first,
    async stop() {
      if (stopped) return;
      stopped = true;
      await bot.stop(2000);
      // The app closes its socket with a close handshake; give it a moment before the server goes.
      const open = socketMode.connections.filter((c) => c.isOpen);
      await Promise.race([Promise.all(open.map((c) => c.closed)), new Promise((resolve) => setTimeout(resolve, 1000))]);
      await fake.close();
      await socketMode.close();
    },
  };
}

const VERIFICATION_TOKEN = 'gIkuvaNzQIHg97ATvDxqgjtO';

/** A `slash_commands` envelope's payload: the fields of Slack's command form, as strings. */
export function slashCommandPayload(input: { command: string; text?: string; responseUrl: string; userId?: string; channelId?: string; triggerId?: string }) {
  const userId = input.userId ?? DEFAULT_USER_ID;
  return {
    token: VERIFICATION_TOKEN,
    team_id: DEFAULT_TEAM_ID,
    team_domain: 'example',
    channel_id: input.channelId ?? DEFAULT_CHANNEL_ID,
    channel_name: 'sales',
    user_id: userId,
    user_name: userId === DEFAULT_USER_ID ? 'ana' : userId.toLowerCase(),
    command: input.command,
    text: input.text ?? '',
    api_app_id: 'A123456',
    is_enterprise_install: 'false',
    response_url: input.responseUrl,
    trigger_id: input.triggerId ?? newTriggerId(),
  };
}

/** An `events_api` envelope's payload: the event_callback wrapping `event`, as Slack sends it over HTTP too. */
export function eventCallbackPayload(event: Record<string, unknown>) {
  const now = Math.floor(Date.now() / 1000);
  return {
    token: VERIFICATION_TOKEN,
    team_id: DEFAULT_TEAM_ID,
    api_app_id: 'A123456',
    event: { event_ts: `${now}.000100`, ...event },
    type: 'event_callback',
    event_id: `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
    event_time: now,
    authorizations: [{ enterprise_id: null, team_id: DEFAULT_TEAM_ID, user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  };
}

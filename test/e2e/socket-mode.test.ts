/**
 * Socket Mode end to end (README, "Connect to Slack": the easiest start). The real app with SLACK_APP_TOKEN set
 * opens its connection as Slack documents it: `apps.connections.open` with the app-level token, through the same
 * SLACK_API_URL as every other call, then a WebSocket to the URL it answered, ready once Slack says `hello`.
 * Slash commands, interactions and events arrive as envelopes on that socket; each is acknowledged with
 * `{envelope_id, payload}` within 3 seconds, the payload carrying the answer where Slack takes one. A connection
 * that drops, or that Slack asks to refresh, is reopened by the app with a new `apps.connections.open`.
 */
import { asc } from 'drizzle-orm';
import WebSocket from 'ws';
import { webApi } from '@slack/bolt';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { configSchema } from '../../src/config.js';
import type { Database } from '../../src/db/client.js';
import { activities } from '../../src/db/schema/index.js';
import { fixedClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { createTestDb, DB_KINDS, describeEachDb, type DbKind, type TestDb } from '../helpers/db.js';
import { manifestBotScopes, startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import { SOCKET_ACK_TIMEOUT_MS, startFakeSocketMode, type EnvelopeAck, type FakeSocketMode, type SocketConnection } from '../helpers/fake-socket-mode.js';
import { BOT_TOKEN, TEST_ENCRYPTION_KEY } from '../helpers/harness.js';
import { blockAction, DEFAULT_CHANNEL_ID, DEFAULT_USER_ID, globalShortcut } from '../helpers/signed-request.js';
import { eventCallbackPayload, slashCommandPayload, startSocketModeHarness, type SocketModeHarness } from '../helpers/socket-mode-harness.js';
import { modalSubmission, openedModal, type Block } from '../helpers/slack-ui.js';

/**
 * @slack/socket-mode waits clientPingTimeout (5 s by default, not set by the app) before reopening a connection
 * that closed; allow for that and the new handshake.
 */
const RECONNECT_TIMEOUT_MS = 12_000;

/** The one message the app sent back for this ack's envelope: exactly `{envelope_id, payload}`. */
function ackMessage(connection: SocketConnection, ack: EnvelopeAck): Record<string, any> {
  const messages = connection.received.filter((m) => m.envelope_id === ack.envelope_id);
  expect(messages, 'one ack per envelope').toHaveLength(1);
  expect(Object.keys(messages[0]!).sort()).toEqual(['envelope_id', 'payload']);
  expect(ack.afterMs).toBeLessThan(SOCKET_ACK_TIMEOUT_MS);
  return messages[0]!;
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the fake Socket Mode endpoint and apps.connections.open', () => {
  let socketMode: FakeSocketMode | undefined;
  let fake: FakeSlack | undefined;
  afterEach(async () => {
    await fake?.close();
    await socketMode?.close();
    fake = socketMode = undefined;
  });

  it('apps.connections.open takes only the app-level token (and that token nothing else); each URL opens one connection, which starts with hello', async () => {
    socketMode = await startFakeSocketMode();
    fake = await startFakeSlack({ botToken: BOT_TOKEN, scopes: manifestBotScopes(), socketMode: { appToken: socketMode.appToken, connectionUrl: () => socketMode!.connectionUrl() } });
    const options = { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } };
    const asApp = new webApi.WebClient(socketMode.appToken, options);
    const asBot = new webApi.WebClient(BOT_TOKEN, options);

    const opened = await asApp.apps.connections.open({});
    expect(opened.url).toMatch(new RegExp(`^${socketMode.baseUrl}/link/\\?ticket=[0-9a-f]{32}&app_id=A123456$`));
    await expect(asBot.apps.connections.open({})).rejects.toMatchObject({ data: { ok: false, error: 'not_allowed_token_type' } });
    await expect(asApp.auth.test()).rejects.toMatchObject({ data: { ok: false, error: 'not_allowed_token_type' } });
    await expect(new webApi.WebClient('xapp-1-other', options).apps.connections.open({})).rejects.toMatchObject({ data: { error: 'invalid_auth' } });

    const client = new WebSocket(opened.url!);
    const hello = await new Promise<Record<string, any>>((resolve, reject) => {
      client.once('message', (data) => resolve(JSON.parse(String(data)) as Record<string, any>));
      client.once('error', reject);
    });
    expect(hello).toMatchObject({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A123456' } });
    client.close(1000);

    const again = new WebSocket(opened.url!);
    const status = await new Promise<number | undefined>((resolve) => {
      again.once('unexpected-response', (_req, res) => resolve(res.statusCode));
      again.once('open', () => resolve(undefined));
      again.once('error', () => {});
    });
    again.terminate();
    expect(status, 'a used ticket is refused').toBe(401);
  });
});

describe('Socket Mode: Bolt’s Web API client', () => {
  it('keeps the library’s retry policy: the socket client’s own defaults (100 retries for apps.connections.open) do not leak into it', async () => {
    const socketMode = await startFakeSocketMode();
    const fake = await startFakeSlack({ botToken: BOT_TOKEN, scopes: manifestBotScopes(), socketMode: { appToken: socketMode.appToken, connectionUrl: () => socketMode.connectionUrl() } });
    try {
      const config = configSchema.parse({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: socketMode.appToken, SLACK_API_URL: fake.apiUrl, PORT: '0', LOG_LEVEL: 'silent', ENCRYPTION_KEY: TEST_ENCRYPTION_KEY });
      // As main.ts builds it: no client options from the caller. Not started: only the clients are looked at.
      const database = { ping: async () => true, close: async () => {} } as unknown as Database;
      const bot = buildApp({ config, database, clock: fixedClock('2026-11-27T15:00:00Z'), logger: createLogger('silent') });
      const retryConfigOf = (client: webApi.WebClient) => (client as unknown as { retryConfig: webApi.RetryOptions }).retryConfig;
      expect(retryConfigOf(bot.app.client)).toEqual(webApi.retryPolicies.tenRetriesInAboutThirtyMinutes);
      await bot.stop(100);
    } finally {
      await fake.close();
      await socketMode.close();
    }
  });
});

/** `/log-call <text>` as an envelope on `connection`; its ack's payload (the confirmation) and the entry id its buttons carry. */
async function logCall(h: SocketModeHarness, connection: SocketConnection, text: string) {
  const responseUrlId = `cmd-${Math.random().toString(36).slice(2, 8)}`;
  const ack = await connection.deliver('slash_commands', slashCommandPayload({ command: '/log-call', text, responseUrl: h.fake.responseUrl(responseUrlId) }));
  const reply = ackMessage(connection, ack).payload as Record<string, any>;
  const buttons = reply.blocks.find((b: Block) => b.type === 'actions').elements as Block[];
  return { reply, id: buttons[0]!.value as string, responseUrlId };
}

describeEachDb('Socket Mode', (getDb) => {
  let h: SocketModeHarness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  const storedActivities = () => getDb().database.db.select().from(activities).orderBy(asc(activities.createdAt));

  it('connects with apps.connections.open and hello; a slash command, its Undo button and app_home_opened are each acked with their envelope id and answered', async () => {
    h = await startSocketModeHarness({ db: getDb() });
    // start() resolved: the app called apps.connections.open (with the app-level token: the fake takes no other
    // there), connected to the URL it answered, and got hello.
    const opens = h.fake.callsTo('apps.connections.open');
    expect(opens.map((c) => c.ok)).toEqual([true]);
    expect((opens[0]!.response as { url: string }).url).toContain(`ticket=${h.first.ticket}`);
    expect(h.socketMode.connections).toHaveLength(1);

    // A slash command: its answer rides on the ack, and the entry is stored by then.
    const { reply, id, responseUrlId } = await logCall(h, h.first, 'Acme 15m');
    const rows = await storedActivities();
    expect(rows.map((r) => [r.id, r.typeKey, r.account, r.durationMinutes, r.source, r.deletedAt])).toEqual([[id, 'call', 'Acme', 15, 'slash_command', null]]);
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toBe("Logged 1 call with Acme for today. That's 1 call this week.");
    expect(reply.blocks.find((b: Block) => b.type === 'actions').elements.map((e: Block) => [e.action_id, e.value])).toEqual([
      ['activity_undo', id],
      ['activity_edit', id],
    ]);

    // The Undo button of that confirmation: acked with an empty payload (block_actions take none), answered
    // through its response_url, the entry marked deleted.
    const undoUrlId = 'undo-1';
    const undo = await h.first.deliver(
      'interactive',
      blockAction({ actionId: 'activity_undo', value: id, blockId: 'activity_actions', channelId: DEFAULT_CHANNEL_ID, responseUrl: h.fake.responseUrl(undoUrlId) }),
    );
    expect(ackMessage(h.first, undo).payload).toEqual({});
    const undone = await h.fake.waitFor('response_url', (c) => c.responseUrlId === undoUrlId);
    expect(undone.args).toMatchObject({ response_type: 'ephemeral', replace_original: true });
    expect(undone.args.text).toBe("Undone: 1 call with Acme for today removed. That's 0 calls this week.");
    expect((await storedActivities())[0]!.deletedAt).not.toBeNull();

    // An event: acked at once, then the Home tab is published on the Web API.
    const home = await h.first.deliver('events_api', eventCallbackPayload({ type: 'app_home_opened', user: DEFAULT_USER_ID, channel: 'D0001', tab: 'home' }));
    expect(ackMessage(h.first, home).payload).toEqual({});
    const published = await h.fake.waitFor('views.publish', (c) => c.args.user_id === DEFAULT_USER_ID);
    expect(published.args.view.type).toBe('home');

    // All on the one socket; nothing went through the command's response_url.
    expect(h.socketMode.connections).toHaveLength(1);
    expect(h.fake.callsTo('apps.connections.open')).toHaveLength(1);
    expect(h.fake.callsTo('response_url').filter((c) => c.responseUrlId === responseUrlId)).toEqual([]);
    // Nothing went wrong on the way, and the app-level token was never logged (the socket client logs at debug).
    expect(h.logs.filter((l) => (l.level as number) >= 40).map((l) => l.msg)).toEqual([]);
    expect(JSON.stringify(h.logs)).not.toContain(h.socketMode.appToken);
  });

  it('a modal over the socket: the shortcut opens it, a submission with an error gets its response_action in the ack, a valid one stores the entry', async () => {
    h = await startSocketModeHarness({ db: getDb() });
    const shortcut = globalShortcut({ callbackId: 'log_activity_shortcut', triggerId: h.fake.issueTrigger(DEFAULT_USER_ID) });
    const opening = await h.first.deliver('interactive', shortcut);
    expect(ackMessage(h.first, opening).payload).toEqual({});
    const modal = openedModal(await h.fake.waitFor('views.open', (c) => c.args.trigger_id === shortcut.trigger_id));
    expect(modal.view.callback_id).toBe('log_activity_modal');

    const wrong = await h.first.deliver('interactive', modalSubmission(modal, { type_block: 'demo', account_block: 'Globex', count_block: '0' }));
    expect(ackMessage(h.first, wrong).payload).toEqual({ response_action: 'errors', errors: { count_block: 'Enter a whole number from 1 to 100.' } });
    expect(await storedActivities()).toEqual([]);

    const right = await h.first.deliver('interactive', modalSubmission(modal, { type_block: 'demo', account_block: 'Globex' }));
    expect(ackMessage(h.first, right).payload, 'no response_action: the modal closes').toEqual({});
    const rows = await storedActivities();
    expect(rows.map((r) => [r.typeKey, r.account, r.source])).toEqual([['demo', 'Globex', 'modal']]);
    const dm = await h.fake.waitFor('chat.postMessage');
    expect(dm.args.text).toBe("Logged 1 demo with Globex for today. That's 1 demo this week.");
  });
});

/**
 * Reopening a connection is the socket client's work, the same whatever the database: these run once, on
 * PostgreSQL when TEST_DATABASE_URL is set (the run that counts), else on PGlite. Each reopening waits out the
 * client's fixed 5 s delay, so running them twice would double the file's run time for nothing new.
 */
const LIFECYCLE_DB: DbKind = DB_KINDS.includes('postgres') ? 'postgres' : 'pglite';

describe(`Socket Mode: a connection that closes is reopened [${LIFECYCLE_DB}]`, () => {
  let db: TestDb | undefined;
  let h: SocketModeHarness | undefined;
  beforeAll(async () => {
    db = await createTestDb(LIFECYCLE_DB);
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    await db!.truncate();
  });
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  const storedActivities = () => db!.database.db.select().from(activities).orderBy(asc(activities.createdAt));

  it('a connection that drops is reopened by the app itself: a new apps.connections.open, a new socket, and commands work on it', async () => {
    h = await startSocketModeHarness({ db: db! });
    await logCall(h, h.first, 'Acme');

    h.first.drop();
    expect((await h.first.closed).code).toBe(1006);
    const second = await h.socketMode.connection(2, RECONNECT_TIMEOUT_MS);
    const opens = h.fake.callsTo('apps.connections.open');
    expect(opens.map((c) => c.ok)).toEqual([true, true]);
    expect((opens[1]!.response as { url: string }).url).toContain(`ticket=${second.ticket}`);
    expect(second.ticket).not.toBe(h.first.ticket);
    expect(h.socketMode.refused, 'the old URL is not reused').toEqual([]);

    const { reply, id } = await logCall(h, second, 'Globex 20m');
    expect(reply.text).toBe("Logged 1 call with Globex for today. That's 2 calls this week.");
    expect((await storedActivities()).map((r) => [r.account, r.id === id])).toEqual([
      ['Acme', false],
      ['Globex', true],
    ]);
    expect(h.socketMode.connections.filter((c) => c.isOpen).map((c) => c.number)).toEqual([2]);
  });

  it('a disconnect with reason refresh_requested: the app closes that socket cleanly and reconnects with a new URL', async () => {
    h = await startSocketModeHarness({ db: db! });
    // Meanwhile the socket is kept alive by pings both ways: the app answers the server's, and sends its own.
    await until(() => h!.first.heartbeat.pongsFromApp >= 1 && h!.first.heartbeat.pingsFromApp >= 1, 4_000, 'a pong for the server’s ping and a ping from the app');
    h.first.sendDisconnect('refresh_requested');
    expect((await h.first.closed).code, 'the app closes with a close handshake').toBe(1000);
    const second = await h.socketMode.connection(2, RECONNECT_TIMEOUT_MS);
    expect(h.fake.callsTo('apps.connections.open').map((c) => c.ok)).toEqual([true, true]);
    expect(h.socketMode.refused).toEqual([]);

    const { reply } = await logCall(h, second, 'Initech x2');
    expect(reply.text).toBe("Logged 2 calls with Initech for today. That's 2 calls this week.");
    expect((await storedActivities()).map((r) => [r.account, r.quantity])).toEqual([['Initech', 2]]);
  });
});

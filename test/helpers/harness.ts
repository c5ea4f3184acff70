import { Writable } from 'node:stream';
import { buildApp, type SalesPulseApp } from '../../src/app.js';
import { configSchema, type Config } from '../../src/config.js';
import { fixedClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import type { TestDb } from './db.js';
import { manifestBotScopes, startFakeSlack, type FakeSlack, type RecordedCall } from './fake-slack.js';
import { DEFAULT_USER_ID, slackSender, type SlackSender, type ViewStateValues } from './signed-request.js';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const BOT_TOKEN = 'xoxb-test-token';
/** The key the harness's app seals secrets at rest with (ENCRYPTION_KEY): 32 bytes as 64 hex characters. */
export const TEST_ENCRYPTION_KEY = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';

export interface Harness {
  bot: SalesPulseApp;
  fake: FakeSlack;
  slack: SlackSender;
  clock: ReturnType<typeof fixedClock>;
  config: Config;
  baseUrl: string;
  /** GET /metrics on the app's own metrics server (`metrics: { port: true }`), else undefined. */
  metricsUrl?: string;
  /** Every log line the app wrote, parsed. */
  logs: Record<string, unknown>[];
  /**
   * Stop intake and wait until every handler that already acked has finished its work (stores, replies).
   * Call it last in a test, before asserting that something did NOT happen. stop() still closes the rest.
   */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  db: TestDb;
  now?: string | Date;
  /** Bot scopes granted; default: exactly what manifest.yml declares. */
  scopes?: string[];
  /** The default user, created in the fake's directory. */
  userTimeZone?: string;
  /** Prometheus metrics: on a port of its own (METRICS_PORT, a free one), and/or on the main port (METRICS=1). Default off. */
  metrics?: { port?: boolean; onMainPort?: boolean };
}

/** A debug logger whose JSON lines are kept, parsed, in `logs`, for tests to read. */
export function capturedLogger(): { logs: Record<string, unknown>[]; logger: ReturnType<typeof createLogger> } {
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logs, logger: createLogger('debug', sink) };
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
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    METRICS_PORT: opts.metrics?.port ? '0' : undefined,
    METRICS: opts.metrics?.onMainPort ? '1' : undefined,
  });
  const { logs, logger } = capturedLogger();
  // Fail fast in tests: no long retry loops against the fake unless a test asks for them.
  const bot = buildApp({ config, database: opts.db.database, clock, logger, clientOptions: { retryConfig: { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 50 } } });
  const { port, metricsPort } = await bot.start(0);
  const baseUrl = `http://127.0.0.1:${port}`;
  const metricsUrl = metricsPort === undefined ? undefined : `http://127.0.0.1:${metricsPort}/metrics`;
  const slack = slackSender({ url: `${baseUrl}/slack/events`, signingSecret: SIGNING_SECRET, responseUrl: (id) => fake.responseUrl(id) });
  let botStopped = false;
  const settle = async () => {
    if (botStopped) return;
    botStopped = true;
    await bot.stop(5000);
  };
  return {
    bot,
    fake,
    slack,
    clock,
    config,
    baseUrl,
    metricsUrl,
    logs,
    settle,
    async stop() {
      if (!botStopped) {
        botStopped = true;
        await bot.stop(2000);
      }
      await fake.close();
    },
  };
}

/**
 * The reply to a slash command sent with `h.slack.command`: its ack body when the command answered in the ack
 * (the logging commands and /log-deal do), otherwise the call it made to its response_url (matched by id).
 * An ack body comes back as a call with method 'ack'.
 */
export function replyTo(h: Harness, sent: { responseUrlId?: string; body?: string }, timeoutMs?: number): Promise<RecordedCall> {
  if (sent.body !== undefined && sent.body.trim() !== '') {
    return Promise.resolve({ method: 'ack', args: JSON.parse(sent.body) as RecordedCall['args'], at: Date.now(), ok: true, status: 200 });
  }
  const id = sent.responseUrlId;
  if (!id) throw new Error('replyTo: the command was sent with its own responseUrl; wait on the fake directly');
  return h.fake.waitFor('response_url', (call) => call.responseUrlId === id, timeoutMs);
}

let responseUrlSequence = 0;

/** A fresh response_url on the fake for an interaction payload, with the id its replies are recorded under. */
export function newResponseUrl(h: Harness): { id: string; url: string } {
  const id = `interaction-${++responseUrlSequence}`;
  return { id, url: h.fake.responseUrl(id) };
}

/**
 * The `view.state.values` Slack sends back when `view` is submitted: each input block's initial value,
 * except the blocks in `changes` (block_id -> what the user typed or picked: text, an option value,
 * a YYYY-MM-DD date, or null to clear). Selects and radio buttons send `selected_option`: the initial
 * option unless changed. Throws on a block the view does not have, as a typo guard.
 */
export function viewState(view: { blocks?: unknown[] }, changes: Record<string, string | null> = {}): ViewStateValues {
  const values: ViewStateValues = {};
  const seen = new Set<string>();
  for (const block of (view.blocks ?? []) as Record<string, any>[]) {
    if (block.type !== 'input' || typeof block.block_id !== 'string') continue;
    const element = block.element as Record<string, any>;
    const changed = Object.prototype.hasOwnProperty.call(changes, block.block_id);
    if (changed) seen.add(block.block_id);
    const given = changed ? changes[block.block_id] : undefined;
    let state: Record<string, unknown>;
    switch (element.type) {
      case 'static_select':
      case 'radio_buttons': {
        const options = (element.options ?? (element.option_groups ?? []).flatMap((g: { options: unknown[] }) => g.options)) as { value: string }[];
        const picked = changed ? (given === null ? null : options.find((o) => o.value === given)) : (element.initial_option ?? null);
        if (picked === undefined) throw new Error(`viewState: ${block.block_id} has no option ${String(given)}`);
        state = { type: element.type, selected_option: picked };
        break;
      }
      case 'multi_static_select': {
        // `given`: the picked values, comma-separated ('' or null: none).
        const options = (element.options ?? []) as { value: string }[];
        const wanted = changed ? (given ?? '').split(',').filter(Boolean) : ((element.initial_options ?? []) as { value: string }[]).map((o) => o.value);
        const picked = wanted.map((v) => options.find((o) => o.value === v));
        if (picked.some((o) => o === undefined)) throw new Error(`viewState: ${block.block_id} has no option among ${wanted.join(', ')}`);
        state = { type: element.type, selected_options: picked };
        break;
      }
      case 'datepicker':
        state = { type: element.type, selected_date: changed ? given : (element.initial_date ?? null) };
        break;
      case 'external_select': {
        // Options come from the app (block_suggestion): the change names the option's value, and its text is the same.
        const picked = changed ? (given === null ? null : { text: { type: 'plain_text', text: given }, value: given }) : (element.initial_option ?? null);
        state = { type: element.type, selected_option: picked };
        break;
      }
      default:
        state = { type: element.type, value: changed ? given : (element.initial_value ?? null) };
    }
    values[block.block_id] = { [element.action_id as string]: state };
  }
  const unknown = Object.keys(changes).filter((id) => !seen.has(id));
  if (unknown.length) throw new Error(`viewState: the view has no input block ${unknown.join(', ')}`);
  return values;
}

/**
 * Malformed HTTP bodies to both endpoints, end to end: truncated JSON, wrong content types, bodies over 1 MB, invalid
 * UTF-8, missing and mistyped fields, form bodies whose `payload` is not JSON, slash commands without user_id or
 * team_id. Each is signed correctly (the point is the body, so it gets past the signature check) and each gets a 4xx
 * at once: never a 5xx, never a hang, no Slack call, and nothing stored in any table. Then generated bodies (mutated
 * real payloads and random text) for both endpoints: whatever comes, a prompt answer below 500.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createOrRotateSecret } from '../../src/features/deals/webhook-secrets.js';
import { secretBoxFromEnvironment } from '../../src/lib/encryption-key.js';
import { MAX_SLACK_BODY_BYTES } from '../../src/slack/request-guard.js';
import { anyText, mutated, runs } from '../helpers/arbitraries.js';
import { describeEachDb } from '../helpers/db.js';
import { SIGNING_SECRET, startHarness, TEST_ENCRYPTION_KEY, type Harness } from '../helpers/harness.js';
import { blockAction, DEFAULT_TEAM_ID, DEFAULT_USER_ID, globalShortcut, viewSubmission } from '../helpers/signed-request.js';

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
/** Well inside Slack's 3 seconds: a refusal is immediate, not Bolt's "not acknowledged" after 3 s. */
const PROMPT_MS = 2_000;
const box = secretBoxFromEnvironment({ ENCRYPTION_KEY: TEST_ENCRYPTION_KEY })!;

/** A slash command's fields as Slack sends them (test/fixtures/slack-payloads/slash-command.form.txt). */
const COMMAND: Record<string, string> = {
  token: 'gIkuvaNzQIHg97ATvDxqgjtO',
  team_id: DEFAULT_TEAM_ID,
  team_domain: 'example',
  channel_id: 'C2147483705',
  channel_name: 'sales',
  user_id: DEFAULT_USER_ID,
  user_name: 'ana',
  command: '/log-call',
  text: 'Acme x2 #connected',
  api_app_id: 'A123456',
  response_url: 'http://127.0.0.1:9/commands/none',
  trigger_id: '13345224609.738474920.8088930838d88f008e0',
};
const form = (fields: Record<string, string | string[]>) => new URLSearchParams(Object.entries(fields).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]]))).toString();
const without = (key: string) => Object.fromEntries(Object.entries(COMMAND).filter(([k]) => k !== key));
const payload = (value: unknown) => form({ payload: typeof value === 'string' ? value : JSON.stringify(value) });
const event = (fields: Record<string, unknown>) => JSON.stringify({ token: 't', api_app_id: 'A123456', event_id: 'Ev1', event_time: 1, ...fields });

const undoClick = blockAction({ actionId: 'activity_undo', value: '0b5c3c1e-6a8f-4e0a-9d7e-2f1c0a9b8e11' });
const submission = viewSubmission({ callbackId: 'log_activity_modal', values: { account_block: { account_input: { type: 'plain_text_input', value: 'Acme' } } } });
const { user: _user, ...clickWithoutUser } = undoClick;
const { actions: _actions, ...clickWithoutActions } = undoClick;
const { view: _view, ...submissionWithoutView } = submission;
const { trigger_id: _trigger, ...shortcutWithoutTrigger } = globalShortcut({ callbackId: 'log_activity_shortcut' });

/** [what, body, content type] — each signed correctly, each to be refused with a 4xx. */
const SLACK_BODIES: [string, string | Buffer, string][] = [
  ['truncated JSON', '{"type":"event_callback","team_id":"T0001","event":{"type":"app_home_opened","us', JSON_TYPE],
  ['an empty body', '', JSON_TYPE],
  ['JSON null', 'null', JSON_TYPE],
  ['a JSON number', '5', JSON_TYPE],
  ['a JSON string', '"event_callback"', JSON_TYPE],
  ['a JSON array', '[{"type":"event_callback"}]', JSON_TYPE],
  ['a JSON object without a type', '{"team_id":"T0001"}', JSON_TYPE],
  ['a JSON type that is a number', '{"type":5}', JSON_TYPE],
  ['an event callback without its event', event({ type: 'event_callback', team_id: DEFAULT_TEAM_ID }), JSON_TYPE],
  ['an event whose type is not a string', event({ type: 'event_callback', team_id: DEFAULT_TEAM_ID, event: { type: 7 } }), JSON_TYPE],
  ['app_home_opened without its user', event({ type: 'event_callback', team_id: DEFAULT_TEAM_ID, event: { type: 'app_home_opened', tab: 'home' } }), JSON_TYPE],
  ['app_home_opened without a team', event({ type: 'event_callback', event: { type: 'app_home_opened', user: DEFAULT_USER_ID, tab: 'home' } }), JSON_TYPE],
  ['a slash command sent as text/plain', form(COMMAND), 'text/plain'],
  ['a slash command whose form content type has a charset (Bolt reads it as JSON)', form(COMMAND), `${FORM}; charset=utf-8`],
  ['a slash command without a content type', form(COMMAND), ''],
  ['JSON sent as a form', event({ type: 'event_callback', team_id: DEFAULT_TEAM_ID, event: { type: 'app_home_opened', user: DEFAULT_USER_ID } }), FORM],
  ['a slash command without user_id', form(without('user_id')), FORM],
  ['a slash command without team_id', form(without('team_id')), FORM],
  ['a slash command with an empty user_id', form({ ...COMMAND, user_id: '' }), FORM],
  ['a slash command with two user_ids', form({ ...COMMAND, user_id: [DEFAULT_USER_ID, 'U0OTHER01'] }), FORM],
  ['a slash command without its command', form(without('command')), FORM],
  ['a slash command whose command is not one', form({ ...COMMAND, command: 'log-call' }), FORM],
  ['a form payload that is not JSON', 'payload=%7Bnot+json', FORM],
  ['a form payload that is truncated JSON', payload(JSON.stringify(undoClick).slice(0, 60)), FORM],
  ['a form payload that is JSON null', payload('null'), FORM],
  ['a form payload that is a JSON number', payload('5'), FORM],
  ['a form payload that is a JSON array', payload([undoClick]), FORM],
  ['two form payloads', form({ payload: [JSON.stringify(undoClick), JSON.stringify(undoClick)] }), FORM],
  ['a button click without its user', payload(clickWithoutUser), FORM],
  ['a button click whose user is a string', payload({ ...undoClick, user: DEFAULT_USER_ID }), FORM],
  ['a button click without a team', payload({ ...undoClick, team: null, user: { id: DEFAULT_USER_ID } }), FORM],
  ['a button click without its actions', payload(clickWithoutActions), FORM],
  ['a button click whose actions are not a list', payload({ ...undoClick, actions: 5 }), FORM],
  ['a button click with no action', payload({ ...undoClick, actions: [] }), FORM],
  ['a button click whose value is a number', payload({ ...undoClick, actions: [{ ...undoClick.actions[0], value: 42 }] }), FORM],
  ['a view submission without its view', payload(submissionWithoutView), FORM],
  ['a view submission without its state', payload({ ...submission, view: { ...submission.view, state: undefined } }), FORM],
  ['a view submission whose values are a list', payload({ ...submission, view: { ...submission.view, state: { values: [] } } }), FORM],
  ['a view submission whose metadata is an object', payload({ ...submission, view: { ...submission.view, private_metadata: { activityId: 'x' } } }), FORM],
  ['a shortcut without its trigger_id', payload(shortcutWithoutTrigger), FORM],
  ['invalid UTF-8 in a slash command', Buffer.concat([Buffer.from(`${form(without('text'))}&text=Acme+`), Buffer.from([0xc3, 0x28, 0xff, 0xfe])]), FORM],
  ['a slash command over 1 MB', form({ ...COMMAND, text: 'a'.repeat(MAX_SLACK_BODY_BYTES + 1) }), FORM],
  ['a body over 4 MB (Bolt\'s own limit)', form({ ...COMMAND, text: 'a'.repeat(4 * 1024 * 1024 + 10) }), FORM],
];

const DEAL = { external_id: 'crm-1', status: 'won', amount: '5000', currency: 'USD', account: 'Initech', slack_user_id: DEFAULT_USER_ID };
/** [what, body, content type] for the deal webhook, signed with the workspace's secret. */
const WEBHOOK_BODIES: [string, string | Buffer, string][] = [
  ['truncated JSON', JSON.stringify(DEAL).slice(0, 30), JSON_TYPE],
  ['an empty body', '', JSON_TYPE],
  ['JSON null', 'null', JSON_TYPE],
  ['a JSON array', JSON.stringify([DEAL]), JSON_TYPE],
  ['a JSON string', JSON.stringify(JSON.stringify(DEAL)), JSON_TYPE],
  ['an empty object', '{}', JSON_TYPE],
  ['the deal as a form', form(DEAL), FORM],
  ['the deal as text/plain', JSON.stringify(DEAL), 'text/plain'],
  ['the deal without a content type', JSON.stringify(DEAL), ''],
  ['a deal without external_id', JSON.stringify({ ...DEAL, external_id: undefined }), JSON_TYPE],
  ['a deal without its rep', JSON.stringify({ ...DEAL, slack_user_id: undefined }), JSON_TYPE],
  ['a won deal without an amount', JSON.stringify({ ...DEAL, amount: undefined }), JSON_TYPE],
  ['an amount that is an object', JSON.stringify({ ...DEAL, amount: { value: 5000 } }), JSON_TYPE],
  ['an amount with a float', JSON.stringify({ ...DEAL, amount: 5000.1 }), JSON_TYPE],
  ['a status that is a number', JSON.stringify({ ...DEAL, status: 1 }), JSON_TYPE],
  ['an external_id that is a list', JSON.stringify({ ...DEAL, external_id: ['crm-1'] }), JSON_TYPE],
  ['a closed_at that is not a date', JSON.stringify({ ...DEAL, closed_at: 'last tuesday' }), JSON_TYPE],
  ['a slack_user_id that is a number', JSON.stringify({ ...DEAL, slack_user_id: 12345 }), JSON_TYPE],
  ['invalid UTF-8', Buffer.concat([Buffer.from(JSON.stringify(DEAL).slice(0, -1)), Buffer.from(',"notes":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]), JSON_TYPE],
  ['a body over 64 KiB', JSON.stringify({ ...DEAL, notes: 'n'.repeat(70 * 1024) }), JSON_TYPE],
  ['a body over 1 MB', JSON.stringify({ ...DEAL, notes: 'n'.repeat(1024 * 1024 + 10) }), JSON_TYPE],
];

describeEachDb('malformed request bodies', (getDb) => {
  let h: Harness;
  let secret: string;
  let baseline: Record<string, number>;
  beforeAll(async () => {
    h = await startHarness({ db: getDb() });
  });
  afterAll(async () => {
    await h.stop();
  });
  beforeEach(async () => {
    // describeEachDb emptied every table: the workspace and its webhook secret again, then what the tables hold.
    secret = (await createOrRotateSecret(getDb().database.db, box, DEFAULT_TEAM_ID, { rotate: false, now: h.clock.now() })).secret!;
    baseline = await rowCounts();
    h.fake.reset();
  });

  /** Rows in every table of the schema. */
  async function rowCounts(): Promise<Record<string, number>> {
    const { database } = getDb();
    const tables = await database.rows<{ table_name: string }>(sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`);
    const counts: Record<string, number> = {};
    for (const { table_name: table } of tables) {
      const [row] = await database.rows<{ n: number | string }>(sql.raw(`select count(*) as n from "${table}"`));
      counts[table] = Number(row!.n);
    }
    return counts;
  }

  /** POST `body` with these headers; the status and how long the answer took. */
  async function post(path: string, body: string | Buffer, headers: Record<string, string>) {
    const started = performance.now();
    const res = await fetch(`${h.baseUrl}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body), signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    return { status: res.status, text, ms: performance.now() - started };
  }

  /** HMAC-SHA256 hex of `prefix` and the exact bytes sent (the helpers sign strings; these bodies may be bytes). */
  const hmac = (key: string, prefix: string, body: string | Buffer) => createHmac('sha256', key).update(prefix).update(body).digest('hex');
  // Signed over the exact bytes sent, as Slack signs (Slack's clock: the real one).
  const slackHeaders = (body: string | Buffer, contentType: string) => {
    const timestamp = Math.floor(Date.now() / 1000);
    return {
      ...(contentType ? { 'content-type': contentType } : {}),
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': `v0=${hmac(SIGNING_SECRET, `v0:${timestamp}:`, body)}`,
    };
  };
  // Signed as the README's contract says, with the workspace's secret, at the bot's (test) clock.
  const webhookHeaders = (body: string | Buffer, contentType: string) => {
    const timestamp = Math.floor(h.clock.now().getTime() / 1000);
    return {
      ...(contentType ? { 'content-type': contentType } : {}),
      'x-sales-pulse-workspace': DEFAULT_TEAM_ID,
      'x-sales-pulse-timestamp': String(timestamp),
      'x-sales-pulse-signature': `sha256=${hmac(secret, `${timestamp}.`, body)}`,
    };
  };

  /** Slack calls the app made besides Bolt's auth.test at start. */
  const slackCalls = () => h.fake.calls.filter((c) => c.method !== 'auth.test').map((c) => c.method);
  const errorLogs = () => h.logs.filter((l) => (l.level as number) >= 50);

  it.each(SLACK_BODIES)('/slack/events: %s gets a 4xx at once; nothing is stored, nothing sent to Slack', async (_what, body, contentType) => {
    const logsBefore = errorLogs().length;
    const answer = await post('/slack/events', body, slackHeaders(body, contentType));
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(answer.ms).toBeLessThan(PROMPT_MS);
    expect(await rowCounts()).toEqual(baseline);
    expect(slackCalls()).toEqual([]);
    expect(errorLogs().slice(logsBefore)).toEqual([]);
  });

  it('/slack/events: the refusals above are for the body alone: the same well-formed command, signed the same way, is stored', async () => {
    const body = form({ ...COMMAND, trigger_id: 'well-formed' });
    const answer = await post('/slack/events', body, slackHeaders(body, FORM));
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('Logged 2 calls (connected) with Acme');
    expect((await rowCounts()).activities).toBe(1);
    await h.fake.waitFor('views.publish'); // the Home tab's refresh, so it does not land in the next test
  });

  it.each(WEBHOOK_BODIES)('/webhooks/deals: %s gets a 4xx at once; nothing is stored, nothing sent to Slack', async (_what, body, contentType) => {
    const logsBefore = errorLogs().length;
    const answer = await post('/webhooks/deals', body, webhookHeaders(body, contentType));
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(answer.ms).toBeLessThan(PROMPT_MS);
    expect(await rowCounts()).toEqual(baseline);
    expect(slackCalls()).toEqual([]);
    expect(errorLogs().slice(logsBefore)).toEqual([]);
  });

  it('/webhooks/deals: the same deal, well formed and signed the same way, is stored', async () => {
    const body = JSON.stringify(DEAL);
    const answer = await post('/webhooks/deals', body, webhookHeaders(body, JSON_TYPE));
    expect(answer.status).toBe(200);
    expect((await rowCounts()).deals).toBe(1);
  });

  // -------------------------------------------------------------------------------------------
  // generated bodies

  const GENERATED = 150;

  it(`/webhooks/deals: ${GENERATED} generated bodies, signed: each answered promptly, never a 5xx`, async () => {
    const bodies = fc.oneof(mutated(fc.constant(JSON.stringify(DEAL)), 4), anyText(200), fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? ''));
    await fc.assert(
      fc.asyncProperty(bodies, fc.constantFrom(JSON_TYPE, `${JSON_TYPE}; charset=utf-8`, 'text/plain'), async (body, contentType) => {
        // Each a new request: a fresh timestamp per run, so none is refused as one already received.
        h.clock.advance(1_000);
        const answer = await post('/webhooks/deals', body, webhookHeaders(body, contentType));
        expect(answer.status).toBeLessThan(500);
        expect(answer.ms).toBeLessThan(PROMPT_MS);
      }),
      runs(GENERATED),
    );
    expect(errorLogs().map((l) => l.msg)).toEqual([]);
  });

  it(`/slack/events: ${GENERATED} generated bodies (real payloads mutated, random text), signed: each answered promptly, never a 5xx`, async () => {
    const command = { ...COMMAND, response_url: h.fake.responseUrl('generated') };
    const real = fc.constantFrom(
      [form(command), FORM],
      [form({ ...command, command: '/log-deal', text: 'Acme $5,000 won' }), FORM],
      [form({ ...command, command: '/sales-admin', text: 'target everyone calls 50/week' }), FORM],
      [payload({ ...undoClick, response_url: h.fake.responseUrl('generated-click') }), FORM],
      [payload(submission), FORM],
      [payload(globalShortcut({ callbackId: 'log_activity_shortcut' })), FORM],
      [event({ type: 'event_callback', team_id: DEFAULT_TEAM_ID, event: { type: 'app_home_opened', user: DEFAULT_USER_ID, tab: 'home' } }), JSON_TYPE],
    );
    const bodies = fc.oneof(
      real.chain(([body, type]) => fc.tuple(mutated(fc.constant(body), 4), fc.constant(type))),
      fc.tuple(anyText(200), fc.constantFrom(FORM, JSON_TYPE, 'text/plain')),
    );
    await fc.assert(
      fc.asyncProperty(bodies, async ([body, contentType]) => {
        const answer = await post('/slack/events', body, slackHeaders(body, contentType));
        expect(answer.status).toBeLessThan(500);
        expect(answer.ms).toBeLessThan(PROMPT_MS);
      }),
      runs(GENERATED),
    );
    await h.settle();
    // A mutated payload may reuse a trigger_id, name an unknown user or garble its response_url: Slack refusing the
    // call, or the reply not reaching a broken response_url, is logged and fine. Anything else is a bug.
    const failedCall = (l: Record<string, unknown>) => {
      const err = l.err as { message?: string; stack?: string } | undefined;
      return Boolean(err?.message?.startsWith('An API error occurred') || (err?.message === 'fetch failed' && err.stack?.includes('create-respond')));
    };
    expect(errorLogs().filter((l) => !failedCall(l)).map((l) => [l.msg, (l.err as { stack?: string } | undefined)?.stack])).toEqual([]);
  });
});

import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, manifestBotScopes, startFakeSlack } from '../helpers/fake-slack.js';
import { fakeClient, slackError } from '../helpers/fake-slack-client.js';
import { blockAction, globalShortcut, signSlackRequest, slackSender, viewSubmission } from '../helpers/signed-request.js';

const TOKEN = 'xoxb-test-token';
const ALL_SCOPES = ['chat:write', 'commands', 'users:read', 'users:read.email', 'im:write', 'files:write', 'team:read'];

/** A WebClient pointed at the fake, quiet, failing without retries unless told otherwise. */
function clientFor(fake: FakeSlack, token: string | undefined = TOKEN, options: WebClientOptions = {}): WebClient {
  return fakeClient(fake, token, options);
}

describe('fake Slack Web API', () => {
  let fake: FakeSlack;
  let client: WebClient;

  beforeEach(async () => {
    fake = await startFakeSlack({ scopes: ALL_SCOPES });
    client = clientFor(fake);
  });
  afterEach(() => fake.close());

  it('serves under /api/ with a trailing slash, as @slack/web-api expects', async () => {
    expect(fake.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    const auth = await client.auth.test();
    expect(auth).toMatchObject({ ok: true, user_id: 'UBOT', bot_id: 'B0001', team_id: 'T0001', user: 'salespulse' });
  });

  it('refuses a method whose bot scope was not granted, naming the scope', async () => {
    const narrow = await startFakeSlack({ scopes: ['users:read', 'commands'] });
    try {
      const narrowClient = clientFor(narrow);
      const error = await slackError(narrowClient.chat.postMessage({ channel: 'C1', text: 'hi' }));
      expect(error).toMatchObject({ ok: false, error: 'missing_scope', needed: 'chat:write', provided: 'users:read,commands' });

      // A refused call is recorded but does not satisfy waitFor, so a test waiting for the post fails.
      expect(narrow.callsTo('chat.postMessage')).toHaveLength(1);
      expect(narrow.callsTo('chat.postMessage')[0]).toMatchObject({ ok: false, error: 'missing_scope' });
      await expect(narrow.waitFor('chat.postMessage', undefined, 50)).rejects.toThrow(/missing_scope \(needed chat:write\)/);
      await expect(narrow.waitFor('chat.postMessage', undefined, 50, { includeFailed: true })).resolves.toMatchObject({
        error: 'missing_scope',
      });
    } finally {
      await narrow.close();
    }
  });

  it('asks for the scope of the conversation kind (im:write for a DM)', async () => {
    const narrow = await startFakeSlack({ scopes: ['channels:manage'] });
    try {
      const narrowClient = clientFor(narrow);
      const error = await slackError(narrowClient.conversations.open({ users: 'U1' }));
      expect(error).toMatchObject({ error: 'missing_scope', needed: 'im:write' });
    } finally {
      await narrow.close();
    }
  });

  it('refuses a wrong token (invalid_auth) and a missing one (not_authed), and accepts a token field', async () => {
    const wrong = clientFor(fake, 'xoxb-wrong');
    expect(await slackError(wrong.auth.test())).toMatchObject({ error: 'invalid_auth' });

    const anonymous = clientFor(fake, '');
    expect(await slackError(anonymous.auth.test())).toMatchObject({ error: 'not_authed' });

    const response = await fetch(`${fake.apiUrl}auth.test`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${TOKEN}`,
    });
    expect(await response.json()).toMatchObject({ ok: true });
  });

  it('reads the bot scopes from manifest.yml', () => {
    const scopes = manifestBotScopes();
    expect(scopes).toContain('chat:write');
    expect(scopes.every((scope) => /^[a-z.]+:?[a-z.:]*$/.test(scope))).toBe(true);
  });

  it('refuses unknown methods', async () => {
    expect(await slackError(client.apiCall('chat.postMessagee', { channel: 'C1', text: 'x' }))).toMatchObject({
      error: 'unknown_method',
    });
  });

  it('refuses missing required arguments, with the alternatives Slack accepts', async () => {
    const usersInfo = await slackError(client.apiCall('users.info', {}));
    expect(usersInfo).toMatchObject({ error: 'invalid_arguments' });
    expect(usersInfo.response_metadata?.messages).toEqual(['[ERROR] missing required field: user']);

    const view = { type: 'modal', title: { type: 'plain_text', text: 'Log' }, blocks: [] };
    const noTrigger = await slackError(client.apiCall('views.open', { view }));
    expect(noTrigger.response_metadata?.messages).toEqual(['[ERROR] must provide one of: trigger_id, interactivity_pointer']);
    await expect(client.views.open({ interactivity_pointer: 'p1', view: view as never })).resolves.toMatchObject({ ok: true });

    expect(await slackError(client.apiCall('conversations.open', {}))).toMatchObject({ error: 'users_list_not_supplied' });
    expect(await slackError(client.apiCall('chat.postEphemeral', { channel: 'C1', text: 'x' }))).toMatchObject({
      error: 'invalid_arguments',
    });
  });

  it('checks message content and Block Kit limits', async () => {
    expect(await slackError(client.chat.postMessage({ channel: 'C1' } as never))).toMatchObject({ error: 'no_text' });

    const tooMany = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    expect(await slackError(client.chat.postMessage({ channel: 'C1', text: 'x', blocks: tooMany }))).toMatchObject({
      error: 'invalid_blocks',
    });

    const empty = [{ type: 'section', text: { type: 'mrkdwn', text: '' } }];
    const emptyError = await slackError(client.chat.postMessage({ channel: 'C1', text: 'x', blocks: empty }));
    expect(emptyError).toMatchObject({ error: 'invalid_blocks' });
    expect(emptyError.response_metadata?.messages?.[0]).toContain('/blocks/0/text/text');

    const longTitle = { type: 'modal', title: { type: 'plain_text', text: 'A title that is far too long' }, blocks: [] };
    expect(await slackError(client.views.open({ trigger_id: 't-long', view: longTitle as never }))).toMatchObject({
      error: 'invalid_arguments',
    });
    const hundredAndOne = { type: 'home', blocks: Array.from({ length: 101 }, () => ({ type: 'divider' })) };
    expect(await slackError(client.views.publish({ user_id: 'U1', view: hundredAndOne as never }))).toMatchObject({
      error: 'invalid_arguments',
    });
  });

  it('refuses a second views.open with the same trigger', async () => {
    const view = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'Log' }, blocks: [] };
    await client.views.open({ trigger_id: 't-1', view });
    expect(await slackError(client.views.open({ trigger_id: 't-1', view }))).toMatchObject({ error: 'exchanged_trigger_id' });
  });

  it('records chat.postMessage with parsed blocks and answers with increasing ts', async () => {
    const blocks = [{ type: 'section', block_id: 's1', text: { type: 'mrkdwn', text: '*Hello*' } }];
    const first = await client.chat.postMessage({ channel: 'C1', text: 'Hello', blocks });
    const second = await client.chat.postMessage({ channel: 'U123', text: 'DM' });

    expect(first).toMatchObject({ ok: true, channel: 'C1', message: { text: 'Hello', blocks, bot_id: 'B0001' } });
    expect(second.channel).toBe('DU123');
    expect(first.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));

    const call = await fake.waitFor('chat.postMessage', (c) => c.args.channel === 'C1');
    expect(call.args).toEqual({ channel: 'C1', text: 'Hello', blocks });
    expect(call.ok).toBe(true);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(2);
  });

  it('waitFor resolves on a call arriving later and times out listing the calls seen', async () => {
    const waiting = fake.waitFor('chat.postMessage', (c) => c.args.text === 'later', 2000);
    await client.chat.postMessage({ channel: 'C1', text: 'sooner' });
    await client.chat.postMessage({ channel: 'C1', text: 'later' });
    await expect(waiting).resolves.toMatchObject({ args: { text: 'later' } });

    await expect(fake.waitFor('views.publish', undefined, 20)).rejects.toThrow(/views\.publish[\s\S]*#2 chat\.postMessage: ok/);
  });

  it('refuses posting where the bot is not a member, as Slack does', async () => {
    fake.channelsWithoutBot.add('C9');
    expect(await slackError(client.chat.postMessage({ channel: 'C9', text: 'x' }))).toMatchObject({ error: 'not_in_channel' });
    expect(await slackError(client.chat.postEphemeral({ channel: 'C9', user: 'U1', text: 'x' }))).toMatchObject({
      error: 'channel_not_found',
    });
  });

  it('answers users.info and users.lookupByEmail from the users map', async () => {
    fake.addUser({ id: 'U1', name: 'ana', real_name: 'Ana Lima', tz: 'Australia/Sydney', profile: { email: 'ana@example.com' } });
    const info = await client.users.info({ user: 'U1' });
    expect(info.user).toMatchObject({ id: 'U1', real_name: 'Ana Lima', tz: 'Australia/Sydney', is_admin: false, deleted: false });
    expect([36000, 39600]).toContain(info.user?.tz_offset);
    expect((await client.users.lookupByEmail({ email: 'ANA@example.com' })).user?.id).toBe('U1');
    expect(await slackError(client.users.info({ user: 'U404' }))).toMatchObject({ error: 'user_not_found' });
    expect(await slackError(client.users.lookupByEmail({ email: 'x@example.com' }))).toMatchObject({ error: 'users_not_found' });
    expect((await client.conversations.open({ users: 'U1' })).channel?.id).toBe('DU1');
  });

  it('answers 429 with Retry-After: the error without retries, success after waiting with them', async () => {
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 0 });
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toThrow(/rate limit/i);

    const strict = clientFor(fake, TOKEN, { rejectRateLimitedCalls: true });
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 7 });
    await expect(strict.chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({
      code: 'slack_webapi_rate_limited_error',
      retryAfter: 7,
    });

    fake.reset();
    const patient = clientFor(fake, TOKEN, { retryConfig: { retries: 2, minTimeout: 0, maxTimeout: 0 } });
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const posted = await patient.chat.postMessage({ channel: 'C1', text: 'eventually' });
    expect(posted.ok).toBe(true);
    const [limited, accepted] = fake.callsTo('chat.postMessage');
    expect(limited).toMatchObject({ ok: false, status: 429, error: 'ratelimited' });
    expect(accepted).toMatchObject({ ok: true });
    expect(accepted!.at - limited!.at).toBeGreaterThanOrEqual(950);
  });

  it('injects platform errors and 5xx for a number of calls', async () => {
    fake.failNext('users.info', { error: 'fatal_error', times: 2 });
    fake.addUser({ id: 'U1' });
    expect(await slackError(client.users.info({ user: 'U1' }))).toMatchObject({ error: 'fatal_error' });
    expect(await slackError(client.users.info({ user: 'U1' }))).toMatchObject({ error: 'fatal_error' });
    await expect(client.users.info({ user: 'U1' })).resolves.toMatchObject({ ok: true });

    fake.failNext('auth.test', { status: 503 });
    await expect(client.auth.test()).rejects.toMatchObject({ code: 'slack_webapi_http_error', statusCode: 503 });
  });

  it('takes a file through files.uploadV2 end to end', async () => {
    const bytes = Buffer.from('\x89PNG fake chart bytes');
    const result = await client.files.uploadV2({ channel_id: 'C1', file: bytes, filename: 'chart.png', title: 'Leaderboard' });

    const requested = fake.callsTo('files.getUploadURLExternal')[0]!;
    expect(requested.args).toMatchObject({ filename: 'chart.png', length: String(bytes.length) });
    const upload = await fake.waitFor('file_upload');
    expect(upload.args.length).toBe(bytes.length);
    expect(Buffer.compare(upload.args.data, bytes)).toBe(0);
    const completed = await fake.waitFor('files.completeUploadExternal');
    expect(completed.args).toMatchObject({ channel_id: 'C1', files: [{ id: upload.args.file_id, title: 'Leaderboard' }] });
    expect((result as unknown as { files: unknown[] }).files[0]).toMatchObject({ ok: true, files: [{ id: upload.args.file_id, title: 'Leaderboard' }] });
  });

  it('refuses completing an upload whose bytes never arrived', async () => {
    const { file_id } = await client.files.getUploadURLExternal({ filename: 'a.csv', length: 3 });
    expect(await slackError(client.files.completeUploadExternal({ files: [{ id: file_id! }] }))).toMatchObject({
      error: 'file_not_found',
    });
  });

  it('records response_url posts and expires the URL after 5 uses', async () => {
    const url = fake.responseUrl('cmd-1');
    const statuses: number[] = [];
    for (let i = 1; i <= 6; i++) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: `reply ${i}`, response_type: 'ephemeral', replace_original: false }),
      });
      statuses.push(response.status);
      expect(await response.text()).toBe(i <= 5 ? 'ok' : 'expired_url');
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 404]);
    const recorded = fake.callsTo('response_url');
    expect(recorded).toHaveLength(6);
    expect(recorded[0]).toMatchObject({ responseUrlId: 'cmd-1', ok: true, args: { text: 'reply 1', response_type: 'ephemeral' } });
    expect(recorded[5]).toMatchObject({ ok: false, status: 404 });
  });

  it('answers malformed input with 400 and keeps serving', async () => {
    const response = await fetch(`${fake.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: '{not json',
    });
    expect(response.status).toBe(400);
    const garbage = await fetch(fake.responseUrl(), { method: 'POST', body: 'nope' });
    expect(garbage.status).toBe(400);
    await expect(client.auth.test()).resolves.toMatchObject({ ok: true });
  });
});

describe('signed requests', () => {
  it('match the example in Slack’s documentation', () => {
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(signSlackRequest('8f742231b10e8888abcd99yyyzzz85a5', body, 1531420618)).toEqual({
      'x-slack-request-timestamp': '1531420618',
      'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    });
  });

  describe('against a real Bolt app', () => {
    const signingSecret = 'test-signing-secret';
    let fake: FakeSlack;
    let app: App;
    let url: string;

    beforeEach(async () => {
      fake = await startFakeSlack({ scopes: ['chat:write', 'commands'] });
      const receiver = new HTTPReceiver({ signingSecret, logLevel: LogLevel.ERROR });
      app = new App({ token: TOKEN, receiver, logLevel: LogLevel.ERROR, clientOptions: { slackApiUrl: fake.apiUrl } });
      const server = (await app.start(0)) as { address(): AddressInfo };
      url = `http://127.0.0.1:${server.address().port}/slack/events`;
    });
    afterEach(async () => {
      await app.stop();
      await fake.close();
    });

    it('delivers a slash command that Bolt accepts, with a response_url on the fake', async () => {
      let seen: Record<string, string> | undefined;
      app.command('/log-call', async ({ ack, command, respond }) => {
        seen = command as unknown as Record<string, string>;
        await ack();
        await respond({ text: 'Logged', response_type: 'ephemeral' });
      });
      const sender = slackSender({ url, signingSecret, responseUrl: fake.responseUrl });
      const response = await sender.command({ command: '/log-call', text: 'Acme Corp 15m <#C0CONNECT|connected>' });
      expect(response.status).toBe(200);
      const reply = await fake.waitFor('response_url', (c) => c.responseUrlId === response.responseUrlId);
      expect(reply.args).toMatchObject({ text: 'Logged', response_type: 'ephemeral' });
      expect(seen).toMatchObject({
        command: '/log-call',
        text: 'Acme Corp 15m <#C0CONNECT|connected>',
        user_id: 'U2147483697',
        channel_id: 'C2147483705',
        team_id: 'T0001',
        trigger_id: response.triggerId,
      });
    });

    it('delivers interactions and events that Bolt routes', async () => {
      const routed: string[] = [];
      app.action('activity_undo', async ({ ack, body }) => {
        await ack();
        routed.push(`action:${(body as { actions: { value: string }[] }).actions[0]!.value}`);
      });
      app.view('log_activity_modal', async ({ ack, view }) => {
        await ack();
        routed.push(`view:${view.state.values.account_block!.account_input!.value}`);
      });
      app.shortcut('log_activity', async ({ ack }) => {
        await ack();
        routed.push('shortcut');
      });
      app.event('app_home_opened', async ({ event, client }) => {
        routed.push(`event:${event.user}`);
        await client.chat.postMessage({ channel: event.user, text: 'Welcome' });
      });

      const sender = slackSender({ url, signingSecret, responseUrl: fake.responseUrl });
      expect((await sender.interaction(blockAction({ actionId: 'activity_undo', value: 'a1' }))).status).toBe(200);
      const submission = viewSubmission({
        callbackId: 'log_activity_modal',
        values: { account_block: { account_input: { type: 'plain_text_input', value: 'Acme Corp' } } },
      });
      expect((await sender.interaction(submission)).status).toBe(200);
      expect((await sender.interaction(globalShortcut({ callbackId: 'log_activity' }))).status).toBe(200);
      const event = await sender.event({ type: 'app_home_opened', user: 'U2147483697', channel: 'D0001', tab: 'home' });
      expect(event.status).toBe(200);

      await fake.waitFor('chat.postMessage', (c) => c.args.channel === 'U2147483697');
      expect(routed).toEqual(['action:a1', 'view:Acme Corp', 'shortcut', 'event:U2147483697']);
    });

    it('is rejected by Bolt when the signature is wrong or stale', async () => {
      const sender = slackSender({ url, signingSecret });
      const body = 'command=%2Flog-call&text=';
      const forged = await sender.raw(body, {
        'content-type': 'application/x-www-form-urlencoded',
        ...signSlackRequest('another-secret', body),
      });
      expect(forged.status).toBe(401);
      const stale = await sender.raw(body, {
        'content-type': 'application/x-www-form-urlencoded',
        ...signSlackRequest(signingSecret, body, Math.floor(Date.now() / 1000) - 6 * 60),
      });
      expect(stale.status).toBe(401);
    });
  });
});

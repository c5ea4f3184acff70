import { WebClient } from '@slack/web-api';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeSlack, slackRateLimits, startFakeSlack } from '../helpers/fake-slack.js';
import { silentLogger } from '../helpers/fake-slack-client.js';

const SCOPES = ['chat:write', 'users:read', 'im:write'];

/** A raw Web API call, so the test sees the HTTP status and headers the client would act on. */
async function call(fake: FakeSlack, token: string, method: string, args: Record<string, string>) {
  const response = await fetch(`${fake.apiUrl}${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(args).toString(),
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as Record<string, unknown> };
}

describe('fake Slack rate limits', () => {
  let fake: FakeSlack;
  let now = 0;
  afterEach(() => fake.close());

  async function start(rateLimits: Parameters<typeof startFakeSlack>[0]['rateLimits']) {
    now = 1_000_000;
    fake = await startFakeSlack({ scopes: SCOPES, rateLimits: rateLimits && { now: () => now, ...rateLimits } });
    fake.addTeam({ teamId: 'T0002', botToken: 'xoxb-second' });
  }

  it('are off unless asked for', async () => {
    fake = await startFakeSlack({ scopes: SCOPES });
    for (let i = 0; i < 30; i += 1) expect((await call(fake, 'xoxb-test-token', 'chat.postMessage', { channel: 'C1', text: `${i}` })).status).toBe(200);
  });

  it('answer 429 with Retry-After past a method’s limit, per workspace: the other workspace is unaffected', async () => {
    await start({ perMethodPerMinute: { 'users.info': 3 } });
    fake.addUser({ id: 'U1' });
    fake.addUser({ id: 'U1' }, 'T0002');
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await call(fake, 'xoxb-test-token', 'users.info', { user: 'U1' })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await call(fake, 'xoxb-test-token', 'users.info', { user: 'U1' });
    // 3 a minute: the next call is let through 20 seconds after the last one taken.
    expect(refused).toEqual({ status: 429, retryAfter: '20', body: { ok: false, error: 'ratelimited' } });
    expect((await call(fake, 'xoxb-second', 'users.info', { user: 'U1' })).status).toBe(200);
    // Other methods are not counted against it.
    expect((await call(fake, 'xoxb-test-token', 'chat.postMessage', { channel: 'C1', text: 'x' })).status).toBe(200);

    expect(fake.callsTo('users.info', 'T0001').map((c) => c.status)).toEqual([200, 200, 200, 429, 429]);
    expect(fake.callsTo('users.info', 'T0001')[3]).toMatchObject({ ok: false, error: 'ratelimited' });
    expect(fake.count({ method: 'users.info', teamId: 'T0001', status: 429 })).toBe(2);

    now += 20_000;
    expect((await call(fake, 'xoxb-test-token', 'users.info', { user: 'U1' })).status).toBe(200);
  });

  it('limit chat.postMessage per workspace and conversation; a refused post does not land', async () => {
    await start({ postsPerChannelPerSecond: 1, postBurst: 2 });
    const post = (token: string, channel: string, text: string) => call(fake, token, 'chat.postMessage', { channel, text });
    expect((await post('xoxb-test-token', 'C1', 'one')).status).toBe(200);
    expect((await post('xoxb-test-token', 'C1', 'two')).status).toBe(200);
    const third = await post('xoxb-test-token', 'C1', 'three');
    expect(third).toMatchObject({ status: 429, retryAfter: '1', body: { error: 'ratelimited' } });
    expect((await post('xoxb-test-token', 'C2', 'elsewhere')).status).toBe(200);
    expect((await post('xoxb-second', 'C1', 'other team')).status).toBe(200);
    // A DM by user id is the same conversation as by its D id.
    expect((await post('xoxb-test-token', 'U5', 'dm 1')).status).toBe(200);
    expect((await post('xoxb-test-token', 'U5', 'dm 2')).status).toBe(200);
    expect((await post('xoxb-test-token', 'DU5', 'dm 3')).status).toBe(429);

    expect(fake.workspace.conversation('C1').map((m) => m.text)).toEqual(['one', 'two']);
    expect(fake.workspaceOf('T0002').conversation('C1').map((m) => m.text)).toEqual(['other team']);
    now += 1000;
    expect((await post('xoxb-test-token', 'C1', 'after a second')).status).toBe(200);
  });

  it.each([
    ['a number', 7, '7'],
    ['a function', () => 3, '3'],
  ])('answer the Retry-After configured as %s', async (_name, retryAfterSeconds, expected) => {
    await start({ perMethodPerMinute: { 'auth.test': 1 }, retryAfterSeconds });
    await call(fake, 'xoxb-test-token', 'auth.test', {});
    expect((await call(fake, 'xoxb-test-token', 'auth.test', {})).retryAfter).toBe(expected);
  });

  it('are honoured by the Web API client, which waits Retry-After and then succeeds', async () => {
    // The minute passes as the 429 is answered (Retry-After 0), so the client's own retry is let through: no timing.
    await start({ perMethodPerMinute: { 'auth.test': 1 }, retryAfterSeconds: () => ((now += 60_000), 0) });
    const client = new WebClient('xoxb-test-token', { slackApiUrl: fake.apiUrl, logger: silentLogger, retryConfig: { retries: 3, factor: 1, minTimeout: 10, maxTimeout: 10 } });
    await client.auth.test();
    await expect(client.auth.test()).resolves.toMatchObject({ ok: true });
    expect(fake.count({ method: 'auth.test', status: 429 })).toBe(1);
  });

  it('serve a thousand workspaces, counting without recording, with no workspace limited by another', async () => {
    fake = await startFakeSlack({ scopes: SCOPES, record: false, rateLimits: slackRateLimits(), tokenTeam: (token) => /^xoxb-bench-(T\d+)$/.exec(token)?.[1] });
    const teams = Array.from({ length: 1000 }, (_, i) => `T${i}`);
    let next = 0;
    // A bounded number of callers at once, as the fan-out runs.
    const worker = async () => {
      for (let team = teams[next++]; team !== undefined; team = teams[next++]) {
        const client = new WebClient(`xoxb-bench-${team}`, { slackApiUrl: fake.apiUrl, logger: silentLogger, retryConfig: { retries: 0 } });
        await client.users.info({ user: 'U1' });
        await client.chat.postMessage({ channel: 'C1', text: 'board' });
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
    expect(fake.calls).toEqual([]);
    expect(fake.count({ method: 'chat.postMessage', status: 200 })).toBe(1000);
    expect(fake.count({ method: 'users.info', teamId: 'T999' })).toBe(1);
    expect(fake.count({ status: 429 })).toBe(0);
    expect(fake.workspaceOf('T999').conversation('C1')).toHaveLength(1);
  }, 120_000);
});

describe('slackRateLimits', () => {
  it('preset: Slack’s tiers from the method reference, and one post per second per conversation', () => {
    const preset = slackRateLimits();
    expect(preset.perMethodPerMinute).toMatchObject({ 'users.info': 100, 'views.publish': 100, 'conversations.open': 50, 'users.list': 20, 'files.getUploadURLExternal': 100 });
    expect(preset.perMethodPerMinute).not.toHaveProperty('chat.postMessage');
    expect(preset.postsPerChannelPerSecond).toBe(1);
  });
});

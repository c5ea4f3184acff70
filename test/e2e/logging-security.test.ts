/**
 * The edges of activity logging, end to end: request signing, the bot scopes the manifest grants,
 * acknowledging every command with HTTP 200, and the health endpoints.
 */
import { afterEach, expect, it } from 'vitest';
import { activities } from '../../src/db/schema/index.js';
import { describeEachDb } from '../helpers/db.js';
import { manifestBotScopes } from '../helpers/fake-slack.js';
import { replyTo, SIGNING_SECRET, startHarness, type Harness, type HarnessOptions } from '../helpers/harness.js';
import { DEFAULT_USER_ID, newTriggerId, signSlackRequest } from '../helpers/signed-request.js';
import { modalSubmission, openModalWithShortcut } from '../helpers/slack-ui.js';

const FORM = 'application/x-www-form-urlencoded';

/** A slash command body exactly as Slack sends it (see test/fixtures/slack-payloads/slash-command.form.txt). */
function commandBody(h: Harness, text: string, responseUrlId: string): string {
  return new URLSearchParams({
    token: 'gIkuvaNzQIHg97ATvDxqgjtO',
    team_id: 'T0001',
    team_domain: 'example',
    channel_id: 'C2147483705',
    channel_name: 'sales',
    user_id: DEFAULT_USER_ID,
    user_name: 'ana',
    command: '/log-call',
    text,
    api_app_id: 'A123456',
    is_enterprise_install: 'false',
    response_url: h.fake.responseUrl(responseUrlId),
    trigger_id: newTriggerId(),
  }).toString();
}

describeEachDb('logging: security, scopes and health', (getDb) => {
  let h: Harness = undefined!;
  afterEach(async () => {
    await h?.stop();
    h = undefined!;
  });

  async function start(opts: Omit<HarnessOptions, 'db'> = {}): Promise<Harness> {
    h = await startHarness({ db: getDb(), ...opts });
    return h;
  }

  const storedActivities = () => getDb().database.db.select().from(activities);
  /** Web API and response_url calls the app made, leaving out the auth.test Bolt makes on start. */
  const slackCallsBesidesAuth = () => h.fake.calls.filter((c) => c.method !== 'auth.test').map((c) => c.method);

  // -------------------------------------------------------------------------------------------
  // request signing

  const now = () => Math.floor(Date.now() / 1000);
  it.each<[string, (body: string) => Record<string, string>]>([
    ['a wrong signature (another signing secret)', (body) => signSlackRequest('not-the-signing-secret', body)],
    ['a signature of a different body', (body) => signSlackRequest(SIGNING_SECRET, `${body}&text=x99`)],
    ['no signature headers at all', () => ({})],
    ['a timestamp but no signature', (body) => ({ 'x-slack-request-timestamp': signSlackRequest(SIGNING_SECRET, body)['x-slack-request-timestamp'] })],
    ['a correct signature over a timestamp older than 5 minutes', (body) => signSlackRequest(SIGNING_SECRET, body, now() - 5 * 60 - 30)],
  ])('%s is refused with 401: nothing stored, no reply, no Slack call', async (_name, headersFor) => {
    await start();
    const body = commandBody(h, 'Acme x7 #connected', 'refused');
    const res = await h.slack.raw(body, { 'content-type': FORM, ...headersFor(body) });
    expect(res.status).toBe(401);

    await h.settle();
    expect(await storedActivities()).toEqual([]);
    expect(slackCallsBesidesAuth()).toEqual([]);
  });

  it('the same body correctly signed is accepted (so the 401s above come from the signature alone)', async () => {
    await start();
    const body = commandBody(h, 'Acme x7 #connected', 'accepted');
    const res = await h.slack.raw(body, { 'content-type': FORM, ...signSlackRequest(SIGNING_SECRET, body) });
    expect(res.status).toBe(200);
    const reply = res.json() as Record<string, any>; // answered in the ack
    expect(reply.text).toContain('Logged 7 calls (connected) with Acme');
    expect((await storedActivities()).map((r) => r.quantity)).toEqual([7]);
  });

  it('a forged interaction (Undo with a bad signature) is refused with 401', async () => {
    await start();
    const first = await h.slack.command({ command: '/log-call', text: 'Acme' });
    await replyTo(h, first);
    const [row] = await storedActivities();
    const payload = new URLSearchParams({
      payload: JSON.stringify({ type: 'block_actions', user: { id: DEFAULT_USER_ID }, team: { id: 'T0001' }, actions: [{ action_id: 'activity_undo', value: row!.id }] }),
    }).toString();
    const res = await h.slack.raw(payload, { 'content-type': FORM, ...signSlackRequest('wrong-secret', payload) });
    expect(res.status).toBe(401);
    await h.settle();
    expect((await storedActivities())[0]!.deletedAt).toBeNull();
  });

  // -------------------------------------------------------------------------------------------
  // scopes: the fake grants exactly what it is told, so a missing manifest scope fails here

  /** Log through the shortcut's modal (no channel), so the confirmation must go by DM. */
  async function logFromShortcut(): Promise<void> {
    const modal = await openModalWithShortcut(h, 'log_activity_shortcut');
    const res = await h.slack.interaction(modalSubmission(modal, { type_block: 'call', account_block: 'Acme' }));
    expect(res.status).toBe(200);
  }

  it('without im:write the DM confirmation fails: conversations.open is refused with missing_scope', async () => {
    await start({ scopes: manifestBotScopes().filter((s) => s !== 'im:write') });
    await logFromShortcut();
    const refused = await h.fake.waitFor('conversations.open', undefined, 5000, { includeFailed: true });
    expect(refused.ok).toBe(false);
    expect(refused.error).toBe('missing_scope');
    expect((refused.response as { needed: string }).needed).toBe('im:write');
    await h.settle();
    expect(h.fake.callsTo('chat.postMessage')).toEqual([]);
    // The entry itself was stored before the confirmation failed.
    expect(await storedActivities()).toHaveLength(1);
  });

  it('without chat:write the DM confirmation fails: chat.postMessage is refused with missing_scope', async () => {
    await start({ scopes: manifestBotScopes().filter((s) => s !== 'chat:write') });
    await logFromShortcut();
    const refused = await h.fake.waitFor('chat.postMessage', undefined, 5000, { includeFailed: true });
    expect(refused.ok).toBe(false);
    expect(refused.error).toBe('missing_scope');
    expect((refused.response as { needed: string }).needed).toBe('chat:write');
    expect(h.fake.callsTo('conversations.open').map((c) => c.ok)).toEqual([true]);
  });

  it('with exactly the manifest\'s scopes the DM confirmation goes through', async () => {
    expect(manifestBotScopes()).toEqual(expect.arrayContaining(['chat:write', 'im:write', 'users:read', 'commands']));
    await start();
    await logFromShortcut();
    const dm = await h.fake.waitFor('chat.postMessage');
    expect(dm.args.text).toBe("Logged 1 call with Acme for today. That's 1 call this week.");
    await h.settle();
    expect(h.fake.calls.filter((c) => !c.ok)).toEqual([]);
  });

  // -------------------------------------------------------------------------------------------
  // acknowledgement: Slack shows "operation_timeout" when a command is not answered with 200 in time

  it('every kind of command is acknowledged with HTTP 200: a text command with its answer as the ack body, a bare one with an empty body and a modal', async () => {
    await start();
    const commands: [string, string][] = [
      ['/log-call', 'Acme Corp 15m #connected -- asked for pricing'],
      ['/log-email', 'Initech -- sent proposal v2'],
      ['/log-meeting', 'Globex 1h #held'],
      ['/log-demo', 'Globex 45m #held'],
      ['/log', 'proposal Initech #sent'],
      ['/log-call', 'help'],
      ['/log', 'help'],
      ['/log-call', 'Acme #busy'],
      ['/log', 'webinar Acme'],
      ['/log-call', ''],
      ['/log', ''],
    ];
    const responses = await Promise.all(commands.map(([command, text]) => h.slack.command({ command, text })));
    expect(responses.map((r) => r.status)).toEqual(commands.map(() => 200));
    for (const [i, res] of responses.entries()) {
      if (commands[i]![1] === '') {
        expect(res.body).toBe('');
        await h.fake.waitFor('views.open', (c) => c.args.trigger_id === res.triggerId);
      } else {
        const answer = res.json() as Record<string, any>;
        expect(answer.response_type).toBe('ephemeral');
        expect(answer.text).toMatch(/^(Logged |\*Log a|:warning: )/);
        expect(answer.blocks.length).toBeGreaterThan(0);
      }
    }
    // The ack was sent after the commit: every logged entry is there as the responses arrive.
    expect(await storedActivities()).toHaveLength(5);
    await h.settle();
    expect(h.fake.callsTo('response_url')).toEqual([]);
  });

  it('a command still gets its reply when users.info fails (the workspace time zone stands in)', async () => {
    await start();
    h.fake.failNext('users.info', { error: 'internal_error', times: 5 });
    const res = await h.slack.command({ command: '/log-call', text: 'Acme yesterday' });
    expect(res.status).toBe(200);
    const reply = await replyTo(h, res);
    expect(reply.args.text).toContain('Logged 1 call with Acme for yesterday');
    const [row] = await storedActivities();
    expect(row!.occurredAt.toISOString()).toBe('2026-11-26T12:00:00.000Z'); // noon UTC, the workspace default zone
  });

  // -------------------------------------------------------------------------------------------
  // health

  it('GET /healthz answers 200', async () => {
    await start();
    const res = await fetch(`${h.baseUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('GET /readyz answers 200 while the database is up', async () => {
    await start();
    const res = await fetch(`${h.baseUrl}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', database: 'ok' });
  });
});

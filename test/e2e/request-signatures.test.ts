/**
 * No one gets in without the signature, on both endpoints: a missing, wrong, stale (over 5 minutes, either way) or
 * malformed signature is refused with 401 and nothing is stored or sent. A replay (the same signed request again) is
 * refused too: on /slack/events with 401 by the per-process replay guard (slack/replay-guard.ts), except an Events API
 * retry, which Slack may send with the same signature; on /webhooks/deals with 409 already_received, remembered in
 * the database (the webhook's documented answer, so a CRM retrying after a lost answer learns the deal's id).
 * A replay that reaches another bot process gets past its guard, and stores nothing new: a command is idempotent
 * by its trigger_id.
 */
import { createHmac } from 'node:crypto';
import { asc } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { buildApp, type SalesPulseApp } from '../../src/app.js';
import type { Database } from '../../src/db/client.js';
import { activities, deals, webhookReceipts } from '../../src/db/schema/index.js';
import { createOrRotateSecret } from '../../src/features/deals/webhook-secrets.js';
import { secretBoxFromEnvironment } from '../../src/lib/encryption-key.js';
import { createLogger } from '../../src/lib/logger.js';
import { describeEachDb, openAnotherConnection } from '../helpers/db.js';
import { SIGNING_SECRET, startHarness, TEST_ENCRYPTION_KEY, type Harness } from '../helpers/harness.js';
import { DEFAULT_TEAM_ID, DEFAULT_USER_ID, newTriggerId, signSlackRequest } from '../helpers/signed-request.js';
import { modalSubmission, openModalWithCommand } from '../helpers/slack-ui.js';
import { sendDealWebhook, webhookSignature, type SignedWebhookOptions } from '../helpers/webhook-signer.js';

const FORM = 'application/x-www-form-urlencoded';
const box = secretBoxFromEnvironment({ ENCRYPTION_KEY: TEST_ENCRYPTION_KEY })!;
const DEAL = { external_id: 'crm-9', status: 'won', amount: '5000', currency: 'USD', account: 'Initech', slack_user_id: DEFAULT_USER_ID };
const FIVE_MINUTES_S = 5 * 60;

describeEachDb('request signatures and replays', (getDb) => {
  let h: Harness;
  let secret: string;
  let other: { bot: SalesPulseApp; database: Database } | undefined;
  beforeEach(async () => {
    h = await startHarness({ db: getDb() });
    secret = (await createOrRotateSecret(getDb().database.db, box, DEFAULT_TEAM_ID, { rotate: false, now: h.clock.now() })).secret!;
    other = undefined;
  });
  afterEach(async () => {
    if (other) {
      await other.bot.stop(1000);
      await other.database.close();
    }
    await h.stop();
  });

  const db = () => getDb().database.db;
  const storedActivities = () => db().select().from(activities).orderBy(asc(activities.createdAt));
  const storedDeals = () => db().select().from(deals);
  const slackCalls = () => h.fake.calls.filter((c) => c.method !== 'auth.test').map((c) => c.method);
  const nowS = () => Math.floor(Date.now() / 1000);

  /** A /log-call body as Slack sends it, with its own trigger_id. */
  const commandBody = (text = 'Acme x2 #connected', triggerId = newTriggerId()) =>
    new URLSearchParams({
      token: 'gIkuvaNzQIHg97ATvDxqgjtO',
      team_id: DEFAULT_TEAM_ID,
      team_domain: 'example',
      channel_id: 'C2147483705',
      channel_name: 'sales',
      user_id: DEFAULT_USER_ID,
      user_name: 'ana',
      command: '/log-call',
      text,
      api_app_id: 'A123456',
      response_url: h.fake.responseUrl(`sig-${triggerId}`),
      trigger_id: triggerId,
    }).toString();

  // -------------------------------------------------------------------------------------------
  // /slack/events

  it.each<[string, (body: string) => Record<string, string>]>([
    ['no signature headers', () => ({})],
    ['a timestamp without a signature', () => ({ 'x-slack-request-timestamp': String(nowS()) })],
    ['a signature without a timestamp', (body) => ({ 'x-slack-signature': signSlackRequest(SIGNING_SECRET, body)['x-slack-signature'] })],
    ['an empty signature', () => ({ 'x-slack-request-timestamp': String(nowS()), 'x-slack-signature': '' })],
    ['a signature made with another secret', (body) => signSlackRequest('another-signing-secret', body)],
    ['a signature of another body', (body) => signSlackRequest(SIGNING_SECRET, body.replace('Acme', 'Acne'))],
    ['a signature of another timestamp', (body) => ({ ...signSlackRequest(SIGNING_SECRET, body, nowS() - 1), 'x-slack-request-timestamp': String(nowS()) })],
    ['a correct signature over a timestamp 5 minutes and 30 seconds old', (body) => signSlackRequest(SIGNING_SECRET, body, nowS() - FIVE_MINUTES_S - 30)],
    ['a correct signature over a timestamp 10 minutes in the future', (body) => signSlackRequest(SIGNING_SECRET, body, nowS() + 2 * FIVE_MINUTES_S)],
    ['a timestamp that is not a number', (body) => ({ ...signSlackRequest(SIGNING_SECRET, body), 'x-slack-request-timestamp': 'now' })],
    ['a signature of an unknown version', (body) => ({ ...signSlackRequest(SIGNING_SECRET, body), 'x-slack-signature': signSlackRequest(SIGNING_SECRET, body)['x-slack-signature'].replace('v0=', 'v1=') })],
    ['a signature in capitals', (body) => ({ ...signSlackRequest(SIGNING_SECRET, body), 'x-slack-signature': signSlackRequest(SIGNING_SECRET, body)['x-slack-signature'].toUpperCase() })],
    ['a truncated signature', (body) => ({ ...signSlackRequest(SIGNING_SECRET, body), 'x-slack-signature': signSlackRequest(SIGNING_SECRET, body)['x-slack-signature'].slice(0, 40) })],
  ])('/slack/events: %s is refused with 401; nothing stored, nothing sent', async (_what, headersFor) => {
    const body = commandBody();
    const res = await h.slack.raw(body, { 'content-type': FORM, ...headersFor(body) });
    expect(res.status).toBe(401);
    await h.settle();
    expect(await storedActivities()).toEqual([]);
    expect(slackCalls()).toEqual([]);
  });

  it('/slack/events: a slash command replayed (the same signed request again) is refused with 401; one entry, one answer', async () => {
    const body = commandBody();
    const headers = { 'content-type': FORM, ...signSlackRequest(SIGNING_SECRET, body) };
    const first = await h.slack.raw(body, headers);
    expect(first.status).toBe(200);
    expect((first.json() as { text: string }).text).toContain('Logged 2 calls (connected) with Acme');
    const replays = await Promise.all([h.slack.raw(body, headers), h.slack.raw(body, headers)]);
    expect(replays.map((r) => r.status)).toEqual([401, 401]);
    expect(replays.map((r) => r.body)).toEqual(['', '']);
    await h.settle();
    expect(await storedActivities()).toHaveLength(1);
    expect(h.fake.callsTo('response_url')).toEqual([]);
    expect(h.logs.filter((l) => l.msg === 'slack request refused').map((l) => l.reason)).toEqual(['replayed', 'replayed']);
  });

  it('/slack/events: the same command signed again (a new signature) is not a replay; its trigger_id keeps it to one entry', async () => {
    const body = commandBody();
    expect((await h.slack.raw(body, { 'content-type': FORM, ...signSlackRequest(SIGNING_SECRET, body, nowS() - 1) })).status).toBe(200);
    expect((await h.slack.raw(body, { 'content-type': FORM, ...signSlackRequest(SIGNING_SECRET, body, nowS()) })).status).toBe(200);
    expect(await storedActivities()).toHaveLength(1);
  });

  it('/slack/events: a modal submission replayed is refused with 401; the entry is stored and confirmed once', async () => {
    const modal = await openModalWithCommand(h, '/log-call');
    const body = new URLSearchParams({ payload: JSON.stringify(modalSubmission(modal, { account_block: 'Globex' })) }).toString();
    const headers = { 'content-type': FORM, ...signSlackRequest(SIGNING_SECRET, body) };
    expect((await h.slack.raw(body, headers)).status).toBe(200);
    await h.fake.waitFor('chat.postEphemeral');
    expect((await h.slack.raw(body, headers)).status).toBe(401);
    await h.settle();
    expect((await storedActivities()).map((r) => r.account)).toEqual(['Globex']);
    expect(h.fake.callsTo('chat.postEphemeral')).toHaveLength(1);
  });

  it('/slack/events: an Events API retry with the same signature is let through (X-Slack-Retry-Num); without the header it is a replay', async () => {
    const envelope = JSON.stringify({
      token: 'gIkuvaNzQIHg97ATvDxqgjtO',
      team_id: DEFAULT_TEAM_ID,
      api_app_id: 'A123456',
      event: { type: 'app_home_opened', user: DEFAULT_USER_ID, channel: 'D0001', tab: 'home', event_ts: `${nowS()}.000100` },
      type: 'event_callback',
      event_id: 'Ev0SIGNED1',
      event_time: nowS(),
    });
    const headers = { 'content-type': 'application/json', ...signSlackRequest(SIGNING_SECRET, envelope) };
    expect((await h.slack.raw(envelope, headers)).status).toBe(200);
    expect((await h.slack.raw(envelope, { ...headers, 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_error' })).status).toBe(200);
    expect((await h.slack.raw(envelope, headers)).status).toBe(401);
    // A command cannot pass as an event retry: the header changes nothing for a form body.
    const body = commandBody();
    const signed = { 'content-type': FORM, ...signSlackRequest(SIGNING_SECRET, body) };
    expect((await h.slack.raw(body, signed)).status).toBe(200);
    expect((await h.slack.raw(body, { ...signed, 'x-slack-retry-num': '1' })).status).toBe(401);
    await h.settle();
    expect(await storedActivities()).toHaveLength(1);
  });

  it('/slack/events: the guard is per process: a replay sent to another bot process is let in, and its trigger_id stores nothing new', async () => {
    const database = openAnotherConnection(getDb());
    const bot = buildApp({ config: h.config, database, clock: h.clock, logger: createLogger('silent') });
    other = { bot, database };
    const { port } = await bot.start(0);
    const body = commandBody('Acme x3');
    const headers = { 'content-type': FORM, ...signSlackRequest(SIGNING_SECRET, body) };
    expect((await h.slack.raw(body, headers)).status).toBe(200);
    const elsewhere = await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', headers, body });
    expect(elsewhere.status).toBe(200);
    expect((await storedActivities()).map((r) => r.quantity)).toEqual([3]);
  });

  // -------------------------------------------------------------------------------------------
  // /webhooks/deals (the bot's clock is the harness's: sign with it)

  const webhookNow = () => Math.floor(h.clock.now().getTime() / 1000);
  const sendDeal = (opts: Partial<SignedWebhookOptions> = {}, body: unknown = DEAL) =>
    sendDealWebhook(body, { url: `${h.baseUrl}/webhooks/deals`, teamId: DEFAULT_TEAM_ID, secret, timestamp: webhookNow(), ...opts });
  const raw = JSON.stringify(DEAL);

  it.each<[string, () => Partial<SignedWebhookOptions>, string]>([
    ['no workspace header', () => ({ headers: { 'x-sales-pulse-workspace': undefined } }), 'missing_headers'],
    ['no timestamp header', () => ({ headers: { 'x-sales-pulse-timestamp': undefined } }), 'missing_headers'],
    ['no signature header', () => ({ headers: { 'x-sales-pulse-signature': undefined } }), 'missing_headers'],
    ['a timestamp that is not a number', () => ({ headers: { 'x-sales-pulse-timestamp': 'now' } }), 'missing_headers'],
    ['a signature made with another secret', () => ({ secret: 'spwh_not_the_secret' }), 'invalid_signature'],
    ['a signature of another body', () => ({ signBody: raw.replace('5000', '50000') }), 'invalid_signature'],
    ['a malformed signature', () => ({ headers: { 'x-sales-pulse-signature': 'sha256=xyz' } }), 'invalid_signature'],
    ['a signature in the Slack format', () => ({ headers: { 'x-sales-pulse-signature': `v0=${createHmac('sha256', secret).update(`v0:${webhookNow()}:${raw}`).digest('hex')}` } }), 'invalid_signature'],
    ['a workspace that is not this one (another team_id)', () => ({ teamId: 'T0OTHER01' }), 'invalid_signature'],
    ['a correct signature over a timestamp 5 minutes and 30 seconds old', () => ({ timestamp: webhookNow() - FIVE_MINUTES_S - 30 }), 'stale_timestamp'],
    ['a correct signature over a timestamp 10 minutes in the future', () => ({ timestamp: webhookNow() + 2 * FIVE_MINUTES_S }), 'stale_timestamp'],
  ])('/webhooks/deals: %s is refused with 401; nothing stored, nothing sent', async (_what, opts, error) => {
    const res = await sendDeal(opts());
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ ok: false, error });
    await h.settle();
    expect(await storedDeals()).toEqual([]);
    expect(await db().select().from(webhookReceipts)).toEqual([]);
    expect(slackCalls()).toEqual([]);
  });

  it('/webhooks/deals: a replay (the same signed request again) is refused with 409 already_received; the deal is applied once', async () => {
    const timestamp = webhookNow();
    const first = await sendDeal({ timestamp });
    expect(first.status).toBe(200);
    h.clock.advance(60_000);
    const replay = await sendDeal({ timestamp });
    expect(replay.status).toBe(409);
    expect(replay.body).toMatchObject({ ok: false, error: 'already_received', id: first.body.id });
    // The signature alone is checked: the same one on another body does not verify.
    const forged = await sendDeal({ timestamp, headers: { 'x-sales-pulse-signature': webhookSignature(secret, timestamp, raw) } }, { ...DEAL, amount: '1' });
    expect(forged.status).toBe(401);
    expect((await storedDeals()).map((d) => d.amountMinor)).toEqual([500000n]);
    expect(await db().select().from(webhookReceipts)).toHaveLength(1);
  });
});

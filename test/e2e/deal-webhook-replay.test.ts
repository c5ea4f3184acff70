/**
 * The deal webhook against replays and out-of-order updates (issue 11 #6), end to end over HTTP: a request whose
 * signature was already accepted is answered 409 already_received (also by another bot process on the same
 * database), an update signed before the last one applied to the deal is answered 409 out_of_order, and the
 * remembered signatures are purged once they leave the signature window.
 */
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { buildApp, type SalesPulseApp } from '../../src/app.js';
import type { Database } from '../../src/db/client.js';
import { deals, webhookReceipts, workspaces } from '../../src/db/schema/index.js';
import { createOrRotateSecret } from '../../src/features/deals/webhook-secrets.js';
import { secretBoxFromEnvironment } from '../../src/lib/encryption-key.js';
import { createLogger } from '../../src/lib/logger.js';
import { describeEachDb, openAnotherConnection } from '../helpers/db.js';
import { startHarness, TEST_ENCRYPTION_KEY, type Harness } from '../helpers/harness.js';
import { DEFAULT_TEAM_ID, DEFAULT_USER_ID } from '../helpers/signed-request.js';
import { sendDealWebhook, webhookSignature, type SignedWebhookOptions } from '../helpers/webhook-signer.js';

const TEAM = DEFAULT_TEAM_ID;
const CELEBRATIONS = 'C0CELEBRATE';
const box = secretBoxFromEnvironment({ ENCRYPTION_KEY: TEST_ENCRYPTION_KEY })!;

const won = { external_id: 'crm-7', status: 'won', amount: '5000', currency: 'USD', account: 'Initech', slack_user_id: DEFAULT_USER_ID };
const lost = { ...won, status: 'lost', amount: undefined };

describeEachDb('the CRM deal webhook: replays and out-of-order updates', (getDb) => {
  let h: Harness;
  let secret: string;
  let extra: { bot: SalesPulseApp; database: Database } | undefined;

  beforeEach(async () => {
    h = await startHarness({ db: getDb() });
    secret = (await createOrRotateSecret(getDb().database.db, box, TEAM, { rotate: false, now: h.clock.now() })).secret!;
    extra = undefined;
  });
  afterEach(async () => {
    if (extra) {
      await extra.bot.stop(1000);
      await extra.database.close();
    }
    await h.stop();
  });

  const db = () => getDb().database.db;
  const nowSeconds = () => Math.floor(h.clock.now().getTime() / 1000);
  const send = (body: unknown, opts: Partial<SignedWebhookOptions> = {}) =>
    sendDealWebhook(body, { url: `${h.baseUrl}/webhooks/deals`, teamId: TEAM, secret, timestamp: nowSeconds(), ...opts });
  const theDeal = async () => {
    const rows = await db().select().from(deals).where(eq(deals.externalId, 'crm-7'));
    expect(rows).toHaveLength(1);
    return rows[0]!;
  };
  const receipts = () => db().select().from(webhookReceipts);

  it('won, then lost, then the won request replayed: refused with 409 already_received, and the deal stays lost', async () => {
    await db().update(workspaces).set({ celebrationsChannel: CELEBRATIONS }).where(eq(workspaces.teamId, TEAM));
    const signedAt = nowSeconds();
    const first = await send(won, { timestamp: signedAt });
    expect(first.status).toBe(200);
    await h.fake.waitFor('chat.postMessage', (c) => c.args.channel === CELEBRATIONS);

    h.clock.advance(30_000);
    expect((await send(lost)).body).toEqual({ ok: true, id: first.body.id, created: false });

    // Someone who captured the first request sends it again, byte for byte, still inside the 5-minute window.
    h.clock.advance(60_000);
    const replay = await send(won, { timestamp: signedAt });
    expect(replay.status).toBe(409);
    expect(replay.body).toEqual({ ok: false, error: 'already_received', id: first.body.id, message: expect.stringContaining('already received') });
    expect(replay.body.message).toContain('Treat it as delivered');
    expect(await theDeal()).toMatchObject({ status: 'lost', amountMinor: null, webhookTimestamp: new Date((signedAt + 30) * 1000) });
    expect(h.logs.filter((l) => l.msg === 'deal webhook refused: already received')).toMatchObject([{ status: 409, teamId: TEAM, dealId: first.body.id }]);

    // The same signature in capitals is the same request.
    const shouting = await send(won, { timestamp: signedAt, headers: { 'x-sales-pulse-signature': webhookSignature(secret, signedAt, JSON.stringify(won)).toUpperCase().replace('SHA256=', 'sha256=') } });
    expect(shouting.status).toBe(409);
    expect(shouting.body.error).toBe('already_received');
    await h.settle();
    expect(h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === CELEBRATIONS)).toHaveLength(1);
    expect(await theDeal()).toMatchObject({ status: 'lost' });
  });

  it('a CRM retrying a request whose answer it lost gets 409 already_received with the deal id; nothing is applied twice', async () => {
    const first = await send({ ...won, notes: 'v1' });
    expect(first.body).toMatchObject({ ok: true, created: true });
    const retry = await send({ ...won, notes: 'v1' });
    expect(retry.status).toBe(409);
    expect(retry.body).toMatchObject({ ok: false, error: 'already_received', id: first.body.id });
    expect(await theDeal()).toMatchObject({ notes: 'v1' });
    expect(await receipts()).toHaveLength(1);
  });

  it('an update signed before the last one applied is refused with 409 out_of_order and changes nothing; a later one applies', async () => {
    await db().update(workspaces).set({ celebrationsChannel: CELEBRATIONS }).where(eq(workspaces.teamId, TEAM));
    const t0 = nowSeconds();
    // The CRM sent won at t0 and lost at t0+60, but lost arrives first.
    const lostFirst = await send(lost, { timestamp: t0 + 60 });
    expect(lostFirst.body).toMatchObject({ ok: true, created: true });
    const late = await send(won, { timestamp: t0 });
    expect(late.status).toBe(409);
    expect(late.body).toEqual({
      ok: false,
      error: 'out_of_order',
      id: lostFirst.body.id,
      latest_timestamp: t0 + 60,
      message: expect.stringContaining('signed later'),
    });
    expect(late.body.message).toContain(`X-Sales-Pulse-Timestamp ${t0 + 60}`);
    expect(late.body.message).toContain(`signed at ${t0} `);
    expect(await theDeal()).toMatchObject({ status: 'lost', webhookTimestamp: new Date((t0 + 60) * 1000) });
    expect(h.logs.filter((l) => l.msg === 'deal webhook refused: out of order')).toMatchObject([{ status: 409, externalId: 'crm-7', timestamp: t0 }]);
    // Refused, so not remembered: only the applied request has a receipt.
    expect((await receipts()).map((r) => r.dealId)).toEqual([lostFirst.body.id]);

    // Another update in the same second as the last one applies (arrival order); a later one too.
    expect((await send({ ...lost, notes: 'same second' }, { timestamp: t0 + 60 })).status).toBe(200);
    const newer = await send({ ...won, amount: '6000' }, { timestamp: t0 + 120 });
    expect(newer.body).toEqual({ ok: true, id: lostFirst.body.id, created: false });
    expect(await theDeal()).toMatchObject({ status: 'won', amountMinor: 600000n, webhookTimestamp: new Date((t0 + 120) * 1000) });
    await h.fake.waitFor('chat.postMessage', (c) => c.args.channel === CELEBRATIONS);
  });

  it('a replay sent to another bot process on the same database is refused too', async () => {
    const database = openAnotherConnection(getDb());
    const bot = buildApp({ config: h.config, database, clock: h.clock, logger: createLogger('silent') });
    extra = { bot, database };
    const { port } = await bot.start(0);
    const first = await send(won);
    expect(first.status).toBe(200);
    const elsewhere = await send(won, { url: `http://127.0.0.1:${port}/webhooks/deals` });
    expect(elsewhere.status).toBe(409);
    expect(elsewhere.body).toMatchObject({ error: 'already_received', id: first.body.id });
  });

  it('remembered signatures are purged once out of the window; the old request is then refused by its timestamp', async () => {
    const t0 = nowSeconds();
    expect((await send(won)).status).toBe(200);
    expect(await receipts()).toMatchObject([{ teamId: TEAM, expiresAt: new Date((t0 + 300) * 1000) }]);

    // 11 minutes later (past the window and the margin kept for clock skew between processes): the next accepted
    // request purges it, after its answer.
    h.clock.advance(11 * 60_000);
    const next = await send({ ...won, notes: 'later' });
    expect(next.status).toBe(200);
    const until = Date.now() + 5000;
    while ((await receipts()).length !== 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect((await receipts()).map((r) => r.expiresAt)).toEqual([new Date((t0 + 660 + 300) * 1000)]);
    expect((await send(won, { timestamp: t0 })).body).toMatchObject({ error: 'stale_timestamp' });
  });
});

import { execFile } from 'node:child_process';
import * as nodeCrypto from 'node:crypto';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import vm from 'node:vm';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { deals, workspaces, type DealSource } from '../../src/db/schema/index.js';
import { createOrRotateSecret } from '../../src/features/deals/webhook-secrets.js';
import { ensureWorkspace } from '../../src/slack/workspace.js';
import { createTestDb, describeEachDb } from '../helpers/db.js';
import { secretBoxFromEnvironment } from '../../src/lib/encryption-key.js';
import { startHarness, TEST_ENCRYPTION_KEY, type Harness } from '../helpers/harness.js';
import { DEFAULT_TEAM_ID, DEFAULT_USER_ID } from '../helpers/signed-request.js';
import { sendDealWebhook, type SignedWebhookOptions } from '../helpers/webhook-signer.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TEAM = DEFAULT_TEAM_ID;
const ANA_EMAIL = 'ana@example.com';
const CELEBRATIONS = 'C0CELEBRATE';
/** The key the harness's app opens webhook secrets with. */
const box = secretBoxFromEnvironment({ ENCRYPTION_KEY: TEST_ENCRYPTION_KEY })!;

const wonDeal = {
  external_id: 'crm-1001',
  status: 'won',
  amount: '12500.50',
  currency: 'USD',
  closed_at: '2026-11-26T18:30:00-05:00',
  account: 'Acme Corp',
  slack_user_id: DEFAULT_USER_ID,
};

describeEachDb('the CRM deal webhook', (getDb) => {
  let h: Harness;
  let secret: string;

  beforeEach(async () => {
    h = await startHarness({ db: getDb() });
    secret = (await createOrRotateSecret(getDb().database.db, box, TEAM, { rotate: false, now: h.clock.now() })).secret!;
  });
  afterEach(async () => {
    await h.stop();
  });

  const url = () => `${h.baseUrl}/webhooks/deals`;
  /** Now on the app's clock, in Unix seconds: what a CRM whose clock agrees with the server would send. */
  const nowSeconds = () => Math.floor(h.clock.now().getTime() / 1000);
  const send = (body: unknown, opts: Partial<SignedWebhookOptions> = {}) =>
    sendDealWebhook(body, { url: url(), teamId: TEAM, secret, timestamp: nowSeconds(), ...opts });
  const storedDeals = () => getDb().database.db.select().from(deals).orderBy(deals.createdAt);
  const expectNoDeals = async () => expect(await storedDeals()).toEqual([]);

  // ---------------------------------------------------------------------------------------------
  // Stored deals

  it('stores a won deal for a rep given by slack_user_id: exact amount, currency, source webhook', async () => {
    const res = await send(wonDeal);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, id: expect.any(String), created: true });
    const rows = await storedDeals();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: res.body.id,
      teamId: TEAM,
      userId: DEFAULT_USER_ID,
      status: 'won',
      amountMinor: 1250050n,
      currency: 'USD',
      closedAt: new Date('2026-11-26T23:30:00Z'),
      account: 'Acme Corp',
      notes: null,
      source: 'webhook' satisfies DealSource,
      externalId: 'crm-1001',
      deletedAt: null,
    });
    const stored = h.logs.find((l) => l.msg === 'deal webhook stored a deal');
    expect(stored).toMatchObject({ teamId: TEAM, externalId: 'crm-1001', dealId: res.body.id, created: true });
    expect(JSON.stringify(h.logs)).not.toContain(secret);
  });

  it('converts amounts exactly in each currency, defaults to the workspace currency, and takes a whole JSON number', async () => {
    await getDb().database.db.update(workspaces).set({ currency: 'EUR' }).where(eq(workspaces.teamId, TEAM));
    const answers = await Promise.all([
      send({ ...wonDeal, external_id: 'kwd', amount: '1.250', currency: 'kwd' }),
      send({ ...wonDeal, external_id: 'jpy', amount: '120000', currency: 'JPY' }),
      send({ ...wonDeal, external_id: 'default', amount: '99.9', currency: undefined }),
      send({ ...wonDeal, external_id: 'number', amount: 7000, currency: 'USD' }),
      send({ ...wonDeal, external_id: 12345, amount: '0.01' }),
      send({ ...wonDeal, external_id: 'big', amount: '1000000000.00' }),
      send({ ...wonDeal, external_id: 'lost-no-amount', status: 'lost', amount: undefined, currency: undefined }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200, 200]);
    const rows = await storedDeals();
    const byId = Object.fromEntries(rows.map((r) => [r.externalId, { amountMinor: r.amountMinor, currency: r.currency, status: r.status }]));
    expect(byId).toEqual({
      kwd: { amountMinor: 1250n, currency: 'KWD', status: 'won' },
      jpy: { amountMinor: 120000n, currency: 'JPY', status: 'won' },
      default: { amountMinor: 9990n, currency: 'EUR', status: 'won' },
      number: { amountMinor: 700000n, currency: 'USD', status: 'won' },
      '12345': { amountMinor: 1n, currency: 'USD', status: 'won' },
      big: { amountMinor: 100000000000n, currency: 'USD', status: 'won' },
      'lost-no-amount': { amountMinor: null, currency: null, status: 'lost' },
    });
  });

  it('closed_at: absent means now, a date alone means noon in the workspace zone (now when that is today), CRM status words', async () => {
    await getDb().database.db.update(workspaces).set({ defaultTimeZone: 'America/New_York' }).where(eq(workspaces.teamId, TEAM));
    // The clock: 2026-11-27T15:00:00Z, 10:00 in New York.
    const answers = await Promise.all([
      send({ ...wonDeal, external_id: 'absent', closed_at: undefined, status: 'Closed Won' }),
      send({ ...wonDeal, external_id: 'day', closed_at: '2026-11-20', status: 'closedwon' }),
      send({ ...wonDeal, external_id: 'today', closed_at: '2026-11-27', status: 'WON' }),
      send({ ...wonDeal, external_id: 'midnight-utc-tomorrow', closed_at: '2026-11-28T00:00:00Z', status: 'closedlost' }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    const rows = Object.fromEntries((await storedDeals()).map((r) => [r.externalId, [r.closedAt.toISOString(), r.status]]));
    expect(rows).toEqual({
      absent: ['2026-11-27T15:00:00.000Z', 'won'],
      day: ['2026-11-20T17:00:00.000Z', 'won'],
      today: ['2026-11-27T15:00:00.000Z', 'won'],
      'midnight-utc-tomorrow': ['2026-11-28T00:00:00.000Z', 'lost'],
    });
  });

  it('resolves a rep by email with users.lookupByEmail, once per hour for the same email', async () => {
    const first = await send({ ...wonDeal, slack_user_id: undefined, email: ANA_EMAIL });
    const second = await send({ ...wonDeal, external_id: 'crm-1002', slack_user_id: undefined, email: 'Ana@Example.com' });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect((await storedDeals()).map((r) => r.userId)).toEqual([DEFAULT_USER_ID, DEFAULT_USER_ID]);
    expect(h.fake.callsTo('users.lookupByEmail')).toHaveLength(1);
    expect(h.fake.callsTo('users.lookupByEmail')[0]!.args.email).toBe(ANA_EMAIL);

    h.clock.advance(61 * 60 * 1000);
    const later = await send({ ...wonDeal, external_id: 'crm-1003', slack_user_id: undefined, email: ANA_EMAIL, closed_at: undefined });
    expect(later.status).toBe(200);
    expect(h.fake.callsTo('users.lookupByEmail')).toHaveLength(2);
  });

  it('the same external_id again updates the deal (amount change, then won flipped to lost): still one row', async () => {
    const first = await send(wonDeal);
    expect(first.body).toMatchObject({ ok: true, created: true });

    h.clock.advance(60_000);
    const changed = await send({ ...wonDeal, amount: '13000', account: 'Acme Corporation' });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({ ok: true, id: first.body.id, created: false });
    let rows = await storedDeals();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: first.body.id, status: 'won', amountMinor: 1300000n, account: 'Acme Corporation' });
    expect(rows[0]!.updatedAt.toISOString()).toBe('2026-11-27T15:01:00.000Z');

    const flipped = await send({ ...wonDeal, status: 'lost', amount: undefined });
    expect(flipped.body).toEqual({ ok: true, id: first.body.id, created: false });
    rows = await storedDeals();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'lost', amountMinor: null, currency: null, source: 'webhook' });
  });

  it.each([2, 10])('%i identical requests at once leave one deal: one is applied, the others are answered 409 already_received', async (n) => {
    const answers = await Promise.all(Array.from({ length: n }, () => send(wonDeal)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, ...Array(n - 1).fill(409)]);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(answers.filter((a) => a.body.created === true)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409).every((a) => a.body.error === 'already_received')).toBe(true);
    expect(await storedDeals()).toHaveLength(1);
  });

  it.each([2, 10])('%i different requests for one deal signed in the same second at once: each applied, still one deal', async (n) => {
    const answers = await Promise.all(Array.from({ length: n }, (_, i) => send({ ...wonDeal, notes: `update ${i}` })));
    expect(answers.map((a) => a.status)).toEqual(Array(n).fill(200));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(answers.filter((a) => a.body.created === true)).toHaveLength(1);
    expect(await storedDeals()).toHaveLength(1);
  });

  it('celebrates a won deal in the celebrations channel once, however often it is sent again', async () => {
    await getDb().database.db.update(workspaces).set({ celebrationsChannel: CELEBRATIONS }).where(eq(workspaces.teamId, TEAM));
    const res = await send(wonDeal);
    expect(res.status).toBe(200);
    const post = await h.fake.waitFor('chat.postMessage', (c) => c.args.channel === CELEBRATIONS);
    expect(post.args.text).toContain('$12,500.50');
    expect(post.args.text).toContain(`<@${DEFAULT_USER_ID}>`);
    expect(post.args.text).toContain('Acme Corp');

    // The same request again is refused as a replay; sent again later (signed anew), or changed, it updates.
    expect((await send(wonDeal)).body.error).toBe('already_received');
    h.clock.advance(1000);
    expect((await send(wonDeal)).body.created).toBe(false);
    expect((await send({ ...wonDeal, amount: '14000' })).body.created).toBe(false);
    await h.settle();
    expect(h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === CELEBRATIONS)).toHaveLength(1);
  });

  it('does not celebrate a lost deal', async () => {
    await getDb().database.db.update(workspaces).set({ celebrationsChannel: CELEBRATIONS }).where(eq(workspaces.teamId, TEAM));
    expect((await send({ ...wonDeal, status: 'lost' })).status).toBe(200);
    await h.settle();
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(0);
  });

  // ---------------------------------------------------------------------------------------------
  // Refused requests: nothing is stored

  const INVALID_SIGNATURE = {
    ok: false,
    error: 'invalid_signature',
    message: expect.stringContaining('HMAC-SHA256'),
  };

  it('refuses a wrong signature, a tampered body and a malformed signature with 401', async () => {
    const wrongSecret = await send(wonDeal, { secret: 'spwh_' + '0'.repeat(64) });
    const tampered = await send(wonDeal, { signBody: JSON.stringify({ ...wonDeal, amount: '1.00' }) });
    const malformed = await send(wonDeal, { headers: { 'x-sales-pulse-signature': 'v0=abc' } });
    for (const res of [wrongSecret, tampered, malformed]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual(INVALID_SIGNATURE);
    }
    await expectNoDeals();
    expect(h.logs.filter((l) => l.msg === 'deal webhook refused: not authenticated').map((l) => l.reason)).toEqual([
      'bad_signature',
      'bad_signature',
      'malformed_signature',
    ]);
  });

  it('answers an unknown workspace and a workspace without a secret exactly like a bad signature', async () => {
    await ensureWorkspace(getDb().database.db, 'T0NOSECRET');
    const unknown = await send(wonDeal, { teamId: 'T0UNKNOWN' });
    const noSecret = await send(wonDeal, { teamId: 'T0NOSECRET' });
    const bad = await send(wonDeal, { secret: 'not-the-secret' });
    expect([unknown.status, noSecret.status, bad.status]).toEqual([401, 401, 401]);
    expect(unknown.body).toEqual(bad.body);
    expect(noSecret.body).toEqual(bad.body);
    await expectNoDeals();
  });

  it.each(['x-sales-pulse-workspace', 'x-sales-pulse-timestamp', 'x-sales-pulse-signature'])('refuses a request without %s with 401', async (name) => {
    const res = await send(wonDeal, { headers: { [name]: undefined } });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ ok: false, error: 'missing_headers' });
    await expectNoDeals();
  });

  it.each([
    ['6 minutes old', -6 * 60],
    ['6 minutes in the future', 6 * 60],
  ])('refuses a timestamp %s with 401, even correctly signed', async (_label, offset) => {
    const res = await send(wonDeal, { timestamp: nowSeconds() + offset });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ ok: false, error: 'stale_timestamp' });
    await expectNoDeals();
  });

  it('accepts a timestamp 4 minutes off either way, and refuses one in milliseconds', async () => {
    expect((await send(wonDeal, { timestamp: nowSeconds() - 4 * 60 })).status).toBe(200);
    expect((await send({ ...wonDeal, external_id: 'b' }, { timestamp: nowSeconds() + 4 * 60 })).status).toBe(200);
    const millis = await send({ ...wonDeal, external_id: 'c' }, { timestamp: h.clock.now().getTime() });
    expect(millis.status).toBe(401);
    expect(await storedDeals()).toHaveLength(2);
  });

  it('refuses malformed JSON with 400 invalid_json, and JSON that is not an object with 400 invalid_request', async () => {
    const broken = await send('{"external_id": "crm-1", "status": "won",');
    expect(broken.status).toBe(400);
    expect(broken.body).toMatchObject({ ok: false, error: 'invalid_json', message: expect.stringContaining('not valid JSON') });
    const empty = await send('');
    expect(empty.status).toBe(400);
    expect(empty.body.error).toBe('invalid_json');
    const array = await send([wonDeal]);
    expect(array.status).toBe(400);
    expect(array.body).toEqual({ ok: false, error: 'invalid_request', errors: [{ field: '(body)', message: 'the body must be a JSON object' }] });
    await expectNoDeals();
  });

  it.each([
    ['missing external_id', { external_id: undefined }, 'external_id', 'external_id is required'],
    ['blank external_id', { external_id: '  ' }, 'external_id', 'external_id is required'],
    ['missing status', { status: undefined }, 'status', 'status is required'],
    ['bad status', { status: 'pending' }, 'status', 'neither "won" nor "lost"'],
    ['too precise for USD', { amount: '12.345' }, 'amount', 'more than 2 decimals'],
    ['decimals in JPY', { amount: '100.5', currency: 'JPY' }, 'amount', 'JPY amounts are whole numbers'],
    ['negative amount', { amount: '-100' }, 'amount', 'negative'],
    ['negative number', { amount: -100 }, 'amount', 'negative'],
    ['amount with a symbol', { amount: '$12,500' }, 'amount', 'not a decimal number'],
    ['amount as a float', { amount: 12500.5 }, 'amount', 'whole number'],
    ['won without amount', { amount: undefined }, 'amount', 'required for a won deal'],
    ['won for 0', { amount: '0.00' }, 'amount', 'more than 0'],
    ['too large', { amount: '1000000000.01' }, 'amount', 'too large'],
    ['unknown currency', { currency: 'XYZ' }, 'currency', 'not an ISO-4217 code'],
    ['currency as a number', { currency: 840 }, 'currency', 'ISO-4217'],
    ['bad closed_at', { closed_at: 'last tuesday' }, 'closed_at', 'not an ISO-8601'],
    ['impossible date', { closed_at: '2026-02-30' }, 'closed_at', 'not an ISO-8601'],
    ['closed_at without offset', { closed_at: '2026-11-26T10:00:00' }, 'closed_at', 'needs a UTC offset'],
    ['closed_at in the future', { closed_at: '2026-12-01T00:00:00Z' }, 'closed_at', 'in the future'],
    ['no rep', { slack_user_id: undefined }, 'email', 'email or slack_user_id is required'],
    ['bad slack_user_id', { slack_user_id: 'ana' }, 'slack_user_id', 'Slack user id'],
    ['bad email', { slack_user_id: undefined, email: 'ana-at-example' }, 'email', 'not an email address'],
    ['account too long', { account: 'x'.repeat(256) }, 'account', 'at most 255'],
  ])('refuses %s with 400 and the field error', async (_label, change, field, message) => {
    const res = await send({ ...wonDeal, ...change });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ ok: false, error: 'invalid_request', errors: [{ field, message: expect.stringContaining(message) }] });
    await expectNoDeals();
    expect(h.fake.callsTo('users.info')).toHaveLength(0); // no Slack call for an invalid request
  });

  it('lists every field problem in one answer', async () => {
    const res = await send({ status: 'maybe', amount: '12.345', currency: 'usd', closed_at: 'yesterday' });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['external_id', 'status', 'closed_at', 'amount', 'email']);
    await expectNoDeals();
  });

  it('refuses an email no Slack user has with 400 on email, and an unknown slack_user_id on slack_user_id', async () => {
    const byEmail = await send({ ...wonDeal, slack_user_id: undefined, email: 'nobody@example.com' });
    expect(byEmail.status).toBe(400);
    expect(byEmail.body).toEqual({
      ok: false,
      error: 'invalid_request',
      errors: [{ field: 'email', message: 'no Slack user with that email in this workspace' }],
    });
    const byId = await send({ ...wonDeal, slack_user_id: 'U0NOBODY' });
    expect(byId.status).toBe(400);
    expect(byId.body.errors).toEqual([{ field: 'slack_user_id', message: 'no Slack user with that id in this workspace' }]);
    await expectNoDeals();
  });

  it('answers 503 when Slack cannot be asked about the rep, then stores the deal on the retry', async () => {
    h.fake.failNext('users.lookupByEmail', { status: 500, times: 5 });
    const body = { ...wonDeal, slack_user_id: undefined, email: ANA_EMAIL };
    const res = await send(body);
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ ok: false, error: 'slack_unavailable' });
    expect(res.headers.get('retry-after')).toBe('30');
    await expectNoDeals();
    const retry = await send(body);
    expect(retry.status).toBe(200);
    expect(await storedDeals()).toHaveLength(1);
  });

  it('refuses a body that is not JSON by its Content-Type with 415, and invalid UTF-8 with 400: nothing stored', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', undefined]) {
      const res = await send(wonDeal, { headers: { 'content-type': type } });
      expect(res.status, String(type)).toBe(415);
      expect(res.body).toMatchObject({ ok: false, error: 'unsupported_media_type' });
    }
    expect((await send(wonDeal, { headers: { 'content-type': 'application/json; charset=utf-8' } })).status).toBe(200);
    await getDb().database.db.delete(deals);

    // The account ends in a lone continuation byte: a decoder that replaced it would store U+FFFD.
    const raw = Buffer.concat([Buffer.from(JSON.stringify({ ...wonDeal, account: 'AC' }).slice(0, -2)), Buffer.from([0x80]), Buffer.from('"}')]);
    const timestamp = nowSeconds();
    const signature = `sha256=${createHmac('sha256', secret).update(Buffer.concat([Buffer.from(`${timestamp}.`), raw])).digest('hex')}`;
    const res = await fetch(url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-sales-pulse-workspace': TEAM, 'x-sales-pulse-timestamp': String(timestamp), 'x-sales-pulse-signature': signature },
      body: raw,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ ok: false, error: 'invalid_encoding' });
    await expectNoDeals();
  });

  it('refuses a rep who is a bot or deactivated with 422: a deal is credited to a person', async () => {
    h.fake.addUser({ id: 'U0BOT0001', name: 'crm-bot', is_bot: true });
    h.fake.addUser({ id: 'U0GONE001', name: 'gone', deleted: true });
    for (const [id, words] of [['U0BOT0001', 'a bot'], ['U0GONE001', 'deactivated']] as const) {
      const res = await send({ ...wonDeal, slack_user_id: id });
      expect(res.status, id).toBe(422);
      expect(res.body).toEqual({ ok: false, error: 'rep_not_creditable', errors: [{ field: 'slack_user_id', message: expect.stringContaining(`is ${words}`) }] });
    }
    await expectNoDeals();
  });

  it('answers 503 with Retry-After when the database is unavailable, never 500: nothing stored', async () => {
    // A bot whose database went away (closed under it: every query fails as a lost connection does).
    const gone = await createTestDb(getDb().kind);
    const other = await startHarness({ db: gone });
    try {
      const goneSecret = (await createOrRotateSecret(gone.database.db, box, TEAM, { rotate: false, now: other.clock.now() })).secret!;
      await gone.database.close();
      const res = await sendDealWebhook(wonDeal, { url: `${other.baseUrl}/webhooks/deals`, teamId: TEAM, secret: goneSecret, timestamp: Math.floor(other.clock.now().getTime() / 1000) });
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ ok: false, error: 'database_unavailable', message: expect.stringContaining('nothing was stored') });
      expect(res.headers.get('retry-after')).toBe('30');
    } finally {
      await other.stop();
      await gone.close();
    }
  });

  it('refuses a body over 64 KiB with 413, and other methods with 404', async () => {
    const res = await send({ ...wonDeal, notes: 'x'.repeat(70 * 1024) });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ ok: false, error: 'payload_too_large' });
    const get = await fetch(url());
    expect(get.status).toBe(404);
    await expectNoDeals();
  });

  it('a rotated secret replaces the old one at once', async () => {
    const rotated = await createOrRotateSecret(getDb().database.db, box, TEAM, { rotate: true, now: h.clock.now() });
    expect(rotated).toMatchObject({ created: false, rotated: true });
    expect(rotated.secret).not.toBe(secret);
    expect((await send(wonDeal)).status).toBe(401);
    expect((await send(wonDeal, { secret: rotated.secret! })).status).toBe(200);
  });

  // ---------------------------------------------------------------------------------------------
  // The README's examples, run as written

  it("the documented shell one-liner (openssl + curl) stores a deal", async () => {
    h.clock.set(new Date()); // the one-liner signs with the real time
    const command = docBlock('sh', 'is run as is by test/e2e/deal-webhook.test.ts');
    const run = () =>
      promisify(execFile)('bash', ['-c', command], {
        env: { PATH: process.env.PATH ?? '', SALES_PULSE_URL: url(), SALES_PULSE_WORKSPACE: TEAM, SALES_PULSE_SECRET: secret },
      });
    const first = JSON.parse((await run()).stdout);
    expect(first).toEqual({ ok: true, id: expect.any(String), created: true });
    // Run again a second later (signed anew: in the same second it would be the same request, a replay).
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 20));
    const again = JSON.parse((await run()).stdout);
    expect(again).toEqual({ ok: true, id: first.id, created: false });
    const rows = await storedDeals();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ externalId: 'crm-1042', userId: DEFAULT_USER_ID, amountMinor: 1250050n, currency: 'USD', account: 'Acme Corp', source: 'webhook' });
  });

  it('the documented HubSpot custom code action signs and sends a deal', async () => {
    h.clock.set(new Date());
    const code = docBlock('js', "is run by test/e2e/deal-webhook.test.ts")
      .replace('https://sales-pulse.example.com/webhooks/deals', url())
      .replace("'T0123ABCD'", `'${TEAM}'`);
    const ownerCalls: string[] = [];
    // HubSpot's owners API stands in here; everything else goes out for real (to the harness).
    const fetchInSandbox = async (target: string, init?: RequestInit) => {
      if (target.startsWith('https://api.hubapi.com/crm/v3/owners/')) {
        ownerCalls.push(`${target} ${new Headers(init?.headers).get('authorization')}`);
        return new Response(JSON.stringify({ id: '77', email: ANA_EMAIL }), { headers: { 'content-type': 'application/json' } });
      }
      return fetch(target, init);
    };
    const moduleExports: { main?: (event: unknown, callback: (out: unknown) => void) => Promise<void> } = {};
    vm.runInNewContext(code, {
      exports: moduleExports,
      require: (name: string) => (name === 'crypto' ? nodeCrypto : undefined),
      process: { env: { SALES_PULSE_SECRET: secret, HUBSPOT_TOKEN: 'pat-test' } },
      fetch: fetchInSandbox,
      JSON,
      Date,
      Math,
      Number,
      String,
      Error,
    });
    const outputs: unknown[] = [];
    const event = {
      inputFields: {
        hs_object_id: '9001',
        hs_is_closed_won: 'true',
        amount: '4200.5',
        deal_currency_code: 'EUR',
        closedate: String(Date.parse('2026-11-20T00:00:00Z')),
        dealname: 'Globex renewal',
        hubspot_owner_id: '77',
      },
    };
    await moduleExports.main!(event, (out) => outputs.push(out));
    expect(ownerCalls).toEqual(['https://api.hubapi.com/crm/v3/owners/77 Bearer pat-test']);
    const rows = await storedDeals();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      externalId: 'hubspot-9001',
      status: 'won',
      amountMinor: 420050n,
      currency: 'EUR',
      closedAt: new Date('2026-11-20T00:00:00Z'),
      account: 'Globex renewal',
      userId: DEFAULT_USER_ID,
      source: 'webhook',
    });
    expect(outputs).toEqual([{ outputFields: { sales_pulse_deal_id: rows[0]!.id } }]);

    // A lost deal with no amount goes through too.
    await moduleExports.main!({ inputFields: { ...event.inputFields, hs_object_id: '9002', hs_is_closed_won: 'false', amount: '' } }, () => {});
    expect((await storedDeals()).find((r) => r.externalId === 'hubspot-9002')).toMatchObject({ status: 'lost', amountMinor: null });
  });
});

/** The fenced block of `lang` right after the HTML comment containing `marker` in README.md. */
function docBlock(lang: string, marker: string): string {
  const doc = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const at = doc.indexOf(marker);
  if (at < 0) throw new Error(`README.md has no marker "${marker}"`);
  const open = doc.indexOf('```' + lang + '\n', at);
  const close = doc.indexOf('\n```', open + 4);
  if (open < 0 || close < 0) throw new Error(`README.md: no ${lang} block after "${marker}"`);
  return doc.slice(open + 4 + lang.length, close + 1);
}

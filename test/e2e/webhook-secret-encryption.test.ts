/**
 * Webhook secrets encrypted at rest (issue 11 #9), end to end: signed webhooks authenticate against the sealed
 * secret; a plaintext secret left by an earlier version keeps working and is sealed on its first read; a bot with
 * another key cannot open them (and says why), one given the previous key as OLD_ENCRYPTION_KEY can.
 */
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { buildApp, type SalesPulseApp } from '../../src/app.js';
import { configSchema } from '../../src/config.js';
import { webhookSecrets } from '../../src/db/schema/index.js';
import { createOrRotateSecret, sealWebhookSecrets } from '../../src/features/deals/webhook-secrets.js';
import { secretBoxFromEnvironment } from '../../src/lib/encryption-key.js';
import { createLogger } from '../../src/lib/logger.js';
import { generateEncryptionKey } from '../../src/lib/secret-box.js';
import { ensureWorkspace } from '../../src/slack/workspace.js';
import { describeEachDb } from '../helpers/db.js';
import { startHarness, TEST_ENCRYPTION_KEY, type Harness } from '../helpers/harness.js';
import { DEFAULT_TEAM_ID, DEFAULT_USER_ID } from '../helpers/signed-request.js';
import { sendDealWebhook } from '../helpers/webhook-signer.js';

const TEAM = DEFAULT_TEAM_ID;
const box = secretBoxFromEnvironment({ ENCRYPTION_KEY: TEST_ENCRYPTION_KEY })!;
const deal = (externalId: string) => ({ external_id: externalId, status: 'won', amount: '100', slack_user_id: DEFAULT_USER_ID });

describeEachDb('webhook secrets encrypted at rest', (getDb) => {
  let h: Harness;
  let other: SalesPulseApp | undefined;

  beforeEach(async () => {
    h = await startHarness({ db: getDb() });
    other = undefined;
  });
  afterEach(async () => {
    await other?.stop(1000);
    await h.stop();
  });

  const db = () => getDb().database.db;
  const storedRow = async (teamId = TEAM) => (await db().select().from(webhookSecrets).where(eq(webhookSecrets.teamId, teamId)))[0]?.secret;
  const send = (body: unknown, secret: string, opts: { url?: string; teamId?: string } = {}) =>
    sendDealWebhook(body, { url: opts.url ?? `${h.baseUrl}/webhooks/deals`, teamId: opts.teamId ?? TEAM, secret, timestamp: Math.floor(h.clock.now().getTime() / 1000) });

  it('stores the secret sealed with AES-256-GCM under the configured key, and authenticates webhooks with it', async () => {
    const { secret } = await createOrRotateSecret(db(), box, TEAM, { rotate: false, now: h.clock.now() });
    const row = (await storedRow())!;
    expect(row).toMatch(new RegExp(`^sb1:${box.keyId}:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$`));
    expect(row).not.toContain(secret!.slice(5));
    expect((await send(deal('a'), secret!)).status).toBe(200);
  });

  it('a plaintext secret from an earlier version keeps working, and is encrypted on its first read', async () => {
    const legacy = `spwh_${'5a'.repeat(32)}`;
    await ensureWorkspace(db(), TEAM);
    await db().insert(webhookSecrets).values({ teamId: TEAM, secret: legacy });
    expect((await send(deal('a'), legacy)).body).toMatchObject({ ok: true, created: true });
    const row = (await storedRow())!;
    expect(row).toMatch(/^sb1:/);
    expect(box.open(row, `webhook_secrets:${TEAM}`)).toBe(legacy);
    h.clock.advance(1000);
    expect((await send(deal('b'), legacy)).status).toBe(200);
    expect(await storedRow()).toBe(row);
  });

  it('the start-up pass seals every plaintext secret, leaves sealed ones alone, and a second pass changes nothing', async () => {
    await ensureWorkspace(db(), 'T0LEGACY1');
    await ensureWorkspace(db(), 'T0LEGACY2');
    await db().insert(webhookSecrets).values([{ teamId: 'T0LEGACY1', secret: `spwh_${'01'.repeat(32)}` }, { teamId: 'T0LEGACY2', secret: `spwh_${'02'.repeat(32)}` }]);
    const { secret } = await createOrRotateSecret(db(), box, TEAM, { rotate: false, now: h.clock.now() });
    const sealedBefore = await storedRow();
    expect(await sealWebhookSecrets(db(), box, { reseal: false })).toEqual({ sealed: 2, resealed: 0, unreadable: [] });
    expect(await storedRow()).toBe(sealedBefore);
    for (const teamId of ['T0LEGACY1', 'T0LEGACY2']) expect(await storedRow(teamId)).toMatch(/^sb1:/);
    expect(await sealWebhookSecrets(db(), box, { reseal: false })).toEqual({ sealed: 0, resealed: 0, unreadable: [] });
    expect((await send(deal('a'), `spwh_${'01'.repeat(32)}`, { teamId: 'T0LEGACY1' })).status).toBe(200);
    expect((await send(deal('b'), secret!)).status).toBe(200);
  });

  it('a sealed secret moved to another workspace does not open there: refused, and logged', async () => {
    const { secret } = await createOrRotateSecret(db(), box, TEAM, { rotate: false, now: h.clock.now() });
    await ensureWorkspace(db(), 'T0OTHER01');
    await db().insert(webhookSecrets).values({ teamId: 'T0OTHER01', secret: (await storedRow())! });
    const res = await send(deal('a'), secret!, { teamId: 'T0OTHER01' });
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ ok: false, error: 'internal_error' });
    expect(h.logs.find((l) => l.msg === 'deal webhook failed')).toMatchObject({ err: { message: expect.stringContaining('does not open for webhook_secrets:T0OTHER01') } });
  });

  it('a bot with another ENCRYPTION_KEY cannot open the secrets and says which key they need; with the old key as OLD_ENCRYPTION_KEY it can', async () => {
    const { secret } = await createOrRotateSecret(db(), box, TEAM, { rotate: false, now: h.clock.now() });
    const newKey = generateEncryptionKey();
    const logs: Record<string, unknown>[] = [];
    const startOther = async (env: Record<string, string>) => {
      const config = configSchema.parse({ ...h.config, SLACK_API_URL: h.config.SLACK_API_URL, PORT: '0', ...env });
      const sink = { write: (line: string) => logs.push(JSON.parse(line) as Record<string, unknown>) } as unknown as NodeJS.WritableStream;
      other = buildApp({ config, database: getDb().database, clock: h.clock, logger: createLogger('debug', sink) });
      return `http://127.0.0.1:${(await other.start(0)).port}/webhooks/deals`;
    };

    const url = await startOther({ ENCRYPTION_KEY: newKey });
    const refused = await send(deal('a'), secret!, { url });
    expect(refused.status).toBe(500);
    expect(logs.find((l) => l.msg === 'deal webhook failed')).toMatchObject({ err: { message: expect.stringContaining(`sealed with encryption key ${box.keyId}`) } });
    await other!.stop(1000);

    const rotating = await startOther({ ENCRYPTION_KEY: newKey, OLD_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY });
    expect((await send(deal('b'), secret!, { url: rotating })).status).toBe(200);
  });
});

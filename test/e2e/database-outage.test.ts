/**
 * Issue 11: nothing acknowledged is lost; nothing lost is acknowledged.
 *
 * The real app (HTTP mode, the harness) talks to PostgreSQL through a TCP proxy the test owns
 * (test/helpers/tcp-proxy.ts), exactly as the bot does through DATABASE_URL: a postgres.js pool opened by the app's
 * own connectPostgres. In the middle of a stream of /log-call commands from several people the proxy makes the
 * database unreachable for about 3 seconds, either by resetting every connection and refusing new ones, or by
 * silently holding everything (a blackhole), then brings it back (the held connections go on, as after a network
 * partition heals). Then:
 *
 * - every command was answered in its ack, within Slack's 3 seconds, with HTTP 200: either its confirmation
 *   ("Logged …") and exactly one row under its idempotency key `cmd:<trigger_id>`, or "Not saved … nothing was
 *   stored" and no row, once every handler has finished (nothing is committed late). A command whose statement was
 *   already on its way when the database went silent cannot know its outcome in time: its ack says "working on it"
 *   (never "logged" or "not saved"), and its confirmation or "not saved", matching its row, follows through
 *   response_url once the database tells;
 * - /readyz answers 503 while the database is unreachable, within its own timeout, and 200 again after;
 * - the bot recovers by itself: commands sent after the database returns are stored and confirmed;
 * - a signed deal webhook gets 503 with Retry-After during the outage and stores nothing; the CRM's retry after
 *   the database returns (signed again, with a fresh timestamp) is stored once.
 *
 * PostgreSQL only: PGlite runs in the process and cannot become unreachable.
 */
import { like, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectPostgres, MAX_RECONNECT_DELAY_S, type Database } from '../../src/db/client.js';
import { activities, deals } from '../../src/db/schema/index.js';
import { READY_PING_TIMEOUT_MS } from '../../src/app.js';
import { ACK_LIMIT_MS, WORKING_ON_IT_TEXT } from '../../src/slack/command-ack.js';
import { WEBHOOK_DATABASE_DEADLINE_MS } from '../../src/features/deals/webhook.js';
import { createOrRotateSecret } from '../../src/features/deals/webhook-secrets.js';
import { secretBoxFromEnvironment } from '../../src/lib/encryption-key.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startHarness, TEST_ENCRYPTION_KEY, type Harness } from '../helpers/harness.js';
import { DEFAULT_TEAM_ID } from '../helpers/signed-request.js';
import { startTcpProxy, type CutMode, type TcpProxy } from '../helpers/tcp-proxy.js';
import { sendDealWebhook } from '../helpers/webhook-signer.js';

const PG_URL = process.env.TEST_DATABASE_URL;
const TEAM = DEFAULT_TEAM_ID;
const REPS = ['U0REPA0001', 'U0REPB0002', 'U0REPC0003', 'U0REPD0004', 'U0REPE0005'];

/** The stream: COMMANDS /log-call, one every SPACING_MS, round robin over REPS; the outage from CUT_AT for OUTAGE_MS. */
const COMMANDS = 200;
const SPACING_MS = 30;
const CUT_AT_MS = 1_000;
const OUTAGE_MS = 3_000;
/** Slack's limit for an ack; a request not answered by then counts as hung. */
const SLACK_ACK_LIMIT_MS = 3_000;
/**
 * How long after the database returns a command may still be refused (reconnecting): a pool connection waits up to
 * MAX_RECONNECT_DELAY_S before it tries again, then connects and runs the command; a second for that on a busy machine.
 */
const RECOVERY_LIMIT_MS = MAX_RECONNECT_DELAY_S * 1000 + 1_000;
/** How long an answer that follows a "working on it" ack may take. */
const FOLLOW_UP_LIMIT_MS = 10_000;

const box = secretBoxFromEnvironment({ ENCRYPTION_KEY: TEST_ENCRYPTION_KEY })!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface CommandOutcome {
  i: number;
  user: string;
  key: string;
  /** ms since the stream started. */
  sentAt: number;
  took: number;
  status: number | 'hung' | 'error';
  /** The ack said "working on it": `text` is what followed through response_url. */
  deferred: boolean;
  text: string;
  kind: 'confirmed' | 'not_saved' | 'other';
}

interface ReadyProbe {
  sentAt: number;
  took: number;
  status: number | 'hung';
}

function classify(text: string): CommandOutcome['kind'] {
  if (/^Logged 1 call\b/.test(text)) return 'confirmed';
  if (/Not saved/.test(text) && /nothing was stored/.test(text)) return 'not_saved';
  return 'other';
}

/** `promise`, or 'hung' when it takes longer than `ms`. */
function within<T>(ms: number, promise: Promise<T>): Promise<T | 'hung'> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), ms)))]).finally(() => clearTimeout(timer));
}

describe.skipIf(!PG_URL)(`a database outage in the middle of traffic [postgres through a TCP proxy]${PG_URL ? '' : ' (skipped: set TEST_DATABASE_URL)'}`, () => {
  let testDb: TestDb;
  let proxy: TcpProxy | undefined;
  let appDb: Database | undefined;
  let h: Harness | undefined;

  beforeAll(async () => {
    testDb = await createTestDb('postgres');
  });
  afterAll(async () => {
    await testDb?.close();
  });
  beforeEach(async () => {
    await testDb.truncate();
    proxy = await startTcpProxy();
    // What main.ts does with DATABASE_URL (createDb -> connectPostgres), pointed at the proxy.
    appDb = connectPostgres(proxy.urlThrough(testDb.database.url!));
    h = await startHarness({ db: { ...testDb, database: appDb } });
    for (const [n, id] of REPS.entries()) h.fake.addUser({ id, name: `rep${n}`, real_name: `Rep ${n}`, tz: 'America/New_York' });
  });
  afterEach(async () => {
    await proxy?.restore();
    await h?.stop();
    await appDb?.close();
    await proxy?.close();
    h = appDb = proxy = undefined;
  });

  /** Rows per idempotency key, read directly (not through the proxy). */
  async function storedKeys(): Promise<Map<string, number>> {
    const rows = await testDb.database.db
      .select({ key: activities.idempotencyKey, n: sql<number>`count(*)::int` })
      .from(activities)
      .where(like(activities.idempotencyKey, 'cmd:%'))
      .groupBy(activities.idempotencyKey);
    return new Map(rows.map((r) => [r.key!, r.n]));
  }

  async function logCall(harness: Harness, i: number, user: string, t0: number): Promise<CommandOutcome> {
    const sentAt = performance.now() - t0;
    const sent = harness.slack.command({ command: '/log-call', text: `Account-${i} 5m #connected`, userId: user });
    const res = await within(SLACK_ACK_LIMIT_MS + 2_000, sent).catch(() => 'error' as const);
    const took = performance.now() - t0 - sentAt;
    if (res === 'hung' || res === 'error') return { i, user, key: '', sentAt, took, status: res, deferred: false, text: '', kind: 'other' };
    let text = String((res.json() as { text?: string } | null)?.text ?? res.body);
    const deferred = text === WORKING_ON_IT_TEXT;
    if (deferred) {
      const followUp = await harness.fake.waitFor('response_url', (call) => call.responseUrlId === res.responseUrlId, FOLLOW_UP_LIMIT_MS).catch(() => undefined);
      text = followUp ? String(followUp.args.text) : '(no answer followed the ack)';
    }
    return { i, user, key: `cmd:${res.triggerId}`, sentAt, took, status: res.status, deferred, text, kind: classify(text) };
  }

  async function probeReady(harness: Harness, t0: number): Promise<ReadyProbe> {
    const sentAt = performance.now() - t0;
    const res = await within(READY_PING_TIMEOUT_MS + 2_000, fetch(`${harness.baseUrl}/readyz`).then((r) => r.status));
    return { sentAt, took: performance.now() - t0 - sentAt, status: res };
  }

  async function runStream(mode: CutMode, held: 'resume' | 'reset' = 'resume') {
    const harness = h!;
    const p = proxy!;
    // Each rep once before: the workspace and the people are stored, the pool is warm.
    for (const user of REPS) expect((await logCall(harness, -1, user, performance.now())).kind).toBe('confirmed');

    const t0 = performance.now();
    const commands: Promise<CommandOutcome>[] = [];
    const probes: Promise<ReadyProbe>[] = [];
    let cutAt = NaN;
    let restoredAt = NaN;
    const outage = (async () => {
      await sleep(CUT_AT_MS);
      await p.cut(mode);
      cutAt = performance.now() - t0;
      await sleep(OUTAGE_MS);
      await p.restore({ held });
      restoredAt = performance.now() - t0;
    })();
    const readyLoop = (async () => {
      while (performance.now() - t0 < CUT_AT_MS + OUTAGE_MS + 1_500) {
        probes.push(probeReady(harness, t0));
        await sleep(250);
      }
    })();
    for (let i = 0; i < COMMANDS; i++) {
      const due = t0 + i * SPACING_MS;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      commands.push(logCall(harness, i, REPS[i % REPS.length]!, t0));
    }
    await outage;
    await readyLoop;
    const outcomes = await Promise.all(commands);
    const ready = await Promise.all(probes);
    // After the stream: the bot keeps working without a restart.
    const after: CommandOutcome[] = [];
    for (let i = 0; i < 10; i++) after.push(await logCall(harness, COMMANDS + i, REPS[i % REPS.length]!, t0));
    const lastReady = await probeReady(harness, t0);
    // Every handler finished (a rolled-back transaction included) before the rows are counted.
    await harness.settle();
    const keys = await storedKeys();
    return { outcomes, after, ready, lastReady, cutAt, restoredAt, keys };
  }

  interface Outage {
    name: string;
    cut: CutMode;
    /** What happens, when the database returns, to connections held by a blackhole. */
    held?: 'resume' | 'reset';
  }
  const OUTAGES: Outage[] = [
    { name: 'every connection reset, new ones refused', cut: 'reset' },
    { name: 'a silent blackhole, then the network heals', cut: 'blackhole', held: 'resume' },
    { name: 'a silent blackhole, then its connections are reset (the server restarted meanwhile)', cut: 'blackhole', held: 'reset' },
  ];

  it.each(OUTAGES)(
    '/log-call x200 from 5 people, the database unreachable for 3 s ($name): each is confirmed and stored, or answered "not saved" and not stored; none hangs; /readyz 503 then 200; it recovers by itself',
    async ({ cut, held }) => {
      const { outcomes, after, ready, lastReady, cutAt, restoredAt, keys } = await runStream(cut, held);
      const all = [...outcomes, ...after];
      const sentDuring = outcomes.filter((o) => o.sentAt >= cutAt && o.sentAt < restoredAt);
      const sentAfter = outcomes.filter((o) => o.sentAt >= restoredAt);
      const firstConfirmedAfterRestore = Math.min(...sentAfter.filter((o) => o.kind === 'confirmed').map((o) => o.sentAt + o.took)) - restoredAt;
      const readyDuring = ready.filter((r) => r.sentAt >= cutAt + 50 && r.sentAt + r.took < restoredAt);
      const summary = {
        outage: `${cut}${held ? `/${held}` : ''}`,
        commands: all.length,
        confirmed: all.filter((o) => o.kind === 'confirmed').length,
        notSaved: all.filter((o) => o.kind === 'not_saved').length,
        sentDuringOutage: { confirmed: sentDuring.filter((o) => o.kind === 'confirmed').length, notSaved: sentDuring.filter((o) => o.kind === 'not_saved').length },
        workingOnItThenAnswered: all.filter((o) => o.deferred).map((o) => `${o.i}@${Math.round(o.sentAt)}ms:${o.kind}`),
        slowestAckMs: Math.round(Math.max(...all.map((o) => o.took))),
        firstConfirmedAfterRestoreMs: Math.round(firstConfirmedAfterRestore),
        readyzDuringOutage: readyDuring.map((r) => `${r.status} in ${Math.round(r.took)}ms`),
        readyz200AgainAfterRestoreMs: Math.round(Math.min(...ready.filter((r) => r.status === 200 && r.sentAt > cutAt).map((r) => r.sentAt + r.took)) - restoredAt),
        proxy: { ...proxy!.stats },
      };
      console.log(`database-outage ${JSON.stringify(summary)}`);

      // Every command: HTTP 200 within Slack's 3 s, and an answer that says what happened to it.
      for (const o of all) {
        const what = `command ${o.i} sent at ${Math.round(o.sentAt)} ms (cut ${Math.round(cutAt)}, restored ${Math.round(restoredAt)}): "${o.text.slice(0, 120)}"`;
        expect.soft(o.status, what).toBe(200);
        expect.soft(o.took, `${what}: acked within Slack's 3 s`).toBeLessThan(SLACK_ACK_LIMIT_MS);
        expect.soft(o.kind, `${what}: confirmed or not saved`).not.toBe('other');
        // Nothing acknowledged is lost; nothing lost is acknowledged (counted once every handler finished).
        expect.soft(keys.get(o.key) ?? 0, `${what}: ${o.kind === 'confirmed' ? 'one row' : 'no row'}`).toBe(o.kind === 'confirmed' ? 1 : 0);
      }
      expect(keys.size, 'no row without a command that was confirmed').toBe(all.filter((o) => o.kind === 'confirmed').length + REPS.length);

      // Before the cut everything is stored; during it, the outage shows; after it, the bot recovers by itself.
      expect(outcomes.filter((o) => o.sentAt + o.took < cutAt).every((o) => o.kind === 'confirmed')).toBe(true);
      // (a person's context read just before the cut is reused for a second: their command then waits on its insert
      // and is answered after the outage instead of "not saved"). At least the commands whose whole ack window lies
      // inside the outage: those sent in its first OUTAGE_MS - ACK_LIMIT_MS, when the network resumes (blackhole/resume:
      // a held statement completes then, in time for a later command's ack); far more when it is reset.
      expect(sentDuring.filter((o) => o.kind === 'not_saved' || o.deferred).length, 'commands sent during the outage are answered "not saved" or after it').toBeGreaterThanOrEqual(
        Math.floor((OUTAGE_MS - ACK_LIMIT_MS) / SPACING_MS),
      );
      expect(firstConfirmedAfterRestore, 'the first command sent after the database returned is confirmed soon').toBeLessThan(RECOVERY_LIMIT_MS);
      const lateRefusals = sentAfter.filter((o) => o.sentAt >= restoredAt + RECOVERY_LIMIT_MS && o.kind !== 'confirmed');
      expect(lateRefusals.map((o) => `${o.i}: ${o.text}`), `commands sent ${RECOVERY_LIMIT_MS} ms after the database returned are stored`).toEqual([]);
      expect(after.map((o) => o.kind)).toEqual(after.map(() => 'confirmed'));

      // /readyz: 503 while the database is unreachable, within its own timeout; 200 again after.
      expect(readyDuring.length).toBeGreaterThanOrEqual(3);
      for (const r of readyDuring) {
        expect.soft(r.status, `/readyz sent at ${Math.round(r.sentAt)} ms`).toBe(503);
        expect.soft(r.took, `/readyz sent at ${Math.round(r.sentAt)} ms answers within its timeout`).toBeLessThan(READY_PING_TIMEOUT_MS + 300);
      }
      expect(ready.every((r) => r.status === 200 || r.status === 503)).toBe(true);
      expect(lastReady.status).toBe(200);
    },
  );

  it.each<CutMode>(['reset', 'blackhole'])(
    'the deal webhook with the database unreachable (%s): 503 with Retry-After within its deadline and nothing stored; the re-signed retry after it returns is stored once',
    async (mode) => {
      const harness = h!;
      const p = proxy!;
      const { secret } = await createOrRotateSecret(testDb.database.db, box, TEAM, { rotate: false, now: harness.clock.now() });
      const url = `${harness.baseUrl}/webhooks/deals`;
      /** Signed now on the app's clock, as a CRM whose clock agrees would. */
      const send = (body: object) => sendDealWebhook(body, { url, teamId: TEAM, secret: secret!, timestamp: Math.floor(harness.clock.now().getTime() / 1000) });
      const deal = (externalId: string) => ({ external_id: externalId, status: 'won', amount: '4200.00', currency: 'USD', closed_at: '2026-11-26T18:30:00Z', account: 'Acme Corp', slack_user_id: REPS[0] });
      const storedDeals = async (externalId: string) => (await testDb.database.db.select().from(deals).where(like(deals.externalId, externalId))).length;

      // Before: stored (the rep is looked up and cached, the pool is warm).
      expect((await send(deal('crm-before'))).status).toBe(200);

      await p.cut(mode);
      const cutAt = performance.now();
      const during = await Promise.all(
        ['crm-during-1', 'crm-during-2'].map(async (externalId, n) => {
          await sleep(n * 300);
          const started = performance.now();
          const res = await within(OUTAGE_MS + 5_000, send(deal(externalId)));
          const took = performance.now() - started;
          return res === 'hung' ? { status: 'hung' as const, took, retryAfter: null, body: null } : { status: res.status, took, retryAfter: res.headers.get('retry-after'), body: res.body as unknown };
        }),
      );
      const storedDuring = { during1: await storedDeals('crm-during-1'), during2: await storedDeals('crm-during-2') };
      await sleep(Math.max(0, OUTAGE_MS - (performance.now() - cutAt)));
      await p.restore();
      const restoredAt = performance.now();

      // The CRM retries after the outage: the same deals, signed again with a fresh timestamp.
      harness.clock.advance(5_000);
      const retries: { status: number; took: number; body: unknown }[] = [];
      for (const externalId of ['crm-during-1', 'crm-during-2']) {
        const started = performance.now();
        const res = await send(deal(externalId));
        retries.push({ status: res.status, took: performance.now() - started, body: res.body });
      }
      const sinceRestore = performance.now() - restoredAt;
      await harness.settle();
      const rows = { during1: await storedDeals('crm-during-1'), during2: await storedDeals('crm-during-2') };
      const summary = {
        outage: mode,
        during: during.map((d) => `${d.status} in ${Math.round(d.took)}ms (Retry-After ${d.retryAfter})`),
        retries: retries.map((r) => `${r.status} in ${Math.round(r.took)}ms`),
        retriesDoneAfterRestoreMs: Math.round(sinceRestore),
      };
      console.log(`database-outage webhook ${JSON.stringify(summary)}`);

      for (const d of during) {
        expect.soft(d.status, 'during the outage: 503').toBe(503);
        expect.soft(d.retryAfter, 'with Retry-After').toMatch(/^\d+$/);
        expect.soft(d.body).toMatchObject({ ok: false, error: 'database_unavailable', message: expect.stringContaining('nothing was stored') });
        expect.soft(d.took, 'answered within its database deadline, not held').toBeLessThan(WEBHOOK_DATABASE_DEADLINE_MS + 500);
      }
      expect(storedDuring, 'nothing stored during the outage').toEqual({ during1: 0, during2: 0 });
      for (const r of retries) expect.soft(r.body, 'the retry after the outage creates the deal').toEqual({ ok: true, id: expect.any(String), created: true });
      expect(rows, 'one row per deal').toEqual({ during1: 1, during2: 1 });
    },
  );
});

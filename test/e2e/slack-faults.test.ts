/**
 * Issue 11, "then prove the guarantees" (1): Slack faults don't double or drop scheduled posts.
 *
 * A fan-out of 100 scheduled leaderboards (100 channels) and 100 weekly digests (100 people), all due at the same
 * Friday 16:00, worked by four app instances on one database (the scheduler's own tick, `scheduler.tick(now)`,
 * round after round, as each process's every-minute tick would), while the network in front of the fake Slack
 * (test/helpers/slack-fault-proxy.ts) fails about 30% of the Web API calls at random but reproducibly (seeded):
 * 429 with Retry-After: 1, 500 and 503 before anything happened, 500 and 503 after the message was posted, and
 * answers slower than the clients' timeout after the message was posted. Rounds go on until nothing is due.
 *
 * Then, counted in the fake's recorder and in what its channels and DMs show: every board and digest is posted at
 * most once; a run recorded `done` was posted exactly once, with the ts recorded; a run not done is `failed` with
 * its reason, and the reason is what Slack last did to that post (http_500, http_503, request_error: timeout); a
 * post that certainly did not happen (a 429) was sent again after its Retry-After, and nothing was ever sent again
 * after a 5xx or a timeout. Nothing is left claimed.
 */
import { Writable } from 'node:stream';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { asc } from 'drizzle-orm';
import { buildApp, type SalesPulseApp } from '../../src/app.js';
import { configSchema } from '../../src/config.js';
import type { Database } from '../../src/db/client.js';
import { activities, deals, digestSubscriptions, leaderboardSchedules, scheduledRuns, users } from '../../src/db/schema/index.js';
import { fixedClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { ensureWorkspace } from '../../src/slack/workspace.js';
import { describeEachDb, openAnotherConnection } from '../helpers/db.js';
import { manifestBotScopes, startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import { BOT_TOKEN, SIGNING_SECRET, TEST_ENCRYPTION_KEY } from '../helpers/harness.js';
import { DEFAULT_TEAM_ID } from '../helpers/signed-request.js';
import { faultFor, startFaultProxy, type FaultKind, type FaultPlan, type FaultProxy } from '../helpers/slack-fault-proxy.js';

const TEAM = DEFAULT_TEAM_ID;
const ADMIN = 'U0ADMIN01';
const BOARDS = 100;
const DIGESTS = 100;
const INSTANCES = 4;
/** Friday Dec 4 2026, 16:00 in New York (EST): every board's and every digest's slot. */
const T0 = new Date('2026-12-04T21:00:00.000Z');
/** Schedules and subscriptions set the Monday before. */
const SET_AT = new Date('2026-11-30T12:00:00.000Z');
/** A round a little over a minute apart: a run given back "for a minute" is claimable at the next one. */
const ROUND_MS = 61_000;
const MAX_ROUNDS = 30;
/** The clients' request timeout, shortened for the test; a slow answer comes well after it. */
const TIMEOUT_MS = 600;
const SLOW_MS = 800;
/** Fast retries for reads (posts go through the posting client, retries off, whatever this says). */
const TEST_RETRY = { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 50 };

const PLAN: FaultPlan = {
  seed: 20261204,
  rate: 0.3,
  weights: { '429': 10, '500': 3, '503': 3, '500-after': 3, '503-after': 3, 'slow-after': 8 },
  methods: new Set(['chat.postMessage', 'conversations.open', 'users.info', 'files.getUploadURLExternal', 'files.completeUploadExternal']),
  slowMs: SLOW_MS,
  retryAfterSeconds: 1,
};

const pad = (i: number) => String(i).padStart(3, '0');
const channelOf = (i: number) => `C0FAN${pad(i)}`;
const personOf = (i: number) => `U0DIG${pad(i)}`;
const REPS = ['U0REP0001', 'U0REP0002', 'U0REP0003', 'U0REP0004', 'U0REP0005'];

/** What the protocol must make of a post whose calls met these fates (in order); see checkPostHistory. */
type Verdict = { status: 'done'; posted: 1 } | { status: 'failed'; error: string; posted: 0 | 1 } | { status: 'open' };

/**
 * The outcome the delivery protocol owes a post, from the fates of the sends it made: 429s are sent again; the
 * first send that was not a 429 ends it (passed: done; 5xx or slow: failed with that reason, posted when the
 * failure came after the post took effect), and nothing may follow it.
 */
function verdictOf(fates: (FaultKind | undefined)[]): Verdict & { sendsAfterEnd: number } {
  const end = fates.findIndex((f) => f !== '429');
  if (end === -1) return { status: 'open', sendsAfterEnd: 0 };
  const sendsAfterEnd = fates.length - end - 1;
  const fate = fates[end];
  switch (fate) {
    case undefined:
      return { status: 'done', posted: 1, sendsAfterEnd };
    case '500':
    case '503':
      return { status: 'failed', error: `http_${fate}`, posted: 0, sendsAfterEnd };
    case '500-after':
    case '503-after':
      return { status: 'failed', error: `http_${fate.slice(0, 3)}`, posted: 1, sendsAfterEnd };
    case 'slow-after':
      return { status: 'failed', error: 'request_error: timeout', posted: 1, sendsAfterEnd };
    default:
      throw new Error(`unexpected fate ${fate}`);
  }
}

describeEachDb('Slack faults during a fan-out of 100 boards and 100 digests', (getDb) => {
  let fake: FakeSlack;
  let proxy: FaultProxy;
  let apps: { bot: SalesPulseApp; database: Database }[];
  let logs: Record<string, unknown>[];

  beforeEach(async () => {
    fake = await startFakeSlack({ botToken: BOT_TOKEN, scopes: manifestBotScopes() });
    proxy = await startFaultProxy(fake.baseUrl, PLAN);
    apps = [];
    logs = [];
  });
  afterEach(async () => {
    for (const { bot, database } of apps) {
      await bot.stop(1000);
      await database.close();
    }
    await proxy.close();
    await fake.close();
  });

  const db = () => getDb().database.db;

  async function seed(): Promise<void> {
    await ensureWorkspace(db(), TEAM, 'example');
    fake.addUser({ id: ADMIN, name: 'ada', tz: 'America/New_York', is_admin: true });
    // A few reps with numbers in the week the boards cover (Nov 23-29) and in this week (the digests').
    await db()
      .insert(users)
      .values(REPS.map((userId, i) => ({ teamId: TEAM, userId, displayName: `rep${i + 1}`, timeZone: 'America/New_York', fetchedAt: T0, joinedAt: new Date('2026-10-01T00:00:00Z') })));
    await db()
      .insert(activities)
      .values(
        REPS.flatMap((userId, i) => [
          { teamId: TEAM, userId, typeKey: 'call', quantity: 3 + i * 4, occurredAt: new Date('2026-11-24T15:00:00Z'), source: 'import' as const },
          { teamId: TEAM, userId, typeKey: 'email', quantity: 10 - i, occurredAt: new Date('2026-12-01T15:00:00Z'), source: 'import' as const },
        ]),
      );
    await db()
      .insert(deals)
      .values(REPS.slice(0, 3).map((userId, i) => ({ teamId: TEAM, userId, status: 'won' as const, amountMinor: BigInt((i + 1) * 250_000), currency: 'USD', closedAt: new Date('2026-11-26T18:00:00Z'), source: 'import' as const })));
    // 100 channels, each with a weekly board on Fridays at 16:00 New York.
    await db()
      .insert(leaderboardSchedules)
      .values(
        Array.from({ length: BOARDS }, (_, i) => ({
          teamId: TEAM,
          channelId: channelOf(i),
          cadence: 'weekly' as const,
          weekday: 5,
          timeOfDay: '16:00',
          timeZone: 'America/New_York',
          createdBy: ADMIN,
          createdAt: SET_AT,
          updatedAt: SET_AT,
        })),
      );
    // 100 people subscribed to the weekly digest (Fridays 16:00 in their zone); their profiles fresh, so a digest's
    // calls are the DM's conversations.open and its chat.postMessage.
    for (let i = 0; i < DIGESTS; i++) fake.addUser({ id: personOf(i), name: `p${pad(i)}`, tz: 'America/New_York' });
    await db()
      .insert(users)
      .values(
        Array.from({ length: DIGESTS }, (_, i) => ({
          teamId: TEAM,
          userId: personOf(i),
          displayName: `p${pad(i)}`,
          timeZone: 'America/New_York',
          fetchedAt: new Date(T0.getTime() - 60_000),
          joinedAt: new Date('2026-11-01T00:00:00Z'),
        })),
      );
    await db()
      .insert(digestSubscriptions)
      .values(Array.from({ length: DIGESTS }, (_, i) => ({ teamId: TEAM, userId: personOf(i), cadence: 'weekly' as const, createdAt: SET_AT, updatedAt: SET_AT })));
  }

  /** A bot process: its own app and connection on the shared database, Slack behind the faulty network. */
  async function instance(clock: ReturnType<typeof fixedClock>): Promise<SalesPulseApp> {
    const database = openAnotherConnection(getDb());
    const config = configSchema.parse({
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: proxy.apiUrl,
      PORT: '0',
      LOG_LEVEL: 'warn',
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    });
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const checked = fake.callsTo('auth.test').length;
    const bot = buildApp({ config, database, clock, logger: createLogger('warn', sink), clientOptions: { retryConfig: TEST_RETRY, timeout: TIMEOUT_MS } });
    apps.push({ bot, database });
    // Bolt checks its token as it is built: let that finish first.
    await fake.waitFor('auth.test', () => fake.callsTo('auth.test').length > checked);
    return bot;
  }

  it('every board and digest is delivered exactly once, or failed with the reason Slack gave; none twice, none left claimed', async () => {
    const started = Date.now();
    await seed();
    const clock = fixedClock(T0);
    const bots: SalesPulseApp[] = [];
    for (let i = 0; i < INSTANCES; i++) bots.push(await instance(clock));

    // Every process ticks at the same instant, round after round, until a round finds nothing due and nothing is open.
    const rounds: { at: string; ms: number; done: number; failed: number; retry: number; skipped: number }[] = [];
    for (let round = 0; ; round++) {
      expect(round, 'rounds until nothing is due').toBeLessThan(MAX_ROUNDS);
      const at = new Date(T0.getTime() + round * ROUND_MS);
      clock.set(at);
      const roundStarted = Date.now();
      const outcomes = (await Promise.all(bots.map((bot) => bot.scheduler.tick(at)))).flat();
      const count = (status: string) => outcomes.filter((o) => o.status === status).length;
      rounds.push({ at: at.toISOString(), ms: Date.now() - roundStarted, done: count('done'), failed: count('failed'), retry: count('retry'), skipped: count('skipped') });
      const open = (await db().select({ status: scheduledRuns.status }).from(scheduledRuns)).filter((r) => r.status === 'running').length;
      if (outcomes.length === 0 && open === 0) break;
    }

    const rows = await db().select().from(scheduledRuns).orderBy(asc(scheduledRuns.runKey));
    expect(rows).toHaveLength(BOARDS + DIGESTS);
    // Nothing left claimed, nothing skipped: each run ended done or failed.
    expect(rows.filter((r) => r.status !== 'done' && r.status !== 'failed')).toEqual([]);

    const scheduleIds = new Map((await db().select().from(leaderboardSchedules)).map((s) => [s.id, s.channelId]));
    /** The conversation a run posts in: the schedule's channel, or the person's DM. */
    const conversationOf = (runKey: string) => {
      const [job, a, b] = runKey.split(':');
      return job === 'leaderboard' ? scheduleIds.get(a!)! : `D${b!}`;
    };
    const okPosts = fake.callsTo('chat.postMessage').filter((c) => c.ok && c.args.thread_ts === undefined);
    const postsIn = (conversation: string) => okPosts.filter((c) => c.args.channel === conversation);
    const shownIn = (conversation: string) => fake.workspace.conversation(conversation).filter((m) => !m.threadTs && m.text.length > 0);

    const problems: string[] = [];
    const tally = { delivered: 0, failed: new Map<string, number>(), failedButPosted: 0, failedNotPosted: 0, spuriousTimeouts: 0, rateLimitedThenPosted: 0, buildFailures: 0, charts: 0 };
    for (const row of rows) {
      const conversation = conversationOf(row.runKey);
      const posts = postsIn(conversation);
      const shown = shownIn(conversation);
      // Never twice: in what the fake recorded, and in what the conversation shows.
      if (posts.length > 1 || shown.length !== posts.length) problems.push(`${row.runKey}: ${posts.length} posts recorded, ${shown.length} shown`);
      // The sends of this post, as the network saw them, and what each met.
      const sends = Array.from({ length: sendsTo(proxy, conversation) }, (_, n) => faultFor(PLAN, 'chat.postMessage', conversation, n));
      const owed = verdictOf(sends);
      if (owed.sendsAfterEnd > 0) problems.push(`${row.runKey}: sent ${owed.sendsAfterEnd} more time(s) after a send that was not a 429 (${sends.join(',')})`);
      if (sends.includes('429') && row.status === 'done') tally.rateLimitedThenPosted++;
      // The charts (activity/revenue, funnel) go in the thread of a board recorded done, each at most once (an
      // upload is never retried either).
      const chartFiles = shown.length === 1 ? fake.workspace.conversation(conversation).filter((m) => m.threadTs === shown[0]!.ts).flatMap((m) => (m.files ?? []).map((f) => f.name)) : [];
      const charts = chartFiles.length;
      if (new Set(chartFiles).size < chartFiles.length) problems.push(`${row.runKey}: a chart twice in the board's thread (${chartFiles.join(', ')})`);
      if (row.job === 'leaderboard' && row.status !== 'done' && charts > 0) problems.push(`${row.runKey}: a chart under a board not recorded done`);
      tally.charts += charts;
      if (row.status === 'done') {
        tally.delivered++;
        if (posts.length !== 1 || row.messageTs !== (posts[0]?.response as { ts?: string } | undefined)?.ts) problems.push(`${row.runKey}: done, but ${posts.length} posts / ts mismatch`);
        if (owed.status !== 'done') problems.push(`${row.runKey}: done, but its sends met ${sends.join(',')}`);
        continue;
      }
      // Failed: always with a reason.
      const reason = row.error ?? '';
      if (!reason) problems.push(`${row.runKey}: failed without a reason`);
      tally.failed.set(reason, (tally.failed.get(reason) ?? 0) + 1);
      if (posts.length === 1) tally.failedButPosted++;
      else tally.failedNotPosted++;
      if (owed.status === 'failed' && reason === owed.error && posts.length === owed.posted) {
        // Failed with what Slack did to its last send.
      } else if (reason === 'request_error: timeout' && posts.length <= 1) {
        // The client gave up on a send after its timeout although the network did not delay it: on this busy machine
        // (PGlite shares the event loop) the answer, or the send itself, came later than the timeout. The client saw
        // a timeout, which is ambiguous, so the run failed and was never sent again (checked above).
        tally.spuriousTimeouts++;
      } else if (owed.status === 'failed') {
        problems.push(`${row.runKey}: failed "${reason}" with ${posts.length} posts, but its sends met ${sends.join(',')}`);
      } else if (sends.length === 0) {
        // Never sent: building it (profile, DM channel) kept failing until its attempts ran out.
        tally.buildFailures++;
      } else {
        problems.push(`${row.runKey}: failed "${reason}", but its sends met ${sends.join(',') || 'nothing'}`);
      }
    }
    // Every failure was logged as an error, with the run.
    const failedKeys = new Set(rows.filter((r) => r.status === 'failed').map((r) => r.runKey));
    const loggedErrors = new Set(logs.filter((l) => l.level === 50 && typeof l.runKey === 'string').map((l) => l.runKey as string));
    for (const key of failedKeys) if (!loggedErrors.has(key)) problems.push(`${key}: failed but not logged as an error`);

    const byJob = (job: string) => {
      const mine = rows.filter((r) => r.job === job);
      const failed = mine.filter((r) => r.status === 'failed');
      const posted = (r: (typeof rows)[number]) => postsIn(conversationOf(r.runKey)).length;
      return { delivered: mine.length - failed.length, failed: failed.length, failedButPosted: failed.filter((r) => posted(r) === 1).length };
    };
    const injected = new Map<string, number>();
    for (const f of proxy.injected) injected.set(`${f.method} ${f.kind}`, (injected.get(`${f.method} ${f.kind}`) ?? 0) + 1);
    const summary = {
      db: getDb().kind,
      ms: Date.now() - started,
      rounds: rounds.filter((r) => r.done + r.failed + r.retry + r.skipped > 0),
      delivered: tally.delivered,
      boards: byJob('leaderboard'),
      digests: byJob('digest'),
      failedByReason: Object.fromEntries(tally.failed),
      failedButPosted: tally.failedButPosted,
      failedNotPosted: tally.failedNotPosted,
      rateLimitedThenPosted: tally.rateLimitedThenPosted,
      spuriousTimeouts: tally.spuriousTimeouts,
      buildFailures: tally.buildFailures,
      chartsInThreads: tally.charts,
      callsFailed: proxy.injected.length,
      callsPassed: [...proxy.passed.values()].reduce((a, b) => a + b, 0),
      injected: Object.fromEntries([...injected].sort()),
    };
    console.log(`slack-faults ${JSON.stringify(summary)}`);
    expect(problems).toEqual([]);

    // The faults were real and the mix was seen: rate limits waited out, and posts Slack took but answered badly.
    expect(tally.rateLimitedThenPosted).toBeGreaterThan(0);
    expect(tally.failedButPosted).toBeGreaterThan(0);
    expect(tally.delivered + [...tally.failed.values()].reduce((a, b) => a + b, 0)).toBe(BOARDS + DIGESTS);
  }, 120_000);
});

/** chat.postMessage calls the network saw for a conversation (a digest's is sent to the DM's id). */
function sendsTo(proxy: FaultProxy, conversation: string): number {
  return proxy.seenCount('chat.postMessage', conversation);
}

/**
 * Issue 11, "then prove the guarantees" (2): crashes don't double or drop scheduled posts.
 *
 * The built bot (node dist/main.js, what `npm start` runs) on PostgreSQL, against the fake Slack Web API served by
 * this test process (SLACK_API_URL), whose chat.postMessage answers 100 ms after it posted (as a busy Slack does:
 * the message is in the channel before the answer reaches the bot). 50 daily boards in 50 channels are due (their
 * slot an hour ago), so the start-up catch-up posts them, four at a time, over a few seconds. The bot is killed with
 * SIGKILL in the middle of that fan-out and started again, then:
 *
 * - at the kill: no board twice; the runs left `running` are the ones in flight (claimed, not yet recorded);
 * - after the restart: every other board is posted, once; the in-flight runs are left alone while their claim's
 *   lease (10 minutes) runs, so nothing is doubled by the restart itself;
 * - once the lease has passed (a tick of another process with its clock 10 minutes on: the same take-over the
 *   restarted bot's own minute tick makes then), the in-flight runs are taken over and posted: every board is in its
 *   channel, and a board is there twice only if it was in flight at the kill with its post already accepted by Slack.
 *
 * PostgreSQL only (TEST_DATABASE_URL): the bot is one process per data directory on the embedded database.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asc } from 'drizzle-orm';
import { buildApp } from '../../src/app.js';
import { configSchema } from '../../src/config.js';
import { connectPostgres } from '../../src/db/client.js';
import { activities, deals, leaderboardSchedules, scheduledRuns, users } from '../../src/db/schema/index.js';
import { fixedClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { DEFAULT_CONCURRENCY } from '../../src/features/leaderboard/job.js';
import { DEFAULT_LEASE_MS } from '../../src/scheduler/deliveries.js';
import { ensureWorkspace } from '../../src/slack/workspace.js';
import { freePort, startBot, type Running } from '../helpers/built.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { manifestBotScopes, startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import { BOT_TOKEN, SIGNING_SECRET, TEST_ENCRYPTION_KEY } from '../helpers/harness.js';
import { DEFAULT_TEAM_ID } from '../helpers/signed-request.js';

const TEAM = DEFAULT_TEAM_ID;
const ADMIN = 'U0ADMIN01';
const BOARDS = 50;
/** How late the fake answers each chat.postMessage, after posting it. */
const POST_ANSWER_MS = 100;
/** Boards posted (a moment) before the bot is killed. */
const KILL_AFTER_POSTS = 20;
const REPS = ['U0REP0001', 'U0REP0002', 'U0REP0003', 'U0REP0004'];
const channelOf = (i: number) => `C0CRASH${String(i).padStart(2, '0')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, output?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${output ? `\n${output()}` : ''}`);
    await sleep(5);
  }
}

describe.skipIf(!process.env.TEST_DATABASE_URL)('the bot killed (SIGKILL) in the middle of a fan-out of 50 boards, then started again [postgres]', () => {
  let testDb: TestDb;
  let fake: FakeSlack;
  let dataDir: string;
  const running: Running[] = [];

  beforeAll(async () => {
    testDb = await createTestDb('postgres');
    fake = await startFakeSlack({ botToken: BOT_TOKEN, scopes: manifestBotScopes() });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-crash-'));
  });
  afterAll(async () => {
    for (const run of running) if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
    await fake?.close();
    await testDb?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('every board is delivered; only boards in flight at the kill can be doubled, once their lease has passed', async () => {
    const started = Date.now();
    const db = testDb.database.db;
    // Daily boards at a time of day an hour ago (UTC): due now, well within the 24-hour grace window.
    const slot = new Date(Math.floor((Date.now() - 60 * 60_000) / 60_000) * 60_000);
    const timeOfDay = slot.toISOString().slice(11, 16);
    const setAt = new Date(slot.getTime() - 60 * 60_000);
    await ensureWorkspace(db, TEAM, 'example');
    await db.insert(users).values(REPS.map((userId, i) => ({ teamId: TEAM, userId, displayName: `rep${i + 1}`, timeZone: 'UTC', fetchedAt: new Date(), joinedAt: new Date('2026-01-01T00:00:00Z') })));
    // Numbers on the day the boards cover (the day before the slot).
    const dayBefore = new Date(slot.getTime() - 24 * 60 * 60_000);
    await db.insert(activities).values(REPS.map((userId, i) => ({ teamId: TEAM, userId, typeKey: 'call', quantity: 2 + 3 * i, occurredAt: dayBefore, source: 'import' as const })));
    await db.insert(deals).values({ teamId: TEAM, userId: REPS[0]!, status: 'won', amountMinor: 990_000n, currency: 'USD', closedAt: dayBefore, source: 'import' });
    await db.insert(leaderboardSchedules).values(
      Array.from({ length: BOARDS }, (_, i) => ({
        teamId: TEAM,
        channelId: channelOf(i),
        cadence: 'daily' as const,
        timeOfDay,
        timeZone: 'UTC',
        createdBy: ADMIN,
        createdAt: setAt,
        updatedAt: setAt,
      })),
    );
    const schedules = await db.select().from(leaderboardSchedules);
    const channelOfRun = new Map(schedules.map((s) => [`leaderboard:${s.id}:${slot.toISOString()}`, s.channelId]));

    // Slack posts at once and answers each post 100 ms later.
    fake.delayNext('chat.postMessage', { ms: POST_ANSWER_MS, times: 1_000_000 });
    const boardPosts = () => fake.callsTo('chat.postMessage').filter((c) => c.ok && String(c.args.channel).startsWith('C0CRASH') && c.args.thread_ts === undefined);
    const postsPer = () => {
      const counts = new Map<string, number>();
      for (const c of boardPosts()) counts.set(String(c.args.channel), (counts.get(String(c.args.channel)) ?? 0) + 1);
      return counts;
    };
    const runs = () => db.select().from(scheduledRuns).orderBy(asc(scheduledRuns.runKey));
    const env = {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: fake.apiUrl,
      DATABASE_URL: testDb.database.url!,
      DATA_DIR: dataDir,
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      LOG_LEVEL: 'info',
    };

    // 1. The bot starts, its start-up catch-up fans out the 50 boards; it is killed in the middle.
    const first = startBot({ ...env, PORT: String(await freePort()) });
    running.push(first);
    const fanOutStarted = await until('the first board', () => boardPosts()[0]?.at, 60_000, first.output);
    await until(`${KILL_AFTER_POSTS} boards`, () => boardPosts().length >= KILL_AFTER_POSTS, 60_000, first.output);
    // Not in step with a post's arrival: the four lanes are wherever they are (building, awaiting an answer, recording).
    await sleep(POST_ANSWER_MS / 2 + 7);
    first.child.kill('SIGKILL');
    const killedAt = Date.now();
    await first.exited;
    // Requests the process had written before it died still reach the fake: let them land.
    await sleep(300);

    const atKill = await runs();
    const postsAtKill = postsPer();
    const inFlight = atKill.filter((r) => r.status === 'running');
    const inFlightPosted = inFlight.filter((r) => (postsAtKill.get(channelOfRun.get(r.runKey)!) ?? 0) > 0);
    expect([...postsAtKill.values()].every((n) => n === 1), 'no board twice at the kill').toBe(true);
    expect(atKill.filter((r) => r.status === 'done').every((r) => postsAtKill.get(channelOfRun.get(r.runKey)!) === 1)).toBe(true);
    expect(atKill.every((r) => r.status === 'done' || r.status === 'running')).toBe(true);
    // Killed in the middle: some posted and recorded, some not started, and at most the bot's concurrency in flight.
    expect(atKill.filter((r) => r.status === 'done')).toHaveLength(postsAtKill.size - inFlightPosted.length);
    expect(postsAtKill.size).toBeGreaterThanOrEqual(KILL_AFTER_POSTS);
    expect(atKill.length).toBeLessThan(BOARDS);
    // At most the job's concurrency per tick in progress (two when the start-up catch-up meets a minute tick).
    expect(inFlight.length).toBeLessThanOrEqual(2 * DEFAULT_CONCURRENCY);
    // A claim left running by the dead process holds for its lease (10 minutes from its last renewal).
    for (const r of inFlight) expect(r.leaseUntil!.getTime() - r.claimedAt.getTime()).toBe(DEFAULT_LEASE_MS);

    // 2. Started again: the catch-up posts every board nobody claimed; the dead process's claims are left alone.
    const second = startBot({ ...env, PORT: String(await freePort()) });
    running.push(second);
    const expectedDone = BOARDS - inFlight.length;
    await until(`${expectedDone} boards recorded done`, async () => (await runs()).filter((r) => r.status === 'done').length === expectedDone, 60_000, second.output);
    await sleep(500); // anything more it would post
    const afterRestart = await runs();
    const postsAfterRestart = postsPer();
    expect(afterRestart).toHaveLength(BOARDS);
    expect(afterRestart.filter((r) => r.status === 'running').map((r) => r.runKey).sort()).toEqual(inFlight.map((r) => r.runKey).sort());
    for (const [channel, n] of postsAfterRestart) expect(n, `${channel} after the restart`).toBe(1);
    expect(postsAfterRestart.size).toBe(BOARDS - (inFlight.length - inFlightPosted.length));
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    // 3. The lease passes: the in-flight runs are taken over (here by another process's tick, its clock past the leases).
    const leaseEnds = Math.max(...inFlight.map((r) => r.leaseUntil!.getTime()), Date.now());
    const clock = fixedClock(new Date(leaseEnds + 1_000));
    const database = connectPostgres(testDb.database.url!, { max: 2 });
    const config = configSchema.parse({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, PORT: '0', LOG_LEVEL: 'silent', ENCRYPTION_KEY: TEST_ENCRYPTION_KEY });
    const later = buildApp({ config, database, clock, logger: createLogger('silent') });
    let takenOver;
    try {
      takenOver = await later.scheduler.tick(clock.now());
    } finally {
      await later.stop(1000);
      await database.close();
    }
    expect(takenOver.filter((o) => o.job === 'leaderboard' && o.status === 'done').map((o) => o.runKey).sort()).toEqual(inFlight.map((r) => r.runKey).sort());

    const final = await runs();
    const postsFinal = postsPer();
    expect(final.every((r) => r.status === 'done')).toBe(true);
    expect(final.filter((r) => r.attempts > 1).map((r) => r.runKey).sort()).toEqual(inFlight.map((r) => r.runKey).sort());
    // Every board delivered; twice only where the dead process's post had been accepted and not yet recorded.
    expect(postsFinal.size).toBe(BOARDS);
    const doubled = [...postsFinal].filter(([, n]) => n > 1).map(([c]) => c).sort();
    expect([...postsFinal.values()].every((n) => n <= 2)).toBe(true);
    expect(doubled).toEqual(inFlightPosted.map((r) => channelOfRun.get(r.runKey)!).sort());

    const summary = {
      boards: BOARDS,
      postAnswerMs: POST_ANSWER_MS,
      fanOutBeforeKillMs: killedAt - fanOutStarted,
      postedAtKill: postsAtKill.size,
      recordedDoneAtKill: atKill.filter((r) => r.status === 'done').length,
      inFlightAtKill: inFlight.length,
      inFlightPostedAtKill: inFlightPosted.length,
      postedByRestart: BOARDS - inFlight.length - atKill.filter((r) => r.status === 'done').length,
      takenOverAfterLease: takenOver.length,
      doubled: doubled.length,
      missing: BOARDS - postsFinal.size,
      ms: Date.now() - started,
    };
    console.log(`crash-fanout ${JSON.stringify(summary)}`);
  }, 120_000);
});

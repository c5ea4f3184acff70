/**
 * The generic scheduling machinery: the run-claim table (runs.ts) on both databases, concurrent claims on
 * separate connections included; the Scheduler (tick, cron start with catch-up, stop); and
 * `npm run cli -- run-due --now …` as an operator runs it, against the fake Slack. The delivery protocol built
 * on the claim table (claim, lease, retries, completion) is tested in delivery-protocol.test.ts.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { configSchema } from '../../src/config.js';
import { openPglite, type Database } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrate.js';
import { activities, leaderboardSchedules, scheduledRuns } from '../../src/db/schema/index.js';
import type { Deps } from '../../src/deps.js';
import { fixedClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { claimRun, completeRun, failRun, findRuns, getRun, isClaimable, keepClaimAlive, releaseRun, renewLease, skipRun } from '../../src/scheduler/runs.js';
import { Scheduler, type RunOutcome, type ScheduledJob } from '../../src/scheduler/scheduler.js';
import { ensureWorkspace } from '../../src/slack/workspace.js';
import { createTestDb, DB_KINDS, describeEachDb, openAnotherConnection, type TestDb } from '../helpers/db.js';
import { manifestBotScopes, startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js';
import { BOT_TOKEN, SIGNING_SECRET } from '../helpers/harness.js';
import { CLI_ARGS, ROOT } from '../helpers/built.js';

const T0 = new Date('2026-11-30T14:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const MINUTE = 60_000;

function claim(database: Database, runKey: string, now: Date, leaseMs = 10 * MINUTE, claimedBy = 'test:1') {
  return claimRun(database.db, { runKey, job: 'test', teamId: 'T0001', slotAt: T0, claimedBy, leaseMs, now });
}

// ---------------------------------------------------------------------------------------------
// runs.ts

describeEachDb('scheduler runs: claim, complete, fail, release, skip', (getDb) => {
  const connections: Database[] = [];
  afterEach(async () => {
    for (const c of connections.splice(0)) await c.close();
  });
  /** `n` connections to the same database, as `n` bot processes would have. */
  const processes = (n: number) => {
    const list = [getDb().database];
    for (let i = 1; i < n; i++) {
      const c = openAnotherConnection(getDb());
      connections.push(c);
      list.push(c);
    }
    return list;
  };

  it('the first claim wins; every later one, from any process, sees it taken', async () => {
    const [a, b] = processes(2);
    expect(await claim(a!, 'k1', T0)).toBe(true);
    expect(await claim(a!, 'k1', T0)).toBe(false);
    expect(await claim(b!, 'k1', at(MINUTE), 10 * MINUTE, 'test:2')).toBe(false);
    expect(await getRun(a!.db, 'k1')).toMatchObject({ runKey: 'k1', job: 'test', teamId: 'T0001', slotAt: T0, status: 'running', attempts: 1, claimedBy: 'test:1', claimedAt: T0, leaseUntil: at(10 * MINUTE) });
  });

  it('twelve claims of one key at the same instant over four connections: exactly one wins', async () => {
    const dbs = processes(4);
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => claim(dbs[i % dbs.length]!, 'k-race', T0, 10 * MINUTE, `test:${i}`)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await getDb().database.db.select().from(scheduledRuns)).toHaveLength(1);
  });

  it('done, failed and skipped runs are never claimed again, lease or not', async () => {
    const { database } = getDb();
    await claim(database, 'done', T0);
    await completeRun(database.db, 'done', { claimedBy: 'test:1', messageTs: '1764511200.000100', now: at(1000) });
    await claim(database, 'failed', T0);
    await failRun(database.db, 'failed', { claimedBy: 'test:1', error: 'not_in_channel', now: at(1000) });
    expect(await skipRun(database.db, { runKey: 'skipped', job: 'test', teamId: 'T0001', slotAt: T0, reason: 'too old', now: T0 })).toBe(true);

    for (const key of ['done', 'failed', 'skipped']) expect(await claim(database, key, at(24 * 60 * MINUTE)), key).toBe(false);
    expect(await getRun(database.db, 'done')).toMatchObject({ status: 'done', messageTs: '1764511200.000100', completedAt: at(1000), leaseUntil: null });
    expect(await getRun(database.db, 'failed')).toMatchObject({ status: 'failed', error: 'not_in_channel', completedAt: at(1000) });
    expect(await getRun(database.db, 'skipped')).toMatchObject({ status: 'skipped', error: 'too old', attempts: 0 });
  });

  it('a running claim whose lease has passed (its process died) is taken over by exactly one process', async () => {
    const dbs = processes(3);
    expect(await claim(dbs[0]!, 'k-lease', T0, MINUTE)).toBe(true);
    expect(await claim(dbs[1]!, 'k-lease', at(MINUTE), MINUTE)).toBe(false); // at the lease's end: not yet past it
    const takeovers = await Promise.all(dbs.flatMap((d, i) => [claim(d, 'k-lease', at(MINUTE + 1), MINUTE, `taker:${i}a`), claim(d, 'k-lease', at(MINUTE + 1), MINUTE, `taker:${i}b`)]));
    expect(takeovers.filter(Boolean)).toHaveLength(1);
    const row = await getRun(dbs[0]!.db, 'k-lease');
    expect(row).toMatchObject({ status: 'running', attempts: 2, claimedAt: at(MINUTE + 1), leaseUntil: at(2 * MINUTE + 1) });
    expect(row!.claimedBy).toMatch(/^taker:/);
  });

  it('only the holder records the outcome: a process that stalled past its lease and was taken over changes nothing', async () => {
    const { database } = getDb();
    await claim(database, 'k-stall', T0, MINUTE, 'stalled');
    expect(await claim(database, 'k-stall', at(MINUTE + 1), MINUTE, 'taker')).toBe(true);
    expect(await completeRun(database.db, 'k-stall', { claimedBy: 'taker', messageTs: '1.2', now: at(2 * MINUTE) })).toBe(true);
    // The stalled process wakes up and reports its own outcome: refused, whatever it is.
    expect(await failRun(database.db, 'k-stall', { claimedBy: 'stalled', error: 'timeout', now: at(3 * MINUTE) })).toBe(false);
    expect(await completeRun(database.db, 'k-stall', { claimedBy: 'stalled', messageTs: '9.9', now: at(3 * MINUTE) })).toBe(false);
    expect(await releaseRun(database.db, 'k-stall', { claimedBy: 'stalled', error: 'retry', retryAt: at(4 * MINUTE) })).toBe(false);
    expect(await getRun(database.db, 'k-stall')).toMatchObject({ status: 'done', claimedBy: 'taker', messageTs: '1.2', error: null, completedAt: at(2 * MINUTE) });
    // While the taker still runs it, the stalled one cannot fail it either.
    await claim(database, 'k-stall2', T0, MINUTE, 'stalled');
    await claim(database, 'k-stall2', at(MINUTE + 1), MINUTE, 'taker');
    expect(await failRun(database.db, 'k-stall2', { claimedBy: 'stalled', error: 'timeout', now: at(MINUTE + 2) })).toBe(false);
    expect(await getRun(database.db, 'k-stall2')).toMatchObject({ status: 'running', claimedBy: 'taker' });
  });

  it('a released run can be claimed again from its retry time, not before', async () => {
    const { database } = getDb();
    await claim(database, 'k-release', T0);
    await releaseRun(database.db, 'k-release', { claimedBy: 'test:1', error: 'attempt 1: connection reset', retryAt: at(MINUTE) });
    expect(await getRun(database.db, 'k-release')).toMatchObject({ status: 'running', claimedBy: null, leaseUntil: at(MINUTE), error: 'attempt 1: connection reset' });
    expect(await claim(database, 'k-release', at(30_000))).toBe(false);
    expect(await claim(database, 'k-release', at(MINUTE + 1))).toBe(true);
    expect(await getRun(database.db, 'k-release')).toMatchObject({ attempts: 2 });
    // release never reopens a finished run
    await completeRun(database.db, 'k-release', { claimedBy: 'test:1', messageTs: null, now: at(2 * MINUTE) });
    expect(await releaseRun(database.db, 'k-release', { claimedBy: 'test:1', error: 'late', retryAt: at(3 * MINUTE) })).toBe(false);
    expect(await getRun(database.db, 'k-release')).toMatchObject({ status: 'done', error: null });
  });

  it('the holder renews its lease; nobody else can, nor once the run is finished', async () => {
    const { database } = getDb();
    await claim(database, 'k-renew', T0, MINUTE, 'holder');
    expect(await renewLease(database.db, 'k-renew', { claimedBy: 'holder', leaseMs: MINUTE, now: at(50_000) })).toBe(true);
    expect(await getRun(database.db, 'k-renew')).toMatchObject({ leaseUntil: at(110_000) });
    expect(await claim(database, 'k-renew', at(MINUTE + 1), MINUTE, 'other')).toBe(false); // renewed: not expired
    expect(await renewLease(database.db, 'k-renew', { claimedBy: 'other', leaseMs: MINUTE, now: at(60_000) })).toBe(false);
    await completeRun(database.db, 'k-renew', { claimedBy: 'holder', now: at(70_000) });
    expect(await renewLease(database.db, 'k-renew', { claimedBy: 'holder', leaseMs: MINUTE, now: at(80_000) })).toBe(false);
    expect(await getRun(database.db, 'k-renew')).toMatchObject({ status: 'done', leaseUntil: null });
  });

  it('keepClaimAlive renews every third of the lease while the work runs, reports a lost claim, and stops when told', async () => {
    const { database } = getDb();
    const clock = fixedClock(T0);
    await claim(database, 'k-alive', T0, 300, 'holder');
    let lost = 0;
    const stop = keepClaimAlive(database.db, 'k-alive', { claimedBy: 'holder', leaseMs: 300, now: () => clock.now(), onLost: () => lost++ });
    clock.set(at(10_000));
    await new Promise((r) => setTimeout(r, 250));
    expect(await getRun(database.db, 'k-alive')).toMatchObject({ leaseUntil: at(10_300) });
    // Someone took it over (this process stalled): the next beat notices.
    await database.db.update(scheduledRuns).set({ claimedBy: 'taker' });
    await new Promise((r) => setTimeout(r, 250));
    expect(lost).toBeGreaterThanOrEqual(1);
    stop();
    clock.set(at(20_000));
    await new Promise((r) => setTimeout(r, 250));
    expect(await getRun(database.db, 'k-alive')).toMatchObject({ claimedBy: 'taker', leaseUntil: at(10_300) });
  });

  it('skipRun records a slot once (true), then false, and never over a claim', async () => {
    const { database } = getDb();
    const skip = (key: string) => skipRun(database.db, { runKey: key, job: 'test', teamId: null, slotAt: T0, reason: 'older than the grace window', now: T0 });
    expect(await skip('s1')).toBe(true);
    expect(await skip('s1')).toBe(false);
    await claim(database, 's2', T0);
    expect(await skip('s2')).toBe(false);
    expect(await getRun(database.db, 's2')).toMatchObject({ status: 'running' });
  });

  it('findRuns reads many keys in one query; isClaimable says which a tick should try', async () => {
    const { database } = getDb();
    await claim(database, 'a', T0, MINUTE);
    await claim(database, 'b', T0, MINUTE);
    await completeRun(database.db, 'b', { claimedBy: 'test:1', now: T0 });
    const found = await findRuns(database.db, ['a', 'b', 'c']);
    expect([...found.keys()].sort()).toEqual(['a', 'b']);
    expect(isClaimable(found.get('a'), at(30_000))).toBe(false);
    expect(isClaimable(found.get('a'), at(MINUTE + 1))).toBe(true);
    expect(isClaimable(found.get('b'), at(24 * 60 * MINUTE))).toBe(false);
    expect(isClaimable(found.get('c'), T0)).toBe(true);
    expect(await findRuns(database.db, [])).toEqual(new Map());
  });

  it('findRuns over more keys than one query takes (a big workspace’s digests): every row found', async () => {
    const { database } = getDb();
    const keys = Array.from({ length: 1201 }, (_, i) => `many:${String(i).padStart(4, '0')}`);
    await database.db.insert(scheduledRuns).values(keys.filter((_, i) => i % 2 === 0).map((runKey) => ({ runKey, job: 'test', teamId: 'T0001', slotAt: T0, status: 'done' as const, attempts: 1 })));
    const found = await findRuns(database.db, keys);
    expect(found.size).toBe(601);
    expect([...found.keys()].sort()).toEqual(keys.filter((_, i) => i % 2 === 0));
  });
});

// ---------------------------------------------------------------------------------------------
// Scheduler

describe('Scheduler', () => {
  function testDeps(): { deps: Deps; logs: Record<string, unknown>[] } {
    const logs: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const config = configSchema.parse({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET });
    // The scheduler itself never touches the database: the jobs do.
    const deps = { config, database: undefined, db: undefined, clock: fixedClock(T0), logger: createLogger('debug', sink) } as unknown as Deps;
    return { deps, logs };
  }

  function recordingJob(name: string, work?: (now: Date, signal?: AbortSignal) => Promise<RunOutcome[] | void>) {
    const calls: { now: Date; signal?: AbortSignal }[] = [];
    const job: ScheduledJob = {
      name,
      async runDue(_deps, now, signal) {
        calls.push({ now, signal });
        return work?.(now, signal);
      },
    };
    return { job, calls };
  }

  it('tick runs every job with the given instant and gathers what they did; a failing job is logged, the others still run, tick never throws', async () => {
    const { deps, logs } = testDeps();
    const outcome: RunOutcome = { job: 'b', runKey: 'b:1', teamId: 'T1', slotAt: T0, status: 'done', detail: 'posted' };
    const a = recordingJob('a', async () => {
      throw new Error('database is down');
    });
    const b = recordingJob('b', async () => [outcome]);
    const scheduler = new Scheduler(deps, [a.job, b.job]);
    expect(await scheduler.tick(at(5000))).toEqual([outcome]);
    expect(a.calls.map((c) => c.now)).toEqual([at(5000)]);
    expect(b.calls.map((c) => c.now)).toEqual([at(5000)]);
    expect(logs.find((l) => l.msg === 'scheduled job failed')).toMatchObject({ level: 50, job: 'a', now: at(5000).toISOString() });
    await scheduler.stop();
  });

  it('stop() tells running jobs to claim nothing new, waits for the work in progress, and later ticks do nothing', async () => {
    const { deps } = testDeps();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let finished = false;
    const slow = recordingJob('slow', async () => {
      await gate;
      finished = true;
    });
    const scheduler = new Scheduler(deps, [slow.job]);
    const running = scheduler.tick(T0);
    await new Promise((r) => setTimeout(r, 10));
    expect(slow.calls[0]!.signal!.aborted).toBe(false);

    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(slow.calls[0]!.signal!.aborted).toBe(true);
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(finished).toBe(true);
    await running;
    expect(await scheduler.tick(at(MINUTE))).toEqual([]);
    expect(slow.calls).toHaveLength(1);
  });

  it('stop() is bounded: past stopTimeoutMs it asks every job to give up what it holds, and returns without waiting for the work', async () => {
    const { deps, logs } = testDeps();
    const never = new Promise<void>(() => {});
    const abandoned: string[] = [];
    const stuck = recordingJob('stuck', () => never.then(() => undefined));
    stuck.job.abandon = async () => void abandoned.push('stuck');
    const idle = recordingJob('idle');
    idle.job.abandon = async () => void abandoned.push('idle');
    const scheduler = new Scheduler(deps, [idle.job, stuck.job], { stopTimeoutMs: 200 });
    void scheduler.tick(T0);
    await vi.waitFor(() => expect(stuck.calls).toHaveLength(1), { timeout: 5_000, interval: 5 });

    const started = Date.now();
    await scheduler.stop();
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(2_000);
    expect(abandoned.sort()).toEqual(['idle', 'stuck']);
    expect(logs.find((l) => l.msg === 'scheduled runs still in progress at shutdown; giving them up for another process')).toMatchObject({ level: 40, stopTimeoutMs: 200 });
    expect(await scheduler.tick(at(MINUTE))).toEqual([]);
  });

  it('stop() with nothing in progress (or work done in time) gives nothing up', async () => {
    const { deps } = testDeps();
    const job = recordingJob('quick', async () => {
      await new Promise((r) => setTimeout(r, 20));
    });
    let gaveUp = false;
    job.job.abandon = async () => void (gaveUp = true);
    const scheduler = new Scheduler(deps, [job.job], { stopTimeoutMs: 2_000 });
    void scheduler.tick(T0);
    await scheduler.stop();
    expect(job.calls).toHaveLength(1);
    expect(gaveUp).toBe(false);
  });

  it('start() catches up at once, then node-cron ticks on its expression; stop() ends the ticking', async () => {
    const { deps } = testDeps();
    const job = recordingJob('count');
    const scheduler = new Scheduler(deps, [job.job], { cronExpression: '* * * * * *' }); // every second, for the test
    scheduler.start();
    scheduler.start(); // idempotent
    expect(scheduler.running).toBe(true);
    // The catch-up runs at once (waited for, not slept on: this machine is shared and may be slow).
    await vi.waitFor(() => expect(job.calls.length).toBeGreaterThanOrEqual(1), { timeout: 5_000, interval: 5 });
    expect(job.calls[0]!.now).toEqual(T0); // "now" comes from the injected clock
    await vi.waitFor(() => expect(job.calls.length).toBeGreaterThanOrEqual(3), { timeout: 10_000, interval: 50 });
    await scheduler.stop();
    expect(scheduler.running).toBe(false);
    const count = job.calls.length;
    await new Promise((r) => setTimeout(r, 1200));
    expect(job.calls).toHaveLength(count);
  });

  it('refuses an invalid cron expression', () => {
    const { deps } = testDeps();
    expect(() => new Scheduler(deps, [], { cronExpression: 'every minute' })).toThrow(/Invalid cron expression/);
  });
});

// ---------------------------------------------------------------------------------------------
// npm run cli -- run-due


interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...CLI_ARGS, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), LOG_LEVEL: 'warn', ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A workspace with a weekly Monday 09:00 New York board in #sales, set the Friday before, and some activity. */
async function seedSchedule(database: Database): Promise<string> {
  await runMigrations(database);
  await ensureWorkspace(database.db, 'T0001', 'example');
  const setAt = new Date('2026-11-27T12:00:00Z');
  const [row] = await database.db
    .insert(leaderboardSchedules)
    .values({ teamId: 'T0001', channelId: 'C0SALES', cadence: 'weekly', weekday: 1, timeOfDay: '09:00', timeZone: 'America/New_York', createdBy: 'U0ADMIN01', createdAt: setAt, updatedAt: setAt })
    .returning();
  await database.db.insert(activities).values({ teamId: 'T0001', userId: 'U0REPA001', typeKey: 'call', quantity: 3, occurredAt: new Date('2026-11-24T15:00:00Z'), source: 'import' });
  return row!.id;
}

for (const kind of DB_KINDS) {
  describe(`npm run cli -- run-due [${kind}]`, () => {
    let fake: FakeSlack;
    let dataDir: string;
    let testDb: TestDb | undefined;
    let env: Record<string, string>;
    let scheduleId: string;

    beforeAll(async () => {
      fake = await startFakeSlack({ botToken: BOT_TOKEN, scopes: manifestBotScopes() });
      fake.addUser({ id: 'U0REPA001', name: 'rita' });
      fake.addUser({ id: 'U0ADMIN01', name: 'ada', is_admin: true });
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-run-due-'));
      env = { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, DATA_DIR: dataDir };
      if (kind === 'pglite') {
        const database = await openPglite(dataDir);
        try {
          scheduleId = await seedSchedule(database);
        } finally {
          await database.close();
        }
      } else {
        testDb = await createTestDb('postgres');
        scheduleId = await seedSchedule(testDb.database);
        env.DATABASE_URL = testDb.database.url!;
      }
    });
    afterAll(async () => {
      await fake.close();
      await testDb?.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    async function runRows() {
      if (testDb) return testDb.database.db.select().from(scheduledRuns);
      const database = await openPglite(dataDir);
      try {
        return await database.db.select().from(scheduledRuns);
      } finally {
        await database.close();
      }
    }
    const boardPosts = () => fake.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0SALES');

    it('posts the missed Monday 09:00 board at 11:00 once; the same call again posts nothing', async () => {
      const first = await cli(['run-due', '--now', '2026-11-30T11:00:00-05:00'], env);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toContain(`done    leaderboard slot 2026-11-30T14:00:00.000Z <#C0SALES> (T0001): posted (ts `);
      expect(first.stdout).toContain('At 2026-11-30T16:00:00.000Z: 1 posted, 0 skipped, 0 failed, 0 to retry.');
      expect(boardPosts().filter((c) => c.ok)).toHaveLength(1);
      const ts = (boardPosts()[0]!.response as { ts: string }).ts;
      expect(fake.callsTo('files.completeUploadExternal').every((c) => c.args.thread_ts === ts)).toBe(true);
      expect(await runRows()).toMatchObject([{ runKey: `leaderboard:${scheduleId}:2026-11-30T14:00:00.000Z`, status: 'done', messageTs: ts }]);

      const again = await cli(['run-due', '--now', '2026-11-30T11:00:00-05:00'], env);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toContain('Nothing due at 2026-11-30T16:00:00.000Z');
      expect(boardPosts()).toHaveLength(1);
    }, 60_000);

    it('a week later past the grace window: skipped and reported, not posted', async () => {
      const posted = boardPosts().length;
      const late = await cli(['run-due', '--now', '2026-12-08T15:00:00Z'], env);
      expect(late.code, late.stderr).toBe(0);
      expect(late.stdout).toContain('skipped leaderboard slot 2026-12-07T14:00:00.000Z');
      expect(late.stdout).toContain('0 posted, 1 skipped');
      expect(boardPosts()).toHaveLength(posted);
    }, 60_000);

    it('refuses a missing or loose --now, and says how to write it', async () => {
      const calls = fake.calls.length;
      const missing = await cli(['run-due'], env);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('run-due: --now is required.');
      expect(missing.stderr).toContain('Usage: npm run cli -- run-due --now <ISO-8601 instant');
      for (const bad of ['2026-11-30T11:00:00', '2026-02-30T09:00:00Z']) {
        const run = await cli(['run-due', '--now', bad], env);
        expect(run.code, bad).toBe(1);
        expect(run.stderr).toContain(`"${bad}" is not an ISO-8601 instant with a time zone`);
      }
      expect(fake.calls).toHaveLength(calls);
    }, 60_000);

    it('without the Slack settings it stops and names the variable', async () => {
      const { SLACK_BOT_TOKEN: _token, ...noToken } = env;
      const run = await cli(['run-due', '--now', '2026-11-30T16:00:00Z'], noToken);
      expect(run.code).toBe(78);
      expect(run.stderr).toContain('SLACK_BOT_TOKEN is required');
    }, 60_000);
  });
}

/**
 * The one delivery protocol (src/scheduler/deliveries.ts), tested once, on both databases, through a toy job:
 * one-off reminders posted in a channel. The toy is the whole job, a page of code, as the next scheduled thing
 * (team digests, reminders) would be: what is due, how to build it, how to send it. Its "Slack" is a script
 * of answers, with errors shaped like @slack/web-api's, so each rule is exercised on its own: claim exactly
 * once across processes, the grace window, lease renewal, give-back with backoff, "certainly not sent" (429s
 * waited out, then given back until Retry-After), permanent failures, persistent completion, abort, giving runs
 * up at a bounded shutdown, readiness and pacing. The real jobs on a real Web API
 * client are covered end to end in test/e2e/leaderboard-schedule.test.ts and test/e2e/digests.test.ts.
 */
import { Writable } from 'node:stream';
import { afterEach, expect, it } from 'vitest';
import { asc, eq } from 'drizzle-orm';
import type { Database, Db } from '../../src/db/client.js';
import { scheduledRuns } from '../../src/db/schema/index.js';
import type { Deps } from '../../src/deps.js';
import { fixedClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import {
  DEFAULT_GRACE_MS,
  defineDeliveryJob,
  GIVEN_BACK_AT_SHUTDOWN,
  INTERRUPTED_WHILE_SENDING,
  MAX_ATTEMPTS,
  NOT_SENT_RETRY_MS,
  RETRY_DELAYS_MS,
  type DeliveryDeps,
  type DeliveryJob,
  type DueRun,
  type PermanentFailure,
} from '../../src/scheduler/deliveries.js';
import { Scheduler, type RunOutcome } from '../../src/scheduler/scheduler.js';
import { MAX_RATE_LIMIT_WAIT_MS, RATE_LIMITED_SENDS } from '../../src/slack/posting-client.js';
import { describeEachDb, openAnotherConnection } from '../helpers/db.js';

const T0 = new Date('2026-11-30T14:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Errors as @slack/web-api 7/8 rejects with them (the shapes src/slack/web-api-errors.ts reads)

const slackError = (message: string, fields: Record<string, unknown>) => Object.assign(new Error(message), fields);
const platformError = (code: string) => slackError(`An API error occurred: ${code}`, { code: 'slack_webapi_platform_error', data: { ok: false, error: code } });
/** A 429 as a posting client (rejectRateLimitedCalls) rejects with it: a WebAPIRateLimitedError. */
const rateLimited = (retryAfter = 1) => slackError(`A rate limit was exceeded (url: chat.postMessage, retry-after: ${retryAfter})`, { code: 'slack_webapi_rate_limited_error', retryAfter });
const requestError = (cause: string) => slackError(`A request error occurred: ${cause}`, { code: 'slack_webapi_request_error', original: { cause: { code: cause } } });
const httpError = (status: number) => slackError(`An HTTP protocol error occurred: statusCode = ${status}`, { code: 'slack_webapi_http_error', statusCode: status });

// ---------------------------------------------------------------------------------------------
// The toy Slack: records posts; the next calls can be scripted to fail or to wait

interface Post {
  channel: string;
  text: string;
  ts: string;
}

function toySlack(opts: { delayMs?: number } = {}) {
  const posts: Post[] = [];
  const script: (() => Promise<void>)[] = [];
  let seq = 0;
  return {
    posts,
    /** The next post calls fail with these errors, one each, in order. */
    fail(...errors: unknown[]) {
      for (const error of errors) script.push(() => Promise.reject(error));
    },
    /** The next post call waits until released; `began` resolves once it was called. */
    hold(): { began: Promise<void>; release: () => void } {
      let release!: () => void;
      let called!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const began = new Promise<void>((r) => (called = r));
      script.push(async () => {
        called();
        await gate;
      });
      return { began, release };
    },
    async post(channel: string, text: string): Promise<string> {
      if (opts.delayMs) await sleep(opts.delayMs);
      await script.shift()?.();
      const ts = `1764511200.${String(++seq).padStart(6, '0')}`;
      posts.push({ channel, text, ts });
      return ts;
    },
  };
}
type ToySlack = ReturnType<typeof toySlack>;

// ---------------------------------------------------------------------------------------------
// The toy job: this is all a scheduled job has to say.

interface Reminder {
  id: string;
  teamId: string;
  channel: string;
  text: string;
  at: Date;
}

interface DueReminder extends DueRun {
  reminder: Reminder;
}

function reminderJob(
  reminders: Reminder[],
  slack: ToySlack,
  over: Partial<DeliveryJob<DueReminder, string>> & { claimedBy?: string } = {},
) {
  return defineDeliveryJob<DueReminder, string, DeliveryDeps>({
    name: 'reminder',
    noun: 'reminder',
    verb: 'posted',
    claimedBy: 'test:1',
    permanentErrors: new Set(['not_in_channel', 'channel_not_found']),
    listDue: async (_deps, now) =>
      reminders
        .filter((r) => r.at.getTime() <= now.getTime())
        .map((r) => ({ runKey: `reminder:${r.id}:${r.at.toISOString()}`, teamId: r.teamId, slotAt: r.at, reminder: r })),
    describe: ({ reminder }) => `<#${reminder.channel}> (${reminder.teamId})`,
    logFields: ({ reminder }) => ({ channel: reminder.channel }),
    build: async ({ reminder }) => `:alarm_clock: ${reminder.text}`,
    send: async ({ reminder }, text) => ({ messageTs: await slack.post(reminder.channel, text) }),
    ...over,
  });
}

const reminder = (id: string, atTime: Date = T0, channel = `C0${id.toUpperCase()}`): Reminder => ({ id, teamId: 'T0001', channel, text: `Reminder ${id}`, at: atTime });
const keyOf = (r: Reminder) => `reminder:${r.id}:${r.at.toISOString()}`;
const statuses = (outcomes: RunOutcome[]) => outcomes.map((o) => o.status);

describeEachDb('the delivery protocol, through a toy job', (getDb) => {
  const connections: Database[] = [];
  afterEach(async () => {
    for (const c of connections.splice(0)) await c.close();
  });

  /** One bot process: a connection of its own (the first is the suite's), a shared clock, captured logs. */
  function setup(n = 1) {
    const clock = fixedClock(T0);
    const logs: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const logger = createLogger('debug', sink);
    const processes: DeliveryDeps[] = [];
    for (let i = 0; i < n; i++) {
      let database = getDb().database;
      if (i > 0) {
        database = openAnotherConnection(getDb());
        connections.push(database);
      }
      processes.push({ db: database.db, clock, logger });
    }
    return { clock, logs, deps: processes[0]!, processes };
  }
  const db = () => getDb().database.db;
  const runs = () => db().select().from(scheduledRuns).orderBy(asc(scheduledRuns.slotAt), asc(scheduledRuns.runKey));
  const run = async (key: string) => (await db().select().from(scheduledRuns).where(eq(scheduledRuns.runKey, key)))[0];
  /** A run row as another process left it. */
  const insertRun = (r: Reminder, over: Partial<typeof scheduledRuns.$inferInsert>) =>
    db().insert(scheduledRuns).values({ runKey: keyOf(r), job: 'reminder', teamId: r.teamId, slotAt: r.at, status: 'running', attempts: 1, ...over });

  it('a toy job is a page of code: each due reminder is posted once and recorded with its ts; later ticks post nothing', async () => {
    const { deps, clock } = setup();
    const slack = toySlack();
    const reminders = [reminder('a'), reminder('b', at(-MINUTE)), reminder('later', at(HOUR))];
    const job = reminderJob(reminders, slack);

    clock.set(at(5 * SECOND));
    const outcomes = await job.runDue(deps, at(5 * SECOND));
    // Oldest slot first.
    expect(outcomes).toEqual([
      { job: 'reminder', runKey: keyOf(reminders[1]!), teamId: 'T0001', slotAt: at(-MINUTE), status: 'done', detail: '<#C0B> (T0001): posted (ts 1764511200.000001)', messageTs: '1764511200.000001' },
      { job: 'reminder', runKey: keyOf(reminders[0]!), teamId: 'T0001', slotAt: T0, status: 'done', detail: '<#C0A> (T0001): posted (ts 1764511200.000002)', messageTs: '1764511200.000002' },
    ]);
    expect(slack.posts).toEqual([
      { channel: 'C0B', text: ':alarm_clock: Reminder b', ts: '1764511200.000001' },
      { channel: 'C0A', text: ':alarm_clock: Reminder a', ts: '1764511200.000002' },
    ]);
    expect(await runs()).toMatchObject([
      { runKey: keyOf(reminders[1]!), job: 'reminder', teamId: 'T0001', status: 'done', attempts: 1, claimedBy: 'test:1', messageTs: '1764511200.000001', leaseUntil: null, error: null, completedAt: at(5 * SECOND) },
      { runKey: keyOf(reminders[0]!), status: 'done', attempts: 1, messageTs: '1764511200.000002' },
    ]);

    expect(await job.runDue(deps, at(5 * SECOND))).toEqual([]);
    expect(await job.runDue(deps, at(MINUTE))).toEqual([]);
    expect(slack.posts).toHaveLength(2);
    // The next one when its time comes.
    expect(statuses(await job.runDue(deps, at(HOUR)))).toEqual(['done']);
    expect(slack.posts.map((p) => p.channel)).toEqual(['C0B', 'C0A', 'C0LATER']);
  });

  it('it is a ScheduledJob: the Scheduler ticks it like any other', async () => {
    const { deps } = setup();
    const slack = toySlack();
    const scheduler = new Scheduler(deps as Deps, [reminderJob([reminder('a')], slack)]);
    expect(statuses(await scheduler.tick(T0))).toEqual(['done']);
    expect(await scheduler.tick(T0)).toEqual([]);
    await scheduler.stop();
    expect(slack.posts).toHaveLength(1);
  });

  it('four processes, each ticking twice at the same instant, three at a time: every reminder is claimed and posted exactly once', async () => {
    const { processes } = setup(4);
    const slack = toySlack({ delayMs: 5 });
    const reminders = Array.from({ length: 10 }, (_, i) => reminder(`r${i}`, at(-i * SECOND)));
    const jobs = processes.map((_, i) => reminderJob(reminders, slack, { claimedBy: `host:${i}`, concurrency: 3 }));
    const outcomes = (await Promise.all(processes.flatMap((deps, i) => [jobs[i]!.runDue(deps, T0), jobs[i]!.runDue(deps, T0)]))).flat();

    expect(outcomes.filter((o) => o.status === 'done')).toHaveLength(10);
    expect(outcomes).toHaveLength(10);
    expect(slack.posts.map((p) => p.channel).sort()).toEqual(reminders.map((r) => r.channel).sort());
    const rows = await runs();
    expect(rows).toHaveLength(10);
    expect(rows.every((r) => r.status === 'done' && r.attempts === 1 && r.messageTs)).toBe(true);
    // And again, all at once, a minute later: nothing.
    expect((await Promise.all(processes.map((deps, i) => jobs[i]!.runDue(deps, at(MINUTE))))).flat()).toEqual([]);
    expect(slack.posts).toHaveLength(10);
  });

  it('the grace window: a slot first seen past it is skipped, recorded and logged once, never posted; one just inside it is caught up', async () => {
    const { deps, clock, logs } = setup();
    const slack = toySlack();
    const old = reminder('old', at(-DEFAULT_GRACE_MS - MINUTE));
    const late = reminder('late', at(-DEFAULT_GRACE_MS + MINUTE));
    const job = reminderJob([old, late], slack);

    const outcomes = await job.runDue(deps, T0);
    expect(outcomes).toEqual([
      { job: 'reminder', runKey: keyOf(old), teamId: 'T0001', slotAt: old.at, status: 'skipped', detail: `<#C0OLD> (T0001): slot ${old.at.toISOString()} is older than the grace window` },
      expect.objectContaining({ runKey: keyOf(late), status: 'done' }),
    ]);
    expect(slack.posts.map((p) => p.channel)).toEqual(['C0LATE']);
    expect(await run(keyOf(old))).toMatchObject({ status: 'skipped', attempts: 0, messageTs: null, error: `missed: slot older than the 24 h grace window at ${T0.toISOString()}` });

    clock.advance(MINUTE);
    expect(await job.runDue(deps, at(MINUTE))).toEqual([]);
    const skipped = logs.filter((l) => l.msg === 'reminder missed and skipped: its slot is older than the grace window');
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({ level: 40, job: 'reminder', runKey: keyOf(old), channel: 'C0OLD', slot: old.at.toISOString(), graceMs: DEFAULT_GRACE_MS });
  });

  it('a claim given back and still not posted when the grace window ends is failed once, with its last error, however many processes look', async () => {
    const { processes } = setup(3);
    const slack = toySlack();
    const r = reminder('a', at(-DEFAULT_GRACE_MS - HOUR));
    await insertRun(r, { attempts: 4, claimedBy: null, claimedAt: at(-DEFAULT_GRACE_MS), leaseUntil: at(-DEFAULT_GRACE_MS + MINUTE), error: 'ratelimited' });
    const outcomes = (await Promise.all(processes.map((deps, i) => reminderJob([r], slack, { claimedBy: `host:${i}` }).runDue(deps, T0)))).flat();
    expect(outcomes).toEqual([
      { job: 'reminder', runKey: keyOf(r), teamId: 'T0001', slotAt: r.at, status: 'failed', detail: '<#C0A> (T0001): not posted within the grace window (last: ratelimited)', error: 'not posted within the grace window (last: ratelimited)' },
    ]);
    expect(await run(keyOf(r))).toMatchObject({ status: 'failed', attempts: 5, error: 'not posted within the grace window (last: ratelimited)', leaseUntil: null });
    expect(await reminderJob([r], slack).runDue(processes[0]!, at(HOUR))).toEqual([]);
    expect(slack.posts).toEqual([]);
  });

  it('the lease is renewed while a long send runs, so no other process takes the run over; renewal stops when it is done', async () => {
    const { processes, clock } = setup(2);
    const slack = toySlack();
    const r = reminder('a');
    const leaseMs = 300;
    const job = reminderJob([r], slack, { leaseMs });
    const other = reminderJob([r], slack, { claimedBy: 'test:2', leaseMs });
    const held = slack.hold();
    const running = job.runDue(processes[0]!, T0);
    await held.began;
    expect(await run(keyOf(r))).toMatchObject({ status: 'running', claimedBy: 'test:1', leaseUntil: at(leaseMs) });

    // Ten seconds on (by the clock), far past the first lease: the holder has renewed it.
    clock.set(at(10 * SECOND));
    await sleep(250);
    expect(await run(keyOf(r))).toMatchObject({ status: 'running', claimedBy: 'test:1', leaseUntil: at(10 * SECOND + leaseMs) });
    expect(await other.runDue(processes[1]!, at(10 * SECOND))).toEqual([]);

    held.release();
    expect(statuses(await running)).toEqual(['done']);
    clock.set(at(20 * SECOND));
    await sleep(250);
    expect(await run(keyOf(r))).toMatchObject({ status: 'done', attempts: 1, claimedBy: 'test:1', leaseUntil: null });
    expect(slack.posts).toHaveLength(1);
  });

  it('a claim lost while sending (this process stalled past its lease) is reported as an error', async () => {
    const { deps, logs } = setup();
    const slack = toySlack();
    const r = reminder('a');
    const held = slack.hold();
    const running = reminderJob([r], slack, { leaseMs: 300 }).runDue(deps, T0);
    await held.began;
    await db().update(scheduledRuns).set({ claimedBy: 'taker' });
    await sleep(250);
    expect(logs.find((l) => l.msg === 'lost the claim of a run still in progress (this process stalled past its lease)')).toMatchObject({ level: 50, runKey: keyOf(r) });
    held.release();
    await running;
  });

  it('a claim left by a dead process is left alone within its lease and taken over once it has passed', async () => {
    const { deps, clock, logs } = setup();
    const slack = toySlack();
    const r = reminder('a');
    await insertRun(r, { claimedBy: 'other-host:1:abc', claimedAt: T0, leaseUntil: at(15 * MINUTE) });
    const job = reminderJob([r], slack);
    clock.set(at(MINUTE));
    expect(await job.runDue(deps, at(MINUTE))).toEqual([]);
    clock.set(at(16 * MINUTE));
    expect(statuses(await job.runDue(deps, at(16 * MINUTE)))).toEqual(['done']);
    expect(await run(keyOf(r))).toMatchObject({ status: 'done', attempts: 2, claimedBy: 'test:1' });
    expect(logs.find((l) => l.msg === 'took over a scheduled run whose claim had expired')).toMatchObject({ level: 40, runKey: keyOf(r), attempts: 2 });
    expect(slack.posts).toHaveLength(1);
  });

  it('certainly not sent (a 429 with a Retry-After too long to wait here, a connection never made): given back until Retry-After or for a minute, with no attempt limit, then posted once', async () => {
    const { deps, clock } = setup();
    const slack = toySlack();
    const r = reminder('a');
    const job = reminderJob([r], slack);
    const long = MAX_RATE_LIMIT_WAIT_MS / SECOND + 90; // seconds: past what is waited out in process, and past a minute
    slack.fail(rateLimited(long), requestError('ECONNREFUSED'), rateLimited(long));
    const tick = (ms: number) => {
      clock.set(at(ms));
      return job.runDue(deps, at(ms));
    };

    expect(await tick(0)).toEqual([
      { job: 'reminder', runKey: keyOf(r), teamId: 'T0001', slotAt: T0, status: 'retry', detail: `<#C0A> (T0001): ratelimited; retrying after ${at(long * SECOND).toISOString()}`, error: 'ratelimited' },
    ]);
    expect(await run(keyOf(r))).toMatchObject({ status: 'running', claimedBy: null, leaseUntil: at(long * SECOND), error: 'ratelimited' });
    expect(await tick(NOT_SENT_RETRY_MS + SECOND)).toEqual([]); // Slack's Retry-After, longer than a minute, is honoured
    expect(await tick((long + 1) * SECOND)).toMatchObject([{ status: 'retry', error: 'request_error: ECONNREFUSED' }]);
    expect(await run(keyOf(r))).toMatchObject({ leaseUntil: at((long + 1) * SECOND + NOT_SENT_RETRY_MS), error: 'request_error: ECONNREFUSED' });
    expect(await tick((long + 2) * SECOND + NOT_SENT_RETRY_MS)).toMatchObject([{ status: 'retry', error: 'ratelimited' }]);
    // Past MAX_ATTEMPTS claims, and still retried: only the grace window ends it.
    expect(statuses(await tick(HOUR))).toEqual(['done']);
    expect(await run(keyOf(r))).toMatchObject({ status: 'done', attempts: MAX_ATTEMPTS + 1, error: null, messageTs: slack.posts[0]!.ts });
    expect(slack.posts).toHaveLength(1);
  });

  it('a 429 (nothing posted) is waited out here and sent again, at most RATE_LIMITED_SENDS sends per claim; past that the run is given back', async () => {
    const { deps, clock, logs } = setup();
    const slack = toySlack();
    const quick = reminder('quick');
    const stubborn = reminder('stubborn', at(SECOND));
    slack.fail(...Array.from({ length: RATE_LIMITED_SENDS - 1 }, () => rateLimited(0)));
    clock.set(at(2 * SECOND));
    expect(await reminderJob([quick], slack).runDue(deps, at(2 * SECOND))).toMatchObject([{ runKey: keyOf(quick), status: 'done' }]);
    expect(await run(keyOf(quick))).toMatchObject({ status: 'done', attempts: 1, messageTs: slack.posts[0]!.ts });
    expect(logs.filter((l) => String(l.msg).startsWith('Slack is rate-limiting'))).toHaveLength(RATE_LIMITED_SENDS - 1);

    slack.fail(...Array.from({ length: RATE_LIMITED_SENDS }, () => rateLimited(0)));
    const stubbornJob = reminderJob([stubborn], slack);
    expect(await stubbornJob.runDue(deps, at(2 * SECOND))).toMatchObject([{ runKey: keyOf(stubborn), status: 'retry', error: 'ratelimited' }]);
    expect(await run(keyOf(stubborn))).toMatchObject({ status: 'running', claimedBy: null, attempts: 1, leaseUntil: at(2 * SECOND + NOT_SENT_RETRY_MS) });
    expect(slack.posts.map((p) => p.channel)).toEqual(['C0QUICK']);
  });

  it('giving up at shutdown (abandon): a run still building or waiting out a 429 is given back for another process at once, one whose send is in flight is failed; nothing is sent afterwards', async () => {
    const { processes, clock } = setup(2);
    const slack = toySlack();
    const building = reminder('building');
    // In a workspace of its own: its 429 pauses its own workspace's sends, not the others' (workspace-gates.ts).
    const waiting = { ...reminder('waiting', at(SECOND)), teamId: 'T0002' };
    const sending = reminder('sending', at(2 * SECOND));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const job = reminderJob([building, waiting, sending], slack, {
      concurrency: 3,
      build: async ({ reminder: r }) => {
        if (r.id === 'building') await gate;
        return `:alarm_clock: ${r.text}`;
      },
      send: async ({ reminder: r }, text) => {
        if (r.id === 'waiting') throw rateLimited(MAX_RATE_LIMIT_WAIT_MS / SECOND);
        return { messageTs: await slack.post(r.channel, text) };
      },
    });
    const held = slack.hold();
    clock.set(at(3 * SECOND));
    const running = job.runDue(processes[0]!, at(3 * SECOND));
    await held.began;
    await new Promise((r) => setTimeout(r, 50));

    clock.set(at(4 * SECOND));
    await job.abandon();
    expect((await runs()).map((r) => [r.runKey, r.status, r.claimedBy, r.error, r.leaseUntil])).toEqual([
      [keyOf(building), 'running', null, GIVEN_BACK_AT_SHUTDOWN, at(4 * SECOND)],
      [keyOf(waiting), 'running', null, GIVEN_BACK_AT_SHUTDOWN, at(4 * SECOND)],
      [keyOf(sending), 'failed', 'test:1', INTERRUPTED_WHILE_SENDING, null],
    ]);
    release();
    held.release();
    expect((await running).map((o) => [o.runKey, o.status, o.error]).sort()).toEqual([
      [keyOf(building), 'retry', GIVEN_BACK_AT_SHUTDOWN],
      [keyOf(sending), 'failed', INTERRUPTED_WHILE_SENDING],
      [keyOf(waiting), 'retry', GIVEN_BACK_AT_SHUTDOWN],
    ]);
    // The one in flight went out (Slack answered after all); the others were never sent by this process.
    expect(slack.posts.map((p) => p.channel)).toEqual(['C0SENDING']);
    expect((await run(keyOf(sending)))?.status).toBe('failed');

    // Another process takes the given-back runs at its next tick, without waiting out a lease.
    clock.set(at(5 * SECOND));
    const other = reminderJob([building, waiting, sending], slack, { claimedBy: 'test:2' });
    expect((await other.runDue(processes[1]!, at(5 * SECOND))).map((o) => [o.runKey, o.status])).toEqual([
      [keyOf(building), 'done'],
      [keyOf(waiting), 'done'],
    ]);
    expect(slack.posts.map((p) => p.channel)).toEqual(['C0SENDING', 'C0BUILDING', 'C0WAITING']);
  });

  it('a send that failed otherwise (5xx, a reset, a timeout) may have posted: the run fails, is logged as an error and never retried', async () => {
    const { deps, clock, logs } = setup();
    const slack = toySlack();
    const told: PermanentFailure[] = [];
    const rs = [reminder('a'), reminder('b', at(SECOND)), reminder('c', at(2 * SECOND))];
    const job = reminderJob(rs, slack, { onPermanentFailure: async (_due, failure) => void told.push(failure) });
    const timeout = slackError('A request error occurred: The operation was aborted due to timeout', { code: 'slack_webapi_request_error', original: { cause: { code: 'UND_ERR_HEADERS_TIMEOUT' } } });
    slack.fail(httpError(503), requestError('ECONNRESET'), timeout);
    clock.set(at(3 * SECOND));
    const outcomes = await job.runDue(deps, at(3 * SECOND));
    expect(outcomes.map((o) => [o.status, o.error])).toEqual([
      ['failed', 'http_503'],
      ['failed', 'request_error: ECONNRESET'],
      ['failed', 'request_error: UND_ERR_HEADERS_TIMEOUT'],
    ]);
    expect(outcomes[0]!.detail).toBe('<#C0A> (T0001): http_503');
    expect((await runs()).map((r) => [r.status, r.attempts, r.error])).toEqual([
      ['failed', 1, 'http_503'],
      ['failed', 1, 'request_error: ECONNRESET'],
      ['failed', 1, 'request_error: UND_ERR_HEADERS_TIMEOUT'],
    ]);
    for (const t of [at(MINUTE), at(HOUR)]) {
      clock.set(t);
      expect(await job.runDue(deps, t)).toEqual([]);
    }
    expect(slack.posts).toEqual([]);
    expect(told).toEqual([]);
    expect(logs.filter((l) => l.level === 50 && l.msg === 'reminder could not be posted; this slot is not retried')).toHaveLength(3);
  });

  it('building failed (nothing sent): given back after 1, then 5 minutes, failed on the third claim; one that recovers is posted once', async () => {
    const { deps, clock } = setup();
    const slack = toySlack();
    const broken = reminder('broken');
    const flaky = reminder('flaky', at(SECOND));
    let flakyFailures = 1;
    const job = reminderJob([broken, flaky], slack, {
      build: async ({ reminder: r }) => {
        if (r.id === 'broken' || flakyFailures-- > 0) throw new Error('database is away');
        return `:alarm_clock: ${r.text}`;
      },
    });
    const tick = (t: Date) => {
      clock.set(t);
      return job.runDue(deps, t);
    };

    const first = at(2 * SECOND);
    expect(await tick(first)).toEqual([
      { job: 'reminder', runKey: keyOf(broken), teamId: 'T0001', slotAt: T0, status: 'retry', detail: `<#C0BROKEN> (T0001): database is away; retrying after ${new Date(first.getTime() + RETRY_DELAYS_MS[0]!).toISOString()}`, error: 'database is away' },
      expect.objectContaining({ runKey: keyOf(flaky), status: 'retry' }),
    ]);
    expect(await run(keyOf(broken))).toMatchObject({ status: 'running', attempts: 1, claimedBy: null, leaseUntil: new Date(first.getTime() + RETRY_DELAYS_MS[0]!), error: 'attempt 1: database is away' });
    expect(await tick(new Date(first.getTime() + RETRY_DELAYS_MS[0]! - SECOND))).toEqual([]);

    const second = new Date(first.getTime() + RETRY_DELAYS_MS[0]! + SECOND);
    const outcomes = await tick(second);
    expect(outcomes.map((o) => [o.runKey, o.status])).toEqual([
      [keyOf(broken), 'retry'],
      [keyOf(flaky), 'done'],
    ]);
    expect(await run(keyOf(broken))).toMatchObject({ attempts: 2, leaseUntil: new Date(second.getTime() + RETRY_DELAYS_MS[1]!), error: 'attempt 2: database is away' });
    expect(await run(keyOf(flaky))).toMatchObject({ status: 'done', attempts: 2, error: null });

    const third = new Date(second.getTime() + RETRY_DELAYS_MS[1]! + SECOND);
    expect(await tick(third)).toEqual([{ job: 'reminder', runKey: keyOf(broken), teamId: 'T0001', slotAt: T0, status: 'failed', detail: '<#C0BROKEN> (T0001): database is away', error: 'database is away' }]);
    expect(await run(keyOf(broken))).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS, error: 'database is away', leaseUntil: null });
    expect(await tick(at(HOUR))).toEqual([]);
    expect(slack.posts.map((p) => p.channel)).toEqual(['C0FLAKY']);
  });

  it('a permanent Slack error fails the run at once and calls onPermanentFailure once, whichever stage it came from', async () => {
    const { processes, clock } = setup(2);
    const slack = toySlack();
    const told: (PermanentFailure & { runKey: string })[] = [];
    const sendFails = reminder('send');
    const buildFails = reminder('build', at(SECOND));
    const over = {
      build: async ({ reminder: r }: DueReminder) => {
        if (r.id === 'build') throw platformError('channel_not_found');
        return r.text;
      },
      onPermanentFailure: async (due: DueReminder, failure: PermanentFailure) => void told.push({ ...failure, runKey: due.runKey }),
    };
    const jobs = [reminderJob([sendFails, buildFails], slack, over), reminderJob([sendFails, buildFails], slack, { ...over, claimedBy: 'test:2' })];
    slack.fail(platformError('not_in_channel'));
    clock.set(at(2 * SECOND));
    const outcomes = (await Promise.all(processes.map((deps, i) => jobs[i]!.runDue(deps, at(2 * SECOND))))).flat();
    expect(outcomes.map((o) => [o.runKey, o.status, o.error]).sort()).toEqual([
      [keyOf(buildFails), 'failed', 'channel_not_found'],
      [keyOf(sendFails), 'failed', 'not_in_channel'],
    ]);
    expect(told.map((t) => [t.runKey, t.code, t.reason, t.stage]).sort()).toEqual([
      [keyOf(buildFails), 'channel_not_found', 'channel_not_found', 'build'],
      [keyOf(sendFails), 'not_in_channel', 'not_in_channel', 'send'],
    ]);
    expect((await runs()).map((r) => [r.status, r.attempts, r.error])).toEqual([
      ['failed', 1, 'not_in_channel'],
      ['failed', 1, 'channel_not_found'],
    ]);
    // No retry storm: later ticks do nothing and tell nobody again.
    for (const t of [at(MINUTE), at(10 * MINUTE), at(HOUR)]) {
      clock.set(t);
      expect((await Promise.all(processes.map((deps, i) => jobs[i]!.runDue(deps, t)))).flat()).toEqual([]);
    }
    expect(told).toHaveLength(2);
    expect(slack.posts).toEqual([]);
  });

  it('an onPermanentFailure that fails itself is logged; the run is failed all the same', async () => {
    const { deps, logs } = setup();
    const slack = toySlack();
    const r = reminder('a');
    slack.fail(platformError('not_in_channel'));
    const job = reminderJob([r], slack, {
      onPermanentFailure: async () => {
        throw platformError('cannot_dm_bot');
      },
    });
    expect(await job.runDue(deps, T0)).toMatchObject([{ status: 'failed', error: 'not_in_channel' }]);
    expect(await run(keyOf(r))).toMatchObject({ status: 'failed', error: 'not_in_channel' });
    expect(logs.find((l) => l.msg === 'could not act on the permanent failure of the reminder')).toMatchObject({ level: 40, runKey: keyOf(r), code: 'not_in_channel' });
  });

  it('shutdown: the send in progress finishes and is recorded even though its answer comes after the abort; nothing new is claimed', async () => {
    const { deps, clock } = setup();
    const slack = toySlack();
    const first = reminder('first');
    const second = reminder('second', at(SECOND));
    const job = reminderJob([first, second], slack);
    const abort = new AbortController();
    const held = slack.hold();
    clock.set(at(2 * SECOND));
    const running = job.runDue(deps, at(2 * SECOND), abort.signal);
    await held.began;
    abort.abort();
    clock.set(at(3 * SECOND));
    held.release();

    expect(await running).toMatchObject([{ runKey: keyOf(first), status: 'done', messageTs: slack.posts[0]!.ts }]);
    expect(await runs()).toMatchObject([{ runKey: keyOf(first), status: 'done', completedAt: at(3 * SECOND), messageTs: slack.posts[0]!.ts }]);
    // The next process (or the restart) posts the rest.
    expect(await job.runDue(deps, at(MINUTE))).toMatchObject([{ runKey: keyOf(second), status: 'done' }]);
    expect(slack.posts.map((p) => p.channel)).toEqual(['C0FIRST', 'C0SECOND']);
  });

  it('shutdown while a delivery is being checked (ready): it is not claimed, and is left for the next tick', async () => {
    const { deps } = setup();
    const slack = toySlack();
    const r = reminder('a');
    const abort = new AbortController();
    const job = reminderJob([r], slack, {
      ready: async () => {
        abort.abort();
        return 'go';
      },
    });
    expect(await job.runDue(deps, T0, abort.signal)).toEqual([]);
    expect(await runs()).toEqual([]);
    expect(slack.posts).toEqual([]);
  });

  it('completion is retried until the database takes it, so a posted run is not left to be posted again', async () => {
    const { deps } = setup();
    const slack = toySlack();
    const r = reminder('a');
    let failUpdates = 0;
    const flakyDb = new Proxy(deps.db, {
      get(target, prop) {
        if (prop === 'update' && failUpdates > 0) {
          return () => {
            failUpdates--;
            throw new Error('Connection terminated unexpectedly');
          };
        }
        const value: unknown = Reflect.get(target, prop);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    }) as Db;
    const job = reminderJob([r], slack, {
      send: async ({ reminder: rem }, text) => {
        const ts = await slack.post(rem.channel, text);
        failUpdates = 2; // the database goes away right after Slack answered
        return { messageTs: ts };
      },
    });
    expect(await job.runDue({ ...deps, db: flakyDb }, T0)).toMatchObject([{ status: 'done' }]);
    expect(failUpdates).toBe(0);
    expect(await run(keyOf(r))).toMatchObject({ status: 'done', messageTs: slack.posts[0]!.ts });
  });

  it('what follows a delivery (afterSend) runs once it is recorded; its failure is logged and never undoes the delivery', async () => {
    const { deps, logs } = setup();
    const slack = toySlack();
    const seen: (string | undefined)[] = [];
    const job = reminderJob([reminder('a'), reminder('b', at(SECOND))], slack, {
      afterSend: async (due, _text, sent) => {
        seen.push((await run(due.runKey))?.status);
        if (due.reminder.id === 'b') throw new Error('upload failed');
        seen.push(sent.messageTs ?? undefined);
      },
    });
    expect(statuses(await job.runDue(deps, at(MINUTE)))).toEqual(['done', 'done']);
    expect(seen).toEqual(['done', slack.posts[0]!.ts, 'done']);
    expect((await runs()).map((r) => r.status)).toEqual(['done', 'done']);
    expect(logs.find((l) => l.msg === 'the reminder was posted, but what follows it failed')).toMatchObject({ level: 40, runKey: keyOf(reminder('b', at(SECOND))) });
  });

  it('ready: "later" records nothing, a skip is recorded once and never sent, "go" delivers', async () => {
    const { deps, logs } = setup();
    const slack = toySlack();
    const answers: Record<string, 'go' | 'later' | { skip: string }> = { a: 'go', b: 'later', c: { skip: 'skipped: the channel is muted' } };
    const rs = [reminder('a'), reminder('b', at(SECOND)), reminder('c', at(2 * SECOND))];
    const job = reminderJob(rs, slack, { ready: async ({ reminder: r }) => answers[r.id]! });
    expect(await job.runDue(deps, at(MINUTE))).toEqual([
      expect.objectContaining({ runKey: keyOf(rs[0]!), status: 'done' }),
      { job: 'reminder', runKey: keyOf(rs[2]!), teamId: 'T0001', slotAt: rs[2]!.at, status: 'skipped', detail: '<#C0C> (T0001): skipped: the channel is muted' },
    ]);
    expect((await runs()).map((r) => [r.runKey, r.status, r.attempts, r.error])).toEqual([
      [keyOf(rs[0]!), 'done', 1, null],
      [keyOf(rs[2]!), 'skipped', 0, 'skipped: the channel is muted'],
    ]);
    expect(logs.filter((l) => l.msg === 'reminder skipped')).toHaveLength(1);
    answers.b = 'go';
    expect(await job.runDue(deps, at(2 * MINUTE))).toMatchObject([{ runKey: keyOf(rs[1]!), status: 'done' }]);
    expect(slack.posts.map((p) => p.channel)).toEqual(['C0A', 'C0B']);
  });

  it('pacing: at most maxPerTick started per tick, oldest slots first, the rest at the next tick; slots past the grace window are closed all the same', async () => {
    const { deps, logs } = setup();
    const slack = toySlack();
    const rs = [reminder('d', at(-1 * MINUTE)), reminder('c', at(-2 * MINUTE)), reminder('b', at(-3 * MINUTE)), reminder('a', at(-4 * MINUTE))];
    const old = reminder('old', at(-DEFAULT_GRACE_MS - HOUR));
    const job = reminderJob([...rs, old], slack, { maxPerTick: 2 });
    expect((await job.runDue(deps, T0)).map((o) => [o.runKey, o.status])).toEqual([
      [keyOf(old), 'skipped'],
      [keyOf(rs[3]!), 'done'],
      [keyOf(rs[2]!), 'done'],
    ]);
    expect(logs.find((l) => String(l.msg).startsWith('more reminder runs due than one tick starts'))).toMatchObject({ level: 30, deferred: 2, maxPerTick: 2 });
    expect((await job.runDue(deps, at(MINUTE))).map((o) => o.runKey)).toEqual([keyOf(rs[1]!), keyOf(rs[0]!)]);
    expect(slack.posts.map((p) => p.channel)).toEqual(['C0A', 'C0B', 'C0C', 'C0D']);
  });

  it('an error around one claim is logged and the other deliveries go on; an error listing what is due rejects (the Scheduler logs it)', async () => {
    const { deps, logs } = setup();
    const slack = toySlack();
    const rs = [reminder('a'), reminder('b', at(SECOND))];
    const job = reminderJob(rs, slack, {
      ready: async ({ reminder: r }) => {
        if (r.id === 'a') throw new Error('database is away');
        return 'go';
      },
    });
    expect(await job.runDue(deps, at(MINUTE))).toMatchObject([{ runKey: keyOf(rs[1]!), status: 'done' }]);
    expect(logs.find((l) => l.msg === 'reminder run failed before anything was posted')).toMatchObject({ level: 50, runKey: keyOf(rs[0]!) });
    expect(await runs()).toHaveLength(1);

    const broken = reminderJob(rs, slack, {
      listDue: async () => {
        throw new Error('database is away');
      },
    });
    await expect(broken.runDue(deps, at(MINUTE))).rejects.toThrow('database is away');
  });
});

/**
 * Scheduled leaderboards end to end: `/sales-admin leaderboard …` and `/sales-admin leaderboards` by a
 * workspace admin, then the scheduler posting each slot's board exactly once: at the slot, after downtime
 * (within the grace window), from three app instances on one database at the same instant, through 429s;
 * never twice when Slack posts and then answers 5xx or too late (the run fails with the reason instead);
 * failing for good (with a DM to the admin) when the bot cannot post in the channel; and a shutdown that
 * gives a run up within its bound, to another instance.
 *
 * Ticks are driven with `bot.scheduler.tick(now)`, the code path the every-minute cron tick, the start-up
 * catch-up and `cli run-due` share; cron itself is never started here.
 */
import net from 'node:net';
import { asc, eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { webApi } from '@slack/bolt';
import { buildApp, type SalesPulseApp } from '../../src/app.js';
import type { Database } from '../../src/db/client.js';
import { activities, deals, leaderboardSchedules, scheduledRuns, workspaces } from '../../src/db/schema/index.js';
import { createLeaderboardJob } from '../../src/features/leaderboard/job.js';
import { GIVEN_BACK_AT_SHUTDOWN, INTERRUPTED_WHILE_SENDING } from '../../src/scheduler/deliveries.js';
import { createPostingClient, RATE_LIMITED_SENDS } from '../../src/slack/posting-client.js';
import { lastCompletePeriod } from '../../src/periods/parse-period.js';
import { boltLogger, createLogger } from '../../src/lib/logger.js';
import { ensureWorkspace } from '../../src/slack/workspace.js';
import { describeEachDb, openAnotherConnection } from '../helpers/db.js';
import type { RecordedCall } from '../helpers/fake-slack.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { ackReply } from '../helpers/slack-ui.js';
import { DEFAULT_TEAM_ID, DEFAULT_USER_ID } from '../helpers/signed-request.js';

const TEAM = DEFAULT_TEAM_ID;
const ADMIN = 'U0ADMIN01';
const OWNER = 'U0OWNER01';
const REP_A = 'U0REPA001';
const REP_B = 'U0REPB001';
const SALES = 'C0SALES';
const EXEC = 'C0EXEC';
/** Monday Nov 30 2026, 09:00 in New York (EST). */
const SLOT = new Date('2026-11-30T14:00:00.000Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const after = (ms: number) => new Date(SLOT.getTime() + ms);
const NOT_ADMIN = ':lock: Only Sales Pulse admins and team managers can use `/sales-admin`. Ask a workspace admin, or your team’s manager.';
const INVITE = (c: string) => `:wave: I'm not in <#${c}> yet. Type \`/invite @Sales Pulse\` in that channel, then run this command again.`;
/** Fast retries, as the harness gives its own app (for reads: posts go through a client with retries off). */
const TEST_RETRY = { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 50 };

describeEachDb('scheduled leaderboards', (getDb) => {
  let h: Harness;
  let extras: { bot: SalesPulseApp; database: Database }[];

  beforeEach(async () => {
    h = await startHarness({ db: getDb() });
    // Bolt checks its token (auth.test) as it is built: let that finish, so no request is cut off at teardown.
    await h.fake.waitFor('auth.test');
    extras = [];
    h.fake.addUser({ id: ADMIN, name: 'ada', tz: 'America/New_York', is_admin: true });
    h.fake.addUser({ id: OWNER, name: 'olu', tz: 'Europe/London', is_owner: true });
    h.fake.addUser({ id: REP_A, name: 'rita', real_name: 'Rita Rep', tz: 'America/New_York' });
    h.fake.addUser({ id: REP_B, name: 'bo', real_name: 'Bo Rep', tz: 'America/New_York' });
  });
  afterEach(async () => {
    for (const extra of extras) {
      await extra.bot.stop(1000);
      await extra.database.close();
    }
    await h.stop();
  });

  const db = () => getDb().database.db;
  const runs = () => db().select().from(scheduledRuns).orderBy(asc(scheduledRuns.claimedAt));
  const storedSchedules = () => db().select().from(leaderboardSchedules).orderBy(asc(leaderboardSchedules.channelId));
  /** Board posts (and attempts) in a channel, in order of arrival. */
  const postsIn = (channel: string) => h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === channel);
  const okPostsIn = (channel: string) => postsIn(channel).filter((c) => c.ok);
  /** What the channel shows: messages Slack kept, whatever it answered the poster (threads' replies left out). */
  const boardsShownIn = (channel: string) => h.fake.workspace.conversation(channel).filter((m) => !m.threadTs && m.text.length > 0);
  const tsOf = (call: RecordedCall) => (call.response as { ts: string }).ts;

  /** `/sales-admin <text>` by `userId`; the private reply. */
  async function salesAdmin(text: string, userId = ADMIN): Promise<RecordedCall['args']> {
    // Answered in the ack: what it says was saved is saved when it arrives.
    return ackReply(h, { command: '/sales-admin', text, userId });
  }

  /** A week of activity and a won deal in the week the Monday SLOT board covers (Nov 23-29, New York). */
  async function seedWeek(): Promise<void> {
    await ensureWorkspace(db(), TEAM, 'example');
    await db()
      .insert(activities)
      .values([
        { teamId: TEAM, userId: REP_A, typeKey: 'call', quantity: 12, occurredAt: new Date('2026-11-24T15:00:00Z'), source: 'import' },
        { teamId: TEAM, userId: REP_B, typeKey: 'email', quantity: 5, occurredAt: new Date('2026-11-25T15:00:00Z'), source: 'import' },
      ]);
    await db()
      .insert(deals)
      .values({ teamId: TEAM, userId: REP_A, status: 'won', amountMinor: 1_250_000n, currency: 'USD', closedAt: new Date('2026-11-26T18:00:00Z'), source: 'import' });
  }

  /**
   * A schedule set on the Friday before the slot (weekly, Monday 09:00 New York, in #sales by ADMIN unless
   * told). Set earlier, the week before's slot would be due too, missed, and skipped.
   */
  async function addSchedule(over: Partial<typeof leaderboardSchedules.$inferInsert> = {}) {
    await ensureWorkspace(db(), TEAM, 'example');
    const setAt = new Date('2026-11-27T12:00:00Z');
    const [row] = await db()
      .insert(leaderboardSchedules)
      .values({ teamId: TEAM, channelId: SALES, cadence: 'weekly', weekday: 1, timeOfDay: '09:00', timeZone: 'America/New_York', createdBy: ADMIN, createdAt: setAt, updatedAt: setAt, ...over })
      .returning();
    return row!;
  }

  /** Another bot process: its own app and connection on the same database, the same fake Slack and clock. */
  async function anotherInstance(opts: Pick<Parameters<typeof buildApp>[0], 'scheduler'> & { timeout?: number } = {}): Promise<SalesPulseApp> {
    const database = openAnotherConnection(getDb());
    const checked = h.fake.calls.filter((c) => c.method === 'auth.test').length;
    const clientOptions = { retryConfig: TEST_RETRY, ...(opts.timeout ? { timeout: opts.timeout } : {}) };
    const bot = buildApp({ config: h.config, database, clock: h.clock, logger: createLogger('silent'), clientOptions, scheduler: opts.scheduler });
    extras.push({ bot, database });
    await h.fake.waitFor('auth.test', () => h.fake.calls.filter((c) => c.method === 'auth.test').length > checked);
    return bot;
  }

  /** The scheduler ticking at `at`, with the clock there too. */
  function tickAt(at: Date, bot: SalesPulseApp = h.bot) {
    h.clock.set(at);
    return bot.scheduler.tick(at);
  }

  const runKeyFor = (scheduleId: string, slot = SLOT) => `leaderboard:${scheduleId}:${slot.toISOString()}`;

  // -------------------------------------------------------------------------------------------
  // /sales-admin leaderboard …

  it('an admin schedules a weekly board: announced in the channel first, saved, confirmed with the next run', async () => {
    const reply = await salesAdmin(`leaderboard <#${SALES}|sales> weekly mon 09:00 America/New_York`);
    const answeredAt = Date.now();
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toBe(
      `:white_check_mark: Weekly leaderboard scheduled in <#${SALES}>: every Monday at 09:00 (America/New_York), covering the previous full week.\n` +
        'Next: Mon, Nov 30, 2026 at 09:00 EST. Stop it with `/sales-admin leaderboard #sales off`.',
    );
    const notices = postsIn(SALES);
    expect(notices.map((c) => c.args.text)).toEqual([
      `:trophy: Weekly leaderboard will be posted here every Monday at 09:00 (America/New_York), covering the previous full week. Set by <@${ADMIN}>.`,
    ]);
    expect(notices[0]!.at).toBeLessThanOrEqual(answeredAt);
    const [saved] = await storedSchedules();
    expect(saved).toMatchObject({ teamId: TEAM, channelId: SALES, cadence: 'weekly', weekday: 1, timeOfDay: '09:00', timeZone: 'America/New_York', createdBy: ADMIN });
  });

  it('defaults: weekly, Monday, 09:00, in the admin’s own time zone', async () => {
    const reply = await salesAdmin(`leaderboard <#${SALES}|sales>`, OWNER);
    expect(reply.text).toContain('every Monday at 09:00 (Europe/London)');
    expect(reply.text).toContain('Next: Mon, Nov 30, 2026 at 09:00 GMT.');
    expect(await storedSchedules()).toMatchObject([{ cadence: 'weekly', weekday: 1, timeOfDay: '09:00', timeZone: 'Europe/London', createdBy: OWNER }]);
  });

  it('daily and monthly boards, any word order; scheduling a channel again replaces its schedule', async () => {
    const daily = await salesAdmin(`leaderboard <#${SALES}|sales> 7:30 daily asia/tokyo`);
    expect(daily.text).toContain('Daily leaderboard scheduled in <#C0SALES>: every day at 07:30 (Asia/Tokyo), covering the day before.');
    expect(daily.text).toContain('Next: Sat, Nov 28, 2026 at 07:30');
    h.clock.advance(MINUTE);
    const monthly = await salesAdmin(`leaderboard <#${SALES}|sales> monthly 08:00 Europe/London`);
    expect(monthly.text).toContain('Monthly leaderboard scheduled in <#C0SALES>: on the 1st of every month at 08:00 (Europe/London), covering the month before. It replaces the schedule that channel had.');
    expect(monthly.text).toContain('Next: Tue, Dec 1, 2026 at 08:00 GMT.');
    const rows = await storedSchedules();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ cadence: 'monthly', timeOfDay: '08:00', timeZone: 'Europe/London', updatedAt: h.clock.now() });
  });

  it('`leaderboards` lists each schedule with cadence, local time, zone and the next run in its zone', async () => {
    const empty = await salesAdmin('leaderboards');
    expect(empty.text).toBe('No leaderboards are scheduled. Schedule one with `/sales-admin leaderboard #sales weekly mon 09:00 America/New_York`.');

    await salesAdmin(`leaderboard <#${SALES}|sales> weekly mon 09:00 America/New_York`);
    h.clock.advance(MINUTE);
    await salesAdmin(`leaderboard <#${EXEC}|exec> daily 07:30 Asia/Tokyo`);
    const list = await salesAdmin('leaderboards');
    expect(list.response_type).toBe('ephemeral');
    const lines = String(list.text).split('\n');
    expect(lines[0]).toBe('*Scheduled leaderboards* (2)');
    expect(lines[1]).toBe(`• <#${SALES}>: weekly, every Monday at 09:00 (America/New_York). Next: Mon, Nov 30, 2026 at 09:00 EST`);
    expect(lines[2]).toMatch(new RegExp(`^• <#${EXEC}>: daily, every day at 07:30 \\(Asia/Tokyo\\)\\. Next: Sat, Nov 28, 2026 at 07:30 `));
    expect(JSON.stringify(list.blocks)).toContain('Next: Mon, Nov 30, 2026 at 09:00 EST');
  });

  it('`off` removes it; `off` for a channel without one says so', async () => {
    await salesAdmin(`leaderboard <#${SALES}|sales>`);
    const off = await salesAdmin(`leaderboard <#${SALES}|sales> off`);
    expect(off.text).toBe(`:white_check_mark: The scheduled leaderboard in <#${SALES}> is off.`);
    expect(await storedSchedules()).toEqual([]);
    const again = await salesAdmin(`leaderboard <#${SALES}|sales> off`);
    expect(again.text).toContain(`No leaderboard is scheduled in <#${SALES}>`);
    expect((await salesAdmin('leaderboards')).text).toContain('No leaderboards are scheduled');
  });

  it('a non-admin is refused: nothing posted, nothing saved or listed', async () => {
    expect((await salesAdmin(`leaderboard <#${SALES}|sales>`, DEFAULT_USER_ID)).text).toBe(NOT_ADMIN);
    expect((await salesAdmin('leaderboards', DEFAULT_USER_ID)).text).toBe(NOT_ADMIN);
    await addSchedule();
    expect((await salesAdmin(`leaderboard <#${SALES}|sales> off`, DEFAULT_USER_ID)).text).toBe(NOT_ADMIN);
    expect(await storedSchedules()).toHaveLength(1);
    await h.settle();
    expect(h.fake.callsTo('chat.postMessage')).toEqual([]);
  });

  it('a channel the bot is not in: the admin is told to /invite, and nothing is saved', async () => {
    h.fake.channelsWithoutBot.add('C0PRIV');
    const reply = await salesAdmin('leaderboard <#C0PRIV|deals-private> weekly');
    expect(reply.text).toBe(INVITE('C0PRIV'));
    expect(postsIn('C0PRIV').map((c) => [c.ok, c.error])).toEqual([[false, 'not_in_channel']]);
    expect(await storedSchedules()).toEqual([]);

    h.fake.failNext('chat.postMessage', { error: 'is_archived' });
    const archived = await salesAdmin(`leaderboard <#${SALES}|sales>`);
    expect(archived.text).toBe(`:warning: <#${SALES}> is archived. Pick an active channel.`);
    expect(await storedSchedules()).toEqual([]);
  });

  it('wrong arguments get the correct form and an example; nothing is posted or saved', async () => {
    const bad = await salesAdmin(`leaderboard <#${SALES}|sales> weekly mon 9am`);
    expect(bad.text).toContain('`9am` is not a time');
    expect((await salesAdmin(`leaderboard <#${SALES}|sales> Mars/Olympus`)).text).toContain('is not a time zone I know');
    const noChannel = await salesAdmin('leaderboard sales weekly');
    expect(noChannel.text).toContain('Try: `/sales-admin leaderboard #sales weekly mon 09:00 America/New_York`');
    expect((await salesAdmin('help')).text).toContain('`/sales-admin leaderboards`');
    await h.settle();
    expect(h.fake.callsTo('chat.postMessage')).toEqual([]);
    expect(await storedSchedules()).toEqual([]);
  });

  it('scheduled by the command, posted by the scheduler at the next slot', async () => {
    await seedWeek();
    await salesAdmin(`leaderboard <#${SALES}|sales> weekly mon 09:00 America/New_York`);
    h.fake.reset();
    expect(await tickAt(after(-MINUTE))).toEqual([]);
    const outcomes = await tickAt(SLOT);
    expect(outcomes.map((o) => o.status)).toEqual(['done']);
    expect(okPostsIn(SALES)).toHaveLength(1);
  });

  // -------------------------------------------------------------------------------------------
  // the scheduled run

  it('at the slot: the board of the last complete week is posted once, chart in its thread, the run recorded done with the ts', async () => {
    await seedWeek();
    const schedule = await addSchedule();
    expect(await tickAt(after(-1000))).toEqual([]);
    expect(await runs()).toEqual([]);

    const outcomes = await tickAt(SLOT);
    expect(outcomes).toMatchObject([{ job: 'leaderboard', status: 'done', runKey: runKeyFor(schedule.id), teamId: TEAM }]);
    const posts = postsIn(SALES);
    expect(posts).toHaveLength(1);
    const post = posts[0]!;
    expect(post.ok).toBe(true);
    const period = lastCompletePeriod('weekly', SLOT, { timeZone: 'America/New_York', weekStartsOn: 1, fiscalYearStartMonth: 1 });
    expect(period.current.start.toISOString()).toBe('2026-11-23T05:00:00.000Z');
    const blocks = JSON.stringify(post.args.blocks);
    expect(blocks).toContain(period.current.label);
    expect(blocks).toContain('rita');

    // The chart follows in the thread of the post (files.uploadV2: get URL, upload, complete with thread_ts).
    const ts = tsOf(post);
    const completes = h.fake.callsTo('files.completeUploadExternal');
    expect(completes.length).toBeGreaterThanOrEqual(1);
    for (const c of completes) expect(c.args).toMatchObject({ channel_id: SALES, thread_ts: ts });
    expect(h.fake.callsTo('files.getUploadURLExternal').map((c) => c.args.filename)).toContain('leaderboard.png');

    expect(await runs()).toMatchObject([
      { runKey: runKeyFor(schedule.id), job: 'leaderboard', teamId: TEAM, slotAt: SLOT, status: 'done', attempts: 1, messageTs: ts, error: null },
    ]);

    // Later ticks (the same instant, a minute on, hours on) post nothing more.
    expect(await tickAt(SLOT)).toEqual([]);
    expect(await tickAt(after(MINUTE))).toEqual([]);
    expect(await tickAt(after(5 * HOUR))).toEqual([]);
    expect(postsIn(SALES)).toHaveLength(1);
    expect(await runs()).toHaveLength(1);
  });

  it('three app instances on one database ticking at the same instant: each board is posted exactly once', async () => {
    await seedWeek();
    const schedules = [await addSchedule({ channelId: SALES }), await addSchedule({ channelId: EXEC }), await addSchedule({ channelId: 'C0THIRD' })];
    const bots = [h.bot, await anotherInstance(), await anotherInstance()];
    h.clock.set(SLOT);

    const outcomes = (await Promise.all(bots.map((bot) => bot.scheduler.tick(SLOT)))).flat();
    expect(outcomes.filter((o) => o.status === 'done')).toHaveLength(3);
    // And again, all at once, a minute later: nothing.
    expect((await Promise.all(bots.map((bot) => bot.scheduler.tick(after(MINUTE))))).flat()).toEqual([]);

    for (const channel of [SALES, EXEC, 'C0THIRD']) expect(postsIn(channel), channel).toHaveLength(1);
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(3);
    const rows = await runs();
    expect(rows.map((r) => r.runKey).sort()).toEqual(schedules.map((s) => runKeyFor(s.id)).sort());
    expect(rows.every((r) => r.status === 'done' && r.attempts === 1 && r.messageTs)).toBe(true);
  });

  it('every process down at 09:00 and back at 11:00: the missed board is posted once at 11:00', async () => {
    await seedWeek();
    const schedule = await addSchedule();
    const late = after(2 * HOUR);
    // A restart: one instance's start-up catch-up and another's regular tick in the same minute.
    const outcomes = [...(await tickAt(late)), ...(await tickAt(late, await anotherInstance()))];
    expect(outcomes.map((o) => o.status)).toEqual(['done']);
    expect(await tickAt(after(2 * HOUR + MINUTE))).toEqual([]);
    expect(okPostsIn(SALES)).toHaveLength(1);
    // It is the 09:00 slot's board (the same week), run at 11:00.
    expect(await runs()).toMatchObject([{ runKey: runKeyFor(schedule.id), slotAt: SLOT, status: 'done' }]);
  });

  it('a slot older than the grace window (24 h) is skipped and logged once, never posted', async () => {
    await seedWeek();
    const schedule = await addSchedule();
    const outcomes = await tickAt(after(25 * HOUR));
    expect(outcomes).toMatchObject([{ status: 'skipped', runKey: runKeyFor(schedule.id) }]);
    expect(await tickAt(after(25 * HOUR + MINUTE))).toEqual([]);
    expect(await tickAt(after(30 * HOUR))).toEqual([]);

    expect(postsIn(SALES)).toEqual([]);
    expect(await runs()).toMatchObject([{ runKey: runKeyFor(schedule.id), status: 'skipped', attempts: 0, messageTs: null }]);
    expect(String((await runs())[0]!.error)).toContain('older than the 24 h grace window');
    const logged = h.logs.filter((l) => String(l.msg).includes('missed and skipped'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 40, runKey: runKeyFor(schedule.id), slot: SLOT.toISOString() });

    // The next week's slot runs as usual.
    const nextWeek = new Date('2026-12-07T14:00:00.000Z');
    expect((await tickAt(nextWeek)).map((o) => o.status)).toEqual(['done']);
    expect(okPostsIn(SALES)).toHaveLength(1);
  });

  it('a schedule set after this week’s slot first posts at the next one', async () => {
    await addSchedule({ createdAt: after(30 * MINUTE), updatedAt: after(30 * MINUTE) });
    expect(await tickAt(after(HOUR))).toEqual([]);
    expect(await runs()).toEqual([]);
    expect(postsIn(SALES)).toEqual([]);
  });

  it('Slack answering 429 (Retry-After: 1) while posting: nothing was posted, so the job waits it out and sends again, still one post', async () => {
    await seedWeek();
    await addSchedule();
    h.fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const outcomes = await tickAt(SLOT);
    expect(outcomes.map((o) => o.status)).toEqual(['done']);
    const attempts = postsIn(SALES);
    expect(attempts.map((c) => [c.status, c.ok])).toEqual([
      [429, false],
      [200, true],
    ]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(950);
    expect(await runs()).toMatchObject([{ status: 'done', messageTs: tsOf(attempts[1]!) }]);
    expect(await tickAt(after(MINUTE))).toEqual([]);
    expect(okPostsIn(SALES)).toHaveLength(1);
  });

  it('429s past the job’s own sends: nothing was posted, so the run is given back and a later tick posts it once', async () => {
    await seedWeek();
    const schedule = await addSchedule();
    h.fake.failNext('chat.postMessage', { status: 429, retryAfter: 1, times: RATE_LIMITED_SENDS });
    expect(await tickAt(SLOT)).toMatchObject([{ status: 'retry', error: 'ratelimited' }]);
    expect(postsIn(SALES).map((c) => c.status)).toEqual([429, 429, 429]);
    expect(await runs()).toMatchObject([{ status: 'running', error: 'ratelimited', claimedBy: null, leaseUntil: after(MINUTE) }]);

    expect(await tickAt(after(30_000))).toEqual([]); // not before its retry time
    expect((await tickAt(after(2 * MINUTE))).map((o) => o.status)).toEqual(['done']);
    expect(okPostsIn(SALES)).toHaveLength(1);
    expect(await runs()).toMatchObject([{ runKey: runKeyFor(schedule.id), status: 'done', attempts: 2, error: null, messageTs: tsOf(okPostsIn(SALES)[0]!) }]);
  }, 20_000);

  it('Slack unreachable (connection refused): nothing was sent, so the run is given back and posted once when Slack answers', async () => {
    await seedWeek();
    const schedule = await addSchedule();
    // The same job on a client whose Slack does not answer: a port nothing listens on any more.
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as net.AddressInfo;
        server.close(() => resolve(free));
      });
    });
    const options = { slackApiUrl: `http://127.0.0.1:${port}/api/`, logger: boltLogger(h.bot.deps.logger) };
    const unreachable = new webApi.WebClient(h.config.SLACK_BOT_TOKEN, { ...options, retryConfig: TEST_RETRY });
    const job = createLeaderboardJob({ clientFor: async () => unreachable, postingClientFor: async () => createPostingClient(h.config.SLACK_BOT_TOKEN, options), claimedBy: 'test:unreachable' });
    h.clock.set(SLOT);
    expect(await job.runDue(h.bot.deps, SLOT)).toMatchObject([{ status: 'retry', error: 'request_error: ECONNREFUSED' }]);
    expect(await runs()).toMatchObject([{ status: 'running', leaseUntil: after(MINUTE), error: 'request_error: ECONNREFUSED' }]);

    expect((await tickAt(after(2 * MINUTE))).map((o) => o.status)).toEqual(['done']);
    expect(okPostsIn(SALES)).toHaveLength(1);
    expect(await runs()).toMatchObject([{ runKey: runKeyFor(schedule.id), status: 'done', attempts: 2 }]);
  });

  it('a run given back that is still not posted when the grace window ends is failed once, with its last error', async () => {
    const schedule = await addSchedule();
    await db().insert(scheduledRuns).values({ runKey: runKeyFor(schedule.id), job: 'leaderboard', teamId: TEAM, slotAt: SLOT, status: 'running', attempts: 4, claimedBy: null, claimedAt: after(HOUR), leaseUntil: after(HOUR + MINUTE), error: 'ratelimited' });
    const outcomes = (await Promise.all([tickAt(after(25 * HOUR)), (await anotherInstance()).scheduler.tick(after(25 * HOUR))])).flat();
    expect(outcomes).toMatchObject([{ status: 'failed', error: 'not posted within the grace window (last: ratelimited)' }]);
    expect(await tickAt(after(26 * HOUR))).toEqual([]);
    expect(await runs()).toMatchObject([{ status: 'failed', error: 'not posted within the grace window (last: ratelimited)' }]);
    expect(postsIn(SALES)).toEqual([]);
  });

  it('Slack answering 503 while posting: Slack may have posted, so it is sent once, not retried by the client or later ticks; the run fails with the reason, no DM', async () => {
    await seedWeek();
    await addSchedule();
    h.fake.failNext('chat.postMessage', { status: 503, times: 10 });
    expect(await tickAt(SLOT)).toMatchObject([{ status: 'failed', error: 'http_503' }]);
    expect(postsIn(SALES).map((c) => c.status)).toEqual([503]);
    expect(await tickAt(after(MINUTE))).toEqual([]);
    expect(await tickAt(after(HOUR))).toEqual([]);
    expect(postsIn(SALES)).toHaveLength(1);
    expect(await runs()).toMatchObject([{ status: 'failed', error: 'http_503', messageTs: null }]);
    expect(h.fake.callsTo('conversations.open')).toEqual([]);
    expect(h.logs.some((l) => l.level === 50 && String(l.msg).includes('this slot is not retried'))).toBe(true);
  });

  it('Slack posts the board, then answers 500: exactly one board in the channel, the run failed with the reason, never posted again', async () => {
    await seedWeek();
    const schedule = await addSchedule();
    h.fake.failNext('chat.postMessage', { status: 500, afterEffect: true });
    expect(await tickAt(SLOT)).toMatchObject([{ status: 'failed', error: 'http_500', runKey: runKeyFor(schedule.id) }]);
    expect(postsIn(SALES).map((c) => c.status)).toEqual([500]);
    expect(boardsShownIn(SALES)).toHaveLength(1);
    for (const t of [after(MINUTE), after(20 * MINUTE), after(2 * HOUR)]) expect(await tickAt(t)).toEqual([]);
    expect(await tickAt(after(MINUTE), await anotherInstance())).toEqual([]);
    expect(postsIn(SALES)).toHaveLength(1);
    expect(boardsShownIn(SALES)).toHaveLength(1);
    expect(await runs()).toMatchObject([{ status: 'failed', error: 'http_500', attempts: 1, messageTs: null }]);
    expect(h.logs.some((l) => l.level === 50 && String(l.msg).includes('this slot is not retried'))).toBe(true);
  });

  it('Slack posts the board but answers after the client’s timeout: exactly one board, the run failed with the reason, never posted again', async () => {
    await seedWeek();
    const schedule = await addSchedule();
    const b = await anotherInstance({ timeout: 400 });
    h.fake.delayNext('chat.postMessage', { ms: 1500 });
    h.clock.set(SLOT);
    expect(await b.scheduler.tick(SLOT)).toMatchObject([{ status: 'failed', error: 'request_error: timeout', runKey: runKeyFor(schedule.id) }]);
    expect(postsIn(SALES)).toHaveLength(1);
    expect(boardsShownIn(SALES)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1500)); // the late answer has come and gone
    for (const t of [after(MINUTE), after(20 * MINUTE)]) expect(await tickAt(t)).toEqual([]);
    expect(await tickAt(after(MINUTE), b)).toEqual([]);
    expect(postsIn(SALES)).toHaveLength(1);
    expect(boardsShownIn(SALES)).toHaveLength(1);
    expect(await runs()).toMatchObject([{ status: 'failed', error: 'request_error: timeout', attempts: 1 }]);
  });

  it('the bot is not in the channel: the run fails with the reason, the admin who set it gets a DM, no retries', async () => {
    await seedWeek();
    await addSchedule();
    h.fake.channelsWithoutBot.add(SALES);
    expect(await tickAt(SLOT)).toMatchObject([{ status: 'failed', error: 'not_in_channel' }]);
    expect(await runs()).toMatchObject([{ status: 'failed', error: 'not_in_channel', messageTs: null }]);

    const open = await h.fake.waitFor('conversations.open');
    expect(open.args.users).toBe(ADMIN);
    const dm = await h.fake.waitFor('chat.postMessage', (c) => c.args.channel === `D${ADMIN}`);
    expect(dm.args.text).toContain(`I couldn't post the weekly leaderboard in <#${SALES}>`);
    expect(dm.args.text).toContain('`not_in_channel`');
    expect(dm.args.text).toContain('Type `/invite @Sales Pulse` in <#C0SALES>');
    expect(dm.args.text).toContain('The next one is due Mon, Dec 7, 2026 at 09:00 EST.');

    // Later ticks: no retry storm, no more DMs.
    for (const t of [after(MINUTE), after(2 * MINUTE), after(HOUR)]) expect(await tickAt(t)).toEqual([]);
    expect(postsIn(SALES)).toHaveLength(1);
    expect(h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === `D${ADMIN}`)).toHaveLength(1);
  });

  it('an archived channel: failed with is_archived, the DM says to unarchive or move it', async () => {
    await seedWeek();
    await addSchedule({ createdBy: OWNER });
    h.fake.failNext('chat.postMessage', { error: 'is_archived' });
    expect(await tickAt(SLOT)).toMatchObject([{ status: 'failed', error: 'is_archived' }]);
    const dm = await h.fake.waitFor('chat.postMessage', (c) => c.args.channel === `D${OWNER}`);
    expect(dm.args.text).toContain(`<#${SALES}> is archived. Unarchive it, or move the leaderboard with \`/sales-admin leaderboard #other-channel\`.`);
    expect(await tickAt(after(MINUTE))).toEqual([]);
    expect(postsIn(SALES)).toHaveLength(1);
  });

  it('a run claimed by another process is left alone within its lease, and taken over once the lease has passed', async () => {
    await seedWeek();
    const schedule = await addSchedule();
    // Another process claimed the slot and is still working on it (or died doing so).
    await db().insert(scheduledRuns).values({
      runKey: runKeyFor(schedule.id),
      job: 'leaderboard',
      teamId: TEAM,
      slotAt: SLOT,
      status: 'running',
      attempts: 1,
      claimedBy: 'other-host:1234:abcdef',
      claimedAt: SLOT,
      leaseUntil: after(15 * MINUTE),
    });
    expect(await tickAt(after(MINUTE))).toEqual([]);
    expect(await tickAt(after(14 * MINUTE), await anotherInstance())).toEqual([]);
    expect(postsIn(SALES)).toEqual([]);

    // Its lease passed: that process died mid-run. The next tick takes the run over (at-least-once here).
    expect((await tickAt(after(16 * MINUTE))).map((o) => o.status)).toEqual(['done']);
    expect(okPostsIn(SALES)).toHaveLength(1);
    const [row] = await runs();
    expect(row).toMatchObject({ status: 'done', attempts: 2 });
    expect(row!.claimedBy).not.toBe('other-host:1234:abcdef');
    expect(h.logs.some((l) => String(l.msg).includes('took over a scheduled run'))).toBe(true);
  });

  it('stopping an instance mid-run lets the claimed run finish; nobody runs it again', async () => {
    await seedWeek();
    await addSchedule();
    const b = await anotherInstance();
    h.fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    h.clock.set(SLOT);
    const running = b.scheduler.tick(SLOT);
    await h.fake.waitFor('chat.postMessage', (c) => c.status === 429, 5000, { includeFailed: true });

    await b.scheduler.stop();
    expect(await runs()).toMatchObject([{ status: 'done' }]);
    expect((await running).map((o) => o.status)).toEqual(['done']);
    expect(await b.scheduler.tick(after(MINUTE))).toEqual([]); // a stopped scheduler claims nothing

    expect(await tickAt(after(MINUTE))).toEqual([]);
    expect(okPostsIn(SALES)).toHaveLength(1);
  });

  it('stopping an instance whose run waits out a long Retry-After: stop() returns within its bound, the run is given back at once, and another instance posts it once', async () => {
    await seedWeek();
    const schedule = await addSchedule();
    const b = await anotherInstance({ scheduler: { stopTimeoutMs: 300 } });
    h.fake.failNext('chat.postMessage', { status: 429, retryAfter: 20 });
    h.clock.set(SLOT);
    const running = b.scheduler.tick(SLOT);
    await h.fake.waitFor('chat.postMessage', (c) => c.status === 429, 5000, { includeFailed: true });

    const started = Date.now();
    await b.stop(1000);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await runs()).toMatchObject([{ runKey: runKeyFor(schedule.id), status: 'running', claimedBy: null, error: GIVEN_BACK_AT_SHUTDOWN }]);
    expect(await running).toMatchObject([{ status: 'retry', error: GIVEN_BACK_AT_SHUTDOWN }]);

    // Another process takes it at its next tick (no lease to wait out) and posts it once; the stopped one never does.
    expect((await tickAt(after(MINUTE))).map((o) => o.status)).toEqual(['done']);
    await new Promise((r) => setTimeout(r, 300));
    expect(postsIn(SALES).map((c) => c.status)).toEqual([429, 200]);
    expect(await runs()).toMatchObject([{ status: 'done', attempts: 2 }]);
  });

  it('stopping an instance while its post is in flight (Slack slow to answer): stop() returns within its bound and the run is failed, not posted again by anyone', async () => {
    await seedWeek();
    const schedule = await addSchedule();
    const b = await anotherInstance({ scheduler: { stopTimeoutMs: 300 } });
    h.fake.delayNext('chat.postMessage', { ms: 3000 });
    h.clock.set(SLOT);
    void b.scheduler.tick(SLOT);
    await h.fake.waitFor('chat.postMessage', (c) => c.args.channel === SALES);

    const started = Date.now();
    await b.stop(1000);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await runs()).toMatchObject([{ runKey: runKeyFor(schedule.id), status: 'failed', error: INTERRUPTED_WHILE_SENDING }]);
    for (const t of [after(MINUTE), after(20 * MINUTE)]) expect(await tickAt(t)).toEqual([]);
    expect(postsIn(SALES)).toHaveLength(1);
    expect(boardsShownIn(SALES)).toHaveLength(1);
  });

  it('daily and monthly schedules cover yesterday and last month, in the workspace’s week and fiscal settings', async () => {
    await ensureWorkspace(db(), TEAM, 'example');
    await db().update(workspaces).set({ weekStartsOn: 0, fiscalYearStartMonth: 4 }).where(eq(workspaces.teamId, TEAM));
    await addSchedule({ channelId: SALES, cadence: 'daily', timeOfDay: '08:00', timeZone: 'Europe/London' });
    await addSchedule({ channelId: EXEC, cadence: 'monthly', timeOfDay: '09:00', timeZone: 'Asia/Tokyo' });
    // Dec 1 2026, 09:00 Tokyo is Nov 30 24:00Z; 08:00 London on Dec 1 is 08:00Z.
    const at = new Date('2026-12-01T08:00:00Z');
    expect((await tickAt(at)).map((o) => o.status).sort()).toEqual(['done', 'done']);
    const settings = { weekStartsOn: 0 as const, fiscalYearStartMonth: 4 };
    const daily = lastCompletePeriod('daily', new Date('2026-12-01T08:00:00Z'), { ...settings, timeZone: 'Europe/London' });
    const monthly = lastCompletePeriod('monthly', new Date('2026-12-01T00:00:00Z'), { ...settings, timeZone: 'Asia/Tokyo' });
    expect(daily.current.start.toISOString()).toBe('2026-11-30T00:00:00.000Z');
    expect(JSON.stringify(okPostsIn(SALES)[0]!.args.blocks)).toContain(daily.current.label);
    expect(JSON.stringify(okPostsIn(EXEC)[0]!.args.blocks)).toContain(monthly.current.label);
  });
});

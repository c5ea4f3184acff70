/**
 * DM digests end to end: `/my-stats subscribe|unsubscribe` and `/sales-admin digests weekly|off` through signed
 * requests, then the scheduler delivering each person's digest at 16:00 on Friday (or 08:00 daily) in THEIR time
 * zone, exactly once: one tick schedule for four zones, repeated ticks, two app instances on one database,
 * catch-up within the grace window, skipped past it, opt-outs, deactivated people and undeliverable DMs.
 *
 * Ticks are driven with `bot.scheduler.tick(now)` (the path the cron tick, the start-up catch-up and the CLI share).
 */
import { and, asc, eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { webApi } from '@slack/bolt';
import { buildApp, type SalesPulseApp } from '../../src/app.js';
import type { Database } from '../../src/db/client.js';
import { activities, deals, digestSubscriptions, scheduledRuns, users, workspaces } from '../../src/db/schema/index.js';
import { createDigestJob, digestRunKey } from '../../src/features/summary/digest-job.js';
import { createLogger } from '../../src/lib/logger.js';
import { createPostingClient } from '../../src/slack/posting-client.js';
import { ensureWorkspace } from '../../src/slack/workspace.js';
import { describeEachDb, openAnotherConnection } from '../helpers/db.js';
import { blockKitProblems, type RecordedCall } from '../helpers/fake-slack.js';
import { replyTo, startHarness, type Harness } from '../helpers/harness.js';
import { DEFAULT_TEAM_ID } from '../helpers/signed-request.js';

const TEAM = DEFAULT_TEAM_ID;
const ADMIN = 'U0ADMIN01';
const LA = 'U0LAX0001';
const NY = 'U0NYC0001';
const LDN = 'U0LDN0001';
const KOL = 'U0KOL0001';
/** Monday Nov 30 2026, 12:00 UTC: when people subscribe. */
const MONDAY = new Date('2026-11-30T12:00:00.000Z');
/** Friday Dec 4 2026, 16:00 local in each zone. */
const SLOT: Record<string, Date> = {
  [KOL]: new Date('2026-12-04T10:30:00.000Z'), // IST, UTC+5:30
  [LDN]: new Date('2026-12-04T16:00:00.000Z'), // GMT
  [NY]: new Date('2026-12-04T21:00:00.000Z'), // EST
  [LA]: new Date('2026-12-05T00:00:00.000Z'), // PST
};
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const plus = (at: Date, ms: number) => new Date(at.getTime() + ms);
const NOT_ADMIN = ':lock: Only Sales Pulse admins and team managers can use `/sales-admin`. Ask a workspace admin, or your team’s manager.';
const TEST_RETRY = { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 50 };

describeEachDb('DM digests', (getDb) => {
  let h: Harness;
  let extras: { bot: SalesPulseApp; database: Database }[];

  beforeEach(async () => {
    h = await startHarness({ db: getDb(), now: MONDAY });
    await h.fake.waitFor('auth.test');
    extras = [];
    h.fake.addUser({ id: ADMIN, name: 'ada', tz: 'America/New_York', is_admin: true });
    h.fake.addUser({ id: LA, name: 'lee', real_name: 'Lee LA', tz: 'America/Los_Angeles' });
    h.fake.addUser({ id: NY, name: 'nia', real_name: 'Nia NY', tz: 'America/New_York' });
    h.fake.addUser({ id: LDN, name: 'lou', real_name: 'Lou London', tz: 'Europe/London' });
    h.fake.addUser({ id: KOL, name: 'kavi', real_name: 'Kavi Kolkata', tz: 'Asia/Kolkata' });
  });
  afterEach(async () => {
    for (const extra of extras) {
      await extra.bot.stop(1000);
      await extra.database.close();
    }
    await h.stop();
  });

  const db = () => getDb().database.db;
  const runs = () => db().select().from(scheduledRuns).orderBy(asc(scheduledRuns.slotAt), asc(scheduledRuns.runKey));
  const subscription = async (userId: string) =>
    (await db().select().from(digestSubscriptions).where(and(eq(digestSubscriptions.teamId, TEAM), eq(digestSubscriptions.userId, userId))))[0];
  /** Digest DMs (successful posts to a D… channel), in order. */
  const digestDms = () => h.fake.callsTo('chat.postMessage').filter((c) => c.ok && String(c.args.channel).startsWith('D'));
  const recipientsOf = (calls: RecordedCall[]) => calls.map((c) => String(c.args.channel).slice(1));
  const allText = (call: RecordedCall) => JSON.stringify({ text: call.args.text, blocks: call.args.blocks });

  async function command(name: '/my-stats' | '/sales-admin', text: string, userId: string): Promise<string> {
    const res = await h.slack.command({ command: name, text, userId });
    expect(res.status).toBe(200);
    const reply = (await replyTo(h, res)).args;
    expect(reply.response_type).toBe('ephemeral');
    return String(reply.text);
  }
  const myStats = (text: string, userId: string) => command('/my-stats', text, userId);
  const salesAdmin = (text: string, userId = ADMIN) => command('/sales-admin', text, userId);

  async function subscribeAll(cadence = 'weekly', who = [LA, NY, LDN, KOL]): Promise<void> {
    for (const userId of who) await myStats(`subscribe ${cadence}`, userId);
    h.fake.reset();
  }

  function tickAt(at: Date, bot: SalesPulseApp = h.bot) {
    h.clock.set(at);
    return bot.scheduler.tick(at);
  }
  const digestOutcomes = async (at: Date, bot?: SalesPulseApp) => (await tickAt(at, bot)).filter((o) => o.job === 'digest');

  /** Another bot process: its own app and connection on the same database, the same fake Slack and clock. */
  async function anotherInstance(): Promise<SalesPulseApp> {
    const database = openAnotherConnection(getDb());
    const checked = h.fake.calls.filter((c) => c.method === 'auth.test').length;
    const bot = buildApp({ config: h.config, database, clock: h.clock, logger: createLogger('silent'), clientOptions: { retryConfig: TEST_RETRY } });
    extras.push({ bot, database });
    await h.fake.waitFor('auth.test', () => h.fake.calls.filter((c) => c.method === 'auth.test').length > checked);
    return bot;
  }

  /** A Sales Pulse user row, as getSlackUser leaves it (for people the workspace default reaches). */
  async function knownUser(userId: string, over: Partial<typeof users.$inferInsert> = {}) {
    await ensureWorkspace(db(), TEAM);
    await db()
      .insert(users)
      .values({ teamId: TEAM, userId, displayName: userId.toLowerCase(), timeZone: 'America/New_York', fetchedAt: MONDAY, joinedAt: new Date('2026-11-01T00:00:00Z'), ...over });
  }

  // -------------------------------------------------------------------------------------------
  // /my-stats subscribe | unsubscribe

  it('subscribe (weekly by default): stored, with the next digest in the person’s own zone and how to stop', async () => {
    const reply = await myStats('subscribe', NY);
    expect(reply).toBe(
      ':white_check_mark: Subscribed to the weekly digest: your own numbers for the week so far, by DM.\n' +
        'Your weekly digest arrives Fridays at 16:00 (America/New_York); next: Friday, Dec 4.\n' +
        'Stop any time with `/my-stats unsubscribe`.',
    );
    expect(await subscription(NY)).toMatchObject({ cadence: 'weekly', updatedAt: MONDAY });
    // The Home tab, which shows the choice, is republished.
    await h.fake.waitFor('views.publish', (c) => c.args.user_id === NY);

    const kolkata = await myStats('subscribe weekly', KOL);
    expect(kolkata).toContain('Your weekly digest arrives Fridays at 16:00 (Asia/Kolkata); next: Friday, Dec 4.');
    const again = await myStats('subscribe', NY);
    expect(again).toContain("You're already subscribed to the weekly digest.");
  });

  it('subscribe daily: 08:00 local, the day before; switching replaces the weekly one', async () => {
    await myStats('subscribe', LDN);
    h.clock.advance(MINUTE);
    const reply = await myStats('subscribe daily', LDN);
    expect(reply).toContain('Subscribed to the daily digest: your own numbers for the day before, by DM. It replaces the weekly one.');
    expect(reply).toContain('Your daily digest arrives every day at 08:00 (Europe/London); next: Tuesday, Dec 1.');
    expect(await subscription(LDN)).toMatchObject({ cadence: 'daily', updatedAt: plus(MONDAY, MINUTE) });
  });

  it('unsubscribe stores an explicit opt-out; wrong words get the usage; help mentions both', async () => {
    await myStats('subscribe', NY);
    const reply = await myStats('unsubscribe', NY);
    expect(reply).toContain(':white_check_mark: Unsubscribed: no more weekly digests.');
    expect(reply).toContain('`/my-stats subscribe`');
    expect(await subscription(NY)).toMatchObject({ cadence: 'off' });
    expect(await myStats('unsubscribe', NY)).toContain("You're not getting a digest");

    expect(await myStats('subscribe monthly', LA)).toContain(':warning: Pick `weekly` or `daily`');
    expect(await subscription(LA)).toBeUndefined();
    const help = await myStats('help', LA);
    expect(help).toContain('/my-stats subscribe');
    expect(help).toContain('/my-stats unsubscribe');
    await h.settle();
    expect(digestDms()).toEqual([]);
  });

  // -------------------------------------------------------------------------------------------
  // delivery

  it('four time zones, one tick schedule: each person’s digest at their own Friday 16:00, exactly once', async () => {
    await subscribeAll();
    expect(await digestOutcomes(plus(SLOT[KOL], -MINUTE))).toEqual([]);
    expect(digestDms()).toEqual([]);

    const delivered: string[] = [];
    for (const userId of [KOL, LDN, NY, LA]) {
      const slot = SLOT[userId]!;
      const outcomes = await digestOutcomes(slot);
      expect(outcomes).toMatchObject([{ job: 'digest', status: 'done', teamId: TEAM, runKey: digestRunKey(TEAM, userId, 'weekly', slot), slotAt: slot }]);
      delivered.push(userId);
      expect(recipientsOf(digestDms())).toEqual(delivered);
      // The same instant again, and a minute later: nothing more.
      expect(await digestOutcomes(slot)).toEqual([]);
      expect(await digestOutcomes(plus(slot, MINUTE))).toEqual([]);
      expect(digestDms()).toHaveLength(delivered.length);
    }
    const rows = await runs();
    expect(rows.map((r) => [r.job, r.status, r.slotAt.toISOString()])).toEqual([KOL, LDN, NY, LA].map((u) => ['digest', 'done', SLOT[u]!.toISOString()]));
    expect(rows.map((r) => r.messageTs)).toEqual(digestDms().map((c) => (c.response as { ts: string }).ts));
  });

  it('two app instances ticking at once: one DM per person', async () => {
    await subscribeAll();
    const other = await anotherInstance();
    // Saturday 01:00 UTC: every one of the four Friday slots is due (and within the grace window).
    const at = plus(SLOT[LA]!, HOUR);
    h.clock.set(at);
    const [a, b] = await Promise.all([h.bot.scheduler.tick(at), other.scheduler.tick(at)]);
    const done = [...a, ...b].filter((o) => o.job === 'digest' && o.status === 'done');
    expect(done).toHaveLength(4);
    expect(recipientsOf(digestDms()).sort()).toEqual([KOL, LA, LDN, NY].sort());
    expect(await digestOutcomes(plus(at, MINUTE), other)).toEqual([]);
    expect(digestDms()).toHaveLength(4);
  });

  it('catch-up: a tick at 19:00 local sends the missed 16:00 digest once', async () => {
    await subscribeAll('weekly', [NY]);
    const late = plus(SLOT[NY]!, 3 * HOUR);
    expect(await digestOutcomes(late)).toMatchObject([{ status: 'done', slotAt: SLOT[NY] }]);
    expect(await digestOutcomes(plus(late, MINUTE))).toEqual([]);
    expect(recipientsOf(digestDms())).toEqual([NY]);
  });

  it('25 hours late: skipped, recorded once and logged, never sent', async () => {
    await subscribeAll('weekly', [NY]);
    const late = plus(SLOT[NY]!, 25 * HOUR);
    expect(await digestOutcomes(late)).toMatchObject([{ status: 'skipped', slotAt: SLOT[NY] }]);
    expect(await digestOutcomes(plus(late, MINUTE))).toEqual([]);
    expect(await runs()).toMatchObject([{ runKey: digestRunKey(TEAM, NY, 'weekly', SLOT[NY]!), status: 'skipped' }]);
    expect(h.logs.some((l) => l.msg === 'digest missed and skipped: its slot is older than the grace window')).toBe(true);
    await h.settle();
    expect(digestDms()).toEqual([]);
  });

  it('a new subscriber gets no catch-up for a slot before they subscribed', async () => {
    h.clock.set(plus(SLOT[NY]!, HOUR)); // Friday 17:00 in New York, an hour after the slot
    await subscribeAll('weekly', [NY]);
    expect(await digestOutcomes(plus(SLOT[NY]!, 2 * HOUR))).toEqual([]);
    const nextFriday = plus(SLOT[NY]!, 7 * 24 * HOUR);
    expect(await digestOutcomes(nextFriday)).toMatchObject([{ status: 'done', slotAt: nextFriday }]);
  });

  it('the DM carries the person’s own numbers for the week so far, and how to stop', async () => {
    await subscribeAll('weekly', [NY]);
    await db().insert(activities).values([
      { teamId: TEAM, userId: NY, typeKey: 'call', quantity: 9, occurredAt: new Date('2026-12-02T15:00:00Z'), outcome: 'connected', source: 'import' },
      { teamId: TEAM, userId: NY, typeKey: 'call', quantity: 4, occurredAt: new Date('2026-11-24T15:00:00Z'), source: 'import' }, // last week
      { teamId: TEAM, userId: LA, typeKey: 'email', quantity: 77, occurredAt: new Date('2026-12-02T15:00:00Z'), source: 'import' },
    ]);
    await db().insert(deals).values({ teamId: TEAM, userId: NY, status: 'won', amountMinor: 500_000n, currency: 'USD', closedAt: new Date('2026-12-03T18:00:00Z'), source: 'import' });

    await digestOutcomes(SLOT[NY]!);
    const [dm] = digestDms();
    expect(dm).toBeDefined();
    expect(blockKitProblems(dm!.args.blocks, '/blocks', 50)).toEqual([]);
    expect(dm!.args.text).toBe('Your weekly Sales Pulse digest. Your numbers, This week (Nov 30 – Dec 6): 9 activities, $5,000.00 won from 1 deal. #1 of 2 by revenue, #2 of 2 by activity.');
    const all = allText(dm!);
    expect(all).toContain('(so far)');
    expect(all).toContain('Calls 9 (▲ 125%)');
    expect(all).toContain('*Revenue*\\n$5,000.00');
    expect(all).toContain('Weekly digest · `/my-stats unsubscribe` to stop');
    expect(all).not.toMatch(/\b77\b/); // nobody else's figures
  });

  it('daily at 08:00 local covers yesterday’s numbers', async () => {
    await subscribeAll('daily', [LDN]);
    await db().insert(activities).values([
      { teamId: TEAM, userId: LDN, typeKey: 'call', quantity: 7, occurredAt: new Date('2026-12-01T10:00:00Z'), source: 'import' }, // Tuesday
      { teamId: TEAM, userId: LDN, typeKey: 'email', quantity: 11, occurredAt: new Date('2026-12-02T07:00:00Z'), source: 'import' }, // Wednesday, before 08:00
    ]);
    const slot = new Date('2026-12-02T08:00:00Z'); // Wednesday 08:00 in London
    expect(await digestOutcomes(slot)).toMatchObject([{ status: 'done', runKey: digestRunKey(TEAM, LDN, 'daily', slot) }]);
    const [dm] = digestDms();
    expect(dm!.args.text).toContain('Your daily Sales Pulse digest. Your numbers, Yesterday (Dec 1): 7 activities');
    const all = allText(dm!);
    expect(all).toContain('Calls 7');
    expect(all).not.toContain('Emails');
    expect(all).toContain('Daily digest · `/my-stats unsubscribe` to stop');
    expect(await digestOutcomes(plus(slot, MINUTE))).toEqual([]);
  });

  it('unsubscribe is honoured: no DM at the next slot', async () => {
    await subscribeAll('weekly', [NY, LDN]);
    h.clock.set(plus(MONDAY, 24 * HOUR));
    await myStats('unsubscribe', NY);
    expect(await digestOutcomes(SLOT[NY]!)).toMatchObject([{ status: 'done', slotAt: SLOT[LDN] }]);
    expect(recipientsOf(digestDms())).toEqual([LDN]);
  });

  it('a deactivated person is skipped (recorded, no DM)', async () => {
    await subscribeAll('weekly', [NY]);
    h.fake.users.get(NY)!.deleted = true;
    expect(await digestOutcomes(SLOT[NY]!)).toMatchObject([{ status: 'skipped', detail: expect.stringContaining('deactivated') }]);
    expect(await runs()).toMatchObject([{ status: 'skipped', error: 'skipped: the person is deactivated' }]);
    expect(await digestOutcomes(plus(SLOT[NY]!, MINUTE))).toEqual([]);
    await h.settle();
    expect(h.fake.callsTo('conversations.open')).toEqual([]);
    expect(digestDms()).toEqual([]);
  });

  it('an undeliverable DM fails for good; a rate-limited one is given back and sent on a later tick', async () => {
    await subscribeAll('weekly', [NY, LDN]);
    h.fake.failNext('conversations.open', { error: 'user_not_found' });
    expect(await digestOutcomes(SLOT[LDN]!)).toMatchObject([{ status: 'failed', error: 'user_not_found' }]);
    expect(await digestOutcomes(plus(SLOT[LDN]!, 2 * MINUTE))).toEqual([]);

    h.fake.failNext('chat.postMessage', { status: 429, retryAfter: 0, times: 3 });
    expect(await digestOutcomes(SLOT[NY]!)).toMatchObject([{ status: 'retry' }]);
    expect(digestDms()).toEqual([]);
    expect(await digestOutcomes(plus(SLOT[NY]!, 2 * MINUTE))).toMatchObject([{ status: 'done', slotAt: SLOT[NY] }]);
    expect(recipientsOf(digestDms())).toEqual([NY]);
  });

  it('pacing: at most maxPerTick digests per tick, the rest at the next tick', async () => {
    await subscribeAll();
    const client = new webApi.WebClient(h.config.SLACK_BOT_TOKEN, { slackApiUrl: h.config.SLACK_API_URL, retryConfig: TEST_RETRY });
    const posting = createPostingClient(h.config.SLACK_BOT_TOKEN, { slackApiUrl: h.config.SLACK_API_URL });
    const job = createDigestJob({ clientFor: async () => client, postingClientFor: async () => posting, claimedBy: 'test', maxPerTick: 3 });
    const at = plus(SLOT[LA]!, HOUR);
    h.clock.set(at);
    expect((await job.runDue(h.bot.deps, at)) ?? []).toHaveLength(3);
    // Oldest slots first: Kolkata, London, New York; Los Angeles next minute.
    expect(recipientsOf(digestDms())).toEqual([KOL, LDN, NY]);
    expect(await job.runDue(h.bot.deps, plus(at, MINUTE))).toMatchObject([{ status: 'done', slotAt: SLOT[LA] }]);
  });

  // -------------------------------------------------------------------------------------------
  // /sales-admin digests

  it('an admin makes the weekly digest the default: stored, and confirmed with how people opt out', async () => {
    const reply = await salesAdmin('digests weekly');
    expect(reply).toContain(':white_check_mark: Everyone Sales Pulse knows now gets the weekly digest by DM, Fridays at 16:00 in their own time zone');
    expect(reply).toContain('`/my-stats unsubscribe`');
    const [ws] = await db().select().from(workspaces).where(eq(workspaces.teamId, TEAM));
    expect(ws).toMatchObject({ digestDefault: 'weekly', updatedAt: MONDAY });
    expect(await salesAdmin('digests')).toContain('Now: everyone gets the weekly digest unless they opted out');
  });

  it('default weekly, delivered: each known person at their own 16:00; the opt-out and the daily subscriber keep their choice', async () => {
    await knownUser(LA, { timeZone: 'America/Los_Angeles' });
    await knownUser(KOL, { timeZone: 'Asia/Kolkata' });
    await knownUser(LDN, { timeZone: 'Europe/London' });
    await knownUser('U0BOT0001', { isBot: true });
    await knownUser('U0GONE001', { deleted: true });
    await myStats('unsubscribe', LDN);
    await myStats('subscribe daily', NY);
    await salesAdmin('digests weekly');
    h.fake.reset();

    const outcomes = [];
    for (const userId of [KOL, LDN, NY, LA]) outcomes.push(...(await digestOutcomes(SLOT[userId]!)));
    const weekly = outcomes.filter((o) => o.runKey.includes(':weekly:'));
    const daily = outcomes.filter((o) => o.runKey.includes(':daily:'));
    // The admin is someone Sales Pulse knows too (a New Yorker); London opted out; New York chose daily.
    expect(weekly.map((o) => [o.runKey, o.status])).toEqual([
      [digestRunKey(TEAM, KOL, 'weekly', SLOT[KOL]!), 'done'],
      [digestRunKey(TEAM, ADMIN, 'weekly', SLOT[NY]!), 'done'],
      [digestRunKey(TEAM, LA, 'weekly', SLOT[LA]!), 'done'],
    ]);
    expect(daily.length).toBeGreaterThan(0);
    expect(daily.every((o) => o.runKey.startsWith(`digest:${TEAM}:${NY}:daily:`) && o.status === 'done')).toBe(true);
    expect(recipientsOf(digestDms()).filter((u) => u !== NY)).toEqual([KOL, ADMIN, LA]);

    // Off again: opt-in; nobody without a subscription gets the next one (New York's daily goes on).
    h.clock.set(plus(SLOT[LA]!, HOUR));
    expect(await salesAdmin('digests off')).toContain('Digests are opt-in again');
    const next = await digestOutcomes(plus(SLOT[LA]!, 7 * 24 * HOUR));
    expect(next.map((o) => o.runKey.split(':').slice(2, 4).join(':'))).toEqual([`${NY}:daily`]);
  });

  it('a non-admin cannot change the digest default', async () => {
    expect(await salesAdmin('digests weekly', NY)).toBe(NOT_ADMIN);
    const [ws] = await db().select().from(workspaces).where(eq(workspaces.teamId, TEAM));
    expect(ws?.digestDefault ?? 'off').toBe('off');
    expect(await salesAdmin('digests')).toContain('Now: digests are opt-in');
    expect(await salesAdmin('help')).toContain('/sales-admin digests weekly');
  });
});

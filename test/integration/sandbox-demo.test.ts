/**
 * The sandbox's demo data (both databases): what a person opening the sandbox would notice. Six weeks of history
 * and nothing after `now`; loading again duplicates nothing; last week's leaderboard (computed by the leaderboard
 * feature itself) tells each rep's story; the workspace, people, schedule, targets and digests are in place; and
 * nothing the user logged or changed is touched by a second load.
 */
import { noSlack as noSlackClients } from '../../src/slack/clients.js';
import { describe, expect, it } from 'vitest';
import type { webApi } from '@slack/bolt';
import { and, asc, eq, gt, isNull, like, lt, sql } from 'drizzle-orm';
import { configSchema } from '../../src/config.js';
import type { Db } from '../../src/db/client.js';
import { activities, deals, digestSubscriptions, exchangeRates, leaderboardSchedules, targets, users, workspaces } from '../../src/db/schema/index.js';
import { findSalesTeamByName } from '../../src/org/index.js';
import { ignoreChanges, type Deps } from '../../src/deps.js';
import { UserDirectory } from '../../src/slack/user-directory.js';
import { loadBoard } from '../../src/features/leaderboard/index.js';
// The insights the board message shows; leaderboard/index.ts does not export them.
import { boardInsights } from '../../src/features/leaderboard/insights.js';
import type { Board } from '../../src/features/leaderboard/types.js';
import { fixedClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { lastCompletePeriod, type PeriodSettings } from '../../src/periods/parse-period.js';
import {
  DEMO_EXTERNAL_ID_PREFIX,
  demoDisplayName,
  describeDemoData,
  generateDemoHistory,
  loadDemoData,
  type DemoDataResult,
} from '../../src/sandbox/demo-data.js';
import { SANDBOX_PEOPLE, SANDBOX_TEAM_ID, SANDBOX_TIME_ZONE, type RepProfile } from '../../src/sandbox/people.js';
import { ensureWorkspace } from '../../src/slack/workspace.js';
import { describeEachDb, type TestDb } from '../helpers/db.js';

const TEAM = SANDBOX_TEAM_ID;
/** A Thursday, 10:30 in New York. */
const NOW = new Date('2026-11-19T15:30:00Z');
/** A Monday, 09:30 in New York, the day after the clocks went forward: the week has barely started. */
const MONDAY_AFTER_DST = new Date('2026-03-09T13:30:00Z');
const DAY_MS = 86_400_000;

const rep = (profile: RepProfile) => {
  const person = SANDBOX_PEOPLE.find((p) => p.profile === profile);
  if (!person) throw new Error(`no sandbox rep with profile ${profile}`);
  return person;
};
const BUSY = rep('busy-not-closing');
const CLOSER = rep('efficient-closer');
const STEADY = rep('steady');
const NEW_HIRE = rep('new-hire');
const ON_LEAVE = rep('on-leave');
const OTHER_CURRENCY = rep('other-currency');
const ADMIN = SANDBOX_PEOPLE.find((p) => p.role === 'admin')!;
const MANAGER = SANDBOX_PEOPLE.find((p) => p.role === 'manager')!;

const SETTINGS: PeriodSettings = { timeZone: SANDBOX_TIME_ZONE, weekStartsOn: 1, fiscalYearStartMonth: 1 };

/** A Web API client that must not be needed: the demo fills the users cache, so boards have every name already. */
const noSlack = {
  users: {
    info: async () => {
      throw new Error('users.info was called: the demo data should have filled the users cache');
    },
  },
} as unknown as webApi.WebClient;

function depsFor(testDb: TestDb, now: Date): Deps {
  const token = ['xoxb', 'demo', 'test'].join('-');
  return {
    config: configSchema.parse({ SLACK_BOT_TOKEN: token, SLACK_SIGNING_SECRET: 'demo-test-secret' }),
    db: testDb.database.db,
    clock: fixedClock(now),
    logger: createLogger('silent'),
    afterChange: ignoreChanges,
    users: new UserDirectory(),
    slack: noSlackClients,
  };
}

async function lastWeekBoard(testDb: TestDb, now: Date): Promise<Board> {
  return loadBoard(depsFor(testDb, now), noSlack, { teamId: TEAM, period: lastCompletePeriod('weekly', now, SETTINGS) });
}

interface Stored {
  activityEntries: number;
  activities: number;
  deals: number;
  won: number;
  lost: number;
}

async function stored(testDb: TestDb): Promise<Stored> {
  const [a] = await testDb.database.rows<{ entries: string | number; total: string | number | null }>(
    sql`select count(*) as entries, sum(quantity) as total from activities where team_id = ${TEAM} and deleted_at is null`,
  );
  const [d] = await testDb.database.rows<{ total: string | number; won: string | number; lost: string | number }>(
    sql`select count(*) as total, count(*) filter (where status = 'won') as won, count(*) filter (where status = 'lost') as lost
        from deals where team_id = ${TEAM} and deleted_at is null`,
  );
  return {
    activityEntries: Number(a!.entries),
    activities: Number(a!.total ?? 0),
    deals: Number(d!.total),
    won: Number(d!.won),
    lost: Number(d!.lost),
  };
}

/** Every demo row's identity and content, to compare two loads. */
async function snapshot(db: Db): Promise<string> {
  const a = await db
    .select({ id: activities.externalId, user: activities.userId, type: activities.typeKey, q: activities.quantity, at: activities.occurredAt, outcome: activities.outcome, notes: activities.notes })
    .from(activities)
    .where(eq(activities.teamId, TEAM))
    .orderBy(asc(activities.externalId));
  const d = await db
    .select({ id: deals.externalId, user: deals.userId, status: deals.status, minor: deals.amountMinor, currency: deals.currency, at: deals.closedAt })
    .from(deals)
    .where(eq(deals.teamId, TEAM))
    .orderBy(asc(deals.externalId));
  return JSON.stringify({ a, d }, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
}

function countsOf(r: DemoDataResult): Stored {
  return { activityEntries: r.activityEntries, activities: r.activities, deals: r.deals, won: r.won, lost: r.lost };
}

describe('generateDemoHistory', () => {
  it('is deterministic for a given now', () => {
    expect(JSON.stringify(generateDemoHistory(NOW), (_k, v) => (typeof v === 'bigint' ? v.toString() : v))).toBe(
      JSON.stringify(generateDemoHistory(new Date(NOW.getTime())), (_k, v) => (typeof v === 'bigint' ? v.toString() : v)),
    );
  });

  it('puts activities on weekdays, in working hours of each rep’s own time zone', () => {
    const zoneOf = new Map(SANDBOX_PEOPLE.map((p) => [p.id, p.tz]));
    const { activities: list } = generateDemoHistory(NOW);
    for (const a of list) {
      const parts = Object.fromEntries(
        new Intl.DateTimeFormat('en-US', { timeZone: zoneOf.get(a.userId)!, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
          .formatToParts(a.occurredAt)
          .map((p) => [p.type, p.value]),
      );
      expect(['Mon', 'Tue', 'Wed', 'Thu', 'Fri']).toContain(parts.weekday);
      const minute = Number(parts.hour) * 60 + Number(parts.minute);
      expect(minute).toBeGreaterThanOrEqual(9 * 60);
      expect(minute).toBeLessThan(17 * 60 + 30);
    }
  });
});

describe('describeDemoData', () => {
  const base: DemoDataResult = {
    teamId: TEAM,
    weeks: 6,
    from: new Date(NOW.getTime() - 42 * DAY_MS),
    to: NOW,
    reps: 6,
    activities: 2202,
    activityEntries: 2111,
    deals: 36,
    won: 24,
    lost: 12,
    added: { activityEntries: 2111, deals: 36 },
    schedules: 1,
    schedule: { channelName: 'sales', cadence: 'weekly', weekday: 1, timeOfDay: '09:00', timeZone: 'America/New_York' },
    team: { name: 'East AEs', channelName: 'sales-east', members: 3 },
    targets: 3,
    subscriptions: 2,
    ms: 500,
  };
  it('says what was loaded in one line', () => {
    expect(describeDemoData(base)).toBe(
      'Loaded 6 weeks of history: 2,202 activities and 36 deals (24 won, 12 lost) for 6 reps; a weekly leaderboard in #sales (Mondays 09:00 New York), the team East AEs in #sales-east (3 reps, managed by Mia), 3 targets and 2 digest subscriptions.',
    );
    expect(describeDemoData({ ...base, team: null })).not.toContain('team');
  });
  it('says so when everything was there already', () => {
    expect(describeDemoData({ ...base, added: { activityEntries: 0, deals: 0 } })).toMatch(/^Demo data was already loaded \(nothing duplicated\): 6 weeks of history: 2,202 activities/);
  });
});

describeEachDb('loadDemoData', (getDb) => {
  it('stores six weeks of history, nothing after now, and the same rows when loaded twice', async () => {
    const testDb = getDb();
    const db = testDb.database.db;
    const first = await loadDemoData(db, NOW);

    expect(await stored(testDb)).toEqual(countsOf(first));
    expect(first.added).toEqual({ activityEntries: first.activityEntries, deals: first.deals });
    expect(first).toMatchObject({ teamId: TEAM, weeks: 6, reps: 6, schedules: 1, targets: 3, subscriptions: 2 });
    expect(first.team).toEqual({ name: 'East AEs', channelName: 'sales-east', members: 3 });
    const east = await findSalesTeamByName(db, TEAM, 'east aes');
    expect(east?.managers).toEqual(['U0SPMGR01']);
    expect(east?.members).toEqual(['U0SPREP01', 'U0SPREP02', 'U0SPREP04']);
    expect(east?.channelId).toBe('C0SPEAST0');
    const rates = await db.select({ currency: exchangeRates.currency, rate: exchangeRates.rate }).from(exchangeRates);
    expect(rates.map((r) => [r.currency, Number(r.rate)])).toEqual([['EUR', 1.08]]);
    // Believable volumes: a couple of thousand activities, a few dozen deals.
    expect(first.activities).toBeGreaterThan(1500);
    expect(first.activities).toBeLessThan(3500);
    expect(first.deals).toBeGreaterThan(15);
    expect(first.deals).toBeLessThan(60);
    expect(first.won).toBeGreaterThan(first.lost);

    // Never after now, never before the six weeks.
    const from = new Date(NOW.getTime() - 42 * DAY_MS);
    const future = [
      ...(await db.select({ id: activities.id }).from(activities).where(gt(activities.occurredAt, NOW))),
      ...(await db.select({ id: deals.id }).from(deals).where(gt(deals.closedAt, NOW))),
    ];
    expect(future).toEqual([]);
    const tooOld = [
      ...(await db.select({ id: activities.id }).from(activities).where(lt(activities.occurredAt, from))),
      ...(await db.select({ id: deals.id }).from(deals).where(lt(deals.closedAt, from))),
    ];
    expect(tooOld).toEqual([]);
    // Every row is the demo's own, through the importer.
    const foreign = await db.select({ id: activities.id }).from(activities).where(sql`${activities.externalId} not like ${`${DEMO_EXTERNAL_ID_PREFIX}%`} or ${activities.source} <> 'import'`);
    expect(foreign).toEqual([]);

    const before = await snapshot(db);
    const second = await loadDemoData(db, NOW);
    expect(countsOf(second)).toEqual(countsOf(first));
    expect(second.added).toEqual({ activityEntries: 0, deals: 0 });
    expect(await stored(testDb)).toEqual(countsOf(first));
    expect(await snapshot(db)).toBe(before);
    expect(describeDemoData(second)).toMatch(/already loaded/);
  });

  it("tells each rep's story on last week's leaderboard", async () => {
    const testDb = getDb();
    await loadDemoData(testDb.database.db, NOW);
    const board = await lastWeekBoard(testDb, NOW);
    const byId = new Map(board.reps.map((r) => [r.userId, r]));
    const busy = byId.get(BUSY.id)!;
    const closer = byId.get(CLOSER.id)!;
    const steady = byId.get(STEADY.id)!;
    const euro = byId.get(OTHER_CURRENCY.id)!;

    // Names from the users cache, not from Slack.
    expect(busy.name).toBe(demoDisplayName(BUSY));
    expect(board.currency).toBe('USD');

    // Busy, not closing: by far the most activity, no revenue.
    expect(busy.activityRank).toBe(1);
    expect(busy.activities).toBeGreaterThan(1.5 * Math.max(...board.reps.filter((r) => r !== busy).map((r) => r.activities)));
    expect(busy.headlineRevenueMinor).toBe(0n);
    expect(busy.revenue).toEqual([]);
    expect(busy.won).toBe(0);

    // The efficient closer: the most revenue from little activity, the best revenue per activity.
    expect(board.reps[0]!.userId).toBe(CLOSER.id);
    expect(closer.revenueRank).toBe(1);
    expect(closer.activities).toBeLessThan(board.medians.activities);
    for (const r of board.reps) {
      if (r !== closer) expect(closer.revenuePerActivityMinor! > (r.revenuePerActivityMinor ?? 0n)).toBe(true);
    }

    // Steady: mid activity, a mid-size win.
    expect(steady.activities).toBeGreaterThan(closer.activities);
    expect(steady.activities).toBeLessThan(busy.activities);
    expect(steady.headlineRevenueMinor).toBeGreaterThan(0n);
    expect(steady.headlineRevenueMinor).toBeLessThan(closer.headlineRevenueMinor);

    // On leave: nothing last week (so not on the board), and nothing since.
    expect(byId.has(ON_LEAVE.id)).toBe(false);
    const since = await testDb.database.db
      .select({ id: activities.id })
      .from(activities)
      .where(and(eq(activities.userId, ON_LEAVE.id), gt(activities.occurredAt, board.period.current.start)));
    expect(since).toEqual([]);

    // The other currency: EUR, kept as EUR beside the headline, and converted into the USD headline at the demo's
    // fixed rate (1 EUR = 1.08 USD), rounded half-up once.
    expect(euro.revenue.map((m) => m.currency)).toEqual(['EUR']);
    const euros = euro.revenue[0]!.minor;
    expect(euros).toBeGreaterThan(0n);
    expect(euro.headlineRevenueMinor).toBe((euros * 108n + 50n) / 100n);
    expect(board.team.revenue.map((m) => m.currency)).toEqual(['USD', 'EUR']);

    // Targets apply: a % of target for every rep.
    for (const r of board.reps) expect(typeof r.targetPercent).toBe('number');

    // The insights name the busy rep's situation.
    const insights = boardInsights(board);
    expect(insights.some((line) => line.includes(demoDisplayName(BUSY)) && /no revenue yet|not yet closing/.test(line))).toBe(true);
    expect(insights[0]).toContain(demoDisplayName(CLOSER));
  });

  it('keeps the story on a Monday morning just after the clocks changed', async () => {
    const testDb = getDb();
    await loadDemoData(testDb.database.db, MONDAY_AFTER_DST);
    const board = await lastWeekBoard(testDb, MONDAY_AFTER_DST);
    const byId = new Map(board.reps.map((r) => [r.userId, r]));
    expect(byId.get(BUSY.id)!.activityRank).toBe(1);
    expect(byId.get(BUSY.id)!.headlineRevenueMinor).toBe(0n);
    expect(board.reps[0]!.userId).toBe(CLOSER.id);
    expect(byId.has(ON_LEAVE.id)).toBe(false);
    expect(byId.get(OTHER_CURRENCY.id)!.revenue.map((m) => m.currency)).toEqual(['EUR']);
    const future = await testDb.database.db.select({ id: activities.id }).from(activities).where(gt(activities.occurredAt, MONDAY_AFTER_DST));
    expect(future).toEqual([]);
  });

  it('gives the new hire a short, ramping history, a recent small win and a join date that prorates targets', async () => {
    const testDb = getDb();
    const db = testDb.database.db;
    await loadDemoData(db, NOW);
    const [hire] = await db.select().from(users).where(and(eq(users.teamId, TEAM), eq(users.userId, NEW_HIRE.id)));
    const joinedAt = hire!.joinedAt!;
    const daysAgo = (NOW.getTime() - joinedAt.getTime()) / DAY_MS;
    expect(daysAgo).toBeGreaterThanOrEqual(14);
    expect(daysAgo).toBeLessThan(21);

    const early = await db.select({ id: activities.id }).from(activities).where(and(eq(activities.userId, NEW_HIRE.id), lt(activities.occurredAt, joinedAt)));
    expect(early).toEqual([]);
    const mine = await db.select({ q: activities.quantity, at: activities.occurredAt }).from(activities).where(eq(activities.userId, NEW_HIRE.id));
    const firstWeek = mine.filter((a) => a.at.getTime() < joinedAt.getTime() + 7 * DAY_MS).reduce((s, a) => s + a.q, 0);
    const secondWeek = mine.filter((a) => a.at.getTime() >= joinedAt.getTime() + 7 * DAY_MS && a.at.getTime() < joinedAt.getTime() + 14 * DAY_MS).reduce((s, a) => s + a.q, 0);
    expect(secondWeek).toBeGreaterThan(firstWeek);

    const wins = await db.select().from(deals).where(and(eq(deals.userId, NEW_HIRE.id), eq(deals.status, 'won')));
    expect(wins).toHaveLength(1);
    expect(NOW.getTime() - wins[0]!.closedAt.getTime()).toBeLessThan(7 * DAY_MS);
    expect(wins[0]!.amountMinor!).toBeLessThan(10_000_00n);

    // The others joined before the history starts: no proration for them.
    const others = await db.select({ userId: users.userId, joinedAt: users.joinedAt }).from(users).where(eq(users.teamId, TEAM));
    for (const o of others) if (o.userId !== NEW_HIRE.id) expect(o.joinedAt!.getTime()).toBeLessThanOrEqual(NOW.getTime() - 42 * DAY_MS);

    // On leave since about two weeks; busy rep: a couple lost, never won; other currency: EUR only.
    const [leave] = await testDb.database.rows<{ last: string | Date }>(sql`select max(occurred_at) as last from activities where user_id = ${ON_LEAVE.id}`);
    const lastDaysAgo = (NOW.getTime() - new Date(leave!.last).getTime()) / DAY_MS;
    expect(lastDaysAgo).toBeGreaterThan(7);
    expect(lastDaysAgo).toBeLessThan(17);
    const busyDeals = await db.select({ status: deals.status }).from(deals).where(eq(deals.userId, BUSY.id));
    expect(busyDeals.filter((d) => d.status === 'won')).toEqual([]);
    expect(busyDeals.filter((d) => d.status === 'lost').length).toBeGreaterThanOrEqual(2);
    const euroDeals = await db.select({ currency: deals.currency, minor: deals.amountMinor }).from(deals).where(and(eq(deals.userId, OTHER_CURRENCY.id), eq(deals.status, 'won')));
    expect(euroDeals.length).toBeGreaterThan(0);
    expect(new Set(euroDeals.map((d) => d.currency))).toEqual(new Set(['EUR']));
  });

  it('sets up the workspace, the people, the #sales schedule, targets and two digests', async () => {
    const testDb = getDb();
    const db = testDb.database.db;
    // As the bot leaves things after a first contact: the workspace with default settings, one person seen today.
    await ensureWorkspace(db, TEAM, 'sales-pulse-sandbox');
    await db.insert(users).values({ teamId: TEAM, userId: NEW_HIRE.id, displayName: 'jordan', timeZone: 'UTC', joinedAt: NOW, fetchedAt: new Date(NOW.getTime() - DAY_MS) });

    await loadDemoData(db, NOW);

    const [ws] = await db.select().from(workspaces).where(eq(workspaces.teamId, TEAM));
    expect(ws).toMatchObject({ defaultTimeZone: SANDBOX_TIME_ZONE, currency: 'USD', name: 'sales-pulse-sandbox' });

    const people = await db.select().from(users).where(eq(users.teamId, TEAM)).orderBy(asc(users.userId));
    expect(people).toHaveLength(SANDBOX_PEOPLE.length);
    for (const p of SANDBOX_PEOPLE) {
      const row = people.find((u) => u.userId === p.id)!;
      expect(row).toMatchObject({ displayName: demoDisplayName(p), realName: p.realName, timeZone: p.tz, isAdmin: p.role === 'admin', isOwner: p.role === 'admin', deleted: false, isBot: false });
      expect(row.fetchedAt.getTime()).toBe(NOW.getTime());
    }
    // The person the bot had seen today gets the demo's earlier join date.
    expect(people.find((u) => u.userId === NEW_HIRE.id)!.joinedAt!.getTime()).toBeLessThan(NOW.getTime() - 14 * DAY_MS + DAY_MS);

    const schedules = await db.select().from(leaderboardSchedules).where(eq(leaderboardSchedules.teamId, TEAM));
    expect(schedules).toHaveLength(1);
    expect(schedules[0]).toMatchObject({ channelId: 'C0SPSALES', cadence: 'weekly', weekday: 1, timeOfDay: '09:00', timeZone: SANDBOX_TIME_ZONE, createdBy: ADMIN.id });
    // Set "now": last Monday's slot is not due, so loading posts nothing by itself.
    expect(schedules[0]!.updatedAt.getTime()).toBe(NOW.getTime());

    const targetRows = await db.select().from(targets).where(eq(targets.teamId, TEAM));
    const t = (userKey: string, metric: string) => targetRows.find((r) => r.userKey === userKey && r.metric === metric);
    expect(targetRows).toHaveLength(3);
    expect(t('*', 'call')).toMatchObject({ amount: 60n, period: 'week', currency: null, createdBy: ADMIN.id });
    expect(t('*', 'revenue')).toMatchObject({ currency: 'USD', period: 'month' });
    expect(t(OTHER_CURRENCY.id, 'revenue')).toMatchObject({ currency: 'EUR', period: 'month' });

    const subs = await db.select().from(digestSubscriptions).where(eq(digestSubscriptions.teamId, TEAM)).orderBy(asc(digestSubscriptions.userId));
    expect(subs.map((s) => [s.userId, s.cadence]).sort()).toEqual([
      [MANAGER.id, 'weekly'],
      [STEADY.id, 'daily'],
    ].sort());
  });

  it('leaves what the user logged and changed alone when loaded again', async () => {
    const testDb = getDb();
    const db = testDb.database.db;
    await loadDemoData(db, NOW);

    // The user logs a call, reschedules #sales, changes the everyone call target and unsubscribes the steady rep.
    await db.insert(activities).values({ teamId: TEAM, userId: BUSY.id, typeKey: 'call', quantity: 1, occurredAt: NOW, source: 'slash_command', notes: 'mine' });
    await db.update(leaderboardSchedules).set({ cadence: 'daily', timeOfDay: '08:30' }).where(eq(leaderboardSchedules.teamId, TEAM));
    await db.update(targets).set({ amount: 40n }).where(and(eq(targets.teamId, TEAM), eq(targets.userKey, '*'), eq(targets.metric, 'call')));
    await db.update(digestSubscriptions).set({ cadence: 'off' }).where(and(eq(digestSubscriptions.teamId, TEAM), eq(digestSubscriptions.userId, STEADY.id)));

    const again = await loadDemoData(db, NOW);

    const mine = await db.select().from(activities).where(and(eq(activities.teamId, TEAM), isNull(activities.externalId)));
    expect(mine.map((a) => a.notes)).toEqual(['mine']);
    expect((await stored(testDb)).activityEntries).toBe(again.activityEntries + 1);
    const [schedule] = await db.select().from(leaderboardSchedules).where(eq(leaderboardSchedules.teamId, TEAM));
    expect(schedule).toMatchObject({ cadence: 'daily', timeOfDay: '08:30' });
    expect(again.schedule).toMatchObject({ cadence: 'daily', timeOfDay: '08:30' });
    expect(describeDemoData(again)).toContain('a daily leaderboard in #sales (daily at 08:30 New York)');
    const [callTarget] = await db.select().from(targets).where(and(eq(targets.teamId, TEAM), eq(targets.userKey, '*'), eq(targets.metric, 'call')));
    expect(callTarget!.amount).toBe(40n);
    const [sub] = await db.select().from(digestSubscriptions).where(and(eq(digestSubscriptions.teamId, TEAM), eq(digestSubscriptions.userId, STEADY.id)));
    expect(sub!.cadence).toBe('off');
    expect(again.subscriptions).toBe(1);
    // Another workspace's rows are never the demo's business.
    const demoElsewhere = await db.select({ id: deals.id }).from(deals).where(and(like(deals.externalId, `${DEMO_EXTERNAL_ID_PREFIX}%`), sql`${deals.teamId} <> ${TEAM}`));
    expect(demoElsewhere).toEqual([]);
  });

  it('loads into another team id when asked', async () => {
    const testDb = getDb();
    const r = await loadDemoData(testDb.database.db, NOW, { teamId: 'T0OTHERDEMO' });
    expect(r.teamId).toBe('T0OTHERDEMO');
    const rows = await testDb.database.db.select({ id: deals.id }).from(deals).where(eq(deals.teamId, 'T0OTHERDEMO'));
    expect(rows).toHaveLength(r.deals);
    expect(await stored(testDb)).toMatchObject({ deals: 0 });
  });
});

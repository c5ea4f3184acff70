/**
 * Uninstall and token revocation end to end, in single-workspace mode (SLACK_BOT_TOKEN): Slack's signed
 * `app_uninstalled` / `tokens_revoked` events reach the real app over HTTP; from the next scheduler tick on, that
 * workspace gets no scheduled leaderboard and no DM digest while another workspace on the same deployment still gets
 * its own; the handlers call no Web API method (the token may already be dead); a revocation of user tokens only
 * changes nothing; a repeated event is harmless; a celebration left unposted is not retried there; and when the app is added again (its first request), the boards and
 * digests resume with everything as it was.
 *
 * The rows side (installation rows, org-wide installs, the retention purge) is in
 * test/integration/retention-purge.test.ts.
 */
import { and, eq, like } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { activities, auditLog, dealCelebrations, deals, digestSubscriptions, leaderboardSchedules, scheduledRuns, users, workspaces } from '../../src/db/schema/index.js';
import { ensureWorkspace } from '../../src/slack/workspace.js';
import { describeEachDb } from '../helpers/db.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { appUninstalledEvent, DEFAULT_TEAM_ID, DEFAULT_USER_ID, tokensRevokedEvent } from '../helpers/signed-request.js';

const TEAM = DEFAULT_TEAM_ID;
const OTHER = 'T0OTHER01';
const REP = 'U0REP0001';
const OTHER_REP = 'U0REP0002';
const SALES = 'C0SALES';
const OTHER_SALES = 'C0OTHSALES';
/** Monday Nov 30 2026, 12:00 UTC: schedules and subscriptions are set up. */
const MONDAY = new Date('2026-11-30T12:00:00.000Z');
/** Tuesday's slots: digests at 08:00 UTC (daily, people in UTC), boards at 09:00 UTC (daily). */
const TUESDAY_DIGESTS = new Date('2026-12-01T08:00:00.000Z');
const TUESDAY_BOARDS = new Date('2026-12-01T09:00:00.000Z');
const DAY = 24 * 60 * 60_000;
const plus = (at: Date, ms: number) => new Date(at.getTime() + ms);

describeEachDb('uninstall and token revocation', (getDb) => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({ db: getDb(), now: MONDAY });
    await h.fake.waitFor('auth.test');
    h.fake.addUser({ id: REP, name: 'rita', real_name: 'Rita Rep', tz: 'UTC' });
    h.fake.addUser({ id: OTHER_REP, name: 'otto', real_name: 'Otto Other', tz: 'UTC' });
    await seed(TEAM, REP, SALES);
    await seed(OTHER, OTHER_REP, OTHER_SALES);
  });
  afterEach(async () => {
    await h.stop();
  });

  const db = () => getDb().database.db;

  /** A workspace with a daily board in `channel` and a rep with a daily digest and a call logged on Monday. */
  async function seed(teamId: string, rep: string, channel: string) {
    await ensureWorkspace(db(), teamId, `ws ${teamId}`);
    await db().insert(users).values({ teamId, userId: rep, displayName: rep, timeZone: 'UTC', joinedAt: plus(MONDAY, -7 * DAY), fetchedAt: MONDAY });
    await db().insert(activities).values({ teamId, userId: rep, typeKey: 'call', quantity: 3, occurredAt: plus(MONDAY, -60_000), source: 'import' });
    await db().insert(leaderboardSchedules).values({ teamId, channelId: channel, cadence: 'daily', timeOfDay: '09:00', timeZone: 'UTC', createdBy: rep, createdAt: MONDAY, updatedAt: MONDAY });
    await db().insert(digestSubscriptions).values({ teamId, userId: rep, cadence: 'daily', createdAt: MONDAY, updatedAt: MONDAY });
  }

  /** The scheduler ticking at `at` (digests, then boards, the same day), with the clock there too. */
  async function tickDay(digests: Date, boards: Date) {
    h.clock.set(digests);
    const first = await h.bot.scheduler.tick(digests);
    h.clock.set(boards);
    const second = await h.bot.scheduler.tick(boards);
    return [...first, ...second].filter((o) => o.job !== 'retention-purge');
  }

  /**
   * Send a lifecycle event and wait until its handler has finished (Bolt acks an event before its listener runs):
   * each handled event logs one line of the install component.
   */
  async function deliver(event: object, opts: { retryNum?: number } = {}) {
    const handled = () => h.logs.filter((l) => l.component === 'install').length;
    const before = handled();
    const res = await h.slack.event(event, opts);
    expect(res.status).toBe(200);
    await vi.waitFor(() => expect(handled()).toBe(before + 1), { timeout: 5_000, interval: 10 });
  }

  const boardsIn = (channel: string) => h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === channel && c.ok);
  /** DM digests sent to `userId` (conversations.open for them, then a post in that DM). */
  const digestsTo = (userId: string) => h.fake.callsTo('conversations.open').filter((c) => c.args.users === userId && c.ok);
  const runsOf = (teamId: string) => db().select({ job: scheduledRuns.job, status: scheduledRuns.status }).from(scheduledRuns).where(eq(scheduledRuns.teamId, teamId));
  const uninstalledAt = async (teamId: string) => (await db().select({ at: workspaces.uninstalledAt }).from(workspaces).where(eq(workspaces.teamId, teamId)))[0]?.at;

  it('app_uninstalled: answered, the workspace marked uninstalled (the other not), and no Web API call made', async () => {
    h.clock.set(plus(MONDAY, 60 * 60_000));
    const callsBefore = h.fake.calls.length;
    await deliver(appUninstalledEvent());
    expect(await uninstalledAt(TEAM)).toEqual(plus(MONDAY, 60 * 60_000));
    expect(await uninstalledAt(OTHER)).toBeNull();
    await h.settle();
    expect(h.fake.calls.slice(callsBefore)).toEqual([]);
  });

  it('after app_uninstalled the scheduler leaves the workspace alone; its first request after being added again resumes everything', async () => {
    h.clock.set(plus(MONDAY, 60 * 60_000));
    await deliver(appUninstalledEvent());

    const outcomes = await tickDay(TUESDAY_DIGESTS, TUESDAY_BOARDS);
    expect(outcomes.map((o) => `${o.job} ${o.teamId} ${o.status}`).sort()).toEqual([`digest ${OTHER} done`, `leaderboard ${OTHER} done`]);
    expect(boardsIn(OTHER_SALES)).toHaveLength(1);
    expect(boardsIn(SALES)).toEqual([]);
    expect(digestsTo(OTHER_REP)).toHaveLength(1);
    expect(digestsTo(REP)).toEqual([]);
    expect(await runsOf(TEAM)).toEqual([]);

    // Added again on Tuesday at 10:00: its first request (any command) says so.
    h.clock.set(plus(TUESDAY_BOARDS, 60 * 60_000));
    expect((await h.slack.command({ command: '/my-stats', text: '', userId: DEFAULT_USER_ID })).status).toBe(200);
    // Cleared in the background (no request waits on it), within moments.
    await vi.waitFor(async () => expect(await uninstalledAt(TEAM)).toBeNull(), { timeout: 5_000, interval: 50 });
    const reinstall = await db().select().from(auditLog).where(and(eq(auditLog.teamId, TEAM), like(auditLog.action, 'app.%')));
    expect(reinstall.map((r) => r.action).sort()).toEqual(['app.reinstall', 'app.uninstall']);

    // The next tick catches up the day's slots missed meanwhile, as after a downtime (within the 24 h grace window)...
    const back = plus(TUESDAY_BOARDS, 61 * 60_000);
    h.clock.set(back);
    const caughtUp = (await h.bot.scheduler.tick(back)).filter((o) => o.job !== 'retention-purge');
    expect(caughtUp.map((o) => `${o.job} ${o.teamId} ${o.status}`).sort()).toEqual([`digest ${TEAM} done`, `leaderboard ${TEAM} done`]);
    // ...and Wednesday's go out to both workspaces, as before.
    const wednesday = await tickDay(plus(TUESDAY_DIGESTS, DAY), plus(TUESDAY_BOARDS, DAY));
    expect(wednesday.map((o) => `${o.job} ${o.teamId} ${o.status}`).sort()).toEqual([`digest ${TEAM} done`, `digest ${OTHER} done`, `leaderboard ${TEAM} done`, `leaderboard ${OTHER} done`]);
    expect(boardsIn(SALES)).toHaveLength(2);
    expect(digestsTo(REP)).toHaveLength(2);
    // Everything as it was: Monday's calls, by its rep, are on the workspace's board.
    expect(JSON.stringify(boardsIn(SALES)[0]!.args)).toContain(REP);
  });

  it('tokens_revoked with only user tokens changes nothing; with the bot token, it is an uninstall', async () => {
    await deliver(tokensRevokedEvent({ oauth: [REP] }));
    expect(await uninstalledAt(TEAM)).toBeNull();
    const tuesday = await tickDay(TUESDAY_DIGESTS, TUESDAY_BOARDS);
    expect(tuesday.filter((o) => o.teamId === TEAM).map((o) => `${o.job} ${o.status}`).sort()).toEqual(['digest done', 'leaderboard done']);

    h.clock.set(plus(TUESDAY_BOARDS, 60 * 60_000));
    await deliver(tokensRevokedEvent({ oauth: [REP], bot: ['UBOT'] }));
    expect(await uninstalledAt(TEAM)).toEqual(plus(TUESDAY_BOARDS, 60 * 60_000));
    const wednesday = await tickDay(plus(TUESDAY_DIGESTS, DAY), plus(TUESDAY_BOARDS, DAY));
    expect(wednesday.map((o) => `${o.job} ${o.teamId} ${o.status}`).sort()).toEqual([`digest ${OTHER} done`, `leaderboard ${OTHER} done`]);
    expect(boardsIn(SALES)).toHaveLength(1);
  });

  it('a celebration left unposted is not retried in an uninstalled workspace; the other workspace’s is', async () => {
    const WINS = 'C0WINS';
    const OTHER_WINS = 'C0OTHWINS';
    await db().update(workspaces).set({ celebrationsChannel: WINS }).where(eq(workspaces.teamId, TEAM));
    await db().update(workspaces).set({ celebrationsChannel: OTHER_WINS }).where(eq(workspaces.teamId, OTHER));
    // Each claimed by a process that crashed before posting, ten minutes ago (past the claim's lease).
    const leftBehind = plus(MONDAY, -10 * 60_000);
    for (const [teamId, rep, channel] of [[TEAM, REP, WINS], [OTHER, OTHER_REP, OTHER_WINS]] as const) {
      const [deal] = await db()
        .insert(deals)
        .values({ teamId, userId: rep, status: 'won', amountMinor: 500_000n, currency: 'USD', closedAt: leftBehind, account: `Account of ${teamId}`, source: 'import' })
        .returning();
      await db().insert(dealCelebrations).values({ dealId: deal!.id, teamId, channelId: channel, createdAt: leftBehind, updatedAt: leftBehind });
    }
    await deliver(appUninstalledEvent());
    await h.bot.scheduler.tick(MONDAY);
    await h.settle(); // the celebration queue drains as the app stops
    expect(h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === OTHER_WINS && c.ok)).toHaveLength(1);
    expect(h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === WINS)).toEqual([]);
  });

  it('the events again (a Slack retry, both events for one removal): harmless, one audit entry, the first time stands', async () => {
    const first = plus(MONDAY, 60 * 60_000);
    h.clock.set(first);
    await deliver(appUninstalledEvent());
    h.clock.set(plus(first, 60_000));
    await deliver(tokensRevokedEvent({ bot: ['UBOT'] }));
    await deliver(appUninstalledEvent(), { retryNum: 1 });
    expect(await uninstalledAt(TEAM)).toEqual(first);
    const audits = await db().select().from(auditLog).where(and(eq(auditLog.teamId, TEAM), like(auditLog.action, 'app.%')));
    expect(audits.map((a) => a.action)).toEqual(['app.uninstall']);
  });
});

/**
 * Managers' powers, scoped to their teams, end to end: `/my-stats @rep` for a member of a team they manage (and
 * nobody else); scheduling, listing and stopping their teams' boards but never the workspace's or another team's;
 * targets for their teams and their teams' members but never everyone's or another team's; `targets` showing only
 * theirs. Every change with its audit entry (before and after); every refusal storing and posting nothing.
 *
 * Teams and memberships are written to the database directly (sales_teams, sales_team_members).
 */
import { asc, eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { activities, auditLog, leaderboardSchedules, salesTeamMembers, salesTeams, targets } from '../../src/db/schema/index.js';
import { NOT_YOUR_TEAM_TEXT } from '../../src/org/index.js';
import { ensureWorkspace } from '../../src/slack/workspace.js';
import { describeEachDb } from '../helpers/db.js';
import { replyTo, startHarness, type Harness } from '../helpers/harness.js';
import { DEFAULT_TEAM_ID, DEFAULT_USER_ID } from '../helpers/signed-request.js';
import { ackReply } from '../helpers/slack-ui.js';

const TEAM = DEFAULT_TEAM_ID;
const ADMIN = 'U0ADMIN01';
const MIA = 'U0MIA0001'; // manages East AEs
const MAX = 'U0MAX0001'; // manages West
const ANA = DEFAULT_USER_ID; // East AEs
const BEN = 'U0BEN0001'; // East AEs and West
const CAL = 'U0CAL0001'; // West
const EAST_CHANNEL = 'C0EAST';
const SALES = 'C0SALES';
const REP_REFUSAL = ':lock: Only Sales Pulse admins and team managers can use `/sales-admin`. Ask a workspace admin, or your team’s manager.';
const NOT_ALLOWED = ':lock: Sorry, only workspace admins and owners can see someone else’s numbers (and team managers, their own team members’). Your own are one command away: `/my-stats`.';

describeEachDb('manager scope', (getDb) => {
  let h: Harness;
  let east: string;
  let west: string;

  beforeEach(async () => {
    h = await startHarness({ db: getDb() });
    await h.fake.waitFor('auth.test');
    h.fake.addUser({ id: ADMIN, name: 'ada', tz: 'America/New_York', is_admin: true });
    h.fake.addUser({ id: MIA, name: 'mia', tz: 'America/New_York' });
    h.fake.addUser({ id: MAX, name: 'max', tz: 'America/New_York' });
    h.fake.addUser({ id: BEN, name: 'ben', tz: 'America/New_York' });
    h.fake.addUser({ id: CAL, name: 'cal', tz: 'America/New_York' });
    await ensureWorkspace(db(), TEAM, 'example');
    const [e] = await db().insert(salesTeams).values({ teamId: TEAM, name: 'East AEs', nameKey: 'east aes', channelId: EAST_CHANNEL, createdBy: ADMIN }).returning();
    const [w] = await db().insert(salesTeams).values({ teamId: TEAM, name: 'West', nameKey: 'west', channelId: null, createdBy: ADMIN }).returning();
    east = e!.id;
    west = w!.id;
    const member = (salesTeamId: string, userId: string, role: 'member' | 'manager' = 'member') => ({ salesTeamId, teamId: TEAM, userId, role });
    await db().insert(salesTeamMembers).values([member(east, ANA), member(east, BEN), member(east, MIA, 'manager'), member(west, BEN), member(west, CAL), member(west, MAX, 'manager')]);
    const act = (userId: string, quantity: number) => ({ teamId: TEAM, userId, typeKey: 'call', quantity, occurredAt: new Date('2026-11-24T15:00:00Z'), source: 'import' as const });
    await db().insert(activities).values([act(ANA, 11), act(CAL, 37)]);
  });
  afterEach(async () => {
    await h.stop();
  });

  const db = () => getDb().database.db;
  const salesAdmin = (text: string, userId: string) => ackReply(h, { command: '/sales-admin', text, userId });
  const storedSchedules = () => db().select().from(leaderboardSchedules).orderBy(asc(leaderboardSchedules.channelId));
  const storedTargets = () => db().select().from(targets).orderBy(asc(targets.userKey), asc(targets.metric));
  const audit = () => db().select().from(auditLog).where(eq(auditLog.teamId, TEAM)).orderBy(asc(auditLog.createdAt), asc(auditLog.action));
  const posts = () => h.fake.callsTo('chat.postMessage');

  // -------------------------------------------------------------------------------------------
  // /my-stats @rep

  async function myStats(text: string, userId: string) {
    return (await replyTo(h, await h.slack.command({ command: '/my-stats', text, userId }))).args;
  }

  it('a manager sees the numbers of a member of their team, by DM', async () => {
    const note = await myStats(`<@${ANA}|ana> this week`, MIA);
    expect(note.text).toContain('Sent ana’s numbers for This week (Nov 23 – 29) to your DMs.');
    const dm = await h.fake.waitFor('chat.postMessage', (c) => c.args.channel === `D${MIA}`);
    expect(dm.args.text).toContain('11 activities');
    // Ben is in both teams: West's manager may see him too.
    expect((await myStats(`<@${BEN}|ben>`, MAX)).text).toContain('Sent ben’s numbers');
  });

  it('a manager asking for another team’s rep, and a rep asking for a teammate, are refused: no DM, nothing about them sent', async () => {
    expect((await myStats(`<@${CAL}|cal>`, MIA)).text).toBe(NOT_ALLOWED);
    expect((await myStats(`<@${ANA}|ana>`, MAX)).text).toBe(NOT_ALLOWED);
    expect((await myStats(`<@${ANA}|ana>`, BEN)).text).toBe(NOT_ALLOWED);
    // A manager is not a member of their own team: managing it is not being ranked in it.
    expect((await myStats(`<@${MIA}|mia>`, MAX)).text).toBe(NOT_ALLOWED);
    await h.settle();
    expect(posts()).toEqual([]);
    const everything = JSON.stringify(h.fake.calls.map((c) => c.args));
    expect(everything).not.toContain('37 activities');
    expect(everything).not.toContain('11 activities');
  });

  // -------------------------------------------------------------------------------------------
  // scheduled boards

  it('a manager cannot schedule the workspace board, another team’s, or over another board; nothing posted or stored', async () => {
    expect((await salesAdmin(`leaderboard <#${SALES}|sales> weekly`, MIA)).text).toContain('Only Sales Pulse admins can schedule the whole workspace’s leaderboard');
    expect((await salesAdmin('leaderboard "West" #sales weekly', MIA)).text).toBe(NOT_YOUR_TEAM_TEXT);
    expect((await salesAdmin(`leaderboard West <#${SALES}|sales>`, MIA)).text).toBe(NOT_YOUR_TEAM_TEXT);
    expect((await salesAdmin('leaderboard "North" weekly', MIA)).text).toBe(
      ':warning: There is no team called “North”. The teams are “East AEs”, “West”.\nTry: `/sales-admin leaderboard "East AEs" weekly mon 09:00`',
    );
    // West has no home channel: say where.
    expect((await salesAdmin('leaderboard West weekly', MAX)).text).toBe(
      ':warning: West has no home channel, so say where to post its board.\nTry: `/sales-admin leaderboard "West" #channel weekly mon 09:00`',
    );
    expect((await salesAdmin('leaderboard "East AEs" weekly', ANA)).text).toBe(REP_REFUSAL);
    expect(await storedSchedules()).toEqual([]);
    // The admin's workspace board in #sales: a manager may neither replace nor stop it.
    await salesAdmin(`leaderboard <#${SALES}|sales> weekly`, ADMIN);
    h.fake.reset();
    expect((await salesAdmin(`leaderboard "East AEs" <#${SALES}|sales> daily`, MIA)).text).toBe(
      `:lock: <#${SALES}> already has the whole workspace’s scheduled leaderboard, and only an admin can replace it. Pick another channel.`,
    );
    expect((await salesAdmin(`leaderboard <#${SALES}|sales> off`, MIA)).text).toBe(NOT_YOUR_TEAM_TEXT);
    expect((await salesAdmin(`leaderboard "East AEs" <#${SALES}|sales> off`, MIA)).text).toContain('is not East AEs’s, so I left it');
    await h.settle();
    expect(posts()).toEqual([]);
    expect((await storedSchedules()).map((s) => [s.channelId, s.salesTeamId, s.cadence])).toEqual([[SALES, null, 'weekly']]);
  });

  it('a manager schedules, lists and stops their team’s board; the list shows theirs only; each change audited', async () => {
    await salesAdmin(`leaderboard <#${SALES}|sales> weekly`, ADMIN);
    h.clock.advance(60_000);
    const set = await salesAdmin('leaderboard "East AEs" daily 08:00 America/New_York', MIA);
    expect(set.text).toContain(`:white_check_mark: Daily East AEs leaderboard scheduled in <#${EAST_CHANNEL}>: every day at 08:00 (America/New_York)`);
    expect(posts().filter((c) => c.args.channel === EAST_CHANNEL).map((c) => c.args.text)).toEqual([
      `:trophy: Daily East AEs leaderboard will be posted here every day at 08:00 (America/New_York), covering the day before. Set by <@${MIA}>.`,
    ]);
    h.clock.advance(60_000);
    await salesAdmin(`leaderboard West <#C0WEST|west> weekly fri 16:00 America/New_York`, MAX);

    const mine = await salesAdmin('leaderboards', MIA);
    expect(String(mine.text).split('\n')).toEqual([
      '*Scheduled leaderboards of your teams* (1)',
      `• <#${EAST_CHANNEL}> (East AEs): daily, every day at 08:00 (America/New_York). Next: Sat, Nov 28, 2026 at 08:00 EST`,
    ]);
    const all = String((await salesAdmin('leaderboards', ADMIN)).text).split('\n');
    expect(all[0]).toBe('*Scheduled leaderboards* (3)');
    expect(all.slice(1).map((l) => l.split(':')[0])).toEqual([`• <#${SALES}> (whole workspace)`, `• <#${EAST_CHANNEL}> (East AEs)`, '• <#C0WEST> (West)']);

    // MAX cannot stop East's board; MIA can.
    expect((await salesAdmin(`leaderboard <#${EAST_CHANNEL}|east> off`, MAX)).text).toBe(NOT_YOUR_TEAM_TEXT);
    h.clock.advance(60_000);
    expect((await salesAdmin('leaderboard "East AEs" off', MIA)).text).toBe(`:white_check_mark: The scheduled East AEs leaderboard in <#${EAST_CHANNEL}> is off.`);
    expect((await storedSchedules()).map((s) => [s.channelId, s.salesTeamId])).toEqual([
      [SALES, null],
      ['C0WEST', west],
    ]);

    const rows = await audit();
    expect(rows.map((r) => [r.action, r.actorId, r.subject])).toEqual([
      ['schedule.set', ADMIN, `<#${SALES}>`],
      ['schedule.set', MIA, `<#${EAST_CHANNEL}>`],
      ['schedule.set', MAX, '<#C0WEST>'],
      ['schedule.remove', MIA, `<#${EAST_CHANNEL}>`],
    ]);
    expect(rows[0]).toMatchObject({ before: null, after: { channel: SALES, salesTeamId: null, cadence: 'weekly', weekday: 1, timeOfDay: '09:00' } });
    expect(rows[1]).toMatchObject({ before: null, after: { channel: EAST_CHANNEL, salesTeamId: east, salesTeam: 'East AEs', cadence: 'daily', timeOfDay: '08:00', timeZone: 'America/New_York' } });
    expect(rows[3]).toMatchObject({ before: { channel: EAST_CHANNEL, salesTeamId: east, cadence: 'daily' }, after: null });
  });

  it('rescheduling a channel records the schedule before and after', async () => {
    await salesAdmin('leaderboard "East AEs" daily 08:00 America/New_York', MIA);
    h.clock.advance(60_000);
    expect((await salesAdmin('leaderboard "East AEs" weekly mon 09:00 America/New_York', MIA)).text).toContain('It replaces the schedule that channel had.');
    const rows = await audit();
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({
      action: 'schedule.set',
      before: { channel: EAST_CHANNEL, cadence: 'daily', timeOfDay: '08:00' },
      after: { channel: EAST_CHANNEL, cadence: 'weekly', weekday: 1, timeOfDay: '09:00' },
    });
    expect((await storedSchedules()).map((s) => [s.cadence, s.salesTeamId])).toEqual([['weekly', east]]);
  });

  // -------------------------------------------------------------------------------------------
  // targets

  it('a manager sets targets for their team and its members; never everyone’s, another team’s or another team’s rep', async () => {
    expect((await salesAdmin(`target <@${ANA}|ana> calls 30/week`, MIA)).text).toBe(
      `:white_check_mark: Target set for <@${ANA}>: 30 calls a week.\nSee them all with \`/sales-admin targets\`.`,
    );
    expect((await salesAdmin('target team "East AEs" demos 4/week', MIA)).text).toContain('Target set for East AEs: 4 demos a week.');
    expect((await salesAdmin(`target <@${CAL}|cal> calls 30/week`, MIA)).text).toBe(NOT_YOUR_TEAM_TEXT);
    expect((await salesAdmin(`target <@${MIA}|mia> calls 30/week`, MIA)).text).toBe(NOT_YOUR_TEAM_TEXT);
    expect((await salesAdmin('target team West calls 30/week', MIA)).text).toBe(NOT_YOUR_TEAM_TEXT);
    expect((await salesAdmin('target everyone calls 30/week', MIA)).text).toContain('Only Sales Pulse admins can set targets for everyone');
    expect((await salesAdmin('target team "North" calls 30/week', MIA)).text).toBe(
      ':warning: There is no team called “North”. The teams are “East AEs”, “West”.\nTry: `/sales-admin target team "East AEs" calls 50/week`',
    );
    expect((await salesAdmin('target team "East AEs" calls 50', MIA)).text).toBe(
      ':warning: Say the period after the amount: `/week`, `/month` or `/quarter`.\nTry: `/sales-admin target team "East AEs" calls 50/week`',
    );
    expect((await salesAdmin('target team "East AEs" calls 50/week', ANA)).text).toBe(REP_REFUSAL);
    // Ben is in both teams: West's manager may set his target too.
    expect((await salesAdmin(`target <@${BEN}|ben> calls 12/week`, MAX)).text).toContain(`Target set for <@${BEN}>`);
    expect((await storedTargets()).map((t) => [t.userKey, t.metric, t.amount, t.createdBy])).toEqual([
      [BEN, 'call', 12n, MAX],
      [ANA, 'call', 30n, MIA],
      [`team:${east}`, 'demo', 4n, MIA],
    ]);
    // Removing: only theirs.
    expect((await salesAdmin(`target <@${BEN}|ben> calls off`, MIA)).text).toBe(
      `:white_check_mark: Removed the calls target for <@${BEN}>. Their team’s target for it applies to them again, or else the everyone target, if there is one.`,
    );
    expect((await salesAdmin('target team "East AEs" demos off', MAX)).text).toBe(NOT_YOUR_TEAM_TEXT);
    expect((await storedTargets()).map((t) => t.userKey)).toEqual([ANA, `team:${east}`]);
  });

  it('`targets`: a manager sees the everyone targets and their teams’ and members’ only; an admin sees all, by team', async () => {
    await salesAdmin('target everyone calls 50/week', ADMIN);
    await salesAdmin(`target <@${ANA}|ana> calls 30/week`, ADMIN);
    await salesAdmin(`target <@${CAL}|cal> calls 40/week`, ADMIN);
    await salesAdmin('target team West demos 2/week', ADMIN);
    await salesAdmin('target team "East AEs" demos 4/week', ADMIN);
    expect(String((await salesAdmin('targets', MIA)).text).split('\n')).toEqual([
      '*Targets for your teams* (3)',
      '• Everyone: 50 calls a week',
      '• Team East AEs: 4 demos a week',
      `• <@${ANA}> (East AEs): 30 calls a week`,
    ]);
    expect(String((await salesAdmin('targets', ADMIN)).text).split('\n')).toEqual([
      '*Targets* (5)',
      '• Everyone: 50 calls a week',
      '• Team East AEs: 4 demos a week',
      '• Team West: 2 demos a week',
      `• <@${CAL}> (West): 40 calls a week`,
      `• <@${ANA}> (East AEs): 30 calls a week`,
    ]);
  });

  it('every target change is audited with the value before and after, the admin’s too; a refused change records nothing', async () => {
    await salesAdmin(`target <@${ANA}|ana> calls 30/week`, ADMIN);
    h.clock.advance(60_000);
    await salesAdmin(`target <@${ANA}|ana> calls 35/week`, MIA);
    h.clock.advance(60_000);
    await salesAdmin('target team "East AEs" revenue $40k/month', MIA);
    h.clock.advance(60_000);
    await salesAdmin(`target <@${ANA}|ana> calls off`, MIA);
    h.clock.advance(60_000);
    await salesAdmin('target everyone calls 30/week', MIA); // refused
    await salesAdmin(`target <@${CAL}|cal> calls 30/week`, MIA); // refused
    await salesAdmin(`target <@${CAL}|cal> calls off`, ADMIN); // nothing to remove
    const rows = await audit();
    expect(rows.map((r) => [r.action, r.actorId, r.subject, r.before, r.after])).toEqual([
      ['target.set', ADMIN, `<@${ANA}>`, null, { metric: 'call', amount: '30', currency: null, period: 'week' }],
      ['target.set', MIA, `<@${ANA}>`, { metric: 'call', amount: '30', currency: null, period: 'week' }, { metric: 'call', amount: '35', currency: null, period: 'week' }],
      ['target.set', MIA, 'team East AEs', null, { metric: 'revenue', amount: '4000000', currency: 'USD', period: 'month' }],
      ['target.remove', MIA, `<@${ANA}>`, { metric: 'call', amount: '35', currency: null, period: 'week' }, null],
    ]);
  });
});

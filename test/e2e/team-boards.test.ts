/**
 * Team-scoped boards end to end: `/leaderboard [team] [period]` ranks within a sales team with the team's medians
 * (and anyone may view it); someone in no team still counts on the workspace board; a person in two teams is on
 * both; unknown teams are named in a clear error; the Post to channel button of a team board (its managers and
 * admins only, re-checked on the server from the role, whatever the value says); a manager's scheduled team board
 * posted once in the team's home channel by the scheduler; team targets on team boards and their precedence.
 *
 * Teams and memberships are written to the database directly (sales_teams, sales_team_members).
 * "Now" is Friday Nov 27 2026, 10:00 in New York: this week is Mon Nov 23 – Sun Nov 29.
 */
import { asc, eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { activities, deals, leaderboardSchedules, salesTeamMembers, salesTeams, scheduledRuns, users } from '../../src/db/schema/index.js';
import { effectiveTargets } from '../../src/features/targets/queries.js';
import { ensureWorkspace } from '../../src/slack/workspace.js';
import { describeEachDb } from '../helpers/db.js';
import type { RecordedCall } from '../helpers/fake-slack.js';
import { newResponseUrl, startHarness, type Harness } from '../helpers/harness.js';
import { blockAction, DEFAULT_CHANNEL_ID, DEFAULT_TEAM_ID, DEFAULT_USER_ID } from '../helpers/signed-request.js';
import { ackReply } from '../helpers/slack-ui.js';

type Block = Record<string, any>;

const TEAM = DEFAULT_TEAM_ID;
const ADMIN = 'U0ADMIN01';
const MIA = 'U0MIA0001'; // manages East AEs
const MAX = 'U0MAX0001'; // manages West
const ANA = DEFAULT_USER_ID; // East AEs
const BEN = 'U0BEN0001'; // East AEs and West
const CAL = 'U0CAL0001'; // West
const DEE = 'U0DEE0001'; // in no team
const EAST_CHANNEL = 'C0EAST';
const POST_ACTION = 'leaderboard_post_to_channel';
/** Monday Nov 30 2026, 09:00 in New York. */
const SLOT = new Date('2026-11-30T14:00:00.000Z');

describeEachDb('team boards', (getDb) => {
  let h: Harness;
  let east: string;
  let west: string;

  beforeEach(async () => {
    h = await startHarness({ db: getDb() });
    await h.fake.waitFor('auth.test');
    h.fake.addUser({ id: ADMIN, name: 'ada', real_name: 'Ada Admin', tz: 'America/New_York', is_admin: true });
    h.fake.addUser({ id: MIA, name: 'mia', real_name: 'Mia Manager', tz: 'America/New_York' });
    h.fake.addUser({ id: MAX, name: 'max', real_name: 'Max Manager', tz: 'America/New_York' });
    h.fake.addUser({ id: BEN, name: 'ben', real_name: 'ben', tz: 'America/New_York' });
    h.fake.addUser({ id: CAL, name: 'cal', real_name: 'cal', tz: 'America/New_York' });
    h.fake.addUser({ id: DEE, name: 'dee', real_name: 'dee', tz: 'America/New_York' });
    await ensureWorkspace(db(), TEAM, 'example');
    [east, west] = await addTeams();
    await seedWeek();
  });
  afterEach(async () => {
    await h.stop();
  });

  const db = () => getDb().database.db;

  async function addTeams(): Promise<[string, string]> {
    const [e] = await db().insert(salesTeams).values({ teamId: TEAM, name: 'East AEs', nameKey: 'east aes', channelId: EAST_CHANNEL, createdBy: ADMIN }).returning();
    const [w] = await db().insert(salesTeams).values({ teamId: TEAM, name: 'West', nameKey: 'west', channelId: null, createdBy: ADMIN }).returning();
    const member = (salesTeamId: string, userId: string, role: 'member' | 'manager' = 'member') => ({ salesTeamId, teamId: TEAM, userId, role });
    await db()
      .insert(salesTeamMembers)
      .values([member(e!.id, ANA), member(e!.id, BEN), member(e!.id, MIA, 'manager'), member(w!.id, BEN), member(w!.id, CAL), member(w!.id, MAX, 'manager')]);
    return [e!.id, w!.id];
  }

  /**
   * This week: Ana 10 calls and $5,000 won; Ben 4 calls; Cal 30 calls; Dee (no team) 40 calls and $9,000 won.
   * Workspace medians: 20 activities (10, 30), $2,500 (0, 5,000): Ana is an efficient closer there.
   * East AEs medians: 7 activities (4, 10), $2,500 (0, 5,000): Ana leads on both there.
   */
  async function seedWeek(): Promise<void> {
    const act = (userId: string, quantity: number) => ({ teamId: TEAM, userId, typeKey: 'call', quantity, occurredAt: new Date('2026-11-24T15:00:00Z'), source: 'import' as const });
    await db().insert(activities).values([act(ANA, 10), act(BEN, 4), act(CAL, 30), act(DEE, 40)]);
    const won = (userId: string, minor: bigint) => ({ teamId: TEAM, userId, status: 'won' as const, amountMinor: minor, currency: 'USD', closedAt: new Date('2026-11-25T15:00:00Z'), source: 'import' as const });
    await db().insert(deals).values([won(ANA, 500_000n), won(DEE, 900_000n)]);
    // Known since before this week (targets are prorated from when Sales Pulse first saw a person).
    const known = (userId: string, displayName: string) => ({ teamId: TEAM, userId, displayName, timeZone: 'America/New_York', joinedAt: null, fetchedAt: new Date('2026-11-27T14:59:00Z') });
    await db().insert(users).values([known(ANA, 'ana'), known(BEN, 'ben'), known(CAL, 'cal'), known(DEE, 'dee')]);
  }

  const leaderboard = (text: string, userId = CAL) => ackReply(h, { command: '/leaderboard', text, userId });
  const header = (reply: Block) => (reply.blocks as Block[]).find((b) => b.type === 'header')?.text.text as string;
  /** The table's rows as [position, name, revenue rank, activity rank]. */
  const tableRows = (reply: Block) => {
    const table = (reply.blocks as Block[]).find((b) => b.type === 'table')!;
    const head = table.rows[0].map((c: Block) => c.text) as string[];
    return (table.rows.slice(1) as Block[][]).map((r) => [r[0]!.text, r[1]!.text, r[head.indexOf('Rev rank')]!.text, r[head.indexOf('Act rank')]!.text]);
  };
  const insights = (reply: Block) => String((reply.blocks as Block[]).find((b) => b.type === 'section' && b.text?.type === 'plain_text')?.text.text ?? '');
  const button = (reply: Block) => (reply.blocks as Block[]).flatMap((b) => b.elements ?? []).find((e: Block) => e.action_id === POST_ACTION) as Block;

  it('a team board ranks within the team and its insights compare with the team’s medians; anyone may view it', async () => {
    const team = await leaderboard('"East AEs"');
    expect(header(team)).toBe('East AEs leaderboard');
    expect(tableRows(team)).toEqual([
      ['1', 'ana', '1', '1'],
      ['2', 'ben', '2', '2'],
    ]);
    // Ana, 10 activities against the team's median of 7: leading on both.
    expect(insights(team)).toContain(':trophy: ana is leading on both: most revenue ($5,000.00) and most activities (10).');
    expect(team.text).toContain('East AEs leaderboard, This week');

    // The workspace board: everyone, Dee (in no team) first; Ana below the workspace's activity median of 20.
    const all = await leaderboard('');
    expect(header(all)).toBe('Sales Pulse leaderboard');
    expect(tableRows(all)).toEqual([
      ['1', 'dee', '1', '1'],
      ['2', 'ana', '2', '3'],
      ['3', 'cal', '3', '2'],
      ['4', 'ben', '3', '4'],
    ]);
    expect(insights(all)).toContain(':dart: ana is an efficient closer');
    expect(insights(all)).not.toContain('ana is leading on both');
  });

  it('a person in two teams is on both boards; unquoted and curly-quoted names, then the period', async () => {
    const west1 = await leaderboard('“West” this week', ANA);
    expect(header(west1)).toBe('West leaderboard');
    expect(tableRows(west1).map((r) => r[1])).toEqual(['cal', 'ben']);
    const east1 = await leaderboard('east aes this week', DEE);
    expect(tableRows(east1).map((r) => r[1])).toEqual(['ana', 'ben']);
    const lastWeek = await leaderboard('East AEs last week');
    expect(header(lastWeek)).toBe('East AEs leaderboard');
    expect(JSON.stringify(lastWeek.blocks)).toContain('Last week (Nov 16 – 22)');
    expect(lastWeek.blocks.find((b: Block) => b.type === 'table')).toBeUndefined();
    expect(JSON.parse(button(lastWeek).value)).toEqual({ period: 'last week', salesTeamId: east });
  });

  it('an unknown team gets a clear error naming the teams; nothing is posted', async () => {
    const quoted = await leaderboard('"North" last week');
    expect(quoted.text).toBe(':warning: There is no team called “North”. The teams are “East AEs”, “West”.\nTry: `/leaderboard "East AEs" last week`');
    expect(quoted.blocks.find((b: Block) => b.type === 'table')).toBeUndefined();
    const unquoted = await leaderboard('Nort last week');
    expect(unquoted.text).toContain('If you meant a team, its name goes first; the teams are “East AEs”, “West”.');
    expect((await leaderboard('"East AEs last week')).text).toContain('needs its closing quote');
    await h.settle();
    expect(h.fake.callsTo('chat.postMessage')).toEqual([]);
  });

  async function clickPost(userId: string, value: string) {
    const url = newResponseUrl(h);
    const res = await h.slack.interaction(blockAction({ actionId: POST_ACTION, value, userId, channelId: DEFAULT_CHANNEL_ID, responseUrl: url.url }));
    expect(res.status).toBe(200);
    return (await h.fake.waitFor('response_url', (c) => c.responseUrlId === url.id)).args;
  }
  const boardPosts = () => h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === DEFAULT_CHANNEL_ID);

  it('Post to channel: a team’s manager posts their team’s board; the team’s name heads the post', async () => {
    const value = button(await leaderboard('"East AEs"', MIA)).value as string;
    const notice = await clickPost(MIA, value);
    expect(notice.text).toBe(':white_check_mark: Posted the East AEs leaderboard (This week (Nov 23 – 29)) to <#' + DEFAULT_CHANNEL_ID + '>.');
    const posts = boardPosts();
    expect(posts).toHaveLength(1);
    expect(posts[0]!.args.blocks[0].text.text).toBe('East AEs leaderboard');
    expect(tableRows(posts[0]!.args).map((r) => r[1])).toEqual(['ana', 'ben']);
  });

  it('forged Post to channel values post nothing: a rep, another team’s manager, a manager on the workspace board, a bogus id', async () => {
    const eastValue = JSON.stringify({ period: 'this week', salesTeamId: east });
    const teamRefusal = ":lock: Only Sales Pulse admins and the team's managers can post a team's leaderboard to a channel.";
    expect((await clickPost(ANA, eastValue)).text).toBe(teamRefusal); // a member, not a manager
    expect((await clickPost(MAX, eastValue)).text).toBe(teamRefusal); // manages West, not East
    expect((await clickPost(MIA, JSON.stringify({ period: 'this week' }))).text).toBe(':lock: Only workspace admins and owners can post the leaderboard to a channel.');
    expect((await clickPost(MIA, JSON.stringify({ period: 'this week', salesTeamId: '00000000-0000-0000-0000-000000000000' }))).text).toBe(teamRefusal);
    expect((await clickPost(MIA, JSON.stringify({ period: 'this week', salesTeamId: ['x'] }))).text).toBe(teamRefusal);
    expect((await clickPost(MIA, JSON.stringify({ period: 'this week', salesTeamId: "' or 1=1 --" }))).text).toBe(teamRefusal);
    await h.settle();
    expect(h.fake.callsTo('chat.postMessage')).toEqual([]);
  });

  it('an admin may post any team’s board (so the refusals above are the role)', async () => {
    const notice = await clickPost(ADMIN, JSON.stringify({ period: 'this week', salesTeamId: west }));
    expect(notice.text).toContain('Posted the West leaderboard');
    expect(boardPosts()[0]!.args.blocks[0].text.text).toBe('West leaderboard');
  });

  it('a manager schedules their team’s board: in its home channel by default, posted there by the scheduler exactly once, ranked within the team', async () => {
    const reply = await ackReply(h, { command: '/sales-admin', text: 'leaderboard "East AEs" weekly mon 09:00 America/New_York', userId: MIA });
    expect(reply.text).toBe(
      `:white_check_mark: Weekly East AEs leaderboard scheduled in <#${EAST_CHANNEL}>: every Monday at 09:00 (America/New_York), covering the previous full week.\n` +
        'Next: Mon, Nov 30, 2026 at 09:00 EST. Stop it with `/sales-admin leaderboard "East AEs" off`.',
    );
    const [stored] = await db().select().from(leaderboardSchedules);
    expect(stored).toMatchObject({ channelId: EAST_CHANNEL, salesTeamId: east, cadence: 'weekly', weekday: 1, timeOfDay: '09:00', createdBy: MIA });
    h.fake.reset();

    h.clock.set(SLOT);
    expect((await h.bot.scheduler.tick(SLOT)).map((o) => o.status)).toEqual(['done']);
    h.clock.set(new Date(SLOT.getTime() + 60_000));
    expect(await h.bot.scheduler.tick(new Date(SLOT.getTime() + 60_000))).toEqual([]);
    const posts = h.fake.callsTo('chat.postMessage').filter((c: RecordedCall) => c.args.channel === EAST_CHANNEL);
    expect(posts).toHaveLength(1);
    const blocks = posts[0]!.args.blocks as Block[];
    expect(blocks[0]!.text.text).toBe('East AEs leaderboard');
    expect(tableRows({ blocks })).toEqual([
      ['1', 'ana', '1', '1'],
      ['2', 'ben', '2', '2'],
    ]);
    expect(h.fake.callsTo('chat.postMessage').filter((c: RecordedCall) => c.args.channel !== EAST_CHANNEL && !c.args.thread_ts)).toEqual([]);
    expect(await db().select().from(scheduledRuns).orderBy(asc(scheduledRuns.claimedAt))).toMatchObject([{ status: 'done' }]);
  });

  it('team targets on team boards: a rep’s own target, else their team’s (the most recently set, in two teams), else everyone’s', async () => {
    const admin = (text: string) => ackReply(h, { command: '/sales-admin', text, userId: ADMIN });
    expect((await admin('target everyone calls 100/week')).text).toContain('Target set for everyone');
    expect((await admin('target team "East AEs" calls 20/week')).text).toBe(
      ':white_check_mark: Target set for East AEs: 20 calls a week. It applies to every member of East AEs without their own calls target, instead of the everyone target.\nSee them all with `/sales-admin targets`.',
    );
    h.clock.advance(60_000);
    await admin('target team West calls 8/week');
    await admin(`target <@${CAL}|cal> calls 60/week`);

    const stored = await effectiveTargets(db(), TEAM, BEN);
    expect(stored.map((t) => [t.userKey, t.amount])).toEqual([[`team:${west}`, 8n]]); // West set last
    expect((await effectiveTargets(db(), TEAM, ANA)).map((t) => [t.userKey, t.amount])).toEqual([[`team:${east}`, 20n]]);
    expect((await effectiveTargets(db(), TEAM, CAL)).map((t) => [t.userKey, t.amount])).toEqual([[CAL, 60n]]);
    expect((await effectiveTargets(db(), TEAM, DEE)).map((t) => [t.userKey, t.amount])).toEqual([['*', 100n]]);

    const percentColumn = (reply: Block) => {
      const table = (reply.blocks as Block[]).find((b) => b.type === 'table')!;
      const idx = (table.rows[0] as Block[]).findIndex((c) => c.text === '% of target');
      return (table.rows.slice(1) as Block[][]).map((r) => [r[1]!.text, r[idx]!.text]);
    };
    // Ana 10 of East's 20; Ben 4 of West's 8 (set after East's).
    expect(percentColumn(await leaderboard('"East AEs"'))).toEqual([
      ['ana', '50%'],
      ['ben', '50%'],
    ]);
    // Cal 30 of her own 60; Dee 40 of everyone's 100.
    expect(percentColumn(await leaderboard(''))).toEqual([
      ['dee', '40%'],
      ['ana', '50%'],
      ['cal', '50%'],
      ['ben', '50%'],
    ]);

    // East's target set again, now the most recent: it applies to Ben again.
    h.clock.advance(60_000);
    await admin('target team "East AEs" calls 40/week');
    expect((await effectiveTargets(db(), TEAM, BEN)).map((t) => [t.userKey, t.amount])).toEqual([[`team:${east}`, 40n]]);
    expect(percentColumn(await leaderboard('"East AEs"'))).toEqual([
      ['ana', '25%'],
      ['ben', '10%'],
    ]);
    // Removing it: Ben falls back to West's, Ana to everyone's.
    expect((await admin('target team "East AEs" calls off')).text).toBe(
      ':white_check_mark: Removed the calls target for East AEs. The everyone target for it applies to its members again, if there is one.',
    );
    expect((await effectiveTargets(db(), TEAM, BEN)).map((t) => t.amount)).toEqual([8n]);
    expect((await effectiveTargets(db(), TEAM, ANA)).map((t) => t.amount)).toEqual([100n]);
  });

  it('a team schedule whose team was deleted posts nothing (never the workspace board in its channel)', async () => {
    const setAt = new Date('2026-11-27T12:00:00Z');
    await db().insert(leaderboardSchedules).values({ teamId: TEAM, channelId: EAST_CHANNEL, salesTeamId: east, cadence: 'weekly', weekday: 1, timeOfDay: '09:00', timeZone: 'America/New_York', createdBy: MIA, createdAt: setAt, updatedAt: setAt });
    await db().delete(salesTeams).where(eq(salesTeams.id, east));
    h.clock.set(SLOT);
    expect(await h.bot.scheduler.tick(SLOT)).toEqual([]);
    await h.settle();
    expect(h.fake.callsTo('chat.postMessage')).toEqual([]);
  });
});

/**
 * Targets end to end: `/sales-admin target …` and `targets` (set, replace, override, remove, list; admins only),
 * loadTargetProgress against hand-computed fixtures (overrides, proration, time zones, exact money), and the
 * leaderboard's "% of target" column, through /leaderboard when targets exist and not otherwise.
 *
 * "Now" is Friday Nov 27 2026, 10:00 in New York (15:00 UTC). This week is Mon Nov 23 – Sun Nov 29: Mon–Thu are
 * over, 1 of 5 working days left. November has 21 working days, 19 of them over; Q4 2026 has 66.
 */
import { parse } from 'csv-parse/sync';
import { and, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { activities, deals, targets, users } from '../../src/db/schema/index.js';
import { boardCsv, renderBoard } from '../../src/features/leaderboard/render.blocks.js';
import type { ActivityTypeDef } from '../../src/entries/activity-types.js';
import { loadTargetProgress } from '../../src/features/targets/progress.js';
import { effectiveTargets, upsertTarget } from '../../src/features/targets/queries.js';
import { ADMIN_CHECK_MAX_AGE_MS, PERMISSION_CHECK_UNAVAILABLE_TEXT, USER_LOOKUP_FAILURE_TTL_MS } from '../../src/slack/user-directory.js';
import { ensureWorkspace } from '../../src/slack/workspace.js';
import { makeBoard, makeReps } from '../helpers/board-fixture.js';
import { describeEachDb } from '../helpers/db.js';
import type { RecordedCall } from '../helpers/fake-slack.js';
import { replyTo, startHarness, type Harness } from '../helpers/harness.js';
import { DEFAULT_TEAM_ID, DEFAULT_USER_ID } from '../helpers/signed-request.js';
import { ackReply } from '../helpers/slack-ui.js';

type Block = Record<string, any>;

const ADMIN = 'U0ADMIN01';
const OWNER = 'U0OWNER01';
const BO = 'U0BO00001';
const CY = 'U0CY00001';
const ANA_MENTION = `<@${DEFAULT_USER_ID}|ana>`;
const BO_MENTION = `<@${BO}|bo>`;
const NOW = new Date('2026-11-27T15:00:00Z');
const NOT_ADMIN = ':lock: Only Sales Pulse admins and team managers can use `/sales-admin`. Ask a workspace admin, or your team’s manager.';
const SEE_ALL = '\nSee them all with `/sales-admin targets`.';

const act = (userId: string, typeKey: string, quantity: number, at: string, extra: Partial<typeof activities.$inferInsert> = {}) => ({
  teamId: DEFAULT_TEAM_ID,
  userId,
  typeKey,
  quantity,
  occurredAt: new Date(at),
  source: 'import' as const,
  ...extra,
});
const deal = (userId: string, minor: bigint, currency: string, at: string, extra: Partial<typeof deals.$inferInsert> = {}) => ({
  teamId: DEFAULT_TEAM_ID,
  userId,
  status: 'won' as const,
  amountMinor: minor,
  currency,
  closedAt: new Date(at),
  source: 'import' as const,
  ...extra,
});

// ---------------------------------------------------------------------------------------------
// the admin commands

describeEachDb('targets: /sales-admin target and targets', (getDb) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ db: getDb(), now: NOW });
    h.fake.addUser({ id: ADMIN, name: 'ada', tz: 'America/New_York', is_admin: true });
    h.fake.addUser({ id: OWNER, name: 'olu', tz: 'Europe/London', is_owner: true });
  });
  afterEach(async () => {
    await h.stop();
  });

  const db = () => getDb().database.db;
  const storedTargets = () => db().select().from(targets).where(eq(targets.teamId, DEFAULT_TEAM_ID));

  async function salesAdmin(text: string, userId = ADMIN): Promise<RecordedCall['args']> {
    // The answer is the ack's body: what it says was stored is stored when it arrives.
    return ackReply(h, { command: '/sales-admin', text, userId });
  }

  it('an admin sets a rep’s activity target: saved, confirmed privately', async () => {
    const reply = await salesAdmin(`target ${ANA_MENTION} calls 50/week`);
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toBe(`:white_check_mark: Target set for <@${DEFAULT_USER_ID}>: 50 calls a week.${SEE_ALL}`);
    const rows = await storedTargets();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ userKey: DEFAULT_USER_ID, metric: 'call', amount: 50n, currency: null, period: 'week', createdBy: ADMIN });
  });

  it('a revenue quota is stored exactly in minor units of its currency; an owner may set targets too', async () => {
    expect((await salesAdmin(`target ${ANA_MENTION} revenue $40k/month`, OWNER)).text).toBe(
      `:white_check_mark: Target set for <@${DEFAULT_USER_ID}>: $40,000.00 revenue a month.${SEE_ALL}`,
    );
    expect((await salesAdmin(`target ${BO_MENTION} revenue 90000.50 EUR/quarter`)).text).toBe(
      `:white_check_mark: Target set for <@${BO}>: €90,000.50 revenue a quarter.${SEE_ALL}`,
    );
    const rows = await storedTargets();
    expect(rows.find((r) => r.userKey === DEFAULT_USER_ID)).toMatchObject({ metric: 'revenue', amount: 4_000_000n, currency: 'USD', period: 'month', createdBy: OWNER });
    expect(rows.find((r) => r.userKey === BO)).toMatchObject({ metric: 'revenue', amount: 9_000_050n, currency: 'EUR', period: 'quarter' });
  });

  it('an everyone target, and a rep’s own target overrides it for that metric only', async () => {
    expect((await salesAdmin('target everyone demos 5/week')).text).toBe(
      `:white_check_mark: Target set for everyone: 5 demos a week. It applies to every rep without their own demos target.${SEE_ALL}`,
    );
    await salesAdmin('target everyone calls 50/week');
    await salesAdmin(`target ${ANA_MENTION} calls 60/week`);

    const forAna = await effectiveTargets(db(), DEFAULT_TEAM_ID, DEFAULT_USER_ID);
    expect(forAna.map((t) => [t.metric, t.userKey, t.amount])).toEqual([
      ['call', DEFAULT_USER_ID, 60n],
      ['demo', '*', 5n],
    ]);
    const forBo = await effectiveTargets(db(), DEFAULT_TEAM_ID, BO);
    expect(forBo.map((t) => [t.metric, t.userKey, t.amount])).toEqual([
      ['call', '*', 50n],
      ['demo', '*', 5n],
    ]);
    expect(await effectiveTargets(db(), 'T0OTHER', DEFAULT_USER_ID)).toEqual([]);
  });

  it('setting the same target again replaces it, and says what it replaced', async () => {
    await salesAdmin(`target ${ANA_MENTION} calls 50/week`);
    const reply = await salesAdmin(`target ${ANA_MENTION} calls 200 per month`);
    expect(reply.text).toBe(`:white_check_mark: Target set for <@${DEFAULT_USER_ID}>: 200 calls a month. It replaces 50 calls a week.${SEE_ALL}`);
    const rows = await storedTargets();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ amount: 200n, period: 'month' });
  });

  it('off removes a target; the everyone target applies again; removing what is not there says so', async () => {
    await salesAdmin('target everyone calls 50/week');
    await salesAdmin(`target ${ANA_MENTION} calls 60/week`);
    expect((await salesAdmin(`target ${ANA_MENTION} calls off`)).text).toBe(
      `:white_check_mark: Removed the calls target for <@${DEFAULT_USER_ID}>. The everyone target for it applies to them again, if there is one.`,
    );
    expect((await effectiveTargets(db(), DEFAULT_TEAM_ID, DEFAULT_USER_ID)).map((t) => [t.userKey, t.amount])).toEqual([['*', 50n]]);
    expect((await salesAdmin(`target ${ANA_MENTION} calls off`)).text).toBe(
      `:information_source: There is no calls target for <@${DEFAULT_USER_ID}>, so there was nothing to remove. See them all with \`/sales-admin targets\`.`,
    );
    expect((await salesAdmin('target everyone calls off')).text).toBe(':white_check_mark: Removed the calls target for everyone.');
    expect(await storedTargets()).toEqual([]);
  });

  it('lists every target with who it applies to and its period: everyone first, then per rep', async () => {
    await salesAdmin(`target ${ANA_MENTION} calls 60/week`);
    await salesAdmin(`target ${BO_MENTION} demos 3/week`);
    await salesAdmin('target everyone revenue $25k/month');
    await salesAdmin('target everyone calls 50/week');
    const reply = await salesAdmin('targets');
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toBe(
      [
        '*Targets* (4)',
        '• Everyone: 50 calls a week',
        '• Everyone: $25,000.00 revenue a month',
        `• <@${BO}>: 3 demos a week`,
        `• <@${DEFAULT_USER_ID}>: 60 calls a week`,
      ].join('\n'),
    );
    const sections = reply.blocks.filter((b: Block) => b.type === 'section').map((b: Block) => b.text.text);
    expect(sections[0]).toBe('*Targets* (4)');
    expect(sections[1]).toContain('• Everyone: 50 calls a week');
    const context = reply.blocks.find((b: Block) => b.type === 'context');
    expect(context.elements[0].text).toContain('A rep’s own target replaces the everyone target for that metric.');
  });

  it('with no targets, the listing says how to set one', async () => {
    const reply = await salesAdmin('targets');
    expect(reply.text).toContain('No targets are set yet.');
    expect(reply.text).toContain('`/sales-admin target @ana calls 50/week`');
  });

  it('a wrong form gets the problem and the correct form; nothing is saved', async () => {
    expect((await salesAdmin(`target ${ANA_MENTION} calls 50`)).text).toBe(
      ':warning: Say the period after the amount: `/week`, `/month` or `/quarter`.\nTry: `/sales-admin target @ana calls 50/week`',
    );
    expect((await salesAdmin(`target ${ANA_MENTION} revenue $40k/week`)).text).toBe(
      ':warning: Revenue quotas are per month or per quarter.\nTry: `/sales-admin target @ana revenue $40k/month`',
    );
    expect((await salesAdmin('target @ana calls 50/week')).text).toContain('so Slack links them');
    expect(await storedTargets()).toEqual([]);
  });

  it('help lists the target subcommands', async () => {
    const reply = await salesAdmin('help');
    expect(reply.text).toContain('`/sales-admin target @ana calls 50/week`');
    expect(reply.text).toContain('`/sales-admin targets`');
  });

  it('a non-admin is refused: nothing is set, changed or listed', async () => {
    await salesAdmin('target everyone calls 50/week');
    expect((await salesAdmin(`target ${ANA_MENTION} calls 5/week`, DEFAULT_USER_ID)).text).toBe(NOT_ADMIN);
    expect((await salesAdmin('target everyone calls off', DEFAULT_USER_ID)).text).toBe(NOT_ADMIN);
    expect((await salesAdmin('targets', DEFAULT_USER_ID)).text).toBe(NOT_ADMIN);
    const rows = await storedTargets();
    expect(rows.map((r) => [r.userKey, r.metric, r.amount])).toEqual([['*', 'call', 50n]]);
  });

  it('fails closed: with a stored admin profile past its 5 minutes and Slack not answering, nothing is set and the admin is asked to retry', async () => {
    await salesAdmin('target everyone calls 50/week'); // stores Ada's profile, admin
    h.clock.advance(ADMIN_CHECK_MAX_AGE_MS + 1_000);
    h.fake.failNext('users.info', { error: 'fatal_error' });
    expect((await salesAdmin('target everyone calls 80/week')).text).toBe(PERMISSION_CHECK_UNAVAILABLE_TEXT);
    expect((await salesAdmin('target everyone calls off')).text).toBe(PERMISSION_CHECK_UNAVAILABLE_TEXT); // the failure is remembered briefly
    expect((await storedTargets()).map((r) => r.amount)).toEqual([50n]);
    // Once Slack answers again (after the remembered failure expires), the admin's command works.
    h.clock.advance(USER_LOOKUP_FAILURE_TTL_MS + 1_000);
    expect((await salesAdmin('target everyone calls 80/week')).text).toContain('Target set for everyone');
    expect((await storedTargets()).map((r) => r.amount)).toEqual([80n]);
  });
});

// ---------------------------------------------------------------------------------------------
// loadTargetProgress

describeEachDb('targets: loadTargetProgress', (getDb) => {
  const db = () => getDb().database.db;
  const progressTexts = async (userId: string, timeZone = 'America/New_York', now = NOW) =>
    (await loadTargetProgress({ db: db() }, { teamId: DEFAULT_TEAM_ID, userId, now, timeZone })).map((p) => p.text);

  beforeEach(async () => {
    await ensureWorkspace(db(), DEFAULT_TEAM_ID);
    await ensureWorkspace(db(), 'T0OTHER');
    await db().insert(users).values([
      { teamId: DEFAULT_TEAM_ID, userId: DEFAULT_USER_ID, displayName: 'Ana', timeZone: 'America/New_York', joinedAt: null },
      // Bo joined on Wednesday at 09:00 in New York.
      { teamId: DEFAULT_TEAM_ID, userId: BO, displayName: 'Bo', timeZone: 'America/New_York', joinedAt: new Date('2026-11-25T14:00:00Z') },
      { teamId: DEFAULT_TEAM_ID, userId: CY, displayName: 'Cy', timeZone: 'Asia/Tokyo', joinedAt: new Date('2026-01-05T00:00:00Z') },
    ]);
    await db().insert(activities).values([
      act(DEFAULT_USER_ID, 'call', 10, '2026-11-23T15:00:00Z'),
      act(DEFAULT_USER_ID, 'call', 35, '2026-11-26T15:00:00Z'),
      act(DEFAULT_USER_ID, 'call', 100, '2026-11-24T15:00:00Z', { deletedAt: new Date('2026-11-24T16:00:00Z') }), // undone
      act(DEFAULT_USER_ID, 'call', 7, '2026-11-20T15:00:00Z'), // last week
      act(DEFAULT_USER_ID, 'call', 3, '2026-11-23T04:30:00Z'), // Sunday 23:30 in New York: last week there
      act(DEFAULT_USER_ID, 'demo', 5, '2026-11-24T15:00:00Z'),
      act(DEFAULT_USER_ID, 'email', 12, '2026-11-24T15:00:00Z'), // no email target
      act(BO, 'call', 20, '2026-11-25T16:00:00Z'),
      act(BO, 'call', 5, '2026-11-26T16:00:00Z'),
      act(DEFAULT_USER_ID, 'call', 999, '2026-11-24T15:00:00Z', { teamId: 'T0OTHER' }), // another workspace
    ]);
    await db().insert(deals).values([
      deal(DEFAULT_USER_ID, 3_000_000n, 'USD', '2026-11-03T15:00:00Z'),
      deal(DEFAULT_USER_ID, 900_000n, 'EUR', '2026-11-10T15:00:00Z'), // another currency: never added to USD
      deal(DEFAULT_USER_ID, 500_000n, 'USD', '2026-11-12T15:00:00Z', { status: 'lost' }),
      deal(DEFAULT_USER_ID, 2_000_000n, 'USD', '2026-10-30T15:00:00Z'), // last month
      deal(DEFAULT_USER_ID, 100_000n, 'USD', '2026-11-05T15:00:00Z', { deletedAt: new Date('2026-11-06T00:00:00Z') }),
      deal(CY, 900_000n, 'EUR', '2026-11-10T15:00:00Z'),
      deal(CY, 100_000n, 'EUR', '2026-09-30T15:30:00Z'), // Oct 1 00:30 in Tokyo: Q4 there
      deal(CY, 700_000n, 'EUR', '2026-09-30T14:30:00Z'), // Sep 30 23:30 in Tokyo: Q3
    ]);
    const set = (userKey: string, metric: string, amount: bigint, period: 'week' | 'month' | 'quarter', currency: string | null = null) =>
      upsertTarget(db(), { teamId: DEFAULT_TEAM_ID, userKey, metric, amount, currency, period, createdBy: ADMIN }, NOW);
    await set('*', 'call', 50n, 'week');
    await set(DEFAULT_USER_ID, 'call', 60n, 'week');
    await set('*', 'demo', 5n, 'week');
    await set('*', 'revenue', 4_000_000n, 'month', 'USD');
    await set(CY, 'revenue', 900_000n, 'quarter', 'EUR');
  });

  it('Ana: her own calls target over everyone’s, the everyone demos and revenue targets; activity types first, revenue last', async () => {
    expect(await progressTexts(DEFAULT_USER_ID)).toEqual([
      // 10 + 35 this week (not the undone 100, last week's 7 or 3, or the other workspace's 999); expected 60 × 4/5 = 48.
      'Calls: 45 of 60 (75%) with 1 of 5 days left: behind',
      'Demos: 5 of 5 (100%) with 1 of 5 days left: done',
      // $30,000 won in November (not the lost, deleted, October or EUR deals); expected $40,000 × 19/21 = $36,190.48.
      'Revenue: $30,000.00 of $40,000.00 (75%) with 2 of 21 days left: behind',
    ]);
    const [calls] = await loadTargetProgress({ db: db() }, { teamId: DEFAULT_TEAM_ID, userId: DEFAULT_USER_ID, now: NOW, timeZone: 'America/New_York' });
    expect(calls).toMatchObject({ metric: 'call', label: 'Calls', actual: 45n, target: 60n, fullTarget: 60n, prorated: false, percent: 75, daysLeft: 1, daysTotal: 5, status: 'behind' });
  });

  it('Bo joined on Wednesday: every target prorated to his working days', async () => {
    expect(await progressTexts(BO)).toEqual([
      // 50 × 3/5 = 30 over Wed–Fri; Wed and Thu over: expected 20, and 25 is more than 10% above.
      'Calls: 25 of 30 (83%) with 1 of 3 days left: ahead',
      'Demos: 0 of 3 (0%) with 1 of 3 days left: behind',
      // $40,000 × 4/21 (Nov 25, 26, 27, 30) = $7,619.047… → $7,619.05.
      'Revenue: $0.00 of $7,619.05 (0%) with 2 of 4 days left: behind',
    ]);
    const progress = await loadTargetProgress({ db: db() }, { teamId: DEFAULT_TEAM_ID, userId: BO, now: NOW, timeZone: 'America/New_York' });
    expect(progress.map((p) => [p.prorated, p.fullTarget, p.target])).toEqual([
      [true, 50n, 30n],
      [true, 5n, 3n],
      [true, 4_000_000n, 761_905n],
    ]);
  });

  it('Cy in Tokyo: periods and days are his own, and his EUR quarterly quota counts only EUR', async () => {
    // 15:00 UTC Friday is 00:00 Saturday in Tokyo: the week is over there. Q4 in Tokyo starts Oct 1 00:00 JST.
    expect(await progressTexts(CY, 'Asia/Tokyo')).toEqual([
      'Calls: 0 of 50 (0%) with 0 of 5 days left: behind',
      'Demos: 0 of 5 (0%) with 0 of 5 days left: behind',
      'Revenue: €10,000.00 of €9,000.00 (111%) with 24 of 66 days left: done',
    ]);
  });

  it('nobody has targets in a workspace without any', async () => {
    expect(await loadTargetProgress({ db: db() }, { teamId: 'T0OTHER', userId: DEFAULT_USER_ID, now: NOW, timeZone: 'UTC' })).toEqual([]);
  });

  it('the next Monday morning starts a new week at zero, on pace', async () => {
    const monday = new Date('2026-11-30T14:00:00Z'); // 09:00 in New York; also the last working day of November
    expect(await progressTexts(DEFAULT_USER_ID, 'America/New_York', monday)).toEqual([
      'Calls: 0 of 60 (0%) with 5 of 5 days left: on pace',
      'Demos: 0 of 5 (0%) with 5 of 5 days left: on pace',
      'Revenue: $30,000.00 of $40,000.00 (75%) with 1 of 21 days left: behind',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// the leaderboard's "% of target" column

describeEachDb('targets: the leaderboard', (getDb) => {
  let h: Harness;
  const db = () => getDb().database.db;

  beforeEach(async () => {
    h = await startHarness({ db: getDb(), now: NOW });
    h.fake.addUser({ id: ADMIN, name: 'ada', tz: 'America/New_York', is_admin: true });
    await ensureWorkspace(db(), DEFAULT_TEAM_ID);
    const fetchedAt = new Date('2026-11-27T14:00:00Z');
    await db().insert(users).values([
      { teamId: DEFAULT_TEAM_ID, userId: DEFAULT_USER_ID, displayName: 'Ana', timeZone: 'America/New_York', fetchedAt },
      { teamId: DEFAULT_TEAM_ID, userId: BO, displayName: 'Bo', timeZone: 'America/New_York', fetchedAt },
      { teamId: DEFAULT_TEAM_ID, userId: CY, displayName: 'Cy', timeZone: 'America/New_York', fetchedAt },
    ]);
    await db().insert(activities).values([
      act(DEFAULT_USER_ID, 'call', 10, '2026-11-24T15:00:00Z'),
      act(BO, 'call', 40, '2026-11-24T15:00:00Z'),
      act(BO, 'email', 20, '2026-11-25T15:00:00Z'),
      act(CY, 'meeting', 2, '2026-11-25T15:00:00Z'),
    ]);
    await db().insert(deals).values([deal(DEFAULT_USER_ID, 4_000_000n, 'USD', '2026-11-25T15:00:00Z')]);
  });
  afterEach(async () => {
    await h.stop();
  });

  async function salesAdmin(text: string): Promise<void> {
    const reply = (await replyTo(h, await h.slack.command({ command: '/sales-admin', text, userId: ADMIN }))).args;
    expect(reply.text).toContain(':white_check_mark:');
  }

  /** `/leaderboard [period]` as Ana: the table as rows of cell texts. */
  async function leaderboardTable(period = ''): Promise<string[][]> {
    const reply = (await replyTo(h, await h.slack.command({ command: '/leaderboard', text: period }))).args;
    const table = reply.blocks.find((b: Block) => b.type === 'table');
    return table.rows.map((row: Block[]) => row.map((cell) => cell.text));
  }

  function column(rows: string[][], header: string): Record<string, string> {
    const at = rows[0]!.indexOf(header);
    if (at < 0) throw new Error(`no column ${header} in ${rows[0]!.join(', ')}`);
    return Object.fromEntries(rows.slice(1).map((r) => [r[1]!, r[at]!]));
  }

  it('no targets: no "% of target" column', async () => {
    const rows = await leaderboardTable();
    expect(rows[0]).not.toContain('% of target');
  });

  it('with targets: each rep’s % of target for the board’s period; revenue first, else their activity targets', async () => {
    await salesAdmin('target everyone calls 50/week');
    await salesAdmin(`target ${ANA_MENTION} revenue $40k/month`);
    const rows = await leaderboardTable();
    expect(rows[0]).toContain('% of target');
    expect(rows[0]!.length).toBeLessThanOrEqual(20);
    expect(column(rows, '% of target')).toEqual({
      // $40,000 against $40,000 × 5/21 for this week = $9,523.81: 419%.
      Ana: '419%',
      // 40 calls of 50 (emails don't count toward a calls target).
      Bo: '80%',
      // No calls this week (meetings have no target).
      Cy: '0%',
    });
  });

  it('a new hire is compared fairly: Bo joined on Wednesday, so his week’s target is 30', async () => {
    await db().update(users).set({ joinedAt: new Date('2026-11-25T14:00:00Z') }).where(and(eq(users.teamId, DEFAULT_TEAM_ID), eq(users.userId, BO)));
    await salesAdmin('target everyone calls 50/week');
    expect(column(await leaderboardTable(), '% of target')).toMatchObject({ Bo: '133%', Ana: '20%' });
  });

  it('reps without a target show –; a longer board prorates a weekly target (50 × 21/5 for November)', async () => {
    await salesAdmin(`target ${BO_MENTION} calls 50/week`);
    expect(column(await leaderboardTable(), '% of target')).toEqual({ Ana: '–', Bo: '80%', Cy: '–' });
    // November: 40 of 210.
    expect(column(await leaderboardTable('this month'), '% of target')).toMatchObject({ Bo: '19%' });
  });

  it('the column goes away when the last target is removed', async () => {
    await salesAdmin('target everyone calls 50/week');
    expect((await leaderboardTable())[0]).toContain('% of target');
    await salesAdmin('target everyone calls off');
    expect((await leaderboardTable())[0]).not.toContain('% of target');
  });
});

// ---------------------------------------------------------------------------------------------
// rendering (pure)

describe('targets: rendering the "% of target" column', () => {
  it('shows the column only when some rep has a percentage; null shows as –', () => {
    const board = makeBoard([
      { name: 'Ana', activities: 12, revenue: 500 },
      { name: 'Bo', activities: 3, revenue: 0 },
    ]);
    const header = (b: typeof board) => (renderBoard(b, { insights: [] }).blocks.find((x) => x.type === 'table') as Block).rows[0].map((c: Block) => c.text);
    expect(header(board)).not.toContain('% of target');
    board.reps.forEach((r) => (r.targetPercent = null));
    expect(header(board)).not.toContain('% of target');
    board.reps[0]!.targetPercent = 1234;
    const rows = (renderBoard(board, { insights: [] }).blocks.find((x) => x.type === 'table') as Block).rows.map((row: Block[]) => row.map((c) => c.text));
    const at = rows[0].indexOf('% of target');
    expect(at).toBeGreaterThan(0);
    expect(rows.slice(1).map((r: string[]) => [r[1], r[at]])).toEqual([
      ['Ana', '1,234%'],
      ['Bo', '–'],
    ]);
  });

  it('keeps within 20 cells a row with many activity types plus the column', () => {
    const types: ActivityTypeDef[] = Array.from({ length: 15 }, (_, i) => ({ key: `t${i}`, label: `Type ${i}`, plural: `type ${i}s`, outcomes: [] }));
    const board = makeBoard(makeReps(25), { types });
    board.reps.forEach((r, i) => (r.targetPercent = i));
    const table = renderBoard(board, { insights: [] }).blocks.find((x) => x.type === 'table') as Block;
    const header = table.rows[0].map((c: Block) => c.text);
    expect(header).toHaveLength(20);
    expect(header).toContain('Other');
    expect(header).toContain('% of target');
    expect(table.column_settings).toHaveLength(20);
    for (const row of table.rows) expect(row).toHaveLength(20);
    // 9 own type columns + Other still add up to the rep's activities.
    const first = table.rows[1].map((c: Block) => c.text);
    const typeCells = first.slice(5, 15).map((c: string) => Number(c.replace(/,/g, '')));
    expect(typeCells.reduce((a: number, b: number) => a + b, 0)).toBe(board.reps[0]!.activities);
  });

  it('the CSV gets a "% of target" column (empty for none) only when some rep has a target', () => {
    const board = makeBoard([
      { name: 'Ana', activities: 12, revenue: 500 },
      { name: 'Bo', activities: 3, revenue: 0 },
    ]);
    expect(boardCsv(board).split('\r\n')[0]).not.toContain('% of target');
    board.reps[0]!.targetPercent = 75;
    board.reps[1]!.targetPercent = null;
    const records = parse(boardCsv(board), { columns: true }) as Record<string, string>[];
    expect(records.map((r) => [r.Rep, r['% of target']])).toEqual([
      ['Ana', '75'],
      ['Bo', ''],
    ]);
  });
});

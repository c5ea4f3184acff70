/**
 * `/sales-admin forget @user` end to end: the command only asks (a button with Slack's confirmation dialog); the
 * click, re-checked on the server, erases every row Sales Pulse keeps about the person in one transaction with a
 * `person.erase` audit entry (counts, no data), replaces the question with the outcome, and the person is gone from
 * the board and the export. Forged clicks from a rep or a manager erase nothing.
 */
import { parse } from 'csv-parse/sync';
import { and, eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  activities,
  adminGrants,
  auditLog,
  dealCelebrations,
  deals,
  digestSubscriptions,
  salesTeamMembers,
  salesTeams,
  targets,
  users,
  workspaces,
} from '../../src/db/schema/index.js';
import { FORGET_ACTION, FORGET_BLOCK } from '../../src/features/admin/forget.blocks.js';
import { describeEachDb } from '../helpers/db.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { DEFAULT_TEAM_ID as TEAM, DEFAULT_USER_ID as ANA } from '../helpers/signed-request.js';
import { ackReply, clickButton, type Block } from '../helpers/slack-ui.js';

const ADMIN = 'U0ADMIN01';
const MIA = 'U0MIA0001'; // manages East, where Ana is a member
const BEN = 'U0BEN0001'; // a rep
const ADMIN_ONLY = ':lock: Only Sales Pulse admins (workspace admins and owners, and people they made admins) can do that.';
const REP_REFUSAL = ':lock: Only Sales Pulse admins and team managers can use `/sales-admin`. Ask a workspace admin, or your team’s manager.';
const THIS_WEEK = new Date('2026-11-24T15:00:00Z');

describeEachDb('admin: forget a person', (getDb) => {
  let h: Harness;
  let east: string;
  const db = () => getDb().database.db;

  beforeEach(async () => {
    h = await startHarness({ db: getDb() });
    h.fake.addUser({ id: ADMIN, name: 'ada', tz: 'America/New_York', is_admin: true });
    h.fake.addUser({ id: MIA, name: 'mia', tz: 'America/New_York' });
    h.fake.addUser({ id: BEN, name: 'ben', tz: 'America/New_York' });
    await db().insert(workspaces).values({ teamId: TEAM });
    const [team] = await db().insert(salesTeams).values({ teamId: TEAM, name: 'East AEs', nameKey: 'east aes', createdBy: ADMIN }).returning();
    east = team!.id;
    await db()
      .insert(salesTeamMembers)
      .values([
        { salesTeamId: east, teamId: TEAM, userId: ANA, role: 'member' },
        { salesTeamId: east, teamId: TEAM, userId: ANA, role: 'manager' },
        { salesTeamId: east, teamId: TEAM, userId: MIA, role: 'manager' },
        { salesTeamId: east, teamId: TEAM, userId: BEN, role: 'member' },
      ]);
    await db()
      .insert(users)
      .values([
        { teamId: TEAM, userId: ANA, displayName: 'ana', timeZone: 'America/New_York', fetchedAt: THIS_WEEK },
        { teamId: TEAM, userId: BEN, displayName: 'ben', timeZone: 'America/New_York', fetchedAt: THIS_WEEK },
      ]);
    await db()
      .insert(activities)
      .values([
        { teamId: TEAM, userId: ANA, typeKey: 'call', quantity: 5, occurredAt: THIS_WEEK, account: 'Acme', notes: 'private notes', source: 'slash_command' },
        { teamId: TEAM, userId: ANA, typeKey: 'email', occurredAt: THIS_WEEK, source: 'modal', deletedAt: THIS_WEEK },
        { teamId: TEAM, userId: BEN, loggedBy: ANA, typeKey: 'call', occurredAt: THIS_WEEK, source: 'slash_command' },
      ]);
    const stored = await db()
      .insert(deals)
      .values([
        { teamId: TEAM, userId: ANA, status: 'won', amountMinor: 4_000_000n, currency: 'USD', closedAt: THIS_WEEK, account: 'Acme', source: 'slack' },
        { teamId: TEAM, userId: BEN, status: 'won', amountMinor: 100_000n, currency: 'USD', closedAt: THIS_WEEK, source: 'slack' },
      ])
      .returning();
    await db()
      .insert(dealCelebrations)
      .values(stored.map((d) => ({ dealId: d.id, teamId: TEAM, channelId: 'C0WINS', status: 'posted' as const })));
    await db()
      .insert(targets)
      .values([
        { teamId: TEAM, userKey: ANA, metric: 'call', amount: 50n, period: 'week', createdBy: ADMIN },
        { teamId: TEAM, userKey: '*', metric: 'call', amount: 40n, period: 'week', createdBy: ADMIN },
      ]);
    await db()
      .insert(digestSubscriptions)
      .values([
        { teamId: TEAM, userId: ANA, cadence: 'weekly' },
        { teamId: TEAM, userId: BEN, cadence: 'weekly' },
      ]);
    await db().insert(adminGrants).values({ teamId: TEAM, userId: ANA, grantedBy: ADMIN });
  });
  afterEach(async () => {
    await h.stop();
  });

  /** How many rows each table holds for Ana, and for Ben (who must be untouched). */
  async function rowsOf(userId: string) {
    const count = async (rows: Promise<unknown[]>) => (await rows).length;
    return {
      activities: await count(db().select().from(activities).where(eq(activities.userId, userId))),
      deals: await count(db().select().from(deals).where(eq(deals.userId, userId))),
      celebrations: await count(db().select().from(dealCelebrations).innerJoin(deals, eq(deals.id, dealCelebrations.dealId)).where(eq(deals.userId, userId))),
      targets: await count(db().select().from(targets).where(eq(targets.userKey, userId))),
      subscriptions: await count(db().select().from(digestSubscriptions).where(eq(digestSubscriptions.userId, userId))),
      profiles: await count(db().select().from(users).where(eq(users.userId, userId))),
      memberships: await count(db().select().from(salesTeamMembers).where(eq(salesTeamMembers.userId, userId))),
      grants: await count(db().select().from(adminGrants).where(eq(adminGrants.userId, userId))),
    };
  }
  const ANA_BEFORE = { activities: 2, deals: 1, celebrations: 1, targets: 1, subscriptions: 1, profiles: 1, memberships: 2, grants: 1 };
  const BEN_BEFORE = { activities: 1, deals: 1, celebrations: 1, targets: 0, subscriptions: 1, profiles: 1, memberships: 1, grants: 0 };
  const erasures = () => db().select().from(auditLog).where(and(eq(auditLog.teamId, TEAM), eq(auditLog.action, 'person.erase')));

  /** The names on this week's board, as the admin sees it. */
  async function boardNames(): Promise<string[]> {
    const reply = await ackReply(h, { command: '/leaderboard', text: '', userId: ADMIN });
    const table = (reply.blocks as Block[]).find((b) => b.type === 'table');
    if (!table) return [];
    return (table.rows as Block[][]).slice(1).map((row) => row[1]!.text as string);
  }

  async function ask(text = `forget <@${ANA}|ana>`, userId = ADMIN) {
    return ackReply(h, { command: '/sales-admin', text, userId });
  }

  const click = (userId: string, value = ANA) => clickButton(h, { actionId: FORGET_ACTION, blockId: FORGET_BLOCK, value, userId });

  it('asks first, with a confirmation dialog on the button; nothing is erased until the click', async () => {
    const reply = await ask();
    expect(reply.text).toBe("Erase all of @ana's Sales Pulse data?");
    const button = (reply.blocks as Block[]).find((b) => b.type === 'actions')!.elements[0];
    expect(button).toMatchObject({ action_id: FORGET_ACTION, value: ANA, style: 'danger' });
    expect(button.confirm).toEqual({
      title: { type: 'plain_text', text: 'Erase for good?' },
      text: { type: 'plain_text', text: "Erase all of @ana's data? This cannot be undone." },
      confirm: { type: 'plain_text', text: 'Erase' },
      deny: { type: 'plain_text', text: 'Cancel' },
      style: 'danger',
    });
    expect(await rowsOf(ANA)).toEqual(ANA_BEFORE);
    expect(await erasures()).toEqual([]);
  });

  it('the confirmed click erases everything of the person, records it without data, and replaces the question', async () => {
    expect(await boardNames()).toEqual(['ana', 'ben']);
    await ask();
    h.clock.set(new Date('2026-11-27T16:00:00Z'));
    const { reply } = await click(ADMIN);
    const outcome = await reply();
    expect(outcome.replace_original).toBe(true);
    expect(outcome.text).toBe(
      `:wastebasket: Erased all of <@${ANA}>'s Sales Pulse data: 2 activities, 1 deal, 1 target, 1 digest subscription, 1 cached profile, 2 team roles, 1 admin grant. Their entries no longer count on any board or export. The erasure is recorded in the audit log.`,
    );

    expect(await rowsOf(ANA)).toEqual({ activities: 0, deals: 0, celebrations: 0, targets: 0, subscriptions: 0, profiles: 0, memberships: 0, grants: 0 });
    expect(await rowsOf(BEN)).toEqual(BEN_BEFORE);
    expect(await db().select().from(targets).where(eq(targets.userKey, '*'))).toHaveLength(1);

    const [entry, ...more] = await erasures();
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ actorId: ADMIN, subject: `<@${ANA}>`, before: null, createdAt: new Date('2026-11-27T16:00:00Z') });
    expect(entry!.after).toEqual({ activities: 2, deals: 1, celebrations: 1, targets: 1, digestSubscriptions: 1, profiles: 1, teamMemberships: 2, adminGrants: 1 });
    expect(JSON.stringify(entry)).not.toMatch(/Acme|private notes|ana"/);

    // Gone from the board and from the export.
    expect(await boardNames()).toEqual(['ben']);
    await ackReply(h, { command: '/sales-admin', text: 'export this week activities', userId: ADMIN });
    const upload = await h.fake.waitFor('files.completeUploadExternal', (c) => c.args.channel_id === `D${ADMIN}`);
    const rows = parse(h.fake.workspace.readFile((upload.args.files as { id: string }[])[0]!.id)!, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.rep_id)).toEqual([BEN]);
    expect(rows[0]!.logged_by).toBe(ANA); // Ben's own entry stays his; it names who logged it
  });

  it.each([
    ['a rep', BEN],
    ['a manager of the person’s team', MIA],
  ])('a forged click from %s erases nothing and is refused', async (_who, userId) => {
    const { reply } = await click(userId);
    const answer = await reply();
    expect(answer.text).toBe(ADMIN_ONLY);
    expect(answer.replace_original).toBe(false);
    await h.settle();
    expect(await rowsOf(ANA)).toEqual(ANA_BEFORE);
    expect(await erasures()).toEqual([]);
  });

  it('a click whose value names nobody erases nothing', async () => {
    const { reply } = await click(ADMIN, "U1'; drop table deals; --");
    expect((await reply()).text).toBe(':warning: I could not tell whose data to erase, so nothing was erased. Run `/sales-admin forget @name` again.');
    expect(await rowsOf(ANA)).toEqual(ANA_BEFORE);
    expect(await erasures()).toEqual([]);
  });

  it.each([['forget'], ['forget ana'], [`forget <@${ANA}|ana> <@${BEN}|ben>`]])('%j is answered with how to use it', async (text) => {
    const reply = await ask(text);
    expect(reply.text).toContain('Name the person whose data to erase, for example `/sales-admin forget @ana`.');
    expect((reply.blocks as Block[]).some((b) => b.type === 'actions')).toBe(false);
  });

  it('only admins may ask: a manager and a rep are refused', async () => {
    expect((await ask(undefined, MIA)).text).toBe(ADMIN_ONLY);
    expect((await ask(undefined, BEN)).text).toBe(REP_REFUSAL);
    await h.settle();
    expect(await rowsOf(ANA)).toEqual(ANA_BEFORE);
  });
});

/**
 * `/sales-admin export …` end to end: the ack answers at once, the CSV follows by DM as a file (uploaded to the fake
 * Slack and parsed back here with csv-parse); every kind's contents against what is stored, formula cells
 * neutralised, the period and team filters, a manager limited to their team (refused for the audit log and other
 * teams), a rep refused, bad arguments answered clearly, and a failure after the ack told through response_url.
 */
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { activities, auditLog, deals, salesTeamMembers, salesTeams, users, workspaces } from '../../src/db/schema/index.js';
import { describeEachDb } from '../helpers/db.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { DEFAULT_TEAM_ID as TEAM, DEFAULT_USER_ID as ANA } from '../helpers/signed-request.js';
import { ackReply } from '../helpers/slack-ui.js';

const ADMIN = 'U0ADMIN01';
const MIA = 'U0MIA0001'; // manages East
const BEN = 'U0BEN0001'; // West member
const CAL = 'U0CAL0001'; // in no team
const REP_REFUSAL = ':lock: Only Sales Pulse admins and team managers can use `/sales-admin`. Ask a workspace admin, or your team’s manager.';
const NOT_YOUR_TEAM = ':lock: You can do that only for the teams you manage.';

// The harness's clock: Friday 2026-11-27 15:00 UTC. The workspace's zone: Europe/London (UTC in November).
const OCT = (day: number, hour = 10) => new Date(Date.UTC(2026, 9, day, hour, 0, 0));
const THIS_WEEK = new Date('2026-11-24T09:30:00Z');

type Row = Record<string, string>;

describeEachDb('admin: export', (getDb) => {
  let h: Harness;
  let east: string;
  let west: string;
  const db = () => getDb().database.db;

  beforeEach(async () => {
    h = await startHarness({ db: getDb() });
    h.fake.addUser({ id: ADMIN, name: 'ada', tz: 'America/New_York', is_admin: true });
    h.fake.addUser({ id: MIA, name: 'mia', tz: 'Europe/London' });
    h.fake.addUser({ id: BEN, name: 'ben', tz: 'Europe/London' });
    h.fake.addUser({ id: CAL, name: 'cal', tz: 'Europe/London' });
    await db().insert(workspaces).values({ teamId: TEAM, defaultTimeZone: 'Europe/London' });
    const teams = await db()
      .insert(salesTeams)
      .values([
        { teamId: TEAM, name: 'East AEs', nameKey: 'east aes', createdBy: ADMIN },
        { teamId: TEAM, name: 'West', nameKey: 'west', createdBy: ADMIN },
      ])
      .returning();
    east = teams.find((t) => t.name === 'East AEs')!.id;
    west = teams.find((t) => t.name === 'West')!.id;
    await db()
      .insert(salesTeamMembers)
      .values([
        { salesTeamId: east, teamId: TEAM, userId: ANA, role: 'member' },
        { salesTeamId: east, teamId: TEAM, userId: MIA, role: 'manager' },
        { salesTeamId: west, teamId: TEAM, userId: BEN, role: 'member' },
      ]);
    // Cached profiles: Ana's display name is a formula, as anyone could type one in Slack.
    await db()
      .insert(users)
      .values([
        { teamId: TEAM, userId: ANA, displayName: '=HYPERLINK("http://evil","ana")', timeZone: 'America/New_York' },
        { teamId: TEAM, userId: BEN, displayName: 'ben', timeZone: 'Europe/London' },
      ]);
  });
  afterEach(async () => {
    await h.stop();
  });

  /** `/sales-admin export <text>` by `userId`: the ack's text. */
  async function exportCommand(text: string, userId = ADMIN): Promise<string> {
    const reply = await ackReply(h, { command: '/sales-admin', text: `export ${text}`.trim(), userId });
    return reply.text as string;
  }

  /** The file DMed to `userId` (the n-th upload to them): its rows parsed by header, the comment and the file name. */
  async function dmFile(userId = ADMIN, n = 0): Promise<{ header: string[]; rows: Row[]; comment: string; filename: string }> {
    const call = await h.fake.waitFor(
      'files.completeUploadExternal',
      (c) => c.args.channel_id === `D${userId}` && h.fake.callsTo('files.completeUploadExternal').filter((x) => x.ok && x.args.channel_id === `D${userId}`).indexOf(c) === n,
    );
    const file = (call.args.files as { id: string }[])[0]!;
    const bytes = h.fake.workspace.readFile(file.id)!;
    const records = parse(bytes, { bom: true }) as string[][];
    const [header, ...body] = records;
    const stored = (call.response as { files: { name: string }[] }).files[0]!;
    return { header: header!, rows: body.map((r) => Object.fromEntries(header!.map((k, i) => [k, r[i]!]))), comment: String(call.args.initial_comment), filename: stored.name };
  }

  const uploads = () => h.fake.callsTo('files.completeUploadExternal');

  async function seedActivities() {
    return db()
      .insert(activities)
      .values([
        {
          teamId: TEAM,
          userId: ANA,
          typeKey: 'call',
          quantity: 3,
          occurredAt: OCT(1, 23),
          outcome: 'connected',
          account: '+1 Acme',
          contact: '@bob',
          durationMinutes: 15,
          notes: '=cmd|" /C calc"!A0\nsecond line, with "quotes"',
          source: 'slash_command',
        },
        { teamId: TEAM, userId: BEN, loggedBy: MIA, typeKey: 'email', occurredAt: OCT(15), account: 'Globex', notes: '-minus', source: 'modal' },
        { teamId: TEAM, userId: CAL, typeKey: 'meeting', occurredAt: OCT(31, 22), notes: '\tTabbed', source: 'import', externalId: 'x1' },
        // Not exported: deleted, or outside October.
        { teamId: TEAM, userId: ANA, typeKey: 'call', occurredAt: OCT(20), source: 'slash_command', deletedAt: OCT(21) },
        { teamId: TEAM, userId: ANA, typeKey: 'demo', occurredAt: THIS_WEEK, source: 'slash_command' },
        { teamId: TEAM, userId: ANA, typeKey: 'email', occurredAt: new Date('2026-09-30T22:59:59Z'), source: 'slash_command' },
        { teamId: TEAM, userId: ANA, typeKey: 'email', occurredAt: new Date('2026-11-01T00:00:00Z'), source: 'slash_command' },
      ])
      .returning();
  }

  async function seedDeals() {
    return db()
      .insert(deals)
      .values([
        { teamId: TEAM, userId: ANA, status: 'won', amountMinor: 123_456n, currency: 'USD', closedAt: OCT(2), account: '@Acme', notes: 'signed', source: 'slack' },
        { teamId: TEAM, userId: BEN, loggedBy: MIA, status: 'won', amountMinor: 500_000n, currency: 'JPY', closedAt: OCT(3), account: 'Globex', source: 'webhook', externalId: 'crm-9' },
        { teamId: TEAM, userId: ANA, status: 'lost', amountMinor: null, currency: null, closedAt: OCT(4), account: 'Initech', source: 'import' },
        { teamId: TEAM, userId: ANA, status: 'won', amountMinor: 1n, currency: 'KWD', closedAt: OCT(5), source: 'import', deletedAt: OCT(6) },
        { teamId: TEAM, userId: ANA, status: 'won', amountMinor: 99_900n, currency: 'USD', closedAt: THIS_WEEK, source: 'slack' },
      ])
      .returning();
  }

  // -------------------------------------------------------------------------------------------
  // contents

  it('activities: one row per stored entry of the period, dates in the workspace zone, every dangerous cell neutralised', async () => {
    const stored = await seedActivities();
    const ack = await exportCommand('last month activities');
    expect(ack).toBe(":inbox_tray: Exporting activities for October 2026 (the whole workspace)… I'll DM you the file in a moment.");

    const file = await dmFile();
    expect(file.filename).toBe('sales-pulse-activities-2026-10-01-to-2026-10-31.csv');
    expect(file.header).toEqual([
      'id',
      'date',
      'time',
      'occurred_at_utc',
      'rep_id',
      'rep_name',
      'logged_by',
      'type',
      'quantity',
      'outcome',
      'account',
      'contact',
      'duration_minutes',
      'notes',
      'source',
    ]);
    const byId = (i: number) => stored[i]!.id;
    expect(file.rows).toEqual([
      {
        id: byId(0),
        date: '2026-10-02', // 23:00 UTC on Oct 1 is midnight in London (BST)
        time: '00:00',
        occurred_at_utc: '2026-10-01T23:00:00.000Z',
        rep_id: ANA,
        rep_name: `'=HYPERLINK("http://evil","ana")`,
        logged_by: '',
        type: 'call',
        quantity: '3',
        outcome: 'connected',
        account: "'+1 Acme",
        contact: "'@bob",
        duration_minutes: '15',
        notes: `'=cmd|" /C calc"!A0\nsecond line, with "quotes"`,
        source: 'slash_command',
      },
      expect.objectContaining({ id: byId(1), date: '2026-10-15', time: '11:00', rep_id: BEN, rep_name: 'ben', logged_by: MIA, type: 'email', quantity: '1', notes: "'-minus", source: 'modal' }),
      expect.objectContaining({ id: byId(2), date: '2026-10-31', time: '22:00', rep_id: CAL, rep_name: '', type: 'meeting', notes: "'\tTabbed", source: 'import' }),
    ]);
    expect(file.comment).toContain('activities, October 2026 (the whole workspace). 3 rows.');
    expect(file.comment).toContain('Europe/London');
  });

  it('deals: amounts as exact decimals in their own currency, lost deals without one, deleted ones left out', async () => {
    const stored = await seedDeals();
    await exportCommand('last month deals');
    const file = await dmFile();
    expect(file.header).toEqual(['id', 'closed_date', 'closed_time', 'closed_at_utc', 'rep_id', 'rep_name', 'logged_by', 'status', 'amount', 'currency', 'account', 'notes', 'source', 'external_id']);
    expect(file.rows).toEqual([
      {
        id: stored[0]!.id,
        closed_date: '2026-10-02',
        closed_time: '11:00',
        closed_at_utc: '2026-10-02T10:00:00.000Z',
        rep_id: ANA,
        rep_name: `'=HYPERLINK("http://evil","ana")`,
        logged_by: '',
        status: 'won',
        amount: '1234.56',
        currency: 'USD',
        account: "'@Acme",
        notes: 'signed',
        source: 'slack',
        external_id: '',
      },
      expect.objectContaining({ id: stored[1]!.id, rep_id: BEN, logged_by: MIA, amount: '500000', currency: 'JPY', source: 'webhook', external_id: 'crm-9' }),
      expect.objectContaining({ id: stored[2]!.id, status: 'lost', amount: '', currency: '', account: 'Initech' }),
    ]);
  });

  it('summary: the leaderboard’s per-rep numbers, revenue per currency', async () => {
    await seedActivities();
    await seedDeals();
    const ack = await exportCommand('last month summary');
    expect(ack).toContain('Exporting the per-rep summary for October 2026');
    const file = await dmFile();
    expect(file.header).toEqual(expect.arrayContaining(['rep_id', 'rep_name', 'activities', 'activities_call', 'deals_won', 'deals_lost', 'revenue_USD', 'revenue_JPY']));
    const byRep = Object.fromEntries(file.rows.map((r) => [r.rep_id, r]));
    expect(Object.keys(byRep).sort()).toEqual([ANA, BEN, CAL].sort());
    expect(byRep[ANA]).toMatchObject({ rep_name: `'=HYPERLINK("http://evil","ana")`, activities: '3', activities_call: '3', deals_won: '1', deals_lost: '1', win_rate_percent: '50.0', revenue_USD: '1234.56', revenue_JPY: '0' });
    expect(byRep[BEN]).toMatchObject({ activities: '1', activities_email: '1', deals_won: '1', revenue_USD: '0.00', revenue_JPY: '500000' });
    expect(byRep[CAL]).toMatchObject({ activities: '1', activities_meeting: '1', deals_won: '0' });
    expect(file.rows[0]!.position).toBe('1');
  });

  it('audit: every entry of the period with its values as JSON; admins only', async () => {
    await db()
      .insert(auditLog)
      .values([
        { teamId: TEAM, actorId: ADMIN, action: 'settings.update', subject: 'backdate_days', before: 30, after: 7, createdAt: OCT(3) },
        { teamId: TEAM, actorId: ADMIN, action: 'team.create', subject: '=East', before: null, after: { name: 'East AEs' }, createdAt: OCT(9) },
        { teamId: TEAM, actorId: ADMIN, action: 'rate.set', subject: 'EUR', before: null, after: '1.08', createdAt: THIS_WEEK },
        { teamId: 'T0OTHER', actorId: ADMIN, action: 'team.create', subject: 'Theirs', createdAt: OCT(9) },
      ]);
    const ack = await exportCommand('last month audit');
    expect(ack).toBe(":inbox_tray: Exporting the audit log for October 2026… I'll DM you the file in a moment.");
    const file = await dmFile();
    expect(file.header).toEqual(['id', 'date', 'time', 'at_utc', 'actor_id', 'action', 'subject', 'before', 'after']);
    expect(file.rows.map((r) => [r.date, r.action, r.subject, r.before, r.after])).toEqual([
      ['2026-10-03', 'settings.update', 'backdate_days', '30', '7'],
      ['2026-10-09', 'team.create', "'=East", '', '{"name":"East AEs"}'],
    ]);
  });

  it('without a period: this week, as /leaderboard; without a kind: activities', async () => {
    const stored = await seedActivities();
    const ack = await exportCommand('');
    expect(ack).toContain('Exporting activities for This week');
    const file = await dmFile();
    expect(file.rows.map((r) => r.id)).toEqual([stored[4]!.id]);
    expect(file.filename).toBe('sales-pulse-activities-2026-11-23-to-2026-11-29.csv');
  });

  it('reads thousands of rows a page at a time, none twice and none missed, even at the same instant', async () => {
    const rows = Array.from({ length: 2_345 }, (_, i) => ({ teamId: TEAM, userId: ANA, typeKey: 'call', occurredAt: OCT(10), source: 'import' as const, externalId: `e${i}` }));
    const stored = await db().insert(activities).values(rows).returning({ id: activities.id });
    await exportCommand('last month activities');
    const file = await dmFile();
    expect(file.rows).toHaveLength(2_345);
    expect(new Set(file.rows.map((r) => r.id))).toEqual(new Set(stored.map((r) => r.id)));
    expect(file.comment).toContain('2,345 rows.');
  });

  it('an empty period still sends a file, with the column names and a word saying so', async () => {
    await exportCommand('2025 deals');
    const file = await dmFile();
    expect(file.rows).toEqual([]);
    expect(file.header[0]).toBe('id');
    expect(file.comment).toContain('No rows: nothing in this period');
  });

  // -------------------------------------------------------------------------------------------
  // teams and roles

  it('an admin may export one team: only its members’ rows', async () => {
    await seedActivities();
    const ack = await exportCommand('last month activities "West"');
    expect(ack).toContain('(team “West”, its members only)');
    const file = await dmFile();
    expect(file.rows.map((r) => r.rep_id)).toEqual([BEN]);
  });

  it('a manager exports their team: only its members, in every kind but the audit log', async () => {
    await seedActivities();
    await seedDeals();
    const ack = await exportCommand('last month activities', MIA);
    expect(ack).toContain('(team “East AEs”, its members only)');
    expect((await dmFile(MIA, 0)).rows.map((r) => r.rep_id)).toEqual([ANA]);

    await exportCommand('last month deals East AEs', MIA);
    expect((await dmFile(MIA, 1)).rows.map((r) => [r.rep_id, r.status])).toEqual([
      [ANA, 'won'],
      [ANA, 'lost'],
    ]);

    await exportCommand('last month summary', MIA);
    expect((await dmFile(MIA, 2)).rows.map((r) => r.rep_id)).toEqual([ANA]);
  });

  it('a manager is refused another team and the audit log, and no file is sent', async () => {
    await seedActivities();
    expect(await exportCommand('last month activities West', MIA)).toBe(NOT_YOUR_TEAM);
    expect(await exportCommand('last month audit', MIA)).toBe(':lock: Only Sales Pulse admins can export the audit log.');
    await h.settle();
    expect(uploads()).toEqual([]);
  });

  it('a manager of several teams is asked to name one', async () => {
    await db().insert(salesTeamMembers).values({ salesTeamId: west, teamId: TEAM, userId: MIA, role: 'manager' });
    const ack = await exportCommand('last month deals', MIA);
    expect(ack).toContain('You manage several teams (“East AEs”, “West”): name the one to export');
    await h.settle();
    expect(uploads()).toEqual([]);
  });

  it('a rep is refused and nothing is sent', async () => {
    await seedActivities();
    expect(await exportCommand('last month activities', ANA)).toBe(REP_REFUSAL);
    expect(await exportCommand('last month activities "East AEs"', BEN)).toBe(REP_REFUSAL);
    await h.settle();
    expect(uploads()).toEqual([]);
    expect(h.fake.callsTo('conversations.open')).toEqual([]);
  });

  // -------------------------------------------------------------------------------------------
  // bad input and failures

  it.each([
    ['blorp deals', "I didn't understand the period `blorp`"],
    ['deals Nowhere', 'There is no team called “Nowhere”. The teams are “East AEs”, “West”.'],
    ['last month audit West', 'The audit log covers the whole workspace'],
    ['2099 activities', "2099 hasn't started yet"],
  ])('%j is answered with a clear error, and no file is sent', async (text, words) => {
    const ack = await exportCommand(text);
    expect(ack).toMatch(/^:warning: /);
    expect(ack).toContain(words);
    expect(ack).not.toContain('Exporting');
    await h.settle();
    expect(uploads()).toEqual([]);
  });

  it('a failed upload after the ack is told through response_url', async () => {
    await seedActivities();
    h.fake.failNext('files.getUploadURLExternal', { error: 'invalid_auth' });
    const res = await h.slack.command({ command: '/sales-admin', text: 'export last month activities', userId: ADMIN });
    expect((res.json() as { text: string }).text).toContain('Exporting activities');
    const told = await h.fake.waitFor('response_url', (c) => c.responseUrlId === res.responseUrlId);
    expect(told.args.text).toContain(':warning: I could not send your export');
    expect(told.args.text).toContain('Nothing was sent');
    expect(uploads()).toEqual([]);
  });

  it('a second export while the first is still being prepared is told to wait', async () => {
    await seedActivities();
    // The first export's upload is held by Slack for a moment.
    h.fake.delayNext('files.getUploadURLExternal', { ms: 1500 });
    const first = await exportCommand('last month activities');
    expect(first).toContain('Exporting');
    const second = await exportCommand('last month deals');
    expect(second).toBe(':hourglass_flowing_sand: Your previous export is still being prepared: it will arrive by DM in a moment. Ask for the next one after it.');
    const file = await dmFile();
    expect(file.filename).toContain('activities');
    await h.settle();
    expect(uploads().filter((c) => c.ok)).toHaveLength(1);
  });
});

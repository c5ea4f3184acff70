/**
 * The person's own conversion funnel in `/my-stats` and on the Home tab, against the median rep of their sales team
 * (of the workspace when they are in no team), from hand-computed stage counts. Privacy: no other rep's name or
 * count reaches them, only the median's rates; a step with fewer than 3 reps shows no median.
 *
 * This week (Mon Nov 23 – Sun Nov 29), default stages. Touches = calls and emails; conversations = calls #connected
 * or #booked, emails #replied; meetings booked = #booked; meetings held = meetings and demos #held; deals won.
 *
 *            touches conv booked held won   rates (conv/t, booked/conv, held/booked, won/held)  touches per won
 *   Ana (E)     40    10     2     2    1    25%     20%     100%    50%                          40
 *   Bo  (E)    102    30     9     5    2    29.4%   30%     55.6%   40%                          51
 *   Cy  (E)     20    10     0     0    0    50%     0%      —       —                            —
 *   Di  (E)     60    20     4     3    1    33.3%   20%     75%     33.3%                        60
 *   Eve (none)  10    10     5     5    5    100%    50%     100%    100%                         2
 *
 *   East AEs median (Ana, Bo, Cy, Di): conv/t (29.4+33.3)/2 = 31%; booked/conv (20+20)/2 = 20%;
 *     held/booked median of 100, 55.6, 75 = 75%; won/held median of 50, 40, 33.3 = 40%; touches per won 51.
 *   Workspace median (all five): conv/t 33%; booked/conv 20%; held/booked (75+100)/2 = 88%; won/held (40+50)/2 = 45%;
 *     touches per won (40+51)/2 = 45.5 → 46.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { activities, deals, salesTeamMembers, salesTeams, workspaces } from '../../src/db/schema/index.js';
import { ensureWorkspace } from '../../src/slack/workspace.js';
import { describeEachDb } from '../helpers/db.js';
import { blockKitProblems, type RecordedCall } from '../helpers/fake-slack.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { ackReply } from '../helpers/slack-ui.js';
import { DEFAULT_TEAM_ID, DEFAULT_USER_ID } from '../helpers/signed-request.js';

const ANA = DEFAULT_USER_ID;
const BO = 'UBO0000001';
const CY = 'UCY0000001';
const DI = 'UDI0000001';
const EVE = 'UEVE000001';
const ADMIN = 'UADMIN0001';

type Block = Record<string, any>;

const ANA_FUNNEL = [
  '*Your funnel* · vs the median rep of East AEs',
  'Touches *40*',
  'Conversations *10* · 25% of touches · median 31%',
  'Meetings booked *2* · 20% of conversations · median 20%',
  'Meetings held *2* · 100% of meetings booked · median 75%',
  'Deals won *1* · 50% of meetings held · median 40%',
  'End to end: 40 touches per won deal · median 51',
].join('\n');

describeEachDb('own funnel in /my-stats and the Home tab', (getDb) => {
  let h: Harness;
  const db = () => getDb().database.db;

  beforeEach(async () => {
    h = await startHarness({ db: getDb() });
    h.fake.addUser({ id: BO, name: 'bo', real_name: 'Bo Bossman', profile: { display_name: 'Bo Bossman' }, tz: 'America/New_York' });
    h.fake.addUser({ id: CY, name: 'cy', real_name: 'Cy Cyan', tz: 'America/New_York' });
    h.fake.addUser({ id: DI, name: 'di', real_name: 'Di Dime', tz: 'America/New_York' });
    h.fake.addUser({ id: EVE, name: 'eve', real_name: 'Eve Evening', tz: 'America/New_York' });
    h.fake.addUser({ id: ADMIN, name: 'boss', real_name: 'The Admin', is_admin: true, tz: 'America/New_York' });
    await ensureWorkspace(db(), DEFAULT_TEAM_ID);
    const [team] = await db().insert(salesTeams).values({ teamId: DEFAULT_TEAM_ID, name: 'East AEs', nameKey: 'east aes', createdBy: ADMIN }).returning();
    await db()
      .insert(salesTeamMembers)
      .values([ANA, BO, CY, DI].map((userId) => ({ teamId: DEFAULT_TEAM_ID, salesTeamId: team!.id, userId, role: 'member' as const, addedBy: ADMIN })));

    const at = '2026-11-24T15:00:00Z';
    const act = (userId: string, typeKey: string, quantity: number, outcome: string | null = null) => ({
      teamId: DEFAULT_TEAM_ID, userId, typeKey, quantity, occurredAt: new Date(at), outcome, source: 'import' as const,
    });
    const rep = (userId: string, none: number, connected: number, booked: number, held: number) => [
      act(userId, 'call', none),
      act(userId, 'call', connected, 'connected'),
      ...(booked ? [act(userId, 'call', booked, 'booked')] : []),
      ...(held ? [act(userId, 'meeting', held, 'held')] : []),
    ];
    await db()
      .insert(activities)
      .values([
        ...rep(ANA, 30, 8, 2, 2),
        ...rep(BO, 72, 21, 9, 5),
        ...rep(CY, 10, 10, 0, 0),
        ...rep(DI, 40, 16, 4, 3),
        // Eve: emails, all replied; 5 booked calls.
        act(EVE, 'email', 5, 'replied'),
        act(EVE, 'call', 5, 'booked'),
        act(EVE, 'demo', 5, 'held'),
        // Last week and undone rows count nowhere this week.
        { ...act(BO, 'call', 517), occurredAt: new Date('2026-11-17T15:00:00Z') },
        { ...act(ANA, 'call', 7), deletedAt: new Date('2026-11-24T16:00:00Z') },
      ]);
    const won = (userId: string, n: number) =>
      Array.from({ length: n }, () => ({ teamId: DEFAULT_TEAM_ID, userId, status: 'won' as const, amountMinor: 100_00n, currency: 'USD', closedAt: new Date(at), source: 'import' as const }));
    await db().insert(deals).values([...won(ANA, 1), ...won(BO, 2), ...won(DI, 1), ...won(EVE, 5)]);
  });
  afterEach(async () => {
    await h.stop();
  });

  const dmTo = (userId: string) => h.fake.waitFor('chat.postMessage', (c) => c.args.channel === `D${userId}`);
  const funnelBlock = (blocks: Block[], id: string) => blocks.find((b) => b.block_id === id)?.text.text as string;
  const allText = (call: RecordedCall) => JSON.stringify({ text: call.args.text, blocks: call.args.blocks });

  /** Nothing of Bo's reaches anyone else: his name, id, and his own counts (102 touches, 72 unanswered calls, 21 connected, 517 last week). */
  function expectNothingOfBo(text: string): void {
    for (const secret of ['Bo Bossman', BO]) expect(text).not.toMatch(new RegExp(`\\b${secret}\\b`));
    for (const count of ['102', '72', '21', '517']) expect(text).not.toMatch(new RegExp(`\\b${count}\\b`));
  }

  it('/my-stats: the person\'s funnel with counts and rates, against the median rep of their team', async () => {
    await ackReply(h, { command: '/my-stats', text: '' });
    const dm = await dmTo(ANA);
    expect(blockKitProblems(dm.args.blocks, '/blocks', 50)).toEqual([]);
    const text = funnelBlock(dm.args.blocks, 'stats_funnel');
    expect(text.startsWith(ANA_FUNNEL)).toBe(true);
    expect(text).toContain('fewer than 3 reps with a rate there');
    expectNothingOfBo(allText(dm));
  });

  it('the Home tab: the same funnel for this week, and nothing of anyone else', async () => {
    await h.slack.event({ type: 'app_home_opened', user: ANA, channel: 'D0001', tab: 'home', event_ts: '1733000040.000100' });
    const publish = await h.fake.waitFor('views.publish', (c) => c.args.user_id === ANA);
    const text = funnelBlock(publish.args.view.blocks, 'home_funnel');
    expect(text.startsWith(ANA_FUNNEL)).toBe(true);
    expectNothingOfBo(JSON.stringify(publish.args.view));
  });

  it('someone in no team is compared with the median rep of the whole workspace', async () => {
    await ackReply(h, { command: '/my-stats', text: '', userId: EVE });
    const dm = await dmTo(EVE);
    const text = funnelBlock(dm.args.blocks, 'stats_funnel');
    expect(text).toContain(
      [
        '*Your funnel* · vs the median rep of the workspace',
        'Touches *10*',
        'Conversations *10* · 100% of touches · median 33%',
        'Meetings booked *5* · 50% of conversations · median 20%',
        'Meetings held *5* · 100% of meetings booked · median 88%',
        'Deals won *5* · 100% of meetings held · median 45%',
        'End to end: 2 touches per won deal · median 46',
      ].join('\n'),
    );
    expectNothingOfBo(allText(dm));
  });

  it('a stage with nothing before it has no rate (never 0%), and a step with fewer than 3 reps shows no median', async () => {
    await ackReply(h, { command: '/my-stats', text: '', userId: CY });
    const text = funnelBlock((await dmTo(CY)).args.blocks, 'stats_funnel');
    expect(text).toContain('Meetings booked *0* · 0% of conversations · median 20%');
    expect(text).toContain('Meetings held *0* · no meetings booked, no rate · median 75%');
    expect(text).toContain('End to end: no won deal yet · median 51');

    // A team of two: every median would give the other rep's rates away.
    const [pair] = await db().insert(salesTeams).values({ teamId: DEFAULT_TEAM_ID, name: 'Pair', nameKey: 'pair', createdBy: ADMIN }).returning();
    await db().insert(salesTeamMembers).values([EVE, 'UNEW000001'].map((userId) => ({ teamId: DEFAULT_TEAM_ID, salesTeamId: pair!.id, userId, role: 'member' as const, addedBy: ADMIN })));
    await db().insert(activities).values({ teamId: DEFAULT_TEAM_ID, userId: 'UNEW000001', typeKey: 'call', quantity: 4, outcome: 'connected', occurredAt: new Date('2026-11-24T15:00:00Z'), source: 'import' });
    await ackReply(h, { command: '/my-stats', text: '', userId: EVE });
    const eve = funnelBlock((await h.fake.waitFor('chat.postMessage', (c) => c.args.channel === `D${EVE}` && JSON.stringify(c.args.blocks).includes('Pair'))).args.blocks, 'stats_funnel');
    expect(eve).toContain('vs the median rep of Pair');
    expect(eve).toContain('Conversations *10* · 100% of touches · median —');
    expect(eve).not.toMatch(/median \d/);
  });

  it('the workspace\'s own stages are the ones counted and shown', async () => {
    await db()
      .update(workspaces)
      .set({ conversionStages: [{ label: 'Dials', types: ['call'] }, { label: 'Booked <3', outcomes: ['booked'] }, { label: 'Signed', won: true }] });
    await ackReply(h, { command: '/my-stats', text: '' });
    const text = funnelBlock((await dmTo(ANA)).args.blocks, 'stats_funnel');
    // Ana: 40 calls, 2 booked, 1 won. Team: booked/dials 5%, 8.8%, 0% (Cy), 6.7% → median (5+6.7)/2 = 6%;
    // won/booked 50%, 22%, 25% → 25% (Cy has none booked).
    expect(text).toContain(
      ['Dials *40*', 'Booked &lt;3 *2* · 5% of dials · median 6%', 'Signed *1* · 50% of booked &lt;3 · median 25%', 'End to end: 40 dials per won deal · median 51'].join('\n'),
    );
  });

  it('an admin viewing a rep sees the rep\'s funnel, titled without "Your"', async () => {
    await ackReply(h, { command: '/my-stats', text: `<@${ANA}|ana>`, userId: ADMIN });
    const text = funnelBlock((await dmTo(ADMIN)).args.blocks, 'stats_funnel');
    expect(text.startsWith(ANA_FUNNEL.replace('*Your funnel*', '*Funnel*'))).toBe(true);
  });
});

/**
 * `/my-stats` end to end: signed requests in, the fake Slack's record out (the DM through conversations.open +
 * chat.postMessage, the private note through response_url), numbers computed from rows in the database.
 * Privacy: a rep never sees another rep's numbers, and ranks carry no one else's figures.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { activities, deals, targets, users } from '../../src/db/schema/index.js';
import { handleMyStats } from '../../src/features/summary/my-stats.command.js';
import { ensureWorkspace } from '../../src/slack/workspace.js';
import { describeEachDb } from '../helpers/db.js';
import { blockKitProblems, type RecordedCall } from '../helpers/fake-slack.js';
import { replyTo, startHarness, type Harness } from '../helpers/harness.js';
import { ackReply } from '../helpers/slack-ui.js';
import { DEFAULT_TEAM_ID, DEFAULT_USER_ID } from '../helpers/signed-request.js';

const ANA = DEFAULT_USER_ID;
const BO = 'UBO0000001';
const ADMIN = 'UADMIN0001';
const OWNER = 'UOWNER0001';

/** Bo's figures, distinct from anything in Ana's summary: none may reach Ana. */
const BO_SECRETS = ['$12,345.67', '12,345.67', 'Bo Bossman', BO];
const BO_CALLS = /\b83\b/;

describeEachDb('/my-stats', (getDb) => {
  let h: Harness;
  beforeEach(async () => {
    // Friday Nov 27 2026, 10:00 in New York: "this week" is Mon Nov 23 – Sun Nov 29.
    h = await startHarness({ db: getDb() });
    h.fake.addUser({ id: BO, name: 'bo', real_name: 'Bo Bossman', profile: { display_name: 'Bo Bossman' }, tz: 'America/New_York' });
    h.fake.addUser({ id: ADMIN, name: 'boss', real_name: 'The Admin', is_admin: true, tz: 'Europe/London' });
    h.fake.addUser({ id: OWNER, name: 'owner', real_name: 'The Owner', is_owner: true, tz: 'America/New_York' });
    const db = getDb().database.db;
    await ensureWorkspace(db, DEFAULT_TEAM_ID);
    const act = (userId: string, typeKey: string, quantity: number, at: string, outcome: string | null = null) => ({
      teamId: DEFAULT_TEAM_ID, userId, typeKey, quantity, occurredAt: new Date(at), outcome, source: 'import' as const,
    });
    await db.insert(activities).values([
      // Ana this week: 10 calls (4 connected, 1 booked, 5 voicemail), 2 meetings.
      act(ANA, 'call', 4, '2026-11-24T15:00:00Z', 'connected'),
      act(ANA, 'call', 1, '2026-11-24T16:00:00Z', 'booked'),
      act(ANA, 'call', 5, '2026-11-25T15:00:00Z', 'voicemail'),
      act(ANA, 'meeting', 2, '2026-11-25T15:00:00Z', 'held'),
      // Ana last week: 6 calls.
      act(ANA, 'call', 6, '2026-11-18T15:00:00Z'),
      // Bo this week: 83 calls, 17 emails.
      act(BO, 'call', 83, '2026-11-24T15:00:00Z', 'connected'),
      act(BO, 'email', 17, '2026-11-24T15:00:00Z'),
    ]);
    const deal = (userId: string, status: 'won' | 'lost', minor: bigint, at: string) => ({
      teamId: DEFAULT_TEAM_ID, userId, status, amountMinor: minor, currency: 'USD', closedAt: new Date(at), source: 'import' as const,
    });
    await db.insert(deals).values([
      deal(ANA, 'won', 4_000_000n, '2026-11-25T15:00:00Z'),
      deal(ANA, 'won', 2_500_000n, '2026-11-18T15:00:00Z'), // last week
      deal(BO, 'won', 1_234_567n, '2026-11-26T15:00:00Z'),
      deal(BO, 'lost', 999_999n, '2026-11-26T16:00:00Z'),
    ]);
  });
  afterEach(async () => {
    await h.stop();
  });

  const dmTo = (userId: string) => h.fake.waitFor('chat.postMessage', (c) => c.args.channel === `D${userId}`);
  const allText = (call: RecordedCall) => JSON.stringify({ text: call.args.text, blocks: call.args.blocks });

  it('DMs the requester their numbers and answers privately, in the ack, that it did', async () => {
    const note = await ackReply(h, { command: '/my-stats', text: '' });
    expect(note.text).toContain('Sent your numbers for This week (Nov 23 – 29) to your DMs.');
    // The DM was sent before the ack said so.
    expect(h.fake.callsTo('conversations.open').map((c) => c.args.users)).toEqual([ANA]);
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(1);
    const dm = await dmTo(ANA);
    expect(blockKitProblems(dm.args.blocks, '/blocks', 50)).toEqual([]);
    const all = allText(dm);
    expect(dm.args.text).toContain('Your numbers, This week (Nov 23 – 29): 12 activities, $40,000.00 won from 1 deal.');
    expect(all).toContain('Your Sales Pulse numbers');
    expect(all).toContain('*Activities*\\n12 · ▲ 100% vs previous\\nCalls 10 (▲ 67%)\\nMeetings 2 (new)');
    expect(all).toContain('Connected 4 · Voicemail 5 · No answer 0 · Booked 1');
    expect(all).toContain('Connect rate 50% (5 of 10 reached someone)');
    expect(all).toContain('*Revenue*\\n$40,000.00\\n▲ 60% vs previous');
    expect(all).toContain('*Revenue per activity*\\n$3,333.33');
    expect(all).toContain('*Win rate*\\n100%');
    expect(all).toContain('*Average deal*\\n$40,000.00');
    expect(all).toContain('#1 of 2 by revenue, #2 of 2 by activity');
    expect(all).toContain('4 more calls than last week, and 1 meeting booked from them');
    // The summary went by DM only: nothing to the channel.
    await h.settle();
    expect(h.fake.callsTo('chat.postMessage').map((c) => c.args.channel)).toEqual([`D${ANA}`]);
  });

  it('ranks leak no one else\'s figures: Ana\'s DM has none of Bo\'s amounts, counts or name', async () => {
    await replyTo(h, await h.slack.command({ command: '/my-stats', text: 'this week' }));
    const dm = await dmTo(ANA);
    const all = allText(dm);
    for (const secret of BO_SECRETS) expect(all).not.toContain(secret);
    expect(all).not.toMatch(BO_CALLS);
    expect(all).not.toMatch(/\b17\b/);
    expect(all).not.toContain('$52,345.67'); // the team's revenue
    expect(all).not.toMatch(/\b112\b/); // the team's activities
    await h.settle();
    expect(h.fake.callsTo('users.info').map((c) => c.args.user)).not.toContain(BO);
  });

  it('takes a period: last week has only last week\'s numbers', async () => {
    const note = (await replyTo(h, await h.slack.command({ command: '/my-stats', text: 'last week' }))).args;
    expect(note.text).toContain('Sent your numbers for Last week (Nov 16 – 22) to your DMs.');
    const dm = await dmTo(ANA);
    expect(dm.args.text).toContain('Your numbers, Last week (Nov 16 – 22): 6 activities, $25,000.00 won from 1 deal.');
    expect(allText(dm)).toContain('#1 of 1 by revenue, #1 of 1 by activity');
  });

  it('an unknown period gets the forms, and no DM', async () => {
    const note = (await replyTo(h, await h.slack.command({ command: '/my-stats', text: 'fortnight' }))).args;
    expect(note.text).toContain('fortnight');
    expect(note.text).toContain('last month');
    await h.settle();
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('help explains the command', async () => {
    const note = (await replyTo(h, await h.slack.command({ command: '/my-stats', text: 'help' }))).args;
    expect(note.text).toContain('/my-stats last month');
    expect(note.text).toContain('/my-stats @someone');
    await h.settle();
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('an admin sees another rep\'s numbers, by DM to the admin, titled with the rep\'s name', async () => {
    const res = await h.slack.command({ command: '/my-stats', text: `<@${BO}|bo> this week`, userId: ADMIN });
    const note = (await replyTo(h, res)).args;
    expect(note.text).toContain('Sent Bo Bossman’s numbers for This week (Nov 23 – 29) to your DMs.');
    const dm = await dmTo(ADMIN);
    const all = allText(dm);
    expect(all).toContain("Bo Bossman's numbers");
    expect(all).toContain('$12,345.67');
    expect(all).toContain('*Activities*\\n100 · new this period');
    expect(all).toContain('#2 of 2 by revenue, #1 of 2 by activity');
    expect(all).toContain('Shown to you as a workspace admin.');
    // Nothing went to Bo or anywhere else.
    await h.settle();
    expect(h.fake.callsTo('chat.postMessage').map((c) => c.args.channel)).toEqual([`D${ADMIN}`]);
    expect(h.fake.callsTo('conversations.open').map((c) => c.args.users)).toEqual([ADMIN]);
  });

  it('an owner may too, with a period', async () => {
    const res = await h.slack.command({ command: '/my-stats', text: `<@${BO}> last week`, userId: OWNER });
    expect((await replyTo(h, res)).args.text).toContain('Sent Bo Bossman’s numbers for Last week (Nov 16 – 22)');
    expect((await dmTo(OWNER)).args.text).toContain('Bo Bossman\'s numbers, Last week (Nov 16 – 22): 0 activities');
  });

  it('a rep asking for another rep is refused politely, and no message anywhere carries the other rep\'s numbers', async () => {
    const res = await h.slack.command({ command: '/my-stats', text: `<@${BO}|bo>` });
    const note = (await replyTo(h, res)).args;
    expect(note.text).toContain('only workspace admins and owners can see someone else’s numbers');
    expect(note.text).toContain('/my-stats');
    await h.settle();
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(0);
    expect(h.fake.callsTo('conversations.open')).toHaveLength(0);
    const everything = JSON.stringify(h.fake.calls.map((c) => c.args));
    for (const secret of BO_SECRETS.slice(0, 3)) expect(everything).not.toContain(secret);
    expect(everything).not.toMatch(BO_CALLS);
    // Nothing about Bo was even looked up.
    expect(h.fake.callsTo('users.info').map((c) => c.args.user)).not.toContain(BO);
  });

  it('an admin flag cached long ago is checked again: a demoted admin is refused', async () => {
    const db = getDb().database.db;
    await db.insert(users).values({
      teamId: DEFAULT_TEAM_ID, userId: 'UDEMOTED01', displayName: 'Was Admin', timeZone: 'UTC', isAdmin: true,
      fetchedAt: new Date(h.clock.now().getTime() - 10 * 60 * 1000),
    });
    h.fake.addUser({ id: 'UDEMOTED01', name: 'was', is_admin: false, tz: 'UTC' });
    const note = (await replyTo(h, await h.slack.command({ command: '/my-stats', text: `<@${BO}>`, userId: 'UDEMOTED01' }))).args;
    expect(note.text).toContain('only workspace admins and owners');
    await h.settle();
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('mentioning yourself is just your own numbers, and a typed @name gets a hint', async () => {
    const self = (await replyTo(h, await h.slack.command({ command: '/my-stats', text: `<@${ANA}|ana> last week` }))).args;
    expect(self.text).toContain('Sent your numbers for Last week (Nov 16 – 22)');
    const typed = (await replyTo(h, await h.slack.command({ command: '/my-stats', text: '@bo' }))).args;
    expect(typed.text).toContain('pick them from the @ list');
  });

  it('when the DM fails, the private reply says so and carries the summary itself', async () => {
    h.fake.failNext('chat.postMessage', { error: 'restricted_action' });
    const reply = (await replyTo(h, await h.slack.command({ command: '/my-stats', text: '' }))).args;
    expect(reply.response_type).toBe('ephemeral');
    const all = JSON.stringify(reply.blocks);
    expect(all).toContain('I couldn’t send your numbers for This week (Nov 23 – 29) to your DMs (Slack said `restricted_action`)');
    expect(all).toContain('*Revenue*\\n$40,000.00');
    expect(all).toContain('#1 of 2 by revenue, #2 of 2 by activity');
    expect(reply.text).toContain('$40,000.00');
    expect(blockKitProblems(reply.blocks, '/blocks', 50)).toEqual([]);
  });

  it('shows the person\'s target progress for the running period, from the targets they have', async () => {
    const db = getDb().database.db;
    // Known since before the week: the target is not prorated.
    await db.insert(users).values({ teamId: DEFAULT_TEAM_ID, userId: ANA, displayName: 'Ana', timeZone: 'America/New_York', joinedAt: new Date('2026-11-01T00:00:00Z'), fetchedAt: h.clock.now() });
    await db.insert(targets).values({ teamId: DEFAULT_TEAM_ID, userKey: ANA, metric: 'call', amount: 50n, period: 'week', createdBy: ADMIN });
    await replyTo(h, await h.slack.command({ command: '/my-stats', text: '' }));
    const all = allText(await dmTo(ANA));
    expect(all).toMatch(/\*Targets\*\\n• Calls: 10 of 50 \(20%\)/);
  });

  it('subcommands registered by other features get the words after them; target progress shows when loaded', async () => {
    const seen: string[][] = [];
    const acks: unknown[] = [];
    const replies: unknown[] = [];
    const client = h.bot.app.client;
    const args = (text: string) =>
      ({
        command: { command: '/my-stats', text, team_id: DEFAULT_TEAM_ID, team_domain: 'example', user_id: ANA },
        context: {},
        ack: async (m: unknown) => {
          acks.push(m);
        },
        respond: async (m: unknown) => {
          replies.push(m);
        },
        client,
      }) as never;
    await handleMyStats(args('Subscribe Weekly'), h.bot.deps, {
      subcommands: {
        subscribe: async (_a, _d, rest) => {
          seen.push(rest);
          return { text: 'subscribed', blocks: [] };
        },
      },
    });
    expect(seen).toEqual([['Weekly']]);
    // The subcommand's answer is the ack's body.
    expect(acks).toEqual([{ response_type: 'ephemeral', text: 'subscribed', blocks: [] }]);
    expect(replies).toEqual([]);

    const progressAsked: unknown[] = [];
    await handleMyStats(args(''), h.bot.deps, {
      loadProgress: async (_deps, input) => {
        progressAsked.push(input);
        return [{ text: 'Calls: 10 of 50 (20%) with 3 of 5 days left: behind pace' }];
      },
    });
    expect(progressAsked).toEqual([{ teamId: DEFAULT_TEAM_ID, userId: ANA, now: h.clock.now(), timeZone: 'America/New_York' }]);
    const dm = await dmTo(ANA);
    expect(allText(dm)).toContain('*Targets*\\n• Calls: 10 of 50 (20%) with 3 of 5 days left: behind pace');

    // A past period is not the running target period: no targets there.
    progressAsked.length = 0;
    h.fake.reset();
    await handleMyStats(args('last week'), h.bot.deps, { loadProgress: async () => [{ text: 'never shown' }] });
    expect(allText(await dmTo(ANA))).not.toContain('never shown');
  });
});

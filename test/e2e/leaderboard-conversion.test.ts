/**
 * The leaderboard's conversion section end to end: `/leaderboard` over signed requests, counts from stored rows,
 * the workspace's own stages (a custom activity type and outcome) read from workspaces.conversion_stages.
 */
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { activities, deals, users, workspaces } from '../../src/db/schema/index.js';
import { ensureWorkspace } from '../../src/slack/workspace.js';
import { describeEachDb } from '../helpers/db.js';
import { newResponseUrl, startHarness, type Harness } from '../helpers/harness.js';
import { ackReply } from '../helpers/slack-ui.js';
import { blockAction, DEFAULT_CHANNEL_ID, DEFAULT_TEAM_ID, DEFAULT_USER_ID } from '../helpers/signed-request.js';

type Block = Record<string, any>;
const BO = 'UBO0000001';
const ADMIN = 'UADMIN0001';

describeEachDb('/leaderboard conversion section', (getDb) => {
  let h: Harness;
  beforeEach(async () => {
    // Friday Nov 27 2026 in New York: "this week" is Mon Nov 23 – Sun Nov 29, last week Nov 16 – 22.
    h = await startHarness({ db: getDb() });
    h.fake.addUser({ id: ADMIN, name: 'boss', is_admin: true, tz: 'America/New_York' });
    const db = getDb().database.db;
    await ensureWorkspace(db, DEFAULT_TEAM_ID);
    await db.insert(users).values([
      { teamId: DEFAULT_TEAM_ID, userId: DEFAULT_USER_ID, displayName: 'Ana', timeZone: 'America/New_York', fetchedAt: new Date('2026-11-27T14:00:00Z') },
      { teamId: DEFAULT_TEAM_ID, userId: BO, displayName: 'Bo', timeZone: 'America/New_York', fetchedAt: new Date('2026-11-27T14:00:00Z') },
    ]);
    const act = (userId: string, typeKey: string, quantity: number, at: string, outcome: string | null = null) => ({
      teamId: DEFAULT_TEAM_ID, userId, typeKey, quantity, occurredAt: new Date(at), outcome, source: 'import' as const,
    });
    await db.insert(activities).values([
      act(DEFAULT_USER_ID, 'call', 30, '2026-11-24T15:00:00Z'),
      act(DEFAULT_USER_ID, 'call', 6, '2026-11-24T16:00:00Z', 'connected'),
      act(DEFAULT_USER_ID, 'call', 2, '2026-11-24T17:00:00Z', 'booked'),
      act(BO, 'email', 12, '2026-11-25T15:00:00Z', 'replied'),
      act(BO, 'site_visit', 5, '2026-11-25T15:00:00Z'),
      act(BO, 'site_visit', 2, '2026-11-25T16:00:00Z', 'quoted'),
      // Last week.
      act(BO, 'call', 10, '2026-11-18T15:00:00Z', 'connected'),
    ]);
    await db.insert(deals).values({
      teamId: DEFAULT_TEAM_ID, userId: BO, status: 'won', amountMinor: 100_000n, currency: 'USD', closedAt: new Date('2026-11-26T15:00:00Z'), source: 'import',
    });
  });
  afterEach(async () => {
    await h.stop();
  });

  function conversionText(blocks: Block[]): string {
    const section = blocks.find((b) => b.type === 'section' && b.text?.type === 'mrkdwn' && String(b.text.text).startsWith('*Conversion*'));
    if (!section) throw new Error('the board has no conversion section');
    return section.text.text as string;
  }

  it('shows the default funnel: touches → conversations → meetings booked → meetings held → deals won', async () => {
    const reply = await ackReply(h, { command: '/leaderboard', text: '' });
    const text = conversionText(reply.blocks);
    // Touches: 38 calls + 12 emails (last week 10 calls); conversations: 8 calls + 12 emails; booked: 2.
    expect(text).toContain('*Touches* 50 (was 10)');
    expect(text).toContain('40% to conversations (was 100%)');
    expect(text).toContain('*Conversations* 20 (was 10)');
    expect(text).toContain('10% to meetings booked (was 0%)');
    expect(text).toContain('0% to meetings held'); // 2 booked, none held yet
    expect(text).toContain('to deals won: no data'); // nothing held: no rate, not 0%
    expect(text).toContain('*Deals won* 1 (was 0)');
    expect(text).toContain('End to end (touches per deals won): 50 (was no data)');
  });

  it('uses the workspace’s own stages, with a custom activity type and outcome', async () => {
    await getDb()
      .database.db.update(workspaces)
      .set({ conversionStages: [{ label: 'Site visits', types: ['site_visit'] }, { label: 'Quotes', outcomes: ['quoted'] }, { label: 'Signed', won: true }] })
      .where(eq(workspaces.teamId, DEFAULT_TEAM_ID));
    const reply = await ackReply(h, { command: '/leaderboard', text: '' });
    const text = conversionText(reply.blocks);
    expect(text).toContain('*Site visits* 7 (was 0)');
    expect(text).toContain('29% to quotes (was no data)');
    expect(text).toContain('*Quotes* 2 (was 0)');
    expect(text).toContain('50% to signed');
    expect(text).not.toContain('Touches');
  });

  it('posted to a channel, the funnel chart follows the activity chart in the thread', async () => {
    const url = newResponseUrl(h);
    const res = await h.slack.interaction(
      blockAction({ actionId: 'leaderboard_post_to_channel', value: JSON.stringify({ period: 'this week' }), userId: ADMIN, channelId: DEFAULT_CHANNEL_ID, responseUrl: url.url }),
    );
    expect(res.status).toBe(200);
    await h.fake.waitFor('response_url', (c) => c.responseUrlId === url.id);
    const post = await h.fake.waitFor('chat.postMessage');
    const ts = (post.response as { ts: string }).ts;
    await h.fake.waitFor('file_upload', (c) => c.args.filename === 'funnel.png');
    const uploads = h.fake.callsTo('file_upload');
    expect(uploads.map((u) => u.args.filename)).toEqual(['leaderboard.png', 'funnel.png']);
    const funnel = uploads[1]!;
    expect((funnel.args.data as Buffer).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a'); // a PNG
    await h.settle();
    const completes = h.fake.callsTo('files.completeUploadExternal');
    expect(completes).toHaveLength(2);
    for (const c of completes) expect(c.args).toMatchObject({ channel_id: DEFAULT_CHANNEL_ID, thread_ts: ts });
    expect(JSON.stringify(completes[1]!.args)).toContain('Conversion funnel');
  });
});

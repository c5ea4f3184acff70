/**
 * `/leaderboard` on demand and its Post to channel button, end to end: signed requests in, the fake Slack's
 * record of what the user saw out, numbers computed from rows stored in the database.
 */
import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { activities, deals, users } from '../../src/db/schema/index.js';
import { ACK_DEADLINE_MS, ackDeadline, WORKING_ON_IT_TEXT } from '../../src/slack/command-ack.js';
import { ensureWorkspace } from '../../src/slack/workspace.js';
import { describeEachDb } from '../helpers/db.js';
import { newResponseUrl, replyTo, startHarness, type Harness } from '../helpers/harness.js';
import { ackReply } from '../helpers/slack-ui.js';
import { blockAction, DEFAULT_CHANNEL_ID, DEFAULT_TEAM_ID, DEFAULT_USER_ID } from '../helpers/signed-request.js';

type Block = Record<string, any>;
const ADMIN = 'UADMIN0001';
const BO = 'UBO0000001';
const CY = 'UCY0000001';

describeEachDb('/leaderboard on demand', (getDb) => {
  let h: Harness;
  beforeEach(async () => {
    // Friday Nov 27 2026, 10:00 in New York: "this week" is Mon Nov 23 – Sun Nov 29.
    h = await startHarness({ db: getDb() });
    h.fake.addUser({ id: ADMIN, name: 'boss', is_admin: true, tz: 'America/New_York' });
    const db = getDb().database.db;
    await ensureWorkspace(db, DEFAULT_TEAM_ID);
    await db.insert(users).values([
      { teamId: DEFAULT_TEAM_ID, userId: DEFAULT_USER_ID, displayName: '*Ana* <b>', timeZone: 'America/New_York', fetchedAt: new Date('2026-11-27T14:00:00Z') },
      { teamId: DEFAULT_TEAM_ID, userId: BO, displayName: 'Bo', timeZone: 'America/New_York', fetchedAt: new Date('2026-11-27T14:00:00Z') },
      { teamId: DEFAULT_TEAM_ID, userId: CY, displayName: 'Cy', timeZone: 'America/New_York', fetchedAt: new Date('2026-11-27T14:00:00Z') },
    ]);
    const act = (userId: string, typeKey: string, quantity: number, at: string) => ({
      teamId: DEFAULT_TEAM_ID, userId, typeKey, quantity, occurredAt: new Date(at), source: 'import' as const,
    });
    await db.insert(activities).values([
      act(DEFAULT_USER_ID, 'call', 10, '2026-11-24T15:00:00Z'),
      act(BO, 'call', 40, '2026-11-24T15:00:00Z'),
      act(BO, 'email', 20, '2026-11-25T15:00:00Z'),
      act(CY, 'meeting', 2, '2026-11-25T15:00:00Z'),
      // Last week: not in this week's board.
      act(CY, 'call', 99, '2026-11-20T15:00:00Z'),
    ]);
    const deal = (userId: string, minor: bigint, currency: string, at: string, status: 'won' | 'lost' = 'won') => ({
      teamId: DEFAULT_TEAM_ID, userId, status, amountMinor: minor, currency, closedAt: new Date(at), source: 'import' as const,
    });
    await db.insert(deals).values([
      deal(DEFAULT_USER_ID, 4_000_000n, 'USD', '2026-11-25T15:00:00Z'),
      deal(CY, 1_250_000n, 'USD', '2026-11-26T15:00:00Z'),
      deal(CY, 900_000n, 'EUR', '2026-11-26T15:00:00Z'),
      deal(BO, 500_000n, 'USD', '2026-11-26T15:00:00Z', 'lost'),
    ]);
  });
  afterEach(async () => {
    await h.stop();
  });

  function tableOf(blocks: Block[]): string[][] {
    const table = blocks.find((b) => b.type === 'table');
    if (!table) throw new Error('the board has no table');
    return table.rows.map((row: Block[]) => row.map((cell) => cell.text));
  }

  it('shows this week privately: totals, reps side by side with both ranks, insights, names literal; no chart', async () => {
    // The board is the ack's body: nothing arrives later through response_url.
    const reply = await ackReply(h, { command: '/leaderboard', text: '' });
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toContain('$52,500.00');
    const all = JSON.stringify(reply.blocks);
    expect(all).toContain('This week (Nov 23 – 29)');
    expect(all).toContain('€9,000.00'); // beside the headline, never added
    const rows = tableOf(reply.blocks);
    const header = rows[0]!;
    const rep = (name: string) => Object.fromEntries(header.map((h, i) => [h, rows.find((r) => r[1] === name)![i]]));
    expect(rows.slice(1).map((r) => r[1])).toEqual(['*Ana* <b>', 'Cy', 'Bo']); // by revenue, then activity
    expect(rep('*Ana* <b>')).toMatchObject({ Revenue: '$40,000.00', Activities: '10', 'Rev rank': '1', 'Act rank': '2' });
    expect(rep('Bo')).toMatchObject({ Revenue: expect.stringMatching(/^(\$0\.00|–)$/), Activities: '60', 'Act rank': '1', 'Rev rank': '3' });
    expect(rep('Cy').Revenue).toContain('$12,500.00');
    expect(rep('Cy').Revenue).toContain('€9,000.00');
    // Insights are plain text, so the name renders literally.
    const insights = reply.blocks.filter((b: Block) => b.type === 'section' && b.text?.type === 'plain_text').map((b: Block) => b.text.text).join('\n');
    expect(insights).toContain('*Ana* <b>');
    expect(insights).toMatch(/Bo/);
    // Private: nothing was posted to the channel and no chart was uploaded.
    await h.settle();
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(0);
    expect(h.fake.callsTo('files.getUploadURLExternal')).toHaveLength(0);
    const button = reply.blocks.flatMap((b: Block) => b.elements ?? []).find((e: Block) => e.action_id === 'leaderboard_post_to_channel');
    expect(button.text.text).toBe('Post to channel');
  });

  it('a board not ready within the ack deadline: the ack says it is on its way, then it follows privately', async () => {
    // Slack rate-limits the requester's lookup for 3 s: longer than the ack may wait (ACK_DEADLINE_MS).
    h.fake.failNext('users.info', { status: 429, retryAfter: 3 });
    const res = await h.slack.command({ command: '/leaderboard', text: 'last week', userId: ADMIN });
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ response_type: 'ephemeral', text: WORKING_ON_IT_TEXT });
    const later = (await h.fake.waitFor('response_url', (c) => c.responseUrlId === res.responseUrlId)).args;
    expect(later.response_type).toBe('ephemeral');
    expect(JSON.stringify(later.blocks)).toContain('Last week (Nov 16 – 22)');
    expect(tableOf(later.blocks).slice(1).map((r) => r[1])).toEqual(['Cy']);
  });

  it('a handler\'s ack deadline counts from when the request reached the bot, not from when the handler ran', async () => {
    const seen: unknown[] = [];
    h.bot.app.use(async ({ context, next }) => {
      seen.push(context.receivedAt);
      await next();
    });
    const before = performance.now();
    await ackReply(h, { command: '/leaderboard', text: 'help' });
    expect(seen).toHaveLength(1);
    const receivedAt = seen[0] as number;
    expect(typeof receivedAt).toBe('number');
    expect(receivedAt).toBeGreaterThanOrEqual(before);
    expect(receivedAt).toBeLessThanOrEqual(performance.now());
    expect(ackDeadline({ receivedAt })).toBe(receivedAt + ACK_DEADLINE_MS);
    // Without an arrival time (Socket Mode), from now.
    const now = performance.now();
    expect(ackDeadline({})).toBeGreaterThanOrEqual(now + ACK_DEADLINE_MS);
  });

  it('takes a period: last week has only last week\'s numbers', async () => {
    const res = await h.slack.command({ command: '/leaderboard', text: 'last week' });
    const reply = (await replyTo(h, res)).args;
    expect(JSON.stringify(reply.blocks)).toContain('Last week (Nov 16 – 22)');
    expect(tableOf(reply.blocks).slice(1).map((r) => r[1])).toEqual(['Cy']);
  });

  it('an unknown period gets a clear error listing the forms', async () => {
    const res = await h.slack.command({ command: '/leaderboard', text: 'fortnight' });
    const reply = (await replyTo(h, res)).args;
    expect(reply.text).toContain('fortnight');
    expect(reply.text).toContain('last month');
    expect(reply.text).toContain('2026-10-01..2026-10-31');
  });

  it('help lists the periods', async () => {
    const reply = (await replyTo(h, await h.slack.command({ command: '/leaderboard', text: 'help' }))).args;
    expect(reply.text).toContain('/leaderboard last month');
    expect(reply.text).toContain('this quarter');
  });

  async function clickPost(userId: string, period: string) {
    const url = newResponseUrl(h);
    const res = await h.slack.interaction(
      blockAction({ actionId: 'leaderboard_post_to_channel', value: JSON.stringify({ period }), userId, channelId: DEFAULT_CHANNEL_ID, responseUrl: url.url }),
    );
    expect(res.status).toBe(200);
    return (await h.fake.waitFor('response_url', (c) => c.responseUrlId === url.id)).args;
  }

  it('Post to channel: an admin posts the board publicly, with the chart in its thread', async () => {
    const notice = await clickPost(ADMIN, 'this week');
    expect(notice.text).toContain('Posted the leaderboard');
    const post = await h.fake.waitFor('chat.postMessage');
    expect(post.args.channel).toBe(DEFAULT_CHANNEL_ID);
    expect(JSON.stringify(post.args.blocks)).toContain('This week (Nov 23 – 29)');
    expect(JSON.stringify(post.args.blocks)).not.toContain('leaderboard_post_to_channel');
    const done = await h.fake.waitFor('files.completeUploadExternal');
    expect(done.args.channel_id).toBe(DEFAULT_CHANNEL_ID);
    expect(done.args.thread_ts).toBe((post.response as { ts: string }).ts);
    const upload = await h.fake.waitFor('file_upload');
    expect(upload.args.filename).toBe('leaderboard.png');
    expect((upload.args.data as Buffer).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a'); // a PNG
    expect(upload.args.length).toBeGreaterThan(10_000);
  });

  it('Post to channel is refused to someone who is not an admin, and nothing is posted', async () => {
    const notice = await clickPost(DEFAULT_USER_ID, 'this week');
    expect(notice.text).toContain('Only workspace admins and owners');
    await h.settle();
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('Post to channel: Slack takes the board but answers 500: one board in the channel, and the admin is told it may have been posted', async () => {
    h.fake.failNext('chat.postMessage', { status: 500, afterEffect: true });
    const notice = await clickPost(ADMIN, 'this week');
    expect(notice.text).toContain('Slack did not confirm the post (http_500)');
    expect(notice.text).toContain('Check the channel before pressing the button again');
    await h.settle();
    expect(h.fake.callsTo('chat.postMessage').map((c) => c.status)).toEqual([500]); // sent once, never again by the client
    expect(h.fake.workspace.conversation(DEFAULT_CHANNEL_ID).filter((m) => !m.threadTs && m.text.length > 0)).toHaveLength(1);
  });

  it('Post to channel while Slack rate-limits posts: nothing posted, and the admin is told to press again', async () => {
    h.fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const notice = await clickPost(ADMIN, 'this week');
    expect(notice.text).toContain('the leaderboard was not posted. Press the button again in a moment');
    await h.settle();
    expect(h.fake.callsTo('chat.postMessage').map((c) => c.status)).toEqual([429]);
    expect(h.fake.workspace.conversation(DEFAULT_CHANNEL_ID).filter((m) => !m.threadTs && m.text.length > 0)).toHaveLength(0);
  });

  it('Post to channel where the bot is not a member says to /invite it', async () => {
    h.fake.channelsWithoutBot.add(DEFAULT_CHANNEL_ID);
    const notice = await clickPost(ADMIN, 'this week');
    expect(notice.text).toContain('/invite @Sales Pulse');
  });
});

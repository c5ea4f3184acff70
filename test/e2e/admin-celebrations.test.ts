/**
 * Win celebrations end to end: `/sales-admin celebrations …` by a workspace admin (announced in the
 * channel, saved only when the bot can post there), then the celebration a won deal gets in that channel:
 * once per deal, paced about a second apart per channel, through a 429, and never for a lost deal; never twice
 * when Slack posts and then answers 5xx or too late; and the sweep that posts, once, a celebration left
 * unposted by a process that stopped or failed without sending, within the retry window.
 */
import { clientsOf } from '../../src/slack/clients.js';
import { asc, eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { dealCelebrations, deals, workspaces } from '../../src/db/schema/index.js';
import {
  CELEBRATION_INTERRUPTED,
  CELEBRATION_LEASE_MS,
  CELEBRATION_RETRY_WINDOW_MS,
  CELEBRATION_SWEEP_JOB,
  CelebrationQueue,
} from '../../src/features/deals/celebrations.js';
import { DEAL_BLOCK } from '../../src/features/deals/modal.view.js';
import { createPostingClient, RATE_LIMITED_SENDS } from '../../src/slack/posting-client.js';
import { describeEachDb, openAnotherConnection } from '../helpers/db.js';
import type { RecordedCall } from '../helpers/fake-slack.js';
import { newResponseUrl, replyTo, startHarness, type Harness } from '../helpers/harness.js';
import { blockAction, DEFAULT_CHANNEL_ID, DEFAULT_TEAM_ID, DEFAULT_USER_ID } from '../helpers/signed-request.js';
import { ackReply, modalOpenedBy, modalSubmission, type Block } from '../helpers/slack-ui.js';

const ADMIN = 'U0ADMIN01';
const OWNER = 'U0OWNER01';
const WINS = 'C0WINS';
const ANNOUNCEMENT = `:tada: Won deals will be celebrated in this channel (set by <@${ADMIN}>).`;
const SAVED = `:white_check_mark: Won deals will be celebrated in <#${WINS}>. Turn it off with \`/sales-admin celebrations off\`.`;
const NOT_ADMIN = ':lock: Only Sales Pulse admins and team managers can use `/sales-admin`. Ask a workspace admin, or your team’s manager.';
/** Slack allows about one post per second per channel; the celebration queue paces itself to that. */
const MIN_GAP_MS = 950;
const MINUTE = 60_000;

describeEachDb('admin: win celebrations', (getDb) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ db: getDb() });
    h.fake.addUser({ id: ADMIN, name: 'ada', tz: 'America/New_York', is_admin: true });
    h.fake.addUser({ id: OWNER, name: 'olu', tz: 'Europe/London', is_owner: true });
  });
  afterEach(async () => {
    await h.stop();
  });

  const db = () => getDb().database.db;
  const storedDeals = () => db().select().from(deals).orderBy(asc(deals.createdAt));
  const storedCelebrations = () => db().select().from(dealCelebrations);
  const celebrationsChannel = async () => (await db().select().from(workspaces).where(eq(workspaces.teamId, DEFAULT_TEAM_ID)))[0]?.celebrationsChannel ?? null;
  const celebrationOf = async (dealId: string) => (await db().select().from(dealCelebrations).where(eq(dealCelebrations.dealId, dealId)))[0];
  /** Celebrations the channel shows (what Slack kept, whatever it answered the poster). */
  const celebrationsShown = (channel = WINS) => h.fake.workspace.conversation(channel).filter((m) => m.text.includes(' closed '));

  /** Won deals stored directly (as an import or the webhook would have), one per account. */
  async function wonDeals(...accounts: string[]) {
    return db()
      .insert(deals)
      .values(accounts.map((account) => ({ teamId: DEFAULT_TEAM_ID, userId: DEFAULT_USER_ID, status: 'won' as const, amountMinor: 100_000n, currency: 'USD', account, closedAt: h.clock.now(), source: 'import' as const })))
      .returning();
  }

  /** A celebration row as another process left it, `ago` ms before the clock (claimed then, last touched then). */
  const leftBehind = (dealId: string, ago: number, over: Partial<typeof dealCelebrations.$inferInsert> = {}) => {
    const then = new Date(h.clock.now().getTime() - ago);
    return db().insert(dealCelebrations).values({ dealId, teamId: DEFAULT_TEAM_ID, channelId: WINS, status: 'pending', createdAt: then, updatedAt: then, ...over });
  };

  /** The scheduler's tick at `ms` after the clock (the sweep runs in it), with the clock moved there. */
  function tickAfter(ms: number) {
    const at = new Date(h.clock.now().getTime() + ms);
    h.clock.set(at);
    return h.bot.scheduler.tick(at);
  }

  /** `/sales-admin <text>` by `userId`; the private reply. */
  async function salesAdmin(text: string, userId = ADMIN): Promise<RecordedCall['args']> {
    // The answer is the ack's body: what it says was stored is stored when it arrives.
    return ackReply(h, { command: '/sales-admin', text, userId });
  }

  async function turnOn(): Promise<void> {
    const reply = await salesAdmin(`celebrations <#${WINS}|wins>`);
    expect(reply.text).toBe(SAVED);
  }

  /** `/log-deal <text>` by Ana; the deal id from the confirmation's buttons. */
  async function logDeal(text: string, opts: { triggerId?: string } = {}): Promise<string> {
    const res = await h.slack.command({ command: '/log-deal', text, ...opts });
    expect(res.status).toBe(200);
    const reply = (await replyTo(h, res)).args;
    const actions = reply.blocks.find((b: Block) => b.type === 'actions');
    expect(actions, reply.text).toBeDefined();
    return actions.elements[0].value as string;
  }

  /** Celebration posts (not the announcement) in `channel`, refused ones included, in order of arrival. */
  const celebrationPosts = (channel = WINS) =>
    h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === channel && String(c.args.text).includes(' closed '));
  const waitForCelebration = (account: string, timeoutMs = 5000) =>
    h.fake.waitFor('chat.postMessage', (c) => c.args.channel === WINS && String(c.args.text).includes(`with ${account}!`), timeoutMs);

  // -------------------------------------------------------------------------------------------
  // the setting

  it('an admin picks a channel: announced there, saved, and confirmed privately', async () => {
    const reply = await salesAdmin(`celebrations <#${WINS}|wins>`);
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toBe(SAVED);

    const announcement = await h.fake.waitFor('chat.postMessage', (c) => c.args.channel === WINS);
    expect(announcement.args.text).toBe(ANNOUNCEMENT);
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(1);
    expect(await celebrationsChannel()).toBe(WINS);
  });

  it('a workspace owner may set it too', async () => {
    const reply = await salesAdmin(`celebrations <#${WINS}|wins>`, OWNER);
    expect(reply.text).toBe(SAVED);
    expect(await celebrationsChannel()).toBe(WINS);
  });

  it('a non-admin is refused and nothing changes: no announcement, the channel stays as it was', async () => {
    await turnOn();
    h.fake.reset();

    const moved = await salesAdmin('celebrations <#C0OTHER|other>', DEFAULT_USER_ID);
    expect(moved.response_type).toBe('ephemeral');
    expect(moved.text).toBe(NOT_ADMIN);
    const off = await salesAdmin('celebrations off', DEFAULT_USER_ID);
    expect(off.text).toBe(NOT_ADMIN);

    expect(await celebrationsChannel()).toBe(WINS);
    await h.settle();
    expect(h.fake.callsTo('chat.postMessage')).toEqual([]);
  });

  it('a non-admin in a fresh workspace is refused and no channel is saved', async () => {
    const reply = await salesAdmin(`celebrations <#${WINS}|wins>`, DEFAULT_USER_ID);
    expect(reply.text).toBe(NOT_ADMIN);
    expect(await celebrationsChannel()).toBeNull();
    await h.settle();
    expect(h.fake.callsTo('chat.postMessage')).toEqual([]);
  });

  it('a channel the bot is not in: the admin is told to /invite, and the setting is NOT saved', async () => {
    h.fake.channelsWithoutBot.add('C0PRIV');
    const reply = await salesAdmin('celebrations <#C0PRIV|deals-private>');
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toBe(":wave: I'm not in <#C0PRIV> yet. Type `/invite @Sales Pulse` in that channel, then run this command again.");
    expect(h.fake.callsTo('chat.postMessage').map((c) => [c.args.channel, c.ok, c.error])).toEqual([['C0PRIV', false, 'not_in_channel']]);
    expect(await celebrationsChannel()).toBeNull();
  });

  it('a channel the bot is not in does not replace a working one: wins are still celebrated in the old channel', async () => {
    await turnOn();
    h.fake.channelsWithoutBot.add('C0PRIV');
    const reply = await salesAdmin('celebrations <#C0PRIV|deals-private>');
    expect(reply.text).toContain('Type `/invite @Sales Pulse` in that channel');
    expect(await celebrationsChannel()).toBe(WINS);

    await logDeal('Acme Corp $12,500');
    const post = await waitForCelebration('Acme Corp');
    expect(post.args.channel).toBe(WINS);
    await h.settle();
    expect(celebrationPosts('C0PRIV')).toEqual([]);
  });

  it('a channel named without # (not a link) is refused with a "Try:" line, nothing saved', async () => {
    const reply = await salesAdmin('celebrations wins');
    expect(reply.text).toBe(':warning: Name one channel, picked with `#` so Slack links it, or `off`.\nTry: `/sales-admin celebrations #sales-wins`');
    expect(await celebrationsChannel()).toBeNull();
    await h.settle();
    expect(h.fake.callsTo('chat.postMessage')).toEqual([]);
  });

  // -------------------------------------------------------------------------------------------
  // celebrating

  it('a won deal is celebrated in the channel: ":tada: <@user> closed $12,500.00 with Acme Corp!", recorded as posted', async () => {
    await turnOn();
    const id = await logDeal('Acme Corp $12,500 -- multi-year renewal');

    const post = await waitForCelebration('Acme Corp');
    expect(post.args.text).toBe(`:tada: <@${DEFAULT_USER_ID}> closed $12,500.00 with Acme Corp!`);
    expect(post.args.text).toContain(':tada:');
    expect(post.args.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: post.args.text } }]);
    expect(post.args.text).not.toContain('multi-year renewal'); // the notes stay private

    await h.settle();
    const celebrations = await storedCelebrations();
    expect(celebrations).toHaveLength(1);
    expect(celebrations[0]).toMatchObject({ dealId: id, teamId: DEFAULT_TEAM_ID, channelId: WINS, status: 'posted', messageTs: (post.response as { ts: string }).ts, error: null });
    expect(celebrationPosts()).toHaveLength(1);
  });

  it('the amount is shown exactly in its own currency (¥, KWD), the account escaped for mrkdwn', async () => {
    await turnOn();
    await logDeal('Globex ¥120000');
    await logDeal('AT&amp;T &lt;Labs&gt; KWD 1.250');
    expect((await waitForCelebration('Globex')).args.text).toBe(`:tada: <@${DEFAULT_USER_ID}> closed ¥120,000 with Globex!`);
    expect((await waitForCelebration('AT&amp;T &lt;Labs&gt;')).args.text).toBe(`:tada: <@${DEFAULT_USER_ID}> closed KWD\u00a01.250 with AT&amp;T &lt;Labs&gt;!`);
  });

  it('a lost deal is not celebrated', async () => {
    await turnOn();
    const lostId = await logDeal('lost Initech $5,000 -- went with a competitor');
    await logDeal('Acme Corp $12,500');
    await waitForCelebration('Acme Corp');
    await h.settle();
    expect(celebrationPosts().map((c) => c.args.text)).toEqual([`:tada: <@${DEFAULT_USER_ID}> closed $12,500.00 with Acme Corp!`]);
    expect((await storedCelebrations()).map((c) => c.dealId)).not.toContain(lostId);
    expect(await storedCelebrations()).toHaveLength(1);
  });

  it('a won deal logged in the modal is celebrated too', async () => {
    await turnOn();
    const res = await h.slack.command({ command: '/log-deal', text: '' });
    const modal = await modalOpenedBy(h, res.triggerId);
    const payload = modalSubmission(modal, { [DEAL_BLOCK.amount]: '9,000', [DEAL_BLOCK.currency]: 'EUR', [DEAL_BLOCK.account]: 'Globex' });
    // Sent twice at once (a double click): still one deal and one celebration.
    await Promise.all([h.slack.interaction(payload), h.slack.interaction(payload)]);
    const post = await waitForCelebration('Globex');
    expect(post.args.text).toBe(`:tada: <@${DEFAULT_USER_ID}> closed €9,000.00 with Globex!`);
    await h.settle();
    expect(await storedDeals()).toHaveLength(1);
    expect(celebrationPosts()).toHaveLength(1);
    expect(await storedCelebrations()).toHaveLength(1);
  });

  it('at most one celebration per deal: the same command again (same trigger_id) or an Edit of the won deal posts nothing more', async () => {
    await turnOn();
    const id = await logDeal('Acme Corp $12,500', { triggerId: '1111.2222.same-win' });
    await waitForCelebration('Acme Corp');
    expect(await logDeal('Acme Corp $12,500', { triggerId: '1111.2222.same-win' })).toBe(id);

    // Edit the won deal: a new amount, still won.
    const url = newResponseUrl(h);
    const click = blockAction({ actionId: 'deal_edit', value: id, blockId: 'deal_actions', channelId: DEFAULT_CHANNEL_ID, responseUrl: url.url });
    await h.slack.interaction(click);
    const modal = await modalOpenedBy(h, click.trigger_id);
    await h.slack.interaction(modalSubmission(modal, { [DEAL_BLOCK.amount]: '15,000' }));
    await h.fake.waitFor('chat.postEphemeral', (c) => String(c.args.text).startsWith('Updated a won deal: Acme Corp, $15,000.00'));
    await h.settle();

    expect(await storedDeals()).toHaveLength(1);
    expect(celebrationPosts().map((c) => c.args.text)).toEqual([`:tada: <@${DEFAULT_USER_ID}> closed $12,500.00 with Acme Corp!`]);
    const celebrations = await storedCelebrations();
    expect(celebrations).toHaveLength(1);
    expect(celebrations[0]).toMatchObject({ dealId: id, status: 'posted' });
  });

  it('a lost deal edited to won is celebrated once, when it becomes won', async () => {
    await turnOn();
    const id = await logDeal('lost Initech');
    const edit = async (changes: Record<string, string | null>) => {
      const click = blockAction({ actionId: 'deal_edit', value: id, blockId: 'deal_actions', channelId: DEFAULT_CHANNEL_ID, responseUrl: newResponseUrl(h).url });
      await h.slack.interaction(click);
      const modal = await modalOpenedBy(h, click.trigger_id);
      const res = await h.slack.interaction(modalSubmission(modal, changes));
      expect(res.body).toBe('');
    };
    await edit({ [DEAL_BLOCK.result]: 'won', [DEAL_BLOCK.amount]: '7,000' });
    const post = await waitForCelebration('Initech');
    expect(post.args.text).toBe(`:tada: <@${DEFAULT_USER_ID}> closed $7,000.00 with Initech!`);
    await edit({ [DEAL_BLOCK.amount]: '8,000' });
    await h.fake.waitFor('chat.postEphemeral', (c) => String(c.args.text).includes('$8,000.00'));
    await h.settle();
    expect(celebrationPosts()).toHaveLength(1);
    expect(await storedCelebrations()).toHaveLength(1);
  });

  it('a burst of won deals from three reps: every deal celebrated exactly once, one rep\'s waiting wins in one post, paced ~1 s apart', async () => {
    await turnOn();
    const reps = [DEFAULT_USER_ID, 'U0BEN0001', 'U0CY00001'];
    const accounts = ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo', 'Foxtrot'];
    const ids = await Promise.all(
      accounts.map(async (account, i) => {
        const res = await h.slack.command({ command: '/log-deal', text: `${account} $${i + 1},000`, userId: reps[i % 3] });
        expect(res.status).toBe(200);
        return (res.json() as { blocks: Block[] }).blocks.find((b) => b.type === 'actions')!.elements[0].value as string;
      }),
    );
    expect(new Set(ids).size).toBe(6);
    await h.settle();

    const all = celebrationPosts();
    expect(all.every((c) => c.ok)).toBe(true);
    // Each deal in exactly one post, by its own rep; no post mixes reps.
    const named = accounts.map((account) => all.filter((c) => String(c.args.text).includes(` with ${account}`)));
    expect(named.map((posts) => posts.length)).toEqual([1, 1, 1, 1, 1, 1]);
    named.forEach((posts, i) => expect(String(posts[0]!.args.text)).toMatch(new RegExp(`^:tada: <@${reps[i % 3]}> closed `)));
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(all.length).toBeLessThanOrEqual(6);
    const at = all.map((c) => c.at).sort((a, b) => a - b);
    for (const gap of at.slice(1).map((t, i) => t - at[i]!)) expect(gap).toBeGreaterThanOrEqual(MIN_GAP_MS);

    const celebrations = await storedCelebrations();
    expect(celebrations.map((c) => c.dealId).sort()).toEqual([...ids].sort());
    expect(celebrations.every((c) => c.status === 'posted')).toBe(true);
  });

  it('wins that wait while the channel is busy are coalesced per person: one post names them all', async () => {
    await turnOn();
    // The first post is rate-limited for 2 s: the next wins wait behind it.
    h.fake.failNext('chat.postMessage', { status: 429, retryAfter: 2 });
    const first = await logDeal('Alpha $1,000');
    await h.fake.waitFor('chat.postMessage', (c) => c.args.channel === WINS, 5000, { includeFailed: true });
    const later = [];
    for (const text of ['Bravo $2,000', 'Charlie $3,000', 'Delta $4,000']) later.push(await logDeal(text));
    await h.settle();

    const posted = celebrationPosts().filter((c) => c.ok);
    expect(posted.map((c) => c.args.text)).toEqual([
      `:tada: <@${DEFAULT_USER_ID}> closed $1,000.00 with Alpha!`,
      `:tada: <@${DEFAULT_USER_ID}> closed 3 deals: $2,000.00 with Bravo, $3,000.00 with Charlie and $4,000.00 with Delta!`,
    ]);
    const rows = await storedCelebrations();
    const ts = (call: RecordedCall) => (call.response as { ts: string }).ts;
    expect(rows.find((r) => r.dealId === first)).toMatchObject({ status: 'posted', messageTs: ts(posted[0]!) });
    for (const id of later) expect(rows.find((r) => r.dealId === id)).toMatchObject({ status: 'posted', messageTs: ts(posted[1]!) });
  });

  it('the celebration queue is bounded: wins past it are not celebrated (nor left pending); their deals are stored', async () => {
    await turnOn();
    await h.settle();
    const db = getDb().database.db;
    const inserted = await db
      .insert(deals)
      .values(['A', 'B', 'C', 'D'].map((account) => ({ teamId: DEFAULT_TEAM_ID, userId: DEFAULT_USER_ID, status: 'won' as const, amountMinor: 100_000n, currency: 'USD', account, closedAt: h.clock.now(), source: 'import' as const })))
      .returning();
    const queue = new CelebrationQueue(h.bot.deps, clientsOf(h.bot.app.client), { maxPending: 2, spacingMs: 10 });
    for (const deal of inserted) void queue.celebrate(deal);
    await queue.drain();

    const rows = await storedCelebrations();
    expect(rows.map((r) => r.dealId).sort()).toEqual([inserted[0]!.id, inserted[1]!.id].sort());
    expect(rows.every((r) => r.status === 'posted')).toBe(true);
    const texts = celebrationPosts().map((c) => String(c.args.text)).join('\n');
    expect(texts).toContain('with A');
    expect(texts).toContain('with B');
    expect(texts).not.toMatch(/with [CD]\b/);
    expect(await storedDeals()).toHaveLength(4);
  });

  it('a 429 from chat.postMessage is waited out and retried: still exactly one post for the deal', async () => {
    await turnOn();
    h.fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const id = await logDeal('Acme Corp $12,500');

    const post = await waitForCelebration('Acme Corp', 10_000);
    await h.settle();
    const attempts = celebrationPosts();
    expect(attempts.map((c) => [c.status, c.ok])).toEqual([
      [429, false],
      [200, true],
    ]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(MIN_GAP_MS); // Retry-After: 1
    expect(attempts.filter((c) => c.ok)).toHaveLength(1);
    expect(post.args.text).toBe(`:tada: <@${DEFAULT_USER_ID}> closed $12,500.00 with Acme Corp!`);
    const celebrations = await storedCelebrations();
    expect(celebrations).toHaveLength(1);
    expect(celebrations[0]).toMatchObject({ dealId: id, status: 'posted', messageTs: (post.response as { ts: string }).ts });
  });

  it('Slack posts the celebration, then answers 500: exactly one celebration in the channel, recorded failed with the reason, never retried', async () => {
    await turnOn();
    h.fake.failNext('chat.postMessage', { status: 500, afterEffect: true });
    const id = await logDeal('Acme Corp $12,500');
    await vi.waitFor(async () => expect(await celebrationOf(id)).toMatchObject({ status: 'failed' }), { timeout: 5000, interval: 20 });
    expect(await celebrationOf(id)).toMatchObject({ status: 'failed', error: 'http_500', messageTs: null });
    // Neither the client nor the sweep tries again: Slack may have posted it (here it did).
    await tickAfter(2 * MINUTE);
    await tickAfter(10 * MINUTE);
    await h.settle();
    expect(celebrationPosts().map((c) => c.status)).toEqual([500]);
    expect(celebrationsShown()).toHaveLength(1);
    expect(await celebrationOf(id)).toMatchObject({ status: 'failed', error: 'http_500' });
  });

  it('Slack posts the celebration but answers after the client’s timeout: one celebration, recorded failed with the reason, never retried', async () => {
    await turnOn();
    await h.settle();
    const [deal] = await wonDeals('Acme Corp');
    const posting = createPostingClient(h.config.SLACK_BOT_TOKEN, { slackApiUrl: h.config.SLACK_API_URL, timeout: 300 });
    const queue = new CelebrationQueue(h.bot.deps, clientsOf(posting), { spacingMs: 10 });
    h.fake.delayNext('chat.postMessage', { ms: 1200 });
    await queue.celebrate(deal!);
    await queue.drain();
    expect(await celebrationOf(deal!.id)).toMatchObject({ status: 'failed', error: 'request_error: timeout' });
    await new Promise((r) => setTimeout(r, 1200)); // the late answer has come and gone
    h.clock.advance(10 * MINUTE);
    expect(await queue.sweep(h.clock.now())).toBe(0);
    await queue.drain();
    expect(celebrationPosts()).toHaveLength(1);
    expect(celebrationsShown()).toHaveLength(1);
  });

  it('429s past what is waited out: recorded "not sent", and the sweep a minute later posts it once', async () => {
    await turnOn();
    h.fake.failNext('chat.postMessage', { status: 429, retryAfter: 0, times: RATE_LIMITED_SENDS });
    const id = await logDeal('Acme Corp $12,500');
    await vi.waitFor(async () => expect(await celebrationOf(id)).toMatchObject({ status: 'failed' }), { timeout: 5000, interval: 20 });
    expect(await celebrationOf(id)).toMatchObject({ status: 'failed', error: 'not sent: ratelimited' });
    expect(celebrationsShown()).toEqual([]);
    await tickAfter(10_000); // too soon: nothing
    await tickAfter(MINUTE);
    await waitForCelebration('Acme Corp');
    await tickAfter(10 * MINUTE);
    await h.settle();
    expect(celebrationPosts().map((c) => c.status)).toEqual([429, 429, 429, 200]);
    expect(celebrationsShown()).toHaveLength(1);
    expect(await celebrationOf(id)).toMatchObject({ status: 'posted', error: null });
  });

  it('the sweep: celebrations left unposted (pending after a crash, failed without sending) are posted exactly once by two processes sweeping at once; old, interrupted, undone and fresh ones are not', async () => {
    await turnOn();
    await h.fake.waitFor('chat.postMessage', (c) => c.args.channel === WINS); // the announcement
    const [crashed, notSent, old, interrupted, mayHavePosted, fresh, undone] = await wonDeals('Crashed', 'NotSent', 'Old', 'Interrupted', 'MayHavePosted', 'Fresh', 'Undone');
    await db().update(deals).set({ deletedAt: h.clock.now() }).where(eq(deals.id, undone!.id));
    await leftBehind(crashed!.id, 10 * MINUTE); // claimed by a process that crashed before posting
    await leftBehind(notSent!.id, 5 * MINUTE, { status: 'failed', error: 'not sent: request_error: ECONNREFUSED' });
    await leftBehind(old!.id, CELEBRATION_RETRY_WINDOW_MS + MINUTE); // past the retry window: old news
    await leftBehind(interrupted!.id, 10 * MINUTE, { error: 'posting' }); // its process stopped mid-post
    await leftBehind(mayHavePosted!.id, 5 * MINUTE, { status: 'failed', error: 'http_500' });
    await leftBehind(fresh!.id, CELEBRATION_LEASE_MS / 2); // still in a live process's queue
    await leftBehind(undone!.id, 10 * MINUTE);

    // Two processes sweep at the same instant: this app's scheduler tick, and another process's queue.
    const other = openAnotherConnection(getDb());
    try {
      const otherQueue = new CelebrationQueue({ ...h.bot.deps, db: other.db }, clientsOf(createPostingClient(h.config.SLACK_BOT_TOKEN, { slackApiUrl: h.config.SLACK_API_URL })), { spacingMs: 10 });
      const now = h.clock.now();
      await Promise.all([h.bot.scheduler.tick(now), otherQueue.sweep(now)]);
      await otherQueue.drain();
      await h.settle(); // the app's queue drains as it stops
    } finally {
      await other.close();
    }

    const shown = celebrationsShown().map((m) => m.text);
    for (const account of ['Crashed', 'NotSent']) expect(shown.filter((t) => t.includes(`with ${account}`)), account).toHaveLength(1);
    for (const account of ['Old', 'Interrupted', 'MayHavePosted', 'Fresh', 'Undone']) expect(shown.filter((t) => t.includes(`with ${account}`)), account).toEqual([]);
    expect(await celebrationOf(crashed!.id)).toMatchObject({ status: 'posted' });
    expect(await celebrationOf(notSent!.id)).toMatchObject({ status: 'posted', error: null });
    expect(await celebrationOf(old!.id)).toMatchObject({ status: 'pending', error: null });
    expect(await celebrationOf(interrupted!.id)).toMatchObject({ status: 'failed', error: CELEBRATION_INTERRUPTED });
    expect(await celebrationOf(mayHavePosted!.id)).toMatchObject({ status: 'failed', error: 'http_500' });
    expect(await celebrationOf(fresh!.id)).toMatchObject({ status: 'pending', error: null });
    expect(await celebrationOf(undone!.id)).toMatchObject({ status: 'pending' });
    // Two claims in all, between the two sweepers.
    expect(h.logs.filter((l) => l.msg === 'retrying a celebration left unposted')).toHaveLength(2);
  });

  it('the sweep is one of the scheduler’s jobs (every tick, and the catch-up at start-up), and sweeping again posts nothing more', async () => {
    await turnOn();
    await h.settle();
    const [deal] = await wonDeals('Acme Corp');
    await leftBehind(deal!.id, 10 * MINUTE);
    const queue = new CelebrationQueue(h.bot.deps, clientsOf(createPostingClient(h.config.SLACK_BOT_TOKEN, { slackApiUrl: h.config.SLACK_API_URL })), { spacingMs: 10 });
    expect(queue.sweepJob().name).toBe(CELEBRATION_SWEEP_JOB);
    await queue.sweepJob().runDue(h.bot.deps, h.clock.now());
    await queue.drain();
    h.clock.advance(10 * MINUTE);
    await queue.sweepJob().runDue(h.bot.deps, h.clock.now());
    await queue.drain();
    expect(celebrationsShown().map((m) => m.text)).toEqual([`:tada: <@${DEFAULT_USER_ID}> closed $1,000.00 with Acme Corp!`]);
    expect(await celebrationOf(deal!.id)).toMatchObject({ status: 'posted' });
  });

  it('a celebration held by two processes (its claimer, stalled past the lease, and a sweeper) is posted by one of them only', async () => {
    await turnOn();
    await h.settle();
    const [deal, other] = await wonDeals('Acme Corp', 'Globex');
    const posting = createPostingClient(h.config.SLACK_BOT_TOKEN, { slackApiUrl: h.config.SLACK_API_URL });
    const stalled = new CelebrationQueue(h.bot.deps, clientsOf(posting), { spacingMs: 10 });
    const sweeper = new CelebrationQueue(h.bot.deps, clientsOf(posting), { spacingMs: 10 });
    // The claimer is refused for 1 s (429) and waits; meanwhile the lease passes and a sweeper claims the deal
    // again, queued behind a post of its own that is refused for 2 s. Both then try to post it.
    h.fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    h.fake.failNext('chat.postMessage', { status: 429, retryAfter: 2 });
    void stalled.celebrate(deal!);
    await h.fake.waitFor('chat.postMessage', (c) => c.status === 429, 5000, { includeFailed: true });
    await vi.waitFor(async () => expect(await celebrationOf(deal!.id)).toMatchObject({ status: 'pending', error: null }), { timeout: 5000, interval: 20 });
    h.clock.advance(CELEBRATION_LEASE_MS + MINUTE);
    void sweeper.celebrate(other!);
    await h.fake.waitFor('chat.postMessage', (c) => c.status === 429 && String(c.args.text).includes('Globex'), 5000, { includeFailed: true });
    expect(await sweeper.sweep(h.clock.now())).toBe(1);
    await Promise.all([stalled.drain(), sweeper.drain()]);

    expect(celebrationsShown().filter((m) => m.text.includes('Acme Corp'))).toHaveLength(1);
    expect(celebrationsShown().filter((m) => m.text.includes('Globex'))).toHaveLength(1);
    expect(await celebrationOf(deal!.id)).toMatchObject({ status: 'posted' });
    expect(h.logs.some((l) => l.msg === 'celebration taken by another process; not posted here')).toBe(true);
  });

  it('`off` stops them: confirmed, saved as null, and the next win posts nothing', async () => {
    await turnOn();
    const reply = await salesAdmin('celebrations off');
    expect(reply.text).toBe(':white_check_mark: Win celebrations are off.');
    expect(await celebrationsChannel()).toBeNull();

    await logDeal('Acme Corp $12,500');
    await h.settle();
    expect(celebrationPosts()).toEqual([]);
    expect(h.fake.callsTo('chat.postMessage').map((c) => c.args.text)).toEqual([ANNOUNCEMENT]);
    expect(await storedCelebrations()).toEqual([]);
    expect(await storedDeals()).toHaveLength(1);
  });

  it('with celebrations never set, a won deal posts nothing', async () => {
    await logDeal('Acme Corp $12,500');
    await h.settle();
    expect(h.fake.callsTo('chat.postMessage')).toEqual([]);
    expect(await storedCelebrations()).toEqual([]);
  });
});

/**
 * Crafted interaction payloads, correctly signed (so they reach the handlers), change nothing that is not the
 * sender's: another rep's Undo or Edit button value (on a confirmation and on the Home tab), a rep pressing an
 * admin-only button or running an admin command, the team_id of another workspace, a forged `private_metadata`
 * pointing a form at someone else's entry (or at nothing real). Each test snapshots every table a handler could write
 * before the crafted request and compares after it, and checks what the sender was told.
 */
import { asc } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { activities, deals, digestSubscriptions, leaderboardSchedules, targets, workspaces } from '../../src/db/schema/index.js';
import { POST_TO_CHANNEL_ACTION } from '../../src/features/leaderboard/render.blocks.js';
import { DEAL_BLOCK } from '../../src/features/deals/modal.view.js';
import { describeEachDb } from '../helpers/db.js';
import { newResponseUrl, startHarness, type Harness } from '../helpers/harness.js';
import { blockAction, DEFAULT_CHANNEL_ID, DEFAULT_TEAM_ID, DEFAULT_USER_ID, type ViewStateValues } from '../helpers/signed-request.js';
import { ackReply, logViaCommand, modalOpenedBy, modalSubmission, type OpenModal } from '../helpers/slack-ui.js';

const REP = 'U0REP0002';
const ADMIN = 'U0ADMIN02';
const OTHER_TEAM = 'T0OTHER01';
const HOME_VIEW = { id: 'VHOME0002', type: 'home', hash: '1733000050.home' };
const NOT_YOURS = ':no_entry: Only the person who logged an entry can undo or edit it.';
const DEAL_NOT_YOURS = ':no_entry: Only the person who logged a deal can undo or edit it.';

describeEachDb('crafted interaction payloads', (getDb) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ db: getDb() });
    h.fake.addUser({ id: REP, name: 'bo', tz: 'America/New_York' });
    h.fake.addUser({ id: ADMIN, name: 'ada', tz: 'America/New_York', is_admin: true });
  });
  afterEach(async () => {
    await h.stop();
  });

  const db = () => getDb().database.db;
  /** Everything a Slack handler could write. */
  const snapshot = async () => ({
    activities: await db().select().from(activities).orderBy(asc(activities.createdAt)),
    deals: await db().select().from(deals).orderBy(asc(deals.createdAt)),
    targets: await db().select().from(targets).orderBy(asc(targets.userKey)),
    schedules: await db().select().from(leaderboardSchedules),
    digests: await db().select().from(digestSubscriptions),
    workspaces: await db().select().from(workspaces).orderBy(asc(workspaces.teamId)),
  });

  /** Ana's call and won deal, logged through their commands; their ids (what their buttons carry). */
  async function anasEntries() {
    const call = await logViaCommand(h, '/log-call', 'Acme x2 #connected', { undo: 'activity_undo', edit: 'activity_edit' });
    const deal = await logViaCommand(h, '/log-deal', 'Globex $12,500', { undo: 'deal_undo', edit: 'deal_edit' });
    await h.fake.waitFor('views.publish'); // Ana's Home tab refreshed after logging: settled before the snapshot
    return { activityId: call.id, dealId: deal.id };
  }

  /** A signed button click on a confirmation in the default channel; the reply sent to its response_url. */
  async function click(actionId: string, value: string, opts: { userId?: string; teamId?: string } = {}) {
    const url = newResponseUrl(h);
    const res = await h.slack.interaction(blockAction({ actionId, value, userId: opts.userId ?? REP, teamId: opts.teamId, blockId: 'confirmation_actions', channelId: DEFAULT_CHANNEL_ID, responseUrl: url.url }));
    expect(res.status).toBe(200);
    return (await h.fake.waitFor('response_url', (c) => c.responseUrlId === url.id)).args;
  }

  /** A signed click on the Home tab's Undo for the first recent entry; the notice the republished Home tab shows. */
  async function homeUndo(kind: 'activity' | 'deal', value: string, opts: { userId?: string; teamId?: string } = {}) {
    const userId = opts.userId ?? REP;
    const published = h.fake.callsTo('views.publish').length;
    const res = await h.slack.interaction(blockAction({ actionId: `home_undo_${kind}_0`, value, userId, teamId: opts.teamId, blockId: 'home_recent_0', view: HOME_VIEW }));
    expect(res.status).toBe(200);
    const call = await h.fake.waitFor('views.publish', (c) => c.args.user_id === userId && h.fake.callsTo('views.publish').indexOf(c) >= published);
    return JSON.stringify(call.args.view);
  }

  /** A modal of `command` opened by `userId`. */
  async function openedBy(userId: string, command: string): Promise<OpenModal> {
    const res = await h.slack.command({ command, text: '', userId });
    expect(res.status).toBe(200);
    return modalOpenedBy(h, res.triggerId);
  }

  /** Submit `modal` as `userId` with its private_metadata replaced (and the team, if given); the ack's body. */
  async function submitForged(modal: OpenModal, changes: Record<string, string>, metadata: string, opts: { userId?: string; teamId?: string } = {}) {
    const payload = modalSubmission(modal, changes, { userId: opts.userId ?? REP });
    const forged = {
      ...payload,
      ...(opts.teamId ? { team: { id: opts.teamId, domain: 'other' }, user: { ...payload.user, team_id: opts.teamId } } : {}),
      view: { ...payload.view, private_metadata: metadata, state: { values: payload.view.state.values as ViewStateValues } },
    };
    const res = await h.slack.interaction(forged);
    expect(res.status).toBe(200);
    return res.json() as { response_action?: string; errors?: Record<string, string> } | null;
  }

  // -------------------------------------------------------------------------------------------
  // another rep's buttons

  it("another rep's Undo button values (a call and a deal, on a confirmation and on the Home tab) change nothing", async () => {
    const { activityId, dealId } = await anasEntries();
    const before = await snapshot();

    expect((await click('activity_undo', activityId)).text).toBe(NOT_YOURS);
    expect((await click('deal_undo', dealId)).text).toBe(DEAL_NOT_YOURS);
    expect(await homeUndo('activity', activityId)).toContain('Only the person who logged an entry can undo it.');
    expect(await homeUndo('deal', dealId)).toContain('Only the person who logged a deal can undo it.');

    await h.settle();
    expect(await snapshot()).toEqual(before);
  });

  it("another rep's Edit button values open no form and change nothing", async () => {
    const { activityId, dealId } = await anasEntries();
    const before = await snapshot();
    expect((await click('activity_edit', activityId)).text).toBe(NOT_YOURS);
    expect((await click('deal_edit', dealId)).text).toBe(DEAL_NOT_YOURS);
    await h.settle();
    expect(h.fake.callsTo('views.open')).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  it('button values that name nothing real (a deal id on a call\'s Undo, not a UUID, 36 dashes, empty) answer "no longer exists" and change nothing', async () => {
    const { activityId, dealId } = await anasEntries();
    const before = await snapshot();
    for (const value of [dealId, activityId.toUpperCase().replace(/-/g, ''), '-'.repeat(36), 'f'.repeat(36), '', "'; drop table activities; --"]) {
      const reply = await click('activity_undo', value, { userId: DEFAULT_USER_ID });
      expect(reply.text).toBe(':grey_question: That entry no longer exists.');
    }
    expect((await click('deal_undo', activityId, { userId: DEFAULT_USER_ID })).text).toBe(':grey_question: That deal no longer exists.');
    await h.settle();
    expect(await snapshot()).toEqual(before);
    expect(h.logs.filter((l) => (l.level as number) >= 50).map((l) => l.msg)).toEqual([]);
  });

  // -------------------------------------------------------------------------------------------
  // another workspace

  it("the author's own buttons sent with another workspace's team_id change nothing here", async () => {
    const { activityId, dealId } = await anasEntries();
    const before = await snapshot();
    const asAnaElsewhere = { userId: DEFAULT_USER_ID, teamId: OTHER_TEAM };
    expect((await click('activity_undo', activityId, asAnaElsewhere)).text).toBe(':grey_question: That entry no longer exists.');
    expect((await click('deal_undo', dealId, asAnaElsewhere)).text).toBe(':grey_question: That deal no longer exists.');
    expect((await click('activity_edit', activityId, asAnaElsewhere)).text).toMatch(/nothing to edit/);
    expect(await homeUndo('activity', activityId, asAnaElsewhere)).toContain('That entry no longer exists.');
    await h.settle();
    expect(h.fake.callsTo('views.open')).toEqual([]);
    const after = await snapshot();
    expect({ ...after, workspaces: after.workspaces.filter((w) => w.teamId === DEFAULT_TEAM_ID) }).toEqual(before);
  });

  // -------------------------------------------------------------------------------------------
  // forged private_metadata

  it("a rep's activity form whose private_metadata names another rep's entry is refused; nothing is stored or changed", async () => {
    const { activityId } = await anasEntries();
    const modal = await openedBy(REP, '/log-call');
    const before = await snapshot();
    const ack = await submitForged(modal, { account_block: 'Forged Inc' }, JSON.stringify({ activityId }));
    expect(ack).toEqual({ response_action: 'errors', errors: { type_block: 'This entry was undone or is not yours, so it cannot be edited.' } });
    await h.settle();
    expect(await snapshot()).toEqual(before);
  });

  it("a rep's deal form whose private_metadata names another rep's deal is refused; nothing is stored or changed", async () => {
    const { dealId } = await anasEntries();
    const modal = await openedBy(REP, '/log-deal');
    const before = await snapshot();
    const ack = await submitForged(modal, { [DEAL_BLOCK.amount]: '1', [DEAL_BLOCK.account]: 'Forged Inc' }, JSON.stringify({ dealId }));
    expect(ack).toEqual({ response_action: 'errors', errors: { [DEAL_BLOCK.result]: 'This deal was undone or is not yours, so it cannot be edited.' } });
    await h.settle();
    expect(await snapshot()).toEqual(before);
  });

  it("the author's form sent with another workspace's team_id and metadata naming her entry here changes nothing here", async () => {
    const { activityId, dealId } = await anasEntries();
    const activityForm = await openedBy(DEFAULT_USER_ID, '/log-call');
    const dealForm = await openedBy(DEFAULT_USER_ID, '/log-deal');
    const before = await snapshot();
    const elsewhere = { userId: DEFAULT_USER_ID, teamId: OTHER_TEAM };
    expect((await submitForged(activityForm, { account_block: 'Elsewhere' }, JSON.stringify({ activityId }), elsewhere))?.response_action).toBe('errors');
    expect((await submitForged(dealForm, { [DEAL_BLOCK.amount]: '1' }, JSON.stringify({ dealId }), elsewhere))?.response_action).toBe('errors');
    await h.settle();
    const after = await snapshot();
    expect({ ...after, workspaces: after.workspaces.filter((w) => w.teamId === DEFAULT_TEAM_ID) }).toEqual(before);
  });

  it.each([
    ['a deal id in the activity form', 'activity', (ids: { dealId: string }) => JSON.stringify({ activityId: ids.dealId })],
    ['an entry id that is not a UUID', 'activity', () => JSON.stringify({ activityId: 'not-a-uuid' })],
    ['an entry id of 36 dashes', 'activity', () => JSON.stringify({ activityId: '-'.repeat(36) })],
    ['a deal id that is not a UUID', 'deal', () => JSON.stringify({ dealId: 'not-a-uuid' })],
    ['an activity id in the deal form', 'deal', (ids: { activityId: string }) => JSON.stringify({ dealId: ids.activityId })],
  ] as const)('a form whose private_metadata names nothing real (%s) is refused plainly; nothing is stored or changed', async (_what, kind, metadata) => {
    const ids = await anasEntries();
    const modal = await openedBy(DEFAULT_USER_ID, kind === 'activity' ? '/log-call' : '/log-deal');
    const before = await snapshot();
    const changes: Record<string, string> = kind === 'activity' ? { account_block: 'Nothing' } : { [DEAL_BLOCK.amount]: '1' };
    const ack = await submitForged(modal, changes, metadata(ids), { userId: DEFAULT_USER_ID });
    expect(ack?.response_action).toBe('errors');
    expect(Object.values(ack?.errors ?? {})).toEqual([kind === 'activity' ? 'This entry was undone or is not yours, so it cannot be edited.' : 'This deal was undone or is not yours, so it cannot be edited.']);
    await h.settle();
    expect(await snapshot()).toEqual(before);
    expect(h.logs.filter((l) => (l.level as number) >= 50).map((l) => l.msg)).toEqual([]);
  });

  it('a form whose private_metadata is not what the bot wrote (not JSON, other types, too long) stores the sender\'s own new entry, nothing else', async () => {
    await anasEntries();
    const before = await snapshot();
    const forgeries = ['{not json', JSON.stringify({ activityId: 42, channelId: ['C1'] }), JSON.stringify([1, 2]), 'x'.repeat(3000), 'null'];
    for (const [i, metadata] of forgeries.entries()) {
      const modal = await openedBy(REP, '/log-call');
      expect(await submitForged(modal, { account_block: `Own ${i}` }, metadata)).toBeNull();
    }
    await h.settle();
    const after = await snapshot();
    expect(after.activities.slice(0, before.activities.length)).toEqual(before.activities);
    expect(after.activities.slice(before.activities.length).map((a) => [a.userId, a.account])).toEqual(forgeries.map((_, i) => [REP, `Own ${i}`]));
    expect({ ...after, activities: before.activities, workspaces: before.workspaces }).toEqual(before);
  });

  // -------------------------------------------------------------------------------------------
  // admin-only

  it('a rep pressing the admin-only Post to channel button is refused: nothing is posted or stored', async () => {
    await anasEntries();
    const before = await snapshot();
    const value = JSON.stringify({ period: 'this week' });
    expect((await click(POST_TO_CHANNEL_ACTION, value)).text).toBe(':lock: Only workspace admins and owners can post the leaderboard to a channel.');
    await h.settle();
    expect(h.fake.callsTo('chat.postMessage')).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  it('the same button pressed by an admin does post (so the refusal above is the role)', async () => {
    await anasEntries();
    const url = newResponseUrl(h);
    const res = await h.slack.interaction(blockAction({ actionId: POST_TO_CHANNEL_ACTION, value: JSON.stringify({ period: 'this week' }), userId: ADMIN, channelId: DEFAULT_CHANNEL_ID, responseUrl: url.url }));
    expect(res.status).toBe(200);
    await h.fake.waitFor('chat.postMessage', (c) => c.args.channel === DEFAULT_CHANNEL_ID);
  });

  it("a rep's admin commands (settings, schedules, targets, digests) are refused; nothing is stored", async () => {
    await anasEntries();
    const before = await snapshot();
    for (const text of ['celebrations <#C0WINS|wins>', 'leaderboard <#C0SALES|sales> weekly mon 09:00', 'target everyone calls 50/week', `target <@${REP}|bo> revenue $1/month`, 'digests weekly']) {
      const reply = await ackReply(h, { command: '/sales-admin', text, userId: REP });
      expect(reply.text).toMatch(/^:lock: Only Sales Pulse admins and team managers can use `\/sales-admin`/);
    }
    await h.settle();
    expect(h.fake.callsTo('chat.postMessage')).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });
});

/**
 * Logging on someone's behalf, end to end: a manager logs a call and a deal for a rep of their team (by command and
 * by form); both ids are stored, the manager's confirmation says whose it is, the rep is told by DM and sees "logged
 * by" on their Home tab, and either of them can undo it. A rep, and the manager of another team, are refused with
 * nothing stored, forged form submissions included.
 *
 * "Now" is Friday Nov 27 2026 15:00 UTC: 10:00 for the manager in New York, already Saturday Nov 28 00:00 for the
 * rep in Tokyo, whose day decides "today" and "yesterday".
 */
import { and, eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { activities, deals, salesTeamMembers, salesTeams } from '../../src/db/schema/index.js';
import { ensureWorkspace } from '../../src/slack/workspace.js';
import { describeEachDb } from '../helpers/db.js';
import type { RecordedCall } from '../helpers/fake-slack.js';
import { newResponseUrl, startHarness, viewState, type Harness } from '../helpers/harness.js';
import { blockAction, DEFAULT_CHANNEL_ID, DEFAULT_TEAM_ID, viewSubmission } from '../helpers/signed-request.js';
import { ackReply, modalOpenedBy, type Block, type OpenModal } from '../helpers/slack-ui.js';

const NOW = new Date('2026-11-27T15:00:00Z');
const MIA = 'U0MIA0001'; // manages East, New York
const ANA = 'U0ANA0001'; // East member, Tokyo
const BO = 'U0BO00001'; // West member
const OLA = 'U0OLA0001'; // manages West
const ADA = 'U0ADA0001'; // Slack workspace admin, in no team
const ANA_MENTION = `<@${ANA}|ana>`;

const REP_REFUSAL =
  ':lock: You can log only your own activities and deals: logging for someone else is for their team’s manager or a Sales Pulse admin. Nothing was stored.';
const NOT_YOUR_REP = `:lock: <@${ANA}> isn’t in a team you manage, so you can’t log for them. Nothing was stored.`;
const REP_FIELD = 'You can log only for yourself: logging for someone else is for their team’s manager or a Sales Pulse admin.';
const NOT_YOUR_REP_FIELD = 'This person isn’t in a team you manage, so you can’t log for them.';

describeEachDb('logging on behalf of a rep', (getDb) => {
  let h: Harness;
  const db = () => getDb().database.db;

  async function team(name: string, manager: string, members: string[]): Promise<void> {
    const [row] = await db()
      .insert(salesTeams)
      .values({ teamId: DEFAULT_TEAM_ID, name, nameKey: name.toLowerCase(), createdBy: ADA })
      .returning({ id: salesTeams.id });
    await db()
      .insert(salesTeamMembers)
      .values([
        { salesTeamId: row!.id, teamId: DEFAULT_TEAM_ID, userId: manager, role: 'manager' as const },
        ...members.map((userId) => ({ salesTeamId: row!.id, teamId: DEFAULT_TEAM_ID, userId, role: 'member' as const })),
      ]);
  }

  beforeEach(async () => {
    h = await startHarness({ db: getDb(), now: NOW });
    h.fake.addUser({ id: MIA, name: 'mia', real_name: 'Mia Chen', tz: 'America/New_York' });
    h.fake.addUser({ id: ANA, name: 'ana', real_name: 'Ana Lima', tz: 'Asia/Tokyo' });
    h.fake.addUser({ id: BO, name: 'bo', tz: 'Europe/London' });
    h.fake.addUser({ id: OLA, name: 'ola', tz: 'Europe/London' });
    h.fake.addUser({ id: ADA, name: 'ada', tz: 'America/New_York', is_admin: true });
    await ensureWorkspace(db(), DEFAULT_TEAM_ID, 'example');
    await team('East AEs', MIA, [ANA]);
    await team('West AEs', OLA, [BO]);
  });
  afterEach(async () => {
    await h.stop();
  });

  const storedActivities = () => db().select().from(activities);
  const storedDeals = () => db().select().from(deals);
  const dmsTo = (userId: string) => h.fake.callsTo('chat.postMessage').filter((c) => dmChannels(userId).includes(c.args.channel as string));
  const dmChannels = (userId: string) =>
    h.fake
      .callsTo('conversations.open')
      .filter((c) => c.args.users === userId)
      .map((c) => (c.response as { channel: { id: string } }).channel.id);
  const buttonsOf = (blocks: Block[]) => blocks.find((b) => b.type === 'actions')!.elements as Block[];

  async function waitForDm(userId: string): Promise<RecordedCall['args']> {
    await h.fake.waitFor('conversations.open', (c) => c.args.users === userId);
    return (await h.fake.waitFor('chat.postMessage', (c) => dmChannels(userId).includes(c.args.channel as string))).args;
  }

  async function click(actionId: string, value: string, userId: string): Promise<RecordedCall['args']> {
    const url = newResponseUrl(h);
    const res = await h.slack.interaction(blockAction({ actionId, value, userId, channelId: DEFAULT_CHANNEL_ID, responseUrl: url.url }));
    expect(res.status).toBe(200);
    return (await h.fake.waitFor('response_url', (c) => c.responseUrlId === url.id)).args;
  }

  // -------------------------------------------------------------------------------------------
  // commands

  it('a manager logs a call for their rep: stored as the rep’s with who logged it, confirmed with whose it is, the rep told by DM and shown “logged by” at Home', async () => {
    const reply = await ackReply(h, { command: '/log-call', text: `${ANA_MENTION} Acme Corp 15m #connected`, userId: MIA });
    expect(reply.blocks[0].text.text).toBe(`:white_check_mark: Logged for <@${ANA}>: 1 call (connected) with Acme Corp for today\n*Duration:* 15 min`);
    expect(reply.blocks[1].elements[0].text).toBe(`That's 1 call this week for <@${ANA}>. Logged by you.`);

    const [row] = await storedActivities();
    expect(row).toMatchObject({ userId: ANA, loggedBy: MIA, typeKey: 'call', outcome: 'connected', account: 'Acme Corp', durationMinutes: 15, source: 'slash_command' });
    expect(await storedActivities()).toHaveLength(1);

    const dm = await waitForDm(ANA);
    expect(dm.text).toContain(`<@${MIA}> logged for you: 1 call (connected) with Acme Corp for today`);
    expect(buttonsOf(dm.blocks as Block[]).map((b) => [b.action_id, b.value])).toEqual([
      ['activity_undo', row!.id],
      ['activity_edit', row!.id],
    ]);

    const home = await h.fake.waitFor('views.publish', (c) => c.args.user_id === ANA && JSON.stringify(c.args.view).includes('logged by'));
    const recent = (home.args.view.blocks as Block[]).find((b) => b.block_id === 'home_recent_0')!;
    expect(recent.text.text).toContain(`1 call (connected) with Acme Corp · today · _logged by <@${MIA}>_`);
    await h.settle();
    expect(dmsTo(MIA)).toEqual([]);
  });

  it('the rep’s time zone decides the day: “yesterday” is the rep’s Friday, not the manager’s Thursday', async () => {
    await ackReply(h, { command: '/log', text: `${ANA_MENTION} meeting Globex yesterday 1h #held`, userId: MIA });
    const [row] = await storedActivities();
    expect(row).toMatchObject({ userId: ANA, loggedBy: MIA, typeKey: 'meeting' });
    expect(row!.occurredAt.toISOString()).toBe('2026-11-27T03:00:00.000Z'); // Friday 12:00 in Tokyo
  });

  it('a manager logs a deal for their rep: stored with both ids, confirmed with the rep’s month, the rep told by DM', async () => {
    const reply = await ackReply(h, { command: '/log-deal', text: `<@${ANA}> won $12,500 Globex`, userId: MIA });
    expect(reply.blocks[0].text.text).toBe(`:moneybag: Logged for <@${ANA}>: a won deal: Globex, $12,500.00`);
    expect(reply.blocks[1].elements[0].text).toBe(`This month for <@${ANA}>: $12,500.00 from 1 won deal. Logged by you.`);
    const [row] = await storedDeals();
    expect(row).toMatchObject({ userId: ANA, loggedBy: MIA, status: 'won', amountMinor: 1_250_000n, currency: 'USD', account: 'Globex', source: 'slack' });

    const dm = await waitForDm(ANA);
    expect(dm.text).toContain(`<@${MIA}> logged for you: a won deal: Globex, $12,500.00`);
    expect(buttonsOf(dm.blocks as Block[]).map((b) => b.value)).toEqual([row!.id, row!.id]);
    const home = await h.fake.waitFor('views.publish', (c) => c.args.user_id === ANA && JSON.stringify(c.args.view).includes('logged by'));
    expect(JSON.stringify(home.args.view)).toContain(`Won deal: Globex, $12,500.00 · today · _logged by <@${MIA}>_`);
  });

  it('an admin logs for anyone, in a team or not; naming yourself is a normal log', async () => {
    await ackReply(h, { command: '/log-email', text: `<@${BO}|bo> Initech`, userId: ADA });
    const self = await ackReply(h, { command: '/log-call', text: `<@${MIA}|mia> Acme`, userId: MIA });
    expect(self.blocks[0].text.text).toBe(':white_check_mark: Logged 1 call with Acme for today');
    expect(self.blocks[1].elements[0].text).toBe("That's 1 call this week.");
    const rows = await storedActivities();
    expect(rows.map((r) => [r.userId, r.loggedBy, r.typeKey]).sort()).toEqual([
      [BO, ADA, 'email'],
      [MIA, null, 'call'],
    ]);
    await h.settle();
    expect(dmsTo(MIA)).toEqual([]);
    expect(dmsTo(BO)).toHaveLength(1);
  });

  it('a redelivered command stores the entry once', async () => {
    const first = await h.slack.command({ command: '/log-call', text: `${ANA_MENTION} Acme`, userId: MIA, triggerId: 'trigger-same' });
    const again = await h.slack.command({ command: '/log-call', text: `${ANA_MENTION} Acme`, userId: MIA, triggerId: 'trigger-same' });
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(await storedActivities()).toHaveLength(1);
    await h.settle();
    expect(dmsTo(ANA)).toHaveLength(1);
  });

  it.each([
    ['a rep naming a teammate', '/log-call', `${ANA_MENTION} Acme`, BO, REP_REFUSAL],
    ['a rep naming a teammate (deal)', '/log-deal', `${ANA_MENTION} won $500 Acme`, BO, REP_REFUSAL],
    ['the manager of another team', '/log-call', `${ANA_MENTION} Acme`, OLA, NOT_YOUR_REP],
    ['the manager of another team (/log)', '/log', `${ANA_MENTION} email Acme`, OLA, NOT_YOUR_REP],
    ['the manager of another team (deal)', '/log-deal', `${ANA_MENTION} won $500 Acme`, OLA, NOT_YOUR_REP],
    ['the manager of another team, the form alone', '/log-deal', ANA_MENTION, OLA, NOT_YOUR_REP],
  ])('%s is refused and nothing is stored', async (_case, command, text, userId, refusal) => {
    const reply = await ackReply(h, { command, text, userId });
    expect(reply.text).toBe(refusal);
    await h.settle();
    expect(await storedActivities()).toEqual([]);
    expect(await storedDeals()).toEqual([]);
    expect(h.fake.callsTo('chat.postMessage')).toEqual([]);
    expect(h.fake.callsTo('views.open')).toEqual([]);
  });

  // -------------------------------------------------------------------------------------------
  // Undo and Edit

  it('the rep can undo an entry logged for them (from the DM); the manager can undo theirs; nobody else can', async () => {
    await ackReply(h, { command: '/log-call', text: `${ANA_MENTION} Acme`, userId: MIA });
    const deal = await ackReply(h, { command: '/log-deal', text: `${ANA_MENTION} won $900 Initech`, userId: MIA });
    const [call] = await storedActivities();
    const dealId = buttonsOf(deal.blocks as Block[])[0]!.value as string;

    const refused = await click('activity_undo', call!.id, BO);
    expect(refused.text).toBe(':no_entry: Only the person who logged an entry can undo or edit it.');
    const refusedDeal = await click('deal_undo', dealId, OLA);
    expect(refusedDeal.text).toBe(':no_entry: Only the person who logged a deal can undo or edit it.');
    expect((await storedActivities())[0]!.deletedAt).toBeNull();
    expect((await storedDeals())[0]!.deletedAt).toBeNull();

    const undone = await click('activity_undo', call!.id, ANA);
    expect(undone.text).toBe("Undone: 1 call with Acme for today removed. That's 0 calls this week.");
    const undoneDeal = await click('deal_undo', dealId, MIA);
    expect(undoneDeal.text).toBe(`Undone: a won deal: Initech, $900.00 removed for <@${ANA}>. This month for <@${ANA}>: no won deals yet.`);
    expect((await storedActivities())[0]!.deletedAt).not.toBeNull();
    expect((await storedDeals())[0]!.deletedAt).not.toBeNull();
  });

  it('the manager edits the entry they logged: it stays the rep’s, in the rep’s day; another manager’s forged edit is refused', async () => {
    await ackReply(h, { command: '/log-call', text: `${ANA_MENTION} Acme`, userId: MIA });
    const [call] = await storedActivities();
    const url = newResponseUrl(h);
    const press = blockAction({ actionId: 'activity_edit', value: call!.id, userId: MIA, channelId: DEFAULT_CHANNEL_ID, responseUrl: url.url });
    await h.slack.interaction(press);
    const modal = await modalOpenedBy(h, press.trigger_id);
    expect(modal.view.blocks.map((b: Block) => b.block_id)).not.toContain('on_behalf_block');
    expect(modal.view.blocks.find((b: Block) => b.block_id === 'date_block').element.initial_date).toBe('2026-11-28');

    const forged = await h.slack.interaction(submission(modal, { account_block: 'Forged' }, OLA));
    expect(forged.json()).toEqual({ response_action: 'errors', errors: { type_block: 'This entry was undone or is not yours, so it cannot be edited.' } });
    const res = await h.slack.interaction(submission(modal, { account_block: 'Acme Corp' }, MIA));
    expect(res.body).toBe('');
    const [edited] = await storedActivities();
    expect(edited).toMatchObject({ userId: ANA, loggedBy: MIA, account: 'Acme Corp', occurredAt: call!.occurredAt });
  });

  // -------------------------------------------------------------------------------------------
  // the forms

  function submission(modal: OpenModal, changes: Record<string, string | null>, userId: string, onBehalf?: string) {
    const values = viewState(modal.view, changes);
    const field = modal.view.callback_id === 'log_deal_modal' ? ['deal_on_behalf_block', 'deal_on_behalf_input'] : ['on_behalf_block', 'on_behalf_input'];
    if (onBehalf !== undefined) values[field[0]!] = { [field[1]!]: { type: 'users_select', selected_user: onBehalf } };
    return viewSubmission({ callbackId: modal.view.callback_id, values, privateMetadata: modal.view.private_metadata, viewId: modal.id, hash: modal.hash, userId });
  }

  async function openForm(command: string, userId: string, text = ''): Promise<OpenModal> {
    const res = await h.slack.command({ command, text, userId });
    expect(res.status).toBe(200);
    return modalOpenedBy(h, res.triggerId);
  }

  it('the forms offer “On behalf of” to managers and admins, not to reps; `/log-call @ana` alone preselects her', async () => {
    const blockIds = (m: OpenModal) => m.view.blocks.map((b: Block) => b.block_id);
    expect(blockIds(await openForm('/log', MIA))[0]).toBe('on_behalf_block');
    expect(blockIds(await openForm('/log-deal', ADA))[0]).toBe('deal_on_behalf_block');
    expect(blockIds(await openForm('/log', BO))).not.toContain('on_behalf_block');
    expect(blockIds(await openForm('/log-deal', ANA))).not.toContain('deal_on_behalf_block');
    const preselected = await openForm('/log-call', MIA, ANA_MENTION);
    expect(preselected.view.blocks[0]).toMatchObject({ block_id: 'on_behalf_block', optional: true, element: { type: 'users_select', initial_user: ANA } });
  });

  it('changing the activity type keeps the manager’s “On behalf of” field', async () => {
    const modal = await openForm('/log', MIA);
    const toCall = blockAction({
      actionId: 'type_input',
      blockId: 'type_block',
      actionType: 'static_select',
      userId: MIA,
      action: { selected_option: { text: { type: 'plain_text', text: 'Call' }, value: 'call' } },
      view: { ...modal.view, id: modal.id, hash: modal.hash, state: { values: viewState(modal.view, { type_block: 'call' }) } },
    });
    expect((await h.slack.interaction(toCall)).status).toBe(200);
    const update = await h.fake.waitFor('views.update');
    expect(update.args.view.blocks.map((b: Block) => b.block_id).slice(0, 2)).toEqual(['on_behalf_block', 'type_block']);
  });

  it('a manager logs a call and a deal for their rep through the forms: stored with both ids, confirmed to the manager, the rep told by DM', async () => {
    const callForm = await openForm('/log-call', MIA);
    // The form's day is a calendar day of the rep's: the manager's default (Nov 27) is already yesterday in Tokyo.
    expect(callForm.view.blocks.find((b: Block) => b.block_id === 'date_block').element.initial_date).toBe('2026-11-27');
    const res = await h.slack.interaction(submission(callForm, { account_block: 'Acme Corp', date_block: '2026-11-28' }, MIA, ANA));
    expect(res.body).toBe('');
    const confirmation = await h.fake.waitFor('chat.postEphemeral', (c) => c.args.user === MIA);
    expect(confirmation.args.text).toContain(`Logged for <@${ANA}>: 1 call with Acme Corp for today`);
    expect(await storedActivities()).toMatchObject([{ userId: ANA, loggedBy: MIA, source: 'modal', account: 'Acme Corp', occurredAt: NOW }]);
    expect((await waitForDm(ANA)).text).toContain(`<@${MIA}> logged for you: 1 call with Acme Corp for today`);

    const dealForm = await openForm('/log-deal', MIA);
    const dealRes = await h.slack.interaction(submission(dealForm, { deal_amount_block: '2,000', deal_account_block: 'Globex' }, MIA, ANA));
    expect(dealRes.body).toBe('');
    await h.fake.waitFor('chat.postEphemeral', (c) => c.args.user === MIA && String(c.args.text).includes('Globex'));
    expect(await storedDeals()).toMatchObject([{ userId: ANA, loggedBy: MIA, amountMinor: 200_000n, account: 'Globex' }]);
    await h.settle();
    expect(dmsTo(ANA)).toHaveLength(2);
  });

  it.each([
    ['a rep’s log form with the field injected', '/log-call', BO, ANA, 'on_behalf_block', REP_FIELD],
    ['a rep’s deal form with the field injected', '/log-deal', ANA, BO, 'deal_on_behalf_block', REP_FIELD],
    ['another team’s manager naming her in the log form', '/log-call', OLA, ANA, 'on_behalf_block', NOT_YOUR_REP_FIELD],
    ['another team’s manager naming her in the deal form', '/log-deal', OLA, ANA, 'deal_on_behalf_block', NOT_YOUR_REP_FIELD],
    ['a manager naming someone outside their teams', '/log-deal', MIA, BO, 'deal_on_behalf_block', NOT_YOUR_REP_FIELD],
  ])('forged: %s is refused under the field and nothing is stored', async (_case, command, userId, named, blockId, error) => {
    const form = await openForm(command, userId);
    const changes: Record<string, string> = command === '/log-deal' ? { deal_amount_block: '500' } : { account_block: 'Acme' };
    const res = await h.slack.interaction(submission(form, changes, userId, named));
    expect(res.json()).toEqual({ response_action: 'errors', errors: { [blockId]: error } });
    await h.settle();
    expect(await storedActivities()).toEqual([]);
    expect(await storedDeals()).toEqual([]);
    expect(h.fake.callsTo('chat.postMessage')).toEqual([]);
    expect(h.fake.callsTo('chat.postEphemeral')).toEqual([]);
  });

  it('nothing of the rep’s is touched by a refusal: their own entries stay theirs', async () => {
    await ackReply(h, { command: '/log-call', text: 'Acme', userId: ANA });
    await ackReply(h, { command: '/log-call', text: `${ANA_MENTION} Acme`, userId: OLA });
    const rows = await db().select().from(activities).where(and(eq(activities.teamId, DEFAULT_TEAM_ID), eq(activities.userId, ANA)));
    expect(rows.map((r) => r.loggedBy)).toEqual([null]);
  });
});

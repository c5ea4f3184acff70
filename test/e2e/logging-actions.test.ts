/**
 * The Undo and Edit buttons on a logging confirmation, end to end: the block_actions request, what
 * happened to the stored row, and what the user saw (the replaced confirmation, the prefilled modal).
 */
import { asc } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { activities } from '../../src/db/schema/index.js';
import { describeEachDb } from '../helpers/db.js';
import { startHarness, viewState, type Harness } from '../helpers/harness.js';
import { blockAction, DEFAULT_CHANNEL_ID, DEFAULT_USER_ID } from '../helpers/signed-request.js';
import { clickButton, logViaCommand, modalOpenedBy, modalSubmission, rowWithId, viewBlock as block, type Block, type Changes, type OpenModal } from '../helpers/slack-ui.js';

const NOW = new Date('2026-11-27T15:00:00Z'); // the harness default: Friday 10:00 in New York
const OTHER_USER = 'U0OTHER01';
const NOT_YOURS = ':no_entry: Only the person who logged an entry can undo or edit it.';

describeEachDb('logging: Undo and Edit', (getDb) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ db: getDb() });
    h.fake.addUser({ id: OTHER_USER, name: 'bo', tz: 'America/New_York' });
  });
  afterEach(async () => {
    await h.stop();
  });

  const storedActivities = () => getDb().database.db.select().from(activities).orderBy(asc(activities.createdAt));

  const storedActivity = async (id: string) => rowWithId(await storedActivities(), id);

  /** Log through a slash command; the id the confirmation's buttons carry, and the confirmation. */
  const logged = (command: string, text: string) => logViaCommand(h, command, text, { undo: 'activity_undo', edit: 'activity_edit' });

  /** Click a button on the (ephemeral) confirmation; resolves with the trigger id and a way to get the reply. */
  const click = (actionId: 'activity_undo' | 'activity_edit', value: string, userId?: string) =>
    clickButton(h, { actionId, value, userId, blockId: 'activity_actions' });

  const undo = async (id: string, userId?: string) => (await click('activity_undo', id, userId)).reply();

  /** Click Edit and return the modal it opened (matched by the click's trigger id), with the id/hash the fake gave it. */
  const openEdit = async (id: string): Promise<OpenModal> => modalOpenedBy(h, (await click('activity_edit', id)).triggerId);

  const submitEdit = (modal: OpenModal, changes: Changes, userId = DEFAULT_USER_ID) => h.slack.interaction(modalSubmission(modal, changes, { userId }));

  // -------------------------------------------------------------------------------------------
  // Undo

  it('Undo marks the entry deleted (kept for audit) and replaces the confirmation with an "undone" notice', async () => {
    const { id } = await logged('/log-call', 'Acme x2 #connected');
    h.clock.advance(60_000);

    const reply = await undo(id);
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.replace_original).toBe(true);
    expect(reply.text).toBe("Undone: 2 calls (connected) with Acme for today removed. That's 0 calls this week.");
    expect(reply.blocks.some((b: Block) => b.type === 'actions')).toBe(false);

    const row = await storedActivity(id);
    expect(row.deletedAt?.toISOString()).toBe('2026-11-27T15:01:00.000Z');
    expect(row.quantity).toBe(2);
  });

  it('after Undo the week count drops: x3, x2, undo the x2 -> "That\'s 3 calls this week"', async () => {
    const three = await logged('/log-call', 'Acme x3');
    expect(three.reply.text).toContain("That's 3 calls this week.");
    const two = await logged('/log-call', 'Globex x2');
    expect(two.reply.text).toContain("That's 5 calls this week.");

    const reply = await undo(two.id);
    expect(reply.text).toBe("Undone: 2 calls with Globex for today removed. That's 3 calls this week.");
    expect(reply.blocks[1].elements[0].text).toBe("That's 3 calls this week.");

    const next = await logged('/log-call', 'Initech');
    expect(next.reply.text).toContain("That's 4 calls this week.");
    expect((await storedActivity(three.id)).deletedAt).toBeNull();
  });

  it('Undo by another user is refused and the entry is untouched', async () => {
    const { id } = await logged('/log-call', 'Acme x2');
    const reply = await undo(id, OTHER_USER);
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.replace_original).toBe(false);
    expect(reply.text).toBe(NOT_YOURS);
    const row = await storedActivity(id);
    expect(row.deletedAt).toBeNull();
    expect(row.updatedAt.getTime()).toBe(row.createdAt.getTime());
  });

  it('Undo twice says it was already undone and leaves the first undo as it was', async () => {
    const { id } = await logged('/log-call', 'Acme');
    expect((await undo(id)).replace_original).toBe(true);
    h.clock.advance(5 * 60_000);

    const again = await undo(id);
    expect(again.replace_original).toBe(false);
    expect(again.text).toBe(':information_source: That entry was already undone.');
    expect((await storedActivity(id)).deletedAt?.toISOString()).toBe(NOW.toISOString());
  });

  it('Undo of an id that does not exist says so and changes nothing', async () => {
    const { id } = await logged('/log-call', 'Acme');
    const reply = await undo('00000000-0000-4000-8000-000000000000');
    expect(reply.replace_original).toBe(false);
    expect(reply.text).toBe(':grey_question: That entry no longer exists.');
    expect((await storedActivity(id)).deletedAt).toBeNull();
  });

  it('Undo works on a confirmation that came from the modal too', async () => {
    const res = await h.slack.command({ command: '/log-email', text: '' });
    const call = await h.fake.waitFor('views.open', (c) => c.args.trigger_id === res.triggerId);
    const view = call.args.view;
    const opened = (call.response as { view: { id: string; hash: string } }).view;
    await submitEdit({ view, id: opened.id, hash: opened.hash }, { account_block: 'Initech', count_block: '4' });
    const confirmation = await h.fake.waitFor('chat.postEphemeral');
    const id = confirmation.args.blocks.find((b: Block) => b.type === 'actions').elements[0].value as string;

    const reply = await undo(id);
    expect(reply.text).toBe("Undone: 4 emails with Initech for today removed. That's 0 emails this week.");
    expect((await storedActivity(id)).deletedAt).not.toBeNull();
  });

  // -------------------------------------------------------------------------------------------
  // Edit

  it('Edit opens the modal prefilled with the entry, carrying its id in private_metadata', async () => {
    const { id } = await logged('/log-call', 'Acme Corp x3 15m #voicemail yesterday -- left a message');
    const { view } = await openEdit(id);

    expect(view.callback_id).toBe('log_activity_modal');
    expect(view.title.text).toBe('Edit activity');
    expect(JSON.parse(view.private_metadata)).toEqual({ activityId: id, channelId: DEFAULT_CHANNEL_ID });
    expect(block(view, 'type_block').element.initial_option.value).toBe('call');
    expect(block(view, 'account_block').element.initial_value).toBe('Acme Corp');
    expect(block(view, 'outcome_block__call').element.initial_option.value).toBe('voicemail');
    expect(block(view, 'count_block').element.initial_value).toBe('3');
    expect(block(view, 'date_block').element.initial_date).toBe('2026-11-26');
    expect(block(view, 'duration_block').element.initial_value).toBe('15m');
    expect(block(view, 'notes_block').element.initial_value).toBe('left a message');
    expect(block(view, 'contact_block').element.initial_value).toBeUndefined();
  });

  it('submitting the Edit modal updates the same row (no new one) and confirms "Updated …"', async () => {
    const { id } = await logged('/log-call', 'Acme Corp x3 15m #voicemail yesterday -- left a message');
    const before = await storedActivity(id);
    const modal = await openEdit(id);
    h.clock.advance(10 * 60_000);

    const res = await submitEdit(modal, { outcome_block__call: 'connected', count_block: '4', contact_block: 'Jane Doe' });
    expect(res.status).toBe(200);
    expect(res.body).toBe('');

    const confirmation = await h.fake.waitFor('chat.postEphemeral');
    expect(confirmation.args.channel).toBe(DEFAULT_CHANNEL_ID);
    expect(confirmation.args.user).toBe(DEFAULT_USER_ID);
    expect(confirmation.args.text).toBe("Updated 4 calls (connected) with Acme Corp for yesterday. That's 4 calls this week.");
    expect(confirmation.args.blocks[0].text.text).toContain('*Contact:* Jane Doe');

    const rows = await storedActivities();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id,
      typeKey: 'call',
      quantity: 4,
      outcome: 'connected',
      contact: 'Jane Doe',
      account: 'Acme Corp',
      durationMinutes: 15,
      notes: 'left a message',
      source: 'slash_command',
      idempotencyKey: before.idempotencyKey,
      deletedAt: null,
    });
    expect(rows[0]!.occurredAt.toISOString()).toBe(before.occurredAt.toISOString());
    expect(rows[0]!.updatedAt.toISOString()).toBe('2026-11-27T15:10:00.000Z');
    const actions = confirmation.args.blocks.find((b: Block) => b.type === 'actions').elements as Block[];
    expect(actions.map((b) => b.value)).toEqual([id, id]);
  });

  it('an Edit that keeps the day keeps the time it was logged at; a new day moves it to noon there', async () => {
    const { id } = await logged('/log-call', 'Acme Corp');
    const loggedAt = (await storedActivity(id)).occurredAt.toISOString();
    expect(loggedAt).toBe('2026-11-27T15:00:00.000Z');
    h.clock.advance(3 * 60 * 60_000);

    await submitEdit(await openEdit(id), { count_block: '2' });
    await h.fake.waitFor('chat.postEphemeral', (c) => String(c.args.text).startsWith('Updated 2 calls'));
    expect((await storedActivity(id)).occurredAt.toISOString()).toBe(loggedAt);

    await submitEdit(await openEdit(id), { date_block: '2026-11-25' });
    await h.fake.waitFor('chat.postEphemeral', (c) => String(c.args.text).includes('Wednesday, Nov 25'));
    // Noon in the user's zone (America/New_York, UTC-5 in November).
    expect((await storedActivity(id)).occurredAt.toISOString()).toBe('2026-11-25T17:00:00.000Z');
  });

  it('changing the type inside the Edit modal keeps it an edit of the same entry', async () => {
    const { id } = await logged('/log-call', 'Globex 1h');
    const modal = await openEdit(id);
    const change = blockAction({
      actionId: 'type_input',
      blockId: 'type_block',
      actionType: 'static_select',
      action: { selected_option: { text: { type: 'plain_text', text: 'Meeting' }, value: 'meeting' } },
      view: { ...modal.view, id: modal.id, hash: modal.hash, state: { values: viewState(modal.view, { type_block: 'meeting' }) } },
    });
    await h.slack.interaction(change);
    const update = await h.fake.waitFor('views.update');
    expect(update.args.view.title.text).toBe('Edit activity');
    expect(JSON.parse(update.args.view.private_metadata)).toEqual({ activityId: id, channelId: DEFAULT_CHANNEL_ID });

    const updated = (update.response as { view: { id: string; hash: string } }).view;
    // Slack keeps what the user had in the unchanged inputs; the account stays Globex.
    await submitEdit({ view: update.args.view, id: updated.id, hash: updated.hash }, { account_block: 'Globex', outcome_block__meeting: 'held', duration_block: '1h' });
    const confirmation = await h.fake.waitFor('chat.postEphemeral');
    expect(confirmation.args.text).toBe("Updated 1 meeting (held) with Globex for today. That's 1 meeting this week.");
    const rows = await storedActivities();
    expect(rows.map((r) => [r.id, r.typeKey, r.outcome])).toEqual([[id, 'meeting', 'held']]);
  });

  it('Edit by another user is refused and opens no modal', async () => {
    const { id } = await logged('/log-call', 'Acme');
    const { reply } = await click('activity_edit', id, OTHER_USER);
    const refusal = await reply();
    expect(refusal.replace_original).toBe(false);
    expect(refusal.text).toBe(NOT_YOURS);
    await h.settle();
    expect(h.fake.callsTo('views.open')).toEqual([]);
  });

  it('Edit of an undone entry is refused and opens no modal', async () => {
    const { id } = await logged('/log-call', 'Acme');
    await undo(id);
    const refusal = await (await click('activity_edit', id)).reply();
    expect(refusal.replace_original).toBe(false);
    expect(refusal.text).toBe(':grey_question: That entry was undone, so there is nothing to edit.');
    await h.settle();
    expect(h.fake.callsTo('views.open')).toEqual([]);
  });

  it('an Edit modal submitted after the entry was undone is refused in the modal and changes nothing', async () => {
    const { id } = await logged('/log-call', 'Acme x2');
    const modal = await openEdit(id);
    await undo(id);
    const res = await submitEdit(modal, { count_block: '9' });
    expect(res.json()).toEqual({ response_action: 'errors', errors: { type_block: 'This entry was undone or is not yours, so it cannot be edited.' } });
    const row = await storedActivity(id);
    expect(row.quantity).toBe(2);
    await h.settle();
    expect(h.fake.callsTo('chat.postEphemeral')).toEqual([]);
  });

  it('an Edit modal submitted by someone else (forged metadata) is refused and changes nothing', async () => {
    const { id } = await logged('/log-call', 'Acme x2');
    const modal = await openEdit(id);
    const res = await submitEdit(modal, { count_block: '9' }, OTHER_USER);
    expect(res.json()).toEqual({ response_action: 'errors', errors: { type_block: 'This entry was undone or is not yours, so it cannot be edited.' } });
    const row = await storedActivity(id);
    expect(row.quantity).toBe(2);
    expect(row.userId).toBe(DEFAULT_USER_ID);
  });

  it('an Edit with invalid values shows the field error and leaves the entry as it was', async () => {
    const { id } = await logged('/log-call', 'Acme x2');
    const modal = await openEdit(id);
    const res = await submitEdit(modal, { count_block: '101', date_block: '2026-12-01' });
    expect(res.json()).toEqual({
      response_action: 'errors',
      errors: { count_block: 'Enter a whole number from 1 to 100.', date_block: '2026-12-01 is in the future. Log today or up to 30 days back.' },
    });
    expect((await storedActivity(id)).quantity).toBe(2);
  });
});

/**
 * The log-activity modal, end to end: opening it (command without text, global shortcut), changing
 * the type inside it, submitting it (stored row, field errors, duplicates, a database that cannot store it in
 * time), and where the confirmation goes (ephemeral in the channel, or a DM).
 */
import { asc } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import { activities } from '../../src/db/schema/index.js';
import { NOT_SAVED_FIELD_TEXT } from '../../src/slack/command-ack.js';
import { describeEachDb, lockTable } from '../helpers/db.js';
import { startHarness, viewState, type Harness, type HarnessOptions } from '../helpers/harness.js';
import { blockAction, DEFAULT_CHANNEL_ID, DEFAULT_USER_ID, globalShortcut } from '../helpers/signed-request.js';
import {
  buttonValues,
  modalSubmission,
  openModalWithCommand,
  openModalWithShortcut,
  viewBlock as block,
  type Block,
  type Changes,
  type OpenModal,
} from '../helpers/slack-ui.js';

const NOW = new Date('2026-11-27T15:00:00Z'); // the harness default: Friday 10:00 in New York
const ALL_TYPES = ['call', 'email', 'meeting', 'demo', 'proposal'];
const FORM_BLOCKS = ['type_block', 'account_pick_block', 'account_block', 'contact_block', 'date_block', 'duration_block', 'count_block', 'notes_block'];

describeEachDb('logging: the modal', (getDb) => {
  let h: Harness = undefined!;
  afterEach(async () => {
    await h?.stop();
    h = undefined!;
  });

  async function start(opts: Omit<HarnessOptions, 'db'> = {}): Promise<Harness> {
    h = await startHarness({ db: getDb(), ...opts });
    return h;
  }

  const storedActivities = () => getDb().database.db.select().from(activities).orderBy(asc(activities.createdAt));

  /** Send a command with no text; the modal it opened (matched by the command's trigger_id). */
  async function openWithCommand(command: string, text = ''): Promise<OpenModal> {
    if (!h) await start();
    return openModalWithCommand(h, command, text);
  }

  async function openWithShortcut(): Promise<OpenModal> {
    if (!h) await start();
    return openModalWithShortcut(h, 'log_activity_shortcut');
  }

  /** The view_submission Slack sends when the user changes `changes` (block_id -> value) and presses Save. */
  const submissionOf = (modal: OpenModal, changes: Changes) => modalSubmission(modal, changes);

  async function submit(modal: OpenModal, changes: Changes) {
    const res = await h.slack.interaction(submissionOf(modal, changes));
    expect(res.status).toBe(200);
    return res;
  }

  const blockIds = (view: Record<string, any>): string[] => view.blocks.map((b: Block) => b.block_id);
  const optionValues = (b: Block | undefined): string[] => (b?.element.options ?? []).map((o: { value: string }) => o.value);

  const filled = {
    account_block: 'Acme Corp',
    contact_block: 'Jane Doe, VP Sales',
    outcome_block__call: 'connected',
    duration_block: '20m',
    count_block: '2',
    notes_block: 'asked for pricing',
  };

  // -------------------------------------------------------------------------------------------
  // opening

  it.each([
    ['/log-call', 'call', ['connected', 'voicemail', 'no-answer', 'booked']],
    ['/log-email', 'email', ['sent', 'replied', 'bounced']],
    ['/log-meeting', 'meeting', ['held', 'no-show', 'booked', 'rescheduled']],
    ['/log-demo', 'demo', ['held', 'no-show', 'booked', 'rescheduled']],
  ])('%s with no text opens the modal with the type preselected and its outcomes, and stores nothing', async (command, type, outcomes) => {
    await start();
    const res = await h.slack.command({ command, text: '' });
    expect(res.status).toBe(200);
    const call = await h.fake.waitFor('views.open');
    expect(call.args.trigger_id).toBe(res.triggerId);
    const view = call.args.view;
    expect(view.callback_id).toBe('log_activity_modal');
    expect(view.title.text).toBe('Log activity');
    expect(JSON.parse(view.private_metadata)).toEqual({ channelId: DEFAULT_CHANNEL_ID });
    expect(block(view, 'type_block')!.element.initial_option.value).toBe(type);
    expect(optionValues(block(view, 'type_block'))).toEqual(ALL_TYPES);
    expect(optionValues(block(view, `outcome_block__${type}`))).toEqual(outcomes);
    expect(block(view, 'date_block')!.element.initial_date).toBe('2026-11-27');
    expect(block(view, 'count_block')!.element.initial_value).toBe('1');

    await h.settle();
    expect(h.fake.callsTo('response_url')).toEqual([]);
    expect(h.fake.callsTo('views.open')).toHaveLength(1);
    expect(await storedActivities()).toEqual([]);
  });

  it('/log with no text opens the modal with no type preselected and no outcome field', async () => {
    const { view } = await openWithCommand('/log');
    expect(block(view, 'type_block')!.element.initial_option).toBeUndefined();
    expect(blockIds(view)).toEqual(FORM_BLOCKS);
    expect(block(view, 'date_block')!.element.initial_date).toBe('2026-11-27');
    expect(await storedActivities()).toEqual([]);
  });

  it('a command with only spaces also opens the modal', async () => {
    const { view } = await openWithCommand('/log-call', '   ');
    expect(view.callback_id).toBe('log_activity_modal');
    expect(await storedActivities()).toEqual([]);
  });

  it.each([
    ['at 03:00 UTC a New York user is still on the previous day', { now: '2026-11-27T03:00:00Z' }, '2026-11-26'],
    ['at 15:00 UTC a New York user is on the 27th (the server zone, Kiritimati, is on the 28th)', {}, '2026-11-27'],
    ['at 15:00 UTC a Tokyo user is already on the 28th', { userTimeZone: 'Asia/Tokyo' }, '2026-11-28'],
    ['at 09:00 UTC a Honolulu user is still on the 26th', { now: '2026-11-27T09:00:00Z', userTimeZone: 'Pacific/Honolulu' }, '2026-11-26'],
  ])('the datepicker starts on today in the user\'s time zone: %s', async (_name, opts, day) => {
    await start(opts);
    const { view } = await openWithCommand('/log-call');
    expect(block(view, 'date_block')!.element.initial_date).toBe(day);
  });

  it('the global shortcut opens the same modal, with no type and no channel', async () => {
    await start();
    const payload = globalShortcut({ callbackId: 'log_activity_shortcut' });
    const res = await h.slack.interaction(payload);
    expect(res.status).toBe(200);
    const call = await h.fake.waitFor('views.open');
    expect(call.args.trigger_id).toBe(payload.trigger_id);
    const view = call.args.view;
    expect(view.callback_id).toBe('log_activity_modal');
    expect(blockIds(view)).toEqual(FORM_BLOCKS);
    expect(block(view, 'type_block')!.element.initial_option).toBeUndefined();
    expect(block(view, 'date_block')!.element.initial_date).toBe('2026-11-27');
    expect(JSON.parse(view.private_metadata)).toEqual({});
    expect(await storedActivities()).toEqual([]);
  });

  // -------------------------------------------------------------------------------------------
  // changing the type inside the modal

  it('picking another type in the modal updates it (views.update) with that type\'s outcomes, keeping the date', async () => {
    const modal = await openWithCommand('/log');

    const toMeeting = blockAction({
      actionId: 'type_input',
      blockId: 'type_block',
      actionType: 'static_select',
      action: { selected_option: { text: { type: 'plain_text', text: 'Meeting' }, value: 'meeting' } },
      view: { ...modal.view, id: modal.id, hash: modal.hash, state: { values: viewState(modal.view, { type_block: 'meeting', date_block: '2026-11-25' }) } },
    });
    expect((await h.slack.interaction(toMeeting)).status).toBe(200);
    const update = await h.fake.waitFor('views.update');
    expect(update.args.view_id).toBe(modal.id);
    expect(update.args.hash).toBe(modal.hash);
    const meetingView = update.args.view;
    expect(optionValues(block(meetingView, 'outcome_block__meeting'))).toEqual(['held', 'no-show', 'booked', 'rescheduled']);
    expect(block(meetingView, 'type_block')!.element.initial_option.value).toBe('meeting');
    expect(block(meetingView, 'date_block')!.element.initial_date).toBe('2026-11-25');
    expect(meetingView.private_metadata).toBe(modal.view.private_metadata);
    expect(meetingView.callback_id).toBe('log_activity_modal');

    // Again, from the updated view: email's outcomes replace the meeting's.
    const updated: OpenModal = { view: meetingView, ...pick((update.response as { view: { id: string; hash: string } }).view) };
    const toEmail = blockAction({
      actionId: 'type_input',
      blockId: 'type_block',
      actionType: 'static_select',
      action: { selected_option: { text: { type: 'plain_text', text: 'Email' }, value: 'email' } },
      view: { ...updated.view, id: updated.id, hash: updated.hash, state: { values: viewState(updated.view, { type_block: 'email' }) } },
    });
    await h.slack.interaction(toEmail);
    const second = await h.fake.waitFor('views.update', (c) => c.args.view.blocks.some((b: Block) => b.block_id === 'outcome_block__email'));
    expect(second.args.hash).toBe(updated.hash);
    expect(optionValues(block(second.args.view, 'outcome_block__email'))).toEqual(['sent', 'replied', 'bounced']);
    expect(block(second.args.view, 'outcome_block__meeting')).toBeUndefined();

    // Submitting the final form stores an email with the outcome picked from the new list.
    const final: OpenModal = { view: second.args.view, ...pick((second.response as { view: { id: string; hash: string } }).view) };
    await submit(final, { account_block: 'Initech', outcome_block__email: 'replied' });
    await h.fake.waitFor('chat.postEphemeral');
    const rows = await storedActivities();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ typeKey: 'email', account: 'Initech', outcome: 'replied', source: 'modal' });
    expect(rows[0]!.occurredAt.toISOString()).toBe('2026-11-25T17:00:00.000Z');
  });

  // -------------------------------------------------------------------------------------------
  // submitting

  it('a valid submission stores one row (source modal, with the contact) and confirms ephemerally in the channel it came from', async () => {
    const modal = await openWithCommand('/log-call');
    const res = await submit(modal, filled);
    expect(res.body).toBe(''); // a bare ack closes the modal

    const confirmation = await h.fake.waitFor('chat.postEphemeral');
    const rows = await storedActivities();
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row).toMatchObject({
      userId: DEFAULT_USER_ID,
      typeKey: 'call',
      quantity: 2,
      account: 'Acme Corp',
      contact: 'Jane Doe, VP Sales',
      outcome: 'connected',
      durationMinutes: 20,
      notes: 'asked for pricing',
      source: 'modal',
      idempotencyKey: `view:${modal.id}`,
      deletedAt: null,
    });
    expect(row!.occurredAt.toISOString()).toBe(NOW.toISOString());

    expect(confirmation.args.channel).toBe(DEFAULT_CHANNEL_ID);
    expect(confirmation.args.user).toBe(DEFAULT_USER_ID);
    expect(confirmation.args.text).toBe("Logged 2 calls (connected) with Acme Corp for today. That's 2 calls this week.");
    expect(confirmation.args.blocks[0].text.text).toBe(
      ':white_check_mark: Logged 2 calls (connected) with Acme Corp for today\n*Contact:* Jane Doe, VP Sales\n*Duration:* 20 min\n> asked for pricing',
    );
    expect(buttonValues(confirmation.args.blocks)).toEqual([row!.id, row!.id]);
    await h.settle();
    expect(h.fake.callsTo('chat.postMessage')).toEqual([]);
    expect(h.fake.callsTo('conversations.open')).toEqual([]);
  });

  it('a past day picked in the datepicker is stored at noon in the user\'s time zone and counted in the week', async () => {
    const modal = await openWithCommand('/log-meeting');
    await submit(modal, { account_block: 'Globex', date_block: '2026-11-23', duration_block: '1h30m' });
    const confirmation = await h.fake.waitFor('chat.postEphemeral');
    const [row] = await storedActivities();
    expect(row!.occurredAt.toISOString()).toBe('2026-11-23T17:00:00.000Z');
    expect(row!.durationMinutes).toBe(90);
    expect(confirmation.args.text).toBe("Logged 1 meeting with Globex for Monday, Nov 23. That's 1 meeting this week.");
  });

  it('when the bot is not in the channel, the confirmation comes by DM instead', async () => {
    await start();
    h.fake.channelsWithoutBot.add(DEFAULT_CHANNEL_ID);
    const modal = await openWithCommand('/log-call');
    await submit(modal, filled);

    const dm = await h.fake.waitFor('chat.postMessage');
    const refused = h.fake.callsTo('chat.postEphemeral');
    expect(refused.map((c) => [c.ok, c.error])).toEqual([[false, 'channel_not_found']]);
    const opened = h.fake.callsTo('conversations.open');
    expect(opened).toHaveLength(1);
    expect(opened[0]!.args.users).toBe(DEFAULT_USER_ID);
    expect(dm.args.channel).toBe((opened[0]!.response as { channel: { id: string } }).channel.id);
    expect(dm.args.text).toBe("Logged 2 calls (connected) with Acme Corp for today. That's 2 calls this week.");
    const [row] = await storedActivities();
    expect(buttonValues(dm.args.blocks)).toEqual([row!.id, row!.id]);
  });

  it('from the global shortcut (no channel) the confirmation comes by DM', async () => {
    const modal = await openWithShortcut();
    await submit(modal, { type_block: 'demo', account_block: 'Globex' });

    const dm = await h.fake.waitFor('chat.postMessage');
    expect(h.fake.callsTo('conversations.open').map((c) => c.args.users)).toEqual([DEFAULT_USER_ID]);
    expect(dm.args.text).toBe("Logged 1 demo with Globex for today. That's 1 demo this week.");
    const rows = await storedActivities();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ typeKey: 'demo', account: 'Globex', outcome: null, source: 'modal' });
    await h.settle();
    expect(h.fake.callsTo('chat.postEphemeral')).toEqual([]);
  });

  it.each([
    ['a future date', '/log-call', { date_block: '2026-11-28' }, 'date_block', '2026-11-28 is in the future. Log today or up to 30 days back.'],
    ['a date 31 days back', '/log-call', { date_block: '2026-10-27' }, 'date_block', '2026-10-27 is too long ago: you can log at most 30 days back.'],
    ['a duration of 13h', '/log-call', { duration_block: '13h' }, 'duration_block', 'That duration is longer than 12 hours. Use up to 12 hours, like 15m, 1h30m or 1.5h.'],
    ['a duration that is not one', '/log-call', { duration_block: 'a while' }, 'duration_block', '"a while" isn\'t a duration. Write it like 15m, 1h30m or 1.5h.'],
    ['a count of 0', '/log-call', { count_block: '0' }, 'count_block', 'Enter a whole number from 1 to 100.'],
    ['a count of 101', '/log-call', { count_block: '101' }, 'count_block', 'Enter a whole number from 1 to 100.'],
    ['no type picked', '/log', {}, 'type_block', 'Pick the kind of activity.'],
  ])('%s: the modal stays open with the error under that field, nothing stored', async (_name, command, changes, blockId, message) => {
    const modal = await openWithCommand(command);
    const res = await submit(modal, { account_block: 'Acme Corp', ...changes });
    expect(res.json()).toEqual({ response_action: 'errors', errors: { [blockId]: message } });
    await h.settle();
    expect(await storedActivities()).toEqual([]);
    expect(h.fake.callsTo('chat.postEphemeral')).toEqual([]);
    expect(h.fake.callsTo('chat.postMessage')).toEqual([]);
  });

  it('the database cannot store it within the deadline (a locked table): answered inside 3 s with "Not saved" under the first field, nothing stored; Save again stores it once', async () => {
    const modal = await openWithCommand('/log-call');
    // Another connection holds a lock that blocks inserts into activities (on PGlite, its one connection is held by
    // that transaction) until the submission has been answered.
    const unlock = await lockTable(getDb(), 'activities');
    try {
      const started = Date.now();
      const res = await h.slack.interaction(submissionOf(modal, filled));
      const took = Date.now() - started;
      expect(res.status).toBe(200);
      expect(took).toBeLessThan(3000);
      expect(res.json()).toEqual({ response_action: 'errors', errors: { type_block: NOT_SAVED_FIELD_TEXT } });
    } finally {
      await unlock();
    }
    expect(await storedActivities()).toEqual([]);
    expect(h.logs.some((l) => l.msg === 'form not saved: the deadline passed before it was committed')).toBe(true);

    // Save pressed again once the database answers: stored and confirmed; the first attempt was rolled back, not committed late.
    const again = await submit(modal, filled);
    expect(again.body).toBe('');
    await h.fake.waitFor('chat.postEphemeral');
    await h.settle();
    expect(await storedActivities()).toHaveLength(1);
    expect(h.fake.callsTo('chat.postEphemeral')).toHaveLength(1);
  });

  it('the same submission twice (Slack retry, double click) stores one row and confirms once', async () => {
    const modal = await openWithCommand('/log-call');
    const payload = submissionOf(modal, filled);
    expect((await h.slack.interaction(payload)).status).toBe(200);
    await h.fake.waitFor('chat.postEphemeral');
    const again = await h.slack.interaction(payload);
    expect(again.status).toBe(200);
    expect(again.body).toBe('');
    await h.settle();
    expect(await storedActivities()).toHaveLength(1);
    expect(h.fake.callsTo('chat.postEphemeral')).toHaveLength(1);
  });

  it('the same submission twice at once stores one row and confirms once', async () => {
    const modal = await openWithCommand('/log-call');
    const payload = submissionOf(modal, filled);
    const responses = await Promise.all([h.slack.interaction(payload), h.slack.interaction(payload)]);
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    await h.fake.waitFor('chat.postEphemeral');
    await h.settle();
    const rows = await storedActivities();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.quantity).toBe(2);
    const confirmations = h.fake.callsTo('chat.postEphemeral');
    expect(confirmations).toHaveLength(1);
    expect(confirmations[0]!.args.text).toContain("That's 2 calls this week.");
  });

  it('two different modals with the same content are two entries', async () => {
    const first = await openWithCommand('/log-call');
    const second = await openWithCommand('/log-call');
    expect(second.id).not.toBe(first.id);
    await submit(first, filled);
    await h.fake.waitFor('chat.postEphemeral');
    await submit(second, filled);
    const confirmation = await h.fake.waitFor('chat.postEphemeral', (c) => c.args.text.includes("That's 4 calls"));
    expect(confirmation.args.text).toBe("Logged 2 calls (connected) with Acme Corp for today. That's 4 calls this week.");
    expect(await storedActivities()).toHaveLength(2);
  });
});

function pick(view: { id: string; hash: string }): { id: string; hash: string } {
  return { id: view.id, hash: view.hash };
}

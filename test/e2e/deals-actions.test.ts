/**
 * The Undo and Edit buttons on a deal confirmation, end to end: the block_actions request, what
 * happened to the stored `deals` row, and what the user saw (the replaced confirmation, the prefilled modal).
 */
import { asc } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { deals } from '../../src/db/schema/index.js';
import { DEAL_BLOCK } from '../../src/features/deals/modal.view.js';
import { describeEachDb } from '../helpers/db.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { DEFAULT_CHANNEL_ID, DEFAULT_USER_ID } from '../helpers/signed-request.js';
import { clickButton, logViaCommand, modalOpenedBy, modalSubmission, rowWithId, viewBlock as block, type Block, type Changes, type OpenModal } from '../helpers/slack-ui.js';

const NOW = new Date('2026-11-27T15:00:00Z'); // the harness default: Friday 10:00 in New York
const OTHER_USER = 'U0OTHER01';
const NOT_YOURS = ':no_entry: Only the person who logged a deal can undo or edit it.';
const REFUSED_IN_MODAL = { response_action: 'errors', errors: { [DEAL_BLOCK.result]: 'This deal was undone or is not yours, so it cannot be edited.' } };

describeEachDb('deals: Undo and Edit', (getDb) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ db: getDb() });
    h.fake.addUser({ id: OTHER_USER, name: 'bo', tz: 'America/New_York' });
  });
  afterEach(async () => {
    await h.stop();
  });

  const storedDeals = () => getDb().database.db.select().from(deals).orderBy(asc(deals.createdAt));

  const storedDeal = async (id: string) => rowWithId(await storedDeals(), id);

  /** Log through `/log-deal`; the id the confirmation's buttons carry, and the confirmation. */
  const logged = (text: string) => logViaCommand(h, '/log-deal', text, { undo: 'deal_undo', edit: 'deal_edit' });

  const click = (actionId: 'deal_undo' | 'deal_edit', value: string, userId?: string) => clickButton(h, { actionId, value, userId, blockId: 'deal_actions' });

  const undo = async (id: string, userId?: string) => (await click('deal_undo', id, userId)).reply();

  const openEdit = async (id: string): Promise<OpenModal> => modalOpenedBy(h, (await click('deal_edit', id)).triggerId);

  const submitEdit = (modal: OpenModal, changes: Changes, userId = DEFAULT_USER_ID) =>
    h.slack.interaction(modalSubmission(modal, changes, { userId, withTitle: true }));

  // -------------------------------------------------------------------------------------------
  // Undo

  it('Undo soft-deletes the deal (deleted_at set, row kept) and replaces the confirmation with an "undone" notice', async () => {
    const { id } = await logged('Acme Corp $12,500 -- multi-year renewal');
    h.clock.advance(60_000);

    const reply = await undo(id);
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.replace_original).toBe(true);
    expect(reply.text).toBe('Undone: a won deal: Acme Corp, $12,500.00 removed. This month: no won deals yet.');
    expect(reply.blocks[0].text.text).toBe(':wastebasket: Undone: a won deal: Acme Corp, $12,500.00 removed.');
    expect(reply.blocks[1].elements[0].text).toBe('This month: no won deals yet.');
    expect(reply.blocks.some((b: Block) => b.type === 'actions')).toBe(false);

    const row = await storedDeal(id);
    expect(row.deletedAt?.toISOString()).toBe('2026-11-27T15:01:00.000Z');
    expect(row).toMatchObject({ status: 'won', amountMinor: 1250000n, currency: 'USD', account: 'Acme Corp' });
  });

  it('after Undo the month totals drop: $12,500 and €9,000, undo the euros -> $12,500.00 from 1 won deal', async () => {
    const usd = await logged('Acme Corp $12,500');
    const eur = await logged('Globex €9,000');
    expect(eur.reply.text).toContain('This month: $12,500.00 + €9,000.00 from 2 won deals.');

    const reply = await undo(eur.id);
    expect(reply.text).toBe('Undone: a won deal: Globex, €9,000.00 removed. This month: $12,500.00 from 1 won deal.');

    const next = await logged('Initech $0.50');
    expect(next.reply.text).toBe('Logged a won deal: Initech, $0.50. This month: $12,500.50 from 2 won deals.');
    expect((await storedDeal(usd.id)).deletedAt).toBeNull();
    expect((await storedDeal(eur.id)).deletedAt).not.toBeNull();
  });

  it('Undo of a lost deal drops it from the lost count', async () => {
    await logged('Acme $100');
    const lost = await logged('lost Initech');
    expect(lost.reply.text).toContain('This month: $100.00 from 1 won deal (1 lost).');
    const reply = await undo(lost.id);
    expect(reply.text).toBe('Undone: a lost deal: Initech removed. This month: $100.00 from 1 won deal.');
  });

  it('Undo by another user is refused and the deal is untouched', async () => {
    const { id } = await logged('Acme $12,500');
    const reply = await undo(id, OTHER_USER);
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.replace_original).toBe(false);
    expect(reply.text).toBe(NOT_YOURS);
    const row = await storedDeal(id);
    expect(row.deletedAt).toBeNull();
    expect(row.updatedAt.getTime()).toBe(row.createdAt.getTime());
  });

  it('Undo twice says it was already undone and leaves the first undo as it was', async () => {
    const { id } = await logged('Acme $12,500');
    expect((await undo(id)).replace_original).toBe(true);
    h.clock.advance(5 * 60_000);

    const again = await undo(id);
    expect(again.replace_original).toBe(false);
    expect(again.text).toBe(':information_source: That deal was already undone.');
    expect((await storedDeal(id)).deletedAt?.toISOString()).toBe(NOW.toISOString());
  });

  it('Undo of an id that does not exist says so and changes nothing', async () => {
    const { id } = await logged('Acme $12,500');
    const reply = await undo('00000000-0000-4000-8000-000000000000');
    expect(reply.replace_original).toBe(false);
    expect(reply.text).toBe(':grey_question: That deal no longer exists.');
    expect((await storedDeal(id)).deletedAt).toBeNull();
  });

  it('Undo works on a confirmation that came from the modal too', async () => {
    const res = await h.slack.command({ command: '/log-deal', text: '' });
    const call = await h.fake.waitFor('views.open', (c) => c.args.trigger_id === res.triggerId);
    const opened = (call.response as { view: { id: string; hash: string } }).view;
    await submitEdit({ view: call.args.view, id: opened.id, hash: opened.hash }, { [DEAL_BLOCK.amount]: '12.5k', [DEAL_BLOCK.account]: 'Initech' });
    const confirmation = await h.fake.waitFor('chat.postEphemeral');
    const id = confirmation.args.blocks.find((b: Block) => b.type === 'actions').elements[0].value as string;

    const reply = await undo(id);
    expect(reply.text).toBe('Undone: a won deal: Initech, $12,500.00 removed. This month: no won deals yet.');
    expect((await storedDeal(id)).deletedAt).not.toBeNull();
  });

  // -------------------------------------------------------------------------------------------
  // Edit

  it('Edit opens the modal prefilled with the deal (amount as a decimal, currency, result), its id in private_metadata', async () => {
    const { id } = await logged('Acme Corp €9,000.50 yesterday -- multi-year renewal');
    const { view } = await openEdit(id);

    expect(view.callback_id).toBe('log_deal_modal');
    expect(view.title.text).toBe('Edit deal');
    expect(JSON.parse(view.private_metadata)).toEqual({ dealId: id, channelId: DEFAULT_CHANNEL_ID });
    expect(block(view, DEAL_BLOCK.result).element.initial_option.value).toBe('won');
    expect(block(view, DEAL_BLOCK.amount).element.initial_value).toBe('9000.50');
    expect(block(view, DEAL_BLOCK.currency).element.initial_option.value).toBe('EUR');
    expect(block(view, DEAL_BLOCK.account).element.initial_value).toBe('Acme Corp');
    expect(block(view, DEAL_BLOCK.date).element.initial_date).toBe('2026-11-26');
    expect(block(view, DEAL_BLOCK.notes).element.initial_value).toBe('multi-year renewal');
  });

  it.each([
    ['a yen deal', 'Globex ¥120000', '120000', 'JPY'],
    ['a dinar deal', 'Globex KWD 1.250', '1.250', 'KWD'],
    ['a dollar deal with cents', 'Globex $0.10', '0.10', 'USD'],
  ])('Edit of %s shows the amount exactly in its currency\'s digits', async (_name, text, amount, currency) => {
    const { id } = await logged(text);
    const { view } = await openEdit(id);
    expect(block(view, DEAL_BLOCK.amount).element.initial_value).toBe(amount);
    expect(block(view, DEAL_BLOCK.currency).element.initial_option.value).toBe(currency);
  });

  it('Edit of a lost deal without an amount preselects Lost and leaves the amount empty', async () => {
    const { id } = await logged('lost Initech -- went with a competitor');
    const { view } = await openEdit(id);
    expect(block(view, DEAL_BLOCK.result).element.initial_option.value).toBe('lost');
    expect(block(view, DEAL_BLOCK.amount).element.initial_value).toBeUndefined();
    expect(block(view, DEAL_BLOCK.currency).element.initial_option.value).toBe('USD');
    expect(block(view, DEAL_BLOCK.account).element.initial_value).toBe('Initech');
  });

  it('submitting the Edit modal updates the same row (no new one) and confirms "Updated …" with the new month totals', async () => {
    const { id } = await logged('Acme Corp $12,500 yesterday -- multi-year renewal');
    const before = await storedDeal(id);
    const modal = await openEdit(id);
    h.clock.advance(10 * 60_000);

    const res = await submitEdit(modal, { [DEAL_BLOCK.amount]: '15,000.25', [DEAL_BLOCK.account]: 'Acme Corporation' });
    expect(res.status).toBe(200);
    expect(res.body).toBe('');

    const confirmation = await h.fake.waitFor('chat.postEphemeral');
    expect(confirmation.args.channel).toBe(DEFAULT_CHANNEL_ID);
    expect(confirmation.args.user).toBe(DEFAULT_USER_ID);
    expect(confirmation.args.text).toBe(
      'Updated a won deal: Acme Corporation, $15,000.25 (closed yesterday). This month: $15,000.25 from 1 won deal.',
    );
    expect(confirmation.args.blocks[0].text.text).toBe(':moneybag: Updated a won deal: Acme Corporation, $15,000.25 (closed yesterday)\n> multi-year renewal');

    const rows = await storedDeals();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id,
      status: 'won',
      amountMinor: 1500025n,
      currency: 'USD',
      account: 'Acme Corporation',
      notes: 'multi-year renewal',
      source: 'slack',
      idempotencyKey: before.idempotencyKey,
      deletedAt: null,
    });
    expect(rows[0]!.closedAt.toISOString()).toBe('2026-11-26T17:00:00.000Z');
    expect(rows[0]!.updatedAt.toISOString()).toBe('2026-11-27T15:10:00.000Z');
    const actions = confirmation.args.blocks.find((b: Block) => b.type === 'actions').elements as Block[];
    expect(actions.map((b) => b.value)).toEqual([id, id]);
  });

  it('Edit can turn a won deal into a lost one without an amount, and the currency into another', async () => {
    const won = await logged('Acme $12,500');
    const other = await logged('Globex $1,000');
    expect(other.reply.text).toContain('This month: $13,500.00 from 2 won deals.');

    await submitEdit(await openEdit(won.id), { [DEAL_BLOCK.result]: 'lost', [DEAL_BLOCK.amount]: null });
    const lost = await h.fake.waitFor('chat.postEphemeral', (c) => String(c.args.text).startsWith('Updated a lost deal'));
    expect(lost.args.text).toBe('Updated a lost deal: Acme. This month: $1,000.00 from 1 won deal (1 lost).');
    expect(await storedDeal(won.id)).toMatchObject({ status: 'lost', amountMinor: null, currency: null });

    await submitEdit(await openEdit(other.id), { [DEAL_BLOCK.amount]: '9,000', [DEAL_BLOCK.currency]: 'EUR' });
    const eur = await h.fake.waitFor('chat.postEphemeral', (c) => String(c.args.text).includes('€9,000.00'));
    expect(eur.args.text).toBe('Updated a won deal: Globex, €9,000.00. This month: €9,000.00 from 1 won deal (1 lost).');
    expect(await storedDeal(other.id)).toMatchObject({ status: 'won', amountMinor: 900000n, currency: 'EUR' });
    expect(await storedDeals()).toHaveLength(2);
  });

  it('an Edit that keeps the day keeps the time the deal closed at; a new day moves it to noon there', async () => {
    const { id } = await logged('Acme $500');
    expect((await storedDeal(id)).closedAt.toISOString()).toBe(NOW.toISOString());
    h.clock.advance(3 * 60 * 60_000);

    await submitEdit(await openEdit(id), { [DEAL_BLOCK.amount]: '600' });
    await h.fake.waitFor('chat.postEphemeral', (c) => String(c.args.text).includes('$600.00'));
    expect((await storedDeal(id)).closedAt.toISOString()).toBe(NOW.toISOString());

    await submitEdit(await openEdit(id), { [DEAL_BLOCK.date]: '2026-11-25' });
    await h.fake.waitFor('chat.postEphemeral', (c) => String(c.args.text).includes('Wednesday, Nov 25'));
    expect((await storedDeal(id)).closedAt.toISOString()).toBe('2026-11-25T17:00:00.000Z');
  });

  it('an Edit submission with a bad amount stays open with the error and changes nothing', async () => {
    const { id } = await logged('Acme $12,500');
    const res = await submitEdit(await openEdit(id), { [DEAL_BLOCK.amount]: '12.345' });
    expect(res.json()).toEqual({
      response_action: 'errors',
      errors: { [DEAL_BLOCK.amount]: '"12.345" has more decimals than the currency has: USD amounts have at most 2 decimal places.' },
    });
    expect(await storedDeal(id)).toMatchObject({ amountMinor: 1250000n, currency: 'USD' });
    await h.settle();
    expect(h.fake.callsTo('chat.postEphemeral')).toEqual([]);
  });

  it('Edit by another user is refused and opens no modal', async () => {
    const { id } = await logged('Acme $12,500');
    const refusal = await (await click('deal_edit', id, OTHER_USER)).reply();
    expect(refusal.replace_original).toBe(false);
    expect(refusal.text).toBe(NOT_YOURS);
    await h.settle();
    expect(h.fake.callsTo('views.open')).toEqual([]);
  });

  it('Edit of an undone deal is refused and opens no modal', async () => {
    const { id } = await logged('Acme $12,500');
    await undo(id);
    const refusal = await (await click('deal_edit', id)).reply();
    expect(refusal.replace_original).toBe(false);
    expect(refusal.text).toBe(':grey_question: That deal was undone, so there is nothing to edit.');
    await h.settle();
    expect(h.fake.callsTo('views.open')).toEqual([]);
  });

  it('an Edit modal submitted after the deal was undone is refused in the modal and changes nothing', async () => {
    const { id } = await logged('Acme $12,500');
    const modal = await openEdit(id);
    await undo(id);
    const res = await submitEdit(modal, { [DEAL_BLOCK.amount]: '99' });
    expect(res.json()).toEqual(REFUSED_IN_MODAL);
    expect(await storedDeal(id)).toMatchObject({ amountMinor: 1250000n });
    await h.settle();
    expect(h.fake.callsTo('chat.postEphemeral')).toEqual([]);
  });

  it('an Edit modal submitted by someone else (forged metadata) is refused and changes nothing', async () => {
    const { id } = await logged('Acme $12,500');
    const modal = await openEdit(id);
    const res = await submitEdit(modal, { [DEAL_BLOCK.amount]: '99' }, OTHER_USER);
    expect(res.json()).toEqual(REFUSED_IN_MODAL);
    const row = await storedDeal(id);
    expect(row).toMatchObject({ amountMinor: 1250000n, userId: DEFAULT_USER_ID, deletedAt: null });
    expect(row.updatedAt.getTime()).toBe(row.createdAt.getTime());
    await h.settle();
    expect(h.fake.callsTo('chat.postEphemeral')).toEqual([]);
  });
});

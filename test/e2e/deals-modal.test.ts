/**
 * The log-deal modal end to end: opening it (`/log-deal` alone, the "Log deal" global shortcut),
 * submitting it (the stored row, field errors, duplicate submissions, a database slow or down), and where the
 * confirmation goes.
 */
import net from 'node:net';
import { asc, eq } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import { connectPostgres } from '../../src/db/client.js';
import { deals, workspaces } from '../../src/db/schema/index.js';
import { DEAL_BLOCK } from '../../src/features/deals/modal.view.js';
import { NOT_SAVED_FIELD_TEXT } from '../../src/slack/command-ack.js';
import { ensureWorkspace } from '../../src/slack/workspace.js';
import { describeEachDb, lockTable } from '../helpers/db.js';
import { startHarness, type Harness, type HarnessOptions } from '../helpers/harness.js';
import { DEFAULT_CHANNEL_ID, DEFAULT_TEAM_ID, DEFAULT_USER_ID, globalShortcut } from '../helpers/signed-request.js';
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

const NOW = new Date('2026-11-27T15:00:00Z'); // the harness default: Friday 10:00 in New York, Saturday in Kiritimati
const FORM_BLOCKS = Object.values(DEAL_BLOCK);

describeEachDb('deals: the log-deal modal', (getDb) => {
  let h: Harness = undefined!;
  afterEach(async () => {
    await h?.stop();
    h = undefined!;
  });

  async function start(opts: Omit<HarnessOptions, 'db'> = {}): Promise<Harness> {
    h = await startHarness({ db: getDb(), ...opts });
    return h;
  }

  const storedDeals = () => getDb().database.db.select().from(deals).orderBy(asc(deals.createdAt));

  async function openWithCommand(): Promise<OpenModal> {
    if (!h) await start();
    return openModalWithCommand(h, '/log-deal');
  }

  async function openWithShortcut(): Promise<OpenModal> {
    if (!h) await start();
    return openModalWithShortcut(h, 'log_deal_shortcut');
  }

  /** `deal_result_block` in `changes` takes 'won' | 'lost'. */
  const submissionOf = (modal: OpenModal, changes: Changes) => modalSubmission(modal, changes, { withTitle: true });

  async function submit(modal: OpenModal, changes: Changes) {
    const res = await h.slack.interaction(submissionOf(modal, changes));
    expect(res.status).toBe(200);
    return res;
  }

  const acme = {
    [DEAL_BLOCK.amount]: '12,500',
    [DEAL_BLOCK.account]: 'Acme Corp',
    [DEAL_BLOCK.notes]: 'multi-year renewal',
  };

  // -------------------------------------------------------------------------------------------
  // opening

  it('/log-deal alone opens the modal: callback log_deal_modal, won preselected, workspace currency, today, the channel in metadata', async () => {
    await start();
    const res = await h.slack.command({ command: '/log-deal', text: '' });
    expect(res.status).toBe(200);
    const call = await h.fake.waitFor('views.open');
    expect(call.args.trigger_id).toBe(res.triggerId);
    const view = call.args.view;
    expect(view.callback_id).toBe('log_deal_modal');
    expect(view.title.text).toBe('Log a deal');
    expect(view.blocks.map((b: Block) => b.block_id)).toEqual(FORM_BLOCKS);
    expect(JSON.parse(view.private_metadata)).toEqual({ channelId: DEFAULT_CHANNEL_ID });
    expect(block(view, DEAL_BLOCK.result).element.type).toBe('radio_buttons');
    expect(block(view, DEAL_BLOCK.result).element.initial_option.value).toBe('won');
    expect(block(view, DEAL_BLOCK.currency).element.initial_option.value).toBe('USD');
    expect(block(view, DEAL_BLOCK.date).element.initial_date).toBe('2026-11-27');
    expect(block(view, DEAL_BLOCK.amount).element.initial_value).toBeUndefined();

    await h.settle();
    expect(h.fake.callsTo('views.open')).toHaveLength(1);
    expect(h.fake.callsTo('response_url')).toEqual([]);
    expect(await storedDeals()).toEqual([]);
  });

  it('the currency select starts on the workspace currency (EUR), listed first', async () => {
    await start();
    await ensureWorkspace(getDb().database.db, DEFAULT_TEAM_ID);
    await getDb().database.db.update(workspaces).set({ currency: 'EUR' }).where(eq(workspaces.teamId, DEFAULT_TEAM_ID));
    const { view } = await openWithCommand();
    const currency = block(view, DEAL_BLOCK.currency).element;
    expect(currency.initial_option.value).toBe('EUR');
    expect(currency.options[0].value).toBe('EUR');
    expect(currency.options.filter((o: Block) => o.value === 'EUR')).toHaveLength(1);
    expect(currency.options.map((o: Block) => o.value)).toEqual(expect.arrayContaining(['USD', 'JPY', 'KWD']));
  });

  it.each([
    ['at 15:00 UTC a New York user is on the 27th (the server zone, Kiritimati, is on the 28th)', {}, '2026-11-27'],
    ['at 03:00 UTC a New York user is still on the 26th', { now: '2026-11-27T03:00:00Z' }, '2026-11-26'],
    ['at 15:00 UTC a Tokyo user is already on the 28th', { userTimeZone: 'Asia/Tokyo' }, '2026-11-28'],
  ])('the datepicker starts on today in the user\'s time zone: %s', async (_name, opts, day) => {
    await start(opts);
    const { view } = await openWithCommand();
    expect(block(view, DEAL_BLOCK.date).element.initial_date).toBe(day);
  });

  it('the "Log deal" global shortcut opens the same modal, with no channel', async () => {
    await start();
    const payload = globalShortcut({ callbackId: 'log_deal_shortcut' });
    const res = await h.slack.interaction(payload);
    expect(res.status).toBe(200);
    const call = await h.fake.waitFor('views.open');
    expect(call.args.trigger_id).toBe(payload.trigger_id);
    const view = call.args.view;
    expect(view.callback_id).toBe('log_deal_modal');
    expect(view.blocks.map((b: Block) => b.block_id)).toEqual(FORM_BLOCKS);
    expect(block(view, DEAL_BLOCK.currency).element.initial_option.value).toBe('USD');
    expect(block(view, DEAL_BLOCK.date).element.initial_date).toBe('2026-11-27');
    expect(JSON.parse(view.private_metadata)).toEqual({});
    expect(await storedDeals()).toEqual([]);
  });

  // -------------------------------------------------------------------------------------------
  // submitting

  it('a valid submission stores one row (source slack) and confirms ephemerally in the channel from private_metadata', async () => {
    const modal = await openWithCommand();
    const res = await submit(modal, acme);
    expect(res.body).toBe(''); // a bare ack closes the modal

    const confirmation = await h.fake.waitFor('chat.postEphemeral');
    const rows = await storedDeals();
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row).toMatchObject({
      teamId: DEFAULT_TEAM_ID,
      userId: DEFAULT_USER_ID,
      status: 'won',
      amountMinor: 1250000n,
      currency: 'USD',
      account: 'Acme Corp',
      notes: 'multi-year renewal',
      source: 'slack',
      idempotencyKey: `view:${modal.id}`,
      deletedAt: null,
    });
    expect(row!.closedAt.toISOString()).toBe(NOW.toISOString());

    expect(confirmation.args.channel).toBe(DEFAULT_CHANNEL_ID);
    expect(confirmation.args.user).toBe(DEFAULT_USER_ID);
    expect(confirmation.args.text).toBe('Logged a won deal: Acme Corp, $12,500.00. This month: $12,500.00 from 1 won deal.');
    expect(confirmation.args.blocks[0].text.text).toBe(':moneybag: Logged a won deal: Acme Corp, $12,500.00\n> multi-year renewal');
    expect(buttonValues(confirmation.args.blocks)).toEqual([row!.id, row!.id]);
    await h.settle();
    expect(h.fake.callsTo('chat.postMessage')).toEqual([]);
    expect(h.fake.callsTo('conversations.open')).toEqual([]);
  });

  it.each([
    ['EUR picked, 9,000', { [DEAL_BLOCK.currency]: 'EUR', [DEAL_BLOCK.amount]: '9,000' }, 900000n, 'EUR', '€9,000.00'],
    ['JPY picked, 120000', { [DEAL_BLOCK.currency]: 'JPY', [DEAL_BLOCK.amount]: '120000' }, 120000n, 'JPY', '¥120,000'],
    ['KWD picked, 1.250', { [DEAL_BLOCK.currency]: 'KWD', [DEAL_BLOCK.amount]: '1.250' }, 1250n, 'KWD', 'KWD\u00a01.250'],
    ['USD picked, 12.5k', { [DEAL_BLOCK.amount]: '12.5k' }, 1250000n, 'USD', '$12,500.00'],
    ['USD picked, "$0.10"', { [DEAL_BLOCK.amount]: '$0.10' }, 10n, 'USD', '$0.10'],
    ['EUR picked, "9000 EUR" (the code agrees)', { [DEAL_BLOCK.currency]: 'EUR', [DEAL_BLOCK.amount]: '9000 EUR' }, 900000n, 'EUR', '€9,000.00'],
  ])('the amount and the currency select: %s is stored exactly', async (_name, changes, minor, currency, shown) => {
    const modal = await openWithCommand();
    await submit(modal, { [DEAL_BLOCK.account]: 'Globex', ...changes });
    const confirmation = await h.fake.waitFor('chat.postEphemeral');
    const rows = await storedDeals();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'won', amountMinor: minor, currency, account: 'Globex', notes: null });
    expect(confirmation.args.text).toBe(`Logged a won deal: Globex, ${shown}. This month: ${shown} from 1 won deal.`);
  });

  it('a lost deal without an amount is stored with a null amount', async () => {
    const modal = await openWithCommand();
    await submit(modal, { [DEAL_BLOCK.result]: 'lost', [DEAL_BLOCK.account]: 'Initech' });
    const confirmation = await h.fake.waitFor('chat.postEphemeral');
    const rows = await storedDeals();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'lost', amountMinor: null, currency: null, account: 'Initech' });
    expect(confirmation.args.text).toBe('Logged a lost deal: Initech. This month: no won deals yet (1 lost).');
  });

  it('a past day in the datepicker is stored at noon in the user\'s time zone', async () => {
    const modal = await openWithCommand();
    await submit(modal, { ...acme, [DEAL_BLOCK.date]: '2026-11-23' });
    const confirmation = await h.fake.waitFor('chat.postEphemeral');
    const [row] = await storedDeals();
    expect(row!.closedAt.toISOString()).toBe('2026-11-23T17:00:00.000Z');
    expect(confirmation.args.text).toBe('Logged a won deal: Acme Corp, $12,500.00 (closed Monday, Nov 23). This month: $12,500.00 from 1 won deal.');
  });

  it('when the bot is not in the channel, the confirmation comes by DM instead', async () => {
    await start();
    h.fake.channelsWithoutBot.add(DEFAULT_CHANNEL_ID);
    const modal = await openWithCommand();
    await submit(modal, acme);

    const dm = await h.fake.waitFor('chat.postMessage');
    expect(h.fake.callsTo('chat.postEphemeral').map((c) => [c.ok, c.error])).toEqual([[false, 'channel_not_found']]);
    const opened = h.fake.callsTo('conversations.open');
    expect(opened.map((c) => c.args.users)).toEqual([DEFAULT_USER_ID]);
    expect(dm.args.channel).toBe((opened[0]!.response as { channel: { id: string } }).channel.id);
    expect(dm.args.text).toBe('Logged a won deal: Acme Corp, $12,500.00. This month: $12,500.00 from 1 won deal.');
    const rows = await storedDeals();
    expect(rows).toHaveLength(1);
    expect(buttonValues(dm.args.blocks)).toEqual([rows[0]!.id, rows[0]!.id]);
  });

  it('from the global shortcut (no channel) the confirmation comes by DM', async () => {
    const modal = await openWithShortcut();
    await submit(modal, acme);
    const dm = await h.fake.waitFor('chat.postMessage');
    expect(h.fake.callsTo('conversations.open').map((c) => c.args.users)).toEqual([DEFAULT_USER_ID]);
    expect(dm.args.text).toBe('Logged a won deal: Acme Corp, $12,500.00. This month: $12,500.00 from 1 won deal.');
    expect(await storedDeals()).toHaveLength(1);
    await h.settle();
    expect(h.fake.callsTo('chat.postEphemeral')).toEqual([]);
  });

  it.each([
    ['won without an amount', { [DEAL_BLOCK.amount]: null }, DEAL_BLOCK.amount, 'A won deal needs its amount, like 12,500 or 12.5k.'],
    ['a negative amount', { [DEAL_BLOCK.amount]: '-500' }, DEAL_BLOCK.amount, 'The amount "-500" is negative. Give the deal\'s value, above zero.'],
    ['a zero amount', { [DEAL_BLOCK.amount]: '0' }, DEAL_BLOCK.amount, 'The amount "0" is zero. Give the deal\'s value, above zero.'],
    ['too precise for USD (12.345 USD)', { [DEAL_BLOCK.amount]: '12.345 USD' }, DEAL_BLOCK.amount, '"12.345 USD" has more decimals than the currency has: USD amounts have at most 2 decimal places.'],
    ['too precise for JPY (12.5 with JPY picked)', { [DEAL_BLOCK.amount]: '12.5', [DEAL_BLOCK.currency]: 'JPY' }, DEAL_BLOCK.amount, '"12.5" has more decimals than the currency has: JPY amounts are whole numbers (0 decimal places).'],
    ['an amount in EUR with USD picked', { [DEAL_BLOCK.amount]: '9000 EUR' }, DEAL_BLOCK.amount, 'The amount is in EUR but the currency is set to USD. Pick one.'],
    ['a euro sign with USD picked', { [DEAL_BLOCK.amount]: '€9,000' }, DEAL_BLOCK.amount, 'The amount is in EUR but the currency is set to USD. Pick one.'],
    ['not an amount', { [DEAL_BLOCK.amount]: 'lots' }, DEAL_BLOCK.amount, '"lots" isn\'t an amount I can read.'],
    ['a future date (tomorrow in New York)', { [DEAL_BLOCK.date]: '2026-11-28' }, DEAL_BLOCK.date, '2026-11-28 is in the future. Log today or up to 30 days back.'],
    ['a date 31 days back', { [DEAL_BLOCK.date]: '2026-10-27' }, DEAL_BLOCK.date, '2026-10-27 is too long ago: you can log at most 30 days back.'],
  ])('%s: the modal stays open with the error under that field, nothing stored, nothing sent', async (_name, changes, blockId, message) => {
    const modal = await openWithCommand();
    const res = await submit(modal, { ...acme, ...changes });
    const answer = res.json()!;
    expect(answer.response_action).toBe('errors');
    expect(Object.keys(answer.errors)).toEqual([blockId]);
    expect(answer.errors[blockId]).toContain(message);
    await h.settle();
    expect(await storedDeals()).toEqual([]);
    expect(h.fake.callsTo('chat.postEphemeral')).toEqual([]);
    expect(h.fake.callsTo('chat.postMessage')).toEqual([]);
  });

  it('several problems at once are all shown, each under its own field', async () => {
    const modal = await openWithCommand();
    const res = await submit(modal, { [DEAL_BLOCK.amount]: '-5', [DEAL_BLOCK.date]: '2026-11-29' });
    expect(res.json()).toEqual({
      response_action: 'errors',
      errors: {
        [DEAL_BLOCK.amount]: 'The amount "-5" is negative. Give the deal\'s value, above zero.',
        [DEAL_BLOCK.date]: '2026-11-29 is in the future. Log today or up to 30 days back.',
      },
    });
    await h.settle();
    expect(await storedDeals()).toEqual([]);
  });

  it('the database cannot store it within the deadline (a locked table): answered inside 3 s with "Not saved" under the first field, nothing stored, nothing celebrated', async () => {
    const modal = await openWithCommand();
    const unlock = await lockTable(getDb(), 'deals');
    try {
      const started = Date.now();
      const res = await h.slack.interaction(submissionOf(modal, acme));
      const took = Date.now() - started;
      expect(res.status).toBe(200);
      expect(took).toBeLessThan(3000);
      expect(res.json()).toEqual({ response_action: 'errors', errors: { [DEAL_BLOCK.result]: NOT_SAVED_FIELD_TEXT } });
    } finally {
      await unlock();
    }
    await h.settle();
    expect(await storedDeals()).toEqual([]);
    expect(h.fake.callsTo('chat.postEphemeral')).toEqual([]);
    expect(h.fake.callsTo('chat.postMessage')).toEqual([]);
  });

  it('the database down: the submission is answered at once with "Not saved" under the first field, and the error is logged', async () => {
    const modal = await openWithCommand();
    // The same bot on a database that refuses connections (a port nothing listens on).
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as net.AddressInfo;
        server.close(() => resolve(free));
      });
    });
    const down = connectPostgres(`postgres://postgres@127.0.0.1:${port}/none`, { max: 1 });
    const h2 = await startHarness({ db: { ...getDb(), database: down } });
    try {
      const started = Date.now();
      const res = await h2.slack.interaction(submissionOf(modal, acme));
      expect(res.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(res.json()).toEqual({ response_action: 'errors', errors: { [DEAL_BLOCK.result]: NOT_SAVED_FIELD_TEXT } });
      await h2.settle();
      expect(h2.logs.find((l) => l.msg === 'form not saved: storing it failed')).toMatchObject({ level: 50, form: 'log deal' });
      expect(h2.fake.callsTo('chat.postEphemeral')).toEqual([]);
    } finally {
      await h2.stop();
      await down.close();
    }
    expect(await storedDeals()).toEqual([]);
  });

  it('the same submission twice in a row (Slack retry, double click) stores one row and confirms once', async () => {
    const modal = await openWithCommand();
    const payload = submissionOf(modal, acme);
    expect((await h.slack.interaction(payload)).status).toBe(200);
    await h.fake.waitFor('chat.postEphemeral');
    const again = await h.slack.interaction(payload);
    expect(again.status).toBe(200);
    expect(again.body).toBe('');
    await h.settle();
    expect(await storedDeals()).toHaveLength(1);
    expect(h.fake.callsTo('chat.postEphemeral')).toHaveLength(1);
  });

  it('the same submission twice at once stores one row and confirms once', async () => {
    const modal = await openWithCommand();
    const payload = submissionOf(modal, acme);
    const responses = await Promise.all([h.slack.interaction(payload), h.slack.interaction(payload)]);
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    expect(responses.map((r) => r.body)).toEqual(['', '']);
    await h.fake.waitFor('chat.postEphemeral');
    await h.settle();
    const rows = await storedDeals();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ amountMinor: 1250000n, currency: 'USD' });
    const confirmations = h.fake.callsTo('chat.postEphemeral');
    expect(confirmations).toHaveLength(1);
    expect(confirmations[0]!.args.text).toContain('This month: $12,500.00 from 1 won deal.');
  });

  it('two different modals with the same content are two deals, and the month line adds them', async () => {
    const first = await openWithCommand();
    const second = await openWithCommand();
    expect(second.id).not.toBe(first.id);
    await submit(first, acme);
    await h.fake.waitFor('chat.postEphemeral');
    await submit(second, acme);
    const confirmation = await h.fake.waitFor('chat.postEphemeral', (c) => c.args.text.includes('2 won deals'));
    expect(confirmation.args.text).toBe('Logged a won deal: Acme Corp, $12,500.00. This month: $25,000.00 from 2 won deals.');
    expect(await storedDeals()).toHaveLength(2);
  });
});

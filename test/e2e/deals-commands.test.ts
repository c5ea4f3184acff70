/**
 * `/log-deal` end to end: a signed slash command to the real Bolt app, the row it stored in `deals`
 * (exact minor units + currency), and the private reply the user saw: the command's ack body.
 */
import { asc, eq } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import { dealCelebrations, deals, workspaces } from '../../src/db/schema/index.js';
import { ensureWorkspace } from '../../src/slack/workspace.js';
import { describeEachDb } from '../helpers/db.js';
import type { RecordedCall } from '../helpers/fake-slack.js';
import { startHarness, type Harness, type HarnessOptions } from '../helpers/harness.js';
import { DEFAULT_TEAM_ID, DEFAULT_USER_ID } from '../helpers/signed-request.js';
import { ackReply, contextText, replyButtons as buttons, sectionText, type Block } from '../helpers/slack-ui.js';

/** The harness clock's default: Friday 2026-11-27 10:00 in New York (the fake user's zone), already the 28th in Kiritimati. */
const NOW = new Date('2026-11-27T15:00:00Z');
const NBSP = '\u00a0';

describeEachDb('deals: /log-deal', (getDb) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  async function start(opts: Omit<HarnessOptions, 'db'> = {}): Promise<Harness> {
    h = await startHarness({ db: getDb(), ...opts });
    return h;
  }

  const storedDeals = () => getDb().database.db.select().from(deals).orderBy(asc(deals.createdAt));

  /** Send `/log-deal <text>` and return its answer: the ack body (asserted to be an ephemeral message). */
  async function logDeal(text: string, opts: { userId?: string; triggerId?: string } = {}): Promise<RecordedCall['args']> {
    return ackReply(h ?? (await start()), { command: '/log-deal', text, ...opts });
  }

  it('/log-deal answers in the HTTP response body, with the deal committed when the response arrives; no response_url call', async () => {
    const harness = await start();
    const res = await harness.slack.command({ command: '/log-deal', text: 'won $900 Initech' });
    expect(res.status).toBe(200);
    const rows = await storedDeals();
    expect(rows.map((r) => [r.account, r.amountMinor])).toEqual([['Initech', 90000n]]);
    const answer = res.json() as RecordedCall['args'];
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toContain('won deal');
    expect(buttons(answer).map((b: { value: string }) => b.value)).toEqual([rows[0]!.id, rows[0]!.id]);
    await harness.settle();
    expect(harness.fake.callsTo('response_url')).toEqual([]);
  });

  // -------------------------------------------------------------------------------------------
  // storing a deal

  it('/log-deal Acme Corp $12,500 -- multi-year renewal: stores a won deal exactly and confirms it privately with Undo and Edit', async () => {
    const reply = await logDeal('Acme Corp $12,500 -- multi-year renewal');

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
      externalId: null,
      deletedAt: null,
    });
    expect(typeof row!.amountMinor).toBe('bigint');
    expect(row!.closedAt.toISOString()).toBe(NOW.toISOString());
    expect(row!.idempotencyKey).toMatch(/^cmd:/);

    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toBe('Logged a won deal: Acme Corp, $12,500.00. This month: $12,500.00 from 1 won deal.');
    expect(sectionText(reply)).toBe(':moneybag: Logged a won deal: Acme Corp, $12,500.00\n> multi-year renewal');
    expect(contextText(reply)).toBe('This month: $12,500.00 from 1 won deal.');
    expect(buttons(reply)).toEqual([
      { action_id: 'deal_undo', text: 'Undo', value: row!.id },
      { action_id: 'deal_edit', text: 'Edit', value: row!.id },
    ]);
  });

  it.each([
    ['12.5k (k suffix, workspace currency)', 'Globex 12.5k', 1250000n, 'USD', '$12,500.00'],
    ['€9,000 (euro symbol)', 'Globex €9,000', 900000n, 'EUR', '€9,000.00'],
    ['9000 EUR (code after the number)', 'Globex 9000 EUR', 900000n, 'EUR', '€9,000.00'],
    ['EUR 9k (code before the number)', 'Globex EUR 9k', 900000n, 'EUR', '€9,000.00'],
    ['¥120000 (yen: no minor unit)', 'Globex ¥120000', 120000n, 'JPY', '¥120,000'],
    ['KWD 1.250 (three minor digits)', 'Globex KWD 1.250', 1250n, 'KWD', `KWD${NBSP}1.250`],
    ['$12,500.50 (cents)', 'Globex $12,500.50', 1250050n, 'USD', '$12,500.50'],
    ['1.2m (m suffix)', 'Globex 1.2m', 120000000n, 'USD', '$1,200,000.00'],
  ])('amount form %s is stored as exact minor units and shown formatted', async (_name, text, minor, currency, shown) => {
    const reply = await logDeal(text);
    const rows = await storedDeals();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'won', amountMinor: minor, currency, account: 'Globex' });
    expect(reply.text).toBe(`Logged a won deal: Globex, ${shown}. This month: ${shown} from 1 won deal.`);
  });

  it('an amount with no symbol or code is in the workspace currency (EUR here)', async () => {
    await start();
    await ensureWorkspace(getDb().database.db, DEFAULT_TEAM_ID);
    await getDb().database.db.update(workspaces).set({ currency: 'EUR' }).where(eq(workspaces.teamId, DEFAULT_TEAM_ID));
    const reply = await logDeal('Initech 9000');
    const [row] = await storedDeals();
    expect(row).toMatchObject({ amountMinor: 900000n, currency: 'EUR', account: 'Initech' });
    expect(reply.text).toBe('Logged a won deal: Initech, €9,000.00. This month: €9,000.00 from 1 won deal.');
  });

  it('"won" written out and "closed-won" store a won deal; the order of the words is free', async () => {
    await logDeal('won $500 Acme');
    await logDeal('Globex closed-won 700');
    const rows = await storedDeals();
    expect(rows.map((r) => [r.status, r.account, r.amountMinor])).toEqual([
      ['won', 'Acme', 50000n],
      ['won', 'Globex', 70000n],
    ]);
  });

  it('yesterday is stored at noon yesterday in the user\'s time zone (New York), not the server\'s (Kiritimati)', async () => {
    const reply = await logDeal('Globex €9,000 yesterday');
    const [row] = await storedDeals();
    // 2026-11-26 12:00 EST. In Kiritimati (UTC+14) it is already the 28th, so a server-zone "yesterday" would be the 27th.
    expect(row!.closedAt.toISOString()).toBe('2026-11-26T17:00:00.000Z');
    expect(row).toMatchObject({ amountMinor: 900000n, currency: 'EUR', account: 'Globex' });
    expect(reply.text).toBe('Logged a won deal: Globex, €9,000.00 (closed yesterday). This month: €9,000.00 from 1 won deal.');
  });

  it('a Tokyo user\'s "yesterday" is noon Tokyo time', async () => {
    await start({ userTimeZone: 'Asia/Tokyo' }); // 2026-11-28 00:00 in Tokyo
    await logDeal('Acme $500 yesterday');
    const [row] = await storedDeals();
    expect(row!.closedAt.toISOString()).toBe('2026-11-27T03:00:00.000Z');
  });

  it('a weekday and an ISO date are close dates too', async () => {
    const mon = await logDeal('Acme $500 mon');
    expect(mon.text).toBe('Logged a won deal: Acme, $500.00 (closed Monday, Nov 23). This month: $500.00 from 1 won deal.');
    await logDeal('Globex $700 2026-11-02');
    const rows = await storedDeals();
    expect(rows.map((r) => r.closedAt.toISOString())).toEqual(['2026-11-23T17:00:00.000Z', '2026-11-02T17:00:00.000Z']);
  });

  it('notes after an em dash (as a phone types "--") are stored apart from the account', async () => {
    const reply = await logDeal('Acme Corp $12,500 \u2014 signed at the summit');
    const [row] = await storedDeals();
    expect(row).toMatchObject({ account: 'Acme Corp', notes: 'signed at the summit', amountMinor: 1250000n });
    expect(sectionText(reply)).toBe(':moneybag: Logged a won deal: Acme Corp, $12,500.00\n> signed at the summit');
  });

  it('lost without an amount is stored with a null amount and currency, and is not revenue', async () => {
    const reply = await logDeal('lost Initech -- went with a competitor');
    const rows = await storedDeals();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'lost', amountMinor: null, currency: null, account: 'Initech', notes: 'went with a competitor', source: 'slack' });
    expect(reply.text).toBe('Logged a lost deal: Initech. This month: no won deals yet (1 lost).');
    expect(sectionText(reply)).toBe(':white_check_mark: Logged a lost deal: Initech\n> went with a competitor');
    expect(buttons(reply).map((b: { action_id: string }) => b.action_id)).toEqual(['deal_undo', 'deal_edit']);
  });

  it('lost with an amount keeps the amount, and is counted as lost, not added to revenue', async () => {
    await logDeal('Acme $1,000');
    const reply = await logDeal('lost Globex $5,000');
    const rows = await storedDeals();
    expect(rows[1]).toMatchObject({ status: 'lost', amountMinor: 500000n, currency: 'USD' });
    expect(reply.text).toBe('Logged a lost deal: Globex, $5,000.00. This month: $1,000.00 from 1 won deal (1 lost).');
  });

  it('Slack-escaped text (&amp; &lt; &gt;) is stored decoded and shown escaped again, in the fallback text too', async () => {
    const reply = await logDeal('AT&amp;T &lt;Labs&gt; $500 -- pricing &lt;&gt; terms');
    const [row] = await storedDeals();
    expect(row).toMatchObject({ account: 'AT&T <Labs>', notes: 'pricing <> terms' });
    expect(sectionText(reply)).toBe(':moneybag: Logged a won deal: AT&amp;T &lt;Labs&gt;, $500.00\n> pricing &lt;&gt; terms');
    // `text` is mrkdwn too (notification and accessibility fallback): a raw < or & there is a control character.
    expect(reply.text).toBe('Logged a won deal: AT&amp;T &lt;Labs&gt;, $500.00. This month: $500.00 from 1 won deal.');
  });

  // -------------------------------------------------------------------------------------------
  // the month line

  it('$0.10 then $0.20: the month line says $0.30, exactly (no floating point on the way)', async () => {
    const first = await logDeal('Acme $0.10');
    expect(first.text).toBe('Logged a won deal: Acme, $0.10. This month: $0.10 from 1 won deal.');
    const second = await logDeal('Globex $0.20');
    expect(second.text).toBe('Logged a won deal: Globex, $0.20. This month: $0.30 from 2 won deals.');
    expect(contextText(second)).toBe('This month: $0.30 from 2 won deals.');
    expect((await storedDeals()).map((r) => [r.amountMinor, r.currency])).toEqual([
      [10n, 'USD'],
      [20n, 'USD'],
    ]);
  });

  it('large amounts add up exactly: 999,999,999.99 + 0.01 = 1,000,000,000.00', async () => {
    await logDeal('Acme $999,999,999.99');
    const reply = await logDeal('Globex $0.01');
    expect(reply.text).toBe('Logged a won deal: Globex, $0.01. This month: $1,000,000,000.00 from 2 won deals.');
    expect((await storedDeals()).map((r) => r.amountMinor)).toEqual([99999999999n, 1n]);
  });

  it('currencies are shown side by side, the workspace currency first, never added together', async () => {
    const eur = await logDeal('Globex €9,000');
    expect(eur.text).toContain('This month: €9,000.00 from 1 won deal.');
    const usd = await logDeal('Acme Corp $12,500');
    expect(usd.text).toBe('Logged a won deal: Acme Corp, $12,500.00. This month: $12,500.00 + €9,000.00 from 2 won deals.');
    const more = await logDeal('Initech 1000 EUR');
    expect(contextText(more)).toBe('This month: $12,500.00 + €10,000.00 from 3 won deals.');
    const yen = await logDeal('Umbrella ¥120000');
    expect(contextText(yen)).toBe('This month: $12,500.00 + €10,000.00 + ¥120,000 from 4 won deals.');
  });

  it('deals closed last month are stored but not counted in this month (1 December: yesterday was November)', async () => {
    await start({ now: '2026-12-01T15:00:00Z' }); // Tuesday 10:00 in New York
    const last = await logDeal('Acme $500 yesterday');
    expect(last.text).toBe('Logged a won deal: Acme, $500.00 (closed yesterday). This month: no won deals yet.');
    const today = await logDeal('Globex $700');
    expect(today.text).toBe('Logged a won deal: Globex, $700.00. This month: $700.00 from 1 won deal.');
    expect((await storedDeals()).map((r) => r.closedAt.toISOString())).toEqual(['2026-11-30T17:00:00.000Z', '2026-12-01T15:00:00.000Z']);
  });

  it('the month is the user\'s: at 03:00 UTC on 1 December it is still November in New York', async () => {
    const harness = await start({ now: '2026-12-01T03:00:00Z' }); // Mon 30 Nov 22:00 in New York; Tue 1 Dec 17:00 in Kiritimati
    const november = await logDeal('Acme $500 2026-11-02');
    expect(november.text).toBe('Logged a won deal: Acme, $500.00 (closed Monday, Nov 2). This month: $500.00 from 1 won deal.');
    harness.clock.advance(12 * 60 * 60 * 1000); // 1 Dec 10:00 in New York
    const december = await logDeal('Globex $700');
    expect(december.text).toBe('Logged a won deal: Globex, $700.00. This month: $700.00 from 1 won deal.');
  });

  it('another user\'s deals are not in my month line', async () => {
    const harness = await start();
    harness.fake.addUser({ id: 'U0OTHER', name: 'bo', tz: 'America/New_York' });
    await logDeal('Acme $12,500');
    const theirs = await logDeal('Globex $100', { userId: 'U0OTHER' });
    expect(theirs.text).toBe('Logged a won deal: Globex, $100.00. This month: $100.00 from 1 won deal.');
    expect((await storedDeals()).map((r) => [r.userId, r.amountMinor])).toEqual([
      [DEFAULT_USER_ID, 1250000n],
      ['U0OTHER', 10000n],
    ]);
  });

  it('the same command delivered twice (same trigger_id) stores one row', async () => {
    await logDeal('Acme $12,500', { triggerId: '1111.2222.same-deal' });
    const again = await logDeal('Acme $12,500', { triggerId: '1111.2222.same-deal' });
    expect(await storedDeals()).toHaveLength(1);
    expect(again.text).toBe('Logged a won deal: Acme, $12,500.00. This month: $12,500.00 from 1 won deal.');
  });

  // -------------------------------------------------------------------------------------------
  // help and the modal

  it('/log-deal help shows the syntax, amount forms and examples, and stores nothing', async () => {
    const reply = await logDeal('help');
    expect(reply.response_type).toBe('ephemeral');
    const help = sectionText(reply);
    expect(help).toContain('*Log a closed deal*');
    expect(help).toContain('`/log-deal [won|lost] [new|expansion|renewal] [account] [amount] [date] [-- notes]`');
    expect(help).toContain('`$12,500`');
    expect(help).toContain('`9000 EUR`');
    expect(help).toContain('`/log-deal Acme Corp $12,500 -- multi-year renewal`');
    expect(help).toContain('`/log-deal lost Initech -- went with a competitor`');
    expect(help).toContain('at most 30 days back');
    expect(help).toContain('Send `/log-deal` alone to open a form.');
    expect(reply.blocks.some((b: Block) => b.type === 'actions')).toBe(false);
    expect(await storedDeals()).toEqual([]);
  });

  it('/log-deal alone opens the modal and replies nothing', async () => {
    const harness = await start();
    const res = await harness.slack.command({ command: '/log-deal', text: '' });
    expect(res.status).toBe(200);
    const open = await harness.fake.waitFor('views.open', (c) => c.args.trigger_id === res.triggerId);
    expect(open.args.view.callback_id).toBe('log_deal_modal');
    await harness.settle();
    expect(harness.fake.callsTo('response_url')).toEqual([]);
    expect(await storedDeals()).toEqual([]);
  });

  // -------------------------------------------------------------------------------------------
  // bad input

  it.each([
    ['no amount for a won deal', 'Acme Corp', 'A won deal needs its amount, like `$12,500`, `12.5k` or `9000 EUR`.', false],
    ['a zero amount', 'Acme $0', 'The amount `$0` is zero.', false],
    ['a negative amount', 'Acme -500', 'The amount `-500` is negative.', false],
    ['an amount over a billion', 'Acme 1000000001', '`1000000001` is more than 1,000,000,000 USD, the most one deal can be.', false],
    ['two amounts', 'Acme 500 600', 'You gave two amounts: `500` and `600`. Give one.', false],
    ['an unknown currency code', 'Acme 9000 XYZ', "`XYZ` isn't a currency code I know.", false],
    ['commas in the wrong places', 'Acme 12,50,0', "`12,50,0` isn't an amount I can read.", false],
    ['two decimal points', 'Acme 1.2.3k', "`1.2.3k` isn't an amount I can read.", false],
    ['more decimals than the currency has', 'Acme $12.345', '`$12.345` has more decimals than the currency has: USD amounts have at most 2 decimal places.', false],
    ['a symbol that disagrees with the code', 'Acme $9000 EUR', "The symbol `$` in `$9000` doesn't fit the currency `EUR`.", false],
    ['a future date (tomorrow in New York, already today in the server\'s zone)', 'Acme $500 2026-11-28', '2026-11-28 is in the future.', true],
    ['a date 31 days back', 'Acme $500 2026-10-27', '2026-10-27 is too long ago: you can log at most 30 days back.', true],
    ['text over 3000 characters', `Acme $500 -- ${'n'.repeat(2995)}`, "That's 3008 characters; the most a command can take is 3000.", false],
  ])('%s: says what was wrong with a "Try:" line, stores nothing', async (_name, text, problem, dated) => {
    const reply = await logDeal(text);
    expect(reply.response_type).toBe('ephemeral');
    const message = sectionText(reply);
    expect(message.startsWith(':warning: ')).toBe(true);
    expect(message).toContain(problem);
    const tryLine = /\nTry: `([^`]+)`$/.exec(message);
    expect(tryLine, message).not.toBeNull();
    expect(tryLine![1]).toBe(dated ? '/log-deal Acme Corp $12,500 yesterday -- multi-year renewal' : '/log-deal Acme Corp $12,500 -- multi-year renewal');
    expect(reply.blocks.some((b: Block) => b.type === 'actions')).toBe(false);
    expect(await storedDeals()).toEqual([]);
    expect(await getDb().database.db.select().from(dealCelebrations)).toEqual([]);
  });

  it('every "Try:" example is itself accepted', async () => {
    const reply = await logDeal('Acme 2026-11-28');
    const example = /\nTry: `\/log-deal ([^`]+)`$/.exec(sectionText(reply))![1]!;
    const ok = await logDeal(example);
    expect(ok.text).toBe('Logged a won deal: Acme Corp, $12,500.00 (closed yesterday). This month: $12,500.00 from 1 won deal.');
    const rows = await storedDeals();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ amountMinor: 1250000n, currency: 'USD', account: 'Acme Corp', notes: 'multi-year renewal' });
  });
});

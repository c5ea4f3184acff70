/**
 * The reporting currency and exchange rates end to end: `/sales-admin currency|rate|rates` and the settings modal's
 * Currency section, through signed requests and the fake Slack, on both databases. What was stored, what was
 * audited (before and after), what the admin saw; every bad input refused with nothing stored; reps and managers
 * (commands, forged clicks and submissions) change nothing; and /leaderboard shows the converted headline.
 *
 * "Now" is Friday 2026-11-27 15:00 UTC: already Saturday Nov 28 in the workspace's zone (Pacific/Auckland), so a
 * rate without a date is in force from 2026-11-28.
 */
import { asc, eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { auditLog, deals, exchangeRates, salesTeamMembers, salesTeams, workspaces } from '../../src/db/schema/index.js';
import { ensureWorkspace } from '../../src/slack/workspace.js';
import { describeEachDb } from '../helpers/db.js';
import { startHarness, viewState, type Harness } from '../helpers/harness.js';
import { blockAction, DEFAULT_TEAM_ID, DEFAULT_USER_ID, viewSubmission } from '../helpers/signed-request.js';
import { ackReply, modalOpenedBy, modalSubmission, openedModal, viewBlock, type Block, type OpenModal } from '../helpers/slack-ui.js';

const ADMIN = 'U0ADMIN01';
const MANAGER = 'U0MANAGER1';
const REP = DEFAULT_USER_ID;
const NOW = new Date('2026-11-27T15:00:00Z');
const REP_REFUSAL = ':lock: Only Sales Pulse admins and team managers can use `/sales-admin`. Ask a workspace admin, or your team’s manager.';
const ADMIN_ONLY = ':lock: Only Sales Pulse admins (workspace admins and owners, and people they made admins) can do that.';
const REFUSED_LOG = 'settings: refused to someone who is not an admin';

describeEachDb('reporting currency and exchange rates', (getDb) => {
  let h: Harness;
  const db = () => getDb().database.db;

  beforeEach(async () => {
    h = await startHarness({ db: getDb(), now: NOW });
    h.fake.addUser({ id: ADMIN, name: 'ada', tz: 'America/New_York', is_admin: true });
    h.fake.addUser({ id: MANAGER, name: 'mia', tz: 'America/New_York' });
    h.fake.addUser({ id: REP, name: 'ana', tz: 'America/New_York' });
    await ensureWorkspace(db(), DEFAULT_TEAM_ID);
    await db().update(workspaces).set({ defaultTimeZone: 'Pacific/Auckland' }).where(eq(workspaces.teamId, DEFAULT_TEAM_ID));
    const [team] = await db().insert(salesTeams).values({ teamId: DEFAULT_TEAM_ID, name: 'East AEs', nameKey: 'east aes', createdBy: ADMIN }).returning();
    await db()
      .insert(salesTeamMembers)
      .values([
        { salesTeamId: team!.id, teamId: DEFAULT_TEAM_ID, userId: MANAGER, role: 'manager' },
        { salesTeamId: team!.id, teamId: DEFAULT_TEAM_ID, userId: REP, role: 'member' },
      ]);
  });
  afterEach(async () => {
    await h.stop();
  });

  /** A command's answer; the clock then moves on a second, so audit entries sort in the order of the changes. */
  const salesAdmin = async (text: string, userId = ADMIN) => {
    const reply = (await ackReply(h, { command: '/sales-admin', text, userId })).text as string;
    h.clock.advance(1000);
    return reply;
  };
  const rates = () =>
    db()
      .select({ currency: exchangeRates.currency, effectiveOn: exchangeRates.effectiveOn, rate: exchangeRates.rate, createdBy: exchangeRates.createdBy })
      .from(exchangeRates)
      .where(eq(exchangeRates.teamId, DEFAULT_TEAM_ID))
      .orderBy(asc(exchangeRates.currency), asc(exchangeRates.effectiveOn));
  const audits = async () =>
    (await db().select().from(auditLog).where(eq(auditLog.teamId, DEFAULT_TEAM_ID)).orderBy(asc(auditLog.createdAt), asc(auditLog.id))).map((r) => [
      r.action,
      r.subject,
      r.before,
      r.after,
      r.actorId,
    ]);
  const reporting = async () => (await db().select({ currency: workspaces.currency }).from(workspaces).where(eq(workspaces.teamId, DEFAULT_TEAM_ID)))[0]!.currency;
  /** Rates read back at their exact scale (numeric(24, 12) comes back padded, as a string). */
  const stored = async () => (await rates()).map((r) => [r.currency, r.effectiveOn, r.rate]);

  // -------------------------------------------------------------------------------------------
  // text sub-commands

  it('an admin sets a rate from a date, replaces it, lists them, removes it: stored exactly and audited', async () => {
    expect(await salesAdmin('rate GBP 1.27 from 2026-11-01')).toBe(
      ':white_check_mark: 1 GBP = 1.27 USD from 2026-11-01. GBP deals closed on or after 2026-11-01 convert at it, until a later rate.',
    );
    expect(await stored()).toEqual([['GBP', '2026-11-01', '1.270000000000']]);
    expect(await salesAdmin('rate gbp 1.2705 2026-11-01')).toContain('1 GBP = 1.2705 USD from 2026-11-01 (was 1.27).');
    expect(await salesAdmin('rate JPY 0.006700')).toContain('1 JPY = 0.0067 USD from 2026-11-28.');
    expect(await stored()).toEqual([
      ['GBP', '2026-11-01', '1.270500000000'],
      ['JPY', '2026-11-28', '0.006700000000'],
    ]);

    const list = await salesAdmin('rates');
    expect(list).toContain('*Reporting currency: USD*');
    expect(list).toContain('• 1 GBP = 1.2705 USD from 2026-11-01 _(in force today)_');
    expect(list).toContain('• 1 JPY = 0.0067 USD from 2026-11-28 _(in force today)_');

    expect(await salesAdmin('rate GBP off 2026-11-01')).toBe(':white_check_mark: Removed: 1 GBP = 1.2705 USD from 2026-11-01.');
    expect(await salesAdmin('rate GBP off')).toBe(':information_source: There is no GBP rate to remove. See them all with `/sales-admin rates`.');
    expect(await stored()).toEqual([['JPY', '2026-11-28', '0.006700000000']]);

    expect(await audits()).toEqual([
      ['rate.set', 'GBP', null, { rate: '1.27', effectiveOn: '2026-11-01', reporting: 'USD' }, ADMIN],
      ['rate.set', 'GBP', { rate: '1.27', effectiveOn: '2026-11-01', reporting: 'USD' }, { rate: '1.2705', effectiveOn: '2026-11-01', reporting: 'USD' }, ADMIN],
      ['rate.set', 'JPY', null, { rate: '0.0067', effectiveOn: '2026-11-28', reporting: 'USD' }, ADMIN],
      ['rate.remove', 'GBP', [{ rate: '1.2705', effectiveOn: '2026-11-01' }], null, ADMIN],
    ]);
  });

  it.each([
    ['rate XYZ 1.2', "`XYZ` isn't a currency code I know."],
    ['rate GBP -1', "`-1` isn't a rate."],
    ['rate GBP 1,27', "`1,27` isn't a rate."],
    ['rate GBP 0', 'A rate must be more than 0.'],
    ['rate GBP 0.0000000000001', 'A rate has at most 12 decimals.'],
    ['rate GBP 1.27 from 2026-02-30', "`2026-02-30` isn't a date."],
    ['rate USD 1', 'USD is the reporting currency: its rate is always 1.'],
    ['rate GBP', 'Give the rate too'],
    ['currency EURO', "`EURO` isn't a currency code I know."],
  ])('%j is refused with a clear error; nothing stored', async (text, error) => {
    const reply = await salesAdmin(text);
    expect(reply.startsWith(':warning: ')).toBe(true);
    expect(reply).toContain(error);
    expect(await rates()).toEqual([]);
    expect(await reporting()).toBe('USD');
    expect(await audits()).toEqual([]);
  });

  it('changing the reporting currency says it clears the rates first, then clears them on confirm; audited', async () => {
    await salesAdmin('rate GBP 1.27 from 2026-11-01');
    await salesAdmin('rate EUR 1.08 from 2026-10-01');
    expect(await salesAdmin('currency EUR')).toBe(
      ':warning: Changing the reporting currency clears the 2 exchange rates (EUR, GBP): they are relative to USD. Nothing changed yet. To go ahead: `/sales-admin currency EUR confirm`, then set the rates again against EUR.',
    );
    expect(await reporting()).toBe('USD');
    expect(await rates()).toHaveLength(2);

    expect(await salesAdmin('currency EUR confirm')).toBe(
      ':white_check_mark: The reporting currency is now *EUR* (was USD): boards and summaries show revenue in EUR. The 2 exchange rates were cleared: set them against EUR with `/sales-admin rate`.',
    );
    expect(await reporting()).toBe('EUR');
    expect(await rates()).toEqual([]);
    expect((await audits()).at(-1)).toEqual([
      'settings.currency',
      'currency',
      {
        currency: 'USD',
        rates: [
          { currency: 'EUR', effectiveOn: '2026-10-01', rate: '1.08' },
          { currency: 'GBP', effectiveOn: '2026-11-01', rate: '1.27' },
        ],
      },
      { currency: 'EUR', rates: [] },
      ADMIN,
    ]);
    // Without rates no confirmation is needed; the same currency again changes nothing.
    expect(await salesAdmin('currency gbp')).toContain('The reporting currency is now *GBP* (was EUR)');
    expect(await salesAdmin('currency GBP')).toBe(':information_source: The reporting currency is already *GBP*.');
    expect((await audits()).filter((a) => a[0] === 'settings.currency')).toHaveLength(2);
  });

  it('a rep and a team manager cannot set, remove or list rates, nor change the currency', async () => {
    await salesAdmin('rate GBP 1.27 from 2026-11-01');
    for (const text of ['rate GBP 2', 'rate GBP off', 'rates', 'currency EUR confirm']) {
      expect(await salesAdmin(text, REP)).toBe(REP_REFUSAL);
      expect(await salesAdmin(text, MANAGER)).toBe(ADMIN_ONLY);
    }
    expect(await stored()).toEqual([['GBP', '2026-11-01', '1.270000000000']]);
    expect(await reporting()).toBe('USD');
    expect(await audits()).toHaveLength(1);
  });

  it('/leaderboard shows the converted headline, the per-currency amounts and the deal with no rate', async () => {
    await salesAdmin('rate EUR 1.1 from 2026-11-01');
    await db()
      .insert(deals)
      .values([
        { teamId: DEFAULT_TEAM_ID, userId: REP, status: 'won', amountMinor: 100_000n, currency: 'USD', closedAt: new Date('2026-11-24T15:00:00Z'), source: 'import' },
        { teamId: DEFAULT_TEAM_ID, userId: REP, status: 'won', amountMinor: 50_000n, currency: 'EUR', closedAt: new Date('2026-11-25T15:00:00Z'), source: 'import' },
        { teamId: DEFAULT_TEAM_ID, userId: REP, status: 'won', amountMinor: 1_200_000n, currency: 'JPY', closedAt: new Date('2026-11-25T15:00:00Z'), source: 'import' },
      ]);
    const reply = await ackReply(h, { command: '/leaderboard', text: 'this week', userId: REP });
    const blocks = reply.blocks as Block[];
    const revenue = blocks.flatMap((b) => b.fields ?? []).find((f: Block) => f.text.startsWith('*Revenue*'));
    // $1,000.00 + €500.00 × 1.1 = $1,550.00; ¥1,200,000 has no rate.
    expect(revenue.text).toContain('*Revenue* (converted to USD)\n$1,550.00\n+ ¥1,200,000 JPY not converted: no rate');
    expect(JSON.stringify(blocks)).toContain('Per currency: $1,000.00 · €500.00 · ¥1,200,000');
  });

  // -------------------------------------------------------------------------------------------
  // the settings modal

  async function openCurrency(summary = 'Reporting in USD · no exchange rates'): Promise<OpenModal> {
    const res = await h.slack.command({ command: '/sales-admin', text: '', userId: ADMIN });
    expect(res.status).toBe(200);
    const home = await modalOpenedBy(h, res.triggerId);
    expect(viewBlock(home.view, 'settings_section_currency').text.text).toContain(summary);
    const payload = blockAction({ actionId: 'settings_open:currency', value: 'currency', userId: ADMIN, blockId: 'settings_section_currency', view: { ...home.view, id: home.id } });
    expect((await h.slack.interaction(payload)).status).toBe(200);
    return openedModal(await h.fake.waitFor('views.push', (c) => c.args.trigger_id === payload.trigger_id));
  }

  async function submit(modal: OpenModal, changes: Record<string, string | null>, userId = ADMIN) {
    const res = await h.slack.interaction(modalSubmission(modal, changes, { userId }));
    expect(res.status).toBe(200);
    h.clock.advance(1000);
    return res.json() as Record<string, any>;
  }

  it('the modal: add a rate (datepicker defaults to today in the workspace zone), remove it, change the currency; audited', async () => {
    const modal = await openCurrency();
    expect(modal.view.title.text).toBe('Currency');
    expect(viewBlock(modal.view, 'settings_currency_add_date').element.initial_date).toBe('2026-11-28');

    let ack = await submit(modal, { settings_currency_add_code: 'GBP', settings_currency_add_rate: '1.27' });
    expect(ack.response_action).toBe('update');
    expect(JSON.stringify(ack.view.blocks)).toContain('Saved: 1 GBP = 1.27 USD from 2026-11-28.');
    expect(await stored()).toEqual([['GBP', '2026-11-28', '1.270000000000']]);
    const updated: OpenModal = { view: ack.view, id: modal.id, hash: modal.hash };
    const row = viewBlock(updated.view, 'settings_currency_rate_0');
    expect(row.text.text).toBe('1 GBP = 1.27 USD from 2026-11-28 _(in force today)_');
    expect(viewBlock(updated.view, 'settings_currency_reporting').hint.text).toBe('Changing the reporting currency clears the exchange rate (GBP): they are relative to USD.');

    ack = await submit(updated, { settings_currency_add_code: 'EUR', settings_currency_add_rate: '1.08', settings_currency_add_date: '2026-10-01' });
    expect(await stored()).toEqual([
      ['EUR', '2026-10-01', '1.080000000000'],
      ['GBP', '2026-11-28', '1.270000000000'],
    ]);

    // Remove EUR (listed first) with its button, confirmed in Slack: the view is updated in place.
    const listed: OpenModal = { view: ack.view, id: modal.id, hash: modal.hash };
    const button = viewBlock(listed.view, 'settings_currency_rate_0').accessory;
    expect(button.value).toBe('EUR|2026-10-01');
    const click = blockAction({ actionId: button.action_id, value: button.value, userId: ADMIN, blockId: 'settings_currency_rate_0', view: { ...listed.view, id: modal.id, hash: modal.hash } });
    expect((await h.slack.interaction(click)).status).toBe(200);
    const update = await h.fake.waitFor('views.update', (c) => c.args.view_id === modal.id);
    h.clock.advance(1000);
    expect(JSON.stringify(update.args.view)).toContain('Removed: 1 EUR = 1.08 USD from 2026-10-01.');
    expect(await stored()).toEqual([['GBP', '2026-11-28', '1.270000000000']]);

    // Change the reporting currency: the rates are cleared (the hint said so).
    ack = await submit(listed, { settings_currency_reporting: 'EUR' });
    expect(JSON.stringify(ack.view.blocks)).toContain('The reporting currency is now *EUR* (was USD). The exchange rate was cleared.');
    expect(await reporting()).toBe('EUR');
    expect(await rates()).toEqual([]);

    expect((await audits()).map((a) => [a[0], a[1]])).toEqual([
      ['rate.set', 'GBP'],
      ['rate.set', 'EUR'],
      ['rate.remove', 'EUR'],
      ['settings.currency', 'currency'],
    ]);
  });

  it.each([
    [{ settings_currency_add_code: 'GBP', settings_currency_add_rate: '1,27' }, { settings_currency_add_rate: "`1,27` isn't a rate. Write it as a plain decimal, like `1.27` or `0.0067`." }],
    [{ settings_currency_add_code: 'GBP', settings_currency_add_rate: '0' }, { settings_currency_add_rate: 'A rate must be more than 0.' }],
    [{ settings_currency_add_code: 'GBP' }, { settings_currency_add_rate: 'Give the rate: 1 unit = how many USD, like 1.27.' }],
    [{ settings_currency_add_rate: '1.27' }, { settings_currency_add_code: 'Choose the currency this rate is for.' }],
    [{ settings_currency_add_code: 'GBP', settings_currency_add_rate: '1.27', settings_currency_add_date: null }, { settings_currency_add_date: 'Choose the day the rate is in force from.' }],
    [
      { settings_currency_reporting: 'EUR', settings_currency_add_code: 'GBP', settings_currency_add_rate: '1.27' },
      { settings_currency_add_code: 'Save the new reporting currency first (it clears the rates), then add rates against it.' },
    ],
  ])('the modal refuses %j under the field; nothing stored', async (changes, errors) => {
    const modal = await openCurrency();
    expect(await submit(modal, changes)).toEqual({ response_action: 'errors', errors });
    expect(await rates()).toEqual([]);
    expect(await reporting()).toBe('USD');
    expect(await audits()).toEqual([]);
  });

  it('forged submissions and Remove clicks from a rep or a manager change nothing', async () => {
    await salesAdmin('rate GBP 1.27 from 2026-11-01');
    const modal = await openCurrency('Reporting in USD · 1 rate for 1 currency');
    for (const userId of [REP, MANAGER]) {
      const ack = await submit(modal, { settings_currency_reporting: 'EUR', settings_currency_add_code: 'JPY', settings_currency_add_rate: '0.0067' }, userId);
      expect(ack).toEqual({ response_action: 'errors', errors: { settings_currency_reporting: ADMIN_ONLY } });
      const forged = viewSubmission({ callbackId: 'settings_currency', userId, values: viewState(modal.view, { settings_currency_reporting: 'JPY' }) });
      expect(((await h.slack.interaction(forged)).json() as Record<string, any>).response_action).toBe('errors');
      const seen = h.logs.filter((l) => l.msg === REFUSED_LOG).length;
      const click = blockAction({ actionId: 'settings_currency_remove:0', value: 'GBP|2026-11-01', userId, blockId: 'settings_currency_rate_0', view: { ...modal.view, id: modal.id } });
      expect((await h.slack.interaction(click)).status).toBe(200);
      const until = Date.now() + 5000;
      while (h.logs.filter((l) => l.msg === REFUSED_LOG).length <= seen && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    }
    await h.settle();
    expect(h.fake.callsTo('views.update')).toHaveLength(0);
    expect(await stored()).toEqual([['GBP', '2026-11-01', '1.270000000000']]);
    expect(await reporting()).toBe('USD');
    expect(await audits()).toHaveLength(1);
  });
});

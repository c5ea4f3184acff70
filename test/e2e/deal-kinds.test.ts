/**
 * Deal kinds (new business, expansion, renewal) and customer satisfaction through every way a deal arrives: the
 * `/log-deal` command, the log-deal modal, the CRM webhook (with the deal, and as a survey tool's follow-up for a
 * deal already stored; the CSV import is in test/integration/deal-kinds-import.test.ts); and the satisfaction scale
 * in the settings modal. Bad values get a clear
 * answer naming the field, and nothing is stored.
 */
import { asc, eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { auditLog, deals, workspaces } from '../../src/db/schema/index.js';
import { createOrRotateSecret } from '../../src/features/deals/webhook-secrets.js';
import { DEAL_BLOCK } from '../../src/features/deals/modal.view.js';
import { secretBoxFromEnvironment } from '../../src/lib/encryption-key.js';
import { ensureWorkspace } from '../../src/slack/workspace.js';
import { describeEachDb } from '../helpers/db.js';
import { startHarness, TEST_ENCRYPTION_KEY, viewState, type Harness } from '../helpers/harness.js';
import { blockAction, DEFAULT_TEAM_ID, DEFAULT_USER_ID, viewSubmission } from '../helpers/signed-request.js';
import { satisfactionView } from '../../src/features/admin/settings/satisfaction.view.js';
import { ackReply, clickButton, modalOpenedBy, modalSubmission, openedModal, openModalWithCommand, viewBlock, type OpenModal } from '../helpers/slack-ui.js';
import { sendDealWebhook, type SignedWebhookOptions } from '../helpers/webhook-signer.js';

const TEAM = DEFAULT_TEAM_ID;
const ADMIN = 'U0ADMIN01';
const box = secretBoxFromEnvironment({ ENCRYPTION_KEY: TEST_ENCRYPTION_KEY })!;

const wonDeal = {
  external_id: 'crm-1',
  status: 'won',
  amount: '12500',
  currency: 'USD',
  closed_at: '2026-11-26T18:30:00Z',
  account: 'Acme Corp',
  slack_user_id: DEFAULT_USER_ID,
};

describeEachDb('deal kinds and satisfaction', (getDb) => {
  let h: Harness;
  let secret: string;
  const db = () => getDb().database.db;

  beforeEach(async () => {
    h = await startHarness({ db: getDb() });
    secret = (await createOrRotateSecret(db(), box, TEAM, { rotate: false, now: h.clock.now() })).secret!;
  });
  afterEach(async () => {
    await h.stop();
  });

  const storedDeals = () => db().select().from(deals).orderBy(asc(deals.createdAt));
  const nowSeconds = () => Math.floor(h.clock.now().getTime() / 1000);
  const send = (body: unknown, opts: Partial<SignedWebhookOptions> = {}) =>
    sendDealWebhook(body, { url: `${h.baseUrl}/webhooks/deals`, teamId: TEAM, secret, timestamp: nowSeconds(), ...opts });
  const setScale = (scale: 'csat5' | 'nps10') => db().update(workspaces).set({ satisfactionScale: scale }).where(eq(workspaces.teamId, TEAM));
  const row = async (externalId: string) => (await storedDeals()).find((d) => d.externalId === externalId);

  // -------------------------------------------------------------------------------------------
  // /log-deal

  it('/log-deal takes the kind as a word; the confirmation names a kind other than new', async () => {
    const renewal = await ackReply(h, { command: '/log-deal', text: 'renewal Acme Corp $12,500' });
    expect(renewal.text).toContain('Logged a won renewal: Acme Corp, $12,500.00');
    const expansion = await ackReply(h, { command: '/log-deal', text: 'lost expansion Initech' });
    expect(expansion.text).toContain('Logged a lost expansion: Initech');
    const plain = await ackReply(h, { command: '/log-deal', text: 'New Relic 5k' });
    expect(plain.text).toContain('Logged a won deal: New Relic, $5,000.00');
    expect((await storedDeals()).map((d) => [d.account, d.status, d.kind])).toEqual([
      ['Acme Corp', 'won', 'renewal'],
      ['Initech', 'lost', 'expansion'],
      ['New Relic', 'won', 'new'],
    ]);
  });

  it('/log-deal with two kinds says so and stores nothing', async () => {
    const reply = await ackReply(h, { command: '/log-deal', text: 'renewal expansion Acme $500' });
    expect(reply.text).toContain('You gave `renewal` and `expansion`. Give the kind once');
    expect(await storedDeals()).toEqual([]);
  });

  // -------------------------------------------------------------------------------------------
  // the modal

  it('the modal has a Kind select (new business preselected); the kind chosen is stored, and Edit shows it', async () => {
    const modal = await openModalWithCommand(h, '/log-deal');
    const kind = viewBlock(modal.view, DEAL_BLOCK.kind);
    expect(kind.label.text).toBe('Kind');
    expect(kind.element.options.map((o: { value: string; text: { text: string } }) => [o.value, o.text.text])).toEqual([
      ['new', 'New business'],
      ['expansion', 'Expansion'],
      ['renewal', 'Renewal'],
    ]);
    expect(kind.element.initial_option.value).toBe('new');

    const res = await h.slack.interaction(modalSubmission(modal, { [DEAL_BLOCK.kind]: 'expansion', [DEAL_BLOCK.amount]: '9,000', [DEAL_BLOCK.account]: 'Globex' }, { withTitle: true }));
    expect(res.status).toBe(200);
    const [stored] = await storedDeals();
    expect(stored).toMatchObject({ kind: 'expansion', account: 'Globex', amountMinor: 900000n, source: 'slack' });

    // The Edit button reopens the form with the stored kind.
    const edit = await clickButton(h, { actionId: 'deal_edit', value: stored!.id, blockId: 'deal_actions' });
    const reopened = await modalOpenedBy(h, edit.triggerId);
    expect(viewBlock(reopened.view, DEAL_BLOCK.kind).element.initial_option.value).toBe('expansion');
  });

  // -------------------------------------------------------------------------------------------
  // the webhook

  it('the webhook stores kind and satisfaction (on the workspace scale, remembered with the score)', async () => {
    const answers = [
      await send({ ...wonDeal, kind: 'Renewal', satisfaction: 4 }),
      await send({ ...wonDeal, external_id: 'crm-2', kind: 'New Business', satisfaction: '5' }),
      await send({ ...wonDeal, external_id: 'crm-3' }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect((await storedDeals()).map((d) => [d.externalId, d.kind, d.satisfaction, d.satisfactionScale])).toEqual([
      ['crm-1', 'renewal', 4, 'csat5'],
      ['crm-2', 'new', 5, 'csat5'],
      ['crm-3', 'new', null, null],
    ]);
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ['an unknown kind', { kind: 'upsell' }, 'kind', 'kind "upsell" is not "new", "expansion" or "renewal"'],
    ['a kind that is not text', { kind: 3 }, 'kind', 'kind must be "new", "expansion" or "renewal"'],
    ['a score above the CSAT scale', { satisfaction: 6 }, 'satisfaction', 'satisfaction 6 is out of range: use a whole number from 1 to 5 (the workspace scores satisfaction as CSAT, 1 to 5)'],
    ['a score below it', { satisfaction: 0 }, 'satisfaction', 'satisfaction 0 is out of range: use a whole number from 1 to 5'],
    ['a fraction', { satisfaction: 4.5 }, 'satisfaction', 'satisfaction "4.5" is not a whole number from 1 to 5'],
    ['a word', { satisfaction: 'great' }, 'satisfaction', 'satisfaction "great" is not a whole number from 1 to 5'],
    ['an object', { satisfaction: { score: 4 } }, 'satisfaction', 'satisfaction must be a whole number like 4'],
  ])('the webhook refuses %s with a 400 naming the field, and stores nothing', async (_label, extra, field, message) => {
    const res = await send({ ...wonDeal, ...extra });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
    expect(res.body.errors).toEqual([{ field, message: expect.stringContaining(message) }]);
    expect(await storedDeals()).toEqual([]);
  });

  it('a follow-up with only external_id and satisfaction scores the stored deal and changes nothing else', async () => {
    expect((await send({ ...wonDeal, kind: 'expansion', notes: 'two more seats' })).status).toBe(200);
    const before = (await row('crm-1'))!;
    expect(before.satisfaction).toBeNull();

    h.clock.advance(60_000);
    const followUp = await send({ external_id: 'crm-1', satisfaction: 3, survey_id: 'ignored' });
    expect(followUp.status).toBe(200);
    expect(followUp.body).toEqual({ ok: true, id: before.id, created: false });
    const after = (await row('crm-1'))!;
    expect(after).toEqual({ ...before, satisfaction: 3, satisfactionScale: 'csat5', webhookTimestamp: new Date(nowSeconds() * 1000), updatedAt: h.clock.now() });
    expect((await storedDeals()).length).toBe(1);

    // A later CRM update without a score keeps it (and the kind); one with a score replaces it.
    h.clock.advance(60_000);
    expect((await send({ ...wonDeal, amount: '13000' })).status).toBe(200);
    expect(await row('crm-1')).toMatchObject({ amountMinor: 1300000n, kind: 'expansion', satisfaction: 3, satisfactionScale: 'csat5' });
    h.clock.advance(60_000);
    expect((await send({ ...wonDeal, satisfaction: 5, kind: 'renewal' })).status).toBe(200);
    expect(await row('crm-1')).toMatchObject({ kind: 'renewal', satisfaction: 5 });
  });

  it('a follow-up for an unknown external_id is a 404 naming it, and stores nothing; the same request may be sent again later', async () => {
    const res = await send({ external_id: 'never-sent', satisfaction: 4 });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ ok: false, error: 'unknown_deal', errors: [{ field: 'external_id', message: expect.stringContaining('no deal with external_id "never-sent"') }] });
    expect(await storedDeals()).toEqual([]);
    // Not remembered as received: once the deal is there, the same signed body is applied.
    const body = { external_id: 'crm-1', satisfaction: 4 };
    expect((await send(body)).status).toBe(404);
    expect((await send(wonDeal, { timestamp: nowSeconds() - 10 })).status).toBe(200);
    expect((await send(body)).status).toBe(200);
    expect(await row('crm-1')).toMatchObject({ satisfaction: 4 });
  });

  it('a follow-up out of range, or for a deal undone in Slack, changes nothing', async () => {
    expect((await send({ ...wonDeal, satisfaction: 2 })).status).toBe(200);
    const before = (await row('crm-1'))!;
    const res = await send({ external_id: 'crm-1', satisfaction: 7 });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'satisfaction', message: expect.stringContaining('satisfaction 7 is out of range') }]);
    expect(await row('crm-1')).toEqual(before);

    await db().update(deals).set({ deletedAt: h.clock.now() }).where(eq(deals.id, before.id));
    h.clock.advance(1000);
    expect((await send({ external_id: 'crm-1', satisfaction: 5 })).status).toBe(404);
    expect((await row('crm-1'))!.satisfaction).toBe(2);
  });

  it('a follow-up signed before the last update applied to the deal is out of order: 409, score unchanged', async () => {
    expect((await send(wonDeal)).status).toBe(200);
    const res = await send({ external_id: 'crm-1', satisfaction: 5 }, { timestamp: nowSeconds() - 30 });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: 'out_of_order' });
    expect(res.body.message).toContain('send it again signed with the current time');
    expect((await row('crm-1'))!.satisfaction).toBeNull();
    // The same follow-up twice: the second is a replay.
    const body = { external_id: 'crm-1', satisfaction: 5 };
    expect((await send(body)).status).toBe(200);
    expect((await send(body)).status).toBe(409);
  });

  it('with the NPS scale, scores are 0 to 10; a score kept from the CSAT scale keeps its scale', async () => {
    expect((await send({ ...wonDeal, satisfaction: 5 })).status).toBe(200);
    await setScale('nps10');
    expect((await send({ ...wonDeal, external_id: 'nps-0', satisfaction: 0 })).status).toBe(200);
    expect((await send({ ...wonDeal, external_id: 'nps-10', satisfaction: '10' })).status).toBe(200);
    const bad = await send({ ...wonDeal, external_id: 'nps-11', satisfaction: 11 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].message).toBe('satisfaction 11 is out of range: use a whole number from 0 to 10 (the workspace scores satisfaction as NPS, 0 to 10)');
    expect((await storedDeals()).map((d) => [d.externalId, d.satisfaction, d.satisfactionScale])).toEqual([
      ['crm-1', 5, 'csat5'],
      ['nps-0', 0, 'nps10'],
      ['nps-10', 10, 'nps10'],
    ]);
  });

  // -------------------------------------------------------------------------------------------
  // the settings modal

  it('an admin sets the satisfaction scale in the settings modal: stored, audited, and the next score is read on it', async () => {
    h.fake.addUser({ id: ADMIN, name: 'ada', tz: 'America/New_York', is_admin: true });
    await ensureWorkspace(db(), TEAM);
    const res = await h.slack.command({ command: '/sales-admin', text: '', userId: ADMIN });
    expect(res.status).toBe(200);
    const home = openedModal(await h.fake.waitFor('views.open', (c) => c.args.trigger_id === res.triggerId));
    expect(viewBlock(home.view, 'settings_section_satisfaction').text.text).toBe('*Customer satisfaction*\nScored as CSAT, 1 to 5');

    const open = blockAction({ actionId: 'settings_open:satisfaction', value: 'satisfaction', userId: ADMIN, blockId: 'settings_section_satisfaction', view: { ...home.view, id: home.id } });
    await h.slack.interaction(open);
    const section: OpenModal = openedModal(await h.fake.waitFor('views.push', (c) => c.args.trigger_id === open.trigger_id));
    expect(viewBlock(section.view, 'settings_satisfaction_scale').element.initial_option.value).toBe('csat5');

    const saved = await h.slack.interaction(modalSubmission(section, { settings_satisfaction_scale: 'nps10' }, { userId: ADMIN }));
    expect(saved.status).toBe(200);
    const ack = saved.json() as { response_action: string; view: { blocks: Array<{ elements?: Array<{ text: string }> }> } };
    expect(ack.response_action).toBe('update');
    expect(ack.view.blocks[0]!.elements![0]!.text).toContain('satisfaction is scored as NPS, 0 to 10 (was CSAT, 1 to 5)');
    const [ws] = await db().select().from(workspaces).where(eq(workspaces.teamId, TEAM));
    expect(ws!.satisfactionScale).toBe('nps10');
    const audits = await db().select().from(auditLog).where(eq(auditLog.teamId, TEAM));
    expect(audits.map((a) => [a.action, a.subject, a.before, a.after, a.actorId])).toEqual([['settings.update', 'satisfaction_scale', 'csat5', 'nps10', ADMIN]]);

    expect((await send({ ...wonDeal, satisfaction: 9 })).status).toBe(200);
    expect(await row('crm-1')).toMatchObject({ satisfaction: 9, satisfactionScale: 'nps10' });
  });

  it('a rep cannot change the scale with a forged submission', async () => {
    await ensureWorkspace(db(), TEAM);
    const forged = viewSubmission({ callbackId: 'settings_satisfaction', userId: DEFAULT_USER_ID, values: viewState(satisfactionView('csat5'), { settings_satisfaction_scale: 'nps10' }) });
    const res = await h.slack.interaction(forged);
    expect(res.status).toBe(200);
    expect((res.json() as { response_action: string }).response_action).toBe('errors');
    const [ws] = await db().select().from(workspaces).where(eq(workspaces.teamId, TEAM));
    expect(ws!.satisfactionScale).toBe('csat5');
    expect(await db().select().from(auditLog)).toEqual([]);
  });
});

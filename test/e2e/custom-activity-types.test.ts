/**
 * Custom activity types from creation to leaderboard, through the settings modal: an admin adds "Site visit", a rep
 * logs one with `/log site visit Acme`, it is offered in the log form and counted in /my-stats and on /leaderboard;
 * hidden, it is no longer offered (`/log site visit` says so and stores nothing) while reports still name it; a type
 * with entries cannot be deleted. Bad values are refused under the field; forged clicks and submissions change nothing.
 */
import { and, asc, eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { activities, activityTypes, activityTypeSettings, auditLog } from '../../src/db/schema/index.js';
import { ensureWorkspace } from '../../src/slack/workspace.js';
import { describeEachDb } from '../helpers/db.js';
import { startHarness, viewState, type Harness } from '../helpers/harness.js';
import { blockAction, DEFAULT_TEAM_ID, DEFAULT_USER_ID, viewSubmission } from '../helpers/signed-request.js';
import { ackReply, modalOpenedBy, modalSubmission, openedModal, viewBlock, type Block, type OpenModal } from '../helpers/slack-ui.js';

const ADMIN = 'U0ADMIN01';
const REP = DEFAULT_USER_ID;
const REFUSED_LOG = 'settings: refused to someone who is not an admin';
const SITE_VISIT = { settings_type_name: 'Site visit', settings_type_plural: 'site visits', settings_type_emoji: ':car:', settings_type_outcomes: 'held, no-show, #booked', settings_type_weight: '1.5' };

describeEachDb('custom activity types', (getDb) => {
  let h: Harness;
  const db = () => getDb().database.db;

  beforeEach(async () => {
    h = await startHarness({ db: getDb() });
    h.fake.addUser({ id: ADMIN, name: 'ada', tz: 'America/New_York', is_admin: true });
    await ensureWorkspace(db(), DEFAULT_TEAM_ID);
  });
  afterEach(async () => {
    await h.stop();
  });

  const customTypes = () => db().select().from(activityTypes).where(eq(activityTypes.teamId, DEFAULT_TEAM_ID)).orderBy(asc(activityTypes.id));
  const typeSettings = () => db().select().from(activityTypeSettings).where(eq(activityTypeSettings.teamId, DEFAULT_TEAM_ID));
  const storedActivities = () => db().select().from(activities).where(eq(activities.teamId, DEFAULT_TEAM_ID)).orderBy(asc(activities.createdAt));
  const audits = () => db().select().from(auditLog).where(eq(auditLog.teamId, DEFAULT_TEAM_ID)).orderBy(asc(auditLog.createdAt));

  async function refusals(n: number): Promise<void> {
    const until = Date.now() + 5000;
    while (h.logs.filter((l) => l.msg === REFUSED_LOG).length < n) {
      if (Date.now() > until) throw new Error(`expected ${n} refusals`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** `/sales-admin` alone, then the Activity types button: the pushed list. */
  async function openTypes(): Promise<OpenModal> {
    const res = await h.slack.command({ command: '/sales-admin', text: '', userId: ADMIN });
    expect(res.body).toBe('');
    const home = await modalOpenedBy(h, res.triggerId);
    expect(viewBlock(home.view, 'settings_section_types').text.text).toContain('5 built-in types · 0 custom');
    const payload = blockAction({ actionId: 'settings_open:types', value: 'types', userId: ADMIN, blockId: 'settings_section_types', view: { ...home.view, id: home.id } });
    await h.slack.interaction(payload);
    return openedModal(await h.fake.waitFor('views.push', (c) => c.args.trigger_id === payload.trigger_id));
  }

  /** Click in the types list (a button, or an overflow option) as `userId`; the list as updated, for an admin. */
  async function clickInList(list: OpenModal, actionId: string, value: string, userId = ADMIN): Promise<Record<string, any> | undefined> {
    const overflow = !actionId.endsWith(':call') && !actionId.endsWith(':email') && actionId.startsWith('settings_types_menu:');
    const seen = h.logs.filter((l) => l.msg === REFUSED_LOG).length;
    const updates = h.fake.callsTo('views.update').length;
    const payload = blockAction({
      actionId,
      userId,
      blockId: 'b',
      // The view as Slack has it now: the latest update's hash when the list was updated in place.
      view: { ...list.view, id: list.id, hash: (h.fake.callsTo('views.update').filter((c) => c.ok).at(-1)?.response as any)?.view?.hash ?? list.hash },
      ...(overflow ? { actionType: 'overflow', action: { selected_option: { text: { type: 'plain_text', text: 'x' }, value } } } : { value }),
    });
    expect((await h.slack.interaction(payload)).status).toBe(200);
    if (userId !== ADMIN) {
      await refusals(seen + 1);
      return undefined;
    }
    if (value.startsWith('edit:') || value === 'add') return openedModal(await h.fake.waitFor('views.push', (c) => c.args.trigger_id === payload.trigger_id)) as never;
    await h.fake.waitFor('views.update', () => h.fake.callsTo('views.update').length > updates);
    return h.fake.callsTo('views.update').at(-1)!.args.view as Record<string, any>;
  }

  async function submitForm(form: OpenModal, changes: Record<string, string>, userId = ADMIN) {
    const payload = viewSubmission({ callbackId: form.view.callback_id, values: viewState(form.view, changes), privateMetadata: form.view.private_metadata, viewId: form.id, hash: form.hash, userId });
    const res = await h.slack.interaction(payload);
    expect(res.status).toBe(200);
    return res.json() as Record<string, any>;
  }

  async function addSiteVisit(list: OpenModal) {
    const form = (await clickInList(list, 'settings_types_add', 'add')) as unknown as OpenModal;
    expect(form.view.title.text).toBe('Add an activity type');
    return submitForm(form, SITE_VISIT);
  }

  const typeOptions = (view: Record<string, any>) => viewBlock(view, 'type_block').element.options.map((o: Block) => o.value as string);

  it('from creation to leaderboard: added, logged with /log, offered in the form, counted in /my-stats and /leaderboard', async () => {
    const list = await openTypes();
    const ack = await addSiteVisit(list);
    expect(ack.response_action).toBe('update');
    expect(JSON.stringify(ack.view.blocks)).toContain('Added Site visit. Log one with `/log site visit Acme`');
    expect(viewBlock(ack.view, 'settings_type_site-visit').text.text).toContain(':car: *Site visit* (site visits)');
    expect(await customTypes()).toMatchObject([{ key: 'site-visit', label: 'Site visit', plural: 'site visits', emoji: ':car:', outcomes: ['held', 'no-show', 'booked'] }]);
    expect(await typeSettings()).toMatchObject([{ typeKey: 'site-visit', hidden: false, weight: '1.50' }]);
    expect((await audits()).map((r) => [r.action, r.subject, r.actorId])).toEqual([['activity_type.create', 'Site visit', ADMIN]]);

    const logged = await ackReply(h, { command: '/log', text: 'site visit Acme #held', userId: REP });
    expect(logged.text).toContain('Logged');
    expect(await storedActivities()).toMatchObject([{ typeKey: 'site-visit', account: 'Acme', outcome: 'held', userId: REP }]);

    const res = await h.slack.command({ command: '/log', text: '', userId: REP });
    expect(typeOptions((await modalOpenedBy(h, res.triggerId)).view)).toContain('site-visit');

    await ackReply(h, { command: '/my-stats', text: '', userId: REP });
    const dm = await h.fake.waitFor('chat.postMessage', (c) => c.args.channel === `D${REP}`);
    expect(JSON.stringify(dm.args.blocks)).toContain('Site visit');
    // Its weight (1.5) gives the weighted activity score beside the raw count: 1 site visit = 1.5.
    expect(JSON.stringify(dm.args.blocks)).toContain('1 activity · score 1.5');

    const board = await ackReply(h, { command: '/leaderboard', text: 'this week', userId: ADMIN });
    expect(JSON.stringify(board.blocks).toLowerCase()).toContain('site visit');
    expect(JSON.stringify(board.blocks)).toContain('1 activity · score 1.5');
  });

  it('hidden: /log site visit says so and stores nothing, the form no longer offers it, reports still name it; shown again it works', async () => {
    const list = await openTypes();
    await addSiteVisit(list);
    await ackReply(h, { command: '/log', text: 'site visit Acme', userId: REP });
    const updated = (await clickInList(list, 'settings_types_menu:site-visit', 'hide:site-visit'))!;
    expect(JSON.stringify(updated.blocks)).toContain('Site visit is hidden: no longer offered for logging; its entries still count.');
    expect(viewBlock(updated, 'settings_type_site-visit').text.text).toContain('_hidden_');
    expect(await typeSettings()).toMatchObject([{ typeKey: 'site-visit', hidden: true }]);

    await new Promise((resolve) => setTimeout(resolve, 1100)); // past the logging context's one-second reuse
    const refused = await ackReply(h, { command: '/log', text: 'site visit Globex', userId: REP });
    expect(refused.text).toContain('Site visit is no longer logged here (a Sales Pulse admin hid it), so nothing was logged.');
    expect(refused.text).not.toContain('`site-visit`');
    expect(await storedActivities()).toHaveLength(1);

    const res = await h.slack.command({ command: '/log', text: '', userId: REP });
    expect(typeOptions((await modalOpenedBy(h, res.triggerId)).view)).not.toContain('site-visit');

    await ackReply(h, { command: '/my-stats', text: '', userId: REP });
    const dm = await h.fake.waitFor('chat.postMessage', (c) => c.args.channel === `D${REP}`);
    expect(JSON.stringify(dm.args.blocks)).toContain('Site visit');

    await clickInList({ ...list, view: updated }, 'settings_types_menu:site-visit', 'show:site-visit');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await ackReply(h, { command: '/log', text: 'site visit Globex', userId: REP })).text).toContain('Logged');
    expect((await audits()).map((r) => r.action)).toEqual(['activity_type.create', 'activity_type.hide', 'activity_type.show']);
  });

  it('a form opened before the type was hidden, submitted after: refused under the type field, nothing stored', async () => {
    const list = await openTypes();
    await addSiteVisit(list);
    const res = await h.slack.command({ command: '/log', text: '', userId: REP });
    const form = await modalOpenedBy(h, res.triggerId);
    expect(typeOptions(form.view)).toContain('site-visit');
    await clickInList(list, 'settings_types_menu:site-visit', 'hide:site-visit');
    await new Promise((resolve) => setTimeout(resolve, 1100)); // past the logging context's one-second reuse

    const submitted = await h.slack.interaction(modalSubmission(form, { type_block: 'site-visit', account_block: 'Acme' }, { userId: REP }));
    expect(submitted.status).toBe(200);
    expect(submitted.json()).toEqual({
      response_action: 'errors',
      errors: { type_block: 'Site visit is no longer logged here (a Sales Pulse admin hid it). Pick another type.' },
    });
    expect(await storedActivities()).toHaveLength(0);
  });

  it('a built-in type can be hidden (/log-email then says so) but offers no delete', async () => {
    const list = await openTypes();
    expect(viewBlock(list.view, 'settings_type_email').accessory).toMatchObject({ type: 'button', value: 'hide:email' });
    await clickInList(list, 'settings_types_menu:email', 'hide:email');
    const refused = await ackReply(h, { command: '/log-email', text: 'Acme', userId: REP });
    expect(refused.text).toContain('Email is no longer logged here');
    expect(await storedActivities()).toHaveLength(0);
    // A forged delete of a built-in type does nothing.
    await clickInList(list, 'settings_types_menu:email', 'delete:email').catch(() => undefined);
    expect((await audits()).map((r) => r.action)).toEqual(['activity_type.hide']);
  });

  it('delete: refused while the type has entries (hide offered), done when it has none', async () => {
    const list = await openTypes();
    await addSiteVisit(list);
    await ackReply(h, { command: '/log', text: 'site visit Acme', userId: REP });
    const refused = (await clickInList(list, 'settings_types_menu:site-visit', 'delete:site-visit'))!;
    expect(JSON.stringify(refused.blocks)).toContain('Site visit has 1 entry, so it cannot be deleted. Hide it instead');
    expect(await customTypes()).toHaveLength(1);

    const form = (await clickInList(list, 'settings_types_add', 'add')) as unknown as OpenModal;
    await submitForm(form, { settings_type_name: 'Ride along', settings_type_plural: 'ride alongs' });
    const deleted = (await clickInList(list, 'settings_types_menu:ride-along', 'delete:ride-along'))!;
    expect(JSON.stringify(deleted.blocks)).toContain('Deleted Ride along.');
    expect((await customTypes()).map((t) => t.key)).toEqual(['site-visit']);
    expect((await audits()).map((r) => [r.action, r.subject])).toEqual([
      ['activity_type.create', 'Site visit'],
      ['activity_type.create', 'Ride along'],
      ['activity_type.delete', 'Ride along'],
    ]);
  });

  it('edit: the form comes prefilled; the change is stored and audited with before and after', async () => {
    const list = await openTypes();
    await addSiteVisit(list);
    const form = (await clickInList(list, 'settings_types_menu:site-visit', 'edit:site-visit')) as unknown as OpenModal;
    expect(viewBlock(form.view, 'settings_type_outcomes').element.initial_value).toBe('held, no-show, booked');
    const ack = await submitForm(form, { settings_type_outcomes: 'held, cancelled', settings_type_weight: '' });
    expect(JSON.stringify(ack.view.blocks)).toContain('Saved Site visit.');
    expect(await customTypes()).toMatchObject([{ key: 'site-visit', outcomes: ['held', 'cancelled'] }]);
    expect(await typeSettings()).toMatchObject([{ typeKey: 'site-visit', weight: null }]);
    const update = (await audits()).find((r) => r.action === 'activity_type.update')!;
    expect(update.before).toMatchObject({ outcomes: ['held', 'no-show', 'booked'], weight: '1.50' });
    expect(update.after).toMatchObject({ outcomes: ['held', 'cancelled'], weight: null });
  });

  it.each([
    ['settings_type_name', '', 'Use 1 to 40 letters, digits, spaces or dashes, starting with a letter.'],
    ['settings_type_name', 'Call', 'There is already a type called Call. Pick another name.'],
    ['settings_type_name', '9 lives', 'Use 1 to 40 letters, digits, spaces or dashes, starting with a letter.'],
    ['settings_type_plural', 'calls', 'Call already uses that word. Pick another plural.'],
    ['settings_type_emoji', 'car', 'Use an emoji code like :car: or leave it empty.'],
    ['settings_type_outcomes', 'no show, held', 'Outcomes are single words (letters, digits, dashes) separated by commas, like `booked, no-show`; at most 10.'],
    ['settings_type_outcomes', 'held, Held', 'Each outcome once, please.'],
    ['settings_type_weight', '0', 'Enter a number above 0 and at most 100, with at most 2 decimals (like 1.5), or leave it empty.'],
    ['settings_type_weight', '100.01', 'Enter a number above 0 and at most 100, with at most 2 decimals (like 1.5), or leave it empty.'],
    ['settings_type_weight', '1.234', 'Enter a number above 0 and at most 100, with at most 2 decimals (like 1.5), or leave it empty.'],
    ['settings_type_weight', '-2', 'Enter a number above 0 and at most 100, with at most 2 decimals (like 1.5), or leave it empty.'],
  ])('%s = %j is refused under the field; nothing stored', async (block, value, error) => {
    const list = await openTypes();
    const form = (await clickInList(list, 'settings_types_add', 'add')) as unknown as OpenModal;
    const ack = await submitForm(form, { ...SITE_VISIT, [block]: value });
    expect(ack).toEqual({ response_action: 'errors', errors: { [block]: error } });
    expect(await customTypes()).toHaveLength(0);
    expect(await typeSettings()).toHaveLength(0);
    expect(await audits()).toHaveLength(0);
  });

  it('forged clicks and submissions from a rep change nothing', async () => {
    const list = await openTypes();
    await addSiteVisit(list);
    await clickInList(list, 'settings_types_menu:call', 'hide:call', REP);
    await clickInList(list, 'settings_types_menu:site-visit', 'delete:site-visit', REP);
    await clickInList(list, 'settings_types_add', 'add', REP);
    const form = viewSubmission({
      callbackId: 'settings_types_form',
      userId: REP,
      privateMetadata: JSON.stringify({ key: 'site-visit' }),
      values: { settings_type_name: { value: { type: 'plain_text_input', value: 'Hacked' } } } as never,
    });
    const ack = (await h.slack.interaction(form)).json() as Record<string, any>;
    expect(ack.response_action).toBe('errors');
    expect(await customTypes()).toMatchObject([{ key: 'site-visit', label: 'Site visit' }]);
    expect((await typeSettings()).filter((s) => s.hidden)).toHaveLength(0);
    expect((await audits()).map((r) => r.action)).toEqual(['activity_type.create']);
    expect(await db().select().from(activityTypeSettings).where(and(eq(activityTypeSettings.teamId, DEFAULT_TEAM_ID), eq(activityTypeSettings.typeKey, 'call')))).toHaveLength(0);
  });
});

/**
 * The conversion stages in the settings modal, end to end: an admin opens the section (the default stages), adds a
 * stage counting a custom type's custom outcome, moves and removes stages, renames deals won and resets to the
 * defaults; every change is stored with its audit entry. Bad input is refused under the field with nothing stored;
 * a click on a list that changed meanwhile, or from a rep, changes nothing.
 */
import { asc, eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { activityTypes, auditLog, workspaces } from '../../src/db/schema/index.js';
import { ensureWorkspace } from '../../src/slack/workspace.js';
import { describeEachDb } from '../helpers/db.js';
import { startHarness, viewState, type Harness } from '../helpers/harness.js';
import { openSection, openSettingsHome } from '../helpers/org-ui.js';
import { blockAction, DEFAULT_TEAM_ID, DEFAULT_USER_ID, viewSubmission } from '../helpers/signed-request.js';
import { openedModal, viewBlock, type Block, type OpenModal } from '../helpers/slack-ui.js';

const ADMIN = 'U0ADMIN01';
const REP = DEFAULT_USER_ID;
const REFUSED_LOG = 'settings: refused to someone who is not an admin';
const DEFAULT_LABELS = ['Touches', 'Conversations', 'Meetings booked', 'Meetings held', 'Deals won'];

describeEachDb('conversion stages in the settings modal', (getDb) => {
  let h: Harness;
  const db = () => getDb().database.db;

  beforeEach(async () => {
    h = await startHarness({ db: getDb() });
    h.fake.addUser({ id: ADMIN, name: 'ada', tz: 'America/New_York', is_admin: true });
    h.fake.addUser({ id: REP, name: 'ana', tz: 'America/New_York' });
    await ensureWorkspace(db(), DEFAULT_TEAM_ID);
    // A custom type with its own outcomes: offered in the stage form beside the built-in ones.
    await db()
      .insert(activityTypes)
      .values({ teamId: DEFAULT_TEAM_ID, key: 'site-visit', label: 'Site visit', plural: 'site visits', outcomes: ['walked-through', 'no-show'], createdAt: h.clock.now() });
  });
  afterEach(async () => {
    await h.stop();
  });

  const storedStages = async () => (await db().select({ s: workspaces.conversionStages }).from(workspaces).where(eq(workspaces.teamId, DEFAULT_TEAM_ID)))[0]!.s;
  const audits = () => db().select().from(auditLog).where(eq(auditLog.teamId, DEFAULT_TEAM_ID)).orderBy(asc(auditLog.createdAt), asc(auditLog.id));
  const labelsIn = (view: Record<string, any>) =>
    view.blocks.filter((b: Block) => /^settings_stage_\d$/.test(b.block_id ?? '')).map((b: Block) => /^\*\d\. (.*)\*/.exec(b.text.text)![1]);

  /** The view as Slack has it now: the latest update's hash when the list was updated in place. */
  function current(list: OpenModal): OpenModal {
    const last = h.fake.callsTo('views.update').filter((c) => c.ok).at(-1);
    return last ? { view: last.args.view as Record<string, any>, id: list.id, hash: (last.response as any).view.hash } : list;
  }

  /** Pick `value` in stage `index`'s menu (its Rename button for deals won) as `userId`; the list as updated, for an admin. */
  async function pick(list: OpenModal, index: number, value: string, userId = ADMIN): Promise<Record<string, any> | undefined> {
    const now = current(list);
    const accessory = viewBlock(now.view, `settings_stage_${index}`)?.accessory ?? { type: 'overflow' };
    h.clock.advance(1000);
    const refusals = h.logs.filter((l) => l.msg === REFUSED_LOG).length;
    const updates = h.fake.callsTo('views.update').length;
    const payload = blockAction({
      actionId: `settings_stages_menu:${index}`,
      userId,
      blockId: `settings_stage_${index}`,
      view: { ...now.view, id: now.id, hash: now.hash },
      ...(accessory.type === 'overflow' ? { actionType: 'overflow', action: { selected_option: { text: { type: 'plain_text', text: 'x' }, value } } } : { value }),
    });
    expect((await h.slack.interaction(payload)).status).toBe(200);
    if (userId !== ADMIN) {
      await waitUntil(() => h.logs.filter((l) => l.msg === REFUSED_LOG).length > refusals);
      return undefined;
    }
    if (value.startsWith('edit:')) return openedModal(await h.fake.waitFor('views.push', (c) => c.args.trigger_id === payload.trigger_id)) as never;
    await h.fake.waitFor('views.update', () => h.fake.callsTo('views.update').length > updates);
    return h.fake.callsTo('views.update').at(-1)!.args.view as Record<string, any>;
  }

  async function press(list: OpenModal, actionId: string, value: string, userId = ADMIN) {
    h.clock.advance(1000);
    const now = current(list);
    const payload = blockAction({ actionId, value, userId, blockId: 'b', view: { ...now.view, id: now.id, hash: now.hash } });
    const updates = h.fake.callsTo('views.update').length;
    expect((await h.slack.interaction(payload)).status).toBe(200);
    return { payload, updated: async () => (await h.fake.waitFor('views.update', () => h.fake.callsTo('views.update').length > updates)).args.view as Record<string, any> };
  }

  async function openAddForm(list: OpenModal): Promise<OpenModal> {
    const { payload } = await press(list, 'settings_stages_add', 'add');
    return openedModal(await h.fake.waitFor('views.push', (c) => c.args.trigger_id === payload.trigger_id));
  }

  async function submit(form: OpenModal, changes: Record<string, string | null>, userId = ADMIN) {
    h.clock.advance(1000);
    const payload = viewSubmission({ callbackId: form.view.callback_id, values: viewState(form.view, changes), privateMetadata: form.view.private_metadata, viewId: form.id, hash: form.hash, userId });
    const res = await h.slack.interaction(payload);
    expect(res.status).toBe(200);
    return res.json() as Record<string, any>;
  }

  async function waitUntil(ok: () => boolean): Promise<void> {
    const until = Date.now() + 5000;
    while (!ok()) {
      if (Date.now() > until) throw new Error('timed out');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('opens on the default stages, in order, with their types and outcomes; no reset while they are the default', async () => {
    const home = await openSettingsHome(h, ADMIN);
    expect(viewBlock(home.view, 'settings_section_stages').text.text).toContain('Default: Touches → Conversations → Meetings booked → Meetings held → Deals won');
    const list = await openSection(h, ADMIN, 'stages');
    expect(list.view.title.text).toBe('Conversion stages');
    expect(labelsIn(list.view)).toEqual(DEFAULT_LABELS);
    expect(viewBlock(list.view, 'settings_stage_1').text.text).toContain('Calls and emails · #connected, #booked, #replied');
    expect(viewBlock(list.view, 'settings_stage_4').accessory).toMatchObject({ type: 'button', text: { text: 'Rename' } });
    const menu = viewBlock(list.view, 'settings_stage_0').accessory.options.map((o: Block) => o.text.text);
    expect(menu).toEqual(['Edit', 'Move down', 'Remove']);
    expect(viewBlock(list.view, 'settings_stage_3').accessory.options.map((o: Block) => o.text.text)).toEqual(['Edit', 'Move up', 'Remove']);
    expect(viewBlock(list.view, 'settings_stages_default')).toBeDefined();
    expect(viewBlock(list.view, 'settings_stages_actions')).toBeUndefined();
    expect(await storedStages()).toBeNull();
  });

  it('adds a stage counting a custom type and its custom outcome, before deals won; stored and audited', async () => {
    const list = await openSection(h, ADMIN, 'stages');
    const form = await openAddForm(list);
    expect(form.view.title.text).toBe('Add a stage');
    const typeOptions = viewBlock(form.view, 'settings_stage_types').element.options.map((o: Block) => o.value);
    expect(typeOptions).toEqual(['call', 'email', 'meeting', 'demo', 'proposal', 'site-visit']);
    const outcomeOptions = viewBlock(form.view, 'settings_stage_outcomes').element.options as Block[];
    expect(outcomeOptions.map((o) => o.value)).toContain('walked-through');
    expect(outcomeOptions.find((o) => o.value === 'booked')!.text.text).toBe('#booked (Call, Meeting, Demo)');

    const ack = await submit(form, { settings_stage_label: '  Site   visits done ', settings_stage_types: 'site-visit', settings_stage_outcomes: 'walked-through' });
    expect(ack.response_action).toBe('update');
    expect(JSON.stringify(ack.view.blocks)).toContain('Added Site visits done.');
    expect(labelsIn(ack.view)).toEqual(['Touches', 'Conversations', 'Meetings booked', 'Meetings held', 'Site visits done', 'Deals won']);
    expect(viewBlock(ack.view, 'settings_stage_4').text.text).toContain('Site visits · #walked-through');
    expect(await storedStages()).toEqual([
      { label: 'Touches', types: ['call', 'email'] },
      { label: 'Conversations', types: ['call', 'email'], outcomes: ['connected', 'booked', 'replied'] },
      { label: 'Meetings booked', outcomes: ['booked'] },
      { label: 'Meetings held', types: ['meeting', 'demo'], outcomes: ['held'] },
      { label: 'Site visits done', types: ['site-visit'], outcomes: ['walked-through'] },
      { label: 'Deals won', won: true },
    ]);
    const [entry] = await audits();
    expect(entry).toMatchObject({ action: 'conversion_stages.add', subject: 'Site visits done', actorId: ADMIN });
    expect((entry!.before as Block[]).map((s) => s.label)).toEqual(DEFAULT_LABELS);
    expect((entry!.after as Block[]).at(-2)).toEqual({ label: 'Site visits done', types: ['site-visit'], outcomes: ['walked-through'] });

    // The settings home now says they are the workspace's own.
    const home = await openSettingsHome(h, ADMIN);
    expect(viewBlock(home.view, 'settings_section_stages').text.text).toContain('Own: Touches → Conversations → Meetings booked → Meetings held → Site visits done → Deals won');
  });

  it('moves a stage up and down, removes one, edits one; each stored and audited; deals won stays last', async () => {
    const list = await openSection(h, ADMIN, 'stages');
    const up = (await pick(list, 3, 'up:3:Meetings held'))!;
    expect(JSON.stringify(up.blocks)).toContain('Moved Meetings held up.');
    expect(labelsIn(up)).toEqual(['Touches', 'Conversations', 'Meetings held', 'Meetings booked', 'Deals won']);
    const down = (await pick(list, 0, 'down:0:Touches'))!;
    expect(labelsIn(down)).toEqual(['Conversations', 'Touches', 'Meetings held', 'Meetings booked', 'Deals won']);
    const removed = (await pick(list, 3, 'remove:3:Meetings booked'))!;
    expect(JSON.stringify(removed.blocks)).toContain('Removed Meetings booked.');
    expect((await storedStages())!.map((s) => s.label)).toEqual(['Conversations', 'Touches', 'Meetings held', 'Deals won']);
    // The last activity stage offers no "Move down": deals won stays last.
    expect(viewBlock(removed, 'settings_stage_2').accessory.options.map((o: Block) => o.text.text)).toEqual(['Edit', 'Move up', 'Remove']);

    const form = (await pick(list, 2, 'edit:2:Meetings held')) as unknown as OpenModal;
    expect(form.view.title.text).toBe('Edit stage');
    expect(viewBlock(form.view, 'settings_stage_label').element.initial_value).toBe('Meetings held');
    expect(viewBlock(form.view, 'settings_stage_types').element.initial_options.map((o: Block) => o.value)).toEqual(['meeting', 'demo']);
    const ack = await submit(form, { settings_stage_label: 'Demos held', settings_stage_types: 'demo' });
    expect(JSON.stringify(ack.view.blocks)).toContain('Saved Demos held.');
    expect((await storedStages())![2]).toEqual({ label: 'Demos held', types: ['demo'], outcomes: ['held'] });

    const rename = (await pick(list, 3, 'edit:3:Deals won')) as unknown as OpenModal;
    expect(rename.view.title.text).toBe('Rename deals won');
    expect(viewBlock(rename.view, 'settings_stage_types')).toBeUndefined();
    await submit(rename, { settings_stage_label: 'Signed' });
    expect((await storedStages())!.at(-1)).toEqual({ label: 'Signed', won: true });

    expect((await audits()).map((a) => [a.action, a.subject])).toEqual([
      ['conversion_stages.move', 'Meetings held'],
      ['conversion_stages.move', 'Touches'],
      ['conversion_stages.remove', 'Meetings booked'],
      ['conversion_stages.update', 'Demos held'],
      ['conversion_stages.update', 'Signed'],
    ]);
  });

  it('resets to the defaults (stored null), audited; the defaults again in the list', async () => {
    const list = await openSection(h, ADMIN, 'stages');
    await pick(list, 0, 'remove:0:Touches');
    expect(await storedStages()).toHaveLength(4);
    const withReset = current(list).view;
    expect(viewBlock(withReset, 'settings_stages_actions').elements[0]).toMatchObject({ action_id: 'settings_stages_reset', confirm: expect.any(Object) });
    const reset = await press(list, 'settings_stages_reset', 'reset');
    const view = await reset.updated();
    expect(JSON.stringify(view.blocks)).toContain('Back to the default stages.');
    expect(labelsIn(view)).toEqual(DEFAULT_LABELS);
    expect(await storedStages()).toBeNull();
    expect((await audits()).map((a) => a.action)).toEqual(['conversion_stages.remove', 'conversion_stages.reset']);
  });

  it.each([
    ['an empty name', { settings_stage_label: '   ' }, 'settings_stage_label', 'Give the stage a name of 1 to 40 characters.'],
    ['a name over 40 characters', { settings_stage_label: 'x'.repeat(41) }, 'settings_stage_label', 'Give the stage a name of 1 to 40 characters.'],
    ['a name taken (whatever the case)', { settings_stage_label: 'meetings HELD' }, 'settings_stage_label', 'There is already a stage called Meetings held. Pick another name.'],
    [
      'an outcome the chosen types do not have',
      { settings_stage_label: 'Calls held', settings_stage_types: 'call', settings_stage_outcomes: 'held' },
      'settings_stage_outcomes',
      '#held: not an outcome of calls. Pick outcomes of the chosen types, or leave the types empty.',
    ],
  ])('%s is refused under the field; nothing stored', async (_what, changes, block, error) => {
    const list = await openSection(h, ADMIN, 'stages');
    const form = await openAddForm(list);
    const ack = await submit(form, changes);
    expect(ack).toEqual({ response_action: 'errors', errors: { [block]: error } });
    expect(await storedStages()).toBeNull();
    expect(await audits()).toHaveLength(0);
  });

  it('a forged type or outcome (not offered in the form) is refused under its field; nothing stored', async () => {
    const values = (types: string[], outcomes: string[]) => ({
      settings_stage_label: { value: { type: 'plain_text_input', value: 'Forged' } },
      settings_stage_types: { value: { type: 'multi_static_select', selected_options: types.map((value) => ({ value })) } },
      settings_stage_outcomes: { value: { type: 'multi_static_select', selected_options: outcomes.map((value) => ({ value })) } },
    });
    for (const [types, outcomes, block, error] of [
      [['teleport'], [], 'settings_stage_types', '`teleport` is not an activity type here. Pick from the list.'],
      [[], ['vanished'], 'settings_stage_outcomes', '#vanished: no activity type has that outcome. Add it to a type first (Activity types).'],
      [[], ['no show'], 'settings_stage_outcomes', 'Outcomes are single words (letters, digits, dashes), like `booked` or `held`.'],
    ] as const) {
      const res = await h.slack.interaction(viewSubmission({ callbackId: 'settings_stages_form', values: values([...types], [...outcomes]) as never, privateMetadata: '{}', userId: ADMIN }));
      expect(res.json()).toEqual({ response_action: 'errors', errors: { [block]: error } });
    }
    expect(await storedStages()).toBeNull();
    expect(await audits()).toHaveLength(0);
  });

  it('at most 8 stages: the ninth is refused under the name and the Add button goes; at least 2: the last removal is refused', async () => {
    const list = await openSection(h, ADMIN, 'stages');
    let full: Record<string, any> = list.view;
    for (const label of ['Stage A', 'Stage B', 'Stage C']) full = (await submit(await openAddForm(list), { settings_stage_label: label })).view;
    expect(await storedStages()).toHaveLength(8);
    expect(labelsIn(full)).toHaveLength(8);
    expect(viewBlock(full, 'settings_stages_intro').accessory).toBeUndefined();
    expect(viewBlock(full, 'settings_stages_intro').text.text).toContain('at most 8 stages');
    // A form opened before the list was full.
    const stale = { view: (await openAddForm(list)).view, id: 'V1', hash: 'h' };
    const before = await storedStages();
    const ack = await submit(stale, { settings_stage_label: 'Stage D' });
    expect(ack).toEqual({ response_action: 'errors', errors: { settings_stage_label: 'A funnel has at most 8 stages, deals won included. Remove one first.' } });
    expect(await storedStages()).toEqual(before);

    for (let i = 6; i >= 1; i--) {
      const label = (await storedStages())![0]!.label;
      await pick(list, 0, `remove:0:${label}`);
    }
    expect((await storedStages())!.map((s) => s.label)).toEqual(['Stage C', 'Deals won']);
    const refused = (await pick(list, 0, 'remove:0:Stage C'))!;
    expect(JSON.stringify(refused.blocks)).toContain('A funnel needs at least 2 stages');
    expect((await storedStages())!.map((s) => s.label)).toEqual(['Stage C', 'Deals won']);
    // A forged removal or move of deals won is refused too.
    await pick(list, 1, 'remove:1:Deals won');
    await pick(list, 1, 'up:1:Deals won');
    expect((await storedStages())!.map((s) => s.label)).toEqual(['Stage C', 'Deals won']);
    expect((await audits()).filter((a) => a.action === 'conversion_stages.remove')).toHaveLength(6);
  });

  it('a click on a list that changed meanwhile (another admin) changes nothing and shows the list as it is', async () => {
    const list = await openSection(h, ADMIN, 'stages');
    await pick(list, 0, 'remove:0:Touches');
    // The stale list still has Touches at 0; now Conversations is there.
    const view = (await pick(list, 0, 'remove:0:Touches'))!;
    expect(JSON.stringify(view.blocks)).toContain('The stages changed while you were looking');
    expect((await storedStages())!.map((s) => s.label)).toEqual(['Conversations', 'Meetings booked', 'Meetings held', 'Deals won']);
    expect(await audits()).toHaveLength(1);
  });

  it('forged clicks and submissions from a rep change nothing', async () => {
    const list = await openSection(h, ADMIN, 'stages');
    await pick(list, 0, 'remove:0:Touches', REP);
    await pick(list, 0, 'down:0:Touches', REP);
    const before = h.fake.callsTo('views.push').length;
    await press(list, 'settings_stages_add', 'add', REP);
    await press(list, 'settings_stages_reset', 'reset', REP);
    const ack = (await h.slack.interaction(viewSubmission({ callbackId: 'settings_stages_form', values: { settings_stage_label: { value: { type: 'plain_text_input', value: 'Hacked' } } } as never, privateMetadata: '{}', userId: REP }))).json();
    expect(ack).toMatchObject({ response_action: 'errors' });
    await waitUntil(() => h.logs.filter((l) => l.msg === REFUSED_LOG).length >= 5);
    expect(h.fake.callsTo('views.push').length).toBe(before);
    expect(await storedStages()).toBeNull();
    expect(await audits()).toHaveLength(0);
  });
});

/**
 * The settings modal end to end: `/sales-admin` alone opens it for an admin (a manager gets what they can do, a rep
 * the refusal), a section button pushes the section, a submission is validated (errors under the field, nothing
 * stored), stored with its audit entry and takes effect at once; forged clicks and submissions from a rep or a
 * manager change nothing.
 */
import { asc, eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { auditLog, salesTeamMembers, salesTeams, webhookSecrets, workspaces } from '../../src/db/schema/index.js';
import { describeEachDb } from '../helpers/db.js';
import { startHarness, TEST_ENCRYPTION_KEY, type Harness } from '../helpers/harness.js';
import { secretBoxFromEnvironment } from '../../src/lib/encryption-key.js';
import { blockAction, DEFAULT_TEAM_ID, DEFAULT_USER_ID, viewSubmission } from '../helpers/signed-request.js';
import { ackReply, modalOpenedBy, modalSubmission, openedModal, viewBlock, type Block, type OpenModal } from '../helpers/slack-ui.js';
import { createOrRotateSecret } from '../../src/features/deals/index.js';
import { getSecret } from '../../src/features/deals/webhook-secrets.js';
import { viewState } from '../helpers/harness.js';
import { ensureWorkspace } from '../../src/slack/workspace.js';

const ADMIN = 'U0ADMIN01';
const MANAGER = 'U0MANAGER1';
const REP = DEFAULT_USER_ID;
const WINS = 'C0WINS';
const secretBox = () => secretBoxFromEnvironment({ ENCRYPTION_KEY: TEST_ENCRYPTION_KEY })!;
const REFUSED_LOG = 'settings: refused to someone who is not an admin';
const REP_REFUSAL = ':lock: Only Sales Pulse admins and team managers can use `/sales-admin`. Ask a workspace admin, or your team’s manager.';

describeEachDb('settings modal', (getDb) => {
  let h: Harness;
  const db = () => getDb().database.db;

  beforeEach(async () => {
    h = await startHarness({ db: getDb() });
    h.fake.addUser({ id: ADMIN, name: 'ada', tz: 'America/New_York', is_admin: true });
    h.fake.addUser({ id: MANAGER, name: 'mia', tz: 'America/New_York' });
    h.fake.addUser({ id: REP, name: 'ana', tz: 'America/New_York' });
    await ensureWorkspace(db(), DEFAULT_TEAM_ID);
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

  const workspace = async () => (await db().select().from(workspaces).where(eq(workspaces.teamId, DEFAULT_TEAM_ID)))[0]!;
  const audits = () => db().select().from(auditLog).where(eq(auditLog.teamId, DEFAULT_TEAM_ID)).orderBy(asc(auditLog.createdAt), asc(auditLog.subject));

  /** `/sales-admin` alone by an admin: acked with nothing, and the settings home it opened. */
  async function openSettings(userId = ADMIN): Promise<OpenModal> {
    const res = await h.slack.command({ command: '/sales-admin', text: '', userId });
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    return modalOpenedBy(h, res.triggerId);
  }

  /** Wait until the app logged a refusal (the `n`th since the start). */
  async function refusals(n: number): Promise<void> {
    const until = Date.now() + 5000;
    while (h.logs.filter((l) => l.msg === REFUSED_LOG).length < n) {
      if (Date.now() > until) throw new Error(`expected ${n} refusals`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Click a section's button on the home; the pushed view (undefined, after the refusal, for anyone not an admin). */
  async function pushSection(home: OpenModal, id: string, userId = ADMIN): Promise<OpenModal | undefined> {
    const payload = blockAction({ actionId: `settings_open:${id}`, value: id, userId, blockId: `settings_section_${id}`, view: { ...home.view, id: home.id } });
    const seen = h.logs.filter((l) => l.msg === REFUSED_LOG).length;
    const res = await h.slack.interaction(payload);
    expect(res.status).toBe(200);
    if (userId !== ADMIN) {
      await refusals(seen + 1);
      return undefined;
    }
    return openedModal(await h.fake.waitFor('views.push', (c) => c.args.trigger_id === payload.trigger_id));
  }

  /** Submit a section's view; the ack's body. */
  async function submit(modal: OpenModal, changes: Record<string, string | null>, userId = ADMIN) {
    const res = await h.slack.interaction(modalSubmission(modal, changes, { userId }));
    expect(res.status).toBe(200);
    return res.json() as Record<string, any>;
  }

  // -------------------------------------------------------------------------------------------
  // the shell

  it('an admin: /sales-admin alone opens the settings home, one button per section with its summary', async () => {
    const home = await openSettings();
    expect(home.view.title.text).toBe('Sales Pulse settings');
    const calendar = viewBlock(home.view, 'settings_section_calendar');
    expect(calendar.text.text).toContain('*Calendar*');
    expect(calendar.text.text).toContain('Log up to 30 days back · weeks start Monday · fiscal year from January · UTC');
    expect(calendar.accessory).toMatchObject({ type: 'button', action_id: 'settings_open:calendar', value: 'calendar' });
    const notifications = viewBlock(home.view, 'settings_section_notifications');
    expect(notifications.text.text).toContain('Celebrations off · digests opt-in · no webhook secret');
    expect(viewBlock(home.view, 'settings_section_types').text.text).toContain('5 built-in types');
  });

  it('Slack refusing the modal (an expired trigger): the admin is told to try again; nothing changed', async () => {
    h.fake.failNext('views.open', { error: 'expired_trigger_id' });
    const reply = await ackReply(h, { command: '/sales-admin', text: '', userId: ADMIN });
    expect(reply.text).toBe(':warning: Slack did not let me open the settings just now. Please send `/sales-admin` again; `/sales-admin help` lists the text commands.');
    expect(await audits()).toHaveLength(0);
  });

  it('a manager typing /sales-admin alone gets what they can do; no modal', async () => {
    const reply = await ackReply(h, { command: '/sales-admin', text: '', userId: MANAGER });
    expect(reply.text).toContain('Sales Pulse for team managers');
    expect(reply.text).toContain('/sales-admin digests weekly|off "East AEs"');
    await h.settle();
    expect(h.fake.callsTo('views.open')).toHaveLength(0);
  });

  it('a rep typing /sales-admin alone gets the refusal; no modal', async () => {
    const reply = await ackReply(h, { command: '/sales-admin', text: '', userId: REP });
    expect(reply.text).toBe(REP_REFUSAL);
    await h.settle();
    expect(h.fake.callsTo('views.open')).toHaveLength(0);
  });

  it('`help` is still a word: the admin list for an admin, the manager list for a manager', async () => {
    expect((await ackReply(h, { command: '/sales-admin', text: 'help', userId: ADMIN })).text).toContain('*Sales Pulse admin*');
    expect((await ackReply(h, { command: '/sales-admin', text: 'help', userId: MANAGER })).text).toContain('Sales Pulse for team managers');
  });

  it('a forged section click from a rep or a manager pushes nothing', async () => {
    const home = await openSettings();
    for (const userId of [REP, MANAGER]) {
      expect(await pushSection(home, 'calendar', userId)).toBeUndefined();
      expect(await pushSection(home, 'notifications', userId)).toBeUndefined();
    }
    expect(h.fake.callsTo('views.push')).toHaveLength(0);
  });

  // -------------------------------------------------------------------------------------------
  // calendar

  it('calendar: open, push, submit; stored, audited per setting, shown saved', async () => {
    const calendar = (await pushSection(await openSettings(), 'calendar'))!;
    expect(calendar.view.title.text).toBe('Calendar');
    const ack = await submit(calendar, {
      settings_calendar_backdate: '7',
      settings_calendar_week_start: '0',
      settings_calendar_fiscal: '4',
      settings_calendar_zone: 'Europe/Paris',
    });
    expect(ack.response_action).toBe('update');
    expect(JSON.stringify(ack.view.blocks)).toContain(
      'Saved: backdating window 7 days, weeks start on Sunday, fiscal year starts in April, default time zone Europe/Paris.',
    );
    const ws = await workspace();
    expect(ws).toMatchObject({ backdateDays: 7, weekStartsOn: 0, fiscalYearStartMonth: 4, defaultTimeZone: 'Europe/Paris' });
    const rows = await audits();
    expect(rows.map((r) => [r.action, r.subject, r.before, r.after, r.actorId])).toEqual([
      ['settings.update', 'backdate_days', 30, 7, ADMIN],
      ['settings.update', 'default_time_zone', 'UTC', 'Europe/Paris', ADMIN],
      ['settings.update', 'fiscal_year_start_month', 1, 4, ADMIN],
      ['settings.update', 'week_starts_on', 1, 0, ADMIN],
    ]);
  });

  it('calendar: saving unchanged values stores and audits nothing', async () => {
    const calendar = (await pushSection(await openSettings(), 'calendar'))!;
    const ack = await submit(calendar, {});
    expect(JSON.stringify(ack.view.blocks)).toContain('Nothing changed.');
    expect(await audits()).toHaveLength(0);
  });

  it.each([
    ['settings_calendar_backdate', '91', 'Enter a whole number of days from 0 to 90.'],
    ['settings_calendar_backdate', '-1', 'Enter a whole number of days from 0 to 90.'],
    ['settings_calendar_backdate', '2.5', 'Enter a whole number of days from 0 to 90.'],
    ['settings_calendar_backdate', 'ten', 'Enter a whole number of days from 0 to 90.'],
    ['settings_calendar_zone', 'Mars/Olympus', 'Enter a time zone name like Europe/Paris, America/New_York or UTC.'],
    ['settings_calendar_zone', '+02:00', 'Enter a time zone name like Europe/Paris, America/New_York or UTC.'],
    ['settings_calendar_zone', '', 'Enter a time zone name like Europe/Paris, America/New_York or UTC.'],
  ])('calendar: %s = %j is refused under the field and nothing is stored', async (block, value, error) => {
    const calendar = (await pushSection(await openSettings(), 'calendar'))!;
    const ack = await submit(calendar, { [block]: value, settings_calendar_week_start: '0' });
    expect(ack).toEqual({ response_action: 'errors', errors: { [block]: error } });
    expect(await workspace()).toMatchObject({ backdateDays: 30, weekStartsOn: 1, defaultTimeZone: 'UTC' });
    expect(await audits()).toHaveLength(0);
  });

  it('calendar: a forged submission from a rep or a manager changes nothing', async () => {
    const calendar = (await pushSection(await openSettings(), 'calendar'))!;
    for (const userId of [REP, MANAGER]) {
      const ack = await submit(calendar, { settings_calendar_backdate: '90' }, userId);
      expect(ack.response_action).toBe('errors');
      expect(ack.errors.settings_calendar_backdate).toContain('Only Sales Pulse admins');
    }
    // Even with no view ever opened for them.
    const forged = viewSubmission({ callbackId: 'settings_calendar', userId: REP, values: viewState(calendar.view, { settings_calendar_backdate: '0' }) });
    expect(((await h.slack.interaction(forged)).json() as Record<string, any>).response_action).toBe('errors');
    expect((await workspace()).backdateDays).toBe(30);
    expect(await audits()).toHaveLength(0);
  });

  it('calendar: the backdating window applies to /log-call at once', async () => {
    // 20 days back is fine with the default 30 days.
    const before = await ackReply(h, { command: '/log-call', text: 'Acme 2026-11-07', userId: REP });
    expect(before.text).toContain('Logged');
    // Past the logging context's one-second reuse (LOGGING_CONTEXT_KEEP_MS), the new window applies.
    const calendar = (await pushSection(await openSettings(), 'calendar'))!;
    await submit(calendar, { settings_calendar_backdate: '7' });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const after = await ackReply(h, { command: '/log-call', text: 'Acme 2026-11-07', userId: REP });
    expect(after.text).toContain('2026-11-07 is too long ago: you can log at most 7 days back.');
    const ok = await ackReply(h, { command: '/log-call', text: 'Acme 2026-11-20', userId: REP });
    expect(ok.text).toContain('Logged');
  });

  it('calendar: the week start applies to /leaderboard at once', async () => {
    const week = async () => JSON.stringify((await ackReply(h, { command: '/leaderboard', text: 'this week', userId: ADMIN })).blocks);
    expect(await week()).toContain('This week (Nov 23 – 29)');
    const calendar = (await pushSection(await openSettings(), 'calendar'))!;
    await submit(calendar, { settings_calendar_week_start: '0' });
    expect(await week()).toContain('This week (Nov 22 – 28)');
  });
  // -------------------------------------------------------------------------------------------
  // notifications

  /** Submit the notifications view with a celebrations channel (null: none) and a digest default. */
  async function submitNotifications(modal: OpenModal, channel: string | null, digest: 'off' | 'weekly', userId = ADMIN) {
    const values = viewState(modal.view, { settings_notify_digest: digest });
    values.settings_notify_celebrations = { value: { type: 'conversations_select', selected_conversation: channel } as never };
    const payload = viewSubmission({ callbackId: modal.view.callback_id, values, privateMetadata: modal.view.private_metadata, viewId: modal.id, hash: modal.hash, userId });
    const res = await h.slack.interaction(payload);
    expect(res.status).toBe(200);
    return res.json() as Record<string, any>;
  }

  /** Click the secret's button in the notifications view as `userId`. */
  async function clickRotate(modal: OpenModal, userId = ADMIN) {
    const res = await h.slack.interaction(
      blockAction({ actionId: 'settings_notify_rotate_secret', value: 'rotate', userId, blockId: 'settings_notify_secret', view: { ...modal.view, id: modal.id, hash: modal.hash } }),
    );
    expect(res.status).toBe(200);
  }

  it('notifications: celebrations channel and digest default; announced, stored, audited, shown saved', async () => {
    const notifications = (await pushSection(await openSettings(), 'notifications'))!;
    expect(notifications.view.title.text).toBe('Notifications');
    const ack = await submitNotifications(notifications, WINS, 'weekly');
    expect(ack.response_action).toBe('update');
    expect(JSON.stringify(ack.view.blocks)).toContain(`Saved: won deals are celebrated in <#${WINS}>; everyone gets the weekly digest unless they opt out.`);
    expect(ack.view.blocks.find((b: Block) => b.block_id === 'settings_notify_celebrations').element.initial_conversation).toBe(WINS);
    expect(h.fake.workspace.conversation(WINS).map((m) => m.text)).toEqual([`:tada: Won deals will be celebrated in this channel (set by <@${ADMIN}>).`]);
    expect(await workspace()).toMatchObject({ celebrationsChannel: WINS, digestDefault: 'weekly', digestDefaultSince: h.clock.now() });
    expect((await audits()).map((r) => [r.action, r.subject, r.before, r.after])).toEqual([
      ['settings.celebrations', 'celebrations_channel', null, WINS],
      ['settings.digest_default', 'workspace', 'off', 'weekly'],
    ]);
    // Turned off again: no post, stored, audited.
    const again = await submitNotifications({ ...notifications, view: ack.view }, null, 'off');
    expect(JSON.stringify(again.view.blocks)).toContain('Saved: win celebrations are off; digests are opt-in.');
    expect(await workspace()).toMatchObject({ celebrationsChannel: null, digestDefault: 'off' });
    expect(await audits()).toHaveLength(4);
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('notifications: a channel the bot is not in is refused under the field; nothing stored', async () => {
    h.fake.channelsWithoutBot.add('C0PRIV');
    const notifications = (await pushSection(await openSettings(), 'notifications'))!;
    const ack = await submitNotifications(notifications, 'C0PRIV', 'weekly');
    expect(ack).toEqual({
      response_action: 'errors',
      errors: { settings_notify_celebrations: "I'm not in <#C0PRIV> yet. Type `/invite @Sales Pulse` in that channel, then run this command again." },
    });
    expect(await workspace()).toMatchObject({ celebrationsChannel: null, digestDefault: 'off' });
    expect(await audits()).toHaveLength(0);
  });

  it('notifications: a forged submission from a rep or a manager changes nothing', async () => {
    const notifications = (await pushSection(await openSettings(), 'notifications'))!;
    for (const userId of [REP, MANAGER]) {
      const ack = await submitNotifications(notifications, WINS, 'weekly', userId);
      expect(ack.response_action).toBe('errors');
    }
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(0);
    expect(await workspace()).toMatchObject({ celebrationsChannel: null, digestDefault: 'off' });
    expect(await audits()).toHaveLength(0);
  });

  it('notifications: create then rotate the webhook secret, shown once in the modal, never logged or audited', async () => {
    const notifications = (await pushSection(await openSettings(), 'notifications'))!;
    expect(JSON.stringify(viewBlock(notifications.view, 'settings_notify_secret'))).toContain('Create secret');
    await clickRotate(notifications);
    const created = await h.fake.waitFor('views.update', (c) => c.args.view_id === notifications.id);
    const shown = viewBlock(created.args.view, 'settings_notify_new_secret').text.text as string;
    const first = /```(spwh_[^`]+)```/.exec(shown)![1]!;
    expect(shown).toContain('shown only this once');
    expect(JSON.stringify(created.args.view)).toContain('Created.');

    await clickRotate({ ...notifications, hash: (created.response as any).view.hash });
    const rotated = await h.fake.waitFor('views.update', (c) => c.args.view_id === notifications.id && JSON.stringify(c.args.view).includes('Rotated'));
    const second = /```(spwh_[^`]+)```/.exec(viewBlock(rotated.args.view, 'settings_notify_new_secret').text.text as string)![1]!;
    expect(second).not.toBe(first);
    const rows = await db().select().from(webhookSecrets).where(eq(webhookSecrets.teamId, DEFAULT_TEAM_ID));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.secret).not.toContain(second); // sealed at rest
    const entries = await audits();
    expect(entries.map((r) => [r.action, r.actorId, r.after])).toEqual([
      ['webhook_secret.rotate', ADMIN, { rotated: false }],
      ['webhook_secret.rotate', ADMIN, { rotated: true }],
    ]);
    expect(JSON.stringify(entries)).not.toContain('spwh_');
    expect(JSON.stringify(h.logs)).not.toContain(first);
    expect(JSON.stringify(h.logs)).not.toContain(second);
  });

  it('notifications: a forged rotate click from a rep or a manager makes no secret', async () => {
    await createOrRotateSecret(db(), secretBox(), DEFAULT_TEAM_ID, { rotate: false, now: h.clock.now() });
    const before = await getSecret(db(), secretBox(), DEFAULT_TEAM_ID);
    const notifications = (await pushSection(await openSettings(), 'notifications'))!;
    const seen = h.logs.filter((l) => l.msg === REFUSED_LOG).length;
    await clickRotate(notifications, REP);
    await clickRotate(notifications, MANAGER);
    await refusals(seen + 2);
    expect(await getSecret(db(), secretBox(), DEFAULT_TEAM_ID)).toBe(before);
    expect(h.fake.callsTo('views.update')).toHaveLength(0);
    expect(await audits()).toHaveLength(0);
  });

  it('the text sub-commands record the same audit entries', async () => {
    for (const text of [`celebrations <#${WINS}|wins>`, 'digests weekly', 'digests weekly' /* no change: no entry */, 'celebrations off']) {
      await ackReply(h, { command: '/sales-admin', text, userId: ADMIN });
      h.clock.set(new Date(h.clock.now().getTime() + 60_000));
    }
    expect((await audits()).map((r) => [r.action, r.before, r.after])).toEqual([
      ['settings.celebrations', null, WINS],
      ['settings.digest_default', 'off', 'weekly'],
      ['settings.celebrations', WINS, null],
    ]);
  });

  it('a manager may not change the workspace digest default with the text sub-command', async () => {
    const reply = await ackReply(h, { command: '/sales-admin', text: 'digests weekly', userId: MANAGER });
    expect(reply.text).toContain('Only Sales Pulse admins');
    expect((await workspace()).digestDefault).toBe('off');
    expect(await audits()).toHaveLength(0);
  });
});

/**
 * The App Home dashboard end to end: app_home_opened publishes the person's week, targets, recent entries and
 * digest choice from stored rows; logging anywhere republishes it; Undo, Log deal and the digest choice work
 * from the tab itself.
 */
import { and, eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { activities, deals, digestSubscriptions, targets, users, workspaces } from '../../src/db/schema/index.js';
import { describeEachDb } from '../helpers/db.js';
import type { RecordedCall } from '../helpers/fake-slack.js';
import { replyTo, startHarness, type Harness } from '../helpers/harness.js';
import { blockAction, DEFAULT_TEAM_ID, DEFAULT_USER_ID } from '../helpers/signed-request.js';
import { modalOpenedBy, modalSubmission } from '../helpers/slack-ui.js';

// The harness default: Friday 2026-11-27 10:00 in New York (the default user's zone). The week is Mon 23 – Sun 29.
const OTHER_USER = 'U0OTHER01';
const HOME_VIEW = { id: 'VHOME0001', type: 'home', hash: '1733000050.home' };

type Block = Record<string, any>;

/** Every mrkdwn and plain text of a view, joined: what the person reads. */
function textOf(view: { blocks: Block[] }): string {
  const out: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const n = node as Block;
      if ((n.type === 'mrkdwn' || n.type === 'plain_text') && typeof n.text === 'string') out.push(n.text);
      for (const [k, v] of Object.entries(n)) if (k !== 'confirm') walk(v);
    }
  };
  walk(view.blocks);
  return out.join('\n');
}

function elementsOf(view: { blocks: Block[] }): Block[] {
  const out: Block[] = [];
  for (const b of view.blocks) {
    if (b.accessory) out.push({ ...b.accessory, block_id: b.block_id });
    for (const e of b.elements ?? []) if (e.action_id) out.push({ ...e, block_id: b.block_id });
  }
  return out;
}

const undoButtons = (view: { blocks: Block[] }) => elementsOf(view).filter((e) => /^home_undo_/.test(e.action_id));

describeEachDb('App Home', (getDb) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ db: getDb() });
    h.fake.addUser({ id: OTHER_USER, name: 'bo', tz: 'America/New_York' });
  });
  afterEach(async () => {
    await h.stop();
  });

  const db = () => getDb().database.db;

  function openHome(userId = DEFAULT_USER_ID) {
    return h.slack.event({ type: 'app_home_opened', user: userId, channel: 'D0001', tab: 'home', event_ts: '1733000040.000100' });
  }

  /** The first views.publish to `userId` (after `after` calls to views.publish) whose view text matches. */
  function publishWith(match: (text: string) => boolean, opts: { userId?: string; after?: number } = {}): Promise<RecordedCall> {
    const userId = opts.userId ?? DEFAULT_USER_ID;
    const after = opts.after ?? 0;
    return h.fake.waitFor('views.publish', (c) => {
      const index = h.fake.callsTo('views.publish').indexOf(c);
      return index >= after && c.args.user_id === userId && match(textOf(c.args.view));
    });
  }

  async function seedWeek() {
    await db().insert(workspaces).values({ teamId: DEFAULT_TEAM_ID });
    const base = { teamId: DEFAULT_TEAM_ID, userId: DEFAULT_USER_ID, source: 'slash_command' as const };
    await db()
      .insert(activities)
      .values([
        { ...base, typeKey: 'call', quantity: 3, outcome: 'connected', account: 'Acme Corp', occurredAt: new Date('2026-11-26T17:00:00Z'), notes: 'asked for pricing', createdAt: new Date('2026-11-26T17:00:00Z') },
        { ...base, typeKey: 'email', quantity: 1, account: 'Initech', occurredAt: new Date('2026-11-27T14:00:00Z'), createdAt: new Date('2026-11-27T14:00:00Z') },
        // Last week: listed among recent entries, not counted this week.
        { ...base, typeKey: 'meeting', quantity: 1, account: 'Globex', occurredAt: new Date('2026-11-20T17:00:00Z'), createdAt: new Date('2026-11-20T17:00:00Z') },
        // Undone: neither counted nor listed.
        { ...base, typeKey: 'call', quantity: 5, account: 'Undone Inc', occurredAt: new Date('2026-11-26T18:00:00Z'), deletedAt: new Date('2026-11-26T18:05:00Z') },
        // Someone else's: neither counted nor listed.
        { ...base, userId: OTHER_USER, typeKey: 'call', quantity: 40, account: 'Not Yours Ltd', occurredAt: new Date('2026-11-26T18:00:00Z') },
      ]);
    await db()
      .insert(deals)
      .values([
        { teamId: DEFAULT_TEAM_ID, userId: DEFAULT_USER_ID, status: 'won', amountMinor: 1_250_000n, currency: 'USD', account: 'Acme Corp', closedAt: new Date('2026-11-27T14:30:00Z'), source: 'slack', createdAt: new Date('2026-11-27T14:30:00Z') },
        { teamId: DEFAULT_TEAM_ID, userId: DEFAULT_USER_ID, status: 'lost', amountMinor: null, currency: null, account: 'Hooli', closedAt: new Date('2026-11-24T16:00:00Z'), source: 'slack', createdAt: new Date('2026-11-24T16:00:00Z') },
      ]);
  }

  it('publishes the dashboard on open: this week from stored rows, targets as bars, recent entries with Undo, both log buttons', async () => {
    await seedWeek();
    await db().insert(targets).values({ teamId: DEFAULT_TEAM_ID, userKey: DEFAULT_USER_ID, metric: 'call', amount: 10n, period: 'week', createdBy: 'UADMIN' });
    // Known since long before this week (joined_at null), so the target is not prorated; a stale row is refreshed.
    await db().insert(users).values({ teamId: DEFAULT_TEAM_ID, userId: DEFAULT_USER_ID, displayName: 'ana', timeZone: 'America/New_York', joinedAt: null, fetchedAt: new Date(0) });
    const started = Date.now();
    const res = await openHome();
    expect(res.status).toBe(200);
    const publish = await h.fake.waitFor('views.publish');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(publish.args.user_id).toBe(DEFAULT_USER_ID);
    const view = publish.args.view;
    expect(view.type).toBe('home');
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    const text = textOf(view);
    expect(text).toContain(`Hi ${h.fake.users.get(DEFAULT_USER_ID)!.profile.display_name}!`);
    expect(text).toMatch(/This week \(Nov 23 – (Nov )?29\)/);
    expect(text).toContain('*Activities*\n4');
    expect(text).toContain('calls: *3*');
    expect(text).toContain('email: *1*');
    expect(text).toContain('*Revenue won*\n$12,500.00');
    expect(text).toContain('*Deals closed*\n1 won · 1 lost');
    expect(text).toContain('`▓▓▓░░░░░░░` Calls: 3 of 10 (30%)');
    // Newest first by when they were stored; undone and other people's entries left out.
    const recent = view.blocks.filter((b: Block) => /^home_recent_\d+$/.test(b.block_id)).map((b: Block) => b.text.text as string);
    expect(recent).toEqual([
      // The effort behind the win: the 3 calls logged with Acme Corp yesterday.
      ':moneybag: Won deal: Acme Corp, $12,500.00 · today\n:chart_with_upwards_trend: Won after 3 activities over 1 day (3 calls).',
      ':memo: 1 email with Initech · today',
      ':memo: 3 calls (connected) with Acme Corp · yesterday\n_asked for pricing_',
      ':moneybag: Lost deal: Hooli · Tuesday, Nov 24',
      ':memo: 1 meeting with Globex · Friday, Nov 20',
    ]);
    expect(text).not.toContain('Undone Inc');
    expect(text).not.toContain('Not Yours');
    expect(undoButtons(view).map((b) => b.action_id)).toEqual(['home_undo_deal_0', 'home_undo_activity_1', 'home_undo_activity_2', 'home_undo_deal_3', 'home_undo_activity_4']);
    const ids = elementsOf(view).map((e) => e.action_id);
    expect(ids).toEqual(expect.arrayContaining(['home_log_activity', 'home_log_deal', 'home_digest_choice']));
    expect(new Set(ids).size).toBe(ids.length);
    const logActivity = elementsOf(view).find((e) => e.action_id === 'home_log_activity')!;
    expect(logActivity.text.text).toBe('Log activity');
    expect(text).toContain('/log-call Acme Corp 15m #connected -- asked for pricing');
  });

  it('an empty workspace gets a valid, friendly dashboard', async () => {
    await openHome();
    const publish = await h.fake.waitFor('views.publish');
    const text = textOf(publish.args.view);
    expect(text).toContain('*Activities*\n0');
    expect(text).toContain('No targets set for you yet');
    expect(text).toContain('Nothing logged yet.');
    expect(undoButtons(publish.args.view)).toEqual([]);
  });

  it('does not publish for the Messages tab', async () => {
    await h.slack.event({ type: 'app_home_opened', user: DEFAULT_USER_ID, channel: 'D0001', tab: 'messages', event_ts: '1733000040.000100' });
    await openHome();
    await h.fake.waitFor('views.publish');
    await h.settle();
    expect(h.fake.callsTo('views.publish')).toHaveLength(1);
  });

  it('republishes after /log-call: the new entry and the new count', async () => {
    await openHome();
    await publishWith((t) => t.includes('*Activities*\n0'));
    const res = await h.slack.command({ command: '/log-call', text: 'Acme Corp x2 #connected' });
    await replyTo(h, res);
    const after = await publishWith((t) => t.includes('2 calls (connected) with Acme Corp'), { after: 1 });
    const text = textOf(after.args.view);
    expect(text).toContain('*Activities*\n2');
    expect(text).toContain('calls: *2*');
    expect(undoButtons(after.args.view)).toHaveLength(1);
    const [row] = await db().select().from(activities);
    expect(undoButtons(after.args.view)[0]!.value).toBe(row!.id);
  });

  it('republishes after logging through the modal, after /log-deal, and after a confirmation Undo', async () => {
    const deal = await h.slack.command({ command: '/log-deal', text: 'won $12,500 Acme Corp' });
    await publishWith((t) => t.includes('Won deal: Acme Corp, $12,500.00') && t.includes('*Revenue won*\n$12,500.00'));

    // The modal (from the Home tab's own button).
    const click = blockAction({ actionId: 'home_log_activity', view: HOME_VIEW, blockId: 'home_actions' });
    await h.slack.interaction(click);
    const modal = await modalOpenedBy(h, click.trigger_id);
    await h.slack.interaction(modalSubmission(modal, { type_block: 'meeting', account_block: 'Globex' }));
    await publishWith((t) => t.includes('1 meeting with Globex') && t.includes('Won deal'));

    // Undo on the deal's confirmation (a message button): the Home tab drops the deal.
    const reply = await replyTo(h, deal); // the confirmation is the command's ack body
    expect(reply.args.text).toContain('won deal');
    const dealId = reply.args.blocks.find((b: Block) => b.type === 'actions').elements[0].value;
    await h.slack.interaction(blockAction({ actionId: 'deal_undo', value: dealId, blockId: 'deal_actions', responseUrl: h.fake.responseUrl('deal-undo') }));
    await publishWith((t) => t.includes('1 meeting with Globex') && !t.includes('Won deal') && t.includes('*Revenue won*\nnone yet'));
  });

  it('Undo on the Home tab removes the entry (soft delete) and republishes with a notice', async () => {
    const res = await h.slack.command({ command: '/log-call', text: 'Acme Corp #connected' });
    await replyTo(h, res);
    const before = await publishWith((t) => t.includes('1 call (connected) with Acme Corp'));
    const [button] = undoButtons(before.args.view);
    expect(button!.action_id).toBe('home_undo_activity_0');

    const count = h.fake.callsTo('views.publish').length;
    const click = await h.slack.interaction(blockAction({ actionId: button!.action_id, value: button!.value, blockId: button!.block_id, view: HOME_VIEW }));
    expect(click.status).toBe(200);
    const after = await publishWith((t) => t.includes('Undone: 1 call (connected) with Acme Corp.'), { after: count });
    expect(undoButtons(after.args.view)).toEqual([]);
    expect(textOf(after.args.view)).toContain('*Activities*\n0');
    const [row] = await db().select().from(activities);
    expect(row!.deletedAt).not.toBeNull();

    // A second click (a stale tab) changes nothing and says so.
    await h.slack.interaction(blockAction({ actionId: button!.action_id, value: button!.value, blockId: button!.block_id, view: HOME_VIEW }));
    await publishWith((t) => t.includes('That entry was already undone.'));
  });

  it('Undo of a deal on the Home tab, and nobody can undo someone else’s entry', async () => {
    await seedWeek();
    const [won] = await db().select().from(deals).where(eq(deals.status, 'won'));
    await h.slack.interaction(blockAction({ actionId: 'home_undo_deal_0', value: won!.id, blockId: 'home_recent_0', view: HOME_VIEW }));
    const after = await publishWith((t) => t.includes('Undone: Won deal: Acme Corp, $12,500.00.'));
    expect(textOf(after.args.view)).toContain('*Deals closed*\n1 lost');
    expect((await db().select().from(deals).where(eq(deals.id, won!.id)))[0]!.deletedAt).not.toBeNull();

    // Someone else clicking with Ana's entry id (a forged or replayed value) is refused.
    const [anas] = await db().select().from(activities).where(and(eq(activities.userId, DEFAULT_USER_ID), eq(activities.typeKey, 'email')));
    await h.slack.interaction(blockAction({ actionId: 'home_undo_activity_1', value: anas!.id, userId: OTHER_USER, blockId: 'home_recent_1', view: HOME_VIEW }));
    await publishWith((t) => t.includes('Only the person who logged an entry can undo it.'), { userId: OTHER_USER });
    expect((await db().select().from(activities).where(eq(activities.id, anas!.id)))[0]!.deletedAt).toBeNull();
  });

  it('entries from the CRM or an import show where they came from and have no Undo; a forged Undo is refused and changes nothing', async () => {
    await db().insert(workspaces).values({ teamId: DEFAULT_TEAM_ID });
    const [crm] = await db()
      .insert(deals)
      .values({ teamId: DEFAULT_TEAM_ID, userId: DEFAULT_USER_ID, status: 'won', amountMinor: 900_000n, currency: 'USD', account: 'Umbrella', closedAt: new Date('2026-11-27T14:00:00Z'), source: 'webhook', externalId: 'hs-1' })
      .returning();
    const [imported] = await db()
      .insert(activities)
      .values({ teamId: DEFAULT_TEAM_ID, userId: DEFAULT_USER_ID, typeKey: 'call', quantity: 2, account: 'Stark', occurredAt: new Date('2026-11-26T14:00:00Z'), source: 'import' })
      .returning();
    await openHome();
    const view = (await publishWith((t) => t.includes('Umbrella'))).args.view;
    expect(textOf(view)).toContain('Won deal: Umbrella, $9,000.00 · today · _from your CRM_');
    expect(textOf(view)).toContain('2 calls with Stark · yesterday · _from an import_');
    expect(undoButtons(view)).toEqual([]);

    await h.slack.interaction(blockAction({ actionId: 'home_undo_deal_0', value: crm!.id, blockId: 'home_recent_0', view: HOME_VIEW }));
    await publishWith((t) => t.includes('That deal came from your CRM, so change it there'));
    await h.slack.interaction(blockAction({ actionId: 'home_undo_activity_1', value: imported!.id, blockId: 'home_recent_1', view: HOME_VIEW }));
    await publishWith((t) => t.includes('That entry came from an import, so change it there'));
    // The confirmation's Undo (a forged deal_undo with the CRM deal's id) is refused the same way.
    await h.slack.interaction(blockAction({ actionId: 'deal_undo', value: crm!.id, blockId: 'deal_actions', responseUrl: h.fake.responseUrl('forged-undo') }));
    const answer = await h.fake.waitFor('response_url', (c) => c.responseUrlId === 'forged-undo');
    expect(answer.args.text).toContain('That deal came from your CRM, so change it there');
    expect((await db().select().from(deals).where(eq(deals.id, crm!.id)))[0]!.deletedAt).toBeNull();
    expect((await db().select().from(activities).where(eq(activities.id, imported!.id)))[0]!.deletedAt).toBeNull();
  });

  it('the Log activity button opens the log modal', async () => {
    const res = await h.slack.interaction(blockAction({ actionId: 'home_log_activity', triggerId: 'trigger-home-1', view: HOME_VIEW }));
    expect(res.status).toBe(200);
    const open = await h.fake.waitFor('views.open');
    expect(open.args.trigger_id).toBe('trigger-home-1');
    expect(open.args.view.callback_id).toBe('log_activity_modal');
    expect(JSON.parse(open.args.view.private_metadata)).toEqual({});
  });

  it('the Log deal button opens the deal modal', async () => {
    const res = await h.slack.interaction(blockAction({ actionId: 'home_log_deal', triggerId: 'trigger-home-2', blockId: 'home_actions', view: HOME_VIEW }));
    expect(res.status).toBe(200);
    const open = await h.fake.waitFor('views.open');
    expect(open.args.trigger_id).toBe('trigger-home-2');
    expect(open.args.view.callback_id).toBe('log_deal_modal');
  });

  it('the digest choice is stored and the tab republished; the workspace default shows until the person chooses', async () => {
    await db().insert(workspaces).values({ teamId: DEFAULT_TEAM_ID, digestDefault: 'weekly' });
    await openHome();
    const first = await h.fake.waitFor('views.publish');
    const select = () => elementsOf(first.args.view).find((e) => e.action_id === 'home_digest_choice')!;
    expect(select().initial_option.value).toBe('weekly');
    expect(textOf(first.args.view)).toContain('Weekly (Fridays 16:00), the workspace default');

    const choose = (value: string, text: string) =>
      h.slack.interaction(
        blockAction({
          actionId: 'home_digest_choice',
          actionType: 'static_select',
          blockId: 'home_digest',
          view: HOME_VIEW,
          action: { selected_option: { text: { type: 'plain_text', text }, value }, initial_option: select().initial_option },
        }),
      );
    const stored = async () =>
      (await db().select().from(digestSubscriptions).where(and(eq(digestSubscriptions.teamId, DEFAULT_TEAM_ID), eq(digestSubscriptions.userId, DEFAULT_USER_ID)))).map((r) => r.cadence);

    expect((await choose('daily', 'Daily (08:00)')).status).toBe(200);
    const daily = await publishWith((t) => t.includes('Digest: daily (08:00), by DM.'));
    expect(elementsOf(daily.args.view).find((e) => e.action_id === 'home_digest_choice')!.initial_option.value).toBe('daily');
    expect(textOf(daily.args.view)).not.toContain('workspace default');
    expect(await stored()).toEqual(['daily']);

    await choose('off', 'Off');
    const off = await publishWith((t) => t.includes('Digest turned off.'));
    expect(elementsOf(off.args.view).find((e) => e.action_id === 'home_digest_choice')!.initial_option.value).toBe('off');
    expect(await stored()).toEqual(['off']);

    // A value the select never offers is ignored.
    await choose('hourly', 'Hourly');
    await h.settle();
    expect(await stored()).toEqual(['off']);
    expect(h.fake.callsTo('views.publish')).toHaveLength(3);
  });
});

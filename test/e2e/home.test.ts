import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/db.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { blockAction, DEFAULT_USER_ID } from '../helpers/signed-request.js';

describeEachDb('App Home', (getDb) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ db: getDb() });
  });
  afterEach(async () => {
    await h.stop();
  });

  it('publishes the Home tab when the user opens it, with a Log activity button and the commands', async () => {
    const res = await h.slack.event({ type: 'app_home_opened', user: DEFAULT_USER_ID, channel: 'D0001', tab: 'home', event_ts: '1733000040.000100' });
    expect(res.status).toBe(200);
    const publish = await h.fake.waitFor('views.publish');
    expect(publish.args.user_id).toBe(DEFAULT_USER_ID);
    expect(publish.args.view.type).toBe('home');
    const texts = JSON.stringify(publish.args.view.blocks);
    expect(texts).toContain(`Hi ${h.fake.users.get(DEFAULT_USER_ID)!.profile.display_name}!`);
    expect(texts).toContain('/log-call Acme Corp 15m #connected -- asked for pricing');
    const button = publish.args.view.blocks.flatMap((b: { elements?: unknown[] }) => b.elements ?? []).find((e: { action_id?: string }) => e.action_id === 'home_log_activity');
    expect(button.text.text).toBe('Log activity');
  });

  it('does not publish for the Messages tab', async () => {
    await h.slack.event({ type: 'app_home_opened', user: DEFAULT_USER_ID, channel: 'D0001', tab: 'messages', event_ts: '1733000040.000100' });
    await h.slack.event({ type: 'app_home_opened', user: DEFAULT_USER_ID, channel: 'D0001', tab: 'home', event_ts: '1733000041.000100' });
    await h.fake.waitFor('views.publish');
    expect(h.fake.callsTo('views.publish')).toHaveLength(1);
  });

  it('the Log activity button opens the log modal', async () => {
    const res = await h.slack.interaction(blockAction({ actionId: 'home_log_activity', triggerId: 'trigger-home-1' }));
    expect(res.status).toBe(200);
    const open = await h.fake.waitFor('views.open');
    expect(open.args.trigger_id).toBe('trigger-home-1');
    expect(open.args.view.callback_id).toBe('log_activity_modal');
    expect(JSON.parse(open.args.view.private_metadata)).toEqual({});
  });
});

/**
 * Digests waiting to be sent (issue 11 #2), end to end: a digest whose slot has come but which waits for a later
 * tick (pacing: at most DEFAULT_MAX_PER_TICK per tick) or for its retry still goes out when, in between, an admin
 * changes an unrelated setting (celebrations), re-picks the same digest default, or the person re-picks the
 * cadence they already have on the Home tab. Only a real change of a choice starts it anew.
 */
import { and, eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { digestSubscriptions, users, workspaces } from '../../src/db/schema/index.js';
import { DEFAULT_MAX_PER_TICK, digestRunKey } from '../../src/features/summary/digest-job.js';
import { ensureWorkspace } from '../../src/slack/workspace.js';
import { describeEachDb } from '../helpers/db.js';
import { replyTo, startHarness, type Harness } from '../helpers/harness.js';
import { blockAction, DEFAULT_TEAM_ID } from '../helpers/signed-request.js';

const TEAM = DEFAULT_TEAM_ID;
const ADMIN = 'U0ADMIN01';
const NY = 'U0NYC0001';
const LDN = 'U0LDN0001';
const WINS = 'C0WINS';
const HOME_VIEW = { id: 'VHOME0001', type: 'home', hash: '1733000050.home' };
/** Monday Nov 30 2026, 12:00 UTC: when the choices are made. */
const MONDAY = new Date('2026-11-30T12:00:00.000Z');
/** Friday Dec 4 2026, 16:00 in London and in New York. */
const LDN_SLOT = new Date('2026-12-04T16:00:00.000Z');
const NY_SLOT = new Date('2026-12-04T21:00:00.000Z');
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const plus = (at: Date, ms: number) => new Date(at.getTime() + ms);

describeEachDb('digests waiting for a later tick or a retry', (getDb) => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({ db: getDb(), now: MONDAY });
    await h.fake.waitFor('auth.test');
    h.fake.addUser({ id: ADMIN, name: 'ada', tz: 'America/New_York', is_admin: true });
    h.fake.addUser({ id: NY, name: 'nia', tz: 'America/New_York' });
    h.fake.addUser({ id: LDN, name: 'lou', tz: 'Europe/London' });
  });
  afterEach(async () => {
    await h.stop();
  });

  const db = () => getDb().database.db;
  const workspace = async () => (await db().select().from(workspaces).where(eq(workspaces.teamId, TEAM)))[0]!;
  const subscription = async (userId: string) =>
    (await db().select().from(digestSubscriptions).where(and(eq(digestSubscriptions.teamId, TEAM), eq(digestSubscriptions.userId, userId))))[0];
  const digestsTo = (userId: string) => h.fake.callsTo('chat.postMessage').filter((c) => c.ok && c.args.channel === `D${userId}`);

  async function command(name: '/my-stats' | '/sales-admin', text: string, userId: string): Promise<string> {
    const res = await h.slack.command({ command: name, text, userId });
    expect(res.status).toBe(200);
    return String((await replyTo(h, res)).args.text);
  }
  const salesAdmin = (text: string) => command('/sales-admin', text, ADMIN);

  /** A person Sales Pulse knows (so the workspace default reaches them), in London, first seen weeks ago. */
  async function knownInLondon(userId: string) {
    await ensureWorkspace(db(), TEAM);
    await db().insert(users).values({ teamId: TEAM, userId, displayName: userId.toLowerCase(), timeZone: 'Europe/London', fetchedAt: MONDAY, joinedAt: new Date('2026-11-01T00:00:00Z') });
  }

  /** The digest select on the person's Home tab, as Slack sends it; waits until the choice is stored (the tab republished). */
  async function pickOnHome(userId: string, cadence: 'weekly' | 'daily' | 'off') {
    const before = h.fake.callsTo('views.publish').filter((c) => c.args.user_id === userId).length;
    const res = await h.slack.interaction(
      blockAction({
        actionId: 'home_digest_choice',
        actionType: 'static_select',
        blockId: 'home_digest',
        userId,
        view: HOME_VIEW,
        action: { selected_option: { text: { type: 'plain_text', text: cadence }, value: cadence } },
      }),
    );
    expect(res.status).toBe(200);
    await h.fake.waitFor('views.publish', (c) => c.args.user_id === userId && h.fake.callsTo('views.publish').filter((p) => p.args.user_id === userId).length > before);
  }

  const digestOutcomes = async (at: Date) => {
    h.clock.set(at);
    return (await h.bot.scheduler.tick(at)).filter((o) => o.job === 'digest');
  };

  it('more default digests due than one tick sends: an admin changes celebrations between ticks, and every one still goes out', async () => {
    const people = Array.from({ length: DEFAULT_MAX_PER_TICK + 5 }, (_, i) => `U0LDN${String(i).padStart(4, '0')}`);
    for (const id of people) {
      h.fake.addUser({ id, name: id.toLowerCase(), tz: 'Europe/London' });
      await knownInLondon(id);
    }
    await salesAdmin('digests weekly');
    const since = (await workspace()).digestDefaultSince;
    expect(since).toEqual(MONDAY);

    const first = await digestOutcomes(LDN_SLOT);
    expect(first.filter((o) => o.status === 'done')).toHaveLength(DEFAULT_MAX_PER_TICK);

    // Between the ticks: an unrelated setting.
    h.clock.set(plus(LDN_SLOT, 30 * SECOND));
    expect(await salesAdmin(`celebrations <#${WINS}|wins>`)).toContain(`Won deals will be celebrated in <#${WINS}>`);
    expect(await workspace()).toMatchObject({ celebrationsChannel: WINS, digestDefaultSince: since, updatedAt: plus(LDN_SLOT, 30 * SECOND) });

    const second = await digestOutcomes(plus(LDN_SLOT, MINUTE));
    expect(second.map((o) => o.status)).toEqual(Array(5).fill('done'));
    const sent = new Set([...first, ...second].map((o) => o.runKey));
    expect(sent).toEqual(new Set(people.map((id) => digestRunKey(TEAM, id, 'weekly', LDN_SLOT))));
    expect(await digestOutcomes(plus(LDN_SLOT, 2 * MINUTE))).toEqual([]);
  });

  it('a default digest waiting for its retry: celebrations changed, then the same default chosen again, and it still goes out', async () => {
    await knownInLondon(LDN);
    await salesAdmin('digests weekly');
    h.fake.failNext('conversations.open', { error: 'internal_error' });
    expect(await digestOutcomes(LDN_SLOT)).toMatchObject([{ status: 'retry', runKey: digestRunKey(TEAM, LDN, 'weekly', LDN_SLOT) }]);

    h.clock.set(plus(LDN_SLOT, 20 * SECOND));
    await salesAdmin(`celebrations <#${WINS}|wins>`);
    h.clock.set(plus(LDN_SLOT, 40 * SECOND));
    await salesAdmin('celebrations off');
    expect(await salesAdmin('digests weekly')).toContain('Everyone Sales Pulse knows now gets the weekly digest');
    expect((await workspace()).digestDefaultSince).toEqual(MONDAY);

    expect(await digestOutcomes(plus(LDN_SLOT, 2 * MINUTE))).toMatchObject([{ status: 'done', slotAt: LDN_SLOT }]);
    expect(digestsTo(LDN)).toHaveLength(1);
  });

  it('re-picking the same cadence on the Home tab while the digest waits for its retry: it still goes out, own choice or the default', async () => {
    // New York chose weekly themselves; London gets the workspace default and now picks weekly as their own.
    await command('/my-stats', 'subscribe weekly', NY);
    await knownInLondon(LDN);
    await salesAdmin('digests weekly');
    const nySince = (await subscription(NY))!.updatedAt;
    expect(nySince).toEqual(MONDAY);

    h.fake.failNext('conversations.open', { error: 'internal_error' });
    expect(await digestOutcomes(LDN_SLOT)).toMatchObject([{ status: 'retry', runKey: digestRunKey(TEAM, LDN, 'weekly', LDN_SLOT) }]);
    h.clock.set(plus(LDN_SLOT, 30 * SECOND));
    await pickOnHome(LDN, 'weekly');
    // Their own choice now, with the start of the default they already had: the waiting digest is still theirs.
    expect(await subscription(LDN)).toMatchObject({ cadence: 'weekly', createdAt: plus(LDN_SLOT, 30 * SECOND), updatedAt: MONDAY });
    expect(await digestOutcomes(plus(LDN_SLOT, 2 * MINUTE))).toMatchObject([{ status: 'done', slotAt: LDN_SLOT }]);

    // The admin's own default digest and New York's: New York re-picks weekly while theirs waits for its retry.
    h.fake.failNext('conversations.open', { error: 'internal_error', times: 2 });
    const atNy = await digestOutcomes(NY_SLOT);
    expect(atNy.map((o) => [o.runKey, o.status]).sort()).toEqual(
      [
        [digestRunKey(TEAM, ADMIN, 'weekly', NY_SLOT), 'retry'],
        [digestRunKey(TEAM, NY, 'weekly', NY_SLOT), 'retry'],
      ].sort(),
    );
    h.clock.set(plus(NY_SLOT, 30 * SECOND));
    await pickOnHome(NY, 'weekly');
    expect(await command('/my-stats', 'subscribe weekly', NY)).toContain("You're already subscribed to the weekly digest.");
    expect((await subscription(NY))!.updatedAt).toEqual(nySince);
    const retried = await digestOutcomes(plus(NY_SLOT, 2 * MINUTE));
    expect(retried.map((o) => [o.runKey, o.status]).sort()).toEqual(
      [
        [digestRunKey(TEAM, ADMIN, 'weekly', NY_SLOT), 'done'],
        [digestRunKey(TEAM, NY, 'weekly', NY_SLOT), 'done'],
      ].sort(),
    );
    expect([digestsTo(LDN).length, digestsTo(NY).length, digestsTo(ADMIN).length]).toEqual([1, 1, 1]);
  });

  it('a real change still starts anew: daily chosen on the Home tab moves the start, and the default turned off and on again moves its start', async () => {
    await command('/my-stats', 'subscribe weekly', NY);
    h.clock.set(plus(MONDAY, HOUR_MS));
    await pickOnHome(NY, 'daily');
    expect(await subscription(NY)).toMatchObject({ cadence: 'daily', updatedAt: plus(MONDAY, HOUR_MS) });

    await salesAdmin('digests weekly');
    h.clock.set(plus(MONDAY, 2 * HOUR_MS));
    await salesAdmin('digests off');
    expect((await workspace()).digestDefaultSince).toEqual(plus(MONDAY, 2 * HOUR_MS));
    h.clock.set(plus(MONDAY, 3 * HOUR_MS));
    await salesAdmin('digests weekly');
    expect((await workspace()).digestDefaultSince).toEqual(plus(MONDAY, 3 * HOUR_MS));
  });
});

const HOUR_MS = 60 * MINUTE;

/**
 * Background Home refreshes through the real app: a burst of changes for one person publishes their Home at most
 * twice, and more people waiting than the queue holds drops the excess (logged at debug) without an error; drain()
 * still waits for every refresh queued.
 */
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { createHomeRefresher, HOME_REFRESH_MAX_PENDING } from '../../src/features/summary/index.js';
import { describeEachDb } from '../helpers/db.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { DEFAULT_TEAM_ID, DEFAULT_USER_ID } from '../helpers/signed-request.js';

describeEachDb('Home refreshes', (getDb) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ db: getDb() });
  });
  afterEach(async () => {
    await h.stop();
  });

  const publishesTo = (userId: string) => h.fake.callsTo('views.publish').filter((c) => c.args.user_id === userId);
  const errorLogs = () => h.logs.filter((l) => typeof l.level === 'number' ? l.level >= 40 : ['warn', 'error', 'fatal'].includes(String(l.level)));

  it('a burst of changes for one person publishes their Home at most twice', async () => {
    for (let i = 0; i < 50; i++) h.bot.deps.afterChange(DEFAULT_TEAM_ID, DEFAULT_USER_ID);
    // settle() stops the app, which drains the queued refreshes.
    await h.settle();
    const publishes = publishesTo(DEFAULT_USER_ID);
    expect(publishes.length).toBeGreaterThanOrEqual(1);
    expect(publishes.length).toBeLessThanOrEqual(2);
    expect(publishes.every((c) => c.ok)).toBe(true);
    expect(errorLogs()).toEqual([]);
  });

  it('changes spread over running refreshes still coalesce: fewer publishes than changes', async () => {
    h.bot.deps.afterChange(DEFAULT_TEAM_ID, DEFAULT_USER_ID);
    for (let i = 0; i < 20; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      h.bot.deps.afterChange(DEFAULT_TEAM_ID, DEFAULT_USER_ID);
    }
    await h.settle();
    // Each refresh that ran absorbed every change made while it ran; 21 changes never mean 21 publishes.
    expect(publishesTo(DEFAULT_USER_ID).length).toBeLessThan(21);
    expect(errorLogs()).toEqual([]);
  });

  it('more people than the queue holds: the excess is dropped with a debug log, never an error; drain waits for the rest', async () => {
    expect(HOME_REFRESH_MAX_PENDING).toBeGreaterThan(0);
    const people = Array.from({ length: 10 }, (_, i) => `U0PERSON${String(i).padStart(2, '0')}`);
    for (const id of people) h.fake.addUser({ id, name: id.toLowerCase(), tz: 'America/New_York' });
    // The app's refresher, with a bound small enough to reach: 1 refresh running, 3 waiting.
    const refresher = createHomeRefresher(h.bot.deps, { maxPending: 3, concurrency: 1 });
    for (const id of people) expect(() => refresher.refresh(DEFAULT_TEAM_ID, id)).not.toThrow();
    await refresher.drain();
    const published = h.fake.callsTo('views.publish').map((c) => c.args.user_id);
    expect(published).toEqual(people.slice(0, 4));
    expect(h.fake.callsTo('views.publish').every((c) => c.ok)).toBe(true);
    const dropped = h.logs.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('Home refresh queue full'));
    expect(dropped.map((l) => l.userId)).toEqual(people.slice(4));
    expect(errorLogs()).toEqual([]);
    // Once drained there is room again.
    refresher.refresh(DEFAULT_TEAM_ID, people[9]!);
    await refresher.drain();
    expect(publishesTo(people[9]!)).toHaveLength(1);
  });

  it('a person\'s Home is published at most once per interval: changes within it are published once, when it ends', async () => {
    const refresher = createHomeRefresher(h.bot.deps, { minIntervalMs: 1_500 });
    refresher.refresh(DEFAULT_TEAM_ID, DEFAULT_USER_ID);
    await vi.waitFor(() => expect(publishesTo(DEFAULT_USER_ID)).toHaveLength(1), { timeout: 5_000, interval: 10 });
    const firstAt = publishesTo(DEFAULT_USER_ID)[0]!.at;
    for (let i = 0; i < 10; i++) refresher.refresh(DEFAULT_TEAM_ID, DEFAULT_USER_ID);
    await vi.waitFor(() => expect(publishesTo(DEFAULT_USER_ID)).toHaveLength(2), { timeout: 10_000, interval: 20 });
    // One trailing publish for the ten changes, not before the interval was over.
    expect(publishesTo(DEFAULT_USER_ID)[1]!.at - firstAt).toBeGreaterThanOrEqual(1_400);
    await refresher.drain();
    expect(publishesTo(DEFAULT_USER_ID)).toHaveLength(2);

    // drain() (shutdown) publishes what waits for its interval at once, rather than dropping or waiting for it.
    refresher.refresh(DEFAULT_TEAM_ID, DEFAULT_USER_ID);
    await refresher.drain();
    expect(publishesTo(DEFAULT_USER_ID)).toHaveLength(3);
  });
});

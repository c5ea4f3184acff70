/**
 * The users.info lookups end to end, through the real app: a person Slack cannot tell us about (user_not_found)
 * or a lookup that failed is remembered for a short time, per workspace and user, so a burst of commands from them
 * makes one users.info call; concurrent lookups of one person share one call; once the miss expires Slack is asked again.
 */
import { and, eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { users } from '../../src/db/schema/index.js';
import { USER_LOOKUP_FAILURE_TTL_MS, USER_NOT_FOUND_TTL_MS } from '../../src/slack/user-directory.js';
import { describeEachDb } from '../helpers/db.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { DEFAULT_TEAM_ID, DEFAULT_USER_ID } from '../helpers/signed-request.js';

const UNKNOWN = 'U0UNKNOWN1';

describeEachDb('users.info lookups', (getDb) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ db: getDb() });
  });
  afterEach(async () => {
    await h.stop();
  });

  const lookups = (userId: string) => h.fake.callsTo('users.info').filter((c) => c.args.user === userId);

  /** Send `count` /my-stats from `userId` (`concurrently` or one after another) and wait until each was answered. */
  async function myStats(userId: string, count: number, { concurrently = false } = {}) {
    const send = async () => {
      const res = await h.slack.command({ command: '/my-stats', userId });
      expect(res.status).toBe(200);
      // Answered in the ack: "sent to your DMs", or the numbers when the DM failed.
      expect((res.json() as { text?: string } | null)?.text, 'answered in the ack').toBeTruthy();
    };
    if (concurrently) await Promise.all(Array.from({ length: count }, send));
    else for (let i = 0; i < count; i++) await send();
  }

  it('ten commands from an unknown user make one users.info call; after the miss expires Slack is asked again', async () => {
    await myStats(UNKNOWN, 5, { concurrently: true });
    await myStats(UNKNOWN, 5);
    expect(lookups(UNKNOWN)).toHaveLength(1);
    expect(lookups(UNKNOWN)[0]!.ok).toBe(false);

    h.clock.advance(USER_NOT_FOUND_TTL_MS - 1_000);
    await myStats(UNKNOWN, 1);
    expect(lookups(UNKNOWN)).toHaveLength(1);

    h.clock.advance(2_000);
    await myStats(UNKNOWN, 3);
    expect(lookups(UNKNOWN)).toHaveLength(2);
    // The miss is per user: someone else in the workspace is still looked up.
    await myStats(DEFAULT_USER_ID, 1);
    expect(lookups(DEFAULT_USER_ID)).toHaveLength(1);
  });

  it('a failed lookup is remembered for a short time, then retried, and the answer is stored', async () => {
    h.fake.failNext('users.info', { error: 'fatal_error' });
    await myStats(DEFAULT_USER_ID, 10, { concurrently: true });
    expect(lookups(DEFAULT_USER_ID)).toHaveLength(1);
    const db = getDb().database.db;
    const stored = () => db.select().from(users).where(and(eq(users.teamId, DEFAULT_TEAM_ID), eq(users.userId, DEFAULT_USER_ID)));
    expect(await stored()).toHaveLength(0);

    h.clock.advance(USER_LOOKUP_FAILURE_TTL_MS + 1_000);
    await myStats(DEFAULT_USER_ID, 2);
    expect(lookups(DEFAULT_USER_ID)).toHaveLength(2);
    expect(lookups(DEFAULT_USER_ID)[1]!.ok).toBe(true);
    expect((await stored())[0]?.timeZone).toBe('America/New_York');
    // Now cached in the table: no more calls.
    await myStats(DEFAULT_USER_ID, 3);
    expect(lookups(DEFAULT_USER_ID)).toHaveLength(2);
  });

  it('concurrent commands from a person not yet cached share one users.info call', async () => {
    await myStats(DEFAULT_USER_ID, 10, { concurrently: true });
    expect(lookups(DEFAULT_USER_ID)).toHaveLength(1);
    expect(lookups(DEFAULT_USER_ID)[0]!.ok).toBe(true);
  });
});

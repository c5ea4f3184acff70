/**
 * The scheduled leaderboards of two workspaces, posted by the real job through real Web API clients (one token per
 * workspace) to the fake Slack: Slack's rate limits are per workspace, so a 429 with Retry-After in one workspace
 * pauses that workspace's posts and nothing else (src/scheduler/workspace-gates.ts), and the boards go out
 * interleaved across workspaces, a bounded number at once (src/scheduler/fan-out.ts). Each board exactly once.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { asc } from 'drizzle-orm';
import { activities, leaderboardSchedules, scheduledRuns, users, workspaces } from '../../src/db/schema/index.js';
import { configSchema } from '../../src/config.js';
import { ignoreChanges, type Deps } from '../../src/deps.js';
import { createLeaderboardJob } from '../../src/features/leaderboard/job.js';
import { fixedClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { createSlackClients, noSlack } from '../../src/slack/clients.js';
import { UserDirectory } from '../../src/slack/user-lookups.js';
import { describeEachDb } from '../helpers/db.js';
import { manifestBotScopes, startFakeSlack, type FakeSlack, type RecordedCall } from '../helpers/fake-slack.js';

const SLOT = new Date('2026-11-30T09:00:00Z');
const TEAMS = ['T0ALPHA', 'T0BRAVO'] as const;
const BOARDS_PER_TEAM = 4;
const tokenOf = (teamId: string) => `xoxb-${teamId.toLowerCase()}`;
const channelOf = (teamId: string, i: number) => `C${teamId.slice(2)}${i}`;
/** How late the fake answers each chat.postMessage, so posts of different runs overlap there. */
const ANSWER_MS = 150;
const CONCURRENCY = 3;
/** Slack's Retry-After on the refused post: long enough for the other workspace's boards, charts included, on a busy machine. */
const RETRY_AFTER_S = 5;

describeEachDb('scheduled boards of two workspaces, one of them rate-limited', (getDb) => {
  let fake: FakeSlack;

  beforeEach(async () => {
    fake = await startFakeSlack({ scopes: manifestBotScopes() });
    for (const teamId of TEAMS) fake.addTeam({ teamId, botToken: tokenOf(teamId) });
    const { db } = getDb().database;
    await db.insert(workspaces).values(TEAMS.map((teamId) => ({ teamId, name: teamId })));
    // The same user and channel ids would do too; distinct ones make the assertions readable.
    await db.insert(users).values(TEAMS.flatMap((teamId) => [1, 2, 3].map((r) => ({ teamId, userId: `U0REP${r}`, displayName: `Rep ${r} of ${teamId}` }))));
    await db.insert(activities).values(
      TEAMS.flatMap((teamId) =>
        [1, 2, 3].map((r) => ({ teamId, userId: `U0REP${r}`, typeKey: 'call', quantity: r, occurredAt: new Date('2026-11-25T10:00:00Z'), source: 'slash_command' as const })),
      ),
    );
    const set = new Date('2026-11-01T00:00:00Z');
    await db.insert(leaderboardSchedules).values(
      TEAMS.flatMap((teamId) =>
        Array.from({ length: BOARDS_PER_TEAM }, (_, i) => ({
          teamId,
          channelId: channelOf(teamId, i),
          cadence: 'weekly' as const,
          weekday: 1,
          timeOfDay: '09:00',
          timeZone: 'UTC',
          createdBy: 'U0ADMIN',
          createdAt: set,
          updatedAt: set,
        })),
      ),
    );
  });

  afterEach(async () => {
    await fake.close();
  });

  function scheduler() {
    const config = configSchema.parse({ SLACK_BOT_TOKEN: 'xoxb-unused', SLACK_SIGNING_SECRET: 'test' });
    // The clock starts at the tick and runs on in real time: Retry-After waits are real.
    const offset = SLOT.getTime() + 5_000 - Date.now();
    const clock = { now: () => new Date(Date.now() + offset) };
    const deps: Deps = { config, db: getDb().database.db, clock, logger: createLogger('silent'), afterChange: ignoreChanges, users: new UserDirectory(), slack: noSlack };
    const slack = createSlackClients({ botToken: async (teamId) => tokenOf(teamId) }, { slackApiUrl: fake.apiUrl });
    const job = createLeaderboardJob({
      clientFor: (teamId) => slack.reading(teamId),
      postingClientFor: (teamId) => slack.posting(teamId),
      claimedBy: 'test:fanout',
      concurrency: CONCURRENCY,
      perWorkspace: 2,
    });
    return { tick: () => new Scheduler(deps, [job]).tick(clock.now()) };
  }

  /** The most chat.postMessage calls the fake was answering at once (each answered ANSWER_MS after it arrived). */
  function peakInFlight(calls: RecordedCall[]): number {
    const edges = calls.flatMap((c) => [
      [c.at, 1],
      [c.at + ANSWER_MS, -1],
    ]);
    edges.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
    let now = 0;
    let peak = 0;
    for (const [, d] of edges) peak = Math.max(peak, (now += d!));
    return peak;
  }

  it("a 429 (Retry-After 5 s) in one workspace: the other's boards are all posted meanwhile, the first's after the wait, each exactly once, a bounded number at once", async () => {
    fake.delayNext('chat.postMessage', { ms: ANSWER_MS, times: 100 });
    // The first post to arrive, whichever workspace it is for, is refused.
    fake.failNext('chat.postMessage', { status: 429, retryAfter: RETRY_AFTER_S });
    const outcomes = await scheduler().tick();
    expect(outcomes.map((o) => o.status)).toEqual(Array(TEAMS.length * BOARDS_PER_TEAM).fill('done'));

    const posts = fake.callsTo('chat.postMessage');
    const refused = posts.filter((c) => !c.ok);
    expect(refused).toHaveLength(1);
    const paused = refused[0]!.teamId!;
    const other = TEAMS.find((t) => t !== paused)!;
    const ok = posts.filter((c) => c.ok);
    // Each board once, in its own channel.
    for (const teamId of TEAMS) {
      const channels = ok.filter((c) => c.teamId === teamId).map((c) => c.args.channel as string);
      expect(channels.sort()).toEqual(Array.from({ length: BOARDS_PER_TEAM }, (_, i) => channelOf(teamId, i)).sort());
    }
    // The other workspace went on: all its boards within the pause.
    for (const c of ok.filter((p) => p.teamId === other)) expect(c.at - refused[0]!.at).toBeLessThan(RETRY_AFTER_S * 1000);
    // Nothing more of the paused workspace until its Retry-After had passed, but for a post already on its way when
    // the 429 was answered (ANSWER_MS after it arrived): at most one, its other run's.
    const pausedOk = ok.filter((p) => p.teamId === paused);
    const inFlight = pausedOk.filter((c) => c.at < refused[0]!.at + ANSWER_MS);
    expect(inFlight.length).toBeLessThanOrEqual(1);
    for (const c of pausedOk.filter((p) => !inFlight.includes(p))) expect(c.at - refused[0]!.at).toBeGreaterThanOrEqual(ANSWER_MS + RETRY_AFTER_S * 1000 - 50);
    expect(peakInFlight(posts)).toBeLessThanOrEqual(CONCURRENCY);

    const rows = await getDb().database.db.select().from(scheduledRuns).orderBy(asc(scheduledRuns.teamId));
    expect(rows.map((r) => [r.teamId, r.status, r.attempts])).toEqual(TEAMS.flatMap((t) => Array.from({ length: BOARDS_PER_TEAM }, () => [t, 'done', 1])));
  }, 30_000);

  it('a workspace whose token is gone (uninstalled): its boards fail for good at once, not retried; the other workspace is posted', async () => {
    const config = configSchema.parse({ SLACK_BOT_TOKEN: 'xoxb-unused', SLACK_SIGNING_SECRET: 'test' });
    const clock = fixedClock(new Date(SLOT.getTime() + 5_000));
    const deps: Deps = { config, db: getDb().database.db, clock, logger: createLogger('silent'), afterChange: ignoreChanges, users: new UserDirectory(), slack: noSlack };
    // The token source knows only the second workspace now.
    const slack = createSlackClients({ botToken: async (teamId) => (teamId === TEAMS[1] ? tokenOf(teamId) : undefined) }, { slackApiUrl: fake.apiUrl });
    const job = createLeaderboardJob({ clientFor: (t) => slack.reading(t), postingClientFor: (t) => slack.posting(t), claimedBy: 'test:fanout', concurrency: CONCURRENCY });
    const outcomes = await new Scheduler(deps, [job]).tick(clock.now());
    const byTeam = (teamId: string) => outcomes.filter((o) => o.teamId === teamId).map((o) => [o.status, o.error]);
    expect(byTeam(TEAMS[0])).toEqual(Array(BOARDS_PER_TEAM).fill(['failed', `Sales Pulse is not installed in workspace ${TEAMS[0]} (or was uninstalled): nothing can be sent there`]));
    expect(byTeam(TEAMS[1]).map(([s]) => s)).toEqual(Array(BOARDS_PER_TEAM).fill('done'));
    const rows = await getDb().database.db.select().from(scheduledRuns);
    expect(rows.filter((r) => r.teamId === TEAMS[0]).map((r) => [r.status, r.attempts])).toEqual(Array(BOARDS_PER_TEAM).fill(['failed', 1]));
    // Not retried by a later tick.
    clock.set(new Date(SLOT.getTime() + 60 * 60_000));
    expect(await new Scheduler(deps, [job]).tick(clock.now())).toEqual([]);
  }, 30_000);
});

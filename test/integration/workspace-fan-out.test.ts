/**
 * The delivery protocol across workspaces (src/scheduler/deliveries.ts with fan-out.ts and workspace-gates.ts),
 * through a toy job as in delivery-protocol.test.ts: Slack's rate limits are per workspace, so a 429 in one
 * workspace pauses that workspace's sends until its Retry-After has passed and nothing else; the runs waiting for
 * it hold no overall slot; every delivery is still posted exactly once. A workspace without an installation
 * fails for good. The real leaderboard job against the fake Slack's rate limits: test/e2e/fan-out-rate-limits.test.ts.
 */
import { asc } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { scheduledRuns } from '../../src/db/schema/index.js';
import { systemClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { defineDeliveryJob, type DeliveryDeps, type DeliveryJob, type DueRun, type PermanentFailure } from '../../src/scheduler/deliveries.js';
import { NotInstalledError } from '../../src/slack/clients.js';
import { describeEachDb } from '../helpers/db.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A 429 as a posting client (rejectRateLimitedCalls) rejects with it: a WebAPIRateLimitedError. */
const rateLimited = (retryAfter: number) =>
  Object.assign(new Error(`A rate limit was exceeded (url: chat.postMessage, retry-after: ${retryAfter})`), { code: 'slack_webapi_rate_limited_error', retryAfter });

interface Board {
  teamId: string;
  channel: string;
}
interface DueBoard extends DueRun {
  board: Board;
}

interface Attempt {
  teamId: string;
  channel: string;
  at: number;
  ok: boolean;
}

/** A Slack that takes `ms` per post, counts posts in flight (overall and per team), and refuses as scripted. */
function toySlack(ms: number) {
  const attempts: Attempt[] = [];
  let inFlight = 0;
  let peak = 0;
  const perTeam = new Map<string, number>();
  const peakPerTeam = new Map<string, number>();
  /** Per team: errors for its next posts. */
  const refuse = new Map<string, unknown[]>();
  return {
    attempts,
    get peak() {
      return peak;
    },
    peakOf: (team: string) => peakPerTeam.get(team) ?? 0,
    refuseNext(teamId: string, error: unknown) {
      refuse.set(teamId, [...(refuse.get(teamId) ?? []), error]);
    },
    async post(teamId: string, channel: string): Promise<string> {
      inFlight++;
      peak = Math.max(peak, inFlight);
      perTeam.set(teamId, (perTeam.get(teamId) ?? 0) + 1);
      peakPerTeam.set(teamId, Math.max(peakPerTeam.get(teamId) ?? 0, perTeam.get(teamId)!));
      try {
        const error = refuse.get(teamId)?.shift();
        if (error) {
          attempts.push({ teamId, channel, at: Date.now(), ok: false });
          throw error;
        }
        await sleep(ms);
        attempts.push({ teamId, channel, at: Date.now(), ok: true });
        return `${Date.now()}.${String(attempts.length).padStart(6, '0')}`;
      } finally {
        inFlight--;
        perTeam.set(teamId, perTeam.get(teamId)! - 1);
      }
    },
  };
}
type ToySlack = ReturnType<typeof toySlack>;

function boardJob(boards: Board[], slotAt: Date, slack: ToySlack, over: Partial<DeliveryJob<DueBoard, string>> = {}) {
  return defineDeliveryJob<DueBoard, string, DeliveryDeps>({
    name: 'toyboard',
    noun: 'board',
    verb: 'posted',
    claimedBy: 'test:1',
    listDue: async () => boards.map((board) => ({ runKey: `toyboard:${board.teamId}:${board.channel}:${slotAt.toISOString()}`, teamId: board.teamId, slotAt, board })),
    describe: ({ board }) => `<#${board.channel}> (${board.teamId})`,
    build: async ({ board }) => `board for ${board.channel}`,
    send: async ({ board }) => ({ messageTs: await slack.post(board.teamId, board.channel) }),
    ...over,
  });
}

const boardsOf = (teamId: string, n: number): Board[] => Array.from({ length: n }, (_, i) => ({ teamId, channel: `C${teamId}${i}` }));

describeEachDb('the delivery protocol across workspaces', (getDb) => {
  const deps = (): DeliveryDeps => ({ db: getDb().database.db, clock: systemClock, logger: createLogger('silent') });
  const runs = () => getDb().database.db.select().from(scheduledRuns).orderBy(asc(scheduledRuns.runKey));

  it("a 429 (Retry-After 2 s) in workspace A pauses A's posts only: B's are all posted meanwhile, A's after the wait, each once, two at a time in all", async () => {
    const slack = toySlack(40);
    const boards = [...boardsOf('TA', 5), ...boardsOf('TB', 6)];
    // Two overall slots, two per workspace: A's runs waiting out the pause must leave both to B, or B would stall.
    const job = boardJob(boards, new Date(Date.now() - 60_000), slack, { concurrency: 2, perWorkspace: 2 });
    slack.refuseNext('TA', rateLimited(2));

    const outcomes = await job.runDue(deps(), new Date());
    expect(outcomes.map((o) => o.status)).toEqual(Array(11).fill('done'));
    const refused = slack.attempts.filter((a) => !a.ok);
    expect(refused).toMatchObject([{ teamId: 'TA' }]);
    const pausedAt = refused[0]!.at;
    const posted = slack.attempts.filter((a) => a.ok);
    // Each board once.
    expect(posted.map((a) => a.channel).sort()).toEqual(boards.map((b) => b.channel).sort());
    // B went on while A was paused: all of B's were posted well inside A's 2 seconds.
    for (const a of posted.filter((p) => p.teamId === 'TB')) expect(a.at - pausedAt).toBeLessThan(1500);
    // Nothing of A's went out before its Retry-After had passed.
    for (const a of posted.filter((p) => p.teamId === 'TA')) expect(a.at - pausedAt).toBeGreaterThanOrEqual(1950);
    expect(slack.peak).toBeLessThanOrEqual(2);
    expect(slack.peakOf('TB')).toBe(2);
    expect((await runs()).map((r) => [r.status, r.attempts])).toEqual(Array(11).fill(['done', 1]));
    // And never again.
    expect(await job.runDue(deps(), new Date())).toEqual([]);
    expect(slack.attempts.filter((a) => a.ok)).toHaveLength(11);
  });

  it('one workspace with many boards does not starve the others: every workspace gets its first board in the first round', async () => {
    const slack = toySlack(20);
    const boards = [...boardsOf('TBIG', 12), ...boardsOf('T1', 1), ...boardsOf('T2', 1), ...boardsOf('T3', 1)];
    // The order runs start in (ready is the first thing a started run does).
    const started: string[] = [];
    const job = boardJob(boards, new Date(Date.now() - 60_000), slack, {
      concurrency: 3,
      perWorkspace: 2,
      ready: async ({ teamId }) => {
        started.push(teamId!);
        return 'go';
      },
    });
    await job.runDue(deps(), new Date());
    expect(slack.attempts.filter((a) => a.ok)).toHaveLength(15);
    // TBIG's slots are no older, so its boards take turns with the others' instead of going first.
    expect(started.slice(0, 4).sort()).toEqual(['T1', 'T2', 'T3', 'TBIG']);
    expect(slack.peakOf('TBIG')).toBeLessThanOrEqual(2);
  });

  it("a pause longer than is waited out in process: A's runs are given back until its Retry-After, B's are posted", async () => {
    const slack = toySlack(10);
    const boards = [...boardsOf('TA', 3), ...boardsOf('TB', 2)];
    const job = boardJob(boards, new Date(Date.now() - 60_000), slack, { concurrency: 4, perWorkspace: 1 });
    slack.refuseNext('TA', rateLimited(120));
    const before = Date.now();
    const outcomes = await job.runDue(deps(), new Date());
    expect(Date.now() - before).toBeLessThan(5_000);
    const byTeam = (team: string) => outcomes.filter((o) => o.teamId === team).map((o) => [o.status, o.error]);
    expect(byTeam('TB')).toEqual([
      ['done', undefined],
      ['done', undefined],
    ]);
    // The refused one, and the two that saw the workspace paused before sending: nothing of A's was sent.
    expect(byTeam('TA')).toEqual(Array(3).fill(['retry', 'ratelimited']));
    expect(slack.attempts.filter((a) => a.teamId === 'TA').map((a) => a.ok)).toEqual([false]);
    const rows = (await runs()).filter((r) => r.teamId === 'TA');
    for (const r of rows) {
      expect(r).toMatchObject({ status: 'running', claimedBy: null, error: 'ratelimited' });
      expect(r.leaseUntil!.getTime() - before).toBeGreaterThanOrEqual(118_000);
    }
  });

  it('a workspace without an installation (uninstalled, tokens revoked): failed for good at once, nobody told through Slack, never retried', async () => {
    const slack = toySlack(5);
    const told: PermanentFailure[] = [];
    const boards = [...boardsOf('TGONE', 2), ...boardsOf('TB', 1)];
    const job = boardJob(boards, new Date(Date.now() - 60_000), slack, {
      concurrency: 2,
      build: async ({ board }) => {
        if (board.teamId === 'TGONE') throw new NotInstalledError('TGONE');
        return 'board';
      },
      onPermanentFailure: async (_due, failure) => void told.push(failure),
    });
    const outcomes = await job.runDue(deps(), new Date());
    expect(outcomes.map((o) => [o.teamId, o.status]).sort()).toEqual([
      ['TB', 'done'],
      ['TGONE', 'failed'],
      ['TGONE', 'failed'],
    ]);
    const gone = (await runs()).filter((r) => r.teamId === 'TGONE');
    expect(gone.map((r) => [r.status, r.attempts])).toEqual([
      ['failed', 1],
      ['failed', 1],
    ]);
    expect(gone[0]!.error).toMatch(/not installed in workspace TGONE/);
    expect(told).toEqual([]);
    expect(await job.runDue(deps(), new Date(Date.now() + 10 * 60_000))).toEqual([]);
    expect(slack.attempts.map((a) => a.teamId)).toEqual(['TB']);
  });
});

import { describe, expect, it } from 'vitest';
import { activities, deals, workspaces } from '../../src/db/schema/index.js';
import { compareReps, computeBoard } from '../../src/features/leaderboard/compute.js';
import type { Board, BoardPeriod } from '../../src/features/leaderboard/types.js';
import { BUILT_IN_ACTIVITY_TYPES } from '../../src/entries/activity-types.js';
import { describeEachDb } from '../helpers/db.js';

const TEAM = 'T0BOARD';
const OTHER = 'T0OTHER';
const TYPES = BUILT_IN_ACTIVITY_TYPES;

/** Monday to Monday, UTC: [Nov 16, Nov 23) and the week before. */
const PERIOD: BoardPeriod = {
  current: { start: new Date('2026-11-16T00:00:00Z'), end: new Date('2026-11-23T00:00:00Z'), label: 'This week' },
  previous: { start: new Date('2026-11-09T00:00:00Z'), end: new Date('2026-11-16T00:00:00Z'), label: 'Last week' },
  timeZone: 'UTC',
};
const at = (iso: string) => new Date(iso);

describe('compareReps', () => {
  it('orders by headline revenue, then activities, then name', () => {
    const r = (userId: string, name: string, rev: bigint, acts: number) => ({ userId, name, headlineRevenueMinor: rev, activities: acts });
    const list = [r('U1', 'Zed', 10n, 1), r('U2', 'Amy', 10n, 1), r('U3', 'Bo', 10n, 5), r('U4', 'Cy', 11n, 0)];
    expect(list.sort(compareReps).map((x) => x.name)).toEqual(['Cy', 'Bo', 'Amy', 'Zed']);
  });
});

describeEachDb('computeBoard', (getDb) => {
  const db = () => getDb().database.db;

  async function setup(): Promise<void> {
    await db().insert(workspaces).values([
      { teamId: TEAM, currency: 'USD' },
      { teamId: OTHER, currency: 'USD' },
    ]);
  }

  async function act(userId: string, typeKey: string, occurredAt: Date, o: { quantity?: number; deletedAt?: Date; teamId?: string } = {}) {
    await db()
      .insert(activities)
      .values({ teamId: o.teamId ?? TEAM, userId, typeKey, quantity: o.quantity ?? 1, occurredAt, source: 'slash_command', deletedAt: o.deletedAt ?? null });
  }

  async function deal(
    userId: string,
    status: 'won' | 'lost',
    amount: [bigint, string] | null,
    closedAt: Date,
    o: { deletedAt?: Date; teamId?: string } = {},
  ) {
    await db()
      .insert(deals)
      .values({
        teamId: o.teamId ?? TEAM,
        userId,
        status,
        amountMinor: amount?.[0] ?? null,
        currency: amount?.[1] ?? null,
        closedAt,
        source: 'slack',
        deletedAt: o.deletedAt ?? null,
      });
  }

  const NAMES = new Map([
    ['U_A', 'Alice'],
    ['U_B', 'Bob'],
    ['U_C', 'Carol'],
  ]);

  async function board(o: { currency?: string; names?: Map<string, string>; seen?: string[][] } = {}): Promise<Board> {
    return computeBoard(db(), {
      teamId: TEAM,
      period: PERIOD,
      currency: o.currency ?? 'USD',
      types: TYPES,
      names: async (ids) => {
        o.seen?.push(ids);
        return o.names ?? NAMES;
      },
    });
  }

  /**
   * Current week: Alice (activities and deals, in USD and EUR), Bob (activities only), Carol (deals only), Dave (a
   * lost deal only, no name in the cache). Erin only has rows at the period's end (excluded) and in the previous
   * week; Frank only deleted rows. The other workspace has big numbers for the same user ids.
   */
  async function seedMain(): Promise<void> {
    await setup();
    // Alice: call x12 (one row), email x3 at exactly the period start, a deleted meeting x5.
    await act('U_A', 'call', at('2026-11-17T10:00:00Z'), { quantity: 12 });
    await act('U_A', 'email', PERIOD.current.start, { quantity: 3 });
    await act('U_A', 'meeting', at('2026-11-18T10:00:00Z'), { quantity: 5, deletedAt: at('2026-11-18T11:00:00Z') });
    await deal('U_A', 'won', [10n, 'USD'], at('2026-11-19T09:00:00Z')); // $0.10
    await deal('U_A', 'won', [20n, 'USD'], at('2026-11-19T09:30:00Z')); // $0.20
    await deal('U_A', 'won', [900_000n, 'EUR'], at('2026-11-20T09:00:00Z')); // €9,000.00
    await deal('U_A', 'lost', [500_000n, 'USD'], at('2026-11-21T09:00:00Z'));
    await deal('U_A', 'won', [1_000_000n, 'USD'], at('2026-11-21T10:00:00Z'), { deletedAt: at('2026-11-21T11:00:00Z') });
    // Alice, previous week: call x2, $50.00 won; one activity a moment before the previous week (not counted).
    await act('U_A', 'call', at('2026-11-10T10:00:00Z'), { quantity: 2 });
    await deal('U_A', 'won', [5_000n, 'USD'], at('2026-11-11T10:00:00Z'));
    await act('U_A', 'call', at('2026-11-08T23:59:59.999Z'), { quantity: 100 });
    // Bob: four single calls and a demo, no deals; the last call a microsecond-ish before the end.
    for (const day of ['16', '17', '18']) await act('U_B', 'call', at(`2026-11-${day}T15:00:00Z`));
    await act('U_B', 'call', at('2026-11-22T23:59:59.999Z'));
    await act('U_B', 'demo', at('2026-11-19T15:00:00Z'));
    // Carol: one won deal of $12,500.00.
    await deal('U_C', 'won', [1_250_000n, 'USD'], at('2026-11-20T12:00:00Z'));
    // Dave: a lost deal without an amount.
    await deal('U_D', 'lost', null, at('2026-11-22T12:00:00Z'));
    // Erin: rows at exactly the current end (excluded), previous-week rows (one at exactly the previous start).
    await act('U_E', 'call', PERIOD.current.end, { quantity: 4 });
    await deal('U_E', 'won', [777n, 'USD'], PERIOD.current.end);
    await act('U_E', 'email', at('2026-11-12T10:00:00Z'), { quantity: 7 });
    await deal('U_E', 'won', [100n, 'USD'], PERIOD.previous.start);
    // Frank: only deleted rows.
    await act('U_F', 'call', at('2026-11-17T10:00:00Z'), { deletedAt: at('2026-11-17T10:05:00Z') });
    await deal('U_F', 'won', [42n, 'USD'], at('2026-11-17T10:00:00Z'), { deletedAt: at('2026-11-17T10:05:00Z') });
    // Another workspace, same user ids, same week.
    await act('U_A', 'call', at('2026-11-17T10:00:00Z'), { quantity: 1000, teamId: OTHER });
    await act('U_Z', 'call', at('2026-11-17T10:00:00Z'), { quantity: 1, teamId: OTHER });
    await deal('U_A', 'won', [99_999_999n, 'USD'], at('2026-11-17T10:00:00Z'), { teamId: OTHER });
    await deal('U_C', 'lost', null, at('2026-11-17T10:00:00Z'), { teamId: OTHER });
  }

  it('computes team totals: quantities summed, currencies kept apart, exact money, deleted and out-of-range rows skipped', async () => {
    await seedMain();
    const b = await board();
    expect(b.teamId).toBe(TEAM);
    expect(b.currency).toBe('USD');
    expect(b.period).toBe(PERIOD);
    expect(b.types).toBe(TYPES);
    expect(b.team).toEqual({
      activities: 20,
      activitiesByType: { call: 16, email: 3, meeting: 0, demo: 1, proposal: 0 },
      won: 4,
      lost: 2,
      revenue: [
        { currency: 'USD', minor: 1_250_030n },
        { currency: 'EUR', minor: 900_000n },
      ],
      headlineRevenueMinor: 1_250_030n,
      headlineWon: 3,
      revenuePerActivityMinor: 62_502n, // 1,250,030 / 20 = 62,501.5, rounded half-up
      winRate: 4 / 6,
      averageDealMinor: 416_677n, // 1,250,030 / 3 = 416,676.67, rounded half-up
    });
  });

  it('lists every rep active in the period with their numbers, sorted by revenue then activities', async () => {
    await seedMain();
    const seen: string[][] = [];
    const b = await board({ seen });
    expect(seen).toEqual([['U_A', 'U_B', 'U_C', 'U_D']]);
    expect(b.reps.map((r) => [r.userId, r.name])).toEqual([
      ['U_C', 'Carol'],
      ['U_A', 'Alice'],
      ['U_B', 'Bob'],
      ['U_D', 'U_D'], // no name known: the id
    ]);
    const [carol, alice, bob, dave] = b.reps;
    expect(alice).toEqual({
      userId: 'U_A',
      name: 'Alice',
      activities: 15,
      activitiesByType: { call: 12, email: 3, meeting: 0, demo: 0, proposal: 0 },
      won: 3,
      lost: 1,
      revenue: [
        { currency: 'USD', minor: 30n }, // 0.10 + 0.20, exactly
        { currency: 'EUR', minor: 900_000n },
      ],
      headlineRevenueMinor: 30n,
      headlineWon: 2,
      revenuePerActivityMinor: 2n,
      winRate: 0.75,
      averageDealMinor: 15n,
      revenueRank: 2,
      activityRank: 1,
      previous: { activities: 2, headlineRevenueMinor: 5_000n },
      // Deals without a kind are new business: the kind's counts are the rep's.
      dealMix: expect.objectContaining({ byKind: expect.objectContaining({ new: expect.objectContaining({ won: 3, lost: 1, headlineRevenueMinor: 30n }) }) }),
    });
    // Activities only.
    expect(bob).toMatchObject({
      activities: 5,
      activitiesByType: { call: 4, email: 0, meeting: 0, demo: 1, proposal: 0 },
      won: 0,
      lost: 0,
      revenue: [],
      headlineRevenueMinor: 0n,
      headlineWon: 0,
      revenuePerActivityMinor: 0n,
      winRate: null,
      averageDealMinor: null,
      revenueRank: 3,
      activityRank: 2,
      previous: { activities: 0, headlineRevenueMinor: 0n },
    });
    // Deals only.
    expect(carol).toMatchObject({
      activities: 0,
      won: 1,
      lost: 0,
      revenue: [{ currency: 'USD', minor: 1_250_000n }],
      headlineRevenueMinor: 1_250_000n,
      headlineWon: 1,
      revenuePerActivityMinor: null,
      winRate: 1,
      averageDealMinor: 1_250_000n,
      revenueRank: 1,
      activityRank: 3,
    });
    // Lost only: ties with Bob at $0 and with Carol at 0 activities.
    expect(dave).toMatchObject({
      activities: 0,
      won: 0,
      lost: 1,
      revenue: [],
      headlineRevenueMinor: 0n,
      revenuePerActivityMinor: null,
      winRate: 0,
      averageDealMinor: null,
      revenueRank: 3,
      activityRank: 3,
    });
    // 4 reps: activities [15, 5, 0, 0] -> (0 + 5) / 2; revenue [1,250,000, 30, 0, 0] -> (0 + 30) / 2.
    expect(b.medians).toEqual({ activities: 2.5, headlineRevenueMinor: 15n });
  });

  it('computes the previous period for the team, including people not active now, from [start, end)', async () => {
    await seedMain();
    const b = await board();
    expect(b.previousTeam).toEqual({
      activities: 9, // Alice 2 + Erin 7; Alice's x100 a millisecond before the previous start is out
      activitiesByType: { call: 2, email: 7, meeting: 0, demo: 0, proposal: 0 },
      won: 2,
      lost: 0,
      revenue: [{ currency: 'USD', minor: 5_100n }], // Erin's $1.00 at exactly the previous start is in
      headlineRevenueMinor: 5_100n,
      headlineWon: 2,
      revenuePerActivityMinor: 567n, // 5,100 / 9 = 566.67, rounded half-up
      winRate: 1,
      averageDealMinor: 2_550n,
    });
    expect(b.reps.some((r) => r.userId === 'U_E')).toBe(false);
  });

  it('headlines the workspace currency first and never adds across currencies', async () => {
    await seedMain();
    const b = await board({ currency: 'EUR' });
    expect(b.team.revenue).toEqual([
      { currency: 'EUR', minor: 900_000n },
      { currency: 'USD', minor: 1_250_030n },
    ]);
    expect(b.team).toMatchObject({ headlineRevenueMinor: 900_000n, headlineWon: 1, won: 4, averageDealMinor: 900_000n, revenuePerActivityMinor: 45_000n });
    expect(b.reps.map((r) => r.userId)).toEqual(['U_A', 'U_B', 'U_C', 'U_D']);
    expect(b.reps.map((r) => r.revenueRank)).toEqual([1, 2, 2, 2]);
    expect(b.previousTeam.headlineRevenueMinor).toBe(0n);
  });

  it('never counts another workspace', async () => {
    await seedMain();
    const other = await computeBoard(db(), { teamId: OTHER, period: PERIOD, currency: 'USD', types: TYPES, names: async () => new Map() });
    expect(other.reps.map((r) => [r.userId, r.activities, r.headlineRevenueMinor, r.lost])).toEqual([
      ['U_A', 1000, 99_999_999n, 0],
      ['U_Z', 1, 0n, 0],
      ['U_C', 0, 0n, 1],
    ]);
    expect(other.previousTeam.activities).toBe(0);
  });

  it('shares ranks on ties (1, 2, 2, 4) and breaks sort ties by name', async () => {
    await setup();
    const when = at('2026-11-18T12:00:00Z');
    // Revenue 10, 8, 8, 3 (USD cents); activities 1, 3, 3, 3.
    const reps: Array<[string, bigint, number]> = [
      ['U_1', 10n, 1],
      ['U_2', 8n, 3],
      ['U_3', 8n, 3],
      ['U_4', 3n, 3],
    ];
    for (const [user, cents, calls] of reps) {
      await deal(user, 'won', [cents, 'USD'], when);
      await act(user, 'call', when, { quantity: calls });
    }
    const names = new Map([
      ['U_1', 'Dan'],
      ['U_2', 'Zoe'],
      ['U_3', 'Amy'],
      ['U_4', 'Bea'],
    ]);
    const b = await board({ names });
    expect(b.reps.map((r) => [r.name, r.revenueRank, r.activityRank])).toEqual([
      ['Dan', 1, 4],
      ['Amy', 2, 1],
      ['Zoe', 2, 1],
      ['Bea', 4, 1],
    ]);
    // Even count: activities [1, 3, 3, 3] -> 3; revenue [10, 8, 8, 3] -> 8.
    expect(b.medians).toEqual({ activities: 3, headlineRevenueMinor: 8n });
  });

  it('takes medians over an odd number of reps, and floors an even bigint median', async () => {
    await setup();
    const when = at('2026-11-18T12:00:00Z');
    await act('U_1', 'call', when, { quantity: 1 });
    await deal('U_1', 'won', [100n, 'USD'], when);
    await act('U_2', 'email', when, { quantity: 2 });
    await deal('U_2', 'won', [301n, 'USD'], when);
    await act('U_3', 'demo', when, { quantity: 10 });
    let b = await board();
    expect(b.medians).toEqual({ activities: 2, headlineRevenueMinor: 100n });
    await deal('U_3', 'won', [1_000n, 'USD'], when);
    await deal('U_4', 'lost', null, when);
    b = await board();
    // activities [1, 2, 10, 0] -> 1.5; revenue [100, 301, 1000, 0] -> floor(401 / 2).
    expect(b.medians).toEqual({ activities: 1.5, headlineRevenueMinor: 200n });
  });

  it('sums money exactly past 2^53', async () => {
    await setup();
    const when = at('2026-11-18T12:00:00Z');
    await deal('U_1', 'won', [9_007_199_254_740_993n, 'USD'], when);
    await deal('U_1', 'won', [9_007_199_254_740_993n, 'USD'], when);
    const b = await board();
    expect(b.team.headlineRevenueMinor).toBe(18_014_398_509_481_986n);
    expect(b.reps[0]!.averageDealMinor).toBe(9_007_199_254_740_993n);
  });

  it('is empty for a period without rows, and does not ask for names', async () => {
    await seedMain();
    const seen: string[][] = [];
    const empty = await computeBoard(db(), {
      teamId: TEAM,
      period: {
        current: { start: at('2025-01-06T00:00:00Z'), end: at('2025-01-13T00:00:00Z'), label: 'x' },
        previous: { start: at('2024-12-30T00:00:00Z'), end: at('2025-01-06T00:00:00Z'), label: 'y' },
        timeZone: 'UTC',
      },
      currency: 'USD',
      types: TYPES,
      names: async (ids) => {
        seen.push(ids);
        return new Map();
      },
    });
    expect(seen).toEqual([]);
    expect(empty.reps).toEqual([]);
    expect(empty.team).toMatchObject({ activities: 0, won: 0, lost: 0, revenue: [], headlineRevenueMinor: 0n, winRate: null });
    expect(empty.medians).toEqual({ activities: 0, headlineRevenueMinor: 0n });
  });
});

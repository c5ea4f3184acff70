/**
 * src/metrics: money division (half-up to the currency's minor unit), totals, ranks and medians (pure), and the
 * team and rep queries against both databases.
 */
import { describe, expect, it } from 'vitest';
import { activities, deals, workspaces } from '../../src/db/schema/index.js';
import { divideMinor, divideMoney, formatMoney, minorToDecimal } from '../../src/lib/money.js';
import {
  activitySums,
  addActivities,
  addDeals,
  dealSums,
  emptyTotalsInput,
  loadOutcomeGroups,
  loadTeamMetrics,
  median,
  medianBigint,
  rankWithTies,
  repMetrics,
  totalsFrom,
  type Span,
} from '../../src/metrics/index.js';
import { describeEachDb } from '../helpers/db.js';

/** What metrics needs of the workspace's types: keys, and outcomes in order. */
const TYPES = [
  { key: 'call', outcomes: ['connected', 'voicemail', 'no-answer', 'booked'] },
  { key: 'email', outcomes: ['sent', 'replied', 'bounced'] },
  { key: 'meeting', outcomes: ['held', 'no-show', 'booked', 'rescheduled'] },
  { key: 'demo', outcomes: ['held', 'no-show', 'booked', 'rescheduled'] },
  { key: 'proposal', outcomes: ['sent', 'accepted', 'declined'] },
];

describe('money division rounds half-up to the minor unit', () => {
  it('$10,000 / 15 is $666.67 and $45,000 / 49 is $918.37', () => {
    expect(formatMoney(divideMoney({ minor: 1_000_000n, currency: 'USD' }, 15))).toBe('$666.67');
    expect(formatMoney(divideMoney({ minor: 4_500_000n, currency: 'USD' }, 49))).toBe('$918.37');
  });
  it('rounds a half up and below a half down', () => {
    expect(divideMinor(1n, 2)).toBe(1n); // 0.5
    expect(divideMinor(5n, 2n)).toBe(3n); // 2.5
    expect(divideMinor(1_250_030n, 20)).toBe(62_502n); // 62,501.5
    expect(divideMinor(4n, 3)).toBe(1n); // 1.33
    expect(divideMinor(1n, 3)).toBe(0n); // 0.33
    expect(divideMinor(2n, 3)).toBe(1n); // 0.67
  });
  it('rounds negative amounts like their positive mirror (half away from zero)', () => {
    expect(formatMoney(divideMoney({ minor: -1_000_000n, currency: 'USD' }, 15))).toBe('-$666.67');
    expect(divideMinor(-1n, 2)).toBe(-1n);
    expect(divideMinor(-4n, 3)).toBe(-1n);
    expect(divideMinor(1_000_000n, -15)).toBe(-66_667n);
    expect(divideMinor(-1_000_000n, -15)).toBe(66_667n);
  });
  it('zero divided is zero; dividing by zero is refused', () => {
    expect(divideMinor(0n, 7)).toBe(0n);
    expect(divideMinor(0n, -7)).toBe(0n);
    expect(() => divideMinor(100n, 0)).toThrow(RangeError);
    expect(() => divideMinor(100n, 0n)).toThrow(RangeError);
    expect(() => divideMinor(100n, 1.5)).toThrow(RangeError);
  });
  it('JPY has no minor digits: whole yen', () => {
    expect(formatMoney(divideMoney({ minor: 10_000n, currency: 'JPY' }, 3))).toBe('¥3,333'); // 3,333.33
    expect(formatMoney(divideMoney({ minor: 20_000n, currency: 'JPY' }, 3))).toBe('¥6,667'); // 6,666.67
    expect(formatMoney(divideMoney({ minor: 5n, currency: 'JPY' }, 2))).toBe('¥3'); // 2.5
  });
  it('KWD has three: whole fils', () => {
    const kwd = (minor: bigint, by: number) => minorToDecimal(divideMoney({ minor, currency: 'KWD' }, by).minor, 'KWD');
    expect(kwd(10_000n, 3)).toBe('3.333'); // 3.33333
    expect(kwd(1_000n, 6)).toBe('0.167'); // 0.16667
    expect(kwd(1n, 2)).toBe('0.001'); // 0.0005
    expect(kwd(-1_000n, 6)).toBe('-0.167');
  });
  it('is exact past 2^53', () => {
    expect(divideMinor(18_014_398_509_481_987n, 2)).toBe(9_007_199_254_740_994n); // …993.5
  });
});

describe('rankWithTies', () => {
  it('gives competition ranks, highest first, in input order', () => {
    expect(rankWithTies([10, 8, 8, 3])).toEqual([1, 2, 2, 4]);
    expect(rankWithTies([3, 8, 10, 8])).toEqual([4, 2, 1, 2]);
    expect(rankWithTies([0n, 5n, 0n, 0n])).toEqual([2, 1, 2, 2]);
    expect(rankWithTies([7, 7, 7])).toEqual([1, 1, 1]);
    expect(rankWithTies([])).toEqual([]);
  });
  it('compares bigints exactly past 2^53', () => {
    expect(rankWithTies([9007199254740992n, 9007199254740993n])).toEqual([2, 1]);
  });
});

describe('median and medianBigint', () => {
  it('takes the middle of an odd count, the mean of the middle two of an even one', () => {
    expect(median([])).toBe(0);
    expect(median([5])).toBe(5);
    expect(median([10, 1, 2])).toBe(2);
    expect(median([10, 1, 2, 4])).toBe(3);
    expect(median([0, 5, 15, 0])).toBe(2.5);
  });
  it('floors the bigint mean, exactly for large values', () => {
    expect(medianBigint([])).toBe(0n);
    expect(medianBigint([300n, 100n, 200n])).toBe(200n);
    expect(medianBigint([100n, 301n])).toBe(200n);
    expect(medianBigint([-3n, 0n])).toBe(-2n);
    expect(medianBigint([9007199254740993n, 9007199254740995n])).toBe(9007199254740994n);
  });
});

describe('totalsFrom', () => {
  it('keeps currencies apart, headline first then alphabetical, and divides exactly', () => {
    const input = emptyTotalsInput();
    addActivities(input, 'call', 12);
    addActivities(input, 'custom_gone', 1);
    addDeals(input, 'won', 'USD', 2, 30n);
    addDeals(input, 'won', 'EUR', 1, 900_000n);
    addDeals(input, 'won', 'GBP', 1, 5n);
    addDeals(input, 'lost', 'GBP', 1, 7n);
    addDeals(input, 'lost', null, 1, 0n);
    const t = totalsFrom(input, 'GBP', TYPES);
    expect(t.revenue).toEqual([
      { currency: 'GBP', minor: 5n },
      { currency: 'EUR', minor: 900_000n },
      { currency: 'USD', minor: 30n },
    ]);
    expect(t.activitiesByType).toEqual({ call: 12, email: 0, meeting: 0, demo: 0, proposal: 0, custom_gone: 1 });
    expect(t).toMatchObject({ activities: 13, won: 4, lost: 2, headlineRevenueMinor: 5n, headlineWon: 1, revenuePerActivityMinor: 0n, averageDealMinor: 5n });
    expect(t.winRate).toBeCloseTo(4 / 6, 12);
  });
  it('has nulls where a ratio has no denominator', () => {
    const t = totalsFrom(emptyTotalsInput(), 'USD', TYPES);
    expect(t).toMatchObject({ activities: 0, won: 0, lost: 0, revenue: [], headlineRevenueMinor: 0n, headlineWon: 0 });
    expect(t.revenuePerActivityMinor).toBeNull();
    expect(t.winRate).toBeNull();
    expect(t.averageDealMinor).toBeNull();
  });
});

describe('totalsFrom money ratios', () => {
  it('rounds revenue per activity and the average deal half-up', () => {
    const input = emptyTotalsInput();
    addActivities(input, 'call', 15);
    addDeals(input, 'won', 'USD', 49, 4_500_000n);
    const t = totalsFrom(input, 'USD', TYPES);
    expect(t.revenuePerActivityMinor).toBe(300_000n); // $45,000 / 15
    expect(t.averageDealMinor).toBe(91_837n); // $45,000 / 49 = $918.367…
    const u = emptyTotalsInput();
    addActivities(u, 'call', 15);
    addDeals(u, 'won', 'USD', 1, 1_000_000n);
    expect(totalsFrom(u, 'USD', TYPES).revenuePerActivityMinor).toBe(66_667n); // $10,000 / 15 = $666.666…
  });
});

const PERIOD = {
  current: { start: new Date('2026-11-16T00:00:00Z'), end: new Date('2026-11-23T00:00:00Z') },
  previous: { start: new Date('2026-11-09T00:00:00Z'), end: new Date('2026-11-16T00:00:00Z') },
};
const TEAM = 'T0METRICS';
const OTHER = 'T0OTHER';

describeEachDb('metrics queries', (getDb) => {
  const db = () => getDb().database.db;

  async function seed(): Promise<void> {
    await db().insert(workspaces).values([
      { teamId: TEAM, currency: 'USD' },
      { teamId: OTHER, currency: 'USD' },
    ]);
    const act = (userId: string, typeKey: string, quantity: number, occurredAt: string, outcome: string | null = null, o: { teamId?: string; deleted?: boolean } = {}) => ({
      teamId: o.teamId ?? TEAM,
      userId,
      typeKey,
      quantity,
      occurredAt: new Date(occurredAt),
      outcome,
      source: 'import' as const,
      deletedAt: o.deleted ? new Date('2026-11-20T00:00:00Z') : null,
    });
    const deal = (userId: string, status: 'won' | 'lost', amount: [bigint, string] | null, closedAt: string, o: { teamId?: string; deleted?: boolean } = {}) => ({
      teamId: o.teamId ?? TEAM,
      userId,
      status,
      amountMinor: amount?.[0] ?? null,
      currency: amount?.[1] ?? null,
      closedAt: new Date(closedAt),
      source: 'import' as const,
      deletedAt: o.deleted ? new Date('2026-11-20T00:00:00Z') : null,
    });
    await db().insert(activities).values([
      // Ana: 15 activities this week ($10,000 won: $666.67 per activity), 2 calls last week.
      act('U_ANA', 'call', 10, '2026-11-16T00:00:00Z', 'connected'), // the first instant counts
      act('U_ANA', 'call', 3, '2026-11-17T10:00:00Z'),
      act('U_ANA', 'email', 2, '2026-11-22T23:59:59.999Z', 'Replied'),
      act('U_ANA', 'call', 2, '2026-11-10T10:00:00Z'),
      // Not counted: deleted, the exclusive end, another workspace.
      act('U_ANA', 'call', 50, '2026-11-18T10:00:00Z', null, { deleted: true }),
      act('U_ANA', 'call', 60, '2026-11-23T00:00:00Z'),
      act('U_ANA', 'call', 70, '2026-11-18T10:00:00Z', null, { teamId: OTHER }),
      // Bo: 49 activities this week.
      act('U_BO', 'meeting', 49, '2026-11-18T10:00:00Z', 'held'),
      // Eve: last week only.
      act('U_EVE', 'demo', 4, '2026-11-12T10:00:00Z'),
    ]);
    await db().insert(deals).values([
      deal('U_ANA', 'won', [1_000_000n, 'USD'], '2026-11-18T10:00:00Z'),
      deal('U_ANA', 'won', [120_000n, 'JPY'], '2026-11-18T11:00:00Z'),
      deal('U_ANA', 'lost', null, '2026-11-19T10:00:00Z'),
      deal('U_ANA', 'won', [9_999_999n, 'USD'], '2026-11-18T10:00:00Z', { deleted: true }),
      deal('U_ANA', 'won', [8_888_888n, 'USD'], '2026-11-18T10:00:00Z', { teamId: OTHER }),
      // Bo: $45,000 from 49 won deals (the last one carries the remainder), one lost.
      ...Array.from({ length: 48 }, () => deal('U_BO', 'won', [91_836n, 'USD'], '2026-11-20T10:00:00Z')),
      deal('U_BO', 'won', [4_500_000n - 48n * 91_836n, 'USD'], '2026-11-20T10:00:00Z'),
      deal('U_BO', 'lost', [100n, 'USD'], '2026-11-21T10:00:00Z'),
      // Cy: a deal last week only (not active, not ranked).
      deal('U_CY', 'won', [5_000n, 'USD'], '2026-11-09T00:00:00Z'),
    ]);
  }

  it('team metrics: totals, every rep, ranks among the active, medians, previous period', async () => {
    await seed();
    const m = await loadTeamMetrics(db(), { teamId: TEAM, period: PERIOD, currency: 'USD', types: TYPES });
    expect(m.team).toEqual({
      activities: 64,
      activitiesByType: { call: 13, email: 2, meeting: 49, demo: 0, proposal: 0 },
      won: 51,
      lost: 2,
      revenue: [
        { currency: 'USD', minor: 5_500_000n },
        { currency: 'JPY', minor: 120_000n },
      ],
      headlineRevenueMinor: 5_500_000n,
      headlineWon: 50,
      revenuePerActivityMinor: 85_938n, // 5,500,000 / 64 = 85,937.5
      winRate: 51 / 53,
      averageDealMinor: 110_000n,
    });
    expect(m.previousTeam).toMatchObject({ activities: 6, activitiesByType: { call: 2, email: 0, meeting: 0, demo: 4, proposal: 0 }, won: 1, headlineRevenueMinor: 5_000n });
    const ana = repMetrics(m, 'U_ANA');
    expect(ana.current).toMatchObject({ activities: 15, won: 2, lost: 1, headlineWon: 1, headlineRevenueMinor: 1_000_000n, revenuePerActivityMinor: 66_667n, averageDealMinor: 1_000_000n });
    expect(formatMoney({ minor: ana.current.revenuePerActivityMinor!, currency: 'USD' })).toBe('$666.67');
    expect(ana.previous).toMatchObject({ activities: 2, won: 0 });
    const bo = repMetrics(m, 'U_BO');
    expect(bo.current).toMatchObject({ activities: 49, won: 49, lost: 1, headlineRevenueMinor: 4_500_000n, revenuePerActivityMinor: 91_837n, averageDealMinor: 91_837n, winRate: 0.98 });
    expect(formatMoney({ minor: bo.current.averageDealMinor!, currency: 'USD' })).toBe('$918.37');
    expect(m.reps.map((r) => [r.userId, r.ranks]).sort()).toEqual([
      ['U_ANA', { revenue: 2, activity: 2 }],
      ['U_BO', { revenue: 1, activity: 1 }],
    ]);
    // Not active now: numbers, no rank. Nobody at all: zeros.
    expect(repMetrics(m, 'U_EVE')).toMatchObject({ active: false, ranks: null, current: { activities: 0 }, previous: { activities: 4 } });
    expect(repMetrics(m, 'U_CY')).toMatchObject({ active: false, ranks: null, previous: { headlineRevenueMinor: 5_000n } });
    const nobody = repMetrics(m, 'U_NOBODY');
    expect(nobody).toMatchObject({ active: false, ranks: null, current: { activities: 0, revenuePerActivityMinor: null, winRate: null, averageDealMinor: null } });
    expect(nobody.current.activitiesByType).toEqual({ call: 0, email: 0, meeting: 0, demo: 0, proposal: 0 });
    // Two active reps: the mean of the middle two.
    expect(m.medians).toEqual({ activities: 32, headlineRevenueMinor: 2_750_000n });
  });

  it('rep sums over named ranges: activities per type, deals per status and currency, outcomes', async () => {
    await seed();
    const ranges = new Map<'week' | 'before', Span>([
      ['week', PERIOD.current],
      ['before', PERIOD.previous],
    ]);
    const acts = await activitySums(db(), { teamId: TEAM, userId: 'U_ANA', ranges });
    expect(Object.fromEntries(acts.get('week')!)).toEqual({ call: 13, email: 2 });
    expect(Object.fromEntries(acts.get('before')!)).toEqual({ call: 2, email: 0 });
    const calls = await activitySums(db(), { teamId: TEAM, userId: 'U_ANA', ranges, typeKeys: ['call'] });
    expect(Object.fromEntries(calls.get('week')!)).toEqual({ call: 13 });
    expect((await activitySums(db(), { teamId: TEAM, userId: 'U_ANA', ranges, typeKeys: [] })).get('week')!.size).toBe(0);

    const ds = await dealSums(db(), { teamId: TEAM, userId: 'U_ANA', ranges });
    expect(ds.get('week')).toEqual({
      won: new Map([
        ['USD', { count: 1, minor: 1_000_000n }],
        ['JPY', { count: 1, minor: 120_000n }],
      ]),
      lost: 1,
    });
    expect(ds.get('before')).toEqual({ won: new Map(), lost: 0 });
    const wonUsd = await dealSums(db(), { teamId: TEAM, userId: 'U_BO', ranges, status: 'won', currencies: ['USD'] });
    expect(wonUsd.get('week')).toEqual({ won: new Map([['USD', { count: 49, minor: 4_500_000n }]]), lost: 0 });

    const outcomes = await loadOutcomeGroups(db(), { teamId: TEAM, userId: 'U_ANA', ...PERIOD.current });
    expect(outcomes.sort((a, b) => (a.typeKey + a.outcome < b.typeKey + b.outcome ? -1 : 1))).toEqual([
      { typeKey: 'call', outcome: 'connected', quantity: 10 },
      { typeKey: 'call', outcome: null, quantity: 3 },
      { typeKey: 'email', outcome: 'Replied', quantity: 2 },
    ]);
  });
});

/**
 * Build a consistent leaderboard `Board` from a few numbers per rep, for renderer tests.
 *
 *   makeBoard([{ name: 'Ana', activities: 12, revenue: 12500 }, { name: 'Bo', activities: 3, revenue: 0 }])
 *
 * `revenue` is in major units of the board's currency (USD unless `opts.currency`), converted to
 * exact minor units. Every derived field follows from the inputs: activities spread round-robin over
 * the built-in types, one won deal per rep with revenue unless `won` is given, ranks with ties
 * (1, 2, 2, 4), reps sorted like compute.ts sorts them, team totals and medians.
 */
import { decimalToMinor, currencyExponent, divideMinor, type Money } from '../../src/lib/money.js';
import { BUILT_IN_ACTIVITY_TYPES, type ActivityTypeDef } from '../../src/entries/activity-types.js';
import type { Board, BoardPeriod, RepStats, Totals } from '../../src/features/leaderboard/types.js';

export interface RepInput {
  name: string;
  activities: number;
  /** Won revenue in major units of the board's currency (e.g. 12500.5 for $12,500.50). */
  revenue: number;
  userId?: string;
  /** Won deals; default 1 when revenue > 0, else 0. */
  won?: number;
  /** Lost deals; default 0. */
  lost?: number;
  /** Activities by type key; default: `activities` spread round-robin over the types. */
  activitiesByType?: Record<string, number>;
  /** The same rep's previous period; default zeros. */
  previous?: { activities: number; revenue: number };
}

export interface BoardFixtureOptions {
  currency?: string;
  teamId?: string;
  types?: ActivityTypeDef[];
  period?: Partial<BoardPeriod>;
  /** Overrides the current period's label only. */
  label?: string;
}

export const FIXTURE_PERIOD: BoardPeriod = {
  current: {
    start: new Date('2026-11-23T00:00:00Z'),
    end: new Date('2026-11-30T00:00:00Z'),
    label: 'This week (Nov 23 – Nov 29)',
  },
  previous: {
    start: new Date('2026-11-16T00:00:00Z'),
    end: new Date('2026-11-23T00:00:00Z'),
    label: 'Last week (Nov 16 – Nov 22)',
  },
  timeZone: 'UTC',
};

export function toMinor(major: number, currency: string): bigint {
  const minor = decimalToMinor(major.toFixed(currencyExponent(currency)), currency);
  if (typeof minor !== 'bigint') throw new Error(`fixture: cannot convert ${major} ${currency} (${minor})`);
  return minor;
}

export function makeBoard(reps: RepInput[], opts: BoardFixtureOptions = {}): Board {
  const currency = (opts.currency ?? 'USD').toUpperCase();
  const types = opts.types ?? BUILT_IN_ACTIVITY_TYPES;
  const period: BoardPeriod = {
    ...FIXTURE_PERIOD,
    ...opts.period,
    current: { ...FIXTURE_PERIOD.current, ...opts.period?.current, ...(opts.label !== undefined ? { label: opts.label } : {}) },
  };

  const built = reps.map((input, i) => {
    const minor = toMinor(input.revenue, currency);
    const won = input.won ?? (minor > 0n ? 1 : 0);
    const lost = input.lost ?? 0;
    const totals = totalsOf({
      activities: input.activities,
      activitiesByType: input.activitiesByType ?? spread(input.activities, types),
      won,
      lost,
      revenue: minor === 0n ? [] : [{ minor, currency }],
      headlineRevenueMinor: minor,
      headlineWon: won,
    });
    return {
      ...totals,
      userId: input.userId ?? `U${String(i + 1).padStart(4, '0')}`,
      name: input.name,
      revenueRank: 0,
      activityRank: 0,
      previous: {
        activities: input.previous?.activities ?? 0,
        headlineRevenueMinor: toMinor(input.previous?.revenue ?? 0, currency),
      },
    } satisfies RepStats;
  });

  for (const rep of built) {
    rep.revenueRank = 1 + built.filter((o) => o.headlineRevenueMinor > rep.headlineRevenueMinor).length;
    rep.activityRank = 1 + built.filter((o) => o.activities > rep.activities).length;
  }
  built.sort(
    (a, b) =>
      compareBigDesc(a.headlineRevenueMinor, b.headlineRevenueMinor) ||
      b.activities - a.activities ||
      a.name.localeCompare(b.name, 'en'),
  );

  const team = sumTotals(
    built.map((r) => ({ activities: r.activities, activitiesByType: r.activitiesByType, won: r.won, lost: r.lost, minor: r.headlineRevenueMinor })),
    currency,
    types,
  );
  const previousTeam = sumTotals(
    built.map((r) => ({ activities: r.previous.activities, activitiesByType: spread(r.previous.activities, types), won: r.previous.headlineRevenueMinor > 0n ? 1 : 0, lost: 0, minor: r.previous.headlineRevenueMinor })),
    currency,
    types,
  );

  return {
    teamId: opts.teamId ?? 'T0001',
    currency,
    period,
    types,
    team,
    previousTeam,
    reps: built,
    medians: {
      activities: medianNumber(built.map((r) => r.activities)),
      headlineRevenueMinor: medianBigint(built.map((r) => r.headlineRevenueMinor)),
    },
  };
}

/** `n` reps with spread-out, deterministic numbers: "Rep 001" … */
export function makeReps(n: number, seed = 1): RepInput[] {
  let state = seed >>> 0 || 1;
  const next = (): number => {
    // xorshift32: deterministic, no dependency.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
  return Array.from({ length: n }, (_, i) => ({
    name: `Rep ${String(i + 1).padStart(3, '0')}`,
    activities: Math.floor(next() * 120),
    revenue: Math.floor(next() * 50) * 500,
  }));
}

function totalsOf(t: Omit<Totals, 'revenuePerActivityMinor' | 'winRate' | 'averageDealMinor'>): Totals {
  return {
    ...t,
    revenuePerActivityMinor: t.activities > 0 ? divideMinor(t.headlineRevenueMinor, t.activities) : null,
    winRate: t.won + t.lost > 0 ? t.won / (t.won + t.lost) : null,
    averageDealMinor: t.headlineWon > 0 ? divideMinor(t.headlineRevenueMinor, t.headlineWon) : null,
  };
}

function sumTotals(
  rows: Array<{ activities: number; activitiesByType: Record<string, number>; won: number; lost: number; minor: bigint }>,
  currency: string,
  types: ActivityTypeDef[],
): Totals {
  const byType: Record<string, number> = Object.fromEntries(types.map((t) => [t.key, 0]));
  let activities = 0;
  let won = 0;
  let lost = 0;
  let minor = 0n;
  for (const r of rows) {
    activities += r.activities;
    won += r.won;
    lost += r.lost;
    minor += r.minor;
    for (const [k, v] of Object.entries(r.activitiesByType)) byType[k] = (byType[k] ?? 0) + v;
  }
  const revenue: Money[] = minor === 0n ? [] : [{ minor, currency }];
  return totalsOf({ activities, activitiesByType: byType, won, lost, revenue, headlineRevenueMinor: minor, headlineWon: won });
}

function spread(activities: number, types: ActivityTypeDef[]): Record<string, number> {
  const base = types.length === 0 ? 0 : Math.floor(activities / types.length);
  const extra = activities - base * types.length;
  return Object.fromEntries(types.map((t, i) => [t.key, base + (i < extra ? 1 : 0)]));
}

function compareBigDesc(a: bigint, b: bigint): number {
  return a === b ? 0 : a > b ? -1 : 1;
}

function medianNumber(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function medianBigint(values: bigint[]): bigint {
  if (values.length === 0) return 0n;
  const s = [...values].sort((a, b) => compareBigDesc(b, a));
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2n;
}

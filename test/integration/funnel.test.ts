/**
 * src/metrics/funnel: the conversion stages, their counts per rep and period (one SQL query, both databases) and the
 * rates between them (pure), against hand-computed fixtures.
 */
import { describe, expect, it } from 'vitest';
import { activities, deals, salesTeamMembers, salesTeams, workspaces, type StoredConversionStage } from '../../src/db/schema/index.js';
import {
  conversionStagesOf,
  DEFAULT_CONVERSION_STAGES,
  funnelOf,
  loadStageCounts,
  medianFunnel,
  pooledFunnel,
  type SpanPair,
} from '../../src/metrics/index.js';
import { computeBoard } from '../../src/features/leaderboard/compute.js';
import { renderBoard } from '../../src/features/leaderboard/render.blocks.js';
import type { BoardPeriod } from '../../src/features/leaderboard/types.js';
import { BUILT_IN_ACTIVITY_TYPES } from '../../src/entries/activity-types.js';
import { describeEachDb } from '../helpers/db.js';

const TEAM = 'T_FUNNEL';
const OTHER = 'T_OTHER';
const STAGES = conversionStagesOf(null);

/** November 2026 against October 2026. */
const PERIOD: SpanPair = {
  current: { start: new Date('2026-11-01T00:00:00Z'), end: new Date('2026-12-01T00:00:00Z') },
  previous: { start: new Date('2026-10-01T00:00:00Z'), end: new Date('2026-11-01T00:00:00Z') },
};

describe('conversion stages', () => {
  it('default to touches → conversations → meetings booked → meetings held → deals won', () => {
    expect(conversionStagesOf(null).map((s) => s.label)).toEqual(['Touches', 'Conversations', 'Meetings booked', 'Meetings held', 'Deals won']);
    expect(conversionStagesOf(undefined)).toEqual(conversionStagesOf([]));
    expect(conversionStagesOf(null)).toEqual(DEFAULT_CONVERSION_STAGES);
  });
  it('read a workspace’s stored stages, missing lists meaning any', () => {
    const stored: StoredConversionStage[] = [{ label: 'Visits', types: ['site_visit'] }, { label: 'Quotes', outcomes: ['quoted'] }, { label: 'Won', won: true }];
    expect(conversionStagesOf(stored)).toEqual([
      { label: 'Visits', types: ['site_visit'], outcomes: [], won: false },
      { label: 'Quotes', types: [], outcomes: ['quoted'], won: false },
      { label: 'Won', types: [], outcomes: [], won: true },
    ]);
  });
});

describe('funnel rates', () => {
  it('divide consecutive stages; end to end is touches per won deal', () => {
    const f = funnelOf(STAGES, [200, 50, 10, 8, 2]);
    expect(f.stages.map((s) => s.count)).toEqual([200, 50, 10, 8, 2]);
    expect(f.rates).toEqual([0.25, 0.2, 0.8, 0.25]);
    expect(f.touchesPerWon).toBe(100);
  });
  it('an empty stage gives no rate after it (null, never 0%), and a rate of 0 into it', () => {
    const f = funnelOf(STAGES, [40, 10, 0, 0, 0]);
    expect(f.rates).toEqual([0.25, 0, null, null]);
    expect(f.touchesPerWon).toBeNull();
    expect(funnelOf(STAGES, []).rates).toEqual([null, null, null, null]);
  });
  it('a team is pooled: a rep with 2 calls does not weigh like one with 200', () => {
    // Ana: 200 touches, 20 conversations (10%); Ben: 2 touches, 2 conversations (100%).
    const reps = [
      [200, 20, 4, 2, 1],
      [2, 2, 0, 0, 0],
    ];
    const pooled = pooledFunnel(STAGES, reps);
    expect(pooled.stages.map((s) => s.count)).toEqual([202, 22, 4, 2, 1]);
    expect(pooled.rates[0]).toBeCloseTo(22 / 202, 10); // ≈ 10.9%, not the average of 10% and 100% (55%)
    expect(pooled.rates[1]).toBeCloseTo(4 / 22, 10);
    expect(pooled.touchesPerWon).toBe(202);
  });
  it('the median rep: the median rate per step over the reps that have one', () => {
    const reps = [
      [100, 10, 5, 2, 1], // 10%, 50%, 40%, 50%
      [100, 30, 3, 3, 0], // 30%, 10%, 100%, 0%
      [10, 0, 0, 0, 0], //   0%, no data...
      [0, 0, 0, 0, 0], //    no data
    ];
    const m = medianFunnel(STAGES, reps);
    expect(m.rates[0]).toBeCloseTo(0.1, 10); // median of 10%, 30%, 0%
    expect(m.rates[1]).toBeCloseTo(0.3, 10); // median of 50%, 10%
    expect(m.rates[2]).toBeCloseTo(0.7, 10); // median of 40%, 100%
    expect(m.rates[3]).toBeCloseTo(0.25, 10); // median of 50%, 0%
    expect(m.touchesPerWon).toBe(100); // only the first rep won
    expect(m.stages.map((s) => s.count)).toEqual([55, 5, 1.5, 1, 0]);
    expect(medianFunnel(STAGES, []).rates).toEqual([null, null, null, null]);
  });
});

describeEachDb('conversion stage counts', (getDb) => {
  const db = () => getDb().database.db;
  const act = (userId: string, typeKey: string, quantity: number, day: string, outcome: string | null = null, o: { teamId?: string; deleted?: boolean } = {}) => ({
    teamId: o.teamId ?? TEAM,
    userId,
    typeKey,
    quantity,
    occurredAt: new Date(`${day}T12:00:00Z`),
    outcome,
    source: 'import' as const,
    deletedAt: o.deleted ? new Date('2026-11-20T00:00:00Z') : null,
  });
  const deal = (userId: string, status: 'won' | 'lost', day: string, o: { teamId?: string; deleted?: boolean } = {}) => ({
    teamId: o.teamId ?? TEAM,
    userId,
    status,
    amountMinor: 100_00n,
    currency: 'USD',
    closedAt: new Date(`${day}T12:00:00Z`),
    source: 'slack' as const,
    deletedAt: o.deleted ? new Date('2026-11-20T00:00:00Z') : null,
  });

  async function seed(): Promise<void> {
    await db().insert(workspaces).values([{ teamId: TEAM }, { teamId: OTHER }]);
    await db()
      .insert(activities)
      .values([
        // Ana, November: 12 calls (3 no outcome, 4 connected, 2 booked, 3 voicemail), 5 emails (2 replied).
        act('U_ANA', 'call', 3, '2026-11-02'),
        act('U_ANA', 'call', 4, '2026-11-03', 'connected'),
        act('U_ANA', 'call', 2, '2026-11-04', 'booked'),
        act('U_ANA', 'call', 3, '2026-11-05', 'voicemail'),
        act('U_ANA', 'email', 3, '2026-11-05', 'sent'),
        act('U_ANA', 'email', 2, '2026-11-06', 'Replied'), // outcome case is folded
        // a meeting booked (any type), 2 meetings held, 1 demo no-show, a proposal (in no stage)
        act('U_ANA', 'meeting', 1, '2026-11-06', 'booked'),
        act('U_ANA', 'meeting', 2, '2026-11-10', 'held'),
        act('U_ANA', 'demo', 1, '2026-11-11', 'no-show'),
        act('U_ANA', 'proposal', 1, '2026-11-12', 'sent'),
        // not counted: deleted, another workspace, after the period
        act('U_ANA', 'call', 50, '2026-11-07', 'connected', { deleted: true }),
        act('U_ANA', 'call', 70, '2026-11-07', 'connected', { teamId: OTHER }),
        act('U_ANA', 'call', 90, '2026-12-01', 'connected'),
        // Ana, October: 6 calls, 1 connected.
        act('U_ANA', 'call', 5, '2026-10-10', 'voicemail'),
        act('U_ANA', 'call', 1, '2026-10-11', 'connected'),
        // Ben, November: only a demo held.
        act('U_BEN', 'demo', 1, '2026-11-15', 'held'),
        // Cy, November: a proposal only (in no default stage).
        act('U_CY', 'proposal', 2, '2026-11-15', 'sent'),
      ]);
    await db()
      .insert(deals)
      .values([
        deal('U_ANA', 'won', '2026-11-20'),
        deal('U_ANA', 'lost', '2026-11-21'),
        deal('U_ANA', 'won', '2026-11-22', { deleted: true }),
        deal('U_ANA', 'won', '2026-10-20'),
        deal('U_BEN', 'won', '2026-11-25'),
        deal('U_BEN', 'won', '2026-11-26', { teamId: OTHER }),
      ]);
  }

  it('counts each stage per rep in both periods, in one query', async () => {
    await seed();
    const counts = await loadStageCounts(db(), TEAM, STAGES, PERIOD);
    // Touches 12 + 5; conversations 4 + 2 calls, 2 emails; booked: 2 calls + 1 meeting; held: 2 meetings; won 1.
    expect(counts.get('U_ANA')).toEqual({ current: [17, 8, 3, 2, 1], previous: [6, 1, 0, 0, 1] });
    expect(counts.get('U_BEN')).toEqual({ current: [0, 0, 0, 1, 1], previous: [0, 0, 0, 0, 0] });
    expect(counts.has('U_CY')).toBe(false); // nothing in any stage: absent, read as zeros
    const team = pooledFunnel(STAGES, [...counts.values()].map((c) => c.current));
    expect(team.stages.map((s) => s.count)).toEqual([17, 8, 3, 3, 2]);
    expect(team.rates).toEqual([8 / 17, 3 / 8, 1, 2 / 3]);
    expect(team.touchesPerWon).toBe(8.5);
  });

  it('limits to some people or to a sales team', async () => {
    await seed();
    const onlyBen = await loadStageCounts(db(), TEAM, STAGES, PERIOD, { userIds: ['U_BEN'] });
    expect([...onlyBen.keys()]).toEqual(['U_BEN']);
    expect(await loadStageCounts(db(), TEAM, STAGES, PERIOD, { userIds: [] })).toEqual(new Map());

    const [team] = await db().insert(salesTeams).values({ teamId: TEAM, name: 'East', nameKey: 'east', createdBy: 'U_ADMIN' }).returning();
    await db().insert(salesTeamMembers).values([
      { salesTeamId: team!.id, teamId: TEAM, userId: 'U_ANA', role: 'member' },
      { salesTeamId: team!.id, teamId: TEAM, userId: 'U_BEN', role: 'manager' },
    ]);
    const east = await loadStageCounts(db(), TEAM, STAGES, PERIOD, { salesTeamId: team!.id });
    expect([...east.keys()]).toEqual(['U_ANA']);
  });

  it('counts a workspace’s custom stages, with a custom activity type and outcome', async () => {
    await db().insert(workspaces).values({ teamId: TEAM });
    await db()
      .insert(activities)
      .values([
        act('U_ANA', 'site_visit', 4, '2026-11-02'),
        act('U_ANA', 'site_visit', 3, '2026-11-03', 'quoted'),
        act('U_ANA', 'call', 2, '2026-11-03', 'QUOTED'),
        act('U_ANA', 'call', 9, '2026-11-04', 'connected'),
      ]);
    await db().insert(deals).values([deal('U_ANA', 'won', '2026-11-05'), deal('U_ANA', 'lost', '2026-11-06')]);
    const stages = conversionStagesOf([{ label: 'Site visits', types: ['site_visit'] }, { label: 'Quotes', outcomes: ['quoted'] }, { label: 'Signed', won: true }]);
    const counts = await loadStageCounts(db(), TEAM, stages, PERIOD);
    expect(counts.get('U_ANA')!.current).toEqual([7, 5, 1]);
    const f = funnelOf(stages, counts.get('U_ANA')!.current);
    expect(f.rates).toEqual([5 / 7, 1 / 5]);
    expect(f.touchesPerWon).toBe(7);

    // Stages without a won one read no deals; stages with only a won one read no activities.
    expect((await loadStageCounts(db(), TEAM, stages.slice(0, 2), PERIOD)).get('U_ANA')!.current).toEqual([7, 5]);
    expect((await loadStageCounts(db(), TEAM, stages.slice(2), PERIOD)).get('U_ANA')!.current).toEqual([1]);
  });

  it('an empty period has no counts and no rates (no data, not 0%)', async () => {
    await db().insert(workspaces).values({ teamId: TEAM });
    const counts = await loadStageCounts(db(), TEAM, STAGES, PERIOD);
    expect(counts.size).toBe(0);
    expect(pooledFunnel(STAGES, [...counts.values()].map((c) => c.current)).rates).toEqual([null, null, null, null]);
  });

  it('gives the board its conversion section: the team pooled, this period and the last, each rep, the median rep', async () => {
    await seed();
    const period: BoardPeriod = { ...PERIOD, current: { ...PERIOD.current, label: 'November' }, previous: { ...PERIOD.previous, label: 'October' }, timeZone: 'UTC' };
    const board = await computeBoard(db(), {
      teamId: TEAM,
      period,
      currency: 'USD',
      types: BUILT_IN_ACTIVITY_TYPES,
      conversionStages: STAGES,
      names: async (ids) => new Map(ids.map((id) => [id, id.replace('U_', '')])),
    });
    const conversion = board.conversion!;
    expect(conversion.team.stages.map((s) => s.count)).toEqual([17, 8, 3, 3, 2]);
    expect(conversion.previousTeam.stages.map((s) => s.count)).toEqual([6, 1, 0, 0, 1]);
    expect(conversion.previousTeam.rates).toEqual([1 / 6, 0, null, null]);
    expect(board.reps.map((r) => [r.name, r.funnel!.stages.map((s) => s.count)])).toEqual([
      ['ANA', [17, 8, 3, 2, 1]],
      ['BEN', [0, 0, 0, 1, 1]],
      ['CY', [0, 0, 0, 0, 0]], // active (a proposal) but in no stage
    ]);
    const text = JSON.stringify(renderBoard(board, { insights: [] }).blocks);
    expect(text).toContain('*Touches* 17 (was 6)');
    expect(text).toContain('47% to conversations (was 17%)');
    expect(text).toContain('100% to meetings held (was no data)');

    // Without stages (a caller that does not ask): no section, no query.
    const plain = await computeBoard(db(), { teamId: TEAM, period, currency: 'USD', types: BUILT_IN_ACTIVITY_TYPES, names: async () => new Map() });
    expect(plain.conversion).toBeUndefined();
  });
});

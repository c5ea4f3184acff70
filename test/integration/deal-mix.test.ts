/**
 * The board's deal kinds, customers and satisfaction, from stored deals through the metrics module (the grouped deal
 * query) to the rendered message: new customers (distinct accounts of won new business, a deal without an account
 * counting one), revenue by kind in the board's headline, the renewal retention rate, and satisfaction averaged per
 * rep only over the deals scored on the workspace's current scale.
 *
 * The week of 2026-11-23 (Monday, UTC workspace). Hand-computed:
 *   Ana  won new   "Acme"    $1,000.00  CSAT 5
 *        won new   "acme."   $500.00    (no score)      -> same account as "Acme"
 *        won new   (none)    $250.00    CSAT 3          -> a customer of its own
 *        won exp.  "Globex"  $2,000.00  (no score)
 *        won ren.  "Initech" €900.00    (no score)
 *   Bo   won ren.  "Umbrella" $3,000.00 NPS 9 (another scale: not averaged while the workspace uses CSAT)
 *        lost ren. "Hooli"
 *        won new   "ACME"    $700.00    CSAT 4
 *   Cy   won exp.  (deleted) $9,999.00  CSAT 1  -> not counted
 *        won new   "Stark"   last week  CSAT 1  -> not counted
 * New customers: Ana 2 (acme, the one without account), Bo 1 (acme), team 2 (acme, the one without account).
 * Revenue by kind: new $2,450.00 (4 won), expansion $2,000.00 (1), renewal $3,000.00 + €900.00 (2 won, 1 lost).
 * Retention: 2 of 3 renewals won = 67%. Satisfaction: Ana (5 + 3) / 2 = 4 CSAT · 2 deals; Bo 4 CSAT · 1 deal; team
 * (5 + 3 + 4) / 3 = 4 CSAT · 3 deals.
 */
import { eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { deals, exchangeRates, workspaces, type DealKind } from '../../src/db/schema/index.js';
import { computeBoard } from '../../src/features/leaderboard/compute.js';
import { renderBoard } from '../../src/features/leaderboard/render.blocks.js';
import { BUILT_IN_ACTIVITY_TYPES } from '../../src/entries/activity-types.js';
import { blockKitProblems } from '../helpers/fake-slack.js';
import { FIXTURE_PERIOD } from '../helpers/board-fixture.js';
import { describeEachDb } from '../helpers/db.js';

type Json = Record<string, any>;
const TEAM = 'T0MIX0001';
const [ANA, BO, CY] = ['U0ANA0001', 'U0BO00001', 'U0CY00001'];
const NAMES = new Map([
  [ANA, 'Ana'],
  [BO, 'Bo'],
  [CY, 'Cy'],
]);

interface DealSpec {
  userId: string;
  status?: 'won' | 'lost';
  kind: DealKind;
  account: string | null;
  minor?: bigint | null;
  currency?: string;
  score?: [number, 'csat5' | 'nps10'];
  at?: string;
  deleted?: boolean;
}

const row = (d: DealSpec) => ({
  teamId: TEAM,
  userId: d.userId,
  status: d.status ?? 'won',
  kind: d.kind,
  account: d.account,
  amountMinor: d.minor === undefined ? null : d.minor,
  currency: d.minor == null ? null : (d.currency ?? 'USD'),
  closedAt: new Date(d.at ?? '2026-11-25T15:00:00Z'),
  satisfaction: d.score?.[0] ?? null,
  satisfactionScale: d.score?.[1] ?? null,
  source: 'import' as const,
  deletedAt: d.deleted ? new Date('2026-11-26T00:00:00Z') : null,
});

const DEALS: DealSpec[] = [
  { userId: ANA, kind: 'new', account: 'Acme', minor: 100_000n, score: [5, 'csat5'] },
  { userId: ANA, kind: 'new', account: 'acme.', minor: 50_000n },
  { userId: ANA, kind: 'new', account: null, minor: 25_000n, score: [3, 'csat5'] },
  { userId: ANA, kind: 'expansion', account: 'Globex', minor: 200_000n },
  { userId: ANA, kind: 'renewal', account: 'Initech', minor: 90_000n, currency: 'EUR' },
  { userId: BO, kind: 'renewal', account: 'Umbrella', minor: 300_000n, score: [9, 'nps10'] },
  { userId: BO, status: 'lost', kind: 'renewal', account: 'Hooli', minor: null },
  { userId: BO, kind: 'new', account: 'ACME', minor: 70_000n, score: [4, 'csat5'] },
  { userId: CY, kind: 'expansion', account: 'Wayne', minor: 999_900n, score: [1, 'csat5'], deleted: true },
  { userId: CY, kind: 'new', account: 'Stark', minor: 10_000n, score: [1, 'csat5'], at: '2026-11-18T15:00:00Z' },
];

describeEachDb('the deal mix on the board', (getDb) => {
  const db = () => getDb().database.db;

  async function board() {
    return computeBoard(db(), {
      teamId: TEAM,
      period: FIXTURE_PERIOD,
      currency: 'USD',
      types: BUILT_IN_ACTIVITY_TYPES,
      names: async (ids) => new Map(ids.map((id) => [id, NAMES.get(id) ?? id])),
    });
  }

  async function seed(scale: 'csat5' | 'nps10' = 'csat5') {
    await db().insert(workspaces).values({ teamId: TEAM, currency: 'USD', defaultTimeZone: 'UTC', satisfactionScale: scale });
    await db().insert(deals).values(DEALS.map(row));
  }

  const mixText = (blocks: Json[]) => blocks.find((b) => b.block_id === 'leaderboard_deal_mix')?.text.text as string | undefined;
  const table = (blocks: Json[]) => (blocks.find((b) => b.type === 'table')!.rows as Json[][]).map((r) => r.map((c) => c.text as string));

  it('counts new customers, revenue by kind, retention and satisfaction (scored deals on the current scale only)', async () => {
    await seed();
    const b = await board();
    const mix = b.dealMix!;
    expect(mix.newCustomers).toBe(2);
    expect(mix.retentionRate).toBeCloseTo(2 / 3, 10);
    expect(mix.satisfaction).toEqual({ sum: 12, count: 3 });
    expect(mix.byKind.new).toMatchObject({ won: 4, lost: 0, headlineRevenueMinor: 245_000n });
    expect(mix.byKind.expansion).toMatchObject({ won: 1, lost: 0, headlineRevenueMinor: 200_000n });
    expect(mix.byKind.renewal).toMatchObject({ won: 2, lost: 1, headlineRevenueMinor: 300_000n, revenue: [{ currency: 'USD', minor: 300_000n }, { currency: 'EUR', minor: 90_000n }] });
    // The kinds add up to the board's revenue: nothing counted twice or lost.
    expect(b.team.won).toBe(7);
    expect(b.team.headlineRevenueMinor).toBe(745_000n);

    const rep = (id: string) => b.reps.find((r) => r.userId === id)!;
    expect(rep(ANA).dealMix).toMatchObject({ newCustomers: 2, satisfaction: { sum: 8, count: 2 }, retentionRate: 1 });
    expect(rep(BO).dealMix).toMatchObject({ newCustomers: 1, satisfaction: { sum: 4, count: 1 }, retentionRate: 0.5 });
    expect(b.reps.map((r) => r.userId).sort()).toEqual([ANA, BO]);

    const message = renderBoard(b, { insights: [] });
    expect(blockKitProblems(message.blocks, '/blocks', 50)).toEqual([]);
    expect(mixText(message.blocks as Json[])).toBe(
      [
        '*Customers and deal kinds*',
        'New customers: 2 · Retention: 67% (2 of 3 renewals won) · Satisfaction: 4 CSAT · 3 deals',
        'New business $2,450.00 (4 won) · Expansion $2,000.00 (1 won) · Renewal $3,000.00 + €900.00 (2 won, 1 lost)',
      ].join('\n'),
    );
    const rows = table(message.blocks as Json[]);
    expect(rows[0]!.slice(0, 4)).toEqual(['#', 'Rep', 'Revenue', 'Satisfaction']);
    const byRep = Object.fromEntries(rows.slice(1).map((r) => [r[1], r[3]]));
    expect(byRep).toEqual({ Ana: '4 CSAT · 2 deals', Bo: '4 CSAT · 1 deal' });
  });

  it('on the NPS scale, only the NPS scores count; a rep without one shows a dash, never 0', async () => {
    await seed('nps10');
    const b = await board();
    expect(b.dealMix!.satisfaction).toEqual({ sum: 9, count: 1 });
    const rows = table(renderBoard(b, { insights: [] }).blocks as Json[]);
    expect(Object.fromEntries(rows.slice(1).map((r) => [r[1], r[3]]))).toEqual({ Ana: '–', Bo: '9 NPS · 1 deal' });
    expect(mixText(renderBoard(b, { insights: [] }).blocks as Json[])).toContain('Satisfaction: 9 NPS · 1 deal');
  });

  it('with exchange rates, revenue by kind is in the converted headline, like the board', async () => {
    await seed();
    await db().insert(exchangeRates).values({ teamId: TEAM, currency: 'EUR', effectiveOn: '2026-01-01', rate: '1.1', createdBy: 'U0ADMIN01' });
    const b = await board();
    // €900.00 × 1.1 = $990.00.
    expect(b.dealMix!.byKind.renewal.headlineRevenueMinor).toBe(399_000n);
    expect(b.team.headlineRevenueMinor).toBe(844_000n);
    expect(mixText(renderBoard(b, { insights: [] }).blocks as Json[])).toContain('Renewal $3,990.00 (2 won, 1 lost)');
  });

  it('no renewals closed: no retention rate; no scored deal: no satisfaction column', async () => {
    await db().insert(workspaces).values({ teamId: TEAM, currency: 'USD', defaultTimeZone: 'UTC' });
    await db().insert(deals).values([row({ userId: ANA, kind: 'new', account: 'Acme', minor: 100_000n }), row({ userId: ANA, kind: 'new', account: null, minor: 1_000n })]);
    const b = await board();
    expect(b.dealMix).toMatchObject({ newCustomers: 2, retentionRate: null, satisfaction: { sum: 0, count: 0 } });
    const blocks = renderBoard(b, { insights: [] }).blocks as Json[];
    expect(mixText(blocks)).toBe('*Customers and deal kinds*\nNew customers: 2\nNew business $1,010.00 (2 won)');
    expect(table(blocks)[0]).not.toContain('Satisfaction');
  });

  it('a board with no deals has no deal-mix section', async () => {
    await db().insert(workspaces).values({ teamId: TEAM, currency: 'USD', defaultTimeZone: 'UTC' });
    await db().update(workspaces).set({ satisfactionScale: 'csat5' }).where(eq(workspaces.teamId, TEAM));
    const b = await board();
    expect(mixText(renderBoard(b, { insights: [] }).blocks as Json[])).toBeUndefined();
  });
});

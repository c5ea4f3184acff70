/**
 * What people see of currency conversion and the weighted activity score: the leaderboard message and CSV, the
 * personal summary and the Home tab. Boards are built through the metrics module's pure path (grouped rows ->
 * teamMetricsFromGroups -> boardFromMetrics), as the app builds them.
 *
 * Ana: $1,000.00 + €500.00 ×1.08 + €200.00 ×1.1 + ¥1,200,000 ×0.0067 = $1,000 + $540 + $220 + $8,040 = $9,800.00.
 * Cy:  €100.00 ×1.08 = $108.00, and £300.00 with no rate (named, never added).
 * Team: $9,908.00; per currency $1,000.00 · €800.00 · £300.00 · ¥1,200,000.
 */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_ACTIVITY_TYPES, type ActivityTypeDef } from '../../src/entries/activity-types.js';
import { boardFromMetrics } from '../../src/features/leaderboard/compute.js';
import { boardInsights } from '../../src/features/leaderboard/insights.js';
import { boardCsv, renderBoard } from '../../src/features/leaderboard/render.blocks.js';
import { homeView } from '../../src/features/summary/home.view.js';
import { personalStatsMessage } from '../../src/features/summary/stats.blocks.js';
import { callStats, personalObservations, type PersonalStats } from '../../src/features/summary/stats.js';
import { repMetrics, teamMetricsFromGroups, type TeamGroups } from '../../src/metrics/index.js';
import { blockKitProblems } from '../helpers/fake-slack.js';
import { FIXTURE_PERIOD } from '../helpers/board-fixture.js';

type Json = Record<string, any>;
const A = 'U0ANA0001';
const C = 'U0CY00001';

const won = (userId: string, currency: string, minor: bigint, rate: string | null = null) => ({
  userId,
  status: 'won' as const,
  currency,
  currentCount: 1,
  currentMinor: minor,
  previousCount: 0,
  previousMinor: 0n,
  rate,
});

function groups(ratesExist: boolean): TeamGroups {
  return {
    ratesExist,
    activities: [
      { userId: A, typeKey: 'call', current: 10, previous: null },
      { userId: A, typeKey: 'email', current: 4, previous: null },
      { userId: A, typeKey: 'meeting', current: 3, previous: null },
      { userId: C, typeKey: 'call', current: 2, previous: null },
    ],
    deals: [
      won(A, 'USD', 100_000n),
      won(A, 'EUR', 50_000n, ratesExist ? '1.080000000000' : null),
      won(A, 'EUR', 20_000n, ratesExist ? '1.100000000000' : null),
      won(A, 'JPY', 1_200_000n, ratesExist ? '0.006700000000' : null),
      won(C, 'EUR', 10_000n, ratesExist ? '1.080000000000' : null),
      won(C, 'GBP', 30_000n),
    ],
  };
}

function board(opts: { ratesExist: boolean; types?: ActivityTypeDef[] }) {
  const types = opts.types ?? BUILT_IN_ACTIVITY_TYPES;
  const metrics = teamMetricsFromGroups(groups(opts.ratesExist), { teamId: 'T1', currency: 'USD', types });
  const input = { teamId: 'T1', period: FIXTURE_PERIOD, currency: 'USD', types };
  return { metrics, board: boardFromMetrics(metrics, input, new Map([[A, 'Ana'], [C, 'Cy']])) };
}

const fieldTexts = (blocks: Json[]): string[] => blocks.flatMap((b) => (b.fields ?? []).map((f: Json) => f.text as string));
const contextTexts = (blocks: Json[]): string[] => blocks.filter((b) => b.type === 'context').flatMap((b) => b.elements.map((e: Json) => e.text as string));
const table = (blocks: Json[]): string[][] => (blocks.find((b) => b.type === 'table')!.rows as Json[][]).map((r) => r.map((c) => c.text as string));

describe('the leaderboard with exchange rates', () => {
  const { board: b } = board({ ratesExist: true });
  const message = renderBoard(b, { insights: boardInsights(b) });
  const blocks = message.blocks as Json[];

  it('one converted headline, labelled; the amount with no rate named under it', () => {
    const revenue = fieldTexts(blocks).find((t) => t.startsWith('*Revenue*'))!;
    expect(revenue.split('\n').slice(0, 3)).toEqual(['*Revenue* (converted to USD)', '$9,908.00', '+ £300.00 GBP not converted: no rate']);
    // Ratios on the converted headline: $9,908.00 / 5 deals in it; per activity $9,908.00 / 19.
    expect(fieldTexts(blocks)).toContain('*Average deal*\n$1,981.60');
    expect(fieldTexts(blocks)).toContain('*Revenue per activity*\n$521.47');
  });

  it('the per-currency amounts behind it in a context line', () => {
    expect(contextTexts(blocks)).toContain('Per currency: $1,000.00 · €800.00 · £300.00 · ¥1,200,000, converted at the rate in force on each deal’s close date.');
  });

  it('the table ranks on the converted headline and names what was not converted', () => {
    const rows = table(blocks);
    expect(rows[0]!.slice(0, 4)).toEqual(['#', 'Rep', 'Revenue (USD)', 'Won']);
    expect(rows[1]!.slice(1, 3)).toEqual(['Ana', '$9,800.00']);
    expect(rows[2]!.slice(1, 3)).toEqual(['Cy', '$108.00 + £300.00 GBP (no rate)']);
    expect(blockKitProblems(message.blocks, '/blocks', 50)).toEqual([]);
  });

  it('insights and the fallback never add the amount with no rate', () => {
    expect(message.text).toContain('$9,908.00 + £300.00 GBP (no rate) closed');
    const all = boardInsights(b).join('\n');
    expect(all).not.toContain('€');
    expect(all).toContain('$9,800.00');
  });

  it('the CSV keeps each currency’s own amounts, then the converted headline and what had no rate', () => {
    const rows = parse(boardCsv(b), { columns: true }) as Record<string, string>[];
    expect(rows[0]).toMatchObject({ Rep: 'Ana', 'Revenue (USD)': '1000.00', 'Revenue (EUR)': '700.00', 'Revenue (JPY)': '1200000', 'Revenue converted (USD)': '9800.00', 'Not converted (no rate)': '' });
    expect(rows[1]).toMatchObject({ Rep: 'Cy', 'Revenue (USD)': '0.00', 'Revenue (GBP)': '300.00', 'Revenue converted (USD)': '108.00', 'Not converted (no rate)': 'GBP 300.00' });
  });
});

describe('the leaderboard without exchange rates is as before', () => {
  const { board: b } = board({ ratesExist: false });
  const blocks = renderBoard(b, { insights: [] }).blocks as Json[];
  it('the headline is USD alone, other currencies beside it, never added; no per-currency line, no Score', () => {
    expect(fieldTexts(blocks).find((t) => t.startsWith('*Revenue*'))!.split('\n')[1]).toBe('$1,000.00 + €800.00 + £300.00 + ¥1,200,000');
    expect(contextTexts(blocks).some((t) => t.startsWith('Per currency'))).toBe(false);
    const rows = table(blocks);
    expect(rows[0]!.slice(0, 5)).toEqual(['#', 'Rep', 'Revenue', 'Won', 'Activities']);
    expect(rows[0]).not.toContain('Score');
    expect(fieldTexts(blocks)).toContain('*Activities*\n19\nnew this period');
  });
});

describe('the weighted activity score', () => {
  const weighted = BUILT_IN_ACTIVITY_TYPES.map((t) => (t.key === 'call' ? { ...t, weight: '1.5' } : t.key === 'meeting' ? { ...t, weight: '2.25' } : t));
  const { board: b, metrics } = board({ ratesExist: false, types: weighted });
  const blocks = renderBoard(b, { insights: [] }).blocks as Json[];

  it('shows beside the raw count on the board and in a Score column', () => {
    // Team: calls 12 × 1.5 + emails 4 + meetings 3 × 2.25 = 18 + 4 + 6.75 = 28.75.
    expect(fieldTexts(blocks)).toContain('*Activities*\n19 activities · score 28.75\nnew this period');
    const rows = table(blocks);
    const score = rows[0]!.indexOf('Score');
    expect(score).toBe(rows[0]!.indexOf('Activities') + 1);
    expect(rows[1]![score]).toBe('25.75'); // Ana: 15 + 4 + 6.75
    expect(rows[2]![score]).toBe('3'); // Cy: 2 × 1.5
    expect(parse(boardCsv(b), { columns: true })[0]).toMatchObject({ 'Activity score': '25.75' });
  });

  it('shows in the personal summary and on the Home tab', () => {
    const stats = personal(metrics, A, weighted);
    const text = JSON.stringify(personalStatsMessage(stats, []).blocks);
    expect(text).toContain('17 activities · score 25.75');
    const home = homeView({ weekLabel: 'This week', stats: stats.current, progress: [], recent: [], digest: 'off', digestIsDefault: true, types: weighted });
    expect(JSON.stringify(home.blocks)).toContain('*Activities*\\n17 activities · score 25.75');
  });
});

function personal(metrics: ReturnType<typeof teamMetricsFromGroups>, userId: string, types: ActivityTypeDef[]): PersonalStats {
  const rep = repMetrics(metrics, userId);
  const base = {
    teamId: 'T1',
    userId,
    name: 'Cy',
    currency: 'USD',
    period: FIXTURE_PERIOD,
    periodComplete: false,
    types,
    current: rep.current,
    previous: rep.previous,
    outcomes: [],
    calls: callStats([]),
    ranks: { activity: rep.ranks?.activity ?? null, revenue: rep.ranks?.revenue ?? null, teamSize: metrics.reps.length },
  };
  return { ...base, observations: personalObservations(base) };
}

describe('the personal summary and Home tab with exchange rates', () => {
  const { metrics } = board({ ratesExist: true });
  const stats = personal(metrics, C, BUILT_IN_ACTIVITY_TYPES);

  it('/my-stats: the converted headline labelled, the amount with no rate named, the amounts behind it', () => {
    const message = personalStatsMessage(stats, []);
    const revenue = fieldTexts(message.blocks as Json[]).find((t) => t.startsWith('*Revenue*'))!;
    expect(revenue).toBe('*Revenue* (converted to USD)\n$108.00\n+ £300.00 GBP not converted: no rate\nPer currency: €100.00 · £300.00\nnew this period');
    expect(stats.observations.join('\n')).toContain('$108.00 (converted to USD) and £300.00 GBP not converted (no rate) from 2 won deals');
    expect(blockKitProblems(message.blocks, '/blocks', 50)).toEqual([]);
  });

  it('the Home tab: the same, within its field', () => {
    const home = homeView({ weekLabel: 'This week', stats: stats.current, progress: [], recent: [], digest: 'off', digestIsDefault: true, types: BUILT_IN_ACTIVITY_TYPES });
    const numbers = (home.blocks as Json[]).find((b) => b.block_id === 'home_week_numbers')!;
    expect(numbers.fields[1].text).toBe('*Revenue won*\n$108.00 (converted to USD)\n+ £300.00 GBP not converted: no rate\n_Per currency: €100.00 · £300.00_');
  });

  it('without rates the Home tab lists each currency on its own, as before', () => {
    const plainStats = personal(board({ ratesExist: false }).metrics, C, BUILT_IN_ACTIVITY_TYPES);
    const home = homeView({ weekLabel: 'This week', stats: plainStats.current, progress: [], recent: [], digest: 'off', digestIsDefault: true, types: BUILT_IN_ACTIVITY_TYPES });
    const numbers = (home.blocks as Json[]).find((b) => b.block_id === 'home_week_numbers')!;
    expect(numbers.fields[1].text).toBe('*Revenue won*\n€100.00 + £300.00');
  });
});

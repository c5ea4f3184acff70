/**
 * Currency conversion in src/metrics against hand-computed totals, on both databases: each deal at the rate in force
 * on its close date (in the workspace's zone), a rate change inside the period, a currency with no rate (named, never
 * added), JPY (0 decimals), KWD (3) and EUR, half-up rounding once at the end, and ranks by the converted headline.
 * Plus the weighted activity score, exact.
 *
 * Reporting currency USD, zone America/New_York. Period: November 2026 (New York), previous: October.
 * Rates: EUR 1.08 from 2026-10-01 and 1.1 from 2026-11-15; JPY 0.0067 and KWD 3.25 from 2026-01-01; none for GBP.
 *
 * Ana (A): $1,000.00 + €500.00 (Nov 10, ×1.08 = $540.00) + €200.00 (Nov 20, ×1.1 = $220.00)
 *          + ¥1,200,000 (×0.0067 = $8,040.00) + KWD 1.250 (×3.25 = $4.0625)
 *          = 980,406.25 cents -> $9,804.06
 * Ben (B): $50.00 + KWD 1.250 ($4.0625) + ¥75 ($0.5025) = 5,456.5 cents -> $54.57 (rounded once: half-up);
 *          rounding each deal first would give $50.00 + $4.06 + $0.50 = $54.56.
 * Cy  (C): €100.00 closed 2026-11-15 03:00 UTC = Nov 14 22:00 in New York: ×1.08 (not 1.1) = $108.00;
 *          £300.00 with no GBP rate: not converted, named, never added.
 * Team: 980,406.25 + 5,456.5 + 10,800 = 996,662.75 cents -> $9,966.63; 9 deals in the headline (the GBP one not).
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { activities, deals, exchangeRates, workspaces } from '../../src/db/schema/index.js';
import { convertScaled, loadTeamMetrics, repMetrics, roundConverted, weightedScore, type SpanPair } from '../../src/metrics/index.js';
import { describeEachDb } from '../helpers/db.js';

const TEAM = 'T0CURRENCY';
const OTHER = 'T0NORATES1';
const A = 'U0ANA0001';
const B = 'U0BEN0001';
const C = 'U0CY00001';
const PERIOD: SpanPair = {
  current: { start: new Date('2026-11-01T04:00:00Z'), end: new Date('2026-12-01T05:00:00Z') },
  previous: { start: new Date('2026-10-01T04:00:00Z'), end: new Date('2026-11-01T04:00:00Z') },
};
const TYPES = [{ key: 'call' }, { key: 'email' }, { key: 'meeting' }];

const deal = (teamId: string, userId: string, minor: bigint, currency: string, at: string, status: 'won' | 'lost' = 'won') => ({
  teamId,
  userId,
  status,
  amountMinor: minor,
  currency,
  closedAt: new Date(at),
  source: 'import' as const,
});

describe('conversion arithmetic (pure)', () => {
  it('converts exactly across minor digits and rounds once', () => {
    // ¥1,200,000 × 0.0067 = $8,040.00; KWD 1.250 × 3.25 = $4.0625; €500.00 × 1.08 = $540.00.
    expect(roundConverted(convertScaled(1_200_000n, 'JPY', 'USD', '0.0067'))).toBe(804_000n);
    expect(roundConverted(convertScaled(1_250n, 'KWD', 'USD', '3.25'))).toBe(406n);
    expect(roundConverted(convertScaled(50_000n, 'EUR', 'USD', '1.080000000000'))).toBe(54_000n);
    // Into a currency with fewer digits: $1.50 at 150.5 JPY per USD = ¥225.75 -> ¥226; into KWD: €1.00 × 0.3301 = KWD 0.3301 -> 0.330.
    expect(roundConverted(convertScaled(150n, 'USD', 'JPY', '150.5'))).toBe(226n);
    expect(roundConverted(convertScaled(100n, 'EUR', 'KWD', '0.3301'))).toBe(330n);
    // Half-up once: 406.25 + 50.25 = 456.5 -> 457, where rounding each gives 406 + 50 = 456.
    const once = roundConverted(convertScaled(1_250n, 'KWD', 'USD', '3.25') + convertScaled(75n, 'JPY', 'USD', '0.0067'));
    expect(once).toBe(457n);
    // 12 decimals, no float: 1 × 0.000000000001 EUR -> tiny, rounds to 0; 10^12 cents × it = 1 cent.
    expect(roundConverted(convertScaled(1_000_000_000_000n, 'EUR', 'USD', '0.000000000001'))).toBe(1n);
  });

  it('the weighted score is exact and only when some type weighs other than 1', () => {
    const types = [{ key: 'call', weight: '1.5' }, { key: 'email' }, { key: 'meeting', weight: '2.25' }];
    expect(weightedScore({ call: 10, email: 4, meeting: 3 }, types)).toBe('25.75');
    expect(weightedScore({ call: 10, email: 4, old: 2 }, types)).toBe('21');
    expect(weightedScore({ call: 10 }, [{ key: 'call', weight: '1.00' }, { key: 'email' }])).toBeUndefined();
    // 0.1 × 3 in floats is 0.30000000000000004; here it is 0.3.
    expect(weightedScore({ call: 3 }, [{ key: 'call', weight: '0.1' }])).toBe('0.3');
  });
});

describeEachDb('currency conversion in the team metrics', (getDb) => {
  const db = () => getDb().database.db;

  async function seed(): Promise<void> {
    await db().insert(workspaces).values([
      { teamId: TEAM, currency: 'USD', defaultTimeZone: 'America/New_York' },
      { teamId: OTHER, currency: 'USD', defaultTimeZone: 'America/New_York' },
    ]);
    const rate = (currency: string, effectiveOn: string, value: string) => ({ teamId: TEAM, currency, effectiveOn, rate: value, createdBy: 'U0ADMIN01' });
    await db()
      .insert(exchangeRates)
      .values([rate('EUR', '2026-10-01', '1.08'), rate('EUR', '2026-11-15', '1.1'), rate('JPY', '2026-01-01', '0.0067'), rate('KWD', '2026-01-01', '3.25')]);
    const rows = (teamId: string) => [
      deal(teamId, A, 100_000n, 'USD', '2026-11-03T15:00:00Z'),
      deal(teamId, A, 50_000n, 'EUR', '2026-11-10T15:00:00Z'),
      deal(teamId, A, 20_000n, 'EUR', '2026-11-20T15:00:00Z'),
      deal(teamId, A, 1_200_000n, 'JPY', '2026-11-05T15:00:00Z'),
      deal(teamId, A, 1_250n, 'KWD', '2026-11-06T15:00:00Z'),
      deal(teamId, B, 5_000n, 'USD', '2026-11-04T15:00:00Z'),
      deal(teamId, B, 1_250n, 'KWD', '2026-11-07T15:00:00Z'),
      deal(teamId, B, 75n, 'JPY', '2026-11-08T15:00:00Z'),
      deal(teamId, B, 999_999n, 'EUR', '2026-11-09T15:00:00Z', 'lost'),
      deal(teamId, C, 10_000n, 'EUR', '2026-11-15T03:00:00Z'),
      deal(teamId, C, 30_000n, 'GBP', '2026-11-12T15:00:00Z'),
      // October: €1,000.00 on Oct 1 in New York (04:30 UTC) at 1.08 = $1,080.00 for Ana's previous period.
      deal(teamId, A, 100_000n, 'EUR', '2026-10-01T04:30:00Z'),
    ];
    await db().insert(deals).values([...rows(TEAM), ...rows(OTHER)]);
    await db()
      .insert(activities)
      .values([
        { teamId: TEAM, userId: A, typeKey: 'call', quantity: 10, occurredAt: new Date('2026-11-03T15:00:00Z'), source: 'import' },
        { teamId: TEAM, userId: A, typeKey: 'email', quantity: 4, occurredAt: new Date('2026-11-03T15:00:00Z'), source: 'import' },
        { teamId: TEAM, userId: A, typeKey: 'meeting', quantity: 3, occurredAt: new Date('2026-11-03T15:00:00Z'), source: 'import' },
      ]);
  }

  it('converts each deal at the rate in force on its close date, rounds once, names the currency with no rate', async () => {
    await seed();
    const m = await loadTeamMetrics(db(), { teamId: TEAM, period: PERIOD, currency: 'USD', types: TYPES });
    expect(m.converting).toBe(true);
    const ana = repMetrics(m, A).current;
    const ben = repMetrics(m, B).current;
    const cy = repMetrics(m, C).current;

    expect(ana.headlineRevenueMinor).toBe(980_406n);
    expect(ana.headlineWon).toBe(5);
    expect(ana.conversion).toEqual({
      currency: 'USD',
      converted: [
        { currency: 'EUR', minor: 70_000n },
        { currency: 'JPY', minor: 1_200_000n },
        { currency: 'KWD', minor: 1_250n },
      ],
      unconverted: [],
    });
    // The per-currency amounts stay, headline first.
    expect(ana.revenue).toEqual([
      { currency: 'USD', minor: 100_000n },
      { currency: 'EUR', minor: 70_000n },
      { currency: 'JPY', minor: 1_200_000n },
      { currency: 'KWD', minor: 1_250n },
    ]);
    // Ratios on the converted headline: 980,406 / 5 = 196,081.2 -> 196,081; per activity 980,406 / 17 = 57,670.94 -> 57,671.
    expect(ana.averageDealMinor).toBe(196_081n);
    expect(ana.revenuePerActivityMinor).toBe(57_671n);

    expect(ben.headlineRevenueMinor).toBe(5_457n);
    expect(ben.winRate).toBe(3 / 4);

    expect(cy.headlineRevenueMinor).toBe(10_800n);
    expect(cy.headlineWon).toBe(1);
    expect(cy.won).toBe(2);
    expect(cy.conversion?.unconverted).toEqual([{ currency: 'GBP', minor: 30_000n }]);
    expect(cy.conversion?.converted).toEqual([{ currency: 'EUR', minor: 10_000n }]);

    expect(m.team.headlineRevenueMinor).toBe(996_663n);
    expect(m.team.headlineWon).toBe(9);
    expect(m.team.won).toBe(10);
    expect(m.team.conversion?.unconverted).toEqual([{ currency: 'GBP', minor: 30_000n }]);
    expect(m.team.averageDealMinor).toBe(110_740n); // 996,663 / 9 = 110,740.33

    // Ranks and medians on the converted headline: Cy ($108.00) above Ben ($54.57), though Ben has more USD.
    expect(repMetrics(m, A).ranks?.revenue).toBe(1);
    expect(repMetrics(m, C).ranks?.revenue).toBe(2);
    expect(repMetrics(m, B).ranks?.revenue).toBe(3);
    expect(m.medians.headlineRevenueMinor).toBe(10_800n);

    // The previous period converts too: €1,000.00 on Oct 1 (New York) at 1.08.
    expect(repMetrics(m, A).previous.headlineRevenueMinor).toBe(108_000n);

    // The weighted score only with weights: none here.
    expect(ana.activityScore).toBeUndefined();
  });

  it('a rate added later changes the totals at once; a rate removed sends the deals back to "not converted"', async () => {
    await seed();
    await db().insert(exchangeRates).values({ teamId: TEAM, currency: 'GBP', effectiveOn: '2026-11-12', rate: '1.27', createdBy: 'U0ADMIN01' });
    let m = await loadTeamMetrics(db(), { teamId: TEAM, period: PERIOD, currency: 'USD', types: TYPES });
    // £300.00 × 1.27 = $381.00.
    expect(repMetrics(m, C).current.headlineRevenueMinor).toBe(10_800n + 38_100n);
    expect(repMetrics(m, C).current.conversion?.unconverted).toEqual([]);
    await db().delete(exchangeRates).where(eq(exchangeRates.currency, 'KWD'));
    m = await loadTeamMetrics(db(), { teamId: TEAM, period: PERIOD, currency: 'USD', types: TYPES });
    // Ben: $50.00 + ¥75 ($0.5025) = 5,050.25 -> 5,050; KWD 1.250 named, not added.
    expect(repMetrics(m, B).current.headlineRevenueMinor).toBe(5_050n);
    expect(repMetrics(m, B).current.conversion?.unconverted).toEqual([{ currency: 'KWD', minor: 1_250n }]);
  });

  it('a deal closed before the first rate of its currency (in the workspace zone) is not converted', async () => {
    await seed();
    await db().update(exchangeRates).set({ effectiveOn: '2026-10-02' }).where(eq(exchangeRates.effectiveOn, '2026-10-01'));
    // Oct 2 03:00 UTC is still Oct 1 in New York: before the first EUR rate (from Oct 2).
    await db().insert(deals).values(deal(TEAM, B, 40_000n, 'EUR', '2026-10-02T03:00:00Z'));
    const m = await loadTeamMetrics(db(), { teamId: TEAM, period: PERIOD, currency: 'USD', types: TYPES });
    expect(repMetrics(m, B).previous.headlineRevenueMinor).toBe(0n);
    expect(repMetrics(m, B).previous.conversion?.unconverted).toEqual([{ currency: 'EUR', minor: 40_000n }]);
    expect(repMetrics(m, A).previous.conversion?.unconverted).toEqual([{ currency: 'EUR', minor: 100_000n }]);
    expect(m.previousTeam.conversion?.unconverted).toEqual([{ currency: 'EUR', minor: 140_000n }]);
  });

  it('without any rate, nothing changes: the headline is the workspace currency alone, other currencies beside it', async () => {
    await seed();
    const m = await loadTeamMetrics(db(), { teamId: OTHER, period: PERIOD, currency: 'USD', types: TYPES });
    expect(m.converting).toBe(false);
    const ben = repMetrics(m, B).current;
    expect(ben.headlineRevenueMinor).toBe(5_000n);
    expect(ben.headlineWon).toBe(1);
    expect('conversion' in ben).toBe(false);
    // Ranks by USD alone: Ben ($50.00) above Cy ($0).
    expect(repMetrics(m, B).ranks!.revenue).toBeLessThan(repMetrics(m, C).ranks!.revenue);
    expect(m.team.headlineRevenueMinor).toBe(105_000n);
  });

  it('the weighted activity score, exact, beside the raw count', async () => {
    await seed();
    const weighted = [{ key: 'call', weight: '1.5' }, { key: 'email' }, { key: 'meeting', weight: '2.25' }];
    const m = await loadTeamMetrics(db(), { teamId: TEAM, period: PERIOD, currency: 'USD', types: weighted });
    // 10 × 1.5 + 4 × 1 + 3 × 2.25 = 25.75
    expect(repMetrics(m, A).current.activities).toBe(17);
    expect(repMetrics(m, A).current.activityScore).toBe('25.75');
    expect(m.team.activityScore).toBe('25.75');
    expect(repMetrics(m, B).current.activityScore).toBe('0');
  });
});

/**
 * The deal mix of a rep or a team in a period: revenue and counts by kind (new business, expansion, renewal), new
 * customers acquired, the renewal retention rate and the average customer satisfaction. Built from the same grouped
 * deal rows as the totals (team-groups.ts: the groups are split by kind too, and carry the satisfaction sums and the
 * accounts of won new business), so a board still reads its deals in one query. Money goes through addDeals and
 * totalsFrom: per kind, the same headline (converted with exchange rates, else the headline currency with the
 * others beside it) as the board's revenue.
 */
import type { Money } from '../lib/money.js';
import { DEAL_KINDS, type DealKind } from '../db/schema/index.js';
import { addDeals, emptyTotalsInput, totalsFrom, type GroupConversion, type TotalsInput } from './totals.js';
import type { RevenueConversion } from './types.js';

/** One kind's deals: won and lost counts and won revenue, in the board's headline like Totals. */
export interface KindTotals {
  won: number;
  lost: number;
  revenue: Money[];
  headlineRevenueMinor: bigint;
  conversion?: RevenueConversion;
}

export interface DealMix {
  byKind: Record<DealKind, KindTotals>;
  /** Distinct accounts among the won new-business deals (matched like account_key); a deal without an account counts one. */
  newCustomers: number;
  /** Renewals won ÷ (renewals won + renewals lost), 0..1; null when no renewal closed. */
  retentionRate: number | null;
  /** Scores on the workspace's current scale only (count 0: none); a deal without a score is not counted at all. */
  satisfaction: { sum: number; count: number };
}

/** What one grouped deal row adds to a mix (see DealGroup). */
export interface DealMixGroup {
  status: 'won' | 'lost';
  currency: string | null;
  /** Absent: new business. */
  kind?: DealKind;
  currentCount: number;
  currentMinor: bigint;
  /** The current period's satisfaction scores on the workspace's scale: their sum and how many. */
  scoreSum?: number;
  scoreCount?: number;
  /** Won new business of the current period: the distinct account keys, and the deals without an account. */
  newAccounts?: readonly string[];
  newWithoutAccount?: number;
}

export interface DealMixInput {
  kinds: Map<DealKind, TotalsInput>;
  newAccounts: Set<string>;
  newWithoutAccount: number;
  scoreSum: number;
  scoreCount: number;
}

export function emptyDealMixInput(converting = false): DealMixInput {
  return { kinds: new Map(DEAL_KINDS.map((k) => [k, emptyTotalsInput(converting)])), newAccounts: new Set(), newWithoutAccount: 0, scoreSum: 0, scoreCount: 0 };
}

/** Add one group's current period (the conversion as for the totals: the reporting currency and the group's rate). */
export function addDealMix(into: DealMixInput, g: DealMixGroup, conversion?: GroupConversion): void {
  addDeals(into.kinds.get(g.kind ?? 'new')!, g.status, g.currency, g.currentCount, g.currentMinor, conversion);
  into.scoreSum += g.scoreSum ?? 0;
  into.scoreCount += g.scoreCount ?? 0;
  for (const account of g.newAccounts ?? []) into.newAccounts.add(account);
  into.newWithoutAccount += g.newWithoutAccount ?? 0;
}

export function dealMixFrom(input: DealMixInput, headline: string): DealMix {
  const byKind = {} as Record<DealKind, KindTotals>;
  for (const kind of DEAL_KINDS) {
    const t = totalsFrom(input.kinds.get(kind)!, headline);
    byKind[kind] = {
      won: t.won,
      lost: t.lost,
      revenue: t.revenue,
      headlineRevenueMinor: t.headlineRevenueMinor,
      ...(t.conversion ? { conversion: t.conversion } : {}),
    };
  }
  const renewals = byKind.renewal.won + byKind.renewal.lost;
  return {
    byKind,
    newCustomers: input.newAccounts.size + input.newWithoutAccount,
    retentionRate: renewals > 0 ? byKind.renewal.won / renewals : null,
    satisfaction: { sum: input.scoreSum, count: input.scoreCount },
  };
}

/** The team's mix and each rep's (only reps with deals in the current period), from the grouped deal rows. */
export function dealMixesOf(deals: readonly (DealMixGroup & { userId: string; rate?: string | null })[], headline: string, converting: boolean): { team: DealMix; byUser: Map<string, DealMix> } {
  const team = emptyDealMixInput(converting);
  const byUser = new Map<string, DealMixInput>();
  for (const g of deals) {
    if (g.currentCount === 0) continue;
    const conversion = converting ? { reporting: headline, rate: g.rate ?? null } : undefined;
    let rep = byUser.get(g.userId);
    if (!rep) {
      rep = emptyDealMixInput(converting);
      byUser.set(g.userId, rep);
    }
    addDealMix(rep, g, conversion);
    addDealMix(team, g, conversion);
  }
  return { team: dealMixFrom(team, headline), byUser: new Map([...byUser].map(([userId, input]) => [userId, dealMixFrom(input, headline)])) };
}

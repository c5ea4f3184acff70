/**
 * The summary export: the leaderboard's per-rep numbers (the board /leaderboard computes, through the metrics
 * module) as a table, pure. Money as exact decimals: one column per currency, never added across currencies; when
 * the workspace has exchange rates, the converted headline beside them, and the currencies that had no rate named.
 */
import type { loadBoard } from '../../leaderboard/index.js';
import { minorToDecimal, type Money } from '../../../lib/money.js';

type Cell = string | number | null;
type Board = Awaited<ReturnType<typeof loadBoard>>;

export interface Table {
  header: string[];
  rows: Cell[][];
}

function byCurrency(revenue: readonly Money[]): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const m of revenue) out.set(m.currency.toUpperCase(), (out.get(m.currency.toUpperCase()) ?? 0n) + m.minor);
  return out;
}

export function summaryTable(board: Board): Table {
  const headline = board.currency.toUpperCase();
  const others = new Set<string>();
  for (const r of board.reps) for (const m of r.revenue) if (m.currency.toUpperCase() !== headline) others.add(m.currency.toUpperCase());
  const currencies = [headline, ...[...others].sort()];
  const converting = board.team.conversion !== undefined;
  const scored = board.reps.some((r) => r.activityScore !== undefined);
  const targets = board.reps.some((r) => r.targetPercent !== undefined && r.targetPercent !== null);
  const typeKeys = board.types.map((t) => t.key);
  for (const r of board.reps) for (const k of Object.keys(r.activitiesByType)) if (!typeKeys.includes(k)) typeKeys.push(k);

  const money = (minor: bigint | null, code: string) => (minor === null ? null : minorToDecimal(minor, code));
  const header = [
    'position',
    'rep_id',
    'rep_name',
    'revenue_rank',
    'activity_rank',
    'activities',
    ...typeKeys.map((k) => `activities_${k}`),
    ...(scored ? ['activity_score'] : []),
    'deals_won',
    'deals_lost',
    'win_rate_percent',
    ...currencies.map((c) => `revenue_${c}`),
    ...(converting ? [`revenue_converted_${headline}`, 'currencies_without_rate'] : []),
    `average_deal_${headline}`,
    `revenue_per_activity_${headline}`,
    'previous_activities',
    `previous_revenue_${headline}${converting ? '_converted' : ''}`,
    ...(targets ? ['target_percent'] : []),
  ];
  const rows = board.reps.map((r, i): Cell[] => {
    const amounts = byCurrency(r.revenue);
    return [
      i + 1,
      r.userId,
      r.name,
      r.revenueRank,
      r.activityRank,
      r.activities,
      ...typeKeys.map((k) => r.activitiesByType[k] ?? 0),
      ...(scored ? [r.activityScore ?? null] : []),
      r.won,
      r.lost,
      r.winRate === null ? null : (r.winRate * 100).toFixed(1),
      ...currencies.map((c) => minorToDecimal(amounts.get(c) ?? 0n, c)),
      ...(converting
        ? [
            money(r.headlineRevenueMinor, headline),
            (r.conversion?.unconverted ?? [])
              .map((m) => m.currency.toUpperCase())
              .sort()
              .join(' '),
          ]
        : []),
      money(r.averageDealMinor, headline),
      money(r.revenuePerActivityMinor, headline),
      r.previous.activities,
      money(r.previous.headlineRevenueMinor, headline),
      ...(targets ? [r.targetPercent ?? null] : []),
    ];
  });
  return { header, rows };
}

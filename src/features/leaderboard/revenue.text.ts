/**
 * Revenue and activity in words, for the leaderboard and the personal summaries alike (pure, plain text: callers
 * escape for mrkdwn where needed; amounts and codes hold nothing to escape).
 *
 * Without exchange rates, every currency stands on its own: "$40,000.00 + €9,000.00", never added. With them
 * (Totals.conversion), one converted headline labelled as such, "$48,210.00 (converted to USD)", the per-currency
 * amounts beside it, and any amount with no rate named separately: "+ ¥1,200,000 JPY not converted: no rate".
 */
import { formatMoney } from '../../lib/money.js';
import type { Totals } from '../../metrics/index.js';

type RevenueTotals = Pick<Totals, 'revenue' | 'headlineRevenueMinor' | 'conversion'>;

/** Whether the headline holds amounts converted from other currencies (then it is labelled as converted). */
export function isConverted(totals: Pick<Totals, 'conversion'>): boolean {
  return (totals.conversion?.converted.length ?? 0) > 0;
}

/** "(converted to USD)" when the headline holds converted amounts, else "". */
export function convertedLabel(totals: Pick<Totals, 'conversion'>, currency: string): string {
  return isConverted(totals) ? `(converted to ${currency.toUpperCase()})` : '';
}

/** The headline figure with its label: "$48,210.00 (converted to USD)", or just "$40,000.00". */
export function headlineText(totals: RevenueTotals, currency: string): string {
  const label = convertedLabel(totals, currency);
  return `${formatMoney({ minor: totals.headlineRevenueMinor, currency })}${label ? ` ${label}` : ''}`;
}

/** Each amount with no rate, named: ["+ ¥1,200,000 JPY not converted: no rate"]. Empty without rates or when all converted. */
export function unconvertedLines(totals: Pick<Totals, 'conversion'>): string[] {
  return (totals.conversion?.unconverted ?? []).map((m) => `+ ${formatMoney(m)} ${m.currency} not converted: no rate`);
}

/**
 * "Per currency: $40,000.00 · €7,000.00 · ¥1,200,000": the amounts behind a converted headline, when there is more
 * than the headline's own currency; undefined otherwise (and always without exchange rates).
 */
export function perCurrencyText(totals: RevenueTotals, currency: string): string | undefined {
  if (!totals.conversion) return undefined;
  const amounts = totals.revenue.filter((m) => m.minor !== 0n);
  if (amounts.length === 0 || amounts.every((m) => m.currency.toUpperCase() === currency.toUpperCase())) return undefined;
  return `Per currency: ${amounts.map(formatMoney).join(' · ')}`;
}

/**
 * Revenue on one line. Without rates: the headline currency, then every other currency beside it, never added
 * ("$40,000.00 + €9,000.00"). With rates: the converted headline, then each amount with no rate, named
 * ("$48,210.00 + ¥1,200,000 JPY (no rate)").
 */
export function formatRevenue(totals: RevenueTotals, currency: string): string {
  const headline = formatMoney({ minor: totals.headlineRevenueMinor, currency });
  if (totals.conversion) {
    return [headline, ...totals.conversion.unconverted.map((m) => `${formatMoney(m)} ${m.currency} (no rate)`)].join(' + ');
  }
  const others = totals.revenue.filter((m) => m.currency.toUpperCase() !== currency.toUpperCase() && m.minor !== 0n);
  return [headline, ...others.map(formatMoney)].join(' + ');
}

/** "42 activities · score 57.5" when a weighted score applies, else "42 activities" (or "1 activity"). */
export function activitiesWithScore(totals: Pick<Totals, 'activities' | 'activityScore'>): string {
  const count = `${totals.activities.toLocaleString('en-US')} ${totals.activities === 1 ? 'activity' : 'activities'}`;
  return totals.activityScore === undefined ? count : `${count} · score ${formatScore(totals.activityScore)}`;
}

/** An exact decimal score with thousands separators: "1,234.5". */
export function formatScore(score: string): string {
  const [whole, frac] = score.split('.');
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac ? `${grouped}.${frac}` : grouped;
}

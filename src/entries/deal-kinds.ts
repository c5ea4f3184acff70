/**
 * Deal kinds (new business, expansion, renewal) and customer satisfaction scores: their names and how a value sent
 * by a CRM, a survey tool or a file is read. Pure; shared by the webhook, the CSV import, the form and the board.
 */
import { DEAL_KINDS, SATISFACTION_SCALES, type DealKind, type SatisfactionScale } from '../db/schema/index.js';

export { DEAL_KINDS, SATISFACTION_SCALES, type DealKind, type SatisfactionScale };

/** How a kind reads in a sentence's start or a label: "New business", "Expansion", "Renewal". */
export const DEAL_KIND_LABEL: Record<DealKind, string> = { new: 'New business', expansion: 'Expansion', renewal: 'Renewal' };

/**
 * A kind as a CRM or a file writes it: `new`, `expansion` or `renewal`, any case, with `new business` /
 * `new_business` / `newbusiness` (HubSpot's value) for new. Undefined for anything else.
 */
export function readDealKind(text: string): DealKind | undefined {
  const key = text.trim().toLowerCase().replace(/[\s_-]+/g, '');
  if (key === 'newbusiness') return 'new';
  return (DEAL_KINDS as readonly string[]).includes(key) ? (key as DealKind) : undefined;
}

/** The words a message lists when a kind is not one of them. */
export const DEAL_KIND_CHOICES = '"new", "expansion" or "renewal"';

/** Each scale's range (whole numbers, both ends included) and short name. */
export const SATISFACTION_SCALE_INFO: Record<SatisfactionScale, { min: number; max: number; name: string; description: string }> = {
  csat5: { min: 1, max: 5, name: 'CSAT', description: 'CSAT, 1 to 5' },
  nps10: { min: 0, max: 10, name: 'NPS', description: 'NPS, 0 to 10' },
};

/**
 * A satisfaction score as sent (a JSON number or a string of digits) on the workspace's scale: the whole number, or
 * a message completing "satisfaction ..." that says what is accepted.
 */
export function readSatisfaction(value: unknown, scale: SatisfactionScale): { score: number } | { error: string } {
  const { min, max, description } = SATISFACTION_SCALE_INFO[scale];
  const range = `a whole number from ${min} to ${max} (the workspace scores satisfaction as ${description})`;
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : undefined;
  if (text === undefined) return { error: `must be ${range}` };
  if (!/^\d+$/.test(text)) return { error: `${JSON.stringify(text.slice(0, 40))} is not ${range}` };
  const score = Number(text);
  if (score < min || score > max) return { error: `${text} is out of range: use ${range}` };
  return { score };
}

/** "4.5 CSAT · 2 deals": an average score to one decimal ("4 CSAT" when whole) and how many scored deals it covers. */
export function satisfactionText(average: { sum: number; count: number }, scale: SatisfactionScale): string {
  const tenths = Math.round((average.sum * 10) / average.count);
  const shown = tenths % 10 === 0 ? String(tenths / 10) : (tenths / 10).toFixed(1);
  return `${shown} ${SATISFACTION_SCALE_INFO[scale].name} · ${average.count} deal${average.count === 1 ? '' : 's'}`;
}

/**
 * The board's deal kinds, customers and satisfaction (metrics/deal-mix.ts). Pure: a Board in, Block Kit out.
 *
 *   section   "*Customers and deal kinds*": new customers acquired, the renewal retention rate when renewals
 *             closed, the team's average satisfaction, and revenue by kind (in the board's headline, like its revenue)
 *   table     a "Satisfaction" column beside revenue when some shown rep has a scored deal: "4.5 CSAT · 2 deals"
 *
 * Averages cover only the deals with a score on the workspace's current scale; a deal without one never counts as 0.
 * All text is the app's own (numbers, money, kind names): nothing to escape.
 */
import { DEAL_KIND_LABEL, DEAL_KINDS, satisfactionText } from '../../entries/deal-kinds.js';
import type { DealMix } from '../../metrics/index.js';
import type { KnownBlock } from '../../slack/blocks.js';
import { truncate } from '../../slack/text.js';
import { formatRevenue } from './revenue.text.js';
import type { Board, RepStats } from './types.js';

const DASH = '–';

function count(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}

/** "4.5 CSAT · 2 deals", or undefined without a scored deal. */
function satisfactionOf(mix: DealMix | undefined, board: Board): string | undefined {
  if (!mix || mix.satisfaction.count === 0 || !board.satisfactionScale) return undefined;
  return satisfactionText(mix.satisfaction, board.satisfactionScale);
}

/** Whether the table gets a "Satisfaction" column: some shown rep has a scored deal this period. */
export function hasSatisfactionColumn(board: Board, shown: readonly RepStats[]): boolean {
  return shown.some((r) => satisfactionOf(r.dealMix, board) !== undefined);
}

/** A rep's "Satisfaction" cell: "4.5 CSAT · 2 deals", or a dash when none of their deals was scored. */
export function satisfactionCell(board: Board, rep: RepStats): string {
  return satisfactionOf(rep.dealMix, board) ?? DASH;
}

/** The team's line of kinds and customers, or nothing when no deal closed this period. */
export function dealMixBlocks(board: Board): KnownBlock[] {
  const mix = board.dealMix;
  if (!mix) return [];
  const closed = DEAL_KINDS.filter((k) => mix.byKind[k].won + mix.byKind[k].lost > 0);
  if (closed.length === 0) return [];
  const headline = [`New customers: ${mix.newCustomers.toLocaleString('en-US')}`];
  const renewal = mix.byKind.renewal;
  if (mix.retentionRate !== null) {
    headline.push(`Retention: ${Math.round(mix.retentionRate * 100)}% (${renewal.won} of ${count(renewal.won + renewal.lost, 'renewal')} won)`);
  }
  const satisfaction = satisfactionOf(mix, board);
  if (satisfaction) headline.push(`Satisfaction: ${satisfaction}`);
  const byKind = closed.map((k) => {
    const t = mix.byKind[k];
    const deals = t.lost > 0 ? `${t.won} won, ${t.lost} lost` : `${t.won} won`;
    return `${DEAL_KIND_LABEL[k]} ${formatRevenue(t, board.currency)} (${deals})`;
  });
  const text = ['*Customers and deal kinds*', headline.join(' · '), byKind.join(' · ')].join('\n');
  return [{ type: 'section', block_id: 'leaderboard_deal_mix', text: { type: 'mrkdwn', text: truncate(text, 3000) } }];
}

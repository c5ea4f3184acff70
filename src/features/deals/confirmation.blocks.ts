import { formatMoney, type Money } from '../../lib/money.js';
import type { Message } from '../../slack/blocks.js';
import { escapeMrkdwn, truncate } from '../../slack/text.js';
import { dayWords } from '../../entries/describe.js';

export const DEAL_UNDO = 'deal_undo';
export const DEAL_EDIT = 'deal_edit';

export interface DealSummary {
  id: string;
  status: 'won' | 'lost';
  amountMinor: bigint | null;
  currency: string | null;
  account: string | null;
  closedAt: Date;
  notes: string | null;
}

export interface MonthTotals {
  /** Won revenue this month, per currency (the workspace currency first). */
  revenue: Money[];
  won: number;
  lost: number;
}

function amountOf(d: Pick<DealSummary, 'amountMinor' | 'currency'>): string | null {
  return d.amountMinor !== null && d.currency ? formatMoney({ minor: d.amountMinor, currency: d.currency }) : null;
}

/** "a won deal: Acme Corp, $12,500.00": the plain words for what was stored. */
export function describeDeal(d: DealSummary, now: Date, timeZone: string): string {
  const parts = [d.account, amountOf(d)].filter(Boolean).join(', ');
  const when = dayWords(d.closedAt, now, timeZone);
  return `a ${d.status} deal${parts ? `: ${parts}` : ''}${when === 'today' ? '' : ` (closed ${when})`}`;
}

export function monthLine(totals: MonthTotals): string {
  const lost = totals.lost ? ` (${totals.lost} lost)` : '';
  if (totals.won === 0) return `This month: no won deals yet${lost}.`;
  const revenue = totals.revenue.map(formatMoney).join(' + ');
  return `This month: ${revenue} from ${totals.won} won deal${totals.won === 1 ? '' : 's'}${lost}.`;
}

export function dealConfirmation(input: { deal: DealSummary; totals: MonthTotals; now: Date; timeZone: string; verb?: 'Logged' | 'Updated' }): Message {
  const { deal, totals, now, timeZone } = input;
  const headline = `${input.verb ?? 'Logged'} ${describeDeal(deal, now, timeZone)}`;
  const emoji = deal.status === 'won' ? ':moneybag:' : ':white_check_mark:';
  const lines = [`${emoji} ${escapeMrkdwn(headline)}`];
  if (deal.notes) lines.push(`> ${escapeMrkdwn(truncate(deal.notes, 2500)).replace(/\n/g, '\n> ')}`);
  return {
    text: `${escapeMrkdwn(headline)}. ${monthLine(totals)}`,
    blocks: [
      { type: 'section', block_id: 'deal_logged', text: { type: 'mrkdwn', text: truncate(lines.join('\n'), 3000) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: monthLine(totals) }] },
      {
        type: 'actions',
        block_id: 'deal_actions',
        elements: [
          { type: 'button', action_id: DEAL_UNDO, text: { type: 'plain_text', text: 'Undo' }, value: deal.id },
          { type: 'button', action_id: DEAL_EDIT, text: { type: 'plain_text', text: 'Edit' }, value: deal.id },
        ],
      },
    ],
  };
}

export function dealUndoneMessage(input: { deal: DealSummary; totals: MonthTotals; now: Date; timeZone: string }): Message {
  const headline = `Undone: ${describeDeal(input.deal, input.now, input.timeZone)} removed`;
  return {
    text: `${escapeMrkdwn(headline)}. ${monthLine(input.totals)}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `:wastebasket: ${escapeMrkdwn(headline)}.` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: monthLine(input.totals) }] },
    ],
  };
}

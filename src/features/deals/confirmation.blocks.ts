import { formatMoney, type Money } from '../../lib/money.js';
import type { Message } from '../../slack/blocks.js';
import { escapeMrkdwn, truncate } from '../../slack/text.js';
import { dayWords } from '../../entries/describe.js';
import { mention } from '../../entries/on-behalf.js';
import { DEAL_KIND_LABEL, type DealKind } from '../../entries/deal-kinds.js';

export const DEAL_UNDO = 'deal_undo';
export const DEAL_EDIT = 'deal_edit';

export interface DealSummary {
  id: string;
  status: 'won' | 'lost';
  /** Absent or new: "a won deal"; otherwise the kind names it: "a won renewal". */
  kind?: DealKind;
  amountMinor: bigint | null;
  currency: string | null;
  account: string | null;
  closedAt: Date;
  notes: string | null;
  /** Whose deal it is, and who logged it on their behalf (if someone did). */
  userId?: string;
  loggedBy?: string | null;
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

/** "a won deal: Acme Corp, $12,500.00" ("a won renewal: …" for a deal of another kind): the plain words for what was stored. */
export function describeDeal(d: DealSummary, now: Date, timeZone: string): string {
  const parts = [d.account, amountOf(d)].filter(Boolean).join(', ');
  const when = dayWords(d.closedAt, now, timeZone);
  const noun = d.kind && d.kind !== 'new' ? DEAL_KIND_LABEL[d.kind].toLowerCase() : 'deal';
  return `a ${d.status} ${noun}${parts ? `: ${parts}` : ''}${when === 'today' ? '' : ` (closed ${when})`}`;
}

/** The month's totals; `owner`: whose they are, when the reader is someone else (logged on their behalf). */
export function monthLine(totals: MonthTotals, owner?: string): string {
  const lost = totals.lost ? ` (${totals.lost} lost)` : '';
  const month = owner ? `This month for ${mention(owner)}` : 'This month';
  if (totals.won === 0) return `${month}: no won deals yet${lost}.`;
  const revenue = totals.revenue.map(formatMoney).join(' + ');
  return `${month}: ${revenue} from ${totals.won} won deal${totals.won === 1 ? '' : 's'}${lost}.`;
}

/** The deal's owner when the reader (`viewerId`) is someone else. */
function ownerFor(deal: DealSummary, viewerId: string | undefined): string | undefined {
  return viewerId && deal.userId && deal.userId !== viewerId ? deal.userId : undefined;
}

function loggedByLine(deal: DealSummary, viewerId: string | undefined): string {
  if (!deal.loggedBy) return '';
  return deal.loggedBy === viewerId ? ' Logged by you.' : ` Logged by ${mention(deal.loggedBy)}.`;
}

/** "Won after 14 activities over 21 days (6 calls, …)." from effort words (plain text, see entries/describe.ts effortWords). */
export function effortSentence(effort: string): string {
  return `${effort.charAt(0).toUpperCase()}${effort.slice(1)}.`;
}

export function dealConfirmation(input: {
  deal: DealSummary;
  totals: MonthTotals;
  now: Date;
  timeZone: string;
  verb?: 'Logged' | 'Updated';
  viewerId?: string;
  /** The effort behind a won deal, plain words ("won after 14 activities over 21 days (…)"); absent: not shown. */
  effort?: string;
}): Message {
  const { deal, totals, now, timeZone } = input;
  const owner = ownerFor(deal, input.viewerId);
  const described = escapeMrkdwn(describeDeal(deal, now, timeZone));
  const headline = `${input.verb ?? 'Logged'}${owner ? ` for ${mention(owner)}:` : ''} ${described}`;
  const context = `${monthLine(totals, owner)}${loggedByLine(deal, input.viewerId)}`;
  const emoji = deal.status === 'won' ? ':moneybag:' : ':white_check_mark:';
  const lines = [`${emoji} ${headline}`];
  const effort = deal.status === 'won' && input.effort ? escapeMrkdwn(truncate(effortSentence(input.effort), 400)) : undefined;
  if (effort) lines.push(`:chart_with_upwards_trend: ${effort}`);
  if (deal.notes) lines.push(`> ${escapeMrkdwn(truncate(deal.notes, 2500)).replace(/\n/g, '\n> ')}`);
  return {
    text: `${headline}.${effort ? ` ${effort}` : ''} ${context}`,
    blocks: [
      { type: 'section', block_id: 'deal_logged', text: { type: 'mrkdwn', text: truncate(lines.join('\n'), 3000) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: context }] },
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

export function dealUndoneMessage(input: { deal: DealSummary; totals: MonthTotals; now: Date; timeZone: string; viewerId?: string }): Message {
  const owner = ownerFor(input.deal, input.viewerId);
  const headline = `Undone: ${escapeMrkdwn(describeDeal(input.deal, input.now, input.timeZone))} removed${owner ? ` for ${mention(owner)}` : ''}`;
  return {
    text: `${headline}. ${monthLine(input.totals, owner)}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `:wastebasket: ${headline}.` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: monthLine(input.totals, owner) }] },
    ],
  };
}

/** The DM telling a rep someone logged a deal for them ("@Mia logged for you: a won deal: Globex, $12,500.00"). */
export function dealLoggedForYouMessage(input: { deal: DealSummary; totals: MonthTotals; now: Date; timeZone: string; loggedBy: string }): Message {
  const { deal } = input;
  const headline = `${mention(input.loggedBy)} logged for you: ${escapeMrkdwn(describeDeal(deal, input.now, input.timeZone))}`;
  const lines = [`${deal.status === 'won' ? ':moneybag:' : ':memo:'} ${headline}`];
  if (deal.notes) lines.push(`> ${escapeMrkdwn(truncate(deal.notes, 2500)).replace(/\n/g, '\n> ')}`);
  return {
    text: `${headline}. ${monthLine(input.totals)}`,
    blocks: [
      { type: 'section', block_id: 'deal_logged_for_you', text: { type: 'mrkdwn', text: truncate(lines.join('\n'), 3000) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `${monthLine(input.totals)} It counts as yours; undo or edit it here if it isn’t right.` }] },
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

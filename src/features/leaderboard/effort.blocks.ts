/**
 * The board's "Effort per win" section and CSV columns: per rep, the median activities and median days per won deal
 * this period (RepStats.effort, from metrics/effort.ts). Pure.
 */
import { nonEmpty, truncate } from '../../slack/text.js';
import type { KnownBlock } from '../../slack/blocks.js';
import type { RepStats } from './types.js';

const SECTION_TEXT_LIMIT = 3000;
const NAME_CHARS = 80;

/** A median: whole, or with one decimal (the mean of the middle two). */
export function medianText(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

/** "12 activities over 18 days per win (median of 4 wins)". */
export function effortPerWinWords(effort: NonNullable<RepStats['effort']>): string {
  const activities = `${medianText(effort.activities)} ${effort.activities === 1 ? 'activity' : 'activities'}`;
  const days = effort.days === 0 ? 'the same day' : `over ${medianText(effort.days)} ${effort.days === 1 ? 'day' : 'days'}`;
  const of = effort.deals === 1 ? '1 win' : `median of ${effort.deals.toLocaleString('en-US')} wins`;
  return `${activities} ${days} per win (${of})`;
}

/**
 * One plain_text section (names stay literal: no mrkdwn) listing the shown reps that have an effort, in board order;
 * none when no shown rep has one. At most one block, within Slack's 3,000 characters.
 */
export function effortBlocks(shown: readonly RepStats[]): KnownBlock[] {
  const lines = shown.flatMap((rep) => {
    if (!rep.effort) return [];
    // eslint-disable-next-line no-control-regex
    const name = truncate(nonEmpty(rep.name.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim(), rep.userId), NAME_CHARS);
    return [`${name}: ${effortPerWinWords(rep.effort)}`];
  });
  if (lines.length === 0) return [];
  const text = truncate(['Effort per win: activities on the account before each won deal (median)', ...lines.map((l) => `• ${l}`)].join('\n'), SECTION_TEXT_LIMIT);
  return [{ type: 'section', block_id: 'leaderboard_effort', text: { type: 'plain_text', text, emoji: true } }];
}

/** The CSV's effort columns (after the others): their headers, and a rep's cells (empty without an effort). */
export const EFFORT_CSV_HEADERS = ['Median activities per win', 'Median days per win', 'Wins with effort'];
export function effortCsvCells(rep: RepStats): string[] {
  return rep.effort ? [String(rep.effort.activities), String(rep.effort.days), String(rep.effort.deals)] : ['', '', ''];
}

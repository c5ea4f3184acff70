/**
 * The leaderboard's conversion section (pure): at most two blocks.
 *   section (mrkdwn)      "Conversion": each stage's count with the previous period's, the rate to the next stage
 *                         with the previous period's, touches per won deal; a step with nothing at its first stage
 *                         reads "no data", never 0%
 *   section (plain_text)  the reps whose rates differ most from the median rep's, then the insights on where effort
 *                         leaks (names and labels literal); left out when there is nothing to say
 * Stage labels are admin text: escaped in mrkdwn.
 */
import { escapeMrkdwn, truncate } from '../../slack/text.js';
import type { KnownBlock } from '../../slack/blocks.js';
import { conversionInsights, ratePercent, repRateComparisons, stageWords } from './conversion.js';
import { insightName } from './insights.js';
import type { Board } from './types.js';

const SECTION_TEXT = 3000;
export const NO_DATA = 'no data';

function n(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 1 });
}

function rateText(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? NO_DATA : ratePercent(rate);
}

/** The funnel as mrkdwn lines: stage counts, the rates between them, each with the previous period's. */
function funnelText(board: Board): string {
  const { team, previousTeam } = board.conversion!;
  const lines = ['*Conversion*'];
  team.stages.forEach((stage, i) => {
    const was = previousTeam.stages[i]?.count ?? 0;
    lines.push(`*${escapeMrkdwn(truncate(stage.label.replace(/\s+/g, ' ').trim() || `Stage ${i + 1}`, 80))}* ${n(stage.count)} (was ${n(was)})`);
    if (i < team.rates.length) {
      const next = escapeMrkdwn(stageWords(team.stages[i + 1]!.label));
      const rate = team.rates[i];
      lines.push(
        rate === null || rate === undefined
          ? `      ↳ to ${next}: ${NO_DATA} (was ${rateText(previousTeam.rates[i])})`
          : `      ↳ ${ratePercent(rate)} to ${next} (was ${rateText(previousTeam.rates[i])})${rate > 1 ? `: more ${next} than ${escapeMrkdwn(stageWords(stage.label))}, so some of those may not be logged` : ''}`,
      );
    }
  });
  const perWon = (v: number | null) => (v === null ? NO_DATA : n(v));
  const first = escapeMrkdwn(stageWords(team.stages[0]?.label ?? 'touches'));
  const last = escapeMrkdwn(stageWords(team.stages[team.stages.length - 1]?.label ?? 'won'));
  lines.push(`End to end (${first} per ${last}): ${perWon(team.touchesPerWon)} (was ${perWon(previousTeam.touchesPerWon)})`);
  return lines.join('\n');
}

/** Plain-text lines: each listed rep's most different rate against the median rep's. */
function comparisonLines(board: Board): string[] {
  const comparisons = repRateComparisons(board);
  if (comparisons.length === 0) return [];
  const labels = board.conversion!.team.stages.map((s) => s.label);
  return [
    'Against the median rep:',
    ...comparisons.map(
      (c) =>
        `• ${insightName(c.rep)}: ${stageWords(labels[c.step]!)} → ${stageWords(labels[c.step + 1]!)} ${ratePercent(c.rate)} (median ${ratePercent(c.median)}, from ${n(c.from)})`,
    ),
  ];
}

/** The conversion section's blocks; none when the board has no conversion data or no reps. */
export function conversionBlocks(board: Board): KnownBlock[] {
  if (!board.conversion || board.reps.length === 0 || board.conversion.team.stages.length === 0) return [];
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: truncate(funnelText(board), SECTION_TEXT) } }];
  const comparisons = comparisonLines(board);
  const insights = conversionInsights(board);
  const text = [...comparisons, ...(comparisons.length > 0 && insights.length > 0 ? [''] : []), ...insights].join('\n');
  if (text.trim() !== '') blocks.push({ type: 'section', text: { type: 'plain_text', text: truncate(text, SECTION_TEXT), emoji: true } });
  return blocks;
}

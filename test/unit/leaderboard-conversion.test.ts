/**
 * The leaderboard's conversion section (features/leaderboard/conversion*.ts): the team funnel pooled, reps against
 * the median rep, insights on where effort leaks only when the counts support them, and Slack's limits.
 */
import { describe, expect, it } from 'vitest';
import { conversionInsights, funnelChartData, MIN_STAGE_COUNT_FOR_RATE, rateMinimum, repRateComparisons, timesWords, withConversion } from '../../src/features/leaderboard/conversion.js';
import { renderBoard } from '../../src/features/leaderboard/render.blocks.js';
import type { Board } from '../../src/features/leaderboard/types.js';
import { conversionStagesOf, type UserStageCounts } from '../../src/metrics/index.js';
import { blockKitProblems } from '../helpers/fake-slack.js';
import { makeBoard, makeReps } from '../helpers/board-fixture.js';

type Json = Record<string, any>;
const STAGES = conversionStagesOf(null);

/** A board of named reps (U0001… in this order) with their current (and previous) stage counts. */
function boardWith(reps: Array<{ name: string; current: number[]; previous?: number[] }>, stages = STAGES): Board {
  const board = makeBoard(reps.map((r) => ({ name: r.name, activities: r.current[0] ?? 0, revenue: 100 * (r.current[r.current.length - 1] ?? 0) })));
  const counts = new Map<string, UserStageCounts>();
  reps.forEach((r, i) => counts.set(`U${String(i + 1).padStart(4, '0')}`, { current: r.current, previous: r.previous ?? stages.map(() => 0) }));
  return withConversion(board, stages, counts);
}

/** Hand-computed: step 1 (conversations → meetings booked) rates 10%, 60%, 20%, 20%, 100%: median 20%. */
const TEAM = [
  { name: 'Ana', current: [200, 50, 5, 3, 1], previous: [100, 20, 4, 2, 1] }, // 3.3× the median touches (60), 10% booked per conversation
  { name: 'Ben', current: [50, 20, 12, 10, 2], previous: [40, 10, 2, 2, 0] }, //  60% per conversation: 3× the median
  { name: 'Cy', current: [60, 15, 3, 3, 1] },
  { name: 'Di', current: [80, 20, 4, 3, 1] },
  { name: 'Ed', current: [2, 2, 2, 0, 0] }, //                                   100% of 2 conversations: too few to count
];

function sectionTexts(board: Board): { mrkdwn: string; plain: string } {
  const blocks = renderBoard(board, { insights: [] }).blocks as Json[];
  const i = blocks.findIndex((b) => b.type === 'section' && b.text?.type === 'mrkdwn' && String(b.text.text).startsWith('*Conversion*'));
  expect(i).toBeGreaterThan(-1);
  const next = blocks[i + 1];
  return { mrkdwn: blocks[i]!.text.text as string, plain: next?.type === 'section' && next.text?.type === 'plain_text' ? (next.text.text as string) : '' };
}

describe('the board’s funnel', () => {
  it('pools the team (counts summed, then divided) and keeps the previous period', () => {
    const board = boardWith(TEAM);
    const { team, previousTeam, median } = board.conversion!;
    expect(team.stages.map((s) => s.count)).toEqual([392, 107, 26, 19, 5]);
    expect(team.rates[0]).toBeCloseTo(107 / 392, 12);
    expect(team.touchesPerWon).toBeCloseTo(392 / 5, 12);
    expect(previousTeam.stages.map((s) => s.count)).toEqual([140, 30, 6, 4, 1]);
    expect(median.rates[1]).toBeCloseTo(0.2, 12);
    expect(board.reps.find((r) => r.name === 'Ana')!.funnel!.rates[1]).toBeCloseTo(0.1, 12);
  });

  it('a rep with 2 conversations does not weigh like one with 50', () => {
    const board = boardWith([
      { name: 'Big', current: [500, 50, 5, 0, 0] }, //  10%
      { name: 'Tiny', current: [2, 2, 2, 0, 0] }, //   100%
    ]);
    // Pooled: 7 / 52 ≈ 13%; an average of rates would say 55%.
    expect(board.conversion!.team.rates[1]).toBeCloseTo(7 / 52, 12);
    expect(sectionTexts(board).mrkdwn).toContain('13% to meetings booked');
  });

  it('shows each stage with the previous period, and an empty stage as no data, never 0%', () => {
    const board = boardWith([
      { name: 'Ana', current: [40, 10, 0, 0, 0] },
      { name: 'Ben', current: [10, 0, 0, 0, 0] },
    ]);
    const { mrkdwn } = sectionTexts(board);
    expect(mrkdwn).toContain('*Touches* 50 (was 0)');
    expect(mrkdwn).toContain('20% to conversations (was no data)');
    expect(mrkdwn).toContain('0% to meetings booked'); // 10 conversations, none booked: a real 0%
    expect(mrkdwn).toContain('to meetings held: no data');
    expect(mrkdwn).toContain('to deals won: no data');
    expect(mrkdwn).toContain('End to end (touches per deals won): no data');
    expect(mrkdwn).not.toMatch(/0% to meetings held|0% to deals won/);
  });

  it('a rate above 100% (more meetings held than booked) is shown as it is, saying the stage before may be under-logged', () => {
    const board = boardWith([{ name: 'Ana', current: [40, 10, 4, 9, 1] }]);
    const { mrkdwn } = sectionTexts(board);
    expect(mrkdwn).toContain('225% to meetings held (was no data): more meetings held than meetings booked, so some of those may not be logged');
    expect(mrkdwn).not.toMatch(/to conversations[^\n]*may not be logged/);
  });

  it('names custom stages as the workspace wrote them, escaped in mrkdwn', () => {
    const stages = conversionStagesOf([{ label: 'Site <visits>', types: ['site_visit'] }, { label: 'Quotes', outcomes: ['quoted'] }, { label: 'Signed', won: true }]);
    const board = boardWith([{ name: 'Ana', current: [7, 5, 1] }], stages);
    const { mrkdwn } = sectionTexts(board);
    expect(mrkdwn).toContain('*Site &lt;visits&gt;* 7 (was 0)');
    expect(mrkdwn).toContain('71% to quotes');
    expect(mrkdwn).toContain('20% to signed');
    expect(mrkdwn).toContain('End to end (site &lt;visits&gt; per signed): 7');
  });
});

describe('reps against the median rep', () => {
  it('lists each rep’s most different rate with enough at the stage, most different first', () => {
    const comparisons = repRateComparisons(boardWith(TEAM));
    expect(comparisons.map((c) => [c.rep.name, c.step, c.from])).toEqual([
      ['Ben', 1, 20],
      ['Ana', 1, 50],
    ]);
    const { plain } = sectionTexts(boardWith(TEAM));
    expect(plain).toContain('Against the median rep:\n• Ben: conversations → meetings booked 60% (median 20%, from 20)\n• Ana: conversations → meetings booked 10% (median 20%, from 50)');
    expect(plain).not.toContain('Ed'); // 2 conversations: below the minimum
  });

  it('the minimum at a stage is 10, or half the median rep’s count there', () => {
    const board = boardWith(TEAM);
    expect(MIN_STAGE_COUNT_FOR_RATE).toBe(10);
    expect(rateMinimum(board.conversion!.median, 1)).toBe(10); // median conversations 20
    expect(rateMinimum(board.conversion!.median, 0)).toBe(30); // median touches 60
  });
});

describe('conversion insights', () => {
  it('names where effort leaks, and who converts best, in plain words', () => {
    expect(conversionInsights(boardWith(TEAM))).toEqual([
      ":mag: Ana made 3.3× the median rep's touches but converts conversations to meetings booked at half the median rate (10% vs 20%, from 50 conversations): the opening, not the effort, needs work.",
      ':star2: Ben converts conversations to meetings booked at 3× the median rate (60% vs 20%, from 20 conversations): worth sharing how.',
    ]);
    expect(sectionTexts(boardWith(TEAM)).plain).toContain(':mag: Ana made 3.3×');
  });

  it('says nothing about a rep with too few at the stage (9 conversations), however extreme the rate', () => {
    const team = TEAM.map((r) => (r.name === 'Ana' ? { ...r, current: [36, 9, 0, 0, 0] } : r));
    const lines = conversionInsights(boardWith(team));
    expect(lines.join('\n')).not.toContain('Ana');
    expect(lines).toHaveLength(1); // Ben still stands out
  });

  it('leaves out "not the effort" when the rep did not put in more effort than the median', () => {
    const team = TEAM.map((r) => (r.name === 'Ana' ? { ...r, current: [60, 50, 5, 3, 1] } : r));
    const [line] = conversionInsights(boardWith(team));
    expect(line).toBe(':mag: Ana converts conversations to meetings booked at half the median rate (10% vs 20%, from 50 conversations): the opening is the place to coach.');
  });

  it('needs at least 3 reps with a rate for a median to compare with', () => {
    expect(conversionInsights(boardWith(TEAM.slice(0, 2)))).toEqual([]);
    expect(repRateComparisons(boardWith(TEAM.slice(0, 2)))).toEqual([]);
  });

  it('words ratios plainly', () => {
    expect([2, 3, 1.6, 0.5, 1 / 3, 0.25, 0.4, 12.4].map(timesWords)).toEqual(['twice', '3×', '1.6×', 'half', 'a third of', 'a quarter of', '40% of', '12×']);
  });
});

describe('the conversion section within Slack’s limits', () => {
  it('200 reps with long names: at most 50 blocks, sections within 3000 characters', () => {
    const inputs = makeReps(200).map((r, i) => ({ ...r, name: `${'Long name '.repeat(30)}${i}` }));
    const board = makeBoard(inputs);
    const counts = new Map<string, UserStageCounts>();
    board.reps.forEach((r, i) => counts.set(r.userId, { current: [100 + i, 20 + (i % 17) * 3, 5 + (i % 7), 3, i % 3], previous: [90, 20, 5, 3, 1] }));
    const message = renderBoard(withConversion(board, STAGES, counts), { insights: ['One line.'] });
    expect(blockKitProblems(message.blocks, '/blocks', 50)).toEqual([]);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    for (const block of message.blocks as Json[]) if (block.type === 'section' && block.text) expect(block.text.text.length).toBeLessThanOrEqual(3000);
  });

  it('a board computed without stages has no conversion section', () => {
    const blocks = renderBoard(makeBoard([{ name: 'Ana', activities: 3, revenue: 0 }]), { insights: [] }).blocks as Json[];
    expect(JSON.stringify(blocks)).not.toContain('*Conversion*');
  });
});

describe('the funnel chart’s input', () => {
  it('the team first, then the median rep, with fractions for rates and no data as null', () => {
    const data = funnelChartData(boardWith(TEAM))!;
    expect(data.title).toBe('Conversion funnel, This week (Nov 23 – Nov 29)');
    expect(data.stages).toEqual(['Touches', 'Conversations', 'Meetings booked', 'Meetings held', 'Deals won']);
    expect(data.series.map((s) => s.label)).toEqual(['Team', 'Median rep']);
    expect(data.series[0]!.counts).toEqual([392, 107, 26, 19, 5]);
    expect(data.series[1]!.counts).toEqual([60, 20, 4, 3, 1]);
    expect(data.series[1]!.rates[1]).toBeCloseTo(0.2, 12);
    const empty = funnelChartData(boardWith([{ name: 'Ana', current: [40, 0, 0, 0, 0] }]))!;
    expect(empty.series).toHaveLength(1); // one rep: the median rep would be that rep
    expect(empty.series[0]!.rates).toEqual([0, null, null, null]);
  });

  it('nothing to draw: no chart', () => {
    expect(funnelChartData(boardWith([{ name: 'Ana', current: [0, 0, 0, 0, 0] }]))).toBeUndefined();
    expect(funnelChartData(makeBoard([{ name: 'Ana', activities: 3, revenue: 0 }]))).toBeUndefined();
  });
});

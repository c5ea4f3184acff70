import { describe, expect, it } from 'vitest';
import { boardInsights, efficiencyMinimum, quadrantOf } from '../../src/features/leaderboard/insights.js';
import type { Board } from '../../src/features/leaderboard/types.js';
import { makeBoard, makeReps, type RepInput } from '../helpers/board-fixture.js';

const SHAMING = ['lazy', 'worst', 'bad', 'fail', 'poor', 'slacker', 'underperform', 'behind'];

function expectWellFormed(lines: string[]): void {
  expect(lines.length).toBeGreaterThanOrEqual(3);
  expect(lines.length).toBeLessThanOrEqual(5);
  for (const line of lines) {
    expect(line.trim()).not.toBe('');
    expect(line).not.toMatch(/\n/);
    for (const word of SHAMING) expect(line.toLowerCase()).not.toContain(word);
  }
  expect(new Set(lines).size).toBe(lines.length);
}

/** Ana closes most and is busy; Bo is the busiest but barely closing; Cy closes well from little; Dee is quiet. */
const TEAM: RepInput[] = [
  { name: 'Ana', activities: 62, revenue: 40000, previous: { activities: 50, revenue: 30000 } },
  { name: 'Bo', activities: 80, revenue: 0, previous: { activities: 70, revenue: 0 } },
  { name: 'Cy', activities: 18, revenue: 25000, previous: { activities: 20, revenue: 5000 } },
  { name: 'Dee', activities: 3, revenue: 0, previous: { activities: 10, revenue: 0 } },
  { name: 'Ed', activities: 30, revenue: 1000, previous: { activities: 30, revenue: 1000 } },
];

describe('quadrantOf', () => {
  const medians = { activities: 20, headlineRevenueMinor: 1_000_00n };

  it('counts "at the median" as at or above, on both axes', () => {
    expect(quadrantOf({ activities: 20, headlineRevenueMinor: 1_000_00n }, medians)).toBe('leading');
    expect(quadrantOf({ activities: 20, headlineRevenueMinor: 99_999n }, medians)).toBe('busy_not_closing');
    expect(quadrantOf({ activities: 19, headlineRevenueMinor: 1_000_00n }, medians)).toBe('efficient_closer');
    expect(quadrantOf({ activities: 19, headlineRevenueMinor: 99_999n }, medians)).toBe('quiet');
  });

  it('places the clear cases', () => {
    expect(quadrantOf({ activities: 90, headlineRevenueMinor: 9_000_00n }, medians)).toBe('leading');
    expect(quadrantOf({ activities: 90, headlineRevenueMinor: 0n }, medians)).toBe('busy_not_closing');
    expect(quadrantOf({ activities: 2, headlineRevenueMinor: 9_000_00n }, medians)).toBe('efficient_closer');
    expect(quadrantOf({ activities: 0, headlineRevenueMinor: 0n }, medians)).toBe('quiet');
  });

  it('never calls zero revenue "closing" or zero activity "busy", even when a median is zero', () => {
    const zero = { activities: 0, headlineRevenueMinor: 0n };
    expect(quadrantOf({ activities: 0, headlineRevenueMinor: 0n }, zero)).toBe('quiet');
    expect(quadrantOf({ activities: 4, headlineRevenueMinor: 0n }, zero)).toBe('busy_not_closing');
    expect(quadrantOf({ activities: 0, headlineRevenueMinor: 500n }, zero)).toBe('efficient_closer');
    expect(quadrantOf({ activities: 4, headlineRevenueMinor: 500n }, zero)).toBe('leading');
  });

  it('handles a fractional median (even team size)', () => {
    const half = { activities: 10.5, headlineRevenueMinor: 0n };
    expect(quadrantOf({ activities: 10, headlineRevenueMinor: 100n }, half)).toBe('efficient_closer');
    expect(quadrantOf({ activities: 11, headlineRevenueMinor: 100n }, half)).toBe('leading');
  });
});

describe('efficiencyMinimum', () => {
  it('is at least 5, or half the median activities rounded up', () => {
    expect(efficiencyMinimum({ medians: { activities: 0, headlineRevenueMinor: 0n } })).toBe(5);
    expect(efficiencyMinimum({ medians: { activities: 4, headlineRevenueMinor: 0n } })).toBe(5);
    expect(efficiencyMinimum({ medians: { activities: 30, headlineRevenueMinor: 0n } })).toBe(15);
    expect(efficiencyMinimum({ medians: { activities: 21, headlineRevenueMinor: 0n } })).toBe(11);
  });
});

describe('boardInsights', () => {
  it('names the top closer leading on both, the most active, an efficient closer and the biggest mover', () => {
    const lines = boardInsights(makeBoard(TEAM));
    expectWellFormed(lines);
    expect(lines[0]).toBe(':trophy: Ana is leading on both: most revenue ($40,000.00) and 62 activities.');
    expect(lines[1]).toBe(':zap: Bo is the most active (80 activities, no revenue yet) — the deals should follow; a coaching chat on converting could help.');
    expect(lines.some((l) => l.includes('Cy is an efficient closer') && l.includes('$25,000.00') && l.includes('18 activities'))).toBe(true);
    // Cy's revenue rose $20,000 (Ana's only $10,000): Cy is the biggest mover.
    expect(lines.some((l) => l.includes('Cy is the biggest mover') && l.includes('$20,000.00'))).toBe(true);
  });

  it('says "leading on both: most revenue and most activities" when one rep tops both', () => {
    const lines = boardInsights(
      makeBoard([
        { name: 'Ana', activities: 90, revenue: 40000 },
        { name: 'Bo', activities: 10, revenue: 5000 },
        { name: 'Cy', activities: 20, revenue: 0 },
      ]),
    );
    expectWellFormed(lines);
    expect(lines[0]).toBe(':trophy: Ana is leading on both: most revenue ($40,000.00) and most activities (90).');
    expect(lines.filter((l) => l.includes('most active'))).toEqual([]);
  });

  it('calls a top closer with below-median activity an efficient one', () => {
    const lines = boardInsights(
      makeBoard([
        { name: 'Ana', activities: 4, revenue: 40000 },
        { name: 'Bo', activities: 80, revenue: 100 },
        { name: 'Cy', activities: 60, revenue: 0 },
      ]),
    );
    expect(lines[0]).toBe(':trophy: Ana is the top closer and an efficient one: $40,000.00 from just 4 activities.');
  });

  it('says the most active is closing too when they are at or above both medians', () => {
    const lines = boardInsights(
      makeBoard([
        { name: 'Ana', activities: 30, revenue: 40000 },
        { name: 'Bo', activities: 80, revenue: 20000 },
        { name: 'Cy', activities: 5, revenue: 0 },
      ]),
    );
    expect(lines).toContain(':zap: Bo is the most active (80 activities) and closing too: $20,000.00 won.');
  });

  it('needs a minimum of activities for "most efficient", so one lucky call does not win', () => {
    const board = makeBoard([
      { name: 'Ana', activities: 60, revenue: 50000 },
      { name: 'Bo', activities: 80, revenue: 1000 },
      { name: 'Eve', activities: 10, revenue: 20000 },
      { name: 'Lucky', activities: 1, revenue: 10000 },
      { name: 'Gus', activities: 20, revenue: 0 },
    ]);
    expect(board.medians.activities).toBe(20);
    expect(efficiencyMinimum(board)).toBe(10);
    const lines = boardInsights(board);
    expectWellFormed(lines);
    // Lucky earns $10,000 per activity from one call; Eve $2,000 per activity from ten. Eve is the most
    // efficient only of the reps with at least 10 activities, and the line says so.
    const efficient = lines.find((l) => l.includes('most efficient'));
    expect(efficient).toBe(
      ':dart: Eve is an efficient closer and the most efficient of the reps with at least 10 activities: $2,000.00 per activity ($20,000.00 from 10 activities).',
    );
    expect(lines.join('\n')).not.toContain('Lucky is the most efficient');
  });

  it('says the minimum when the top closer has too few activities to be "most efficient", so both lines are true', () => {
    const board = makeBoard([
      { name: 'Xia', activities: 4, revenue: 40000 },
      { name: 'Yusuf', activities: 20, revenue: 30000 },
      { name: 'Zoe', activities: 80, revenue: 0 },
      { name: 'Wes', activities: 30, revenue: 1000 },
    ]);
    expect(board.medians.activities).toBe(25);
    expect(efficiencyMinimum(board)).toBe(13);
    const lines = boardInsights(board);
    expectWellFormed(lines);
    // Xia: $10,000 per activity from 4 (below the minimum); Yusuf: $1,500 per activity from 20.
    expect(lines[0]).toBe(':trophy: Xia is the top closer and an efficient one: $40,000.00 from just 4 activities.');
    expect(lines).toContain(
      ':dart: Yusuf is an efficient closer and the most efficient of the reps with at least 13 activities: $1,500.00 per activity ($30,000.00 from 20 activities).',
    );
    // Never an unqualified "most efficient" for someone with a lower rate than a rep named above.
    expect(lines.join('\n')).not.toMatch(/most efficient on the team|is the most efficient:/);
  });

  it('says the minimum in the plain "most efficient" line too, and for a closer with no logged activity', () => {
    const board = makeBoard([
      { name: 'Xia', activities: 0, revenue: 40000 },
      { name: 'Yusuf', activities: 40, revenue: 30000 },
      { name: 'Zoe', activities: 80, revenue: 20000 },
      { name: 'Wes', activities: 10, revenue: 0 },
    ]);
    expect(efficiencyMinimum(board)).toBe(13);
    const lines = boardInsights(board);
    expectWellFormed(lines);
    expect(lines[0]).toBe(':trophy: Xia is the top closer and an efficient one: $40,000.00 from 1 won deal.');
    expect(lines).toContain(':dart: Yusuf is the most efficient of the reps with at least 13 activities: $750.00 per activity ($30,000.00 from 40 activities).');
  });

  it('keeps "the most efficient on the team" when the minimum left out nobody with a better rate', () => {
    const board = makeBoard([
      { name: 'Ana', activities: 60, revenue: 50000 },
      { name: 'Bo', activities: 80, revenue: 1000 },
      { name: 'Eve', activities: 10, revenue: 20000 },
      { name: 'Slow', activities: 1, revenue: 500 },
      { name: 'Gus', activities: 20, revenue: 0 },
    ]);
    expect(efficiencyMinimum(board)).toBe(10);
    // Slow is below the minimum but earns less per activity ($500) than Eve ($2,000).
    expect(boardInsights(board)).toContain(
      ':dart: Eve is an efficient closer and the most efficient on the team: $2,000.00 per activity ($20,000.00 from 10 activities).',
    );
    const plain = boardInsights(
      makeBoard([
        { name: 'Ana', activities: 60, revenue: 40000 },
        { name: 'Bo', activities: 80, revenue: 10000 },
        { name: 'Cy', activities: 40, revenue: 30000 },
        { name: 'Dee', activities: 2, revenue: 0 },
        { name: 'Ed', activities: 10, revenue: 0 },
      ]),
    );
    expect(plain).toContain(':dart: Cy is the most efficient: $750.00 per activity ($30,000.00 from 40 activities).');
  });

  it('falls back to the biggest rise in activity when nobody grew revenue', () => {
    const lines = boardInsights(
      makeBoard([
        { name: 'Ana', activities: 30, revenue: 10000, previous: { activities: 28, revenue: 20000 } },
        { name: 'Bo', activities: 50, revenue: 0, previous: { activities: 20, revenue: 0 } },
        { name: 'Cy', activities: 10, revenue: 0, previous: { activities: 2, revenue: 0 } },
      ]),
    );
    expectWellFormed(lines);
    expect(lines).toContain(':chart_with_upwards_trend: Bo is the biggest mover: activity up by 30 on the previous period (20 → 50).');
  });

  it('has no mover line when nothing rose', () => {
    const lines = boardInsights(
      makeBoard([
        { name: 'Ana', activities: 5, revenue: 100, previous: { activities: 9, revenue: 200 } },
        { name: 'Bo', activities: 5, revenue: 0, previous: { activities: 9, revenue: 0 } },
      ]),
    );
    expectWellFormed(lines);
    expect(lines.join('\n')).not.toContain('biggest mover');
  });

  it('names reps busy but not yet closing kindly, and only counts the quiet ones', () => {
    const lines = boardInsights(
      makeBoard([
        { name: 'Ana', activities: 40, revenue: 40000 },
        { name: 'Bo', activities: 80, revenue: 0 },
        { name: 'Flo', activities: 40, revenue: 0 },
        { name: 'Ed', activities: 45, revenue: 0 },
        { name: 'Hal', activities: 1, revenue: 0 },
        { name: 'Ivy', activities: 2, revenue: 0 },
      ]),
    );
    expectWellFormed(lines);
    expect(lines).toContain(':muscle: Ed and Flo are putting in the work but not yet closing — a deal review together could turn that activity into wins.');
    expect(lines.join('\n')).not.toMatch(/Hal|Ivy/);
  });

  it('counts quiet reps without naming them when nobody else is busy-not-closing', () => {
    const lines = boardInsights(
      makeBoard([
        { name: 'Ana', activities: 40, revenue: 40000 },
        { name: 'Bo', activities: 80, revenue: 0 },
        { name: 'Cy', activities: 30, revenue: 30000 },
        { name: 'Hal', activities: 1, revenue: 0 },
        { name: 'Ivy', activities: 2, revenue: 0 },
      ]),
    );
    expectWellFormed(lines);
    expect(lines).toContain(':wave: 2 reps have had a quieter period so far — a friendly check-in can help them get going.');
    expect(lines.join('\n')).not.toMatch(/Hal|Ivy/);
  });

  it('breaks ties by name, whatever the input order', () => {
    const reps: RepInput[] = [
      { name: 'Zed', activities: 50, revenue: 10000 },
      { name: 'Amy', activities: 50, revenue: 10000 },
      { name: 'Kim', activities: 5, revenue: 0 },
    ];
    const a = boardInsights(makeBoard(reps));
    const b = boardInsights(makeBoard([...reps].reverse()));
    const shuffled = makeBoard(reps);
    shuffled.reps.reverse();
    expect(b).toEqual(a);
    expect(boardInsights(shuffled)).toEqual(a);
    expect(a[0]).toBe(':trophy: Amy is leading on both: most revenue ($10,000.00) and most activities (50).');
  });

  it('says something useful when nobody has closed yet', () => {
    const lines = boardInsights(
      makeBoard([
        { name: 'Ana', activities: 12, revenue: 0 },
        { name: 'Bo', activities: 8, revenue: 0 },
      ]),
    );
    expectWellFormed(lines);
    expect(lines[0]).toBe(':seedling: No deals closed yet this period, and 20 activities are building the pipeline for the wins ahead.');
    expect(lines[1]).toContain('Ana is the most active (12 activities, no revenue yet)');
  });

  it('gives an empty board an encouraging empty-board line', () => {
    const lines = boardInsights(makeBoard([]));
    expectWellFormed(lines);
    expect(lines[0]).toContain('No activities or deals logged yet this period');
    expect(lines[0]).toContain('This week (Nov 23 – Nov 29)');
  });

  it('gives a single rep sensible lines, with no comparisons against nobody', () => {
    const lines = boardInsights(makeBoard([{ name: 'Solo', activities: 12, revenue: 5000, previous: { activities: 4, revenue: 1000 } }]));
    expectWellFormed(lines);
    expect(lines[0]).toBe(':trophy: Solo closed $5,000.00 from 1 won deal and 12 activities this period.');
    const all = lines.join('\n');
    expect(all).not.toMatch(/most active|leading on both|biggest mover|most efficient/);
    expect(all).toContain("Solo's revenue is up $4,000.00");
  });

  it('gives a single rep with activity but no revenue an encouraging line', () => {
    const lines = boardInsights(makeBoard([{ name: 'Solo', activities: 7, revenue: 0 }]));
    expectWellFormed(lines);
    expect(lines.join('\n')).toContain('Solo logged 7 activities this period, no revenue yet');
  });

  it('stays within 3–5 well-formed lines for teams of every size', () => {
    for (const size of [2, 3, 5, 10, 50, 200]) {
      for (const seed of [1, 7, 42]) {
        expectWellFormed(boardInsights(makeBoard(makeReps(size, seed))));
      }
    }
  });

  it('keeps names literal, on one line, and cut when very long', () => {
    const long = 'L'.repeat(200);
    const lines = boardInsights(
      makeBoard([
        { name: '<!channel> *bold* & _x_', activities: 60, revenue: 40000 },
        { name: 'a\nb', activities: 80, revenue: 0 },
        { name: long, activities: 10, revenue: 30000 },
      ]),
    );
    expectWellFormed(lines);
    expect(lines[0]).toContain('<!channel> *bold* & _x_ is leading on both');
    expect(lines[1]).toContain('a b is the most active');
    const longLine = lines.find((l) => l.includes('LLLL'))!;
    expect(longLine).toContain(`${'L'.repeat(79)}…`);
    expect(longLine).not.toContain('L'.repeat(81));
  });

  it('mentions other currencies beside the headline, never added into it', () => {
    const board: Board = makeBoard([
      { name: 'Ana', activities: 40, revenue: 40000 },
      { name: 'Bo', activities: 10, revenue: 0 },
    ]);
    board.reps[0]!.revenue.push({ minor: 9_000_00n, currency: 'EUR' });
    const lines = boardInsights(board);
    expect(lines[0]).toContain('most revenue ($40,000.00 (plus €9,000.00))');
    expect(lines.join('\n')).not.toContain('$49,000.00');
  });
});

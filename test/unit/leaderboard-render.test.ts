import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { boardInsights } from '../../src/features/leaderboard/insights.js';
import {
  boardCsv,
  formatChange,
  formatRevenue,
  POST_TO_CHANNEL_ACTION,
  renderBoard,
  TOP_REPS_SHOWN,
} from '../../src/features/leaderboard/render.blocks.js';
import type { Board } from '../../src/features/leaderboard/types.js';
import type { ActivityTypeDef } from '../../src/entries/activity-types.js';
import { blockKitProblems } from '../helpers/fake-slack.js';
import { makeBoard, makeReps, type RepInput } from '../helpers/board-fixture.js';

type Json = Record<string, any>;

/** Every text object / cell in the blocks, by kind. */
function texts(blocks: unknown): { mrkdwn: string[]; plain: string[]; raw: string[] } {
  const out = { mrkdwn: [] as string[], plain: [] as string[], raw: [] as string[] };
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== 'object' || node === null) return;
    const o = node as Json;
    if (typeof o.text === 'string') {
      if (o.type === 'mrkdwn') out.mrkdwn.push(o.text);
      if (o.type === 'plain_text') out.plain.push(o.text);
      if (o.type === 'raw_text') out.raw.push(o.text);
    }
    Object.values(o).forEach(walk);
  };
  walk(blocks);
  return out;
}

function tables(blocks: Json[]): Json[] {
  return blocks.filter((b) => b.type === 'table');
}

function tableOf(blocks: Json[]): string[][] {
  const [table] = tables(blocks);
  return (table!.rows as Json[][]).map((row) => row.map((c) => c.text as string));
}

/** The whole-message checks every board must pass: Slack's limits, one table, no empty cells, a fallback text. */
function expectValidMessage(message: { text: string; blocks: unknown[] }): void {
  expect(blockKitProblems(message.blocks, '/blocks', 50)).toEqual([]);
  expect(message.blocks.length).toBeLessThanOrEqual(50);
  expect(message.text.trim()).not.toBe('');
  expect(message.text.length).toBeLessThanOrEqual(4000);
  const blocks = message.blocks as Json[];
  expect(tables(blocks).length).toBeLessThanOrEqual(1);
  for (const table of tables(blocks)) {
    expect(table.rows.length).toBeLessThanOrEqual(TOP_REPS_SHOWN + 1);
    const width = table.rows[0].length;
    expect(width).toBeLessThanOrEqual(20);
    for (const row of table.rows as Json[][]) {
      expect(row.length).toBe(width);
      for (const cell of row) {
        expect(cell.type).toBe('raw_text');
        expect(cell.text.length).toBeGreaterThan(0);
      }
    }
    expect(table.column_settings.length).toBeLessThanOrEqual(20);
  }
  for (const block of blocks) {
    if (block.type === 'context') expect(block.elements.length).toBeLessThanOrEqual(10);
    if (block.type === 'section' && block.text) expect(block.text.text.length).toBeLessThanOrEqual(3000);
  }
}

function withOtherCurrency(board: Board, repIndex: number, minor: bigint, currency: string): Board {
  board.reps[repIndex]!.revenue.push({ minor, currency });
  const team = board.team.revenue.find((m) => m.currency === currency);
  if (team) team.minor += minor;
  else board.team.revenue.push({ minor, currency });
  return board;
}

describe('renderBoard: Slack limits', () => {
  it.each([0, 1, 2, 50, 200])('%i reps make a valid message', (size) => {
    const board = makeBoard(makeReps(size, size + 3));
    for (const opts of [
      { insights: boardInsights(board) },
      { insights: boardInsights(board), postButtonValue: JSON.stringify({ period: 'last week' }), footer: 'Only you can see this.' },
      { insights: [] },
    ]) {
      const message = renderBoard(board, opts);
      expectValidMessage(message);
      const rows = size === 0 ? 0 : Math.min(size, TOP_REPS_SHOWN) + 1;
      expect(tables(message.blocks as Json[]).reduce((sum, t) => sum + t.rows.length, 0)).toBe(rows);
    }
  });

  it('shows the top 20 of 200 in board order, and says where the rest are', () => {
    const board = makeBoard(makeReps(200, 9));
    const message = renderBoard(board, { insights: boardInsights(board) });
    const rows = tableOf(message.blocks as Json[]);
    expect(rows).toHaveLength(21);
    expect(rows.slice(1).map((r) => r[1])).toEqual(board.reps.slice(0, 20).map((r) => r.name));
    expect(rows.slice(1).map((r) => r[0])).toEqual(Array.from({ length: 20 }, (_, i) => String(i + 1)));
    expect(texts(message.blocks).mrkdwn).toContain('Showing the top 20 of 200 reps by revenue; all reps are in the CSV in the thread.');
  });

  it('does not promise a CSV in the thread for the private preview, or when told there is none', () => {
    const board = makeBoard(makeReps(30));
    const preview = renderBoard(board, { insights: [], postButtonValue: '{}' });
    expect(texts(preview.blocks).mrkdwn).toContain('Showing the top 20 of 30 reps by revenue.');
    const noCsv = renderBoard(board, { insights: [], csvInThread: false });
    expect(texts(noCsv.blocks).mrkdwn).toContain('Showing the top 20 of 30 reps by revenue.');
    const small = renderBoard(makeBoard(makeReps(20)), { insights: [] });
    expect(texts(small.blocks).mrkdwn.join('\n')).not.toContain('Showing the top');
  });

  it('keeps a table within 20 cells a row when the workspace has many activity types', () => {
    const types: ActivityTypeDef[] = Array.from({ length: 15 }, (_, i) => ({
      key: `t${i}`,
      label: `Type ${i}`,
      plural: `type ${i}s`,
      outcomes: [],
    }));
    const board = makeBoard(makeReps(25), { types });
    const message = renderBoard(board, { insights: boardInsights(board) });
    expectValidMessage(message);
    const [header, first] = tableOf(message.blocks as Json[]);
    expect(header).toHaveLength(20);
    expect(header).toContain('Other');
    expect(header).toContain('Type 0s');
    expect(header).not.toContain('Type 14s');
    // The per-type cells (10 own columns + Other) add up to the rep's activities.
    const typeCells = first!.slice(5, 16).map((c) => Number(c.replace(/,/g, '')));
    expect(typeCells.reduce((a, b) => a + b, 0)).toBe(board.reps[0]!.activities);
  });

  it('shows only the activity types present in the period', () => {
    const board = makeBoard([
      { name: 'Ana', activities: 12, revenue: 500, activitiesByType: { call: 10, email: 2 } },
      { name: 'Bo', activities: 3, revenue: 0, activitiesByType: { call: 3 } },
    ]);
    const message = renderBoard(board, { insights: [] });
    const [header, ana, bo] = tableOf(message.blocks as Json[]);
    expect(header).toEqual(['#', 'Rep', 'Revenue', 'Won', 'Activities', 'Calls', 'Emails', 'Rev/activity', 'Win rate', 'Rev rank', 'Act rank']);
    expect(ana).toEqual(['1', 'Ana', '$500.00', '1', '12', '10', '2', '$41.67', '100%', '1', '1']); // $500 / 12 = $41.666…, half-up
    expect(bo).toEqual(['2', 'Bo', '$0.00', '0', '3', '3', '0', '$0.00', '–', '2', '2']);
    expect(texts(message.blocks).mrkdwn).toContain('*By type*\nCalls 13 · Emails 2');
  });

  it('shows shared ranks for ties (1, 2, 2, 4)', () => {
    const board = makeBoard([
      { name: 'Ana', activities: 10, revenue: 900 },
      { name: 'Bo', activities: 20, revenue: 500 },
      { name: 'Cy', activities: 20, revenue: 500 },
      { name: 'Dee', activities: 5, revenue: 100 },
    ]);
    const rows = tableOf(renderBoard(board, { insights: [] }).blocks as Json[]).slice(1);
    expect(rows.map((r) => r.at(-2))).toEqual(['1', '2', '2', '4']);
    expect(rows.map((r) => r.at(-1))).toEqual(['3', '1', '1', '4']);
  });

  it('renders an empty board without a table or totals, but with the insights', () => {
    const board = makeBoard([]);
    const message = renderBoard(board, { insights: boardInsights(board) });
    expectValidMessage(message);
    expect(tables(message.blocks as Json[])).toEqual([]);
    expect(texts(message.blocks).plain.join('\n')).toContain('No activities or deals logged yet this period');
    expect(message.text).toBe('Leaderboard, This week (Nov 23 – Nov 29): no activities or deals logged yet.');
  });

  it('leaves out the insights section when there are none, never sending empty text', () => {
    const message = renderBoard(makeBoard(makeReps(3)), { insights: ['', '   '] });
    expectValidMessage(message);
    expect(texts(message.blocks).mrkdwn).not.toContain('*Insights*');
  });

  it('cuts insights to a section text of at most 3000 characters', () => {
    const message = renderBoard(makeBoard(makeReps(3)), { insights: Array.from({ length: 5 }, () => 'x'.repeat(900)) });
    expectValidMessage(message);
  });
});

describe('renderBoard: hostile names', () => {
  const HOSTILE = ['*bold*', '_x_', '~s~', '<@U123>', '<!channel>', 'a & b', 'Zoë 🚀 :tada:', 'N'.repeat(200), '`code` > quote'];
  const reps: RepInput[] = HOSTILE.map((name, i) => ({ name, activities: 10 + i * 3, revenue: 1000 * (HOSTILE.length - i) }));
  // '<!channel>' is the top closer and '`code` > quote' the most active: both reach the fallback text.
  reps[4]!.revenue = 50000;
  reps[8]!.activities = 500;
  const board = makeBoard(reps);
  const message = renderBoard(board, { insights: boardInsights(board), postButtonValue: '{}', footer: 'Only you can see this.' });

  it('is still a valid message', () => {
    expectValidMessage(message);
  });

  it('puts every name literally in a raw_text cell', () => {
    const names = tableOf(message.blocks as Json[]).slice(1).map((r) => r[1]);
    expect(new Set(names)).toEqual(new Set(HOSTILE));
  });

  it('never puts a name into mrkdwn', () => {
    const mrkdwn = texts(message.blocks).mrkdwn.join('\n');
    for (const name of HOSTILE) expect(mrkdwn).not.toContain(name);
    expect(mrkdwn).not.toMatch(/<@U123>|<!channel>/);
  });

  it('shows names literally in the plain_text insights', () => {
    const insights = message.blocks.find((b: Json) => b.type === 'section' && b.text?.type === 'plain_text') as Json;
    expect(insights.text.emoji).toBe(true);
    expect(insights.text.text).toContain('<!channel> is leading on both');
    expect(insights.text.text).toContain('`code` > quote is the most active');
  });

  it('escapes &, < and > in the fallback text, so no mention or channel ping fires', () => {
    expect(message.text).toContain('Top closer: &lt;!channel&gt;.');
    expect(message.text).toContain('Most active: `code` &gt; quote.');
    expect(message.text).not.toMatch(/<!channel>|<@U123>/);
    const unescaped = message.text.replace(/&(amp|lt|gt);/g, '');
    expect(unescaped).not.toMatch(/[<>&]/);
  });

  it('keeps a 200-character name whole in its cell, and cuts longer ones', () => {
    const longest = 'L'.repeat(400);
    const rows = tableOf(renderBoard(makeBoard([{ name: longest, activities: 1, revenue: 1 }]), { insights: [] }).blocks as Json[]);
    expect(rows[1]![1]).toHaveLength(256);
    expect(rows[1]![1]!.endsWith('…')).toBe(true);
    expect(tableOf(message.blocks as Json[]).some((r) => r[1] === 'N'.repeat(200))).toBe(true);
  });

  it('shows an empty or blank name as the user id, and a multi-line one on one line', () => {
    const rows = tableOf(
      renderBoard(
        makeBoard([
          { name: '', userId: 'U0BLANK', activities: 2, revenue: 10 },
          { name: 'two\nlines', activities: 1, revenue: 5 },
        ]),
        { insights: [] },
      ).blocks as Json[],
    );
    expect(rows[1]![1]).toBe('U0BLANK');
    expect(rows[2]![1]).toBe('two lines');
  });
});

describe('renderBoard: team totals', () => {
  const fields = (board: Board) => {
    const section = renderBoard(board, { insights: [] }).blocks.find((b: Json) => b.type === 'section' && b.fields) as Json;
    expect(section.fields.length).toBeLessThanOrEqual(10);
    return section.fields.map((f: Json) => f.text as string);
  };

  it('shows other currencies beside the headline, never added into it', () => {
    const board = withOtherCurrency(
      makeBoard([
        { name: 'Ana', activities: 40, revenue: 30000 },
        { name: 'Bo', activities: 20, revenue: 10000 },
      ]),
      1,
      9_000_00n,
      'EUR',
    );
    const revenue = fields(board).find((f: string) => f.startsWith('*Revenue*'))!;
    expect(revenue).toContain('$40,000.00 + €9,000.00');
    expect(revenue).not.toContain('49,000');
    const rows = tableOf(renderBoard(board, { insights: [] }).blocks as Json[]);
    expect(rows[2]![2]).toBe('$10,000.00 + €9,000.00');
    expect(rows[1]![2]).toBe('$30,000.00');
    // Per-activity and average figures are headline-only.
    expect(fields(board)).toContain('*Revenue per activity*\n$666.67');
    expect(formatRevenue({ revenue: [{ minor: 120000n, currency: 'JPY' }], headlineRevenueMinor: 0n }, 'USD')).toBe('$0.00 + ¥120,000');
  });

  it('formats amounts for the headline currency', () => {
    const board = makeBoard([{ name: 'Ana', activities: 10, revenue: 1250000 }], { currency: 'JPY' });
    expect(fields(board).find((f: string) => f.startsWith('*Revenue*'))).toContain('¥1,250,000');
  });

  it('shows ▲/▼ changes, "new" and "no change" against the previous period', () => {
    const up = makeBoard([{ name: 'Ana', activities: 90, revenue: 40000, previous: { activities: 100, revenue: 32000 } }]);
    const f = fields(up);
    expect(f.find((x: string) => x.startsWith('*Revenue*'))).toBe('*Revenue*\n$40,000.00\n▲ 25% vs previous');
    expect(f.find((x: string) => x.startsWith('*Activities*'))).toBe('*Activities*\n90\n▼ 10% vs previous');
    expect(f.find((x: string) => x.startsWith('*Deals*'))).toBe('*Deals*\n1 won · 0 lost\nWins: no change vs previous');

    const fresh = makeBoard([{ name: 'Ana', activities: 5, revenue: 100, previous: { activities: 5, revenue: 0 } }]);
    const g = fields(fresh);
    expect(g.find((x: string) => x.startsWith('*Revenue*'))).toBe('*Revenue*\n$100.00\nnew this period');
    expect(g.find((x: string) => x.startsWith('*Activities*'))).toBe('*Activities*\n5\nno change vs previous');
  });

  it('shows win rate (by count), average deal and the rest', () => {
    const board = makeBoard([
      { name: 'Ana', activities: 10, revenue: 3000, won: 2, lost: 1 },
      { name: 'Bo', activities: 10, revenue: 0, won: 0, lost: 1 },
    ]);
    const f = fields(board);
    expect(f).toContain('*Win rate*\n50%');
    expect(f).toContain('*Average deal*\n$1,500.00');
    expect(f).toContain('*Deals*\n2 won · 2 lost\nWins: new this period');
    expect(f).toContain('*Revenue per activity*\n$150.00');
  });

  it('puts the period and the compared period in the context line', () => {
    const board = makeBoard(makeReps(3), { label: 'Q3 <FY2026> & more' });
    const context = renderBoard(board, { insights: [] }).blocks[1] as Json;
    expect(context.type).toBe('context');
    expect(context.elements[0].text).toBe(':calendar: *Q3 &lt;FY2026&gt; &amp; more* · changes vs Last week (Nov 16 – Nov 22)');
  });
});

describe('formatChange', () => {
  it('rounds percentages, marks new and unchanged', () => {
    expect(formatChange(125n, 100n)).toBe('▲ 25%');
    expect(formatChange(90, 100)).toBe('▼ 10%');
    expect(formatChange(5n, 0n)).toBe('new');
    expect(formatChange(0, 0)).toBe('no change');
    expect(formatChange(7, 7)).toBe('no change');
    expect(formatChange(0, 10)).toBe('▼ 100%');
    expect(formatChange(1001, 1000)).toBe('▲ <1%');
    expect(formatChange(2, 3)).toBe('▼ 33%');
    expect(formatChange(10_000_000_000_000_001n, 10_000_000_000_000_000n)).toBe('▲ <1%');
  });
});

describe('renderBoard: fallback text and button', () => {
  it('summarises the board readably', () => {
    const board = makeBoard([
      { name: 'Ana', activities: 100, revenue: 40000 },
      { name: 'Bo', activities: 114, revenue: 12000 },
    ]);
    expect(renderBoard(board, { insights: [] }).text).toBe(
      'Leaderboard, This week (Nov 23 – Nov 29): $52,000.00 closed from 214 activities. Top closer: Ana. Most active: Bo.',
    );
  });

  it('adds the Post to channel button only when asked', () => {
    const board = makeBoard(makeReps(3));
    const without = renderBoard(board, { insights: [] });
    expect(without.blocks.some((b) => b.type === 'actions')).toBe(false);

    const value = JSON.stringify({ period: 'last month' });
    const withButton = renderBoard(board, { insights: [], postButtonValue: value });
    const actions = withButton.blocks.filter((b) => b.type === 'actions') as Json[];
    expect(actions).toHaveLength(1);
    expect(actions[0]!.elements).toEqual([
      expect.objectContaining({ type: 'button', action_id: POST_TO_CHANNEL_ACTION, value, text: expect.objectContaining({ text: 'Post to channel' }) }),
    ]);
    expectValidMessage(withButton);
  });

  it('leaves out a button whose value Slack would refuse', () => {
    const message = renderBoard(makeBoard(makeReps(3)), { insights: [], postButtonValue: 'x'.repeat(2001) });
    expect(message.blocks.some((b) => b.type === 'actions')).toBe(false);
    expectValidMessage(message);
  });

  it('adds the footer as a context line', () => {
    const message = renderBoard(makeBoard(makeReps(3)), { insights: [], footer: 'Only you can see this.' });
    const last = message.blocks.at(-1) as Json;
    expect(last.type).toBe('context');
    expect(last.elements[0].text).toBe('Only you can see this.');
  });
});

describe('boardCsv', () => {
  const records = (csv: string): string[][] => parse(csv, { relax_column_count: false }) as string[][];

  it('has a header and every one of 200 reps, in board order', () => {
    const board = makeBoard(makeReps(200, 5));
    const csv = boardCsv(board);
    const rows = records(csv);
    expect(rows).toHaveLength(201);
    expect(rows[0]).toEqual([
      'Position',
      'Rep',
      'User ID',
      'Revenue rank',
      'Activity rank',
      'Revenue (USD)',
      'Deals won',
      'Deals lost',
      'Win rate (%)',
      'Average deal (USD)',
      'Activities',
      'Calls',
      'Emails',
      'Meetings',
      'Demos',
      'Proposals',
      'Revenue per activity (USD)',
      'Previous activities',
      'Previous revenue (USD)',
    ]);
    expect(rows.slice(1).map((r) => r[1])).toEqual(board.reps.map((r) => r.name));
    expect(rows.slice(1).map((r) => r[3])).toEqual(board.reps.map((r) => String(r.revenueRank)));
    expect(csv.endsWith('\r\n')).toBe(true);
  });

  it('round-trips names with commas, quotes and line breaks (RFC 4180)', () => {
    const names = ['Smith, Jo', 'Jo "JJ" Smith', 'two\nlines', 'cr\r\nlf', '*bold* & <@U123>', 'Zoë 🚀', 'plain'];
    const board = makeBoard(names.map((name, i) => ({ name, activities: 10 - i, revenue: 100 * (10 - i) })));
    const csv = boardCsv(board);
    expect(csv).toContain('"Jo ""JJ"" Smith"');
    const rows = records(csv);
    expect(rows.slice(1).map((r) => r[1])).toEqual(board.reps.map((r) => r.name));
  });

  it('keeps a name from running as a spreadsheet formula', () => {
    const rows = records(boardCsv(makeBoard([{ name: '=HYPERLINK("http://x","y")', activities: 1, revenue: 1 }])));
    expect(rows[1]![1]).toBe('\'=HYPERLINK("http://x","y")');
  });

  it('writes money as plain decimals, one column per currency, never added', () => {
    const board = withOtherCurrency(
      makeBoard([
        { name: 'Ana', activities: 40, revenue: 30000.5, won: 2, lost: 1 },
        { name: 'Bo', activities: 0, revenue: 0, lost: 1 },
      ]),
      1,
      9_000_00n,
      'EUR',
    );
    const [header, ana, bo] = records(boardCsv(board));
    const col = (name: string) => header!.indexOf(name);
    expect(header!.slice(5, 7)).toEqual(['Revenue (USD)', 'Revenue (EUR)']);
    expect(ana![col('Revenue (USD)')]).toBe('30000.50');
    expect(ana![col('Revenue (EUR)')]).toBe('0.00');
    expect(bo![col('Revenue (USD)')]).toBe('0.00');
    expect(bo![col('Revenue (EUR)')]).toBe('9000.00');
    expect(ana![col('Win rate (%)')]).toBe('66.7');
    expect(ana![col('Average deal (USD)')]).toBe('15000.25');
    expect(bo![col('Revenue per activity (USD)')]).toBe('');
    expect(bo![col('Win rate (%)')]).toBe('0.0');
  });

  it('uses the currency minor units (JPY has none)', () => {
    const [header, row] = records(boardCsv(makeBoard([{ name: 'Ana', activities: 3, revenue: 120000 }], { currency: 'JPY' })));
    expect(row![header!.indexOf('Revenue (JPY)')]).toBe('120000');
  });

  it('is just the header for an empty board', () => {
    expect(records(boardCsv(makeBoard([])))).toHaveLength(1);
  });
});

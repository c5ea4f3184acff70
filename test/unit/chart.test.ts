import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MAX_LABEL_CHARS,
  MAX_LABELLED_REPS,
  QUADRANT_NAMES,
  boardChartLayout,
  boardChartSvg,
  chartFontFiles,
  chartLabel,
  niceAxis,
  placeLabels,
  renderBoardChart,
  svgToPng,
  type ChartLayout,
  type PlacedLabel,
} from '../../src/features/leaderboard/chart.js';
import type { Board } from '../../src/features/leaderboard/types.js';
import { makeBoard, makeReps, type RepInput } from '../helpers/board-fixture.js';
import { decodePng, diffIn, pngHeader, textNodes, type Image, type Region, type TextNode } from '../helpers/chart-image.js';

// ---------------------------------------------------------------------------------------------
// Where the SVG says its text goes, and how many pixels differ there between two renders.

/** A generous box around a horizontal text node (DejaVu Sans is at most ~0.8 em a character here, plus the halo). */
function regionOf(t: TextNode): Region {
  const chars = Array.from(t.content.replace(/&\w+;/g, '_')).length;
  const w = chars * t.size * 0.8 + 8;
  const x0 = t.anchor === 'start' ? t.x - 4 : t.anchor === 'end' ? t.x - w : t.x - w / 2;
  return { x0: Math.floor(x0), x1: Math.ceil(x0 + w), y0: Math.floor(t.y - t.size * 1.1), y1: Math.ceil(t.y + t.size * 0.4) };
}

function diffOutside(a: Image, b: Image, regions: Region[]): number {
  let n = 0;
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < a.width; x++) {
      if (regions.some((r) => x >= r.x0 && x < r.x1 && y >= r.y0 && y < r.y1)) continue;
      const i = (y * a.width + x) * 4;
      if (a.rgba[i] !== b.rgba[i] || a.rgba[i + 1] !== b.rgba[i + 1] || a.rgba[i + 2] !== b.rgba[i + 2]) n++;
    }
  }
  return n;
}

function withoutNames(board: Board): Board {
  return { ...board, reps: board.reps.map((r) => ({ ...r, name: '' })) };
}

/**
 * The label check: render the board with its names and with every name blanked, through `render`
 * (SVG → PNG bytes), decode both PNGs, and count differing pixels in each label's box.
 */
async function labelInk(board: Board, render: (svg: string) => Promise<Buffer>): Promise<{ perLabel: number[]; outside: number; labels: TextNode[] }> {
  const svg = boardChartSvg(board);
  const labels = textNodes(svg, 'rep-label');
  const named = decodePng(await render(svg));
  const blank = decodePng(await render(boardChartSvg(withoutNames(board))));
  const regions = labels.map(regionOf);
  return { perLabel: regions.map((r) => diffIn(named, blank, r)), outside: diffOutside(named, blank, regions), labels };
}

const SAMPLE: RepInput[] = [
  { name: 'Alice Anderson', activities: 42, revenue: 12_500 },
  { name: 'Bob Baker', activities: 10, revenue: 30_000 },
  { name: 'Carol Chen', activities: 60, revenue: 0 },
  { name: 'Dan Diaz', activities: 25, revenue: 8_000 },
  { name: 'Eve Evans', activities: 5, revenue: 1_500 },
];

const tmp = mkdtempSync(join(tmpdir(), 'chart-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// ---------------------------------------------------------------------------------------------

describe('renderBoardChart: the PNG', () => {
  it('is a valid PNG of the default 1200×800 and a sensible size', async () => {
    const png = await renderBoardChart(makeBoard(SAMPLE));
    const header = pngHeader(png);
    expect(header).toMatchObject({ width: 1200, height: 800, bitDepth: 8 });
    expect(png.length).toBeGreaterThan(10_000);
    expect(png.length).toBeLessThan(400_000);
    const img = decodePng(png);
    expect(img.rgba.length).toBe(1200 * 800 * 4);
  });

  it('has the requested width and height', async () => {
    for (const [width, height] of [
      [640, 480],
      [2000, 1000],
      [300, 300],
    ] as const) {
      const png = await renderBoardChart(makeBoard(SAMPLE), { width, height });
      expect(pngHeader(png)).toMatchObject({ width, height });
    }
  });

  it('refuses sizes that are not whole pixels or are absurd', async () => {
    for (const bad of [0, -5, 12.5, 10_000, Number.NaN]) {
      await expect(renderBoardChart(makeBoard(SAMPLE), { width: bad })).rejects.toThrow(RangeError);
    }
  });

  it.each([0, 1, 2, 50, 200])('renders a board of %i reps', async (n) => {
    const board = makeBoard(makeReps(n, n + 7));
    const svg = boardChartSvg(board);
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
    const png = await renderBoardChart(board);
    expect(pngHeader(png)).toMatchObject({ width: 1200, height: 800 });
    expect(png.length).toBeLessThan(400_000);
    expect((svg.match(/class="rep-point"/g) ?? []).length).toBe(n);
  });

  it('uses only the shipped TrueType files, which exist', () => {
    const files = chartFontFiles();
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(f).toMatch(/dejavu-fonts-ttf[\\/]ttf[\\/]DejaVuSans[\w-]*\.ttf$/);
  });
});

describe('renderBoardChart: the labels are really drawn', () => {
  it('draws ink in every rep label box, and nowhere else, compared with the same board without names', async () => {
    const { perLabel, outside, labels } = await labelInk(makeBoard(SAMPLE), (svg) => svgToPng(svg));
    expect(labels.map((l) => l.content).sort()).toEqual(SAMPLE.map((r) => r.name).sort());
    for (const ink of perLabel) expect(ink).toBeGreaterThan(150);
    expect(outside).toBe(0);
  });

  it('draws the labels through renderBoardChart itself (the path scheduled posts use)', async () => {
    const board = makeBoard(SAMPLE);
    const named = decodePng(await renderBoardChart(board));
    const blank = decodePng(await renderBoardChart(withoutNames(board)));
    const labels = textNodes(boardChartSvg(board), 'rep-label');
    expect(labels).toHaveLength(SAMPLE.length);
    for (const l of labels) expect(diffIn(named, blank, regionOf(l))).toBeGreaterThan(150);
  });

  it('draws the title, axis titles, ticks and quadrant names too (differs from a render with no font)', async () => {
    const board = makeBoard(SAMPLE);
    const svg = boardChartSvg(board);
    const withFont = decodePng(await renderBoardChart(board));
    const noFont = decodePng(await svgToPng(svg, []));
    for (const cls of ['title', 'subtitle', 'tick-x', 'tick-y', 'quadrant', 'median-label']) {
      const nodes = textNodes(svg, cls);
      expect(nodes.length, cls).toBeGreaterThan(0);
      for (const n of nodes) expect(diffIn(withFont, noFont, regionOf(n)), `${cls} "${n.content}"`).toBeGreaterThan(5);
    }
  });

  it('control: the same check finds NO ink when the renderer has no usable font (no files)', async () => {
    const { perLabel, labels } = await labelInk(makeBoard(SAMPLE), (svg) => svgToPng(svg, []));
    expect(labels).toHaveLength(SAMPLE.length);
    expect(perLabel.every((ink) => ink === 0)).toBe(true);
    // ...so the assertion of the real test would fail here:
    expect(() => {
      for (const ink of perLabel) expect(ink).toBeGreaterThan(150);
    }).toThrow();
  });

  it('control: the same check finds NO ink with a WOFF2 font, the @fontsource failure mode', async () => {
    // A WOFF2 file as @fontsource ships them: resvg cannot read the format and skips it silently.
    const woff2 = join(tmp, 'dejavu-sans-latin-400-normal.woff2');
    writeFileSync(woff2, Buffer.concat([Buffer.from('wOF2\u0000\u0001\u0000\u0000', 'latin1'), Buffer.alloc(2048, 0x5a)]));
    const { perLabel } = await labelInk(makeBoard(SAMPLE), (svg) => svgToPng(svg, [woff2]));
    expect(perLabel.every((ink) => ink === 0)).toBe(true);
  });
});

describe('boardChartSvg: content', () => {
  it('has the period as title, the axis titles and the headline currency', () => {
    const svg = boardChartSvg(makeBoard(SAMPLE, { label: 'October 2026' }));
    expect(textNodes(svg, 'title').map((t) => t.content)).toEqual(['October 2026']);
    expect(textNodes(svg, 'axis-title').map((t) => t.content)).toEqual(['Activities', 'Revenue (USD)']);
  });

  it('formats revenue ticks compactly in the headline currency', () => {
    const usd = textNodes(boardChartSvg(makeBoard(SAMPLE)), 'tick-y').map((t) => t.content);
    expect(usd[0]).toBe('$0');
    expect(usd).toContain('$10K');
    expect(usd).toContain('$30K');
    const jpy = boardChartSvg(makeBoard([{ name: 'Kenji', activities: 4, revenue: 2_400_000 }], { currency: 'JPY' }));
    expect(textNodes(jpy, 'axis-title').map((t) => t.content)).toContain('Revenue (JPY)');
    expect(textNodes(jpy, 'tick-y').map((t) => t.content)).toContain('¥2M');
    const big = textNodes(boardChartSvg(makeBoard([{ name: 'Whale', activities: 3, revenue: 4_200_000 }])), 'tick-y').map((t) => t.content);
    expect(big).toContain('$4M');
  });

  it('has round, evenly spaced activity ticks from 0', () => {
    const ticks = textNodes(boardChartSvg(makeBoard(SAMPLE)), 'tick-x').map((t) => Number(t.content));
    expect(ticks).toEqual([0, 10, 20, 30, 40, 50, 60, 70]);
  });

  it('puts each quadrant name in its corner', () => {
    const svg = boardChartSvg(makeBoard(SAMPLE));
    const q = Object.fromEntries(textNodes(svg, 'quadrant').map((t) => [/data-quadrant="(\w+)"/.exec(t.attrs)![1]!, t]));
    expect(q.leading!.content).toBe(QUADRANT_NAMES.leading);
    expect(q.efficient_closer!.content).toBe('Efficient closers');
    expect(q.busy_not_closing!.content).toBe('Busy, not yet closing');
    expect(q.quiet!.content).toBe('Quiet');
    expect(q.leading!.x).toBeGreaterThan(q.efficient_closer!.x);
    expect(q.leading!.y).toBeLessThan(q.busy_not_closing!.y);
    expect(q.busy_not_closing!.x).toBeGreaterThan(q.quiet!.x);
    expect(q.efficient_closer!.y).toBeLessThan(q.quiet!.y);
  });

  it('draws dashed median lines through a rep sitting exactly on both medians', () => {
    const svg = boardChartSvg(makeBoard([{ name: 'Solo', activities: 7, revenue: 900 }]));
    const cx = Number(/class="rep-point" cx="([\d.]+)" cy="([\d.]+)"/.exec(svg)![1]);
    const cy = Number(/class="rep-point" cx="[\d.]+" cy="([\d.]+)"/.exec(svg)![1]);
    const mx = /<line class="median-x" x1="([\d.]+)"[^>]*stroke-dasharray/.exec(svg);
    const my = /<line class="median-y" x1="[\d.]+" y1="([\d.]+)"[^>]*stroke-dasharray/.exec(svg);
    expect(Number(mx![1])).toBeCloseTo(cx, 0);
    expect(Number(my![1])).toBeCloseTo(cy, 0);
    expect(textNodes(svg, 'rep-label').map((t) => t.content)).toEqual(['Solo']);
  });

  it('shows an empty-state chart for a board without reps', async () => {
    const svg = boardChartSvg(makeBoard([]));
    expect(textNodes(svg, 'empty').map((t) => t.content)).toEqual(['No activity or deals yet']);
    expect(svg).not.toContain('rep-point');
    expect(svg).not.toContain('median-x');
    // The message is really drawn.
    const withFont = decodePng(await renderBoardChart(makeBoard([])));
    const noFont = decodePng(await svgToPng(svg, []));
    expect(diffIn(withFont, noFont, regionOf(textNodes(svg, 'empty')[0]!))).toBeGreaterThan(500);
  });

  it('survives a board of all zeros (no zero-width scales)', async () => {
    const board = makeBoard([
      { name: 'Zed', activities: 0, revenue: 0 },
      { name: 'Yan', activities: 0, revenue: 0 },
    ]);
    const svg = boardChartSvg(board);
    expect(svg).not.toMatch(/NaN|Infinity/);
    expect(textNodes(svg, 'tick-x').length).toBeGreaterThan(1);
    expect(textNodes(svg, 'tick-y').length).toBeGreaterThan(1);
    expect(pngHeader(await renderBoardChart(board))).toMatchObject({ width: 1200, height: 800 });
  });

  it(`labels at most ${MAX_LABELLED_REPS} reps on a crowded board: the top by revenue and by activities`, () => {
    const board = makeBoard(makeReps(200, 3));
    const svg = boardChartSvg(board);
    const labels = textNodes(svg, 'rep-label').map((t) => t.content);
    expect(labels).toHaveLength(MAX_LABELLED_REPS);
    expect(new Set(labels).size).toBe(MAX_LABELLED_REPS);
    expect(labels).toContain(board.reps[0]!.name); // most revenue
    const mostActive = [...board.reps].sort((a, b) => b.activities - a.activities)[0]!;
    expect(labels).toContain(mostActive.name);
    expect(textNodes(svg, 'footnote')[0]!.content).toBe('Names shown for the top 30 of 200 reps by revenue and by activities.');
    expect((svg.match(/class="rep-point"/g) ?? []).length).toBe(200);
  });

  it('does not label or footnote when every rep fits', () => {
    const svg = boardChartSvg(makeBoard(makeReps(MAX_LABELLED_REPS, 5)));
    expect(textNodes(svg, 'rep-label')).toHaveLength(MAX_LABELLED_REPS);
    expect(svg).not.toContain('footnote');
  });
});

describe('boardChartSvg: hostile and awkward names', () => {
  const hostile: RepInput[] = [
    { name: '<script>alert("x")</script>&\'', activities: 10, revenue: 5_000 },
    { name: '*bold* _it_ ~strike~ `code` <@U123|mention>', activities: 20, revenue: 2_000 },
    { name: 'Zoë 🚀 Ramírez 👩🏽‍💻 🇺🇸', activities: 30, revenue: 9_000 },
    { name: '🚀🔥', activities: 3, revenue: 100 },
    { name: 'bell\u0007 lone\uD800 nul\u0000 ]]><!-- x', activities: 15, revenue: 7_500 },
    { name: '   ', activities: 1, revenue: 0 },
    { name: 'Short <b>&"\'', activities: 12, revenue: 600 },
    { name: 'María-José Fernández de la Cruz y Olivares', activities: 8, revenue: 3_000 },
  ];

  it('escapes everything, stays well-formed XML and renders', async () => {
    const board = makeBoard(hostile, { label: 'Q3 <FY2026> & "more"' });
    const svg = boardChartSvg(board);
    expect(svg).not.toContain('<script');
    expect(svg).not.toContain('<@U123');
    expect(svg).not.toContain('<!--');
    expect(svg).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/scr…'); // cut at 24 characters
    expect(svg).toContain('Short &lt;b&gt;&amp;&quot;&apos;');
    expect(svg).toContain('Q3 &lt;FY2026&gt; &amp; &quot;more&quot;');
    // Every & starts an entity.
    expect(svg).not.toMatch(/&(?!(?:amp|lt|gt|quot|apos);)/);
    // resvg parses the document (it throws on malformed XML) and draws it.
    expect(() => new Resvg(svg)).not.toThrow();
    const png = await renderBoardChart(board);
    expect(pngHeader(png)).toMatchObject({ width: 1200, height: 800 });
  });

  it('draws the hostile names as text (ink in their boxes)', async () => {
    const { perLabel, labels } = await labelInk(makeBoard(hostile), (svg) => svgToPng(svg));
    // The blank name gets no label; every other one is drawn.
    expect(labels).toHaveLength(hostile.length - 1);
    for (const ink of perLabel) expect(ink).toBeGreaterThan(50);
  });

  it('cuts long names, drops emoji and characters XML cannot carry', () => {
    expect(chartLabel('María-José Fernández de la Cruz y Olivares')).toBe('María-José Fernández de…');
    expect(Array.from(chartLabel('x'.repeat(100)))).toHaveLength(MAX_LABEL_CHARS);
    expect(chartLabel('Exactly twenty-four ch.!')).toBe('Exactly twenty-four ch.!');
    expect(chartLabel('Zoë 🚀 Ramírez 👩🏽‍💻 🇺🇸')).toBe('Zoë Ramírez');
    expect(chartLabel('🚀🔥')).toBe('🚀🔥'); // nothing but emoji: keep them (a box beats no label)
    expect(chartLabel('bell\u0007 lone\uD800 x')).toBe('bell lone x');
    expect(chartLabel('  a \n\t b  ')).toBe('a b');
    // Graphemes are never split.
    expect(chartLabel(`${'y'.repeat(22)}é́́ tail`)).toBe(`${'y'.repeat(22)}é́́…`);
  });
});

// ---------------------------------------------------------------------------------------------
// Label layout: geometry of the boxes the layout returns, then the pixels resvg draws for them.

interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

function overlaps(a: Rect, b: Rect): boolean {
  return Math.min(a.x + a.width, b.x + b.width) > Math.max(a.x, b.x) && Math.min(a.y + a.height, b.y + b.height) > Math.max(a.y, b.y);
}

function within(a: Rect, outer: Rect): boolean {
  return a.x >= outer.x && a.y >= outer.y && a.x + a.width <= outer.x + outer.width && a.y + a.height <= outer.y + outer.height;
}

/** Whether a dot (radius plus its 1 px white outline) reaches into the box. */
function coversDot(dot: { x: number; y: number; r: number }, b: Rect): boolean {
  const dx = dot.x - Math.min(Math.max(dot.x, b.x), b.x + b.width);
  const dy = dot.y - Math.min(Math.max(dot.y, b.y), b.y + b.height);
  return Math.hypot(dx, dy) < dot.r + 1;
}

function distanceToBox(x: number, y: number, b: Rect): number {
  return Math.hypot(x - Math.min(Math.max(x, b.x), b.x + b.width), y - Math.min(Math.max(y, b.y), b.y + b.height));
}

/** Whether a segment passes through the inside of a box (sampled every half pixel; boxes here are far bigger). */
function segmentEnters(s: { x1: number; y1: number; x2: number; y2: number }, b: Rect): boolean {
  const steps = Math.max(1, Math.ceil(Math.hypot(s.x2 - s.x1, s.y2 - s.y1) * 2));
  for (let i = 0; i <= steps; i++) {
    const x = s.x1 + ((s.x2 - s.x1) * i) / steps;
    const y = s.y1 + ((s.y2 - s.y1) * i) / steps;
    if (x > b.x + 0.5 && x < b.x + b.width - 0.5 && y > b.y + 0.5 && y < b.y + b.height - 0.5) return true;
  }
  return false;
}

/**
 * Every rule the layout promises, checked on the boxes it returns: each name inside the plot, off
 * every quadrant name and every other name, off every dot (`dots`), beside its own dot or joined
 * to it by a leader line that runs from the dot's edge to the name's box, through no other name
 * (`leadersClear`: in a crowd where names ring a dot, a leader line may have to pass one).
 */
function expectClearLayout(layout: ChartLayout, { dots = true, leadersClear = true }: { dots?: boolean; leadersClear?: boolean } = {}): void {
  const { plot, captions, labels, points } = layout;
  labels.forEach((l, i) => {
    const what = `label "${l.text}"`;
    expect(within(l.box, plot), `${what} inside the plot`).toBe(true);
    for (const c of captions) expect(overlaps(l.box, c.box), `${what} on "${c.text}"`).toBe(false);
    for (const m of labels.slice(i + 1)) expect(overlaps(l.box, m.box), `${what} on "${m.text}"`).toBe(false);
    if (dots) for (const p of points) expect(coversDot(p, l.box), `${what} on ${p.rep.name}'s dot`).toBe(false);
    const dot = points.find((p) => p.rep === l.rep)!;
    if (l.leader === null) {
      expect(distanceToBox(dot.x, dot.y, l.box), `${what} beside its dot`).toBeLessThanOrEqual(dot.r + 12);
    } else {
      expect(Math.hypot(l.leader.x1 - dot.x, l.leader.y1 - dot.y), `${what}: leader starts at its dot`).toBeCloseTo(dot.r + 1, 5);
      expect(distanceToBox(l.leader.x2, l.leader.y2, l.box), `${what}: leader ends at its name`).toBeLessThan(1e-6);
      if (leadersClear) for (const m of labels) if (m !== l) expect(segmentEnters(l.leader, m.box), `${what}: leader through "${m.text}"`).toBe(false);
    }
    // The text is drawn where the box says: start-anchored, its baseline inside the box.
    expect(l.x).toBeGreaterThan(l.box.x);
    expect(l.y).toBeGreaterThan(l.box.y);
    expect(l.y).toBeLessThan(l.box.y + l.box.height);
  });
  for (const c of captions) expect(within(c.box, plot), `"${c.text}" inside the plot`).toBe(true);
}

/** The pixels where the named and the blank-named renders differ: what the names (and their leader lines) drew. */
async function nameInk(board: Board): Promise<{ named: Image; blank: Image; layout: ChartLayout }> {
  return { named: decodePng(await renderBoardChart(board)), blank: decodePng(await renderBoardChart(withoutNames(board))), layout: boardChartLayout(board) };
}

/** Differing pixels not inside a label box (grown by 1 px for anti-aliasing) nor within 1.5 px of a leader line. */
function inkOutsideLabels(named: Image, blank: Image, layout: ChartLayout): number {
  let n = 0;
  for (let y = 0; y < named.height; y++) {
    for (let x = 0; x < named.width; x++) {
      const i = (y * named.width + x) * 4;
      if (named.rgba[i] === blank.rgba[i] && named.rgba[i + 1] === blank.rgba[i + 1] && named.rgba[i + 2] === blank.rgba[i + 2]) continue;
      const cx = x + 0.5;
      const cy = y + 0.5;
      const inLabel = layout.labels.some((l) => cx >= l.box.x - 1 && cx <= l.box.x + l.box.width + 1 && cy >= l.box.y - 1 && cy <= l.box.y + l.box.height + 1);
      const onLeader = layout.labels.some((l) => l.leader !== null && distanceToSegment(cx, cy, l.leader) <= 1.5);
      if (!inLabel && !onLeader) n++;
    }
  }
  return n;
}

function distanceToSegment(x: number, y: number, s: { x1: number; y1: number; x2: number; y2: number }): number {
  const dx = s.x2 - s.x1;
  const dy = s.y2 - s.y1;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.min(1, Math.max(0, ((x - s.x1) * dx + (y - s.y1) * dy) / len2));
  return Math.hypot(x - (s.x1 + t * dx), y - (s.y1 + t * dy));
}

function boxRegion(b: Rect): Region {
  return { x0: Math.floor(b.x), y0: Math.floor(b.y), x1: Math.ceil(b.x + b.width), y1: Math.ceil(b.y + b.height) };
}

/** The reported case: a busy rep at 30 activities and $0 sat in the "Busy, not yet closing" corner, her name on the caption. */
const REPORTED: RepInput[] = [
  { name: 'Ben Carter', activities: 9, revenue: 14_500 },
  { name: 'Priya Nair', activities: 17, revenue: 6_200 },
  { name: 'Jordan Lee', activities: 6, revenue: 0 },
  { name: 'Lena Vogel', activities: 12, revenue: 0 },
  { name: 'Ana Lima', activities: 30, revenue: 0 },
];

/** Twelve reps on three nearly identical spots in the busy corner, eight closers in a clump, one leader. */
const CROWDED: RepInput[] = [
  ...Array.from({ length: 12 }, (_, i) => ({ name: `Crowd Rep ${String.fromCharCode(65 + i)}`, activities: 40 + (i % 3), revenue: 0 })),
  ...Array.from({ length: 8 }, (_, i) => ({ name: `Closer ${i + 1}`, activities: 5 + (i % 2), revenue: 20_000 + i * 100 })),
  { name: 'Top Dog', activities: 44, revenue: 21_000 },
];

describe('boardChartLayout: names keep clear of the quadrant names, each other and the dots', () => {
  it('the reported case: a rep at 30 activities and $0 is named beside her dot, off "Busy, not yet closing"', () => {
    const layout = boardChartLayout(makeBoard(REPORTED));
    const busy = layout.captions.find((c) => c.quadrant === 'busy_not_closing')!;
    const ana = layout.labels.find((l) => l.text === 'Ana Lima')!;
    const anaDot = layout.points.find((p) => p.rep.name === 'Ana Lima')!;
    // Her dot is on the bottom edge under where the caption's corner spot is...
    expect(anaDot.x).toBeGreaterThan(busy.box.x);
    expect(anaDot.x).toBeLessThan(busy.box.x + busy.box.width);
    // ...so the caption moved up off the dot, and her name sits beside the dot, on neither.
    expect(coversDot(anaDot, busy.box)).toBe(false);
    expect(overlaps(ana.box, busy.box)).toBe(false);
    expect(ana.leader).toBeNull();
    expect(layout.labels.map((l) => l.text).sort()).toEqual(REPORTED.map((r) => r.name).sort());
    expectClearLayout(layout);
  });

  it('the reported case, in pixels: no name ink on any quadrant name, and all of it inside the name boxes', async () => {
    const { named, blank, layout } = await nameInk(makeBoard(REPORTED));
    for (const c of layout.captions) expect(diffIn(named, blank, boxRegion(c.box)), c.text).toBe(0);
    for (const l of layout.labels) expect(diffIn(named, blank, boxRegion(l.box)), l.text).toBeGreaterThan(100);
    expect(inkOutsideLabels(named, blank, layout)).toBe(0);
  });

  it('a crowd of reps on nearly the same spot: every name placed, none overlapping, leader lines to the far ones', () => {
    const board = makeBoard(CROWDED);
    const layout = boardChartLayout(board);
    expect(layout.labels).toHaveLength(CROWDED.length);
    expectClearLayout(layout, { leadersClear: false });
    const crowd = layout.labels.filter((l) => l.text.startsWith('Crowd Rep'));
    expect(crowd.filter((l) => l.leader !== null).length).toBeGreaterThan(4);
    // None is flung across the chart: every crowd name within a quarter of the plot's width of its dot.
    for (const l of crowd) {
      const dot = layout.points.find((p) => p.rep === l.rep)!;
      expect(distanceToBox(dot.x, dot.y, l.box), l.text).toBeLessThan(layout.plot.width / 4);
    }
    // Deterministic: the same board gives the same layout, whatever order the reps came in.
    const again = boardChartLayout(makeBoard([...CROWDED].reverse()));
    expect(again.labels.map(({ text, x, y, box, leader }) => ({ text, x, y, box, leader }))).toEqual(
      layout.labels.map(({ text, x, y, box, leader }) => ({ text, x, y, box, leader })),
    );
  });

  it('a crowd, in pixels: the names and leader lines draw only inside their boxes and along their lines', async () => {
    const { named, blank, layout } = await nameInk(makeBoard(CROWDED));
    for (const l of layout.labels) expect(diffIn(named, blank, boxRegion(l.box)), l.text).toBeGreaterThan(100);
    expect(inkOutsideLabels(named, blank, layout)).toBe(0);
  });

  it('measures wide, narrow and accented names so their ink stays inside their boxes', async () => {
    const board = makeBoard([
      { name: 'WWWW MMMM', activities: 10, revenue: 9_000 },
      { name: 'iiii llll ffff', activities: 20, revenue: 2_000 },
      { name: 'Ångström Ölçer-Ñúñez', activities: 30, revenue: 6_000 },
      { name: 'jpqy gjy', activities: 40, revenue: 4_000 },
      { name: 'Łukasz Øresund', activities: 50, revenue: 1_000 },
    ]);
    const { named, blank, layout } = await nameInk(board);
    expectClearLayout(layout);
    expect(inkOutsideLabels(named, blank, layout)).toBe(0);
  });

  it.each([
    [5, 1],
    [5, 9],
    [12, 2],
    [12, 8],
    [30, 4],
    [30, 6],
  ])('keeps every rule for %i reps (seed %i), and the quadrant names off every dot', (n, seed) => {
    const layout = boardChartLayout(makeBoard(makeReps(n, seed)));
    expect(layout.labels).toHaveLength(n);
    expectClearLayout(layout);
    for (const c of layout.captions) for (const p of layout.points) expect(coversDot(p, c.box), `"${c.text}" on ${p.rep.name}`).toBe(false);
  });

  it(`keeps names off the quadrant names and each other on a board of 200 (${MAX_LABELLED_REPS} named)`, () => {
    const layout = boardChartLayout(makeBoard(makeReps(200, 3)));
    expect(layout.labels).toHaveLength(MAX_LABELLED_REPS);
    // Among 200 dots a name may have to sit on an unnamed one; never on a name.
    expectClearLayout(layout, { dots: false });
  });

  it('draws what the layout says: one rep-label text and one leader line per placed name', () => {
    const board = makeBoard(CROWDED);
    const layout = boardChartLayout(board);
    const svg = boardChartSvg(board);
    const drawn = textNodes(svg, 'rep-label');
    expect(drawn.map((t) => [t.content, t.x, t.y])).toEqual(layout.labels.map((l) => [l.text, Math.round(l.x * 10) / 10, Math.round(l.y * 10) / 10]));
    expect((svg.match(/class="leader"/g) ?? []).length).toBe(layout.labels.filter((l) => l.leader).length);
    const captions = textNodes(svg, 'quadrant');
    expect(captions.map((t) => [t.content, t.y])).toEqual(layout.captions.map((c) => [c.text, Math.round(c.y * 10) / 10]));
  });
});

describe('placeLabels', () => {
  const area = { x: 0, y: 0, width: 800, height: 600 };

  function expectApart(placed: PlacedLabel[], scene: { area: Rect; captions: Rect[]; points: Array<{ x: number; y: number; r: number }> }): void {
    placed.forEach((l, i) => {
      expect(within(l.box, scene.area), l.text).toBe(true);
      for (const c of scene.captions) expect(overlaps(l.box, c), `${l.text} on a caption`).toBe(false);
      for (const m of placed.slice(i + 1)) expect(overlaps(l.box, m.box), `${l.text} on ${m.text}`).toBe(false);
      for (const p of scene.points) expect(coversDot(p, l.box), `${l.text} on a dot`).toBe(false);
    });
  }

  it('fans twenty names on one dot out around it, each clear of the rest, the far ones with leader lines', () => {
    const scene = { area, captions: [], points: [{ x: 400, y: 300, r: 6 }] };
    const requests = Array.from({ length: 20 }, (_, i) => ({ text: `Representative ${i + 1}`, x: 400, y: 300, r: 6 }));
    const placed = placeLabels(requests, scene);
    expect(placed.map((l) => l.text)).toEqual(requests.map((r) => r.text));
    expectApart(placed, scene);
    // The first name takes the spot right of the dot, with no leader.
    expect(placed[0]!.leader).toBeNull();
    expect(placed[0]!.box.x).toBeGreaterThan(400 + 6);
    expect(placed[0]!.box.x).toBeLessThan(400 + 6 + 8);
    expect(placed.filter((l) => l.leader !== null).length).toBeGreaterThanOrEqual(12);
    expect(placeLabels(requests, scene)).toEqual(placed);
  });

  it('never puts a name on a caption, even when the dot sits on the caption', () => {
    const caption = { x: 300, y: 288, width: 220, height: 22 };
    const scene = { area, captions: [caption], points: [{ x: 400, y: 300, r: 6 }] };
    const [label] = placeLabels([{ text: 'Ana Lima', x: 400, y: 300, r: 6 }], scene);
    expectApart([label!], scene);
    expect(label!.leader).not.toBeNull();
  });

  it('keeps a name inside the area for a dot in its corner', () => {
    for (const [x, y] of [
      [794, 594],
      [6, 6],
      [794, 6],
      [6, 594],
    ] as const) {
      const scene = { area, captions: [], points: [{ x, y, r: 6 }] };
      const placed = placeLabels([{ text: 'A rather long name here', x, y, r: 6 }], scene);
      expectApart(placed, scene);
      expect(placed[0]!.leader).toBeNull();
    }
  });

  it('when nothing is clear, still picks a spot inside the area and off the other names', () => {
    // A narrow strip with dots everywhere: names may cover dots, never each other.
    const strip = { x: 0, y: 0, width: 400, height: 60 };
    const points = Array.from({ length: 40 }, (_, i) => ({ x: 5 + i * 10, y: 30, r: 4 }));
    const placed = placeLabels(
      Array.from({ length: 4 }, (_, i) => ({ text: `Name ${i + 1}`, x: 50 + i * 100, y: 30, r: 4 })),
      { area: strip, captions: [], points },
    );
    placed.forEach((l, i) => {
      expect(within(l.box, strip)).toBe(true);
      for (const m of placed.slice(i + 1)) expect(overlaps(l.box, m.box)).toBe(false);
    });
  });
});

describe('niceAxis', () => {
  it('starts at zero, ends on a round step past the largest value', () => {
    expect(niceAxis([0, 7, 42, 60])).toEqual({ min: 0, max: 70, ticks: [0, 10, 20, 30, 40, 50, 60, 70] });
    expect(niceAxis([12_500, 30_000]).ticks).toEqual([0, 5_000, 10_000, 15_000, 20_000, 25_000, 30_000, 35_000]);
    expect(niceAxis([3]).ticks).toEqual([0, 1, 2, 3, 4]);
  });

  it('never has a zero-width domain and never steps below the minimum', () => {
    expect(niceAxis([])).toEqual({ min: 0, max: 5, ticks: [0, 1, 2, 3, 4, 5] });
    expect(niceAxis([0, 0])).toEqual({ min: 0, max: 5, ticks: [0, 1, 2, 3, 4, 5] });
    expect(niceAxis([0.3]).ticks).toEqual([0, 1]);
  });

  it('covers negative values', () => {
    const axis = niceAxis([-120, 400]);
    expect(axis.min).toBeLessThanOrEqual(-120);
    expect(axis.max).toBeGreaterThanOrEqual(400);
    expect(axis.ticks).toContain(0);
  });
});

describe('makeBoard fixture', () => {
  it('fills ranks with ties, sorts like the leaderboard and computes medians and totals', () => {
    const board = makeBoard([
      { name: 'B', activities: 5, revenue: 100 },
      { name: 'A', activities: 9, revenue: 100 },
      { name: 'C', activities: 9, revenue: 50.25 },
      { name: 'D', activities: 1, revenue: 0 },
    ]);
    expect(board.reps.map((r) => [r.name, r.revenueRank, r.activityRank])).toEqual([
      ['A', 1, 1],
      ['B', 1, 3],
      ['C', 3, 1],
      ['D', 4, 4],
    ]);
    expect(board.reps[2]!.headlineRevenueMinor).toBe(5025n);
    expect(board.reps[2]!.revenue).toEqual([{ minor: 5025n, currency: 'USD' }]);
    expect(board.reps[3]!.revenue).toEqual([]);
    expect(board.reps[3]!.averageDealMinor).toBeNull();
    expect(board.medians).toEqual({ activities: 7, headlineRevenueMinor: 7512n });
    expect(board.team.activities).toBe(24);
    expect(board.team.headlineRevenueMinor).toBe(25025n);
    expect(Object.values(board.team.activitiesByType).reduce((a, b) => a + b, 0)).toBe(24);
    expect(board.types.map((t) => t.key)).toEqual(['call', 'email', 'meeting', 'demo', 'proposal']);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { Resvg } from '@resvg/resvg-js';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MAX_LABEL_CHARS,
  MAX_LABELLED_REPS,
  QUADRANT_NAMES,
  boardChartSvg,
  chartFontFiles,
  chartLabel,
  niceAxis,
  renderBoardChart,
  svgToPng,
} from '../../src/features/leaderboard/chart.js';
import type { Board } from '../../src/features/leaderboard/types.js';
import { makeBoard, makeReps, type RepInput } from '../helpers/board-fixture.js';

// ---------------------------------------------------------------------------------------------
// A tiny PNG reader: enough to check the header and compare pixels of what resvg writes.

interface Image {
  width: number;
  height: number;
  /** RGBA, 4 bytes a pixel. */
  rgba: Uint8Array;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngHeader(png: Buffer): { width: number; height: number; bitDepth: number; colorType: number } {
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  expect(png.readUInt32BE(8)).toBe(13);
  expect(png.toString('latin1', 12, 16)).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), bitDepth: png[24]!, colorType: png[25]! };
}

function decodePng(png: Buffer): Image {
  const { width, height, bitDepth, colorType } = pngHeader(png);
  if (bitDepth !== 8 || (colorType !== 6 && colorType !== 2)) throw new Error(`unsupported PNG: depth ${bitDepth}, colour type ${colorType}`);
  if (png[28] !== 0) throw new Error('interlaced PNG not supported');
  const channels = colorType === 6 ? 4 : 3;
  const idat: Buffer[] = [];
  let sawEnd = false;
  for (let off = 8; off < png.length; ) {
    const len = png.readUInt32BE(off);
    const type = png.toString('latin1', off + 4, off + 8);
    if (type === 'IDAT') idat.push(png.subarray(off + 8, off + 8 + len));
    if (type === 'IEND') sawEnd = true;
    off += 12 + len;
  }
  expect(sawEnd).toBe(true);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  expect(raw.length).toBe(height * (stride + 1));
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? out[y * stride + i - channels]! : 0;
      const b = y > 0 ? out[(y - 1) * stride + i]! : 0;
      const c = y > 0 && i >= channels ? out[(y - 1) * stride + i - channels]! : 0;
      let pred = 0;
      if (filter === 1) pred = a;
      else if (filter === 2) pred = b;
      else if (filter === 3) pred = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else if (filter !== 0) throw new Error(`bad filter ${filter}`);
      out[y * stride + i] = (line[i]! + pred) & 0xff;
    }
  }
  if (channels === 4) return { width, height, rgba: out };
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    rgba.set(out.subarray(p * 3, p * 3 + 3), p * 4);
    rgba[p * 4 + 3] = 255;
  }
  return { width, height, rgba };
}

// ---------------------------------------------------------------------------------------------
// Where the SVG says its text goes, and how many pixels differ there between two renders.

interface Region {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

interface TextNode {
  cls: string;
  x: number;
  y: number;
  anchor: string;
  size: number;
  content: string;
  attrs: string;
}

function textNodes(svg: string, cls?: string): TextNode[] {
  const nodes: TextNode[] = [];
  for (const m of svg.matchAll(/<text ([^>]*)>([^<]*)<\/text>/g)) {
    const attrs = m[1]!;
    const attr = (name: string): string | undefined => new RegExp(`(?:^| )${name}="([^"]*)"`).exec(attrs)?.[1];
    const node = {
      cls: attr('class') ?? '',
      x: Number(attr('x')),
      y: Number(attr('y')),
      anchor: attr('text-anchor') ?? 'start',
      size: Number(attr('font-size')),
      content: m[2]!,
      attrs,
    };
    if (cls === undefined || node.cls === cls) nodes.push(node);
  }
  return nodes;
}

/** A generous box around a horizontal text node (DejaVu Sans is at most ~0.8 em a character here, plus the halo). */
function regionOf(t: TextNode): Region {
  const chars = Array.from(t.content.replace(/&\w+;/g, '_')).length;
  const w = chars * t.size * 0.8 + 8;
  const x0 = t.anchor === 'start' ? t.x - 4 : t.anchor === 'end' ? t.x - w : t.x - w / 2;
  return { x0: Math.floor(x0), x1: Math.ceil(x0 + w), y0: Math.floor(t.y - t.size * 1.1), y1: Math.ceil(t.y + t.size * 0.4) };
}

function diffIn(a: Image, b: Image, r: Region): number {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let n = 0;
  for (let y = Math.max(0, r.y0); y < Math.min(a.height, r.y1); y++) {
    for (let x = Math.max(0, r.x0); x < Math.min(a.width, r.x1); x++) {
      const i = (y * a.width + x) * 4;
      if (a.rgba[i] !== b.rgba[i] || a.rgba[i + 1] !== b.rgba[i + 1] || a.rgba[i + 2] !== b.rgba[i + 2] || a.rgba[i + 3] !== b.rgba[i + 3]) n++;
    }
  }
  return n;
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
function labelInk(board: Board, render: (svg: string) => Buffer): { perLabel: number[]; outside: number; labels: TextNode[] } {
  const svg = boardChartSvg(board);
  const labels = textNodes(svg, 'rep-label');
  const named = decodePng(render(svg));
  const blank = decodePng(render(boardChartSvg(withoutNames(board))));
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
  it('is a valid PNG of the default 1200×800 and a sensible size', () => {
    const png = renderBoardChart(makeBoard(SAMPLE));
    const header = pngHeader(png);
    expect(header).toMatchObject({ width: 1200, height: 800, bitDepth: 8 });
    expect(png.length).toBeGreaterThan(10_000);
    expect(png.length).toBeLessThan(400_000);
    const img = decodePng(png);
    expect(img.rgba.length).toBe(1200 * 800 * 4);
  });

  it('has the requested width and height', () => {
    for (const [width, height] of [
      [640, 480],
      [2000, 1000],
      [300, 300],
    ] as const) {
      const png = renderBoardChart(makeBoard(SAMPLE), { width, height });
      expect(pngHeader(png)).toMatchObject({ width, height });
    }
  });

  it('refuses sizes that are not whole pixels or are absurd', () => {
    for (const bad of [0, -5, 12.5, 10_000, Number.NaN]) {
      expect(() => renderBoardChart(makeBoard(SAMPLE), { width: bad })).toThrow(RangeError);
    }
  });

  it.each([0, 1, 2, 50, 200])('renders a board of %i reps', (n) => {
    const board = makeBoard(makeReps(n, n + 7));
    const svg = boardChartSvg(board);
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
    const png = renderBoardChart(board);
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
  it('draws ink in every rep label box, and nowhere else, compared with the same board without names', () => {
    const { perLabel, outside, labels } = labelInk(makeBoard(SAMPLE), (svg) => svgToPng(svg));
    expect(labels.map((l) => l.content).sort()).toEqual(SAMPLE.map((r) => r.name).sort());
    for (const ink of perLabel) expect(ink).toBeGreaterThan(150);
    expect(outside).toBe(0);
  });

  it('draws the labels through renderBoardChart itself (the path scheduled posts use)', () => {
    const board = makeBoard(SAMPLE);
    const named = decodePng(renderBoardChart(board));
    const blank = decodePng(renderBoardChart(withoutNames(board)));
    const labels = textNodes(boardChartSvg(board), 'rep-label');
    expect(labels).toHaveLength(SAMPLE.length);
    for (const l of labels) expect(diffIn(named, blank, regionOf(l))).toBeGreaterThan(150);
  });

  it('draws the title, axis titles, ticks and quadrant names too (differs from a render with no font)', () => {
    const board = makeBoard(SAMPLE);
    const svg = boardChartSvg(board);
    const withFont = decodePng(renderBoardChart(board));
    const noFont = decodePng(svgToPng(svg, []));
    for (const cls of ['title', 'subtitle', 'tick-x', 'tick-y', 'quadrant', 'median-label']) {
      const nodes = textNodes(svg, cls);
      expect(nodes.length, cls).toBeGreaterThan(0);
      for (const n of nodes) expect(diffIn(withFont, noFont, regionOf(n)), `${cls} "${n.content}"`).toBeGreaterThan(5);
    }
  });

  it('control: the same check finds NO ink when the renderer has no usable font (no files)', () => {
    const { perLabel, labels } = labelInk(makeBoard(SAMPLE), (svg) => svgToPng(svg, []));
    expect(labels).toHaveLength(SAMPLE.length);
    expect(perLabel.every((ink) => ink === 0)).toBe(true);
    // ...so the assertion of the real test would fail here:
    expect(() => {
      for (const ink of perLabel) expect(ink).toBeGreaterThan(150);
    }).toThrow();
  });

  it('control: the same check finds NO ink with a WOFF2 font, the @fontsource failure mode', () => {
    // A WOFF2 file as @fontsource ships them: resvg cannot read the format and skips it silently.
    const woff2 = join(tmp, 'dejavu-sans-latin-400-normal.woff2');
    writeFileSync(woff2, Buffer.concat([Buffer.from('wOF2\u0000\u0001\u0000\u0000', 'latin1'), Buffer.alloc(2048, 0x5a)]));
    const { perLabel } = labelInk(makeBoard(SAMPLE), (svg) => svgToPng(svg, [woff2]));
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

  it('shows an empty-state chart for a board without reps', () => {
    const svg = boardChartSvg(makeBoard([]));
    expect(textNodes(svg, 'empty').map((t) => t.content)).toEqual(['No activity or deals yet']);
    expect(svg).not.toContain('rep-point');
    expect(svg).not.toContain('median-x');
    // The message is really drawn.
    const withFont = decodePng(renderBoardChart(makeBoard([])));
    const noFont = decodePng(svgToPng(svg, []));
    expect(diffIn(withFont, noFont, regionOf(textNodes(svg, 'empty')[0]!))).toBeGreaterThan(500);
  });

  it('survives a board of all zeros (no zero-width scales)', () => {
    const board = makeBoard([
      { name: 'Zed', activities: 0, revenue: 0 },
      { name: 'Yan', activities: 0, revenue: 0 },
    ]);
    const svg = boardChartSvg(board);
    expect(svg).not.toMatch(/NaN|Infinity/);
    expect(textNodes(svg, 'tick-x').length).toBeGreaterThan(1);
    expect(textNodes(svg, 'tick-y').length).toBeGreaterThan(1);
    expect(pngHeader(renderBoardChart(board))).toMatchObject({ width: 1200, height: 800 });
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

  it('escapes everything, stays well-formed XML and renders', () => {
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
    const png = renderBoardChart(board);
    expect(pngHeader(png)).toMatchObject({ width: 1200, height: 800 });
  });

  it('draws the hostile names as text (ink in their boxes)', () => {
    const { perLabel, labels } = labelInk(makeBoard(hostile), (svg) => svgToPng(svg));
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

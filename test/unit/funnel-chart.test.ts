/**
 * The funnel chart, checked on its pixels: the PNG is decoded and the bars are looked for where the
 * SVG puts them, in their series' colours and heights; every label is found by drawing the chart with
 * and without it and counting the pixels that change. The PNGs drawn are saved under test/artifacts/
 * for a person to look at.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { svgToPng, textWidth } from '../../src/features/leaderboard/chart-svg.js';
import {
  FUNNEL_CHART_HEIGHT,
  FUNNEL_CHART_WIDTH,
  MAX_FUNNEL_STAGES,
  MIN_BAR_HEIGHT,
  drawFunnelChart,
  funnelChartSvg,
  type FunnelChartInput,
} from '../../src/features/leaderboard/funnel-chart.js';
import { decodePng, diffIn, pngHeader, textNodes, type Image, type Region, type TextNode } from '../helpers/chart-image.js';

const ARTIFACTS = resolve('test/artifacts');

function saveArtifact(name: string, png: Buffer): void {
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(resolve(ARTIFACTS, `funnel-chart-${name}.png`), png);
}

const TEAM_BLUE: Rgb = [0x25, 0x63, 0xeb];
const REP_ORANGE: Rgb = [0xea, 0x58, 0x0c];
const SERIES_COLOURS = [TEAM_BLUE, REP_ORANGE];

const STAGES = ['Touches', 'Conversations', 'Meetings booked', 'Meetings held', 'Deals won'];
const SAMPLE: FunnelChartInput = {
  title: 'Conversion · week of 12 January 2026',
  stages: STAGES,
  series: [
    { label: 'Sales team', counts: [200, 80, 24, 18, 3], rates: [0.4, 0.3, 0.75, 1 / 6] },
    { label: 'Ana Alvarez', counts: [40, 10, 5, 4, 1], rates: [0.25, 0.5, 0.8, 0.25] },
  ],
};

// ---------------------------------------------------------------------------------------------
// Reading the SVG and the pixels

type Rgb = [number, number, number];

interface Bar {
  series: number;
  stage: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

function bars(svg: string): Bar[] {
  return [...svg.matchAll(/<rect class="bar" data-series="(\d+)" data-stage="(\d+)" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)].map((m) => ({
    series: Number(m[1]),
    stage: Number(m[2]),
    x: Number(m[3]),
    y: Number(m[4]),
    width: Number(m[5]),
    height: Number(m[6]),
  }));
}

function baselineY(svg: string): number {
  const m = /<line class="baseline" x1="[\d.]+" y1="([\d.]+)"/.exec(svg);
  expect(m).not.toBeNull();
  return Math.floor(Number(m![1]));
}

function pixel(img: Image, x: number, y: number): Rgb {
  const i = (Math.round(y) * img.width + Math.round(x)) * 4;
  return [img.rgba[i]!, img.rgba[i + 1]!, img.rgba[i + 2]!];
}

function near(a: Rgb, b: Rgb, tolerance = 6): boolean {
  return a.every((v, i) => Math.abs(v - b[i]!) <= tolerance);
}

function countColour(img: Image, colour: Rgb, r: Region = { x0: 0, y0: 0, x1: img.width, y1: img.height }): number {
  let n = 0;
  for (let y = r.y0; y < r.y1; y++) for (let x = r.x0; x < r.x1; x++) if (near(pixel(img, x, y), colour)) n++;
  return n;
}

/** The height of the solid run of `colour` going up from just above the baseline at column x. */
function measuredBarHeight(img: Image, x: number, baseline: number, colour: Rgb): number {
  let h = 0;
  for (let y = baseline - 1; y >= 0 && near(pixel(img, x, y), colour); y--) h++;
  return h;
}

/** The SVG without the <text> elements matching `drop`. */
function withoutText(svg: string, drop: (t: TextNode) => boolean): string {
  return svg.replace(/<text [^>]*>[^<]*<\/text>/g, (el) => (drop(textNodes(el)[0]!) ? '' : el));
}

function dataOf(t: TextNode, name: string): string | undefined {
  return new RegExp(`data-${name}="([^"]*)"`).exec(t.attrs)?.[1];
}

function unescape(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

/** The box a horizontal text node's glyphs can cover, with a margin for anti-aliasing. */
function boxOf(t: TextNode): Region {
  const bold = t.attrs.includes('font-weight="bold"');
  const w = textWidth(unescape(t.content), t.size, bold);
  const x0 = t.anchor === 'start' ? t.x : t.anchor === 'end' ? t.x - w : t.x - w / 2;
  return { x0: Math.floor(x0 - 3), x1: Math.ceil(x0 + w + 3), y0: Math.floor(t.y - t.size * 1.05), y1: Math.ceil(t.y + t.size * 0.3) };
}

/** Every pixel that differs between two images, as a bounding box and a count. */
function diffBox(a: Image, b: Image): { count: number; box: Region | null } {
  let count = 0;
  let box: Region | null = null;
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < a.width; x++) {
      const i = (y * a.width + x) * 4;
      if (a.rgba[i] === b.rgba[i] && a.rgba[i + 1] === b.rgba[i + 1] && a.rgba[i + 2] === b.rgba[i + 2]) continue;
      count++;
      box = box ? { x0: Math.min(box.x0, x), y0: Math.min(box.y0, y), x1: Math.max(box.x1, x + 1), y1: Math.max(box.y1, y + 1) } : { x0: x, y0: y, x1: x + 1, y1: y + 1 };
    }
  }
  return { count, box };
}

function inside(r: Region, outer: Region): boolean {
  return r.x0 >= outer.x0 && r.x1 <= outer.x1 && r.y0 >= outer.y0 && r.y1 <= outer.y1;
}

function overlaps(a: Region, b: Region): boolean {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

/** Each stage's slot: from halfway to the previous group's centre to halfway to the next one's. */
function slots(svg: string, stages: number): Region[] {
  const centres = Array.from({ length: stages }, (_, i) => {
    const group = bars(svg).filter((b) => b.stage === i);
    expect(group.length).toBeGreaterThan(0);
    return (Math.min(...group.map((b) => b.x)) + Math.max(...group.map((b) => b.x + b.width))) / 2;
  });
  const half = stages > 1 ? (centres[1]! - centres[0]!) / 2 : FUNNEL_CHART_WIDTH / 2;
  return centres.map((c) => ({ x0: Math.floor(c - half), x1: Math.ceil(c + half), y0: 0, y1: FUNNEL_CHART_HEIGHT }));
}

// ---------------------------------------------------------------------------------------------

describe('drawFunnelChart', () => {
  it('draws a 1200×800 PNG with ink in both series colours', async () => {
    const png = await drawFunnelChart(SAMPLE);
    saveArtifact('sample', png);
    expect(pngHeader(png)).toMatchObject({ width: FUNNEL_CHART_WIDTH, height: FUNNEL_CHART_HEIGHT, bitDepth: 8 });
    expect(png.length).toBeGreaterThan(10_000);
    expect(png.length).toBeLessThan(400_000);
    const img = decodePng(png);
    expect(countColour(img, [255, 255, 255])).toBeLessThan(img.width * img.height * 0.97);
    expect(countColour(img, TEAM_BLUE)).toBeGreaterThan(5_000);
    expect(countColour(img, REP_ORANGE)).toBeGreaterThan(1_000);
  });

  it('draws one bar per series per stage, grouped by stage with the team first, as tall as the PNG shows', async () => {
    const svg = funnelChartSvg(SAMPLE);
    const img = decodePng(await svgToPng(svg));
    const baseline = baselineY(svg);
    const all = bars(svg);
    expect(all).toHaveLength(STAGES.length * 2);
    for (let stage = 0; stage < STAGES.length; stage++) {
      const [team, rep] = [0, 1].map((s) => all.find((b) => b.stage === stage && b.series === s)!);
      expect(team!.x + team!.width).toBeLessThanOrEqual(rep!.x);
      if (stage > 0) {
        const previous = all.filter((b) => b.stage === stage - 1);
        expect(Math.max(...previous.map((b) => b.x + b.width))).toBeLessThan(team!.x);
      }
    }
    for (const bar of all) {
      const colour = SERIES_COLOURS[bar.series]!;
      const cx = bar.x + bar.width / 2;
      expect(near(pixel(img, cx, baseline - 2), colour), `bar ${bar.series}/${bar.stage} at its foot`).toBe(true);
      expect(Math.abs(measuredBarHeight(img, cx, baseline, colour) - bar.height)).toBeLessThanOrEqual(2);
      // Nothing of the bar's colour above it, up to the legend (its count label is dark text).
      const legendBottom = Math.max(...textNodes(svg, 'legend').map((t) => t.y)) + 6;
      expect(countColour(img, colour, { x0: Math.ceil(bar.x + 1), x1: Math.floor(bar.x + bar.width - 1), y0: legendBottom, y1: Math.floor(bar.y - 2) })).toBe(0);
    }
    // Taller for a bigger count, within a series and across them.
    const byCount = all
      .map((b) => ({ count: SAMPLE.series[b.series]!.counts[b.stage]!, height: measuredBarHeight(img, b.x + b.width / 2, baseline, SERIES_COLOURS[b.series]!) }))
      .sort((a, b) => a.count - b.count);
    for (let i = 1; i < byCount.length; i++) {
      if (byCount[i]!.count > byCount[i - 1]!.count) expect(byCount[i]!.height).toBeGreaterThan(byCount[i - 1]!.height);
    }
  });

  it('keeps a bar of 3 wins visible beside 2,000 touches, and writes the real counts', async () => {
    const input: FunnelChartInput = { title: 'Small counts', stages: ['Touches', 'Wins', 'Renewals'], series: [{ label: 'Team', counts: [2000, 3, 1], rates: [0.0015, 1 / 3] }] };
    const svg = funnelChartSvg(input);
    const png = await svgToPng(svg);
    saveArtifact('small-counts', png);
    const img = decodePng(png);
    const baseline = baselineY(svg);
    const heights = bars(svg).map((b) => measuredBarHeight(img, b.x + b.width / 2, baseline, TEAM_BLUE));
    expect(heights).toHaveLength(3);
    expect(heights[0]).toBeGreaterThan(300);
    expect(heights[1]).toBeGreaterThanOrEqual(MIN_BAR_HEIGHT);
    expect(heights[2]).toBeGreaterThanOrEqual(MIN_BAR_HEIGHT);
    expect(textNodes(svg, 'count').map((t) => t.content)).toEqual(['2,000', '3', '1']);
    // A rate above zero that rounds to 0% is not written 0%.
    expect(textNodes(svg, 'rate').map((t) => t.content)).toEqual(['&lt;1%', '33%']);
  });

  it(`gives a count of 1 beside 250,000 at least ${MIN_BAR_HEIGHT} pixels, and a count of 0 no bar`, async () => {
    const input: FunnelChartInput = { title: 'Orders of magnitude', stages: ['Touches', 'Wins', 'Renewals'], series: [{ label: 'Team', counts: [250_000, 1, 0], rates: [0.000004, 0] }] };
    const svg = funnelChartSvg(input);
    const img = decodePng(await svgToPng(svg));
    const baseline = baselineY(svg);
    const drawn = bars(svg);
    expect(drawn.map((b) => b.stage)).toEqual([0, 1]);
    expect(measuredBarHeight(img, drawn[1]!.x + drawn[1]!.width / 2, baseline, TEAM_BLUE)).toBe(MIN_BAR_HEIGHT);
    const zero = textNodes(svg, 'count').find((t) => dataOf(t, 'stage') === '2')!;
    expect(zero.content).toBe('0');
    expect(countColour(img, TEAM_BLUE, { x0: Math.floor(zero.x - 20), x1: Math.ceil(zero.x + 20), y0: 120, y1: baseline })).toBe(0);
    expect(textNodes(svg, 'count').map((t) => t.content)).toEqual(['250,000', '1', '0']);
  });

  it('writes the title, legend, counts, rates and stage names where the SVG puts them (pixels with and without each)', async () => {
    const svg = funnelChartSvg(SAMPLE);
    const full = decodePng(await svgToPng(svg));
    const expected: Record<string, string[]> = {
      title: ['Conversion · week of 12 January 2026'],
      legend: ['Sales team', 'Ana Alvarez'],
      count: ['200', '40', '80', '10', '24', '5', '18', '4', '3', '1'],
      rate: ['40%', '25%', '30%', '50%', '75%', '80%', '17%', '25%'],
      stage: STAGES,
    };
    for (const [cls, contents] of Object.entries(expected)) {
      const nodes = textNodes(svg, cls);
      expect(nodes.map((t) => unescape(t.content)), cls).toEqual(contents);
      const stripped = decodePng(await svgToPng(withoutText(svg, (t) => t.cls === cls)));
      const regions = nodes.map(boxOf);
      for (const [i, r] of regions.entries()) expect(diffIn(full, stripped, r), `${cls} "${contents[i]}" has ink`).toBeGreaterThan(15);
      // ...and those labels change nothing outside their boxes.
      const { count } = diffBox(full, stripped);
      expect(regions.reduce((n, r) => n + diffIn(full, stripped, r), 0)).toBe(count);
    }
  });

  it('writes each rate between its two stage groups, clear of the bars and the counts', () => {
    const svg = funnelChartSvg(SAMPLE);
    const all = bars(svg);
    const countBoxes = textNodes(svg, 'count').map(boxOf);
    const rates = textNodes(svg, 'rate');
    expect(rates).toHaveLength(2 * (STAGES.length - 1));
    for (const t of rates) {
      const from = Number(dataOf(t, 'from'));
      const box = boxOf(t);
      const leftEdge = Math.max(...all.filter((b) => b.stage === from).map((b) => b.x + b.width));
      const rightEdge = Math.min(...all.filter((b) => b.stage === from + 1).map((b) => b.x));
      expect(box.x0).toBeGreaterThanOrEqual(leftEdge);
      expect(box.x1).toBeLessThanOrEqual(rightEdge);
      for (const c of countBoxes) expect(overlaps(box, c), `rate ${t.content} over a count`).toBe(false);
      // The team's rate above the rep's.
      if (dataOf(t, 'series') === '1') expect(t.y).toBeGreaterThan(rates.find((r) => dataOf(r, 'series') === '0' && dataOf(r, 'from') === String(from))!.y);
    }
  });

  it('says "no data" for a missing count or rate, draws no bar for it, and still writes 0 and 0% for real zeros', async () => {
    const input: FunnelChartInput = {
      title: 'Missing data',
      stages: STAGES,
      series: [
        { label: 'Sales team', counts: [200, 80, 24, 18, 0], rates: [0.4, 0.3, 0.75, 0] },
        { label: 'Median rep', counts: [40, null, 5, 4, 1], rates: [null, null, 0.8, 0.25] },
      ],
    };
    const svg = funnelChartSvg(input);
    const png = await svgToPng(svg);
    saveArtifact('no-data', png);
    const img = decodePng(png);
    const all = bars(svg);
    // No bar for the missing count, nor for the team's 0 won.
    expect(all.find((b) => b.series === 1 && b.stage === 1)).toBeUndefined();
    expect(all.find((b) => b.series === 0 && b.stage === 4)).toBeUndefined();
    const missingCounts = textNodes(svg, 'count-missing');
    expect(missingCounts.map((t) => [t.content, dataOf(t, 'series'), dataOf(t, 'stage')])).toEqual([['no data', '1', '1']]);
    const missingRates = textNodes(svg, 'rate-missing');
    expect(missingRates.map((t) => [t.content, dataOf(t, 'series'), dataOf(t, 'from')])).toEqual([
      ['no data', '1', '0'],
      ['no data', '1', '1'],
    ]);
    // Real zeros are numbers; missing ones are never.
    expect(textNodes(svg, 'count').find((t) => dataOf(t, 'series') === '0' && dataOf(t, 'stage') === '4')!.content).toBe('0');
    expect(textNodes(svg, 'rate').find((t) => dataOf(t, 'series') === '0' && dataOf(t, 'from') === '3')!.content).toBe('0%');
    expect(textNodes(svg, 'rate').filter((t) => dataOf(t, 'series') === '1').map((t) => t.content)).toEqual(['80%', '25%']);

    // In the PNG: nothing orange in the missing bar's column, and its "no data" (written sideways when narrow) has ink there.
    const rep2 = all.find((b) => b.series === 1 && b.stage === 2)!;
    const team1 = all.find((b) => b.series === 0 && b.stage === 1)!;
    const column: Region = { x0: Math.ceil(team1.x + team1.width + 1), x1: Math.ceil(team1.x + team1.width + rep2.width + 4), y0: 120, y1: baselineY(svg) };
    expect(countColour(img, REP_ORANGE, column)).toBe(0);
    const stripped = decodePng(await svgToPng(withoutText(svg, (t) => t.cls === 'count-missing')));
    expect(diffIn(img, stripped, column)).toBeGreaterThan(30);
    for (const t of missingRates) {
      const withoutIt = decodePng(await svgToPng(withoutText(svg, (u) => u.attrs === t.attrs)));
      expect(diffIn(img, withoutIt, boxOf(t))).toBeGreaterThan(30);
    }
  });

  it(`fits ${MAX_FUNNEL_STAGES} stages with long names: wrapped or cut with "…", each inside its own slot`, async () => {
    const stages = [
      'Touches: calls, emails and LinkedIn messages',
      'Conversations with a decision maker',
      'Meetings booked for the next two weeks',
      'Meetings held in person or on video',
      'Proposals sent after a discovery call',
      'Negotiations',
      'Verbal agreements from the economic buyer',
      'Superextraordinarilylongsinglewordstagename',
    ];
    const input: FunnelChartInput = {
      title: 'Eight stages',
      stages,
      series: [
        { label: 'Sales team', counts: [12_345, 4_321, 987, 654, 321, 99, 45, 30], rates: [0.35, 0.23, 0.66, 0.49, 0.31, 0.45, 0.67] },
        { label: 'Ben Brown', counts: [2_000, 610, 150, 90, 40, 9, 6, 4], rates: [0.31, 0.25, 0.6, 0.44, 0.23, 0.67, 0.67] },
      ],
    };
    const svg = funnelChartSvg(input);
    const png = await svgToPng(svg);
    saveArtifact('eight-stages', png);
    const img = decodePng(png);
    expect(bars(svg)).toHaveLength(16);
    const slotOf = slots(svg, stages.length);
    const baseline = baselineY(svg);
    const footnote = textNodes(svg, 'footnote')[0]!;
    const labelled = textNodes(svg, 'stage');
    let cut = 0;
    for (let i = 0; i < stages.length; i++) {
      const lines = labelled.filter((t) => dataOf(t, 'stage') === String(i));
      expect(lines.length).toBeGreaterThanOrEqual(1);
      expect(lines.length).toBeLessThanOrEqual(3);
      if (lines.at(-1)!.content.endsWith('…')) cut++;
      else expect(lines.map((t) => unescape(t.content)).join(' ')).toBe(stages[i]);
      for (const t of lines) expect(inside(boxOf(t), { ...slotOf[i]!, y0: baseline, y1: footnote.y - footnote.size })).toBe(true);
      // Pixels: dropping this stage's name changes only pixels inside its slot, under the baseline, above the footnote.
      const without = decodePng(await svgToPng(withoutText(svg, (t) => t.cls === 'stage' && dataOf(t, 'stage') === String(i))));
      const { count, box } = diffBox(img, without);
      expect(count, `stage ${i} has ink`).toBeGreaterThan(100);
      expect(inside(box!, { ...slotOf[i]!, y0: baseline + 1, y1: Math.floor(footnote.y - footnote.size) }), `stage ${i} stays in its slot`).toBe(true);
    }
    expect(cut).toBeGreaterThanOrEqual(2);
    // Rates and counts still clear of each other with 8 stages.
    const counts = textNodes(svg, 'count').map(boxOf);
    for (const r of textNodes(svg, 'rate').map(boxOf)) for (const c of counts) expect(overlaps(r, c)).toBe(false);
    for (let a = 0; a < counts.length; a++) for (let b = a + 1; b < counts.length; b++) expect(overlaps(counts[a]!, counts[b]!)).toBe(false);
  });

  it('draws one series alone, and cleans and escapes what people typed', async () => {
    const input: FunnelChartInput = {
      title: 'Team <Alpha> & "friends" 🎉\u0007',
      stages: ['Calls 📞', '<Demo> held', 'Won'],
      series: [{ label: 'Alpha & Co', counts: [50, 10, 2], rates: [0.2, 0.2] }],
    };
    const svg = funnelChartSvg(input);
    expect(svg).not.toContain('<Demo>');
    expect(svg).not.toContain('\u0007');
    expect(unescape(textNodes(svg, 'title')[0]!.content)).toBe('Team <Alpha> & "friends"');
    expect(textNodes(svg, 'stage').map((t) => unescape(t.content))).toEqual(['Calls', '<Demo> held', 'Won']);
    expect(textNodes(svg, 'legend').map((t) => unescape(t.content))).toEqual(['Alpha & Co']);
    const png = await svgToPng(svg);
    saveArtifact('one-series', png);
    const img = decodePng(png);
    expect(bars(svg)).toHaveLength(3);
    expect(countColour(img, REP_ORANGE)).toBe(0);
    expect(countColour(img, TEAM_BLUE)).toBeGreaterThan(5_000);
  });

  it.each<[string, FunnelChartInput, RegExp]>([
    ['no stages', { title: 't', stages: [], series: [{ label: 'a', counts: [], rates: [] }] }, /1 to 8 stages, got 0/],
    ['9 stages', { title: 't', stages: Array(9).fill('s') as string[], series: [{ label: 'a', counts: Array(9).fill(1) as number[], rates: Array(8).fill(1) as number[] }] }, /1 to 8 stages, got 9/],
    ['no series', { title: 't', stages: ['a', 'b'], series: [] }, /1 or 2 series, got 0/],
    ['3 series', { title: 't', stages: ['a'], series: [0, 1, 2].map((i) => ({ label: `s${i}`, counts: [1], rates: [] })) }, /1 or 2 series, got 3/],
    ['a count short', { title: 't', stages: ['a', 'b'], series: [{ label: 'x', counts: [1], rates: [1] }] }, /"x" has 1 counts for 2 stages/],
    ['a rate too many', { title: 't', stages: ['a', 'b'], series: [{ label: 'x', counts: [1, 1], rates: [1, 1] }] }, /"x" has 2 rates for 2 stages/],
    ['a negative count', { title: 't', stages: ['a', 'b'], series: [{ label: 'x', counts: [-1, 1], rates: [1] }] }, /not a number of 0 or more: -1/],
    ['a NaN rate', { title: 't', stages: ['a', 'b'], series: [{ label: 'x', counts: [1, 1], rates: [Number.NaN] }] }, /not a number of 0 or more: NaN/],
  ])('refuses %s with a clear error', async (_, input, message) => {
    expect(() => funnelChartSvg(input)).toThrow(message);
    await expect(drawFunnelChart(input)).rejects.toThrow(RangeError);
  });
});

/**
 * The leaderboard as a picture for scheduled posts: a scatter plot of activities (x) against won
 * revenue in the headline currency (y), one dot per rep, dashed team-median lines splitting the plot
 * into the four named quadrants.
 *
 * Built as a plain SVG string (pure), then rasterised to PNG by resvg with the DejaVu Sans TrueType
 * files shipped in the `dejavu-fonts-ttf` package. System fonts are never loaded, so a server
 * without fonts draws the same picture as a laptop. resvg reads TTF/OTF only: a WOFF/WOFF2 file
 * (what the `@fontsource` packages ship) is skipped and every label silently renders as nothing.
 *
 * Money stays exact everywhere else; here revenue becomes a float in major units for plotting only.
 */
import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';
import { currencyExponent } from '../../lib/money.js';
import type { Board, RepStats } from './types.js';

export interface BoardChartOptions {
  width?: number;
  height?: number;
}

export const CHART_DEFAULT_WIDTH = 1200;
export const CHART_DEFAULT_HEIGHT = 800;
const MIN_SIZE = 300;
const MAX_SIZE = 4000;

/** Past this many reps only the top ones (by revenue, then by activities) get a name; the rest are plain dots. */
export const MAX_LABELLED_REPS = 30;
/** Names longer than this many characters are cut, ending in "…". */
export const MAX_LABEL_CHARS = 24;

export const CHART_FONT_FAMILY = 'DejaVu Sans';
const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'];

export const QUADRANT_NAMES = {
  leading: 'Leading',
  efficient_closer: 'Efficient closers',
  busy_not_closing: 'Busy, not yet closing',
  quiet: 'Quiet',
} as const;

const EMPTY_MESSAGE = 'No activity or deals yet';

const COLORS = {
  background: '#ffffff',
  text: '#111827',
  muted: '#6b7280',
  grid: '#e5e7eb',
  frame: '#9ca3af',
  median: '#6b7280',
  quadrant: '#9ca3af',
  leadingTint: '#ecfdf5',
  point: '#2563eb',
  pointUnlabelled: '#93c5fd',
};

/** Absolute paths of the TrueType files the chart is drawn with (resolved from node_modules). */
export function chartFontFiles(): string[] {
  const require = createRequire(import.meta.url);
  return FONT_FILES.map((file) => require.resolve(`dejavu-fonts-ttf/ttf/${file}`));
}

/** Rasterise a chart SVG to PNG bytes with only the given font files (never the system's). */
export function svgToPng(svg: string, fontFiles: string[] = chartFontFiles()): Buffer {
  const resvg = new Resvg(svg, {
    font: { fontFiles, loadSystemFonts: false, defaultFontFamily: CHART_FONT_FAMILY },
    fitTo: { mode: 'original' },
    background: COLORS.background,
    logLevel: 'error',
  });
  return resvg.render().asPng();
}

/** The board's scatter chart as PNG bytes (default 1200×800). */
export function renderBoardChart(board: Board, opts: BoardChartOptions = {}): Buffer {
  return svgToPng(boardChartSvg(board, opts));
}

// ---------------------------------------------------------------------------------------------
// SVG

/** The board's scatter chart as an SVG document (pure). */
export function boardChartSvg(board: Board, opts: BoardChartOptions = {}): string {
  const width = chartDimension(opts.width, CHART_DEFAULT_WIDTH, 'width');
  const height = chartDimension(opts.height, CHART_DEFAULT_HEIGHT, 'height');
  const currency = board.currency.toUpperCase();
  const exponent = currencyExponent(currency);
  const toMajor = (minor: bigint): number => Number(minor) / 10 ** exponent;
  const formatCount = compactNumberFormat();
  const formatMoneyTick = compactCurrencyFormat(currency);

  const plot: Box = { x: 96, y: 96, width: width - 96 - 120, height: height - 96 - 84 };
  const right = plot.x + plot.width;
  const bottom = plot.y + plot.height;
  const reps = board.reps;
  const empty = reps.length === 0;

  const xAxis = niceAxis([...reps.map((r) => r.activities), board.medians.activities]);
  const yAxis = niceAxis([...reps.map((r) => toMajor(r.headlineRevenueMinor)), toMajor(board.medians.headlineRevenueMinor)]);
  // A little room inside the frame so dots at zero or at the top tick don't sit on it.
  const inset = 12;
  const sx = linearScale(xAxis, plot.x + inset, right - inset);
  const sy = linearScale(yAxis, bottom - inset, plot.y + inset);

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `font-family="${CHART_FONT_FAMILY}" role="img">`,
  );
  out.push(`<title>${xml(`Activities and revenue: ${board.period.current.label}`)}</title>`);
  out.push(`<rect width="${width}" height="${height}" fill="${COLORS.background}"/>`);

  // Title and subtitle.
  out.push(text(board.period.current.label, { x: plot.x, y: 40, size: 24, weight: 'bold', cls: 'title' }));
  const subtitle = empty
    ? 'Activities against won revenue'
    : `Activities against won revenue · ${reps.length} ${reps.length === 1 ? 'rep' : 'reps'} · dashed lines are team medians`;
  out.push(text(subtitle, { x: plot.x, y: 68, size: 14, fill: COLORS.muted, cls: 'subtitle' }));

  const mx = sx(board.medians.activities);
  const my = sy(toMajor(board.medians.headlineRevenueMinor));

  // Tint the "Leading" quadrant, then grid and ticks.
  if (!empty) {
    out.push(rect({ x: mx, y: plot.y, width: right - mx, height: my - plot.y }, COLORS.leadingTint));
  }
  if (!empty) {
    for (const t of xAxis.ticks) {
      const x = round(sx(t));
      out.push(line(x, plot.y, x, bottom, COLORS.grid));
      out.push(text(formatCount.format(t), { x, y: bottom + 22, size: 13, anchor: 'middle', fill: COLORS.muted, cls: 'tick-x' }));
    }
    for (const t of yAxis.ticks) {
      const y = round(sy(t));
      out.push(line(plot.x, y, right, y, COLORS.grid));
      out.push(text(formatMoneyTick.format(t), { x: plot.x - 10, y: y + 4, size: 13, anchor: 'end', fill: COLORS.muted, cls: 'tick-y' }));
    }
  }
  out.push(`<rect x="${plot.x}" y="${plot.y}" width="${plot.width}" height="${plot.height}" fill="none" stroke="${COLORS.frame}"/>`);

  // Axis titles.
  out.push(text('Activities', { x: plot.x + plot.width / 2, y: bottom + 50, size: 15, anchor: 'middle', cls: 'axis-title' }));
  const yTitleX = 28;
  const yTitleY = plot.y + plot.height / 2;
  out.push(
    text(`Revenue (${currency})`, {
      x: yTitleX,
      y: yTitleY,
      size: 15,
      anchor: 'middle',
      cls: 'axis-title',
      transform: `rotate(-90 ${yTitleX} ${yTitleY})`,
    }),
  );

  if (empty) {
    out.push(text(EMPTY_MESSAGE, { x: plot.x + plot.width / 2, y: plot.y + plot.height / 2, size: 28, anchor: 'middle', fill: COLORS.muted, cls: 'empty' }));
    out.push('</svg>');
    return out.join('\n');
  }

  // Median lines with their values.
  const dash = 'stroke-dasharray="8 6" stroke-width="1.5"';
  out.push(`<line class="median-x" x1="${round(mx)}" y1="${plot.y}" x2="${round(mx)}" y2="${bottom}" stroke="${COLORS.median}" ${dash}/>`);
  out.push(`<line class="median-y" x1="${plot.x}" y1="${round(my)}" x2="${right}" y2="${round(my)}" stroke="${COLORS.median}" ${dash}/>`);
  out.push(text(`median ${formatCount.format(board.medians.activities)}`, { x: mx, y: plot.y - 8, size: 12, anchor: 'middle', fill: COLORS.muted, cls: 'median-label' }));
  out.push(text('median', { x: right + 8, y: my - 3, size: 12, fill: COLORS.muted, cls: 'median-label' }));
  out.push(text(formatMoneyTick.format(toMajor(board.medians.headlineRevenueMinor)), { x: right + 8, y: my + 12, size: 12, fill: COLORS.muted, cls: 'median-label' }));

  // Quadrant names in the plot's corners; labels keep clear of them where they can.
  const obstacles: Obstacle[] = [];
  const pad = 12;
  const corners: Array<{ name: string; x: number; y: number; anchor: Anchor; quadrant: string }> = [
    { name: QUADRANT_NAMES.efficient_closer, x: plot.x + pad, y: plot.y + pad + 16, anchor: 'start', quadrant: 'efficient_closer' },
    { name: QUADRANT_NAMES.leading, x: right - pad, y: plot.y + pad + 16, anchor: 'end', quadrant: 'leading' },
    { name: QUADRANT_NAMES.quiet, x: plot.x + pad, y: bottom - pad, anchor: 'start', quadrant: 'quiet' },
    { name: QUADRANT_NAMES.busy_not_closing, x: right - pad, y: bottom - pad, anchor: 'end', quadrant: 'busy_not_closing' },
  ];
  for (const c of corners) {
    out.push(text(c.name, { x: c.x, y: c.y, size: 18, weight: 'bold', anchor: c.anchor, fill: COLORS.quadrant, cls: 'quadrant', data: { quadrant: c.quadrant } }));
    obstacles.push({ box: textBox(c.name, c.x, c.y, 18, c.anchor), weight: 0.5 });
  }

  // Points: the unlabelled ones first so labelled dots sit on top.
  const labelled = labelledReps(reps);
  const points = reps.map((rep) => ({ rep, x: sx(rep.activities), y: sy(toMajor(rep.headlineRevenueMinor)), label: labelled.has(rep) }));
  for (const p of points) {
    const r = p.label ? 6 : 4;
    obstacles.push({ box: { x: p.x - r, y: p.y - r, width: 2 * r, height: 2 * r }, weight: 0.3 });
  }
  for (const p of points.filter((q) => !q.label)) {
    out.push(`<circle class="rep-point" cx="${round(p.x)}" cy="${round(p.y)}" r="4" fill="${COLORS.pointUnlabelled}" stroke="#ffffff" stroke-width="1"/>`);
  }
  for (const p of points.filter((q) => q.label)) {
    out.push(`<circle class="rep-point" cx="${round(p.x)}" cy="${round(p.y)}" r="6" fill="${COLORS.point}" stroke="#ffffff" stroke-width="1.5"/>`);
  }

  // Labels, most important first (board.reps is sorted by revenue), each at the first free spot.
  for (const p of points) {
    if (!p.label) continue;
    const name = chartLabel(p.rep.name);
    if (name === '') continue;
    const spot = placeLabel(name, p.x, p.y, plot, obstacles);
    obstacles.push({ box: spot.box, weight: 1 });
    out.push(
      text(name, {
        x: spot.x,
        y: spot.y,
        size: LABEL_SIZE,
        anchor: spot.anchor,
        cls: 'rep-label',
        halo: true,
      }),
    );
  }

  if (labelled.size < reps.length) {
    out.push(
      text(`Names shown for the top ${labelled.size} of ${reps.length} reps by revenue and by activities.`, {
        x: plot.x,
        y: height - 10,
        size: 12,
        fill: COLORS.muted,
        cls: 'footnote',
      }),
    );
  }

  out.push('</svg>');
  return out.join('\n');
}

/**
 * Which reps get a name: all of them up to MAX_LABELLED_REPS; past that, the top two thirds of the
 * budget by revenue (board order), filled up with the most active reps not already chosen.
 */
function labelledReps(reps: RepStats[]): Set<RepStats> {
  if (reps.length <= MAX_LABELLED_REPS) return new Set(reps);
  const chosen = new Set(reps.slice(0, Math.ceil((MAX_LABELLED_REPS * 2) / 3)));
  const byActivity = [...reps].sort((a, b) => b.activities - a.activities);
  for (const rep of byActivity) {
    if (chosen.size >= MAX_LABELLED_REPS) break;
    chosen.add(rep);
  }
  return chosen;
}

/**
 * A display name made safe and short for a label: characters XML cannot carry dropped, emoji
 * dropped (DejaVu Sans has no glyphs for most and would draw empty boxes) unless the name is
 * nothing but emoji, whitespace collapsed, cut to MAX_LABEL_CHARS characters ending in "…".
 */
export function chartLabel(name: string): string {
  const clean = tidy(name.replace(XML_INVALID, ''));
  const withoutEmoji = tidy(clean.replace(EMOJI, ''));
  const label = withoutEmoji === '' ? clean : withoutEmoji;
  const graphemes = Array.from(new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(label), (s) => s.segment);
  if (graphemes.length <= MAX_LABEL_CHARS) return label;
  return `${graphemes.slice(0, MAX_LABEL_CHARS - 1).join('').trimEnd()}…`;
}

/** Characters XML 1.0 cannot carry even escaped: control characters, lone surrogates, U+FFFE/U+FFFF. */
const XML_INVALID = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const EMOJI = /[\p{Extended_Pictographic}\p{Emoji_Modifier}\p{Regional_Indicator}\u200D\uFE0F\u20E3]/gu;

function tidy(s: string): string {
  return s.replace(/\s+/gu, ' ').trim();
}

// ---------------------------------------------------------------------------------------------
// Scales and ticks

export interface NiceAxis {
  min: number;
  max: number;
  ticks: number[];
}

/**
 * A domain that starts at 0 (or below, for negative values), ends a little past the largest value,
 * and is cut into about six round steps (1, 2 or 5 × 10ⁿ, at least `minStep`). Never zero-width.
 */
export function niceAxis(values: number[], minStep = 1): NiceAxis {
  const finite = values.filter((v) => Number.isFinite(v));
  const lo = finite.reduce((a, b) => Math.min(a, b), 0);
  let hi = finite.reduce((a, b) => Math.max(a, b), 0);
  if (hi === lo) hi = lo + 5 * minStep; // all zeros: still a readable 0…5 axis, and no zero-width scale
  else hi += (hi - lo) * 0.04; // headroom so the largest value is not the last tick
  const step = Math.max(minStep, niceStep((hi - lo) / 5));
  const min = Math.floor(lo / step) * step;
  const max = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let i = 0; min + i * step <= max + step / 2; i++) ticks.push(min + i * step);
  return { min, max, ticks };
}

function niceStep(raw: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const f = raw / magnitude;
  const nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
  return nice * magnitude;
}

function linearScale(axis: NiceAxis, from: number, to: number): (v: number) => number {
  const span = axis.max - axis.min || 1;
  return (v) => from + ((v - axis.min) / span) * (to - from);
}

function compactNumberFormat(): Intl.NumberFormat {
  return new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 2 });
}

function compactCurrencyFormat(currency: string): Intl.NumberFormat {
  return new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency,
    notation: 'compact',
    minimumFractionDigits: 0,
    maximumFractionDigits: 2,
  });
}

function chartDimension(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < MIN_SIZE || value > MAX_SIZE) {
    throw new RangeError(`chart ${what} must be a whole number of pixels from ${MIN_SIZE} to ${MAX_SIZE}, got ${value}`);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Label placement

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

type Anchor = 'start' | 'middle' | 'end';

const LABEL_SIZE = 13;
/** DejaVu Sans is wide: about 0.62 em per character on average for names. */
const EM_PER_CHAR = 0.62;

function textBox(s: string, x: number, baseline: number, size: number, anchor: Anchor): Box {
  const width = Array.from(s).length * size * EM_PER_CHAR;
  const left = anchor === 'start' ? x : anchor === 'end' ? x - width : x - width / 2;
  return { x: left, y: baseline - size, width, height: size * 1.3 };
}

function inside(inner: Box, outer: Box): boolean {
  return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;
}

interface Obstacle {
  box: Box;
  /** How much covering it costs per square pixel: another label most, a quadrant name or a dot less. */
  weight: number;
}

function overlapArea(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * Eight spots around the dot (right, left, above, below, then the diagonals). Among those inside
 * the plot (a few pixels of slack), the first that covers nothing wins, else the one covering the
 * least. Crowded charts may still overlap; every label is drawn with a white halo.
 */
function placeLabel(name: string, px: number, py: number, plot: Box, obstacles: Obstacle[]): { x: number; y: number; anchor: Anchor; box: Box } {
  const gap = 10;
  const candidates: Array<{ x: number; y: number; anchor: Anchor }> = [
    { x: px + gap, y: py + 4, anchor: 'start' },
    { x: px - gap, y: py + 4, anchor: 'end' },
    { x: px, y: py - gap - 2, anchor: 'middle' },
    { x: px, y: py + gap + LABEL_SIZE, anchor: 'middle' },
    { x: px + gap - 4, y: py - gap + 2, anchor: 'start' },
    { x: px + gap - 4, y: py + gap + LABEL_SIZE - 4, anchor: 'start' },
    { x: px - gap + 4, y: py - gap + 2, anchor: 'end' },
    { x: px - gap + 4, y: py + gap + LABEL_SIZE - 4, anchor: 'end' },
  ];
  const slack = 8;
  const area: Box = { x: plot.x - 2, y: plot.y - slack, width: plot.width + 4, height: plot.height + 2 * slack };
  const spots = candidates.map((c) => ({ ...c, box: textBox(name, c.x, c.y, LABEL_SIZE, c.anchor) }));
  const fits = spots.filter((s) => inside(s.box, area));
  let best = fits[0] ?? spots[0]!;
  let bestCost = Infinity;
  for (const spot of fits) {
    const cost = obstacles.reduce((sum, o) => sum + overlapArea(spot.box, o.box) * o.weight, 0);
    if (cost < bestCost) {
      best = spot;
      bestCost = cost;
    }
    if (cost === 0) break;
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// SVG helpers

/** Escape text for XML content and attribute values. */
export function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function line(x1: number, y1: number, x2: number, y2: number, stroke: string): string {
  return `<line x1="${round(x1)}" y1="${round(y1)}" x2="${round(x2)}" y2="${round(y2)}" stroke="${stroke}" stroke-width="1"/>`;
}

function rect(b: Box, fill: string): string {
  return `<rect x="${round(b.x)}" y="${round(b.y)}" width="${round(Math.max(0, b.width))}" height="${round(Math.max(0, b.height))}" fill="${fill}"/>`;
}

interface TextOptions {
  x: number;
  y: number;
  size: number;
  anchor?: Anchor;
  weight?: 'bold';
  fill?: string;
  cls: string;
  transform?: string;
  /** A white outline under the glyphs so a label stays readable over grid lines and dots. */
  halo?: boolean;
  data?: Record<string, string>;
}

function text(content: string, o: TextOptions): string {
  const attrs = [
    `class="${o.cls}"`,
    `x="${round(o.x)}"`,
    `y="${round(o.y)}"`,
    `font-size="${o.size}"`,
    `fill="${o.fill ?? COLORS.text}"`,
  ];
  if (o.anchor && o.anchor !== 'start') attrs.push(`text-anchor="${o.anchor}"`);
  if (o.weight) attrs.push(`font-weight="${o.weight}"`);
  if (o.transform) attrs.push(`transform="${o.transform}"`);
  if (o.halo) attrs.push('stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"');
  for (const [k, v] of Object.entries(o.data ?? {})) attrs.push(`data-${k}="${xml(v)}"`);
  return `<text ${attrs.join(' ')}>${xml(content)}</text>`;
}

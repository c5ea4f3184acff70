/**
 * The leaderboard as a picture for scheduled posts: a scatter plot of activities (x) against won
 * revenue in the headline currency (y), one dot per rep, dashed team-median lines splitting the plot
 * into the four named quadrants.
 *
 * Built as a plain SVG string (pure), then rasterised to PNG by resvg with DejaVu Sans only: the
 * rendering stack and text metrics shared with the funnel chart live in chart-svg.ts.
 *
 * Money stays exact everywhere else; here revenue becomes a float in major units for plotting only.
 */
import { currencyExponent } from '../../lib/money.js';
import { ASCENT, CHART_FONT_FAMILY, DESCENT, chartText, graphemes, line, rect, round, svgToPng, text, textWidth, xml, type Anchor, type Box } from './chart-svg.js';
import type { Board, Quadrant, RepStats } from './types.js';

export { CHART_FONT_FAMILY, chartFontFiles, svgToPng, textWidth, xml, type Anchor, type Box } from './chart-svg.js';

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
  leader: '#9ca3af',
};

/** The board's scatter chart as PNG bytes (default 1200×800). */
export async function renderBoardChart(board: Board, opts: BoardChartOptions = {}): Promise<Buffer> {
  return svgToPng(boardChartSvg(board, opts));
}

// ---------------------------------------------------------------------------------------------
// SVG

/** The board's scatter chart as an SVG document (pure). */
export function boardChartSvg(board: Board, opts: BoardChartOptions = {}): string {
  const layout = boardChartLayout(board, opts);
  const { width, height, plot, xAxis, yAxis, x: sx, y: sy } = layout;
  const currency = board.currency.toUpperCase();
  const formatCount = compactNumberFormat();
  const formatMoneyTick = compactCurrencyFormat(currency);
  const right = plot.x + plot.width;
  const bottom = plot.y + plot.height;
  const reps = board.reps;
  const empty = reps.length === 0;

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

  const { x: mx, y: my } = layout.median;

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
  out.push(text(formatMoneyTick.format(toMajorUnits(board)(board.medians.headlineRevenueMinor)), { x: right + 8, y: my + 12, size: 12, fill: COLORS.muted, cls: 'median-label' }));

  // Quadrant names, then leader lines under the dots, the dots (unlabelled first, so labelled dots sit on top), the names.
  for (const c of layout.captions) {
    out.push(text(c.text, { x: c.x, y: c.y, size: c.size, weight: 'bold', anchor: c.anchor, fill: COLORS.quadrant, cls: 'quadrant', data: { quadrant: c.quadrant } }));
  }
  for (const l of layout.labels) {
    if (l.leader) out.push(line(l.leader.x1, l.leader.y1, l.leader.x2, l.leader.y2, COLORS.leader, 'leader'));
  }
  for (const p of layout.points.filter((q) => !q.labelled)) {
    out.push(`<circle class="rep-point" cx="${round(p.x)}" cy="${round(p.y)}" r="${p.r}" fill="${COLORS.pointUnlabelled}" stroke="#ffffff" stroke-width="1"/>`);
  }
  for (const p of layout.points.filter((q) => q.labelled)) {
    out.push(`<circle class="rep-point" cx="${round(p.x)}" cy="${round(p.y)}" r="${p.r}" fill="${COLORS.point}" stroke="#ffffff" stroke-width="1.5"/>`);
  }
  for (const l of layout.labels) {
    out.push(text(l.text, { x: l.x, y: l.y, size: LABEL_SIZE, cls: 'rep-label', halo: true }));
  }

  const labelled = layout.points.filter((p) => p.labelled).length;
  if (labelled < reps.length) {
    out.push(
      text(`Names shown for the top ${labelled} of ${reps.length} reps by revenue and by activities.`, {
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

/** Minor units of the board's headline currency to major units, a float for plotting only. */
function toMajorUnits(board: Board): (minor: bigint) => number {
  const scale = 10 ** currencyExponent(board.currency.toUpperCase());
  return (minor) => Number(minor) / scale;
}

// ---------------------------------------------------------------------------------------------
// Layout: where everything goes, as boxes (pure, deterministic; boardChartSvg only draws it)

/** A rep's dot. `labelled` dots are bigger and have a name. */
export interface ChartPoint {
  rep: RepStats;
  x: number;
  y: number;
  r: number;
  labelled: boolean;
}

/** A quadrant name as drawn: text anchored at (x, y baseline), and the box its glyphs fill. */
export interface PlacedCaption {
  quadrant: Quadrant;
  text: string;
  x: number;
  y: number;
  /** Font size: 18, less on a small chart. */
  size: number;
  anchor: Anchor;
  box: Box;
}

export interface ChartLayout {
  width: number;
  height: number;
  /** The plot frame: the dots lie inside it, and so do the quadrant names and rep names wherever they fit. */
  plot: Box;
  xAxis: NiceAxis;
  yAxis: NiceAxis;
  /** Activities to an x pixel, and revenue (major units) to a y pixel. */
  x: (activities: number) => number;
  y: (revenueMajor: number) => number;
  median: { x: number; y: number };
  captions: PlacedCaption[];
  /** Every rep's dot, in board order. */
  points: ChartPoint[];
  /** The labelled reps' names, in board order (most revenue first); a name that cleans to nothing gets none. */
  labels: Array<PlacedLabel & { rep: RepStats }>;
}

/**
 * Where the chart puts its plot, dots, quadrant names and rep names. The quadrant names keep clear
 * of the dots where they can (see placeCaptions), then the names are placed around their dots
 * (see placeLabels), most revenue first.
 */
export function boardChartLayout(board: Board, opts: BoardChartOptions = {}): ChartLayout {
  const width = chartDimension(opts.width, CHART_DEFAULT_WIDTH, 'width');
  const height = chartDimension(opts.height, CHART_DEFAULT_HEIGHT, 'height');
  const toMajor = toMajorUnits(board);
  const plot: Box = { x: 96, y: 96, width: width - 96 - 120, height: height - 96 - 84 };
  const reps = board.reps;

  const xAxis = niceAxis([...reps.map((r) => r.activities), board.medians.activities]);
  const yAxis = niceAxis([...reps.map((r) => toMajor(r.headlineRevenueMinor)), toMajor(board.medians.headlineRevenueMinor)]);
  // A little room inside the frame so dots at zero or at the top tick don't sit on it.
  const inset = 12;
  const sx = linearScale(xAxis, plot.x + inset, plot.x + plot.width - inset);
  const sy = linearScale(yAxis, plot.y + plot.height - inset, plot.y + inset);
  const median = { x: sx(board.medians.activities), y: sy(toMajor(board.medians.headlineRevenueMinor)) };

  if (reps.length === 0) return { width, height, plot, xAxis, yAxis, x: sx, y: sy, median, captions: [], points: [], labels: [] };

  const labelled = labelledReps(reps);
  const points: ChartPoint[] = reps.map((rep) => {
    const isLabelled = labelled.has(rep);
    return { rep, x: sx(rep.activities), y: sy(toMajor(rep.headlineRevenueMinor)), r: isLabelled ? 6 : 4, labelled: isLabelled };
  });
  const captions = placeCaptions(plot, points);

  const named = points.filter((p) => p.labelled).map((p) => ({ point: p, text: chartLabel(p.rep.name) })).filter((n) => n.text !== '');
  const placed = placeLabels(
    named.map((n) => ({ text: n.text, x: n.point.x, y: n.point.y, r: n.point.r })),
    { area: plot, captions: captions.map((c) => c.box), points },
  );
  const labels = placed.map((l, i) => ({ ...l, rep: named[i]!.point.rep }));
  return { width, height, plot, xAxis, yAxis, x: sx, y: sy, median, captions, points, labels };
}

/**
 * The quadrant names, one in each corner of the plot. A rep's dot often sits in a corner (a busy rep
 * with no revenue yet is on the bottom edge), so each name slides along the edge into its quadrant,
 * a few pixels at a time, never onto another quadrant name: to the first spot within two rows of
 * the corner that leaves a row for rep names between it and every dot, else the first spot within
 * a quarter of the plot that covers no dot, else it stays in the corner (rep names still keep off it).
 */
function placeCaptions(plot: Box, points: Circle[]): PlacedCaption[] {
  const pad = 12;
  const right = plot.x + plot.width;
  const bottom = plot.y + plot.height;
  const corners: Array<{ quadrant: Quadrant; x: number; y: number; anchor: Anchor; step: number }> = [
    { quadrant: 'efficient_closer', x: plot.x + pad, y: plot.y + pad + 16, anchor: 'start', step: 1 },
    { quadrant: 'leading', x: right - pad, y: plot.y + pad + 16, anchor: 'end', step: 1 },
    { quadrant: 'quiet', x: plot.x + pad, y: bottom - pad, anchor: 'start', step: -1 },
    { quadrant: 'busy_not_closing', x: right - pad, y: bottom - pad, anchor: 'end', step: -1 },
  ];
  const maxSlide = plot.height / 4;
  // Room for a row of rep names between a dot and a name, if there is room for that at all.
  const roomy = (ASCENT + DESCENT) * LABEL_SIZE + 2 * LABEL_HALO + LABEL_GAP;
  // On a small chart the names shrink so the two on each edge fit side by side.
  const widthAt1 = (a: Quadrant, b: Quadrant) => textWidth(QUADRANT_NAMES[a], 1, true) + textWidth(QUADRANT_NAMES[b], 1, true);
  const fit = (plot.width - 3 * pad) / Math.max(widthAt1('efficient_closer', 'leading'), widthAt1('quiet', 'busy_not_closing'));
  const size = Math.max(MIN_CAPTION_SIZE, Math.min(CAPTION_SIZE, Math.floor(fit)));
  const placed: PlacedCaption[] = [];
  for (const c of corners) {
    const name = QUADRANT_NAMES[c.quadrant];
    const y0 = c.step > 0 ? c.y - CAPTION_SIZE + size : c.y;
    const at = (y: number): PlacedCaption => ({ quadrant: c.quadrant, text: name, x: c.x, y, size, anchor: c.anchor, box: textBox(name, c.x, y, size, c.anchor, true) });
    const free = (spot: PlacedCaption, clearance: number) =>
      !points.some((p) => circleHitsBox(p, spot.box, clearance)) && !placed.some((other) => overlapArea(other.box, spot.box) > 0);
    let chosen: PlacedCaption | undefined;
    for (const [clearance, limit] of [
      [roomy, 2 * roomy],
      [CLEARANCE, maxSlide],
    ] as const) {
      for (let slide = 0; chosen === undefined && slide <= limit; slide += 4) {
        const spot = at(y0 + c.step * slide);
        if (free(spot, clearance)) chosen = spot;
      }
    }
    placed.push(chosen ?? at(y0));
  }
  return placed;
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
  const label = chartText(name);
  const chars = graphemes(label);
  if (chars.length <= MAX_LABEL_CHARS) return label;
  return `${chars.slice(0, MAX_LABEL_CHARS - 1).join('').trimEnd()}…`;
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
// Text metrics and label placement

export interface Circle {
  x: number;
  y: number;
  r: number;
}

export interface Segment {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

const LABEL_SIZE = 13;
const CAPTION_SIZE = 18;
const MIN_CAPTION_SIZE = 9;
/** The white outline drawn under a label's glyphs (stroke-width 3), which its box includes. */
const LABEL_HALO = 1.5;
/** Free pixels kept between a label and anything else. */
const CLEARANCE = 2;

/** The box a line of text fills, from the top of its accents to the bottom of its descenders. */
function textBox(s: string, x: number, baseline: number, size: number, anchor: Anchor, bold = false): Box {
  const width = textWidth(s, size, bold);
  const left = anchor === 'start' ? x : anchor === 'end' ? x - width : x - width / 2;
  return { x: left, y: baseline - ASCENT * size, width, height: (ASCENT + DESCENT) * size };
}

/** A label to place: its text and the dot it names. */
export interface LabelRequest {
  text: string;
  x: number;
  y: number;
  r: number;
}

/**
 * A placed label: draw `text` with text-anchor start at (x, y baseline); `box` is what it covers
 * (glyphs and halo); `leader` is a line from the dot's edge to the box when the label sits away from its dot.
 */
export interface PlacedLabel {
  text: string;
  x: number;
  y: number;
  box: Box;
  leader: Segment | null;
}

export interface LabelScene {
  /** Labels stay inside it (the plot frame). */
  area: Box;
  /** Boxes no label may cover (the quadrant names). */
  captions: Box[];
  /** Every dot on the chart, the labelled ones' included. */
  points: Circle[];
}

/** Space between a dot's edge and a label right beside it. */
const LABEL_GAP = 4;
/** Beyond the eight spots beside the dot, rings of spots this much farther out each... */
const RING_STEP = 8;
/** ...this many of them (so up to about 250 px away)... */
const RINGS = 30;
/** ...in these directions, most wanted first (degrees, y down: -90 is straight up). */
const RING_ANGLES = [0, 180, -90, 90, -45, -135, 45, 135, -22.5, -157.5, 22.5, 157.5, -67.5, -112.5, 67.5, 112.5];
/** A label farther than this from its dot's edge gets a leader line. */
const LEADER_MIN = 6;

/**
 * Place each label near its dot, in order (the first gets the best spot), so that none covers a
 * quadrant name, another label or a dot, and all stay inside the area.
 *
 * Greedy over a fixed list of spots: right of the dot, left, above, below, the four diagonals;
 * then, nearest first, spots on rings farther out (16 directions) and in columns stacked above and
 * below the spots beside the dot, each with a leader line back to the dot. The first spot that
 * breaks no rule (hard: inside the area, off the quadrant names and the other labels; soft: off
 * the dots, its leader line crossing no dot, label, quadrant name or other leader line) wins.
 * When none is that clear (a crowd), the label takes the spot that keeps the hard rules and breaks
 * the fewest soft ones (a hidden dot counts most); when no spot keeps the hard rules (a plot
 * narrower than the name), the one overlapping least. Deterministic: same input, same layout.
 */
export function placeLabels(requests: LabelRequest[], scene: LabelScene): PlacedLabel[] {
  // Dots drawn on top of each other are one dot to keep clear of (the biggest of them).
  const dots = new Map<string, Circle>();
  for (const p of scene.points) {
    const key = `${Math.round(p.x * 10)},${Math.round(p.y * 10)}`;
    if ((dots.get(key)?.r ?? -1) < p.r) dots.set(key, { x: p.x, y: p.y, r: p.r });
  }
  const distinct = { ...scene, points: [...dots.values()] };
  const placed: PlacedLabel[] = [];
  for (const request of requests) placed.push(placeLabel(request, distinct, placed));
  return placed;
}

function placeLabel(req: LabelRequest, scene: LabelScene, placed: PlacedLabel[]): PlacedLabel {
  const width = textWidth(req.text, LABEL_SIZE) + 2 * LABEL_HALO;
  const height = (ASCENT + DESCENT) * LABEL_SIZE + 2 * LABEL_HALO;
  const area = shrink(scene.area, 1);
  let clear: { spot: PlacedLabel; soft: number } | undefined;
  let leastBad: { spot: PlacedLabel; hard: number; soft: number } | undefined;

  for (const box of labelCandidates(req, width, height)) {
    const spot: PlacedLabel = { text: req.text, x: box.x + LABEL_HALO, y: box.y + LABEL_HALO + ASCENT * LABEL_SIZE, box, leader: leaderFor(req, box) };
    const padded = grow(box, CLEARANCE);
    // Hard: square pixels outside the area or over a quadrant name or another label.
    let hard = box.width * box.height - overlapArea(box, area);
    for (const c of scene.captions) hard += overlapArea(padded, c);
    for (const p of placed) hard += overlapArea(padded, p.box);
    hard = hard < 1e-6 ? 0 : hard;
    // A spot that cannot beat the best so far is not scored further (a speed-up only).
    if (hard > 0 && (clear !== undefined || (leastBad !== undefined && hard > leastBad.hard))) continue;
    // Soft, worst first: a dot hidden under the name; a leader line through a name (when a dot is
    // ringed by names, the only way out); a thin leader line over a dot, a quadrant name or another leader line.
    let soft = 0;
    for (const p of scene.points) {
      if (circleHitsBox(p, box, CLEARANCE)) soft += 4;
      else if (spot.leader && !(p.x === req.x && p.y === req.y) && segmentHitsCircle(spot.leader, p)) soft += 1;
    }
    for (const p of placed) {
      if (spot.leader && segmentHitsBox(spot.leader, p.box)) soft += 3;
      if (!p.leader) continue;
      if (segmentHitsBox(p.leader, padded)) soft += 3;
      else if (spot.leader && segmentsCross(spot.leader, p.leader)) soft += 1;
    }
    if (spot.leader) for (const c of scene.captions) if (segmentHitsBox(spot.leader, c)) soft += 1;

    if (hard === 0 && soft === 0) return spot;
    if (hard === 0 && (clear === undefined || soft < clear.soft)) clear = { spot, soft };
    if (leastBad === undefined || hard < leastBad.hard || (hard === leastBad.hard && soft < leastBad.soft)) leastBad = { spot, hard, soft };
  }
  return (clear ?? leastBad)!.spot;
}

/** Boxes of `width` × `height` around the dot, in the order placeLabel tries them. */
function labelCandidates(req: LabelRequest, width: number, height: number): Box[] {
  const at = (d: number, cos: number, sin: number): Box => ({
    x: Math.abs(cos) < 0.3 ? req.x - width / 2 : cos > 0 ? req.x + d * cos : req.x + d * cos - width,
    y: Math.abs(sin) < 0.3 ? req.y + d * sin - height / 2 : sin > 0 ? req.y + d * sin : req.y + d * sin - height,
    width,
    height,
  });
  const near = req.r + LABEL_GAP;
  const d = Math.SQRT1_2;
  const beside = [at(near, 1, 0), at(near, -1, 0), at(near, 0, -1), at(near, 0, 1), at(near, d, -d), at(near, -d, -d), at(near, d, d), at(near, -d, d)];
  const farther: Box[] = [];
  for (let ring = 1; ring <= RINGS; ring++) {
    for (const deg of RING_ANGLES) {
      const rad = (deg * Math.PI) / 180;
      farther.push(at(near + ring * RING_STEP, Math.cos(rad), Math.sin(rad)));
    }
  }
  // Columns: stacked right above and below the spots beside the dot, so a crowd's names line up.
  for (let row = 1; row <= RINGS / 2; row++) {
    for (const side of [1, -1]) {
      for (const dir of [-1, 1]) {
        const box = at(near, side, 0);
        farther.push({ ...box, y: box.y + dir * row * (height + CLEARANCE) });
      }
    }
  }
  // Nearest first (in 4 px steps), ties in the order made.
  const reach = (b: Box) => Math.round(Math.hypot(Math.min(Math.max(req.x, b.x), b.x + b.width) - req.x, Math.min(Math.max(req.y, b.y), b.y + b.height) - req.y) / 4);
  const order = farther.map((box, i) => ({ box, i, reach: reach(box) })).sort((a, b) => a.reach - b.reach || a.i - b.i);
  return [...beside, ...order.map((o) => o.box)];
}

/** A line from the dot's edge to the nearest point of the box, when the box is more than LEADER_MIN from the dot. */
function leaderFor(req: LabelRequest, box: Box): Segment | null {
  const nx = Math.min(Math.max(req.x, box.x), box.x + box.width);
  const ny = Math.min(Math.max(req.y, box.y), box.y + box.height);
  const dist = Math.hypot(nx - req.x, ny - req.y);
  if (dist - req.r <= LEADER_MIN) return null;
  const ux = (nx - req.x) / dist;
  const uy = (ny - req.y) / dist;
  return { x1: req.x + ux * (req.r + 1), y1: req.y + uy * (req.r + 1), x2: nx, y2: ny };
}

export function overlapArea(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

function grow(b: Box, by: number): Box {
  return { x: b.x - by, y: b.y - by, width: b.width + 2 * by, height: b.height + 2 * by };
}

function shrink(b: Box, by: number): Box {
  return grow(b, -by);
}

/** Whether a dot (with its white outline, and `clearance` more) reaches into the box. */
export function circleHitsBox(c: Circle, b: Box, clearance = 0): boolean {
  const dx = c.x - Math.min(Math.max(c.x, b.x), b.x + b.width);
  const dy = c.y - Math.min(Math.max(c.y, b.y), b.y + b.height);
  const reach = c.r + 1 + clearance;
  return dx * dx + dy * dy < reach * reach;
}

/** Whether the segment passes through the box (Liang–Barsky clipping). */
export function segmentHitsBox(s: Segment, b: Box): boolean {
  const dx = s.x2 - s.x1;
  const dy = s.y2 - s.y1;
  let t0 = 0;
  let t1 = 1;
  const edges: Array<[number, number]> = [
    [-dx, s.x1 - b.x],
    [dx, b.x + b.width - s.x1],
    [-dy, s.y1 - b.y],
    [dy, b.y + b.height - s.y1],
  ];
  for (const [p, q] of edges) {
    if (p === 0) {
      if (q < 0) return false;
    } else {
      const t = q / p;
      if (p < 0) t0 = Math.max(t0, t);
      else t1 = Math.min(t1, t);
      if (t0 > t1) return false;
    }
  }
  return t1 - t0 > 1e-9;
}

function segmentHitsCircle(s: Segment, c: Circle): boolean {
  const dx = s.x2 - s.x1;
  const dy = s.y2 - s.y1;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.min(1, Math.max(0, ((c.x - s.x1) * dx + (c.y - s.y1) * dy) / len2));
  const ex = c.x - (s.x1 + t * dx);
  const ey = c.y - (s.y1 + t * dy);
  return ex * ex + ey * ey < (c.r + 1) * (c.r + 1);
}

function segmentsCross(a: Segment, b: Segment): boolean {
  const side = (s: Segment, x: number, y: number) => Math.sign((s.x2 - s.x1) * (y - s.y1) - (s.y2 - s.y1) * (x - s.x1));
  return side(a, b.x1, b.y1) * side(a, b.x2, b.y2) < 0 && side(b, a.x1, a.y1) * side(b, a.x2, a.y2) < 0;
}

/**
 * The conversion funnel as a picture for the board's thread, beside the scatter chart: for each
 * stage (touches → conversations → … → deals won) one bar per series (the team, then a chosen rep or
 * the median rep), labelled with its count, and between the stage groups the conversion rate from
 * one stage to the next for each series.
 *
 * Pure: data in, PNG out, with the scatter chart's rendering stack and fonts (chart-svg.ts).
 *
 * Counts can differ by orders of magnitude between stages (200 touches, 3 wins) and between the
 * series (a team against one rep), so bar heights follow the square root of the count, every count
 * above zero gets at least MIN_BAR_HEIGHT pixels, and the label over each bar gives the real number.
 * A missing count or rate (null) is written "no data", never drawn as 0 or 0%.
 */
import { chartText, graphemes, line, round, svgToPng, text, textWidth, xml, CHART_FONT_FAMILY, type Box } from './chart-svg.js';

export interface FunnelChartSeries {
  label: string;
  /** One per stage: how many reached it (null: no data for it). */
  counts: (number | null)[];
  /** One per pair of consecutive stages (stages.length - 1), as a fraction: 0.42 is drawn "42%" (null: no data). */
  rates: (number | null)[];
}

export interface FunnelChartInput {
  title: string;
  /** The stage names, in order: 1 to MAX_FUNNEL_STAGES of them. */
  stages: string[];
  /** 1 or 2 series: the team first, then a chosen rep or the median rep. */
  series: FunnelChartSeries[];
}

export const FUNNEL_CHART_WIDTH = 1200;
export const FUNNEL_CHART_HEIGHT = 800;
/** The most stages the chart lays out (each keeps room for its bars, rates and a wrapped name). */
export const MAX_FUNNEL_STAGES = 8;
export const MAX_FUNNEL_SERIES = 2;
/** The shortest bar for a count above zero, in pixels. */
export const MIN_BAR_HEIGHT = 4;
/** What a missing count or rate says. */
export const NO_DATA = 'no data';

const COLORS = {
  muted: '#6b7280',
  baseline: '#9ca3af',
  arrow: '#9ca3af',
  noData: '#9ca3af',
  /** Bars, then the darker shade for text in the series' colour (readable on white). */
  series: [
    { bar: '#2563eb', text: '#1d4ed8' },
    { bar: '#ea580c', text: '#c2410c' },
  ],
};

const MARGIN_X = 56;
const TITLE_Y = 44;
const SUBTITLE_Y = 70;
const LEGEND_Y = 106;
const PLOT_TOP = 140;
/** The baseline the bars stand on; below it the stage names and the footnote. */
const BASELINE_Y = FUNNEL_CHART_HEIGHT - 124;
/** Room kept over the tallest bar for its count. */
const COUNT_ROOM = 26;
const BAR_GAP = 6;
const MAX_BAR_WIDTH = 96;
/** Share of a stage's slot its bars take; the rest is the gap where the rates are written. */
const GROUP_SHARE = 0.56;
const STAGE_LABEL_SIZE = 14;
const STAGE_LABEL_LINE = 17;
const STAGE_LABEL_LINES = 3;
const COUNT_SIZE = 14;
const MIN_COUNT_SIZE = 9;
/** Below this size a count is written compact (54.3K) rather than in full. */
const READABLE_COUNT_SIZE = 11;
const RATE_SIZE = 15;
const MIN_RATE_SIZE = 9;
const RATE_LINE = 22;

const FOOTNOTE = 'Bar heights grow with the square root of the count, so small stages stay visible; the numbers are the counts.';

/** The funnel chart as PNG bytes (FUNNEL_CHART_WIDTH × FUNNEL_CHART_HEIGHT). */
export async function drawFunnelChart(input: FunnelChartInput): Promise<Buffer> {
  return svgToPng(funnelChartSvg(input));
}

/** The funnel chart as an SVG document (pure). Throws a RangeError on input it cannot draw (see checkInput). */
export function funnelChartSvg(input: FunnelChartInput): string {
  checkInput(input);
  const width = FUNNEL_CHART_WIDTH;
  const height = FUNNEL_CHART_HEIGHT;
  const { stages, series } = input;
  const n = stages.length;
  const k = series.length;
  const slot = (width - 2 * MARGIN_X) / n;
  const barWidth = Math.min(MAX_BAR_WIDTH, (slot * GROUP_SHARE - (k - 1) * BAR_GAP) / k);
  const groupWidth = k * barWidth + (k - 1) * BAR_GAP;
  const slotX = (i: number) => MARGIN_X + i * slot;
  const barX = (stage: number, s: number) => slotX(stage) + (slot - groupWidth) / 2 + s * (barWidth + BAR_GAP);
  const maxBar = BASELINE_Y - PLOT_TOP - COUNT_ROOM;
  const maxCount = Math.max(0, ...series.flatMap((s) => s.counts.map((c) => c ?? 0)));
  const barHeight = (count: number) => (count <= 0 ? 0 : Math.max(MIN_BAR_HEIGHT, (Math.sqrt(count) / Math.sqrt(maxCount)) * maxBar));

  // Counts: the biggest size (up to COUNT_SIZE) at which every label fits over its bar and the gap beside it.
  const countRoom = barWidth + BAR_GAP - 2;
  const counts = series.map((s) => s.counts.map((c) => (c === null ? NO_DATA : countText(c, countRoom))));
  const countSize = fitSize(
    series.flatMap((s, si) => s.counts.flatMap((c, ci) => (c === null ? [] : [counts[si]![ci]!]))),
    countRoom,
    COUNT_SIZE,
    MIN_COUNT_SIZE,
    false,
  );
  // A count label may reach past its bar by this much into the gap between the groups; the rates keep clear of it.
  const overhang = Math.max(0, ...series.flatMap((s, si) => s.counts.map((c, ci) => (c === null ? 0 : (textWidth(counts[si]![ci]!, countSize) - barWidth) / 2))));
  const gapWidth = slot - groupWidth - 2 * overhang - 6;
  const rates = series.map((s) => s.rates.map(rateText));
  const rateSize = fitSize(rates.flat(), gapWidth, RATE_SIZE, MIN_RATE_SIZE, true);

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `font-family="${CHART_FONT_FAMILY}" role="img">`,
  );
  const title = fitText(chartText(input.title), width - 2 * MARGIN_X, 24, true);
  out.push(`<title>${xml(title || 'Conversion funnel')}</title>`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(text(title, { x: MARGIN_X, y: TITLE_Y, size: 24, weight: 'bold', cls: 'title' }));
  out.push(
    text(fitText('Count at each stage, and the conversion rate from each stage to the next', width - 2 * MARGIN_X, 14, false), {
      x: MARGIN_X,
      y: SUBTITLE_Y,
      size: 14,
      fill: COLORS.muted,
      cls: 'subtitle',
    }),
  );

  // Legend: a swatch and the series' name, side by side.
  const legendRoom = (width - 2 * MARGIN_X) / k - 40;
  let legendX = MARGIN_X;
  series.forEach((s, si) => {
    const name = fitText(chartText(s.label), legendRoom, 15, false) || `Series ${si + 1}`;
    out.push(`<rect class="legend-swatch" data-series="${si}" x="${legendX}" y="${LEGEND_Y - 13}" width="16" height="16" rx="2" fill="${COLORS.series[si]!.bar}"/>`);
    out.push(text(name, { x: legendX + 24, y: LEGEND_Y, size: 15, cls: 'legend', data: { series: String(si) } }));
    legendX += 24 + textWidth(name, 15) + 40;
  });

  // Bars, each with its count over it (or a dashed outline saying "no data").
  const noDataSize = Math.min(12, countSize);
  const noDataFlat = textWidth(NO_DATA, noDataSize) + 6 <= barWidth;
  const noDataHeight = Math.round((noDataFlat ? noDataSize : textWidth(NO_DATA, noDataSize)) + 14);
  stages.forEach((_, i) => {
    series.forEach((s, si) => {
      const count = s.counts[i]!;
      const x = barX(i, si);
      const cx = x + barWidth / 2;
      const data = `data-series="${si}" data-stage="${i}"`;
      if (count === null) {
        const box: Box = { x: x + 0.5, y: BASELINE_Y - noDataHeight, width: barWidth - 1, height: noDataHeight };
        out.push(
          `<rect class="no-data" ${data} x="${round(box.x)}" y="${round(box.y)}" width="${round(box.width)}" height="${round(box.height)}" ` +
            `fill="none" stroke="${COLORS.noData}" stroke-width="1" stroke-dasharray="4 3"/>`,
        );
        const cy = BASELINE_Y - noDataHeight / 2;
        out.push(
          noDataFlat
            ? text(NO_DATA, { x: cx, y: cy + noDataSize * 0.35, size: noDataSize, anchor: 'middle', fill: COLORS.muted, cls: 'count-missing', data: { series: String(si), stage: String(i) } })
            : text(NO_DATA, {
                x: cx + noDataSize * 0.35,
                y: cy,
                size: noDataSize,
                anchor: 'middle',
                fill: COLORS.muted,
                cls: 'count-missing',
                transform: `rotate(-90 ${round(cx + noDataSize * 0.35)} ${round(cy)})`,
                data: { series: String(si), stage: String(i) },
              }),
        );
        return;
      }
      const h = barHeight(count);
      if (h > 0) {
        out.push(`<rect class="bar" ${data} x="${round(x)}" y="${round(BASELINE_Y - h)}" width="${round(barWidth)}" height="${round(h)}" fill="${COLORS.series[si]!.bar}"/>`);
      }
      out.push(text(counts[si]![i]!, { x: cx, y: BASELINE_Y - h - 7, size: countSize, anchor: 'middle', cls: 'count', data: { series: String(si), stage: String(i) } }));
    });
  });
  out.push(line(MARGIN_X, BASELINE_Y + 0.5, width - MARGIN_X, BASELINE_Y + 0.5, COLORS.baseline, 'baseline'));

  // Rates, between the groups: an arrow, then a row per series in its colour.
  const rateTop = PLOT_TOP + 12;
  for (let i = 0; i + 1 < n; i++) {
    const x = slotX(i + 1);
    const half = Math.min(gapWidth / 2, 22);
    out.push(arrow(x - half, x + half, rateTop));
    series.forEach((s, si) => {
      const rate = s.rates[i]!;
      out.push(
        text(rates[si]![i]!, {
          x,
          y: rateTop + 10 + RATE_LINE * (si + 0.75),
          size: rateSize,
          anchor: 'middle',
          weight: rate === null ? undefined : 'bold',
          fill: rate === null ? COLORS.muted : COLORS.series[si]!.text,
          cls: rate === null ? 'rate-missing' : 'rate',
          data: { series: String(si), from: String(i) },
        }),
      );
    });
  }

  // Stage names, wrapped under their groups.
  stages.forEach((stage, i) => {
    const lines = wrapText(chartText(stage), slot - 12, STAGE_LABEL_SIZE, STAGE_LABEL_LINES);
    lines.forEach((l, li) => {
      out.push(
        text(l, { x: slotX(i) + slot / 2, y: BASELINE_Y + 24 + li * STAGE_LABEL_LINE, size: STAGE_LABEL_SIZE, anchor: 'middle', cls: 'stage', data: { stage: String(i) } }),
      );
    });
  });

  out.push(text(fitText(FOOTNOTE, width - 2 * MARGIN_X, 12, false), { x: MARGIN_X, y: height - 16, size: 12, fill: COLORS.muted, cls: 'footnote' }));
  out.push('</svg>');
  return out.join('\n');
}

/** What the chart cannot draw: no stages or more than MAX_FUNNEL_STAGES, 0 or more than 2 series, arrays of the wrong length, negative or non-finite numbers. */
function checkInput(input: FunnelChartInput): void {
  const n = input.stages.length;
  if (n < 1 || n > MAX_FUNNEL_STAGES) throw new RangeError(`a funnel chart has 1 to ${MAX_FUNNEL_STAGES} stages, got ${n}`);
  const k = input.series.length;
  if (k < 1 || k > MAX_FUNNEL_SERIES) throw new RangeError(`a funnel chart has 1 or ${MAX_FUNNEL_SERIES} series, got ${k}`);
  for (const s of input.series) {
    if (s.counts.length !== n) throw new RangeError(`series "${s.label}" has ${s.counts.length} counts for ${n} stages`);
    if (s.rates.length !== n - 1) throw new RangeError(`series "${s.label}" has ${s.rates.length} rates for ${n} stages (one between each pair)`);
    for (const v of [...s.counts, ...s.rates]) {
      if (v !== null && !(Number.isFinite(v) && v >= 0)) throw new RangeError(`series "${s.label}" has a count or rate that is not a number of 0 or more: ${v}`);
    }
  }
}

/** A count as written over its bar: 1,234 in full, or 54.3K when the full number would not fit `room` pixels at a readable size. */
function countText(count: number, room: number): string {
  const full = Math.round(count).toLocaleString('en-US');
  return textWidth(full, READABLE_COUNT_SIZE) <= room ? full : COMPACT.format(count);
}

const COMPACT = new Intl.NumberFormat('en-US', { notation: 'compact', maximumSignificantDigits: 3 });

/** A rate as a whole percentage; a rate above zero that rounds to 0% says "<1%". */
function rateText(rate: number | null): string {
  if (rate === null) return NO_DATA;
  const percent = Math.round(rate * 100);
  return percent === 0 && rate > 0 ? '<1%' : `${percent}%`;
}

/** The largest font size from `max` down to `min` at which every string is at most `room` pixels wide. */
function fitSize(strings: string[], room: number, max: number, min: number, bold: boolean): number {
  const widest = Math.max(0, ...strings.map((s) => textWidth(s, 1, bold)));
  if (widest === 0) return max;
  return Math.max(min, Math.min(max, Math.floor(room / widest)));
}

/** `s` cut, at a character boundary, to fit `room` pixels, ending in "…" when cut. */
function fitText(s: string, room: number, size: number, bold: boolean): string {
  if (textWidth(s, size, bold) <= room) return s;
  const chars = graphemes(s);
  let keep = chars.length;
  while (keep > 0 && textWidth(`${chars.slice(0, keep).join('').trimEnd()}…`, size, bold) > room) keep--;
  return `${chars.slice(0, keep).join('').trimEnd()}…`;
}

/**
 * `s` broken at spaces into at most `maxLines` lines of at most `room` pixels; a word longer than a
 * line is cut with "…", and so is the last line when the text runs on past it.
 */
function wrapText(s: string, room: number, size: number, maxLines: number): string[] {
  const words = s.split(' ').filter((w) => w !== '');
  const lines: string[] = [];
  let current = '';
  for (let w = 0; w < words.length; w++) {
    const word = words[w]!;
    const candidate = current === '' ? word : `${current} ${word}`;
    if (textWidth(candidate, size) <= room) {
      current = candidate;
      continue;
    }
    if (current !== '') {
      lines.push(current);
      current = '';
      if (lines.length === maxLines) {
        lines[maxLines - 1] = fitText(`${lines[maxLines - 1]!} ${words.slice(w).join(' ')}`, room, size, false);
        return lines;
      }
    }
    current = fitText(word, room, size, false);
  }
  if (current !== '') lines.push(current);
  return lines;
}

/** A thin arrow pointing right, from x1 to x2 at height y. */
function arrow(x1: number, x2: number, y: number): string {
  const head = 5;
  return (
    `<path class="arrow" d="M${round(x1)} ${round(y)} H${round(x2)} M${round(x2 - head)} ${round(y - head)} L${round(x2)} ${round(y)} L${round(x2 - head)} ${round(y + head)}" ` +
    `fill="none" stroke="${COLORS.arrow}" stroke-width="1.5" stroke-linecap="round" stroke-linejoin="round"/>`
  );
}

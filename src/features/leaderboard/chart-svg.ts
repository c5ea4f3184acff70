/**
 * The rendering stack the leaderboard's charts share (the scatter in chart.ts, the funnel in
 * funnel-chart.ts): SVG building blocks, DejaVu Sans text metrics, and the rasteriser.
 *
 * A chart is built as a plain SVG string (pure), then rasterised to PNG by resvg with the DejaVu
 * Sans TrueType files shipped in the `dejavu-fonts-ttf` package. System fonts are never loaded, so a
 * server without fonts draws the same picture as a laptop. resvg reads TTF/OTF only: a WOFF/WOFF2
 * file (what the `@fontsource` packages ship) is skipped and every label silently renders as nothing.
 *
 * resvg (a native library) is loaded on the first chart drawn, not when the bot starts.
 */
import { createRequire } from 'node:module';

export const CHART_FONT_FAMILY = 'DejaVu Sans';
const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'];

const BACKGROUND = '#ffffff';
const TEXT_COLOR = '#111827';

/** Absolute paths of the TrueType files the chart is drawn with (resolved from node_modules). */
export function chartFontFiles(): string[] {
  const require = createRequire(import.meta.url);
  return FONT_FILES.map((file) => require.resolve(`dejavu-fonts-ttf/ttf/${file}`));
}

/** Rasterise a chart SVG to PNG bytes with only the given font files (never the system's). */
export async function svgToPng(svg: string, fontFiles: string[] = chartFontFiles()): Promise<Buffer> {
  const { Resvg } = await import('@resvg/resvg-js');
  const resvg = new Resvg(svg, {
    font: { fontFiles, loadSystemFonts: false, defaultFontFamily: CHART_FONT_FAMILY },
    fitTo: { mode: 'original' },
    background: BACKGROUND,
    logLevel: 'error',
  });
  return resvg.render().asPng();
}

// ---------------------------------------------------------------------------------------------
// Text

/**
 * Text made safe for a chart: characters XML cannot carry dropped, emoji dropped (DejaVu Sans has
 * no glyphs for most and would draw empty boxes) unless the text is nothing but emoji, whitespace
 * collapsed.
 */
export function chartText(s: string): string {
  const clean = tidy(s.replace(XML_INVALID, ''));
  const withoutEmoji = tidy(clean.replace(EMOJI, ''));
  return withoutEmoji === '' ? clean : withoutEmoji;
}

/** The user-perceived characters of `s` (an accented letter or a flag is one). */
export function graphemes(s: string): string[] {
  return Array.from(new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(s), (g) => g.segment);
}

/** Characters XML 1.0 cannot carry even escaped: control characters, lone surrogates, U+FFFE/U+FFFF. */
// The point of this one is to match control characters.
// eslint-disable-next-line no-control-regex
const XML_INVALID = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const EMOJI = /[\p{Extended_Pictographic}\p{Emoji_Modifier}\p{Regional_Indicator}\u200D\uFE0F\u20E3]/gu;

function tidy(s: string): string {
  return s.replace(/\s+/gu, ' ').trim();
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export type Anchor = 'start' | 'middle' | 'end';

/** DejaVu Sans' ascender and descender in em (hhea: 1901 and -483 of 2048 units): accents and descenders included. */
export const ASCENT = 0.928;
export const DESCENT = 0.236;

/**
 * DejaVu Sans advance widths of the printable ASCII characters (U+0020 to U+007E), in font units
 * of 2048 to the em, read from the hmtx tables of the TTF files the charts are drawn with.
 */
const ADVANCE_REGULAR = [
  651, 821, 942, 1716, 1303, 1946, 1597, 563, 799, 799, 1024, 1716, 651, 739, 651, 690, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 690, 690,
  1716, 1716, 1716, 1087, 2048, 1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 604, 604, 1343, 1141, 1767, 1532, 1612, 1235, 1612, 1423, 1300, 1251, 1499,
  1401, 2025, 1403, 1251, 1403, 799, 690, 799, 1716, 1024, 1024, 1255, 1300, 1126, 1300, 1260, 721, 1300, 1298, 569, 569, 1186, 569, 1995, 1298, 1253, 1300,
  1300, 842, 1067, 803, 1298, 1212, 1675, 1212, 1212, 1075, 1303, 690, 1303, 1716,
];
const ADVANCE_BOLD = [
  713, 934, 1067, 1716, 1425, 2052, 1786, 627, 936, 936, 1071, 1716, 778, 850, 778, 748, 1425, 1425, 1425, 1425, 1425, 1425, 1425, 1425, 1425, 1425, 819, 819,
  1716, 1716, 1716, 1188, 2048, 1585, 1561, 1503, 1700, 1399, 1399, 1681, 1714, 762, 762, 1587, 1305, 2038, 1714, 1741, 1501, 1741, 1577, 1475, 1397, 1663,
  1585, 2259, 1579, 1483, 1485, 936, 748, 936, 1716, 1024, 1024, 1382, 1466, 1214, 1466, 1389, 891, 1466, 1458, 702, 702, 1362, 702, 2134, 1458, 1407, 1466,
  1466, 1010, 1219, 979, 1458, 1335, 1892, 1321, 1335, 1192, 1458, 748, 1458, 1716,
];
const UNITS_PER_EM = 2048;
const COMBINING_MARK = /\p{M}/u;

/**
 * How wide DejaVu Sans draws `s`, in pixels, without kerning (which only tightens): accented Latin
 * letters measure as their base letter, combining marks as nothing, anything else as a full em
 * (wider than any Latin letter but W, so never too narrow for a name).
 */
export function textWidth(s: string, size: number, bold = false): number {
  const advance = bold ? ADVANCE_BOLD : ADVANCE_REGULAR;
  let units = 0;
  for (const ch of s.normalize('NFD')) {
    const code = ch.codePointAt(0)!;
    if (code >= 0x20 && code <= 0x7e) units += advance[code - 0x20]!;
    else if (!COMBINING_MARK.test(ch)) units += Math.max(UNITS_PER_EM, advance[0x57 - 0x20]!);
  }
  return (units / UNITS_PER_EM) * size;
}

// ---------------------------------------------------------------------------------------------
// SVG helpers

/** Escape text for XML content and attribute values. */
export function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

export function round(n: number): number {
  return Math.round(n * 10) / 10;
}

export function line(x1: number, y1: number, x2: number, y2: number, stroke: string, cls?: string): string {
  return `<line ${cls ? `class="${cls}" ` : ''}x1="${round(x1)}" y1="${round(y1)}" x2="${round(x2)}" y2="${round(y2)}" stroke="${stroke}" stroke-width="1"/>`;
}

export function rect(b: Box, fill: string): string {
  return `<rect x="${round(b.x)}" y="${round(b.y)}" width="${round(Math.max(0, b.width))}" height="${round(Math.max(0, b.height))}" fill="${fill}"/>`;
}

export interface TextOptions {
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

export function text(content: string, o: TextOptions): string {
  const attrs = [
    `class="${o.cls}"`,
    `x="${round(o.x)}"`,
    `y="${round(o.y)}"`,
    `font-size="${o.size}"`,
    `fill="${o.fill ?? TEXT_COLOR}"`,
  ];
  if (o.anchor && o.anchor !== 'start') attrs.push(`text-anchor="${o.anchor}"`);
  if (o.weight) attrs.push(`font-weight="${o.weight}"`);
  if (o.transform) attrs.push(`transform="${o.transform}"`);
  if (o.halo) attrs.push('stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"');
  for (const [k, v] of Object.entries(o.data ?? {})) attrs.push(`data-${k}="${xml(v)}"`);
  return `<text ${attrs.join(' ')}>${xml(content)}</text>`;
}

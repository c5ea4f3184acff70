/**
 * For the chart tests: a tiny PNG reader (enough to check the header of what resvg writes and
 * compare its pixels), and the text nodes of a chart's SVG.
 */
import { inflateSync } from 'node:zlib';
import { expect } from 'vitest';

export interface Image {
  width: number;
  height: number;
  /** RGBA, 4 bytes a pixel. */
  rgba: Uint8Array;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function pngHeader(png: Buffer): { width: number; height: number; bitDepth: number; colorType: number } {
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  expect(png.readUInt32BE(8)).toBe(13);
  expect(png.toString('latin1', 12, 16)).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), bitDepth: png[24]!, colorType: png[25]! };
}

export function decodePng(png: Buffer): Image {
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

/** A rectangle of pixels: x0 ≤ x < x1, y0 ≤ y < y1. */
export interface Region {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** How many pixels differ between two images of the same size inside the region. */
export function diffIn(a: Image, b: Image, r: Region): number {
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

/** A <text> element of a chart SVG, as drawn: its class, anchor point, anchor, size and content (still XML-escaped). */
export interface TextNode {
  cls: string;
  x: number;
  y: number;
  anchor: string;
  size: number;
  content: string;
  attrs: string;
}

/** The <text> elements of an SVG, or only those of class `cls`. */
export function textNodes(svg: string, cls?: string): TextNode[] {
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

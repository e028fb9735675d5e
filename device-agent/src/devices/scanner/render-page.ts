import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createCanvas, GlobalFonts, type Canvas } from '@napi-rs/canvas';

/**
 * Draws document pages from text with a real font, as a scanner would deliver them:
 * for the scanner simulator (so `npm start` can "scan" a temporary ID certificate) and
 * for OCR tests and benchmarks (clean, rotated, blurred and noisy variants, with the
 * source text known exactly).
 */

export type PageFont = 'sans' | 'serif';

export interface PageLine {
  text: string;
  /** Point size (1/72 inch). */
  sizePt: number;
  /** Left edge in mm from the page's left edge; default the page margin. */
  xMm?: number;
  /** Top of the line in mm; default below the previous line. */
  yMm?: number;
  bold?: boolean;
  /** Centre on the page (titles). */
  center?: boolean;
}

export interface Degradation {
  /** Rotate the whole page by this many degrees (positive: clockwise), as a sheet placed askew. */
  rotateDeg?: number;
  /** Gaussian blur radius in page pixels (an out-of-focus camera or a cheap scanner). */
  blurPx?: number;
  /** Grey noise standard deviation (0–255) plus this fraction of salt-and-pepper pixels / 100. */
  noise?: { sigma: number; seed: number };
}

export interface PageSpec {
  lines: PageLine[];
  widthMm: number;
  heightMm: number;
  dpi: number;
  font?: PageFont;
  marginMm?: number;
  /** Line spacing as a multiple of the font size. */
  leading?: number;
  degrade?: Degradation;
}

export interface RenderedLine {
  text: string;
  /** Pixel box of the line on the undegraded page. */
  box: { x: number; y: number; width: number; height: number };
}

export interface RenderedPage {
  png: Buffer;
  width: number;
  height: number;
  dpi: number;
  lines: RenderedLine[];
}

const require = createRequire(import.meta.url);

interface FontFiles {
  regular: string;
  bold: string;
}

/** Noto Sans SC from npm (OFL-1.1); HanaMin (Debian fonts-hanazono) as the serif face. */
function fontFiles(font: PageFont): FontFiles | undefined {
  if (font === 'sans') {
    try {
      const root = dirname(require.resolve('@expo-google-fonts/noto-sans-sc/package.json'));
      return { regular: join(root, '400Regular', 'NotoSansSC_400Regular.ttf'), bold: join(root, '700Bold', 'NotoSansSC_700Bold.ttf') };
    } catch {
      return undefined;
    }
  }
  const hana = '/usr/share/fonts/truetype/hanazono/HanaMinA.ttf';
  return existsSync(hana) ? { regular: hana, bold: hana } : undefined;
}

const registered = new Map<PageFont, { regular: string; bold: string }>();

/** Registers the face once per process; returns the family names, or undefined when the font is absent. */
export function loadPageFont(font: PageFont): { regular: string; bold: string } | undefined {
  const known = registered.get(font);
  if (known) return known;
  const files = fontFiles(font);
  if (!files || !existsSync(files.regular)) return undefined;
  const regular = `onevisit-${font}`;
  const bold = `onevisit-${font}-bold`;
  GlobalFonts.registerFromPath(files.regular, regular);
  if (files.bold !== files.regular && existsSync(files.bold)) GlobalFonts.registerFromPath(files.bold, bold);
  const families = { regular, bold: files.bold !== files.regular && existsSync(files.bold) ? bold : regular };
  registered.set(font, families);
  return families;
}

export function mmToPx(mm: number, dpi: number): number {
  return Math.round((mm / 25.4) * dpi);
}

/** Renders a page to PNG; throws only when no font is installed (a broken install, not a user error). */
export function renderPage(spec: PageSpec): RenderedPage {
  const families = loadPageFont(spec.font ?? 'sans') ?? loadPageFont('serif') ?? loadPageFont('sans');
  if (!families) throw new Error('no CJK font found for rendering pages (Noto Sans SC from npm or fonts-hanazono)');
  const width = mmToPx(spec.widthMm, spec.dpi);
  const height = mmToPx(spec.heightMm, spec.dpi);
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#111';
  ctx.textBaseline = 'top';
  const marginPx = mmToPx(spec.marginMm ?? 20, spec.dpi);
  const leading = spec.leading ?? 1.8;
  let cursorY = marginPx;
  const lines: RenderedLine[] = [];
  for (const line of spec.lines) {
    const sizePx = (line.sizePt / 72) * spec.dpi;
    ctx.font = `${Math.round(sizePx)}px "${line.bold === true ? families.bold : families.regular}"`;
    const measured = ctx.measureText(line.text).width;
    const y = line.yMm === undefined ? cursorY : mmToPx(line.yMm, spec.dpi);
    const x = line.center === true ? Math.round((width - measured) / 2) : line.xMm === undefined ? marginPx : mmToPx(line.xMm, spec.dpi);
    ctx.fillText(line.text, x, y);
    lines.push({ text: line.text, box: { x, y, width: Math.round(measured), height: Math.round(sizePx * 1.2) } });
    cursorY = y + Math.round(sizePx * leading);
  }
  const degraded = spec.degrade ? degrade(canvas, spec.degrade) : canvas;
  return { png: degraded.encodeSync('png'), width, height, dpi: spec.dpi, lines };
}

function degrade(source: Canvas, options: Degradation): Canvas {
  const { width, height } = source;
  let current = source;
  if (options.rotateDeg !== undefined && options.rotateDeg !== 0) {
    const rotated = createCanvas(width, height);
    const ctx = rotated.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, width, height);
    ctx.translate(width / 2, height / 2);
    ctx.rotate((options.rotateDeg * Math.PI) / 180);
    ctx.drawImage(current, -width / 2, -height / 2);
    current = rotated;
  }
  if (options.blurPx !== undefined && options.blurPx > 0) {
    const blurred = createCanvas(width, height);
    const ctx = blurred.getContext('2d');
    ctx.filter = `blur(${options.blurPx}px)`;
    ctx.drawImage(current, 0, 0);
    current = blurred;
  }
  if (options.noise) {
    const ctx = current.getContext('2d');
    const pixels = ctx.getImageData(0, 0, width, height);
    const random = mulberry32(options.noise.seed);
    const data = pixels.data;
    for (let i = 0; i < data.length; i += 4) {
      // Box-Muller: grey sensor noise; plus rare specks of dust.
      const gaussian = Math.sqrt(-2 * Math.log(random() || 1e-9)) * Math.cos(2 * Math.PI * random());
      const speck = random() < 0.002 ? (random() < 0.5 ? -255 : 255) : 0;
      const delta = gaussian * options.noise.sigma + speck;
      for (let c = 0; c < 3; c += 1) data[i + c] = Math.max(0, Math.min(255, (data[i + c] ?? 255) + delta));
    }
    ctx.putImageData(pixels, 0, 0);
  }
  return current;
}

/** A small seeded PRNG, so a noisy test image is the same on every run. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

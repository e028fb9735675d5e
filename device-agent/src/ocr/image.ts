import { createCanvas, loadImage, type Canvas, type Image } from '@napi-rs/canvas';

/**
 * Raster helpers for scans and OCR, on @napi-rs/canvas (Skia, prebuilt, no network:
 * we only ever hand it bytes, never a URL or path).
 */

export type ImageMimeType = 'image/png' | 'image/jpeg';

/** A rectangle in the pixels of the full page. */
export interface PixelRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface EncodedImage {
  mimeType: ImageMimeType;
  width: number;
  height: number;
  data: Buffer;
}

/** PNG, JPEG, WebP, GIF, BMP… whatever Skia decodes; undefined when the bytes are not an image. */
export async function decodeImage(bytes: Uint8Array): Promise<Image | undefined> {
  try {
    const image = await loadImage(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return image.width > 0 && image.height > 0 ? image : undefined;
  } catch {
    return undefined;
  }
}

/** The MIME type by magic number, for the formats we pass on. */
export function sniffMimeType(bytes: Uint8Array): ImageMimeType | undefined {
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  return undefined;
}

/** Clamps a rectangle to the image and rounds it to whole pixels; undefined when nothing is left. */
export function clampRect(rect: PixelRect, width: number, height: number): PixelRect | undefined {
  const x0 = Math.max(0, Math.floor(rect.x));
  const y0 = Math.max(0, Math.floor(rect.y));
  const x1 = Math.min(width, Math.ceil(rect.x + rect.width));
  const y1 = Math.min(height, Math.ceil(rect.y + rect.height));
  if (x1 - x0 < 1 || y1 - y0 < 1) return undefined;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

async function encode(canvas: Canvas, format: 'png' | 'jpeg', quality: number): Promise<EncodedImage> {
  const data = format === 'png' ? await canvas.encode('png') : await canvas.encode('jpeg', quality);
  return { mimeType: format === 'png' ? 'image/png' : 'image/jpeg', width: canvas.width, height: canvas.height, data };
}

/**
 * A preview the UI can show: the page scaled so its longer side is at most `maxSidePx`
 * (never enlarged), as JPEG (small, default) or PNG.
 */
export async function makePreview(image: Image, options: { maxSidePx: number; format: 'png' | 'jpeg'; quality?: number }): Promise<EncodedImage> {
  const scale = Math.min(1, options.maxSidePx / Math.max(image.width, image.height));
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(image, 0, 0, width, height);
  return encode(canvas, options.format, options.quality ?? 75);
}

/** The whole image re-encoded losslessly (PNG), e.g. to keep a scan for OCR. */
export async function toPng(image: Image): Promise<Buffer> {
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, image.width, image.height);
  ctx.drawImage(image, 0, 0);
  return canvas.encode('png');
}

/** Where a crop came from, to map OCR boxes on it back to page pixels. */
export interface CropTransform {
  /** Page pixel at the crop's (pad, pad). */
  originX: number;
  originY: number;
  scale: number;
  padPx: number;
}

export function cropToPage(transform: CropTransform, box: PixelRect): PixelRect {
  return {
    x: Math.round(transform.originX + (box.x - transform.padPx) / transform.scale),
    y: Math.round(transform.originY + (box.y - transform.padPx) / transform.scale),
    width: Math.round(box.width / transform.scale),
    height: Math.round(box.height / transform.scale),
  };
}

/**
 * Prepares a small field (an ID-number line) for a second OCR pass: cut out, grey, upscaled
 * (2x by default, smoothed), sharpened with a 3x3 unsharp kernel and given a white margin,
 * because Tesseract's LSTM reads small print markedly better at ~30 px character height and
 * wants some background around the text. STACK-NOTES.md: on a noisy card this turned a wrong
 * digit into an exact read in ~75 ms.
 */
export function prepareFieldCrop(
  image: Image,
  rect: PixelRect,
  options: { scale?: number; sharpen?: boolean; padPx?: number } = {},
): { png: Buffer; transform: CropTransform } | undefined {
  const area = clampRect(rect, image.width, image.height);
  if (!area) return undefined;
  const scale = options.scale ?? 2;
  const padPx = options.padPx ?? 16;
  const width = Math.round(area.width * scale) + 2 * padPx;
  const height = Math.round(area.height * scale) + 2 * padPx;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(image, area.x, area.y, area.width, area.height, padPx, padPx, Math.round(area.width * scale), Math.round(area.height * scale));
  const pixels = ctx.getImageData(0, 0, width, height);
  const grey = new Float32Array(width * height);
  const data = pixels.data;
  for (let i = 0; i < grey.length; i += 1) {
    grey[i] = 0.299 * (data[i * 4] ?? 255) + 0.587 * (data[i * 4 + 1] ?? 255) + 0.114 * (data[i * 4 + 2] ?? 255);
  }
  const out = options.sharpen === false ? grey : sharpen(grey, width, height);
  for (let i = 0; i < out.length; i += 1) {
    const v = Math.max(0, Math.min(255, Math.round(out[i] ?? 255)));
    data[i * 4] = v;
    data[i * 4 + 1] = v;
    data[i * 4 + 2] = v;
    data[i * 4 + 3] = 255;
  }
  ctx.putImageData(pixels, 0, 0);
  return { png: canvas.encodeSync('png'), transform: { originX: area.x, originY: area.y, scale, padPx } };
}

/** 3x3 sharpening (centre 5, edges -1): a cheap unsharp mask; the border row/column is kept. */
function sharpen(grey: Float32Array, width: number, height: number): Float32Array {
  const out = new Float32Array(grey);
  for (let y = 1; y < height - 1; y += 1) {
    for (let x = 1; x < width - 1; x += 1) {
      const i = y * width + x;
      out[i] = 5 * (grey[i] ?? 0) - (grey[i - 1] ?? 0) - (grey[i + 1] ?? 0) - (grey[i - width] ?? 0) - (grey[i + width] ?? 0);
    }
  }
  return out;
}

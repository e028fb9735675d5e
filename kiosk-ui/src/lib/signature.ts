/**
 * The part of the signature pad that holds ink. The pad is much larger than a signature; sent
 * whole, the A4 form (forms/src/fill.ts scales it into its box keeping the aspect ratio) shows the
 * ink as a tiny squiggle in the middle of empty space. Cropped to the ink, it fills the box.
 */
export type PixelBox = { x: number; y: number; width: number; height: number };

/**
 * The smallest box around every pixel with some opacity (RGBA rows, as `getImageData` gives
 * them), grown by `marginPx` on each side within the image; undefined when nothing is drawn.
 */
export function inkBounds(rgba: ArrayLike<number>, width: number, height: number, marginPx = 0): PixelBox | undefined {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      if ((rgba[(y * width + x) * 4 + 3] ?? 0) === 0) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  if (x1 < 0) return undefined;
  const left = Math.max(0, x0 - marginPx);
  const top = Math.max(0, y0 - marginPx);
  const right = Math.min(width - 1, x1 + marginPx);
  const bottom = Math.min(height - 1, y1 + marginPx);
  return { x: left, y: top, width: right - left + 1, height: bottom - top + 1 };
}

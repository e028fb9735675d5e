import { describe, expect, it } from 'vitest';
import { inkBounds } from './signature.ts';

function image(width: number, height: number, inked: [number, number][]): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (const [x, y] of inked) rgba[(y * width + x) * 4 + 3] = 255;
  return rgba;
}

describe('inkBounds', () => {
  it('crops a large pad to the ink, with a margin kept inside the image', () => {
    const rgba = image(100, 40, [
      [30, 10],
      [60, 20],
    ]);
    expect(inkBounds(rgba, 100, 40)).toEqual({ x: 30, y: 10, width: 31, height: 11 });
    expect(inkBounds(rgba, 100, 40, 5)).toEqual({ x: 25, y: 5, width: 41, height: 21 });
    expect(inkBounds(image(10, 10, [[0, 9]]), 10, 10, 4)).toEqual({ x: 0, y: 5, width: 5, height: 5 });
  });

  it('finds nothing on an empty pad', () => {
    expect(inkBounds(image(20, 10, []), 20, 10, 3)).toBeUndefined();
  });
});

import { crc32, deflateSync } from 'node:zlib';

/** Encodes RGBA pixels (row-major, 4 bytes each) as a PNG (ISO/IEC 15948: signature, IHDR, IDAT, IEND). */
export function encodePng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  const chunk = (type: string, data: Uint8Array): Buffer => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  }
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', deflateSync(raw)),
      chunk('IEND', new Uint8Array(0)),
    ]),
  );
}

/** A made-up handwriting-like stroke on a transparent background, for previews and tests. */
export function sampleSignaturePng(width = 240, height = 80): Uint8Array {
  const px = new Uint8Array(width * height * 4);
  const dot = (x: number, y: number): void => {
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const xi = Math.round(x + dx);
        const yi = Math.round(y + dy);
        if (xi < 0 || yi < 0 || xi >= width || yi >= height) continue;
        const i = (yi * width + xi) * 4;
        px[i] = 20;
        px[i + 1] = 30;
        px[i + 2] = 90;
        px[i + 3] = 255;
      }
    }
  };
  for (let t = 0; t <= 1; t += 0.0015) {
    const x = 15 + t * (width - 30);
    const y = height / 2 + Math.sin(t * Math.PI * 7) * (height / 4) * (1 - t * 0.5) + Math.cos(t * 23) * 4;
    dot(x, y);
  }
  return encodePng(width, height, px);
}

import iconv from 'iconv-lite';

/**
 * Reads an ESC/POS job back into what the paper would show: lines of text with their alignment,
 * emphasis and size, QR codes with their data, and cuts. Pure. It understands exactly the
 * commands our encoder writes (escpos.ts) and throws on anything else, so the simulator catches
 * an encoder that writes something a printer would misread.
 */

export type PreviewLine =
  | { kind: 'text'; text: string; align: 'left' | 'center' | 'right'; bold: boolean; widthTimes: number; heightTimes: number }
  | { kind: 'qr'; data: string; moduleSize: number; errorCorrection: 'L' | 'M' | 'Q' | 'H' }
  | { kind: 'cut'; cut: 'full' | 'partial' };

export type ReceiptPreview = { lines: PreviewLine[] };

export class PreviewDecodeError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} at byte ${offset}`);
    this.name = 'PreviewDecodeError';
    this.offset = offset;
  }
}

const ALIGNS = ['left', 'center', 'right'] as const;
const LEVELS = { 48: 'L', 49: 'M', 50: 'Q', 51: 'H' } as const;

export function decodeJob(bytes: Uint8Array): ReceiptPreview {
  const lines: PreviewLine[] = [];
  let chinese = false;
  let alignment: 'left' | 'center' | 'right' = 'left';
  let bold = false;
  let widthTimes = 1;
  let heightTimes = 1;
  let qrModule = 3;
  let qrLevel: 'L' | 'M' | 'Q' | 'H' = 'L';
  let qrData: Uint8Array | undefined;
  let text: number[] = [];
  // The alignment of a line is the one in force when its first character arrives.
  let lineAlign: 'left' | 'center' | 'right' = alignment;

  const at = (i: number): number => {
    const b = bytes[i];
    if (b === undefined) throw new PreviewDecodeError('truncated command', i);
    return b;
  };
  const flush = (): void => {
    const raw = Buffer.from(text);
    lines.push({
      kind: 'text',
      text: chinese ? iconv.decode(raw, 'gb18030') : raw.toString('latin1'),
      align: lineAlign,
      bold,
      widthTimes,
      heightTimes,
    });
    text = [];
  };

  let i = 0;
  while (i < bytes.length) {
    const b = at(i);
    if (b === 0x0a) {
      flush();
      i += 1;
    } else if (b === 0x1b) {
      const cmd = at(i + 1);
      if (cmd === 0x40) {
        chinese = false;
        alignment = 'left';
        bold = false;
        widthTimes = 1;
        heightTimes = 1;
        i += 2;
      } else if (cmd === 0x61) {
        const n = at(i + 2);
        const a = ALIGNS[n >= 48 ? n - 48 : n];
        if (a === undefined) throw new PreviewDecodeError(`ESC a ${n}`, i);
        alignment = a;
        i += 3;
      } else if (cmd === 0x45) {
        bold = (at(i + 2) & 1) === 1;
        i += 3;
      } else {
        throw new PreviewDecodeError(`unknown ESC 0x${cmd.toString(16)}`, i);
      }
    } else if (b === 0x1c) {
      const cmd = at(i + 1);
      if (cmd === 0x26) chinese = true;
      else if (cmd === 0x2e) chinese = false;
      else throw new PreviewDecodeError(`unknown FS 0x${cmd.toString(16)}`, i);
      i += 2;
    } else if (b === 0x1d) {
      const cmd = at(i + 1);
      if (cmd === 0x21) {
        const n = at(i + 2);
        widthTimes = ((n >> 4) & 7) + 1;
        heightTimes = (n & 7) + 1;
        i += 3;
      } else if (cmd === 0x56) {
        const m = at(i + 2);
        if (m === 65 || m === 66) {
          at(i + 3);
          i += 4;
        } else if (m === 0 || m === 1 || m === 48 || m === 49) {
          i += 3;
        } else {
          throw new PreviewDecodeError(`GS V ${m}`, i);
        }
        lines.push({ kind: 'cut', cut: m === 65 || m === 0 || m === 48 ? 'full' : 'partial' });
      } else if (cmd === 0x28 && at(i + 2) === 0x6b) {
        const size = at(i + 3) + at(i + 4) * 256;
        const end = i + 5 + size;
        if (end > bytes.length) throw new PreviewDecodeError('truncated GS ( k', i);
        const cn = at(i + 5);
        const fn = at(i + 6);
        if (cn !== 0x31) throw new PreviewDecodeError(`GS ( k cn ${cn}`, i);
        if (fn === 67) qrModule = at(i + 7);
        else if (fn === 69) {
          const level = LEVELS[at(i + 7) as keyof typeof LEVELS] as 'L' | 'M' | 'Q' | 'H' | undefined;
          if (level === undefined) throw new PreviewDecodeError('QR error correction', i);
          qrLevel = level;
        } else if (fn === 80) qrData = bytes.slice(i + 8, end);
        else if (fn === 81) {
          if (qrData === undefined) throw new PreviewDecodeError('QR print without data', i);
          lines.push({ kind: 'qr', data: new TextDecoder().decode(qrData), moduleSize: qrModule, errorCorrection: qrLevel });
        } else if (fn !== 65) throw new PreviewDecodeError(`GS ( k fn ${fn}`, i);
        i = end;
      } else {
        throw new PreviewDecodeError(`unknown GS 0x${cmd.toString(16)}`, i);
      }
    } else if (b < 0x20 || b === 0x7f) {
      throw new PreviewDecodeError(`control byte 0x${b.toString(16)} in text`, i);
    } else {
      if (text.length === 0) lineAlign = alignment;
      // A multi-byte character is taken whole so that its trail bytes are not read as commands.
      const len = chinese && b >= 0x81 ? (at(i + 1) >= 0x30 && at(i + 1) <= 0x39 ? 4 : 2) : 1;
      for (let k = 0; k < len; k += 1) text.push(at(i + k));
      i += len;
    }
  }
  if (text.length > 0) flush();
  return { lines };
}

/** The paper as plain text: `columns` wide, alignment applied, QR codes and cuts as markers. */
export function previewText(preview: ReceiptPreview, columns = 48): string {
  const out: string[] = [];
  for (const line of preview.lines) {
    switch (line.kind) {
      case 'text': {
        const shown = line.widthTimes > 1 ? [...line.text].join(' ') : line.text;
        const width = displayColumns(shown);
        const pad = line.align === 'center' ? Math.floor((columns - width) / 2) : line.align === 'right' ? columns - width : 0;
        out.push(' '.repeat(Math.max(0, pad)) + shown);
        break;
      }
      case 'qr': {
        const marker = `[QR ${line.data}]`;
        out.push(' '.repeat(Math.max(0, Math.floor((columns - displayColumns(marker)) / 2))) + marker);
        break;
      }
      case 'cut':
        out.push(line.cut === 'full' ? '✂ ==== full cut ====' : '✂ ---- partial cut ----');
        break;
      default: {
        const unreachable: never = line;
        return unreachable;
      }
    }
  }
  return out.map((l) => l.trimEnd()).join('\n');
}

function displayColumns(text: string): number {
  let n = 0;
  for (const ch of text) n += (ch.codePointAt(0) ?? 0) < 0x80 ? 1 : 2;
  return n;
}

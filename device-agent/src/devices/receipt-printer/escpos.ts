import iconv from 'iconv-lite';
import type { ReceiptBlock, ReceiptDocument } from '@onevisit/protocol';

/**
 * ESC/POS encoder: pure, no I/O, returns bytes. Byte layouts follow the Epson
 * "ESC/POS Command Reference for TM Printers" (one section per command, named beside each
 * builder below), with the Chinese-model commands (FS &, FS .) that CJK printers implement.
 *
 * Chinese text: in Kanji/Chinese mode (FS &) the printer reads a byte >= 0x81 as the lead byte of
 * a GB18030 double-byte character and prints it double width (24 dots on Font A); ASCII stays
 * single width. So a character's width in columns is simply its encoded length (1 or 2).
 *
 * What we refuse (throw ReceiptEncodeError, never print something else silently):
 * - control characters (C0, DEL, C1): in a printer stream they are commands, so text from
 *   citizen data could otherwise drive the printer;
 * - characters GB18030 maps to a four-byte sequence (CJK Extension A/B…, e.g. 𠮷 or 㙍), unless
 *   the profile says the printer's font has them: GB18030 encodes all of Unicode, but the
 *   fonts in receipt printers cover the double-byte (GBK) area. A caller that prefers a visible
 *   marker to a refusal asks for it (`unsupported: 'marker'`); the marker is 〓 (GB2312 A1FE),
 *   the conventional geta mark for a missing glyph in CJK typesetting.
 */

export type EncodeErrorCode = 'unsupportedCharacter' | 'controlCharacter' | 'qrTooLarge' | 'invalidArgument';

export class ReceiptEncodeError extends Error {
  readonly code: EncodeErrorCode;
  /** The offending code point, when it is a character (not logged with its context: may be personal data). */
  readonly codePoint: number | undefined;
  constructor(code: EncodeErrorCode, message: string, codePoint?: number) {
    super(message);
    this.name = 'ReceiptEncodeError';
    this.code = code;
    this.codePoint = codePoint;
  }
}

/** What the encoder needs to know about a printer model: data, not code. */
export type EscPosProfile = {
  /** Font A columns: 48 on 80 mm paper (576 dots), 32 on 58 mm (384 dots). */
  readonly columns: number;
  /** Whether the font has the GB18030 four-byte area (most receipt printers: no). */
  readonly fourByteGb18030: boolean;
  /** Lines fed before the cut so that the last line clears the cutter. */
  readonly feedBeforeCutLines: number;
};

export const PROFILE_80MM: EscPosProfile = { columns: 48, fourByteGb18030: false, feedBeforeCutLines: 4 };
export const PROFILE_58MM: EscPosProfile = { columns: 32, fourByteGb18030: false, feedBeforeCutLines: 4 };

export type EncodeOptions = {
  /** `throw` (default) or print 〓 for a character the font lacks. Control characters always throw. */
  readonly unsupported?: 'throw' | 'marker';
};

export const MISSING_GLYPH_MARKER = '〓';

// ---------------------------------------------------------------- command bytes (data)

const ESC = 0x1b;
const GS = 0x1d;
const FS = 0x1c;
const DLE = 0x10;
const EOT = 0x04;
export const LF = 0x0a;

/** ESC @ — Initialize printer (clears the buffer and resets modes). */
export function initialize(): Uint8Array {
  return Uint8Array.of(ESC, 0x40);
}

/** FS & — Select Kanji character mode (Chinese models: GB18030 / GBK double-byte mode). */
export function chineseModeOn(): Uint8Array {
  return Uint8Array.of(FS, 0x26);
}

/** FS . — Cancel Kanji character mode. */
export function chineseModeOff(): Uint8Array {
  return Uint8Array.of(FS, 0x2e);
}

export type Align = 'left' | 'center' | 'right';
const ALIGN_CODE: Record<Align, number> = { left: 0, center: 1, right: 2 };

/** ESC a n — Select justification: n = 0 left, 1 centred, 2 right. */
export function align(value: Align): Uint8Array {
  return Uint8Array.of(ESC, 0x61, ALIGN_CODE[value]);
}

/** ESC E n — Turn emphasized mode on/off (LSB of n). */
export function emphasis(on: boolean): Uint8Array {
  return Uint8Array.of(ESC, 0x45, on ? 1 : 0);
}

/**
 * GS ! n — Select character size: bits 4–6 width magnification − 1, bits 0–2 height
 * magnification − 1. Applies to alphanumeric and Kanji characters alike.
 */
export function characterSize(widthTimes: number, heightTimes: number): Uint8Array {
  if (!isInt(widthTimes, 1, 8) || !isInt(heightTimes, 1, 8)) {
    throw new ReceiptEncodeError('invalidArgument', 'character size must be 1–8 times');
  }
  return Uint8Array.of(GS, 0x21, ((widthTimes - 1) << 4) | (heightTimes - 1));
}

/** LF — Print and line feed. */
export function lineFeed(lines = 1): Uint8Array {
  return new Uint8Array(lines).fill(LF);
}

export type Cut = 'full' | 'partial';

/**
 * GS V m n (function B) — Feed paper to (cutting position + n × vertical motion unit) and cut:
 * m = 65 full cut, m = 66 partial cut. Function B feeds past the print head first, so the last
 * printed line is not cut through.
 */
export function cut(kind: Cut, feedUnits = 0): Uint8Array {
  if (!isInt(feedUnits, 0, 255)) throw new ReceiptEncodeError('invalidArgument', 'cut feed must be 0–255');
  return Uint8Array.of(GS, 0x56, kind === 'full' ? 65 : 66, feedUnits);
}

export type QrErrorCorrection = 'L' | 'M' | 'Q' | 'H';
const QR_EC_CODE: Record<QrErrorCorrection, number> = { L: 48, M: 49, Q: 50, H: 51 };
/** Byte-mode capacity of QR version 40 per error-correction level (ISO/IEC 18004 Table 7). */
export const QR_MAX_BYTES: Record<QrErrorCorrection, number> = { L: 2953, M: 2331, Q: 1663, H: 1273 };

/**
 * GS ( k pL pH cn fn [parameters] — 2D code, cn = 49 (0x31) = QR Code. (pL + pH × 256) counts
 * the bytes after pH. Epson names the functions by cn and fn: Function 165 = fn 65, etc.
 */
function qrFunction(fn: number, params: readonly number[] | Uint8Array): Uint8Array {
  const size = 2 + params.length; // cn + fn + parameters
  const out = new Uint8Array(5 + size);
  out.set([GS, 0x28, 0x6b, size & 0xff, size >> 8, 0x31, fn], 0);
  out.set(params, 7);
  return out;
}

/** GS ( k <Function 165> — Select the QR model: n1 = 50 model 2, n2 = 0. (pL pH = 4 0) */
export function qrModel2(): Uint8Array {
  return qrFunction(65, [50, 0]);
}

/** GS ( k <Function 167> — Set the size of the module: n dots, 1 ≤ n ≤ 16. (pL pH = 3 0) */
export function qrModuleSize(dots: number): Uint8Array {
  if (!isInt(dots, 1, 16)) throw new ReceiptEncodeError('invalidArgument', 'QR module size must be 1–16 dots');
  return qrFunction(67, [dots]);
}

/** GS ( k <Function 169> — Select the error correction level: n = 48 L, 49 M, 50 Q, 51 H. (pL pH = 3 0) */
export function qrErrorCorrection(level: QrErrorCorrection): Uint8Array {
  return qrFunction(69, [QR_EC_CODE[level]]);
}

/**
 * GS ( k <Function 180> — Store the data in the symbol storage area: m = 48, then the data;
 * (pL + pH × 256) = data length + 3, at most 7092 (7089 data bytes).
 */
export function qrStore(data: Uint8Array): Uint8Array {
  if (data.length < 1 || data.length > 7089) throw new ReceiptEncodeError('qrTooLarge', 'QR data must be 1–7089 bytes');
  const params = new Uint8Array(1 + data.length);
  params[0] = 48;
  params.set(data, 1);
  return qrFunction(80, params);
}

/** GS ( k <Function 181> — Print the symbol data in the symbol storage area: m = 48. (pL pH = 3 0) */
export function qrPrint(): Uint8Array {
  return qrFunction(81, [48]);
}

/** The whole native QR sequence: model 2, module size, error correction, store, print. */
export function qrCode(data: string, options: { moduleSize?: number; errorCorrection?: QrErrorCorrection } = {}): Uint8Array {
  const level = options.errorCorrection ?? 'M';
  // QR byte mode carries bytes; scanners read UTF-8 (ISO/IEC 18004 leaves the charset open, and
  // every phone reader today assumes UTF-8). Our payloads are ASCII codes and URLs anyway.
  const bytes = new TextEncoder().encode(data);
  rejectControlCharacters(data);
  if (bytes.length > QR_MAX_BYTES[level]) {
    throw new ReceiptEncodeError('qrTooLarge', `QR data is ${bytes.length} bytes; level ${level} holds at most ${QR_MAX_BYTES[level]}`);
  }
  return concat([qrModel2(), qrModuleSize(options.moduleSize ?? 6), qrErrorCorrection(level), qrStore(bytes), qrPrint()]);
}

/** DLE EOT n — Transmit real-time status: n = 1 printer, 2 offline cause, 3 error cause, 4 roll paper sensor. */
export type StatusKind = 1 | 2 | 3 | 4;
export function realtimeStatus(n: StatusKind): Uint8Array {
  return Uint8Array.of(DLE, EOT, n);
}

// ---------------------------------------------------------------- text

/** One encoded character: its bytes, and its width in columns (= byte length capped at 2). */
type EncodedChar = { bytes: Uint8Array; columns: number };

function rejectControlCharacters(text: string): void {
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
      throw new ReceiptEncodeError('controlCharacter', `control character U+${hex4(cp)} cannot be printed as text`, cp);
    }
  }
}

/** Encodes one character in GB18030; throws (or substitutes the marker) per the rules above. */
export function encodeChar(ch: string, profile: EscPosProfile, options: EncodeOptions = {}): EncodedChar {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
    throw new ReceiptEncodeError('controlCharacter', `control character U+${hex4(cp)} cannot be printed as text`, cp);
  }
  if (cp >= 0xd800 && cp <= 0xdfff) {
    throw new ReceiptEncodeError('unsupportedCharacter', `lone surrogate U+${hex4(cp)}`, cp);
  }
  const bytes = new Uint8Array(iconv.encode(ch, 'gb18030'));
  if (bytes.length === 4 && !profile.fourByteGb18030) {
    if (options.unsupported === 'marker') return encodeChar(MISSING_GLYPH_MARKER, profile);
    throw new ReceiptEncodeError('unsupportedCharacter', `U+${hex4(cp)} is outside the printer font (GB18030 four-byte area)`, cp);
  }
  return { bytes, columns: bytes.length === 1 ? 1 : 2 };
}

/** Width of a text in columns, as the printer lays it out in Chinese mode. */
export function textColumns(text: string, profile: EscPosProfile, options: EncodeOptions = {}): number {
  let columns = 0;
  for (const ch of text) columns += encodeChar(ch, profile, options).columns;
  return columns;
}

/** Lines must not start with these (GB/T 15834 line-breaking: closing punctuation stays with the text before). */
const NO_LINE_START = new Set([...'，。、；：？！）》」』】”’,.;:?!)']);

/**
 * Wraps text into lines of at most `columns`, never splitting a character and never starting a
 * line with closing punctuation (it is pulled back onto the previous line, which may then
 * exceed the width by one character: the printer wraps that itself, so we rather carry the
 * previous character along). Latin words are kept whole when they fit on a line.
 */
export function wrapText(text: string, columns: number, profile: EscPosProfile, options: EncodeOptions = {}): string[] {
  if (columns < 2) throw new ReceiptEncodeError('invalidArgument', 'line width must be at least 2 columns');
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    const firstOfParagraph = lines.length;
    const chars = [...paragraph];
    let line: string[] = [];
    let width = 0;
    const widths = chars.map((ch) => encodeChar(ch, profile, options).columns);
    for (let i = 0; i < chars.length; i += 1) {
      const ch = chars[i] ?? '';
      const w = widths[i] ?? 1;
      if (width + w > columns && line.length > 0) {
        let carry: string[] = [];
        if (NO_LINE_START.has(ch) && line.length > 1) {
          // Carry the last character over so the punctuation does not start the line.
          carry = line.splice(line.length - 1, 1);
        } else if (/[A-Za-z0-9]/.test(ch)) {
          // Break a Latin word at its start when the word fits on a line of its own.
          const start = lastWordStart(line);
          if (start > 0 && line.length - start < columns) carry = line.splice(start);
        }
        lines.push(line.join('').trimEnd());
        line = carry;
        width = carry.reduce((sum, c) => sum + encodeChar(c, profile, options).columns, 0);
      }
      line.push(ch);
      width += w;
    }
    const last = line.join('').trimEnd();
    const previous = lines.length > firstOfParagraph ? lines.pop() : undefined;
    lines.push(...avoidWidow(previous, last, columns, profile, options));
  }
  return lines;
}

/**
 * A paragraph does not end on a line holding one Chinese character (with at most its closing
 * punctuation): "…请到自助领取" / "柜" reads as a stray mark, and a reader may miss it. The
 * previous line gives up its last character (two, when that one is punctuation that may not
 * start a line), as typesetters avoid a widow; nothing changes when the previous line is too short.
 */
function avoidWidow(previous: string | undefined, last: string, columns: number, profile: EscPosProfile, options: EncodeOptions): string[] {
  if (previous === undefined) return [last];
  const words = [...last].filter((ch) => !NO_LINE_START.has(ch) && ch.trim() !== '');
  const lone = words.length === 1 && !/[A-Za-z0-9]/.test(words[0] ?? '');
  const before = [...previous];
  if (!lone || before.length < 4) return [previous, last];
  let take = 1;
  while (take < before.length - 2 && NO_LINE_START.has(before[before.length - take] ?? '')) take += 1;
  const moved = before.splice(before.length - take);
  const next = [...moved, ...last].join('');
  if (textColumns(next, profile, options) > columns) return [previous, last];
  return [before.join('').trimEnd(), next];
}

function lastWordStart(line: readonly string[]): number {
  let i = line.length;
  while (i > 0 && /[A-Za-z0-9]/.test(line[i - 1] ?? '')) i -= 1;
  return i;
}

/** Encodes a text run (no wrapping) in GB18030 bytes. */
export function encodeText(text: string, profile: EscPosProfile, options: EncodeOptions = {}): Uint8Array {
  return concat([...text].map((ch) => encodeChar(ch, profile, options).bytes));
}

// ---------------------------------------------------------------- document

const SIZE_TIMES: Record<'normal' | 'double' | 'tall' | 'wide', { w: number; h: number }> = {
  normal: { w: 1, h: 1 },
  double: { w: 2, h: 2 },
  tall: { w: 1, h: 2 },
  wide: { w: 2, h: 1 },
};

/**
 * Renders a receipt document to the bytes of one print job:
 * ESC @, FS &, then the blocks, then feed and cut (GS V), FS . at the end so that a later job
 * from another program finds the printer in its default mode.
 */
export function encodeReceipt(doc: ReceiptDocument, profile: EscPosProfile = PROFILE_80MM, options: EncodeOptions = {}): Uint8Array {
  const parts: Uint8Array[] = [initialize(), chineseModeOn()];
  if (doc.title !== undefined && doc.title.length > 0) {
    parts.push(...textBlock({ kind: 'text', text: doc.title, align: 'center', bold: true, size: 'double' }, profile, options));
    parts.push(lineFeed());
  }
  for (const block of doc.blocks) parts.push(...encodeBlock(block, profile, options));
  const cutKind = doc.cut ?? 'partial';
  if (cutKind === 'none') {
    parts.push(lineFeed(profile.feedBeforeCutLines));
  } else {
    parts.push(lineFeed(profile.feedBeforeCutLines), cut(cutKind));
  }
  parts.push(chineseModeOff());
  return concat(parts);
}

function encodeBlock(block: ReceiptBlock, profile: EscPosProfile, options: EncodeOptions): Uint8Array[] {
  switch (block.kind) {
    case 'text':
      return textBlock(block, profile, options);
    case 'row':
      return rowBlock(block, profile, options);
    case 'qr': {
      const out = [align('center'), qrCode(block.data, pick(block)), lineFeed()];
      if (block.caption !== undefined && block.caption.length > 0) {
        out.push(...textBlock({ kind: 'text', text: block.caption, align: 'center' }, profile, options));
      }
      out.push(align('left'));
      return out;
    }
    case 'separator':
      return [align('left'), encodeText('-'.repeat(profile.columns), profile), lineFeed()];
    case 'feed':
      return [lineFeed(block.lines)];
    default: {
      const unreachable: never = block;
      return unreachable;
    }
  }
}

function pick(block: { moduleSize?: number | undefined; errorCorrection?: QrErrorCorrection | undefined }): {
  moduleSize?: number;
  errorCorrection?: QrErrorCorrection;
} {
  const out: { moduleSize?: number; errorCorrection?: QrErrorCorrection } = {};
  if (block.moduleSize !== undefined) out.moduleSize = block.moduleSize;
  if (block.errorCorrection !== undefined) out.errorCorrection = block.errorCorrection;
  return out;
}

function textBlock(
  block: Extract<ReceiptBlock, { kind: 'text' }>,
  profile: EscPosProfile,
  options: EncodeOptions,
): Uint8Array[] {
  const times = SIZE_TIMES[block.size ?? 'normal'];
  const bold = block.bold ?? false;
  const out: Uint8Array[] = [align(block.align ?? 'left')];
  if (bold) out.push(emphasis(true));
  if (times.w !== 1 || times.h !== 1) out.push(characterSize(times.w, times.h));
  for (const line of wrapText(block.text, Math.floor(profile.columns / times.w), profile, options)) {
    out.push(encodeText(line, profile, options), lineFeed());
  }
  if (times.w !== 1 || times.h !== 1) out.push(characterSize(1, 1));
  if (bold) out.push(emphasis(false));
  if ((block.align ?? 'left') !== 'left') out.push(align('left'));
  return out;
}

/**
 * A key/value row: `label` then the value right-aligned. When both do not fit on one line, the
 * value wraps into the columns right of the label (a hanging indent), so values line up.
 */
function rowBlock(block: Extract<ReceiptBlock, { kind: 'row' }>, profile: EscPosProfile, options: EncodeOptions): Uint8Array[] {
  const label = block.label;
  const labelColumns = textColumns(label, profile, options);
  const out: Uint8Array[] = [align('left')];
  if (block.bold === true) out.push(emphasis(true));
  const valueColumns = textColumns(block.value, profile, options);
  if (labelColumns + 1 + valueColumns <= profile.columns) {
    const gap = profile.columns - labelColumns - valueColumns;
    out.push(encodeText(label + ' '.repeat(gap) + block.value, profile, options), lineFeed());
  } else {
    const indent = Math.min(labelColumns + 1, Math.floor(profile.columns / 2));
    const lines = wrapText(block.value, profile.columns - indent, profile, options);
    if (labelColumns + 1 > indent) {
      out.push(encodeText(label, profile, options), lineFeed());
    }
    lines.forEach((line, i) => {
      const head = i === 0 && labelColumns + 1 <= indent ? label + ' '.repeat(indent - labelColumns) : ' '.repeat(indent);
      out.push(encodeText(head + line, profile, options), lineFeed());
    });
  }
  if (block.bold === true) out.push(emphasis(false));
  return out;
}

// ---------------------------------------------------------------- helpers

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function isInt(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

function hex4(cp: number): string {
  return cp.toString(16).toUpperCase().padStart(4, '0');
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

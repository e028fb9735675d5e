/**
 * GA/T 467 (居民身份证验证安全控制模块接口技术规范): the frames a terminal exchanges with the
 * SAM (安全控制模块) of a second-generation ID card reader. Pure: no I/O, no timers, no logging.
 *
 * Frame layout (GA/T 467, "通信协议"), both directions:
 *
 *   AA AA AA 96 69 | LEN_HI LEN_LO | body ...                          | CHK
 *   preamble (5)     length (2, BE)  command: CMD PARA data...           XOR
 *                                    reply:   SW1 SW2 SW3 data...
 *
 * - LEN counts every byte after the two length bytes, the checksum included
 *   (a command without data has LEN = 3: CMD, PARA, CHK).
 * - CHK is the XOR of the length bytes and the body (everything after the preamble but CHK itself).
 * - SW1 SW2 are 00 00 on every reader we know of; SW3 carries the status.
 */

export const PREAMBLE: readonly number[] = [0xaa, 0xaa, 0xaa, 0x96, 0x69];
export const PREAMBLE_LENGTH = PREAMBLE.length;
const LENGTH_FIELD_BYTES = 2;

/**
 * The largest LEN we accept. The longest reply in the standard is text + photo + fingerprint
 * (30 10): 3 SW + 3×2 lengths + 256 + 1024 + 1024 + 1 checksum = 2314. Anything far above is a
 * corrupt length field, and waiting for that many bytes would only stall the reader.
 */
export const MAX_FRAME_LENGTH = 0x0a00;
/** A command is at least CMD PARA CHK. */
export const MIN_COMMAND_LENGTH = 3;
/** A reply is at least SW1 SW2 SW3 CHK. */
export const MIN_REPLY_LENGTH = 4;

/** Commands (GA/T 467 command set) as data: [CMD, PARA]. */
export const COMMANDS = {
  /** 复位 SAM_V. */
  reset: [0x10, 0xff],
  /** SAM_V 状态检测. */
  samStatus: [0x11, 0xff],
  /** 寻找居民身份证 (find card). */
  findCard: [0x20, 0x01],
  /** 选取居民身份证 (select card). */
  selectCard: [0x20, 0x02],
  /** 读机读文字信息和相片信息 (text + photo). */
  readTextPhoto: [0x30, 0x01],
  /** 读机读文字信息、相片信息和指纹信息 (text + photo + fingerprint). */
  readTextPhotoFingerprint: [0x30, 0x10],
} as const satisfies Record<string, readonly [number, number]>;

export type CommandName = keyof typeof COMMANDS;
export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];

/** XOR of all bytes. */
export function xorChecksum(bytes: Uint8Array): number {
  let sum = 0;
  for (const b of bytes) sum ^= b;
  return sum;
}

/** Wraps a body (command or reply) into a complete frame: preamble, length, body, checksum. */
export function encodeFrame(body: Uint8Array): Uint8Array {
  const length = body.length + 1;
  if (length > MAX_FRAME_LENGTH) throw new RangeError(`GA/T 467 body too long: ${body.length} bytes`);
  const frame = new Uint8Array(PREAMBLE_LENGTH + LENGTH_FIELD_BYTES + length);
  frame.set(PREAMBLE, 0);
  frame[PREAMBLE_LENGTH] = length >> 8;
  frame[PREAMBLE_LENGTH + 1] = length & 0xff;
  frame.set(body, PREAMBLE_LENGTH + LENGTH_FIELD_BYTES);
  frame[frame.length - 1] = xorChecksum(frame.subarray(PREAMBLE_LENGTH, frame.length - 1));
  return frame;
}

/** The frame of a terminal → SAM command. */
export function encodeCommand(name: CommandName, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const [cmd, para] = COMMANDS[name];
  const body = new Uint8Array(2 + data.length);
  body[0] = cmd;
  body[1] = para;
  body.set(data, 2);
  return encodeFrame(body);
}

/** The frame of a SAM → terminal reply (used by the emulator and fixtures). SW1 SW2 are 00 00. */
export function encodeReply(sw3: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const body = new Uint8Array(3 + data.length);
  body[2] = sw3;
  body.set(data, 3);
  return encodeFrame(body);
}

// ---------------------------------------------------------------------------------------------
// Status (SW3), GA/T 467 "返回状态码" table. Closed set; `unknown` for codes not in the table.
// ---------------------------------------------------------------------------------------------

export const SAM_STATUS_CODES = {
  /** 90 操作成功. */
  ok: 0x90,
  /** 91 证/卡中此项无内容 (e.g. no fingerprint data on the card). */
  noContent: 0x91,
  /** 9F 寻找证/卡成功 (find card; some readers also answer select with it). */
  cardFound: 0x9f,
  /** 10 接收业务终端数据的校验和错: the SAM got our frame with a bad checksum. */
  checksumErrorReceived: 0x10,
  /** 11 接收业务终端数据的长度错. */
  lengthErrorReceived: 0x11,
  /** 21 接收业务终端的命令错误 (unknown command or bad parameter). */
  commandError: 0x21,
  /** 23 越权操作. */
  unauthorizedOperation: 0x23,
  /** 24 无法识别的错误. */
  unrecognizedError: 0x24,
  /** 31 证/卡认证 SAM_V 失败. */
  cardAuthenticatesSamFailed: 0x31,
  /** 32 SAM_V 认证证/卡失败. */
  samAuthenticatesCardFailed: 0x32,
  /** 33 信息验证错误. */
  infoVerificationFailed: 0x33,
  /** 40 无法识别的卡类型. */
  unknownCardType: 0x40,
  /** 41 读证/卡操作失败. */
  readFailed: 0x41,
  /** 47 取随机数失败. */
  randomFailed: 0x47,
  /** 60 SAM_V 自检失败，不能接收命令. */
  samSelfCheckFailed: 0x60,
  /** 66 SAM_V 没经过授权，无法使用. */
  samNotAuthorized: 0x66,
  /** 80 寻找证/卡失败 (no card in the field). */
  findFailed: 0x80,
  /** 81 选取证/卡失败. */
  selectFailed: 0x81,
} as const satisfies Record<string, number>;

export type KnownSamStatus = keyof typeof SAM_STATUS_CODES;
export type SamStatus = KnownSamStatus | 'unknown';

const STATUS_BY_CODE: ReadonlyMap<number, KnownSamStatus> = new Map(
  (Object.entries(SAM_STATUS_CODES) as [KnownSamStatus, number][]).map(([name, code]) => [code, name]),
);

export function samStatusOf(sw3: number): SamStatus {
  return STATUS_BY_CODE.get(sw3) ?? 'unknown';
}

/**
 * What a status means to the driver:
 * - success: the command did what was asked;
 * - noCard: no card (or the card left between find and select);
 * - cardError: a card is there but this read failed (moved, damaged, not an ID card);
 * - transmission: our frame arrived damaged or was not understood: resend;
 * - samFault: the SAM cannot work (self-check, authorisation): maintenance.
 */
export type StatusClass = 'success' | 'noCard' | 'cardError' | 'transmission' | 'samFault';

export function classifyStatus(status: SamStatus): StatusClass {
  switch (status) {
    case 'ok':
    case 'cardFound':
    case 'noContent':
      return 'success';
    case 'findFailed':
    case 'selectFailed':
      return 'noCard';
    case 'readFailed':
    case 'unknownCardType':
    case 'cardAuthenticatesSamFailed':
    case 'samAuthenticatesCardFailed':
    case 'infoVerificationFailed':
    case 'randomFailed':
      return 'cardError';
    case 'checksumErrorReceived':
    case 'lengthErrorReceived':
    case 'commandError':
      return 'transmission';
    case 'unauthorizedOperation':
    case 'unrecognizedError':
    case 'samSelfCheckFailed':
    case 'samNotAuthorized':
    case 'unknown':
      return 'samFault';
    default: {
      const unreachable: never = status;
      return unreachable;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Decoding frame bodies.
// ---------------------------------------------------------------------------------------------

export interface Reply {
  sw1: number;
  sw2: number;
  sw3: number;
  status: SamStatus;
  data: Uint8Array;
}

export type ReplyDecode = { ok: true; reply: Reply } | { ok: false; problem: 'tooShort' };

/** Reads SW1 SW2 SW3 and the data from a reply body (as the frame splitter yields it). */
export function decodeReply(body: Uint8Array): ReplyDecode {
  const [sw1, sw2, sw3] = body;
  if (sw1 === undefined || sw2 === undefined || sw3 === undefined) return { ok: false, problem: 'tooShort' };
  return { ok: true, reply: { sw1, sw2, sw3, status: samStatusOf(sw3), data: body.subarray(3) } };
}

export type DecodedCommand =
  | { ok: true; name: CommandName; data: Uint8Array }
  | { ok: false; problem: 'tooShort' | 'unknownCommand'; cmd?: number; para?: number };

/** Reads CMD PARA from a command body (the emulator's side). */
export function decodeCommand(body: Uint8Array): DecodedCommand {
  const [cmd, para] = body;
  if (cmd === undefined || para === undefined) return { ok: false, problem: 'tooShort' };
  const name = COMMAND_NAMES.find((n) => COMMANDS[n][0] === cmd && COMMANDS[n][1] === para);
  if (name === undefined) return { ok: false, problem: 'unknownCommand', cmd, para };
  return { ok: true, name, data: body.subarray(2) };
}

/**
 * Reply data of 30 01 (and 30 10): text length (2, BE), photo length (2, BE),
 * [fingerprint length (2, BE)], then the text, the photo, [the fingerprint].
 * GA/T 467 fixes text at 256 and photo at 1024 bytes; we check the declared lengths
 * against what arrived rather than trusting either.
 */
export const TEXT_BYTES = 256;
export const PHOTO_BYTES = 1024;

export interface CardData {
  text: Uint8Array;
  photo: Uint8Array;
  fingerprint?: Uint8Array;
}

export type CardDataDecode =
  | { ok: true; card: CardData }
  | { ok: false; problem: 'tooShort' | 'lengthMismatch' | 'unexpectedSizes' };

export function decodeCardData(data: Uint8Array, withFingerprint = false): CardDataDecode {
  const headerBytes = withFingerprint ? 6 : 4;
  if (data.length < headerBytes) return { ok: false, problem: 'tooShort' };
  const u16 = (at: number): number => ((data[at] ?? 0) << 8) | (data[at + 1] ?? 0);
  const textLength = u16(0);
  const photoLength = u16(2);
  const fingerprintLength = withFingerprint ? u16(4) : 0;
  if (headerBytes + textLength + photoLength + fingerprintLength !== data.length) {
    return { ok: false, problem: 'lengthMismatch' };
  }
  if (textLength !== TEXT_BYTES || (photoLength !== PHOTO_BYTES && photoLength !== 0)) {
    return { ok: false, problem: 'unexpectedSizes' };
  }
  const textStart = headerBytes;
  const photoStart = textStart + textLength;
  const card: CardData = {
    text: data.slice(textStart, photoStart),
    photo: data.slice(photoStart, photoStart + photoLength),
  };
  if (withFingerprint) card.fingerprint = data.slice(photoStart + photoLength);
  return { ok: true, card };
}

/** The reply data of 30 01 / 30 10 (the emulator's side). */
export function encodeCardData(card: CardData): Uint8Array {
  const withFingerprint = card.fingerprint !== undefined;
  const fingerprint = card.fingerprint ?? new Uint8Array(0);
  const headerBytes = withFingerprint ? 6 : 4;
  const out = new Uint8Array(headerBytes + card.text.length + card.photo.length + fingerprint.length);
  const put16 = (at: number, value: number): void => {
    out[at] = value >> 8;
    out[at + 1] = value & 0xff;
  };
  put16(0, card.text.length);
  put16(2, card.photo.length);
  if (withFingerprint) put16(4, fingerprint.length);
  out.set(card.text, headerBytes);
  out.set(card.photo, headerBytes + card.text.length);
  out.set(fingerprint, headerBytes + card.text.length + card.photo.length);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Frame splitter: a pure incremental state machine. Feed it chunks as they arrive; it yields
// complete frame bodies and typed errors, and resynchronises on the preamble after any error.
// ---------------------------------------------------------------------------------------------

export type FrameError =
  /** Bytes that are not part of a frame were skipped (before a preamble, or after a bad length). */
  | { kind: 'garbage'; skippedBytes: number }
  /** LEN was below the minimum or above MAX_FRAME_LENGTH; the preamble was skipped. */
  | { kind: 'badLength'; length: number }
  /** The frame arrived whole but its XOR did not match; the frame was dropped. */
  | { kind: 'badChecksum'; expected: number; actual: number };

export type FrameEvent = { kind: 'frame'; body: Uint8Array } | { kind: 'error'; error: FrameError };

export interface FrameSplitterOptions {
  /** MIN_REPLY_LENGTH on the terminal's side, MIN_COMMAND_LENGTH on the reader's. */
  minLength: number;
}

function indexOfPreamble(buffer: Uint8Array, from: number): number {
  outer: for (let i = from; i + PREAMBLE_LENGTH <= buffer.length; i += 1) {
    for (let j = 0; j < PREAMBLE_LENGTH; j += 1) {
      if (buffer[i + j] !== PREAMBLE[j]) continue outer;
    }
    return i;
  }
  return -1;
}

/** How many bytes at the end of `buffer` could be the start of a preamble. */
function preamblePrefixAtEnd(buffer: Uint8Array): number {
  for (let n = Math.min(PREAMBLE_LENGTH - 1, buffer.length); n > 0; n -= 1) {
    let match = true;
    for (let j = 0; j < n; j += 1) {
      if (buffer[buffer.length - n + j] !== PREAMBLE[j]) {
        match = false;
        break;
      }
    }
    if (match) return n;
  }
  return 0;
}

export class FrameSplitter {
  #buffer: Uint8Array = new Uint8Array(0);
  readonly #minLength: number;

  constructor(options: FrameSplitterOptions) {
    this.#minLength = options.minLength;
  }

  /** Bytes held back waiting for the rest of a frame (a truncated frame if nothing more comes). */
  get pendingBytes(): number {
    return this.#buffer.length;
  }

  /** Whether a preamble has been seen and its frame is still incomplete. */
  get hasPartialFrame(): boolean {
    return indexOfPreamble(this.#buffer, 0) === 0;
  }

  /** Forgets any partial frame (after a timeout, before a resend). */
  reset(): void {
    this.#buffer = new Uint8Array(0);
  }

  /** Adds a chunk; returns the frames and errors it completes, in order. */
  push(chunk: Uint8Array): FrameEvent[] {
    const joined = new Uint8Array(this.#buffer.length + chunk.length);
    joined.set(this.#buffer, 0);
    joined.set(chunk, this.#buffer.length);
    const events: FrameEvent[] = [];
    let at = 0;
    for (;;) {
      const start = indexOfPreamble(joined, at);
      if (start < 0) {
        // Keep a tail that may be the start of the next preamble; the rest is garbage.
        const keep = preamblePrefixAtEnd(joined.subarray(at));
        const skipped = joined.length - at - keep;
        if (skipped > 0) events.push({ kind: 'error', error: { kind: 'garbage', skippedBytes: skipped } });
        at = joined.length - keep;
        break;
      }
      if (start > at) events.push({ kind: 'error', error: { kind: 'garbage', skippedBytes: start - at } });
      at = start;
      const lengthAt = start + PREAMBLE_LENGTH;
      const hi = joined[lengthAt];
      const lo = joined[lengthAt + 1];
      if (hi === undefined || lo === undefined) break; // length not here yet
      const length = (hi << 8) | lo;
      if (length < this.#minLength || length > MAX_FRAME_LENGTH) {
        events.push({ kind: 'error', error: { kind: 'badLength', length } });
        at = start + 1; // resync: look for the next preamble after this one's first byte
        continue;
      }
      const end = lengthAt + LENGTH_FIELD_BYTES + length;
      if (end > joined.length) break; // frame not complete yet
      const expected = xorChecksum(joined.subarray(lengthAt, end - 1));
      const actual = joined[end - 1] ?? 0;
      if (expected !== actual) {
        events.push({ kind: 'error', error: { kind: 'badChecksum', expected, actual } });
      } else {
        events.push({ kind: 'frame', body: joined.slice(lengthAt + LENGTH_FIELD_BYTES, end - 1) });
      }
      at = end;
    }
    this.#buffer = joined.slice(at);
    return events;
  }
}

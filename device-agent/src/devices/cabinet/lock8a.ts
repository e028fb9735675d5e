/**
 * The common 5-byte XOR lock boards ("8A/80" boards, no presence sensors), as described in
 * issue 13. 9600 8N1 on RS-485. Pure: no I/O, no timers, no logging.
 *
 *   open          8A BB LL 11 XX      reply  8A BB LL SS XX
 *   query one     80 BB LL 33 XX      reply  80 BB LL SS XX
 *   query all     80 BB 00 33 XX      reply  80 BB S3 S2 S1 33 XX   (7 bytes)
 *
 * - BB: board 1–99; LL: lock 1–24 (00 in query all).
 * - XX: XOR of every byte before it.
 * - S3/S2/S1: bitmaps of locks 17–24 / 9–16 / 1–8, bit 0 = the lowest lock of the byte.
 * - SS (and each bitmap bit): door feedback. Whether `11` (bit 1) or `00` (bit 0) means closed
 *   depends on how the lock's feedback switch is wired, so it is a layout setting (`Lock8aFeedback`).
 */

export const LOCK8A = {
  openHeader: 0x8a,
  queryHeader: 0x80,
  openCode: 0x11,
  queryCode: 0x33,
  shortBytes: 5,
  queryAllBytes: 7,
  boards: { min: 1, max: 99 },
  locks: { min: 1, max: 24 },
  defaultBaudRate: 9_600,
} as const;

/** How the feedback is wired: `closed11` = SS 11 (bit 1) means closed; `closed00` = SS 00 (bit 0) means closed. */
export type Lock8aFeedback = 'closed11' | 'closed00';
export const LOCK8A_FEEDBACKS: readonly Lock8aFeedback[] = ['closed11', 'closed00'];

export function xor8(bytes: Uint8Array): number {
  let x = 0;
  for (const b of bytes) x ^= b;
  return x;
}

function checkBoard(board: number): void {
  if (!Number.isInteger(board) || board < LOCK8A.boards.min || board > LOCK8A.boards.max) {
    throw new RangeError(`8A/80 board must be ${LOCK8A.boards.min}–${LOCK8A.boards.max}, got ${board}`);
  }
}

function checkLock(lock: number): void {
  if (!Number.isInteger(lock) || lock < LOCK8A.locks.min || lock > LOCK8A.locks.max) {
    throw new RangeError(`8A/80 lock must be ${LOCK8A.locks.min}–${LOCK8A.locks.max}, got ${lock}`);
  }
}

function frame(bytes: number[]): Uint8Array {
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes, 0);
  out[bytes.length] = xor8(out.subarray(0, bytes.length));
  return out;
}

export function encodeOpen(board: number, lock: number): Uint8Array {
  checkBoard(board);
  checkLock(lock);
  return frame([LOCK8A.openHeader, board, lock, LOCK8A.openCode]);
}

export function encodeQueryOne(board: number, lock: number): Uint8Array {
  checkBoard(board);
  checkLock(lock);
  return frame([LOCK8A.queryHeader, board, lock, LOCK8A.queryCode]);
}

export function encodeQueryAll(board: number): Uint8Array {
  checkBoard(board);
  return frame([LOCK8A.queryHeader, board, 0x00, LOCK8A.queryCode]);
}

/** Is this SS (or bitmap bit, as 0x11 / 0x00) "closed" under this wiring? */
export function isClosed(status: number, feedback: Lock8aFeedback): boolean {
  switch (feedback) {
    case 'closed11':
      return status === 0x11;
    case 'closed00':
      return status === 0x00;
    default: {
      const unreachable: never = feedback;
      return unreachable;
    }
  }
}

/** The SS a board sends for a door, under this wiring (the emulator's side). */
export function statusByte(closed: boolean, feedback: Lock8aFeedback): number {
  return closed === (feedback === 'closed11') ? 0x11 : 0x00;
}

export type Lock8aReply =
  | { kind: 'open'; board: number; lock: number; status: number }
  | { kind: 'queryOne'; board: number; lock: number; status: number }
  /** `bits[0]` = lock 1 … `bits[23]` = lock 24; true = the bit is set (SS 11 for that lock). */
  | { kind: 'queryAll'; board: number; bits: boolean[] };

export type Lock8aCommand =
  | { kind: 'open'; board: number; lock: number }
  | { kind: 'queryOne'; board: number; lock: number }
  | { kind: 'queryAll'; board: number };

/** The emulator's side. */
export function encodeReply(reply: Lock8aReply): Uint8Array {
  checkBoard(reply.board);
  switch (reply.kind) {
    case 'open':
      return frame([LOCK8A.openHeader, reply.board, reply.lock, reply.status]);
    case 'queryOne':
      return frame([LOCK8A.queryHeader, reply.board, reply.lock, reply.status]);
    case 'queryAll': {
      const byte = (from: number): number => {
        let value = 0;
        for (let i = 0; i < 8; i += 1) if (reply.bits[from + i] === true) value |= 1 << i;
        return value;
      };
      return frame([LOCK8A.queryHeader, reply.board, byte(16), byte(8), byte(0), LOCK8A.queryCode]);
    }
    default: {
      const unreachable: never = reply;
      return unreachable;
    }
  }
}

export type Lock8aDecode<T> = { ok: true; value: T } | { ok: false; problem: 'wrongLength' | 'unknownHeader' | 'badCode' };

/**
 * Reads a reply frame (from the splitter: XOR checked). A 7-byte frame is a query-all reply;
 * a 5-byte one is open or query-one by its header.
 */
export function decodeReply(bytes: Uint8Array): Lock8aDecode<Lock8aReply> {
  const at = (i: number): number => bytes[i] ?? 0;
  if (bytes.length === LOCK8A.queryAllBytes) {
    if (at(0) !== LOCK8A.queryHeader) return { ok: false, problem: 'unknownHeader' };
    if (at(5) !== LOCK8A.queryCode) return { ok: false, problem: 'badCode' };
    const bits: boolean[] = [];
    for (let lock = 1; lock <= LOCK8A.locks.max; lock += 1) {
      const byte = lock <= 8 ? at(4) : lock <= 16 ? at(3) : at(2);
      bits.push((byte & (1 << ((lock - 1) % 8))) !== 0);
    }
    return { ok: true, value: { kind: 'queryAll', board: at(1), bits } };
  }
  if (bytes.length !== LOCK8A.shortBytes) return { ok: false, problem: 'wrongLength' };
  if (at(0) === LOCK8A.openHeader) return { ok: true, value: { kind: 'open', board: at(1), lock: at(2), status: at(3) } };
  if (at(0) === LOCK8A.queryHeader) return { ok: true, value: { kind: 'queryOne', board: at(1), lock: at(2), status: at(3) } };
  return { ok: false, problem: 'unknownHeader' };
}

/** The board's side: reads a 5-byte command. */
export function decodeCommand(bytes: Uint8Array): Lock8aDecode<Lock8aCommand> {
  if (bytes.length !== LOCK8A.shortBytes) return { ok: false, problem: 'wrongLength' };
  const [header = 0, board = 0, lock = 0, code = 0] = bytes;
  if (header === LOCK8A.openHeader) {
    return code === LOCK8A.openCode ? { ok: true, value: { kind: 'open', board, lock } } : { ok: false, problem: 'badCode' };
  }
  if (header === LOCK8A.queryHeader) {
    if (code !== LOCK8A.queryCode) return { ok: false, problem: 'badCode' };
    return { ok: true, value: lock === 0 ? { kind: 'queryAll', board } : { kind: 'queryOne', board, lock } };
  }
  return { ok: false, problem: 'unknownHeader' };
}

// ---------------------------------------------------------------------------------------------
// Splitter. Frames have no length field and two lengths share the 80 header, so the terminal's
// side is told which reply it waits for (`expect`), as only the command in flight can say.
// The board's side always reads 5-byte commands. Resynchronises on the next 8A/80 header.
// ---------------------------------------------------------------------------------------------

export type Lock8aFrameError = { kind: 'garbage'; skippedBytes: number } | { kind: 'badXor'; expected: number; actual: number };
export type Lock8aFrameEvent = { kind: 'frame'; bytes: Uint8Array } | { kind: 'error'; error: Lock8aFrameError };
/** `short`: 5-byte frames (commands; open and query-one replies). `queryAll`: the 7-byte reply. */
export type Lock8aShape = 'short' | 'queryAll';

function isHeader(b: number | undefined): boolean {
  return b === LOCK8A.openHeader || b === LOCK8A.queryHeader;
}

export class Lock8aSplitter {
  #buffer: Uint8Array = new Uint8Array(0);
  /** Which frame the next 80 header starts (8A frames are always short). */
  expect: Lock8aShape = 'short';

  get pendingBytes(): number {
    return this.#buffer.length;
  }

  reset(): void {
    this.#buffer = new Uint8Array(0);
  }

  push(chunk: Uint8Array): Lock8aFrameEvent[] {
    const joined = new Uint8Array(this.#buffer.length + chunk.length);
    joined.set(this.#buffer, 0);
    joined.set(chunk, this.#buffer.length);
    const events: Lock8aFrameEvent[] = [];
    let at = 0;
    while (at < joined.length) {
      let start = at;
      while (start < joined.length && !isHeader(joined[start])) start += 1;
      if (start > at) events.push({ kind: 'error', error: { kind: 'garbage', skippedBytes: start - at } });
      at = start;
      if (start >= joined.length) break;
      const length = joined[start] === LOCK8A.queryHeader && this.expect === 'queryAll' ? LOCK8A.queryAllBytes : LOCK8A.shortBytes;
      const end = start + length;
      if (end > joined.length) break;
      const expected = xor8(joined.subarray(start, end - 1));
      const actual = joined[end - 1] ?? 0;
      if (expected !== actual) {
        // Without an end marker a bad XOR may just as well be misalignment: step one byte.
        events.push({ kind: 'error', error: { kind: 'badXor', expected, actual } });
        at = start + 1;
        continue;
      }
      events.push({ kind: 'frame', bytes: joined.slice(start, end) });
      at = end;
    }
    this.#buffer = joined.slice(at);
    return events;
  }
}

/**
 * CU16 lock boards (Kerong KR-CU16 style, with infrared item sensors), as described in issue 13
 * ("Kerong CU16 protocol as described in issue 13"). Pure: no I/O, no timers, no logging.
 * RS-485 through a USB adapter, 19200 8N1 (third-party CU16 drivers found with the search tool
 * give the same framing STX ADDR CMD ETX SUM and the same factory baud rate).
 *
 * Command (terminal → board), 5 bytes:
 *
 *   02 | ADDR | CMD | 03 | SUM
 *   STX  board<<4 | lockIndex   ETX  low byte of the sum of the 4 bytes before it
 *
 * - ADDR: board number 0–15 in the high nibble, lock index 0–15 in the low nibble (lock 1 = 0).
 * - CMD 30: status of the whole board (low nibble 0). CMD 31: unlock one lock.
 *
 * Reply (board → terminal), 9 bytes, to both commands:
 *
 *   02 | ADDR | CMD | H1 | H2 | I1 | I2 | 03 | SUM
 *
 * - ADDR and CMD echo the command.
 * - H1/H2: hook bits of locks 1–8 / 9–16, bit 0 = lock 1; 1 = door closed and locked.
 * - I1/I2: infrared presence bits of locks 1–8 / 9–16; 1 = an item is in the compartment.
 *
 * Examples (issue 13): status of board 0 is `02 00 30 03 35`; unlock lock 1 on board 0 is
 * `02 00 31 03 36`.
 */

export const CU16 = {
  stx: 0x02,
  etx: 0x03,
  commandBytes: 5,
  replyBytes: 9,
  boards: { min: 0, max: 15 },
  locks: { min: 1, max: 16 },
  defaultBaudRate: 19_200,
  commands: {
    /** 30: status of a board (ADDR low nibble 0). */
    status: 0x30,
    /** 31: unlock one lock (ADDR low nibble = lock index). */
    unlock: 0x31,
  },
} as const;

export type Cu16Command = keyof typeof CU16.commands;

const COMMAND_BY_CODE: ReadonlyMap<number, Cu16Command> = new Map(
  (Object.entries(CU16.commands) as [Cu16Command, number][]).map(([name, code]) => [code, name]),
);

/** Low byte of the sum of all bytes. */
export function sum8(bytes: Uint8Array): number {
  let sum = 0;
  for (const b of bytes) sum = (sum + b) & 0xff;
  return sum;
}

function checkBoard(board: number): void {
  if (!Number.isInteger(board) || board < CU16.boards.min || board > CU16.boards.max) {
    throw new RangeError(`CU16 board must be ${CU16.boards.min}–${CU16.boards.max}, got ${board}`);
  }
}

function checkLock(lock: number): void {
  if (!Number.isInteger(lock) || lock < CU16.locks.min || lock > CU16.locks.max) {
    throw new RangeError(`CU16 lock must be ${CU16.locks.min}–${CU16.locks.max}, got ${lock}`);
  }
}

function frame(bytes: number[]): Uint8Array {
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes, 0);
  out[bytes.length] = sum8(out.subarray(0, bytes.length));
  return out;
}

/** `02 B0 30 03 SUM`: the status of board `board`. */
export function encodeStatusQuery(board: number): Uint8Array {
  checkBoard(board);
  return frame([CU16.stx, board << 4, CU16.commands.status, CU16.etx]);
}

/** `02 BL 31 03 SUM`: unlock lock `lock` (1–16) of board `board`. */
export function encodeUnlock(board: number, lock: number): Uint8Array {
  checkBoard(board);
  checkLock(lock);
  return frame([CU16.stx, (board << 4) | (lock - 1), CU16.commands.unlock, CU16.etx]);
}

/** One lock's bits in a status reply. */
export interface Cu16LockBits {
  /** Hook bit: the door is closed and locked. */
  locked: boolean;
  /** Infrared bit: an item is in the compartment. */
  present: boolean;
}

export interface Cu16Reply {
  board: number;
  /** Low nibble of ADDR: the lock index of an unlock (0 for status). */
  lockIndex: number;
  command: Cu16Command;
  /** Index 0 = lock 1 … index 15 = lock 16. */
  locks: Cu16LockBits[];
}

/** The emulator's side: a status reply for a board. `locks` index 0 = lock 1; missing locks read 0. */
export function encodeReply(reply: Cu16Reply): Uint8Array {
  checkBoard(reply.board);
  const bits = (pick: (l: Cu16LockBits) => boolean, from: number): number => {
    let value = 0;
    for (let i = 0; i < 8; i += 1) {
      const lock = reply.locks[from + i];
      if (lock !== undefined && pick(lock)) value |= 1 << i;
    }
    return value;
  };
  return frame([
    CU16.stx,
    (reply.board << 4) | (reply.lockIndex & 0x0f),
    CU16.commands[reply.command],
    bits((l) => l.locked, 0),
    bits((l) => l.locked, 8),
    bits((l) => l.present, 0),
    bits((l) => l.present, 8),
    CU16.etx,
  ]);
}

export type Cu16ReplyDecode = { ok: true; reply: Cu16Reply } | { ok: false; problem: 'wrongLength' | 'unknownCommand' };

/** Reads a 9-byte reply frame (as the splitter yields it: framing and sum already checked). */
export function decodeReply(bytes: Uint8Array): Cu16ReplyDecode {
  if (bytes.length !== CU16.replyBytes) return { ok: false, problem: 'wrongLength' };
  const at = (i: number): number => bytes[i] ?? 0;
  const command = COMMAND_BY_CODE.get(at(2));
  if (command === undefined) return { ok: false, problem: 'unknownCommand' };
  const locks: Cu16LockBits[] = [];
  for (let i = 0; i < 16; i += 1) {
    const byte = i < 8 ? 0 : 1;
    const bit = 1 << (i % 8);
    locks.push({ locked: (at(3 + byte) & bit) !== 0, present: (at(5 + byte) & bit) !== 0 });
  }
  return { ok: true, reply: { board: at(1) >> 4, lockIndex: at(1) & 0x0f, command, locks } };
}

export interface Cu16CommandFrame {
  board: number;
  command: Cu16Command;
  /** 1–16 for unlock; undefined for status. */
  lock: number | undefined;
}

export type Cu16CommandDecode = { ok: true; command: Cu16CommandFrame } | { ok: false; problem: 'wrongLength' | 'unknownCommand' };

/** The board's side: reads a 5-byte command frame. */
export function decodeCommand(bytes: Uint8Array): Cu16CommandDecode {
  if (bytes.length !== CU16.commandBytes) return { ok: false, problem: 'wrongLength' };
  const addr = bytes[1] ?? 0;
  const command = COMMAND_BY_CODE.get(bytes[2] ?? 0);
  if (command === undefined) return { ok: false, problem: 'unknownCommand' };
  return { ok: true, command: { board: addr >> 4, command, lock: command === 'unlock' ? (addr & 0x0f) + 1 : undefined } };
}

// ---------------------------------------------------------------------------------------------
// Splitter: fixed-length frames without a length field. Feed chunks; get frames and typed errors.
// It resynchronises on STX: a frame whose ETX is not where it must be means we are not aligned
// (skip one byte and look for the next STX); a frame with ETX in place but a wrong sum was
// damaged on the wire (drop it whole).
// ---------------------------------------------------------------------------------------------

export type Cu16FrameError =
  | { kind: 'garbage'; skippedBytes: number }
  | { kind: 'badEtx' }
  | { kind: 'badSum'; expected: number; actual: number };

export type Cu16FrameEvent = { kind: 'frame'; bytes: Uint8Array } | { kind: 'error'; error: Cu16FrameError };

export class Cu16Splitter {
  #buffer: Uint8Array = new Uint8Array(0);
  readonly #frameBytes: number;

  /** `host`: the terminal reads 9-byte replies; `board`: the board reads 5-byte commands. */
  constructor(side: 'host' | 'board') {
    this.#frameBytes = side === 'host' ? CU16.replyBytes : CU16.commandBytes;
  }

  get pendingBytes(): number {
    return this.#buffer.length;
  }

  reset(): void {
    this.#buffer = new Uint8Array(0);
  }

  push(chunk: Uint8Array): Cu16FrameEvent[] {
    const joined = new Uint8Array(this.#buffer.length + chunk.length);
    joined.set(this.#buffer, 0);
    joined.set(chunk, this.#buffer.length);
    const events: Cu16FrameEvent[] = [];
    let at = 0;
    while (at < joined.length) {
      const start = joined.indexOf(CU16.stx, at);
      if (start < 0) {
        events.push({ kind: 'error', error: { kind: 'garbage', skippedBytes: joined.length - at } });
        at = joined.length;
        break;
      }
      if (start > at) events.push({ kind: 'error', error: { kind: 'garbage', skippedBytes: start - at } });
      at = start;
      const end = start + this.#frameBytes;
      if (end > joined.length) break; // not complete yet
      if (joined[end - 2] !== CU16.etx) {
        events.push({ kind: 'error', error: { kind: 'badEtx' } });
        at = start + 1;
        continue;
      }
      const expected = sum8(joined.subarray(start, end - 1));
      const actual = joined[end - 1] ?? 0;
      if (expected !== actual) events.push({ kind: 'error', error: { kind: 'badSum', expected, actual } });
      else events.push({ kind: 'frame', bytes: joined.slice(start, end) });
      at = end;
    }
    this.#buffer = joined.slice(at);
    return events;
  }
}

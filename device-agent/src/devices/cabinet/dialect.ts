import * as cu16 from './cu16.ts';
import type { CabinetProtocol, CompartmentReading, LockAddress } from './driver.ts';
import * as lock8a from './lock8a.ts';

/**
 * The driver's view of a board protocol: requests as bytes plus how to recognise their reply.
 * Keeps the driver free of any one dialect (DESIGN.md: "dialects as data"). Pure.
 */
export interface BoardRequest {
  readonly frame: Uint8Array;
  readonly board: number;
  /** Which reply shape the splitter must expect (8A/80 only). */
  readonly expect: lock8a.Lock8aShape;
  /**
   * The readings a reply frame carries, or `undefined` when the frame is not the reply to this
   * request (another board's, or another command's): the driver drops it and keeps waiting.
   */
  match(frame: Uint8Array): CompartmentReading[] | undefined;
}

export interface SplitResult {
  frames: Uint8Array[];
  /** Damaged frames (bad sum, misaligned); stray bytes between frames are not counted. */
  damaged: number;
}

export interface HostDialect {
  readonly protocol: CabinetProtocol;
  /** Status of every listed lock on a board. */
  boardQuery(board: number, locks: readonly number[]): BoardRequest;
  /** Status of one lock (8A/80 can ask one; CU16 asks the board). */
  lockQuery(address: LockAddress): BoardRequest;
  unlock(address: LockAddress): BoardRequest;
  resetSplitter(): void;
  push(chunk: Uint8Array, expect: lock8a.Lock8aShape): SplitResult;
}

function cu16Readings(reply: cu16.Cu16Reply, locks: readonly number[]): CompartmentReading[] {
  return locks.map((lock) => {
    const bits = reply.locks[lock - 1];
    return { board: reply.board, lock, door: bits?.locked === true ? 'closed' : 'open', presence: bits?.present === true ? 'present' : 'empty' };
  });
}

class Cu16Dialect implements HostDialect {
  readonly protocol = 'cu16' as const;
  readonly #splitter = new cu16.Cu16Splitter('host');
  readonly #locksByBoard: ReadonlyMap<number, readonly number[]>;

  constructor(locksByBoard: ReadonlyMap<number, readonly number[]>) {
    this.#locksByBoard = locksByBoard;
  }

  #request(frame: Uint8Array, board: number, command: cu16.Cu16Command, lockIndex: number, locks: readonly number[]): BoardRequest {
    return {
      frame,
      board,
      expect: 'short',
      match: (bytes) => {
        const decoded = cu16.decodeReply(bytes);
        if (!decoded.ok) return undefined;
        const r = decoded.reply;
        if (r.board !== board || r.command !== command || r.lockIndex !== lockIndex) return undefined;
        return cu16Readings(r, locks);
      },
    };
  }

  boardQuery(board: number, locks: readonly number[]): BoardRequest {
    return this.#request(cu16.encodeStatusQuery(board), board, 'status', 0, locks);
  }

  lockQuery(address: LockAddress): BoardRequest {
    return this.boardQuery(address.board, this.#locksByBoard.get(address.board) ?? [address.lock]);
  }

  unlock(address: LockAddress): BoardRequest {
    // The reply to 31 is the board's status: every lock of the board is read for free.
    const locks = this.#locksByBoard.get(address.board) ?? [address.lock];
    return this.#request(cu16.encodeUnlock(address.board, address.lock), address.board, 'unlock', address.lock - 1, locks);
  }

  resetSplitter(): void {
    this.#splitter.reset();
  }

  push(chunk: Uint8Array): SplitResult {
    const frames: Uint8Array[] = [];
    let damaged = 0;
    for (const event of this.#splitter.push(chunk)) {
      if (event.kind === 'frame') frames.push(event.bytes);
      else if (event.error.kind !== 'garbage') damaged += 1;
    }
    return { frames, damaged };
  }
}

class Lock8aDialect implements HostDialect {
  readonly protocol = 'lock8a' as const;
  readonly #splitter = new lock8a.Lock8aSplitter();
  readonly #feedback: lock8a.Lock8aFeedback;

  constructor(feedback: lock8a.Lock8aFeedback) {
    this.#feedback = feedback;
  }

  #one(board: number, lock: number, status: number): CompartmentReading {
    return { board, lock, door: lock8a.isClosed(status, this.#feedback) ? 'closed' : 'open', presence: 'unknown' };
  }

  boardQuery(board: number, locks: readonly number[]): BoardRequest {
    return {
      frame: lock8a.encodeQueryAll(board),
      board,
      expect: 'queryAll',
      match: (bytes) => {
        const decoded = lock8a.decodeReply(bytes);
        if (!decoded.ok || decoded.value.kind !== 'queryAll' || decoded.value.board !== board) return undefined;
        const bits = decoded.value.bits;
        return locks.map((lock) => this.#one(board, lock, bits[lock - 1] === true ? 0x11 : 0x00));
      },
    };
  }

  lockQuery(address: LockAddress): BoardRequest {
    return this.#single(lock8a.encodeQueryOne(address.board, address.lock), address, 'queryOne');
  }

  unlock(address: LockAddress): BoardRequest {
    return this.#single(lock8a.encodeOpen(address.board, address.lock), address, 'open');
  }

  #single(frame: Uint8Array, address: LockAddress, kind: 'open' | 'queryOne'): BoardRequest {
    return {
      frame,
      board: address.board,
      expect: 'short',
      match: (bytes) => {
        const decoded = lock8a.decodeReply(bytes);
        if (!decoded.ok) return undefined;
        const r = decoded.value;
        if (r.kind !== kind || r.board !== address.board || r.lock !== address.lock) return undefined;
        return [this.#one(r.board, r.lock, r.status)];
      },
    };
  }

  resetSplitter(): void {
    this.#splitter.reset();
  }

  push(chunk: Uint8Array, expect: lock8a.Lock8aShape): SplitResult {
    this.#splitter.expect = expect;
    const frames: Uint8Array[] = [];
    let damaged = 0;
    for (const event of this.#splitter.push(chunk)) {
      if (event.kind === 'frame') frames.push(event.bytes);
      else if (event.error.kind !== 'garbage') damaged += 1;
    }
    return { frames, damaged };
  }
}

export function hostDialect(protocol: CabinetProtocol, locks: readonly LockAddress[], feedback: lock8a.Lock8aFeedback): HostDialect {
  switch (protocol) {
    case 'cu16': {
      const byBoard = new Map<number, number[]>();
      for (const a of locks) byBoard.set(a.board, [...(byBoard.get(a.board) ?? []), a.lock].sort((x, y) => x - y));
      return new Cu16Dialect(byBoard);
    }
    case 'lock8a':
      return new Lock8aDialect(feedback);
    default: {
      const unreachable: never = protocol;
      return unreachable;
    }
  }
}

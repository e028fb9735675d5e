import type { ByteTransport } from '../transport/transport.ts';
import * as cu16 from './cu16.ts';
import type { CabinetProtocol, LockAddress } from './driver.ts';
import * as lock8a from './lock8a.ts';
import type { CabinetModel } from './model.ts';

/**
 * Plays every board on an RS-485 bus over a transport (a pty end, or memory): reads command
 * frames, acts on the CabinetModel (unlock opens a door unless its lock fails), answers with the
 * board's reply bytes. For the pty tests and the bench: the real driver opens the other end.
 * A board that is not in the model, or is silenced, does not answer (as on a real bus).
 * Faults by count: corrupt (bad sum), truncate, or answer as another board.
 */
export interface CabinetEmulatorOptions {
  protocol: CabinetProtocol;
  lock8aFeedback?: lock8a.Lock8aFeedback;
  /** Write replies in chunks of this many bytes (a frame split across reads). */
  chunkSizeBytes?: number | undefined;
}

export class CabinetEmulator {
  readonly #transport: ByteTransport;
  readonly #model: CabinetModel;
  readonly #protocol: CabinetProtocol;
  readonly #feedback: lock8a.Lock8aFeedback;
  readonly #cuSplitter = new cu16.Cu16Splitter('board');
  readonly #lockSplitter = new lock8a.Lock8aSplitter();
  readonly #unsubscribe: () => void;
  #writes: Promise<unknown> = Promise.resolve();
  #corrupt = 0;
  #truncate = 0;
  #wrongBoard = 0;
  chunkSizeBytes: number | undefined;
  /** Every command received, as `unlock 0:1` / `status 0` / `open 1:3` / `queryAll 1` / `queryOne 1:3`. */
  readonly received: string[] = [];
  badFramesReceived = 0;

  constructor(transport: ByteTransport, model: CabinetModel, options: CabinetEmulatorOptions) {
    this.#transport = transport;
    this.#model = model;
    this.#protocol = options.protocol;
    this.#feedback = options.lock8aFeedback ?? 'closed11';
    this.chunkSizeBytes = options.chunkSizeBytes;
    this.#unsubscribe = transport.onData((chunk) => this.#onData(chunk));
  }

  corruptNextReplies(count = 1): void {
    this.#corrupt = count;
  }

  truncateNextReplies(count = 1): void {
    this.#truncate = count;
  }

  /** The next replies carry another board's address (a reply from the wrong board). */
  wrongBoardNextReplies(count = 1): void {
    this.#wrongBoard = count;
  }

  flush(): Promise<unknown> {
    return this.#writes;
  }

  stop(): void {
    this.#unsubscribe();
  }

  #answers(board: number): boolean {
    return this.#model.boards.includes(board) && !this.#model.isSilent(board);
  }

  #onData(chunk: Uint8Array): void {
    if (this.#protocol === 'cu16') {
      for (const event of this.#cuSplitter.push(chunk)) {
        if (event.kind === 'error') {
          if (event.error.kind !== 'garbage') this.badFramesReceived += 1;
          continue;
        }
        const decoded = cu16.decodeCommand(event.bytes);
        if (decoded.ok) this.#cu16(decoded.command);
      }
      return;
    }
    for (const event of this.#lockSplitter.push(chunk)) {
      if (event.kind === 'error') {
        if (event.error.kind !== 'garbage') this.badFramesReceived += 1;
        continue;
      }
      const decoded = lock8a.decodeCommand(event.bytes);
      if (decoded.ok) this.#lock8a(decoded.value);
    }
  }

  #cu16(command: cu16.Cu16CommandFrame): void {
    const { board } = command;
    this.received.push(command.command === 'unlock' ? `unlock ${board}:${command.lock ?? 0}` : `status ${board}`);
    if (!this.#answers(board)) return;
    if (command.command === 'unlock' && command.lock !== undefined) {
      const address = { board, lock: command.lock };
      if (this.#model.has(address)) this.#model.unlock(address);
    }
    const locks: cu16.Cu16LockBits[] = [];
    for (let lock = 1; lock <= 16; lock += 1) {
      const address = { board, lock };
      locks.push(this.#model.has(address) ? { locked: this.#model.door(address) === 'closed', present: this.#model.hasItem(address) } : { locked: true, present: false });
    }
    const replyBoard = this.#takeWrongBoard() ? (board + 1) % 16 : board;
    this.#send(cu16.encodeReply({ board: replyBoard, command: command.command, lockIndex: command.lock === undefined ? 0 : command.lock - 1, locks }));
  }

  #lock8a(command: lock8a.Lock8aCommand): void {
    this.received.push(command.kind === 'queryAll' ? `queryAll ${command.board}` : `${command.kind} ${command.board}:${command.lock}`);
    if (!this.#answers(command.board)) return;
    const replyBoard = this.#takeWrongBoard() ? (command.board % 99) + 1 : command.board;
    const status = (address: LockAddress): number =>
      lock8a.statusByte(!this.#model.has(address) || this.#model.door(address) === 'closed', this.#feedback);
    switch (command.kind) {
      case 'open': {
        const address = { board: command.board, lock: command.lock };
        if (this.#model.has(address)) this.#model.unlock(address);
        this.#send(lock8a.encodeReply({ kind: 'open', board: replyBoard, lock: command.lock, status: status(address) }));
        return;
      }
      case 'queryOne':
        this.#send(lock8a.encodeReply({ kind: 'queryOne', board: replyBoard, lock: command.lock, status: status(command) }));
        return;
      case 'queryAll': {
        const bits: boolean[] = [];
        for (let lock = 1; lock <= 24; lock += 1) bits.push(status({ board: command.board, lock }) === 0x11);
        this.#send(lock8a.encodeReply({ kind: 'queryAll', board: replyBoard, bits }));
        return;
      }
      default: {
        const unreachable: never = command;
        return unreachable;
      }
    }
  }

  #takeWrongBoard(): boolean {
    if (this.#wrongBoard <= 0) return false;
    this.#wrongBoard -= 1;
    return true;
  }

  #send(frame: Uint8Array): void {
    let bytes = frame;
    if (this.#corrupt > 0) {
      this.#corrupt -= 1;
      bytes = frame.slice();
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0x5a;
    } else if (this.#truncate > 0) {
      this.#truncate -= 1;
      bytes = frame.slice(0, Math.ceil(frame.length / 2));
    }
    const size = this.chunkSizeBytes ?? bytes.length;
    for (let at = 0; at < bytes.length; at += size) {
      const part = bytes.slice(at, at + size);
      this.#writes = this.#writes.then(() => this.#transport.write(part));
    }
  }
}

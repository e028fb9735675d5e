import type { Identity } from '@onevisit/protocol';
import {
  type CommandName,
  decodeCommand,
  encodeCardData,
  encodeReply,
  FrameSplitter,
  MIN_COMMAND_LENGTH,
  SAM_STATUS_CODES,
} from './gat467.ts';
import { encodeCardText, photoBytesOf } from './gat490.ts';
import type { ByteTransport } from '../transport/transport.ts';

/**
 * Plays the reader's side of GA/T 467 over a transport: a SAM with a card (or none) on it.
 * For tests and the pty path (`socat` pair: the driver opens one end, this the other).
 * It behaves like the readers we know:
 * - read (30 01) works only after find (20 01) and select (20 02) of the card now present;
 * - `haltAfterRead`: right after a read, the card is halted and the next find fails once,
 *   although the card is still there (a real quirk; the driver must not take one miss as removal).
 * Faults are injected by count: the next N replies are corrupted, truncated, failed.
 */
export interface EmulatorOptions {
  /** Write replies in chunks of this many bytes (a frame split across reads). */
  chunkSizeBytes?: number;
  haltAfterRead?: boolean;
  /** A SAM that failed its self-check answers everything with 60. */
  samFault?: boolean;
}

type CardBytes = { text: Uint8Array; photo: Uint8Array };

export class ReaderEmulator {
  readonly #transport: ByteTransport;
  readonly #splitter = new FrameSplitter({ minLength: MIN_COMMAND_LENGTH });
  readonly #unsubscribe: () => void;
  #card: CardBytes | undefined;
  #cardState: 'idle' | 'found' | 'selected' | 'halted' = 'idle';
  #writes: Promise<void> = Promise.resolve();
  #failReads = 0;
  #failReadStatus: number = SAM_STATUS_CODES.readFailed;
  #corrupt = 0;
  #truncate = 0;
  #silent = false;
  chunkSizeBytes: number | undefined;
  haltAfterRead: boolean;
  samFault: boolean;
  /** Every command received, in order (tests assert on it). */
  readonly received: CommandName[] = [];
  /** Frames that arrived with a bad checksum or length. */
  badFramesReceived = 0;

  constructor(transport: ByteTransport, options: EmulatorOptions = {}) {
    this.#transport = transport;
    this.chunkSizeBytes = options.chunkSizeBytes;
    this.haltAfterRead = options.haltAfterRead ?? false;
    this.samFault = options.samFault ?? false;
    this.#unsubscribe = transport.onData((chunk) => this.#onData(chunk));
  }

  /** Puts a card on the reader. Throws if the identity cannot be encoded (GA/T 490 limits). */
  placeCard(card: Identity | CardBytes): void {
    this.#card = 'text' in card ? card : { text: encodeCardText(card), photo: photoBytesOf(card) };
    this.#cardState = 'idle';
  }

  removeCard(): void {
    this.#card = undefined;
    this.#cardState = 'idle';
  }

  get hasCard(): boolean {
    return this.#card !== undefined;
  }

  /** The next `count` reads fail with this status (default 41, 读证/卡操作失败). */
  failNextReads(count = 1, status: number = SAM_STATUS_CODES.readFailed): void {
    this.#failReads = count;
    this.#failReadStatus = status;
  }

  /** The next `count` replies go out with a wrong checksum. */
  corruptNextReplies(count = 1): void {
    this.#corrupt = count;
  }

  /** Only the first half of the next `count` replies goes out (a truncated frame). */
  truncateNextReplies(count = 1): void {
    this.#truncate = count;
  }

  /** A silent reader receives but never answers (powered SAM without firmware, wrong baud). */
  setSilent(silent: boolean): void {
    this.#silent = silent;
  }

  /** Resolves when every reply queued so far has been written. */
  flush(): Promise<void> {
    return this.#writes;
  }

  stop(): void {
    this.#unsubscribe();
  }

  #onData(chunk: Uint8Array): void {
    for (const event of this.#splitter.push(chunk)) {
      if (event.kind === 'error') {
        if (event.error.kind === 'badChecksum') {
          this.badFramesReceived += 1;
          this.#reply(SAM_STATUS_CODES.checksumErrorReceived);
        } else if (event.error.kind === 'badLength') {
          this.badFramesReceived += 1;
          this.#reply(SAM_STATUS_CODES.lengthErrorReceived);
        }
        continue;
      }
      const command = decodeCommand(event.body);
      if (!command.ok) {
        this.#reply(SAM_STATUS_CODES.commandError);
        continue;
      }
      this.received.push(command.name);
      this.#answer(command.name);
    }
  }

  #answer(name: CommandName): void {
    const S = SAM_STATUS_CODES;
    if (this.samFault) {
      this.#reply(S.samSelfCheckFailed);
      return;
    }
    switch (name) {
      case 'reset':
      case 'samStatus':
        this.#reply(S.ok);
        return;
      case 'findCard':
        if (this.#card === undefined) {
          this.#reply(S.findFailed);
        } else if (this.#cardState === 'halted') {
          this.#cardState = 'idle';
          this.#reply(S.findFailed);
        } else {
          this.#cardState = 'found';
          // 4 bytes of 管理信息; readers send zeros.
          this.#reply(S.cardFound, new Uint8Array(4));
        }
        return;
      case 'selectCard':
        if (this.#card === undefined || this.#cardState === 'idle' || this.#cardState === 'halted') {
          this.#reply(S.selectFailed);
        } else {
          this.#cardState = 'selected';
          // 8 bytes of card serial number (物理卡号 is not given out; readers send zeros).
          this.#reply(S.ok, new Uint8Array(8));
        }
        return;
      case 'readTextPhoto':
      case 'readTextPhotoFingerprint': {
        const card = this.#card;
        if (card === undefined || this.#cardState !== 'selected') {
          this.#reply(S.readFailed);
          return;
        }
        if (this.#failReads > 0) {
          this.#failReads -= 1;
          this.#cardState = 'idle';
          this.#reply(this.#failReadStatus);
          return;
        }
        if (this.haltAfterRead) this.#cardState = 'halted';
        const data =
          name === 'readTextPhoto'
            ? encodeCardData({ text: card.text, photo: card.photo })
            : encodeCardData({ text: card.text, photo: card.photo, fingerprint: new Uint8Array(0) });
        this.#reply(S.ok, data);
        return;
      }
      default: {
        const unreachable: never = name;
        return unreachable;
      }
    }
  }

  #reply(sw3: number, data?: Uint8Array): void {
    if (this.#silent) return;
    let frame = encodeReply(sw3, data);
    if (this.#corrupt > 0) {
      this.#corrupt -= 1;
      frame = frame.slice();
      frame[frame.length - 1] = (frame[frame.length - 1] ?? 0) ^ 0xff;
    }
    if (this.#truncate > 0) {
      this.#truncate -= 1;
      frame = frame.slice(0, Math.max(1, Math.floor(frame.length / 2)));
    }
    const chunks: Uint8Array[] = [];
    const size = this.chunkSizeBytes ?? frame.length;
    for (let at = 0; at < frame.length; at += size) chunks.push(frame.subarray(at, at + size));
    this.#writes = this.#writes.then(async () => {
      for (const chunk of chunks) {
        const written = await this.#transport.write(chunk);
        if (!written.ok) return; // the link went away; the driver sees that on its side
      }
    });
  }
}

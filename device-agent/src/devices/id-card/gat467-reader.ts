import type { Logger } from 'pino';
import { defaultAttention, type DeviceReason, type DeviceState, type DeviceStatus } from '@onevisit/protocol';
import type { Unsubscribe } from '../device.ts';
import type { CardEvent, CardReadResult, IdCardReader, ReadStage } from './driver.ts';
import {
  classifyStatus,
  type CommandName,
  decodeCardData,
  decodeReply,
  encodeCommand,
  FrameSplitter,
  MIN_REPLY_LENGTH,
  type Reply,
} from './gat467.ts';
import { decodeCardText } from './gat490.ts';
import { Listeners } from '../listeners.ts';
import { InFlight, reasonOfOpenProblem, runPolledLink, Wakeup } from '../transport/link.ts';
import type { ByteTransport, TransportFault, TransportOpener } from '../transport/transport.ts';

/**
 * A real ID card reader over any byte transport (USB-serial, HID, a pty): GA/T 467 frames,
 * GA/T 490 text. One command at a time; the driver owns the only loop that talks to the reader.
 *
 * The loop: open the transport (reopening with backoff when it is lost), then every
 * `pollIntervalMs` send find-card (20 01). When a card is found and someone waits in
 * `readCard`, select (20 02) and read (30 01). A card is read once per placement: after that,
 * only `removalMisses` failed finds in a row count as the card being lifted (GA/T 467 readers
 * halt a card after reading it, so a single failed find while it still lies there is normal).
 */
export interface Gat467ReaderOptions {
  /** Serial or HID (devices/transport); its kind is reported in DeviceStatus.driver. */
  transport: TransportOpener;
  pollIntervalMs?: number;
  /** How long to wait for the reply of find, select, status. */
  commandTimeoutMs?: number;
  /** How long to wait for the reply of read (the SAM authenticates the card first: slow). */
  readTimeoutMs?: number;
  /** Resends after a damaged or missing reply, per command. */
  maxRetries?: number;
  /** Failed finds in a row that mean the card was lifted. */
  removalMisses?: number;
  /** Read attempts per placement before giving up with readFailed (lift and place again). */
  readAttempts?: number;
  /** Waits between attempts to reopen a lost transport; the last one repeats. */
  reopenBackoffMs?: readonly number[];
  now?: () => number;
  logger?: Pick<Logger, 'info' | 'warn'>;
}

export const DEFAULT_POLL_INTERVAL_MS = 300;
export const DEFAULT_COMMAND_TIMEOUT_MS = 1_000;
export const DEFAULT_READ_TIMEOUT_MS = 3_000;
export const DEFAULT_MAX_RETRIES = 2;
export const DEFAULT_REMOVAL_MISSES = 3;
export const DEFAULT_READ_ATTEMPTS = 2;
export const DEFAULT_REOPEN_BACKOFF_MS: readonly number[] = [250, 500, 1_000, 2_000, 5_000];

type Exchange =
  | { kind: 'reply'; reply: Reply }
  /** A frame came back damaged (checksum, length). */
  | { kind: 'corrupt' }
  | { kind: 'timeout'; partial: boolean }
  | { kind: 'lost' };

type Transaction = { kind: 'reply'; reply: Reply } | { kind: 'noReply' } | { kind: 'lost' };

interface Waiter {
  onStage: ((stage: ReadStage) => void) | undefined;
  settle: (result: CardReadResult) => void;
}

export class Gat467Reader implements IdCardReader {
  readonly id = 'idCard' as const;
  readonly #opener: TransportOpener;
  readonly #pollIntervalMs: number;
  readonly #commandTimeoutMs: number;
  readonly #readTimeoutMs: number;
  readonly #maxRetries: number;
  readonly #removalMisses: number;
  readonly #readAttempts: number;
  readonly #backoffMs: readonly number[];
  readonly #now: () => number;
  readonly #logger: Pick<Logger, 'info' | 'warn'> | undefined;

  readonly #statusListeners = new Listeners<DeviceStatus>();
  readonly #cardListeners = new Listeners<CardEvent>();
  readonly #waiters = new Set<Waiter>();
  readonly #splitter = new FrameSplitter({ minLength: MIN_REPLY_LENGTH });

  #status: DeviceStatus;
  #started = false;
  #loop: Promise<void> | undefined;
  #transport: ByteTransport | undefined;
  #transportUnsubscribe: Unsubscribe[] = [];
  readonly #inFlight = new InFlight<Exchange>();
  readonly #wakeup = new Wakeup();
  #present = false;
  #readDone = false;
  #misses = 0;
  #attemptsLeft = 0;

  constructor(options: Gat467ReaderOptions) {
    this.#opener = options.transport;
    this.#pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.#commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    this.#readTimeoutMs = options.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
    this.#maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
    this.#removalMisses = options.removalMisses ?? DEFAULT_REMOVAL_MISSES;
    this.#readAttempts = options.readAttempts ?? DEFAULT_READ_ATTEMPTS;
    this.#backoffMs = options.reopenBackoffMs ?? DEFAULT_REOPEN_BACKOFF_MS;
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger;
    this.#status = this.#makeStatus('offline', 'disconnected');
  }

  status(): DeviceStatus {
    return this.#status;
  }

  onStatus(listener: (status: DeviceStatus) => void): Unsubscribe {
    return this.#statusListeners.add(listener);
  }

  onCard(listener: (event: CardEvent) => void): Unsubscribe {
    return this.#cardListeners.add(listener);
  }

  /** Opens the transport once (so status is known when this resolves), then runs the loop. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    const connected = await this.#connect();
    this.#loop = this.#run(connected ? 0 : 1).catch((error: unknown) => {
      this.#logger?.warn({ err: error, device: this.id }, 'id card reader loop failed');
      this.#setStatus('fault', 'hardwareFault');
    });
  }

  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    this.#nudge();
    // Detaching ends a command in flight at once (as `lost`), so the loop exits promptly.
    const transport = this.#transport;
    this.#detach();
    await transport?.close();
    await this.#loop;
    this.#loop = undefined;
    this.#settleAll({ kind: 'deviceNotReady' });
    this.#setStatus('offline', 'disconnected');
  }

  readCard(options: { signal: AbortSignal; onStage?: (stage: ReadStage) => void }): Promise<CardReadResult> {
    if (options.signal.aborted) return Promise.resolve({ kind: 'canceled' });
    if (!this.#started || this.#status.state === 'offline' || this.#status.state === 'fault') {
      return Promise.resolve({ kind: 'deviceNotReady' });
    }
    return new Promise<CardReadResult>((resolve) => {
      const onAbort = (): void => waiter.settle({ kind: 'canceled' });
      const waiter: Waiter = {
        onStage: options.onStage,
        settle: (result) => {
          if (!this.#waiters.delete(waiter)) return;
          options.signal.removeEventListener('abort', onAbort);
          resolve(result);
        },
      };
      this.#waiters.add(waiter);
      options.signal.addEventListener('abort', onAbort, { once: true });
      options.onStage?.('waitingForCard');
      this.#nudge(); // poll now rather than at the next tick
    });
  }

  // -------------------------------------------------------------------------------------------
  // The loop
  // -------------------------------------------------------------------------------------------

  #run(failedOpens: number): Promise<void> {
    return runPolledLink(
      {
        running: () => this.#started,
        linked: () => this.#transport !== undefined,
        connect: () => this.#connect(),
        poll: () => this.#poll(),
        wakeup: this.#wakeup,
        reopenBackoffMs: this.#backoffMs,
        pollIntervalMs: this.#pollIntervalMs,
      },
      failedOpens,
    );
  }

  async #connect(): Promise<boolean> {
    const result = await this.#opener.open();
    if (!result.ok) {
      if (this.#status.reason !== reasonOfOpenProblem(result.problem)) {
        this.#logger?.warn({ device: this.id, problem: result.problem }, 'id card reader cannot be opened');
      }
      this.#setStatus('offline', reasonOfOpenProblem(result.problem));
      return false;
    }
    const transport = result.transport;
    if (!this.#started) {
      await transport.close();
      return false;
    }
    this.#attach(transport);
    // Ask the SAM how it is before announcing the reader online.
    const check = await this.#transact('samStatus', this.#commandTimeoutMs);
    this.#applyHealth(check);
    return this.#transport !== undefined;
  }

  #attach(transport: ByteTransport): void {
    this.#transport = transport;
    this.#splitter.reset();
    this.#transportUnsubscribe = [
      transport.onData((chunk) => this.#onData(chunk)),
      transport.onClose((event) => {
        if (this.#transport !== transport) return;
        this.#detach();
        if (this.#started) {
          const fault: TransportFault | undefined = event.reason === 'lost' ? event.fault : undefined;
          this.#logger?.warn({ device: this.id, reason: event.reason, fault: fault?.code, osCode: fault?.osCode }, 'id card reader link lost');
          this.#setStatus('offline', 'disconnected');
          this.#nudge();
        }
      }),
    ];
  }

  #detach(): void {
    for (const off of this.#transportUnsubscribe) off();
    this.#transportUnsubscribe = [];
    this.#transport = undefined;
    this.#inFlight.settle({ kind: 'lost' });
    // Whatever lay on the reader is unknown now; a card still there counts as newly placed.
    this.#present = false;
    this.#readDone = false;
    this.#misses = 0;
  }

  /** Status from the outcome of a command that any healthy SAM answers. */
  #applyHealth(result: Transaction): void {
    if (result.kind === 'lost') return; // the close handler has set offline
    if (result.kind === 'noReply') {
      this.#setStatus('offline', 'noResponse');
      return;
    }
    const cls = classifyStatus(result.reply.status);
    if (cls === 'samFault') this.#setStatus('fault', 'samError');
    else if (this.#status.state !== 'busy') this.#setStatus('online', 'ok');
  }

  async #poll(): Promise<void> {
    const find = await this.#transact('findCard', this.#commandTimeoutMs);
    this.#applyHealth(find);
    if (find.kind !== 'reply') return;
    const cls = classifyStatus(find.reply.status);
    switch (cls) {
      case 'success':
        this.#cardSeen();
        if (!this.#readDone && this.#waiters.size > 0) await this.#readPlacedCard();
        return;
      case 'noCard':
        this.#cardMissed();
        return;
      case 'cardError':
      case 'transmission':
      case 'samFault':
        return;
      default: {
        const unreachable: never = cls;
        return unreachable;
      }
    }
  }

  #cardSeen(): void {
    this.#misses = 0;
    if (this.#present) return;
    this.#present = true;
    this.#readDone = false;
    this.#attemptsLeft = this.#readAttempts;
    this.#cardListeners.emit('placed');
  }

  #cardMissed(): void {
    if (!this.#present) return;
    this.#misses += 1;
    if (this.#misses < this.#removalMisses) return;
    this.#present = false;
    this.#readDone = false;
    this.#misses = 0;
    this.#cardListeners.emit('removed');
  }

  async #readPlacedCard(): Promise<void> {
    this.#stage('cardFound');
    const select = await this.#transact('selectCard', this.#commandTimeoutMs);
    this.#applyHealth(select);
    if (select.kind !== 'reply' || classifyStatus(select.reply.status) !== 'success') return; // next poll decides
    this.#stage('reading');
    this.#setStatus('busy', 'ok');
    const read = await this.#transact('readTextPhoto', this.#readTimeoutMs);
    if (this.#status.state === 'busy') this.#setStatus('online', 'ok');
    this.#applyHealth(read);
    if (read.kind === 'lost') return;
    if (read.kind === 'noReply') {
      this.#attemptFailed('communication');
      return;
    }
    const status = read.reply.status;
    const cls = classifyStatus(status);
    if (cls === 'samFault') return;
    if (cls !== 'success') {
      this.#attemptFailed(status === 'unknownCardType' ? 'unsupportedCard' : cls === 'transmission' ? 'communication' : 'unreadable');
      return;
    }
    const data = decodeCardData(read.reply.data);
    if (!data.ok) {
      this.#attemptFailed('communication');
      return;
    }
    const text = decodeCardText(data.card.text, data.card.photo);
    if (!text.ok) {
      // The bytes arrived intact (checksum) but are not a card we can decode: no point retrying.
      this.#logger?.warn({ device: this.id, problem: text.problem }, 'id card text not decodable');
      this.#finishPlacement({ kind: 'readFailed', reason: text.problem.kind === 'unsupportedCard' ? 'unsupportedCard' : 'unreadable' });
      return;
    }
    if (this.#waiters.size === 0) return; // canceled meanwhile: the card counts as not read
    this.#readDone = true;
    this.#cardListeners.emit('read');
    this.#settleAll({ kind: 'read', identity: text.identity });
  }

  #attemptFailed(reason: 'unreadable' | 'unsupportedCard' | 'communication'): void {
    this.#attemptsLeft -= 1;
    if (this.#attemptsLeft > 0) return; // try again at the next poll while the card lies there
    this.#finishPlacement({ kind: 'readFailed', reason });
  }

  /** This placement is spent: the card must be lifted and placed again. */
  #finishPlacement(result: CardReadResult): void {
    this.#readDone = true;
    this.#settleAll(result);
  }

  #stage(stage: ReadStage): void {
    for (const waiter of [...this.#waiters]) waiter.onStage?.(stage);
  }

  #settleAll(result: CardReadResult): void {
    for (const waiter of [...this.#waiters]) waiter.settle(result);
  }

  // -------------------------------------------------------------------------------------------
  // Commands
  // -------------------------------------------------------------------------------------------

  /** One command with bounded resends on damaged, partial or missing replies. */
  async #transact(name: CommandName, timeoutMs: number): Promise<Transaction> {
    const frame = encodeCommand(name);
    for (let attempt = 0; ; attempt += 1) {
      const result = await this.#exchange(frame, timeoutMs);
      if (result.kind === 'lost') return result;
      const resend =
        result.kind === 'corrupt' ||
        result.kind === 'timeout' ||
        classifyStatus(result.reply.status) === 'transmission';
      if (!resend) return result;
      if (attempt >= this.#maxRetries || !this.#started) {
        return result.kind === 'reply' ? result : { kind: 'noReply' };
      }
    }
  }

  #exchange(frame: Uint8Array, timeoutMs: number): Promise<Exchange> {
    const transport = this.#transport;
    if (transport === undefined) return Promise.resolve({ kind: 'lost' });
    // A half frame left from a timed-out reply must not prefix this one's reply.
    this.#splitter.reset();
    return this.#inFlight.start({
      context: undefined,
      write: () => transport.write(frame),
      timeoutMs,
      onTimeout: () => ({ kind: 'timeout', partial: this.#splitter.pendingBytes > 0 }),
      lost: { kind: 'lost' },
    });
  }

  #onData(chunk: Uint8Array): void {
    for (const event of this.#splitter.push(chunk)) {
      // A reply nobody waits for (late, after a timeout) is dropped.
      if (!this.#inFlight.busy) continue;
      if (event.kind === 'frame') {
        const decoded = decodeReply(event.body);
        this.#inFlight.settle(decoded.ok ? { kind: 'reply', reply: decoded.reply } : { kind: 'corrupt' });
      } else if (event.error.kind !== 'garbage') {
        this.#inFlight.settle({ kind: 'corrupt' });
      }
    }
  }

  // -------------------------------------------------------------------------------------------

  /** Cuts the loop's current or next sleep short (a reader waits, the link changed, stop). */
  #nudge(): void {
    this.#wakeup.nudge();
  }

  #makeStatus(state: DeviceState, reason: DeviceReason): DeviceStatus {
    return {
      device: this.id,
      state,
      attention: defaultAttention(state, reason),
      reason,
      driver: this.#opener.kind,
      since: new Date(this.#now()).toISOString(),
    };
  }

  #setStatus(state: DeviceState, reason: DeviceReason): void {
    if (this.#status.state === state && this.#status.reason === reason) return;
    this.#status = this.#makeStatus(state, reason);
    if (state === 'offline' || state === 'fault') this.#settleAll({ kind: 'deviceNotReady' });
    this.#logger?.info({ device: this.id, state, reason }, 'id card reader status');
    this.#statusListeners.emit(this.#status);
  }
}

import type { Logger } from 'pino';
import { defaultAttention, type DeviceReason, type DeviceState, type DeviceStatus } from '@onevisit/protocol';
import type { Unsubscribe } from '../device.ts';
import { Listeners } from '../listeners.ts';
import { InFlight, reasonOfOpenProblem, runPolledLink, Wakeup } from '../transport/link.ts';
import type { ByteTransport, TransportOpener } from '../transport/transport.ts';
import { hostDialect, type BoardRequest, type HostDialect } from './dialect.ts';
import { lockKey, type CabinetDriver, type CabinetProtocol, type CompartmentReading, type LockAddress, type ReadResult, type UnlockResult } from './driver.ts';
import type { Lock8aFeedback } from './lock8a.ts';

/**
 * Lock boards on one RS-485 bus (CU16 or 8A/80), over any byte transport.
 *
 * - One command at a time on the bus: every exchange goes through one queue (RS-485 is
 *   half-duplex and boards share the pair; two commands in flight would collide).
 * - Each exchange waits `commandTimeoutMs` for the reply that matches it (board, command, lock);
 *   a damaged frame or silence is resent up to `maxRetries` times. Replies of other boards and
 *   late replies are dropped.
 * - Polling: every board every `slowPollMs` (health, and to see doors opened by hand), a board
 *   with an open door or a `watch` every `fastPollMs`. Changes are emitted as readings.
 * - A board that does not answer an exchange (after the resends) is offline; the slow poll keeps
 *   asking, and its first answer brings it back. Status is offline while any board is.
 * - Unlock: the reply says whether the door came open; a door that still reads closed is asked
 *   again `unlockChecks` times (a lock takes a moment) before the result is `lockFailed`.
 */
export interface BoardDriverOptions {
  protocol: CabinetProtocol;
  /** Every lock the layout names; boards are polled for these. */
  locks: readonly LockAddress[];
  lock8aFeedback?: Lock8aFeedback;
  open: TransportOpener;
  commandTimeoutMs?: number;
  maxRetries?: number;
  fastPollMs?: number;
  slowPollMs?: number;
  unlockChecks?: number;
  unlockCheckIntervalMs?: number;
  reopenBackoffMs?: readonly number[];
  now?: () => number;
  logger?: Pick<Logger, 'info' | 'warn'>;
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 300;
export const DEFAULT_MAX_RETRIES = 2;
export const DEFAULT_FAST_POLL_MS = 200;
export const DEFAULT_SLOW_POLL_MS = 2_000;
export const DEFAULT_UNLOCK_CHECKS = 3;
export const DEFAULT_UNLOCK_CHECK_INTERVAL_MS = 150;
export const DEFAULT_REOPEN_BACKOFF_MS: readonly number[] = [250, 500, 1_000, 2_000, 5_000];

type Transaction = { kind: 'reply'; readings: CompartmentReading[] } | { kind: 'noReply' } | { kind: 'lost' };
type Exchange = Transaction | { kind: 'damaged' };

export class BoardDriver implements CabinetDriver {
  readonly id = 'dispenser' as const;
  readonly protocol: CabinetProtocol;
  readonly #dialect: HostDialect;
  readonly #open: TransportOpener;
  readonly #locksByBoard = new Map<number, number[]>();
  readonly #commandTimeoutMs: number;
  readonly #maxRetries: number;
  readonly #fastPollMs: number;
  readonly #slowPollMs: number;
  readonly #unlockChecks: number;
  readonly #unlockCheckIntervalMs: number;
  readonly #backoffMs: readonly number[];
  readonly #now: () => number;
  readonly #logger: Pick<Logger, 'info' | 'warn'> | undefined;

  readonly #statusListeners = new Listeners<DeviceStatus>();
  readonly #readingListeners = new Listeners<CompartmentReading>();
  readonly #readings = new Map<string, CompartmentReading>();
  readonly #offlineBoards = new Set<number>();
  readonly #watches = new Map<number, number>();
  readonly #lastPolledMs = new Map<number, number>();

  #status: DeviceStatus;
  #linkReason: DeviceReason = 'disconnected';
  #started = false;
  #loop: Promise<void> | undefined;
  #transport: ByteTransport | undefined;
  #unsubscribe: Unsubscribe[] = [];
  #bus: Promise<unknown> = Promise.resolve();
  readonly #inFlight = new InFlight<Exchange, BoardRequest>();
  readonly #wakeup = new Wakeup();

  constructor(options: BoardDriverOptions) {
    this.protocol = options.protocol;
    this.#dialect = hostDialect(options.protocol, options.locks, options.lock8aFeedback ?? 'closed11');
    this.#open = options.open;
    for (const a of options.locks) this.#locksByBoard.set(a.board, [...(this.#locksByBoard.get(a.board) ?? []), a.lock].sort((x, y) => x - y));
    this.#commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    this.#maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
    this.#fastPollMs = options.fastPollMs ?? DEFAULT_FAST_POLL_MS;
    this.#slowPollMs = options.slowPollMs ?? DEFAULT_SLOW_POLL_MS;
    this.#unlockChecks = options.unlockChecks ?? DEFAULT_UNLOCK_CHECKS;
    this.#unlockCheckIntervalMs = options.unlockCheckIntervalMs ?? DEFAULT_UNLOCK_CHECK_INTERVAL_MS;
    this.#backoffMs = options.reopenBackoffMs ?? DEFAULT_REOPEN_BACKOFF_MS;
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger;
    this.#status = this.#make('offline', 'disconnected');
  }

  status(): DeviceStatus {
    return this.#status;
  }

  onStatus(listener: (status: DeviceStatus) => void): Unsubscribe {
    return this.#statusListeners.add(listener);
  }

  onReading(listener: (reading: CompartmentReading) => void): Unsubscribe {
    return this.#readingListeners.add(listener);
  }

  watch(address: LockAddress): Unsubscribe {
    this.#watches.set(address.board, (this.#watches.get(address.board) ?? 0) + 1);
    this.#nudge();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.#watches.get(address.board) ?? 1) - 1;
      if (left <= 0) this.#watches.delete(address.board);
      else this.#watches.set(address.board, left);
    };
  }

  /** Opens the link and asks every board once (so status and readings are known), then polls. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    const connected = await this.#connect();
    if (connected) await this.#pollBoards([...this.#locksByBoard.keys()]);
    this.#loop = this.#run(connected ? 0 : 1).catch((error: unknown) => {
      this.#logger?.warn({ err: error, device: this.id }, 'cabinet poll loop failed');
      this.#set('fault', 'hardwareFault');
    });
  }

  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    this.#nudge();
    const transport = this.#transport;
    this.#detach();
    await transport?.close();
    await this.#loop;
    this.#loop = undefined;
    this.#set('offline', 'disconnected');
  }

  async unlock(address: LockAddress): Promise<UnlockResult> {
    const first = await this.#onBus(() => this.#transact(this.#dialect.unlock(address)));
    let reading = this.#apply(address.board, first, address);
    if (reading === undefined) return { kind: 'offline' };
    for (let check = 0; reading.door === 'closed' && check < this.#unlockChecks; check += 1) {
      await this.#sleepPlain(this.#unlockCheckIntervalMs);
      const again = await this.#onBus(() => this.#transact(this.#dialect.lockQuery(address)));
      reading = this.#apply(address.board, again, address);
      if (reading === undefined) return { kind: 'offline' };
    }
    if (reading.door === 'closed') {
      this.#logger?.warn({ device: this.id, board: address.board, lock: address.lock }, 'cabinet lock did not open');
      return { kind: 'lockFailed', reading };
    }
    this.#nudge(); // a door is open: fast polling starts now
    return { kind: 'unlocked', reading };
  }

  async read(address: LockAddress): Promise<ReadResult> {
    const result = await this.#onBus(() => this.#transact(this.#dialect.lockQuery(address)));
    const reading = this.#apply(address.board, result, address);
    return reading === undefined ? { kind: 'offline' } : { kind: 'ok', reading };
  }

  // -------------------------------------------------------------------------------------------
  // Polling
  // -------------------------------------------------------------------------------------------

  #run(failedOpens: number): Promise<void> {
    return runPolledLink(
      {
        running: () => this.#started,
        linked: () => this.#transport !== undefined,
        connect: () => this.#connect(),
        onLinked: () => this.#lastPolledMs.clear(),
        poll: () => this.#pollDueBoards(),
        wakeup: this.#wakeup,
        reopenBackoffMs: this.#backoffMs,
        pollIntervalMs: this.#fastPollMs,
      },
      failedOpens,
    );
  }

  /** Boards with an open door or a watcher are polled fast, the others slowly. */
  #pollDueBoards(): Promise<void> {
    const now = this.#now();
    const due = [...this.#locksByBoard.keys()].filter((board) => {
      const last = this.#lastPolledMs.get(board);
      return last === undefined || now - last >= (this.#isHot(board) ? this.#fastPollMs : this.#slowPollMs);
    });
    return this.#pollBoards(due);
  }

  #isHot(board: number): boolean {
    if (this.#offlineBoards.has(board)) return false;
    if ((this.#watches.get(board) ?? 0) > 0) return true;
    return (this.#locksByBoard.get(board) ?? []).some((lock) => this.#readings.get(lockKey({ board, lock }))?.door === 'open');
  }

  async #pollBoards(boards: readonly number[]): Promise<void> {
    for (const board of boards) {
      if (!this.#started || this.#transport === undefined) return;
      this.#lastPolledMs.set(board, this.#now());
      const result = await this.#onBus(() => this.#transact(this.#dialect.boardQuery(board, this.#locksByBoard.get(board) ?? [])));
      this.#apply(board, result, undefined);
    }
  }

  /** Records a transaction's outcome for a board; returns the reading of `address` if it answered. */
  #apply(board: number, result: Transaction, address: LockAddress | undefined): CompartmentReading | undefined {
    switch (result.kind) {
      case 'lost':
        return undefined;
      case 'noReply':
        if (!this.#offlineBoards.has(board)) {
          this.#offlineBoards.add(board);
          this.#logger?.warn({ device: this.id, board }, 'cabinet board does not answer');
          this.#refreshStatus();
        }
        return undefined;
      case 'reply': {
        if (this.#offlineBoards.delete(board)) {
          this.#logger?.info({ device: this.id, board }, 'cabinet board answers again');
          this.#refreshStatus();
        }
        let found: CompartmentReading | undefined;
        for (const reading of result.readings) {
          const key = lockKey(reading);
          const before = this.#readings.get(key);
          this.#readings.set(key, reading);
          if (before === undefined || before.door !== reading.door || before.presence !== reading.presence) this.#readingListeners.emit(reading);
          if (address !== undefined && reading.lock === address.lock) found = reading;
        }
        return found;
      }
      default: {
        const unreachable: never = result;
        return unreachable;
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // The bus
  // -------------------------------------------------------------------------------------------

  #onBus<T>(job: () => Promise<T>): Promise<T> {
    const run = this.#bus.then(job, job);
    this.#bus = run.catch(() => undefined);
    return run;
  }

  async #transact(request: BoardRequest): Promise<Transaction> {
    for (let attempt = 0; ; attempt += 1) {
      const result = await this.#exchange(request);
      if (result.kind === 'reply' || result.kind === 'lost') return result;
      if (attempt >= this.#maxRetries || !this.#started) return { kind: 'noReply' };
    }
  }

  #exchange(request: BoardRequest): Promise<Exchange> {
    const transport = this.#transport;
    if (transport === undefined || !this.#started) return Promise.resolve({ kind: 'lost' });
    // A half frame from a timed-out reply must not prefix this one's.
    this.#dialect.resetSplitter();
    return this.#inFlight.start({
      context: request,
      write: () => transport.write(request.frame),
      timeoutMs: this.#commandTimeoutMs,
      onTimeout: () => ({ kind: 'noReply' }),
      lost: { kind: 'lost' },
    });
  }

  #onData(chunk: Uint8Array): void {
    const request = this.#inFlight.context;
    const split = this.#dialect.push(chunk, request?.expect ?? 'short');
    if (request === undefined) return; // nobody waits: a late reply
    for (const frame of split.frames) {
      const readings = request.match(frame);
      if (readings !== undefined) {
        this.#inFlight.settle({ kind: 'reply', readings });
        return;
      }
    }
    if (split.damaged > 0) this.#inFlight.settle({ kind: 'damaged' });
  }

  // -------------------------------------------------------------------------------------------
  // The link
  // -------------------------------------------------------------------------------------------

  async #connect(): Promise<boolean> {
    const result = await this.#open.open();
    if (!result.ok) {
      const reason = reasonOfOpenProblem(result.problem);
      if (this.#linkReason !== reason || this.#status.state !== 'offline') {
        this.#logger?.warn({ device: this.id, problem: result.problem }, 'cabinet bus cannot be opened');
      }
      this.#linkReason = reason;
      this.#refreshStatus();
      return false;
    }
    if (!this.#started) {
      await result.transport.close();
      return false;
    }
    const transport = result.transport;
    this.#transport = transport;
    this.#dialect.resetSplitter();
    this.#unsubscribe = [
      transport.onData((chunk) => this.#onData(chunk)),
      transport.onClose((event) => {
        if (this.#transport !== transport) return;
        this.#detach();
        if (!this.#started) return;
        this.#logger?.warn({ device: this.id, reason: event.reason }, 'cabinet bus link lost');
        this.#linkReason = 'disconnected';
        this.#refreshStatus();
        this.#nudge();
      }),
    ];
    this.#refreshStatus();
    return true;
  }

  #detach(): void {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    this.#transport = undefined;
    this.#inFlight.settle({ kind: 'lost' });
  }

  #refreshStatus(): void {
    if (!this.#started) return;
    if (this.#transport === undefined) this.#set('offline', this.#linkReason);
    else if (this.#offlineBoards.size > 0) this.#set('offline', 'noResponse');
    else this.#set('online', 'ok');
  }

  // -------------------------------------------------------------------------------------------

  #nudge(): void {
    this.#wakeup.nudge();
  }

  #sleepPlain(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  #make(state: DeviceState, reason: DeviceReason): DeviceStatus {
    const attention = state === 'offline' && reason === 'noResponse' ? 'maintenance' : defaultAttention(state, reason);
    return { device: 'dispenser', state, attention, reason, driver: this.#open.kind, since: new Date(this.#now()).toISOString() };
  }

  #set(state: DeviceState, reason: DeviceReason): void {
    if (this.#status.state === state && this.#status.reason === reason) return;
    this.#status = this.#make(state, reason);
    this.#logger?.info({ device: this.id, state, reason }, 'cabinet status');
    this.#statusListeners.emit(this.#status);
  }
}

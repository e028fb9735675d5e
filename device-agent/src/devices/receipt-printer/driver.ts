import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import type { DeviceStatus } from '@onevisit/protocol';
import type { ReceiptDocument } from '@onevisit/protocol';
import type { Device, Unsubscribe } from '../device.ts';
import { encodeReceipt, PROFILE_80MM, realtimeStatus, ReceiptEncodeError, type EncodeErrorCode, type EscPosProfile, type StatusKind } from './escpos.ts';
import { canPrint, conditionStatus, decodeRealtimeStatus, isStatusByte, type ReceiptCondition } from './escpos-status.ts';
import { Listeners } from '../listeners.ts';
import type { ByteTransport, CloseEvent, OpenProblem, TransportFault, TransportOpener } from '../transport/transport.ts';

/**
 * The outcome of one receipt job: a value, never a throw (STYLE.md).
 * `partial`: the failure came after bytes were sent, so part of the receipt may have come out;
 * the caller still holds the document and may send it again once staff cleared the cause.
 */
export type ReceiptJobResult =
  | { kind: 'printed' }
  | { kind: 'paperOut' | 'coverOpen' | 'jam' | 'offline'; partial: boolean }
  | { kind: 'failed'; reason: 'cutterError' | 'hardwareFault' | 'communication'; partial: boolean }
  | { kind: 'canceled'; partial: boolean }
  | { kind: 'unprintable'; code: EncodeErrorCode };

export interface ReceiptPrinter extends Device {
  readonly id: 'receiptPrinter';
  /** Prints one receipt; jobs run one at a time in the order they were asked for. */
  print(receipt: ReceiptDocument, options?: { signal?: AbortSignal }): Promise<ReceiptJobResult>;
  /** Asks the printer now (between jobs) and pushes the status if it changed. */
  refreshStatus(): Promise<DeviceStatus>;
}

export type EscPosDriverOptions = {
  clock: Clock;
  profile?: EscPosProfile;
  /** How long to wait for each DLE EOT reply. */
  statusTimeoutMs?: number;
  /** How long sending one job may take (a slow serial line at 9600 baud moves ~1 KB/s). */
  writeTimeoutMs?: number;
  /** Status poll while idle, so that paper out / cover open are pushed; 0 = no polling. */
  pollIntervalMs?: number;
  /** DeviceStatus.driver; default the transport's kind. */
  driverName?: string;
  /** Where link faults and open failures go (codes only, never bytes). */
  logger?: Pick<Logger, 'warn'>;
  /**
   * Treat a printer that is connected but never answers DLE EOT as ready (and print "blind").
   * Some network printers have real-time status switched off on their raw port 9100; without
   * this they could never print. Off for serial/USB, where an open port says nothing about a printer.
   */
  assumeReadyWhenSilent?: boolean;
};

/**
 * ESC/POS receipt printer driver: joins a transport and the pure encoder/decoder.
 * One job at a time (a promise chain); status asked before and after each job with
 * DLE EOT 1–4; every wait has a timeout; the transport is (re)opened on demand, so a TCP
 * printer that dropped the connection or rebooted is reconnected by the next job or poll.
 * Transport faults arrive as values (write) or with the close event (link lost), are logged,
 * and become the `noResponse` condition.
 */
export class EscPosReceiptPrinter implements ReceiptPrinter {
  readonly id = 'receiptPrinter' as const;
  readonly #opener: TransportOpener;
  readonly #clock: Clock;
  readonly #logger: Pick<Logger, 'warn'> | undefined;
  readonly #profile: EscPosProfile;
  readonly #statusTimeoutMs: number;
  readonly #writeTimeoutMs: number;
  readonly #pollIntervalMs: number;
  readonly #driverName: string;
  readonly #assumeReadyWhenSilent: boolean;
  readonly #listeners = new Listeners<DeviceStatus>();
  #status: DeviceStatus;
  #chain: Promise<unknown> = Promise.resolve();
  #poll: NodeJS.Timeout | undefined;
  #rx: number[] = [];
  #rxWaiter: (() => void) | undefined;
  /** The open link; undefined until opened and again once it closed or was lost. */
  #link: ByteTransport | undefined;
  #linkUnsubscribe: Unsubscribe[] = [];
  #lastOpenProblem: OpenProblem | undefined;

  constructor(transport: TransportOpener, options: EscPosDriverOptions) {
    this.#opener = transport;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#profile = options.profile ?? PROFILE_80MM;
    this.#statusTimeoutMs = options.statusTimeoutMs ?? 1000;
    this.#writeTimeoutMs = options.writeTimeoutMs ?? 20_000;
    this.#pollIntervalMs = options.pollIntervalMs ?? 5000;
    this.#driverName = options.driverName ?? transport.kind;
    this.#assumeReadyWhenSilent = options.assumeReadyWhenSilent ?? false;
    this.#status = conditionStatus('noResponse', this.#driverName, this.#now());
  }

  status(): DeviceStatus {
    return this.#status;
  }

  onStatus(listener: (status: DeviceStatus) => void): Unsubscribe {
    return this.#listeners.add(listener);
  }

  async start(): Promise<void> {
    await this.refreshStatus();
    if (this.#pollIntervalMs > 0 && this.#poll === undefined) {
      this.#poll = setInterval(() => {
        void this.refreshStatus();
      }, this.#pollIntervalMs);
      this.#poll.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.#poll) clearInterval(this.#poll);
    this.#poll = undefined;
    await this.#exclusive(async () => {
      const link = this.#link;
      await link?.close();
      // The close event has detached it; make sure even if a transport were late to say so.
      if (this.#link === link) this.#detach();
    });
  }

  /** Stops and lets go of the link; for tests and shutdown. */
  async dispose(): Promise<void> {
    await this.stop();
  }

  refreshStatus(): Promise<DeviceStatus> {
    return this.#exclusive(async () => {
      const condition = (await this.#ensureOpen()) ? this.#silentMeansReady(await this.#queryCondition(undefined)) : 'noResponse';
      this.#setCondition(condition);
      return this.#status;
    });
  }

  print(receipt: ReceiptDocument, options: { signal?: AbortSignal } = {}): Promise<ReceiptJobResult> {
    let bytes: Uint8Array;
    try {
      bytes = encodeReceipt(receipt, this.#profile);
    } catch (error) {
      if (error instanceof ReceiptEncodeError) return Promise.resolve({ kind: 'unprintable', code: error.code });
      throw error;
    }
    return this.#exclusive(() => this.#runJob(bytes, options.signal));
  }

  async #runJob(bytes: Uint8Array, signal: AbortSignal | undefined): Promise<ReceiptJobResult> {
    if (isAborted(signal)) return { kind: 'canceled', partial: false };
    if (!(await this.#ensureOpen())) {
      this.#setCondition('noResponse');
      return { kind: 'offline', partial: false };
    }
    const before = this.#silentMeansReady(await this.#queryCondition(signal));
    this.#setCondition(before);
    if (!canPrint(before)) return resultFor(before, false);
    if (isAborted(signal)) return { kind: 'canceled', partial: false };

    this.#setBusy();
    const written = await this.#writeWithTimeout(bytes, signal);
    if (written !== 'ok') {
      // Some bytes may have gone out: a partial receipt. Ask what happened if we still can.
      const after = this.#link !== undefined ? await this.#queryCondition(undefined) : 'noResponse';
      this.#setCondition(after);
      if (written === 'canceled') return { kind: 'canceled', partial: true };
      return canPrint(after) ? { kind: 'failed', reason: 'communication', partial: true } : resultFor(after, true);
    }
    const after = this.#silentMeansReady(await this.#queryCondition(undefined));
    this.#setCondition(after);
    return canPrint(after) ? { kind: 'printed' } : resultFor(after, true);
  }

  /** See `assumeReadyWhenSilent`: only while the connection itself is up. */
  #silentMeansReady(condition: ReceiptCondition): ReceiptCondition {
    return condition === 'noResponse' && this.#assumeReadyWhenSilent && this.#link !== undefined ? 'online' : condition;
  }

  async #writeWithTimeout(bytes: Uint8Array, signal: AbortSignal | undefined): Promise<'ok' | 'failed' | 'canceled'> {
    const link = this.#link;
    if (link === undefined) return 'failed';
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      return await Promise.race([
        link.write(bytes).then((written) => {
          if (written.ok) return 'ok' as const;
          this.#logFault('receipt printer write failed', written.fault);
          return 'failed' as const;
        }),
        new Promise<'failed'>((resolve) => {
          timer = setTimeout(() => resolve('failed'), this.#writeTimeoutMs);
        }),
        new Promise<'canceled'>((resolve) => {
          onAbort = () => resolve('canceled');
          signal?.addEventListener('abort', onAbort, { once: true });
        }),
      ]);
    } finally {
      if (timer) clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  async #ensureOpen(): Promise<boolean> {
    if (this.#link !== undefined) return true;
    const opened = await this.#opener.open();
    if (!opened.ok) {
      // Polling retries every few seconds: say it once per kind of problem, not every time.
      if (this.#lastOpenProblem !== opened.problem) {
        this.#logger?.warn({ device: this.id, transport: this.#opener.kind, problem: opened.problem }, 'receipt printer cannot be opened');
      }
      this.#lastOpenProblem = opened.problem;
      return false;
    }
    this.#lastOpenProblem = undefined;
    this.#attach(opened.transport);
    return true;
  }

  #attach(link: ByteTransport): void {
    this.#link = link;
    this.#linkUnsubscribe = [
      link.onData((chunk) => {
        for (const b of chunk) this.#rx.push(b);
        this.#rxWaiter?.();
      }),
      link.onClose((event) => this.#onClose(link, event)),
    ];
  }

  #onClose(link: ByteTransport, event: CloseEvent): void {
    if (this.#link !== link) return;
    this.#detach();
    if (event.reason === 'lost') this.#logFault('receipt printer link lost', event.fault);
    this.#setCondition('noResponse');
  }

  #detach(): void {
    for (const off of this.#linkUnsubscribe) off();
    this.#linkUnsubscribe = [];
    this.#link = undefined;
  }

  #logFault(message: string, fault: TransportFault): void {
    this.#logger?.warn({ device: this.id, transport: this.#opener.kind, fault: fault.code, osCode: fault.osCode }, message);
  }

  /** DLE EOT 1, 2, 3, 4 in turn; `noResponse` when any reply is missing or malformed. */
  async #queryCondition(signal: AbortSignal | undefined): Promise<ReceiptCondition> {
    const replies: number[] = [];
    for (const n of [1, 2, 3, 4] as const) {
      const reply = await this.#ask(n, signal);
      if (reply === undefined) return 'noResponse';
      replies.push(reply);
    }
    const [printer = 0, offlineCause = 0, errorCause = 0, paperSensor = 0] = replies;
    const decoded = decodeRealtimeStatus({ printer, offlineCause, errorCause, paperSensor });
    return decoded.ok ? decoded.condition : 'noResponse';
  }

  async #ask(n: StatusKind, signal: AbortSignal | undefined): Promise<number | undefined> {
    this.#rx = []; // Whatever came before belongs to no question of ours.
    const link = this.#link;
    if (link === undefined) return undefined;
    const written = await link.write(realtimeStatus(n));
    if (!written.ok) {
      this.#logFault('receipt printer status query not sent', written.fault);
      return undefined;
    }
    const deadline = Date.now() + this.#statusTimeoutMs;
    for (;;) {
      // Skip bytes that are not status replies (an ASB burst, line noise).
      while (this.#rx.length > 0) {
        const b = this.#rx.shift() ?? 0;
        if (isStatusByte(b)) return b;
      }
      const leftMs = deadline - Date.now();
      if (leftMs <= 0 || isAborted(signal)) return undefined;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          this.#rxWaiter = undefined;
          resolve();
        };
        const timer = setTimeout(done, leftMs);
        signal?.addEventListener('abort', done, { once: true });
        this.#rxWaiter = done;
      });
    }
  }

  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(task, task);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  #setBusy(): void {
    this.#publish({ ...this.#status, state: 'busy' });
  }

  #setCondition(condition: ReceiptCondition): void {
    this.#publish(conditionStatus(condition, this.#driverName, this.#now()));
  }

  #publish(next: DeviceStatus): void {
    const prev = this.#status;
    if (prev.state === next.state && prev.attention === next.attention && prev.reason === next.reason) return;
    this.#status = { ...next, since: this.#now() };
    this.#listeners.emit(this.#status);
  }

  #now(): string {
    return new Date(this.#clock.now()).toISOString();
  }
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted ?? false;
}

function resultFor(condition: ReceiptCondition, partial: boolean): ReceiptJobResult {
  switch (condition) {
    case 'paperOut':
      return { kind: 'paperOut', partial };
    case 'coverOpen':
      return { kind: 'coverOpen', partial };
    case 'paperJam':
      return { kind: 'jam', partial };
    case 'offline':
    case 'noResponse':
      return { kind: 'offline', partial };
    case 'cutterError':
      return { kind: 'failed', reason: 'cutterError', partial };
    case 'unrecoverableError':
      return { kind: 'failed', reason: 'hardwareFault', partial };
    case 'online':
    case 'paperLow':
    case 'headHot':
      return { kind: 'printed' };
    default: {
      const unreachable: never = condition;
      return unreachable;
    }
  }
}

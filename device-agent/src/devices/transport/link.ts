import type { DeviceReason } from '@onevisit/protocol';
import type { OpenProblem, WriteResult } from './transport.ts';

/**
 * What the polled request/response drivers (the GA/T 467 card reader, the cabinet's lock boards)
 * share above the byte transport: the status reason of a link that cannot be opened, a sleep the
 * driver can cut short, the reconnect loop, and the one request in flight on a half-duplex line.
 * The drivers keep what differs: their frames, their retry rules and what a reply means.
 */

/** How a link that could not be opened shows in DeviceStatus.reason. */
export function reasonOfOpenProblem(problem: OpenProblem): DeviceReason {
  switch (problem) {
    case 'notFound':
    case 'unreachable':
    case 'timeout':
    case 'failed':
      return 'disconnected';
    case 'permission':
    case 'busy':
    case 'libraryUnavailable':
      return 'notConfigured';
    default: {
      const unreachable: never = problem;
      return unreachable;
    }
  }
}

/**
 * The loop's sleep, cut short by `nudge()` (a citizen waits for a read, a door was opened, stop).
 * A nudge while the loop is busy is remembered, so that the next sleep returns at once.
 */
export class Wakeup {
  #wake: (() => void) | undefined;
  #requested = false;

  nudge(): void {
    if (this.#wake !== undefined) this.#wake();
    else this.#requested = true;
  }

  sleep(ms: number): Promise<void> {
    if (this.#requested) {
      this.#requested = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.#wake === done) this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }
}

export interface PolledLink {
  /** False once the driver is stopping: the loop ends. */
  running(): boolean;
  /** True while a transport is attached. */
  linked(): boolean;
  /** Opens and attaches a transport; false when it could not (the driver has set its status). */
  connect(): Promise<boolean>;
  /** Called after each successful (re)connect, before the first poll. */
  onLinked?(): void;
  /** One round of polling; may lose the link (then `linked()` turns false). */
  poll(): Promise<void>;
  readonly wakeup: Wakeup;
  /** Delays between reopen attempts, the last one repeated. */
  readonly reopenBackoffMs: readonly number[];
  readonly pollIntervalMs: number;
}

/** Reopen with backoff while unlinked, poll while linked, sleep between rounds; until stopped. */
export async function runPolledLink(link: PolledLink, failedOpens: number): Promise<void> {
  let failures = failedOpens;
  while (link.running()) {
    if (!link.linked()) {
      if (failures > 0) {
        await link.wakeup.sleep(link.reopenBackoffMs[Math.min(failures - 1, link.reopenBackoffMs.length - 1)] ?? 1_000);
        if (!link.running()) break;
      }
      if (!(await link.connect())) {
        failures += 1;
        continue;
      }
      failures = 0;
      link.onLinked?.();
    }
    await link.poll();
    if (!link.linked()) failures = 1;
    else await link.wakeup.sleep(link.pollIntervalMs);
  }
}

/**
 * The one request in flight on a half-duplex line (RS-232/RS-485: a second frame before the reply
 * would collide). It settles exactly once: with the reply the driver matched, with the timeout's
 * result, or `lost` when the write fails or the link goes.
 */
export class InFlight<Result, Context = undefined> {
  #current: { context: Context; finish: (result: Result) => void } | undefined;

  /** What the request in flight asked for (the reply parser needs it), if one is. */
  get context(): Context | undefined {
    return this.#current?.context;
  }

  get busy(): boolean {
    return this.#current !== undefined;
  }

  /** Writes a request and waits for `settle`, the timeout, or a failed write (`lost`). */
  start(options: { context: Context; write: () => Promise<WriteResult>; timeoutMs: number; onTimeout: () => Result; lost: Result }): Promise<Result> {
    if (this.#current !== undefined) throw new Error('a request is already in flight on this line');
    return new Promise<Result>((resolve) => {
      const timer = setTimeout(() => finish(options.onTimeout()), options.timeoutMs);
      const finish = (result: Result): void => {
        if (this.#current?.finish !== finish) return;
        clearTimeout(timer);
        this.#current = undefined;
        resolve(result);
      };
      this.#current = { context: options.context, finish };
      // A failed write means the link is gone (the transport closes it and reports why).
      void options.write().then((written) => {
        if (!written.ok) finish(options.lost);
      });
    });
  }

  /** Ends the request in flight with `result`; nothing when none is (a late reply). */
  settle(result: Result): void {
    this.#current?.finish(result);
  }
}

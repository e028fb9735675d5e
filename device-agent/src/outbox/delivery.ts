/**
 * Delivery of the outbox to the back office, in the background.
 *
 * Targets:
 * - `FolderTarget` (the embedded default, `--intake-dir`): one file per submission,
 *   `<reference>.ovsl` (the reference begins with the terminal id), written to a hidden temporary
 *   name, fsynced, linked into place (never over an existing file: a file already there with other
 *   bytes is a conflict, dead-lettered) and the folder fsynced: a reader never sees half a file. A crash mid-write leaves a hidden
 *   `.<reference>.<random>.tmp`; the first delivery after a start sweeps such leftovers once they
 *   are old enough that no writer (this terminal or another sharing the folder) can still own them.
 * - `HttpTarget` (`--intake-url`): POST of the sealed bytes with `Idempotency-Key: <reference>`.
 *   2xx = delivered; 409 = the intake holds other bytes under this reference: delivered only when
 *   its answer names the SHA-256 of exactly our bytes (issue 11: a forged or colliding file must not
 *   make a genuine submission vanish), otherwise a rejection (`intakeConflict`); 408, 425, 429 and
 *   5xx and network errors are retried; any other 4xx is a rejection: dead-letter, with the status,
 *   for staff. A dead letter keeps its sealed bytes.
 *
 * The worker retries with exponential backoff and jitter (forever: a terminal may be offline for a
 * weekend; the delay is capped). The idempotency key makes redelivery after a crash harmless:
 * the intake keeps one copy per reference, so the effect is exactly once.
 * Retention: the sealed bytes of delivered submissions are deleted after `retentionMs`.
 */
import { createHash, randomBytes, type KeyObject } from 'node:crypto';
import { link, open, readFile, unlink, mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import { SEALED_FILE_EXTENSION, SEALED_MEDIA_TYPE } from '../crypto/seal.ts';
import { signRequest } from '../crypto/request-signing.ts';
import type { Outbox, OutboxRow } from './outbox.ts';
import { abortAfter } from '../abort.ts';

export type DeliveryOutcome =
  | { kind: 'delivered'; httpStatus?: number }
  | { kind: 'retry'; errorCode: string; httpStatus?: number; retryAfterMs?: number }
  | { kind: 'rejected'; errorCode: string; httpStatus?: number };

export interface DeliveryTarget {
  /** For the audit log and logs: `folder` or `http`. Never a path with personal data (there is none). */
  readonly kind: 'folder' | 'http';
  /**
   * `route`: where an HTTP intake takes it (outbox `route`, issue 15); undefined = the intake URL.
   * `personKey`: the hall person key an HTTP intake gets in the signed `X-OneVisit-Person-Key`.
   */
  deliver(reference: string, blob: Buffer, signal: AbortSignal, route?: string, personKey?: string): Promise<DeliveryOutcome>;
}

function errnoCode(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : 'unknown';
}

/** The file name of a sealed submission at a folder intake. */
export function sealedFileName(reference: string): string {
  return `${reference}${SEALED_FILE_EXTENSION}`;
}

/** SHA-256 of a sealed blob, lowercase hex: how the intake and the terminal agree they hold the same bytes. */
export function sealedSha256(blob: Buffer): string {
  return createHash('sha256').update(blob).digest('hex');
}

/** Hidden temporary names FolderTarget writes before the rename. */
const TEMP_NAME = /^\.[^/]+\.[0-9a-f]{12}\.tmp$/;

export class FolderTarget implements DeliveryTarget {
  readonly kind = 'folder';
  readonly #dir: string;
  readonly #staleTempMs: number;
  #swept = false;
  constructor(dir: string, options: { staleTempMs?: number } = {}) {
    this.#dir = path.resolve(dir);
    this.#staleTempMs = options.staleTempMs ?? 10 * 60_000;
  }

  /** Removes temporary files that crashed writes left behind (best effort; never fails a delivery). */
  async sweepStaleTemps(nowMs: number = Date.now()): Promise<number> {
    let removed = 0;
    let names: string[];
    try {
      names = await readdir(this.#dir);
    } catch {
      return 0;
    }
    for (const name of names) {
      if (!TEMP_NAME.test(name)) continue;
      const file = path.join(this.#dir, name);
      try {
        if (nowMs - (await stat(file)).mtimeMs < this.#staleTempMs) continue;
        await unlink(file);
        removed += 1;
      } catch {
        // Gone already, or not ours to remove: leave it.
      }
    }
    return removed;
  }

  async deliver(reference: string, blob: Buffer): Promise<DeliveryOutcome> {
    if (!this.#swept) {
      this.#swept = true;
      await this.sweepStaleTemps();
    }
    const finalPath = path.join(this.#dir, sealedFileName(reference));
    const tmpPath = path.join(this.#dir, `.${reference}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await mkdir(this.#dir, { recursive: true });
      const file = await open(tmpPath, 'wx', 0o640);
      try {
        await file.writeFile(blob);
        await file.sync();
      } finally {
        await file.close();
      }
      // link, not rename: rename would replace a file already there, losing whichever came first.
      try {
        await link(tmpPath, finalPath);
      } catch (error) {
        if (errnoCode(error) !== 'EEXIST') throw error;
        const existing = await readFile(finalPath);
        await unlink(tmpPath).catch(() => undefined);
        return existing.equals(blob) ? { kind: 'delivered' } : { kind: 'rejected', errorCode: 'intakeConflict' };
      }
      await unlink(tmpPath);
      const dir = await open(this.#dir, 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
      return { kind: 'delivered' };
    } catch (error) {
      await unlink(tmpPath).catch(() => undefined);
      return { kind: 'retry', errorCode: `folder${errnoCode(error)}` };
    }
  }
}

export type HttpTargetOptions = {
  url: string;
  /** Per request. Default 30 s. */
  timeoutMs?: number;
  /** Injected for tests; default the global fetch. */
  fetch?: typeof fetch;
  /**
   * Signs each request as this terminal (issue 15, crypto/request-signing.ts). The intake answers
   * 401 to an unsigned, unknown or stale request: retried, since the submission itself is fine
   * (the terminal is not registered yet, or its clock is off).
   */
  signer?: { terminalId: string; privateKey: KeyObject; now: () => number };
};

function retryAfterMs(value: string | null): number | undefined {
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds, 3600) * 1000;
  return undefined;
}

/** Which HTTP statuses are worth retrying (the rest of 4xx means: never, as sent). */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 425 || status === 429;
}

/** A 409 answer is a delivery only when the intake says it stores exactly these bytes (`{ sha256 }`). */
function conflictHoldsOurBytes(body: ArrayBuffer | undefined, blob: Buffer): boolean {
  if (body === undefined || body.byteLength > 4096) return false;
  try {
    const parsed = JSON.parse(Buffer.from(body).toString('utf8')) as unknown;
    const stored = typeof parsed === 'object' && parsed !== null ? (parsed as { sha256?: unknown }).sha256 : undefined;
    return typeof stored === 'string' && stored === sealedSha256(blob);
  } catch {
    return false;
  }
}

export class HttpTarget implements DeliveryTarget {
  readonly kind = 'http';
  readonly #url: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #signer: HttpTargetOptions['signer'];
  constructor(options: HttpTargetOptions) {
    this.#signer = options.signer;
    this.#url = options.url;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#fetch = options.fetch ?? fetch;
  }

  async deliver(reference: string, blob: Buffer, signal: AbortSignal, route?: string, personKey?: string): Promise<DeliveryOutcome> {
    // A route is a path on the intake's origin (the back office API, issue 15), never another host.
    const url = route === undefined ? new URL(this.#url) : new URL(route, new URL(this.#url).origin);
    const signature = this.#signer
      ? signRequest({ terminalId: this.#signer.terminalId, privateKey: this.#signer.privateKey, method: 'POST', path: `${url.pathname}${url.search}`, body: blob, nowMs: this.#signer.now(), personKey })
      : {};
    // The timer covers the body too: an intake that stalls mid-answer is a timeout as well.
    const bounded = abortAfter(signal, this.#timeoutMs);
    try {
      return await this.#post(url, route, reference, blob, signature, bounded.signal);
    } finally {
      bounded.dispose();
    }
  }

  async #post(url: URL, route: string | undefined, reference: string, blob: Buffer, signature: Record<string, string>, signal: AbortSignal): Promise<DeliveryOutcome> {
    let response: Response;
    try {
      response = await this.#fetch(route === undefined ? this.#url : url.toString(), {
        method: 'POST',
        headers: {
          'Content-Type': SEALED_MEDIA_TYPE,
          'Idempotency-Key': reference,
          'X-OneVisit-Reference': reference,
          ...signature,
        },
        body: Uint8Array.from(blob),
        signal,
      });
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      if (name === 'TimeoutError') return { kind: 'retry', errorCode: 'httpTimeout' };
      if (name === 'AbortError') return { kind: 'retry', errorCode: 'aborted' };
      const cause = error instanceof Error ? errnoCode(error.cause) : 'unknown';
      return { kind: 'retry', errorCode: `network${cause}` };
    }
    // Only a 409's body matters; drain every body so the connection can be reused.
    const body = await response.arrayBuffer().catch(() => undefined);
    const status = response.status;
    if (status >= 200 && status < 300) return { kind: 'delivered', httpStatus: status };
    if (status === 409) {
      return conflictHoldsOurBytes(body, blob) ? { kind: 'delivered', httpStatus: status } : { kind: 'rejected', errorCode: 'intakeConflict', httpStatus: status };
    }
    if (status === 401) return { kind: 'retry', errorCode: 'http401', httpStatus: status };
    if (isRetryableStatus(status)) {
      const after = retryAfterMs(response.headers.get('retry-after'));
      return after === undefined ? { kind: 'retry', errorCode: `http${status}`, httpStatus: status } : { kind: 'retry', errorCode: `http${status}`, httpStatus: status, retryAfterMs: after };
    }
    return { kind: 'rejected', errorCode: `http${status}`, httpStatus: status };
  }
}

export type BackoffOptions = {
  /** Delay after the first failure. Default 2 s. */
  baseDelayMs: number;
  /** Cap. Default 10 min. */
  maxDelayMs: number;
};

/**
 * "Equal jitter": half the exponential delay, plus a random part of the other half.
 * `attempts` counts the failed attempts so far (1 after the first failure).
 */
export function backoffDelayMs(attempts: number, options: BackoffOptions, random: () => number): number {
  const exp = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, Math.min(attempts - 1, 30)));
  return Math.round(exp / 2 + random() * (exp / 2));
}

export type DeliveryWorkerOptions = {
  outbox: Outbox;
  target: DeliveryTarget;
  clock: Clock;
  log?: Logger;
  /** In [0, 1); injected for tests. */
  random?: () => number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Delete the sealed bytes this long after delivery. Default 7 days. */
  retentionMs?: number;
  /** Deliveries in flight at once. Default 2. */
  concurrency?: number;
  /** With `start()`: wake at least this often even when nothing is due. Default 60 s. */
  idlePollMs?: number;
};

export type TickSummary = { delivered: number; retried: number; rejected: number; purged: number };

export const DEFAULT_RETENTION_MS = 7 * 24 * 3600 * 1000;

export class DeliveryWorker {
  readonly #o: Required<Omit<DeliveryWorkerOptions, 'log'>> & { log: Logger | undefined };
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #inFlight: Promise<TickSummary> | undefined;
  #again = false;
  readonly #abort = new AbortController();

  constructor(options: DeliveryWorkerOptions) {
    this.#o = {
      outbox: options.outbox,
      target: options.target,
      clock: options.clock,
      log: options.log,
      random: options.random ?? Math.random,
      baseDelayMs: options.baseDelayMs ?? 2000,
      maxDelayMs: options.maxDelayMs ?? 10 * 60_000,
      retentionMs: options.retentionMs ?? DEFAULT_RETENTION_MS,
      concurrency: Math.max(1, options.concurrency ?? 2),
      idlePollMs: options.idlePollMs ?? 60_000,
    };
  }

  /**
   * Delivers everything due now (by the injected clock), then purges what retention allows.
   * Tests call this directly with a manual clock; `start()` calls it on a timer.
   */
  async tick(): Promise<TickSummary> {
    const summary: TickSummary = { delivered: 0, retried: 0, rejected: 0, purged: 0 };
    const seen = new Set<string>();
    for (;;) {
      if (this.#abort.signal.aborted) break;
      const due = this.#o.outbox.due(this.#o.clock.now(), this.#o.concurrency * 4).filter((r) => !seen.has(r.reference));
      if (due.length === 0) break;
      for (const r of due) seen.add(r.reference);
      const queue = [...due];
      const work = async (): Promise<void> => {
        for (let row = queue.shift(); row; row = queue.shift()) await this.#deliverOne(row, summary);
      };
      await Promise.all(Array.from({ length: Math.min(this.#o.concurrency, queue.length) }, work));
    }
    try {
      summary.purged = this.#o.outbox.purgeDelivered(this.#o.retentionMs).length;
    } catch (error) {
      this.#o.log?.warn({ err: error }, 'outbox: purge failed');
    }
    return summary;
  }

  async #deliverOne(row: OutboxRow, summary: TickSummary): Promise<void> {
    const { outbox, target, clock, log } = this.#o;
    const blob = outbox.blob(row.reference);
    if (!blob) {
      // Cannot happen for a pending row (blobs go only after delivery); do not spin on it.
      outbox.markRejected(row.reference, 'blobMissing', null);
      summary.rejected += 1;
      return;
    }
    let outcome: DeliveryOutcome;
    try {
      // Old rows (before 003-outbox-person-key) and items without a card deliver without the key, as before.
      outcome =
        row.personKey !== null
          ? await target.deliver(row.reference, blob, this.#abort.signal, row.route ?? undefined, row.personKey)
          : row.route === null
            ? await target.deliver(row.reference, blob, this.#abort.signal)
            : await target.deliver(row.reference, blob, this.#abort.signal, row.route);
    } catch (error) {
      log?.warn({ err: error, reference: row.reference }, 'outbox: delivery threw');
      outcome = { kind: 'retry', errorCode: 'deliveryError' };
    }
    try {
      switch (outcome.kind) {
        case 'delivered':
          outbox.markDelivered(row.reference, outcome.httpStatus === undefined ? { target: target.kind } : { target: target.kind, httpStatus: outcome.httpStatus });
          summary.delivered += 1;
          log?.info({ reference: row.reference, target: target.kind, httpStatus: outcome.httpStatus }, 'outbox: delivered');
          break;
        case 'retry': {
          const attempts = row.attempts + 1;
          const delay = Math.max(outcome.retryAfterMs ?? 0, backoffDelayMs(attempts, this.#o, this.#o.random));
          outbox.markFailed(row.reference, clock.now() + delay, outcome.errorCode, outcome.httpStatus ?? null);
          summary.retried += 1;
          log?.warn({ reference: row.reference, errorCode: outcome.errorCode, attempts, delayMs: delay }, 'outbox: delivery failed, will retry');
          break;
        }
        case 'rejected':
          outbox.markRejected(row.reference, outcome.errorCode, outcome.httpStatus ?? null);
          summary.rejected += 1;
          log?.error({ reference: row.reference, errorCode: outcome.errorCode, httpStatus: outcome.httpStatus }, 'outbox: intake rejected a submission (dead letter)');
          break;
        default: {
          const unreachable: never = outcome;
          throw new Error(`unknown outcome ${String(unreachable)}`);
        }
      }
    } catch (error) {
      // The store could not record the outcome (disk full?): the row stays pending and is
      // delivered again later; the idempotency key keeps that harmless.
      log?.error({ err: error, reference: row.reference }, 'outbox: could not record a delivery outcome');
    }
  }

  /** Runs `tick()` on a timer until `stop()`: when something is due, and at least every `idlePollMs`. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule(0);
  }

  /** Wake now (e.g. right after a submission was accepted). */
  kick(): void {
    if (!this.#running) return;
    if (this.#inFlight) this.#again = true;
    else this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#abort.abort();
    await this.#inFlight?.catch(() => undefined);
  }

  #schedule(delayMs: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#run();
    }, delayMs);
    this.#timer.unref();
  }

  async #run(): Promise<void> {
    if (!this.#running || this.#inFlight) return;
    this.#again = false;
    this.#inFlight = this.tick();
    try {
      await this.#inFlight;
    } catch (error) {
      this.#o.log?.error({ err: error }, 'outbox: delivery round failed');
    } finally {
      this.#inFlight = undefined;
    }
    if (!this.#running) return;
    if (this.#again) {
      this.#schedule(0);
      return;
    }
    let next: number | undefined;
    try {
      next = this.#o.outbox.nextDueAt();
    } catch {
      next = undefined;
    }
    const delay = next === undefined ? this.#o.idlePollMs : Math.min(this.#o.idlePollMs, Math.max(0, next - this.#o.clock.now()));
    this.#schedule(delay);
  }
}

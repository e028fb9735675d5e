import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import type { DeviceState, DeviceStatus } from '@onevisit/protocol';
import type { Unsubscribe } from '../device.ts';
import type { ScannedPage, ScanProblem, ScanRequest, ScanResult, Scanner } from './driver.ts';
import { pngSize } from './png-size.ts';
import { SANE_MODES, SANE_SOURCES, ScanimageProcess, type ScanimageRunner } from './scanimage.ts';
import { ScannerStatus, statusAfterProblem } from './status.ts';
import { abortAfter } from '../../abort.ts';

export interface SaneScannerOptions {
  /** SANE device name, e.g. `test`, `epson2:libusb:001:004`. */
  device: string;
  clock: Clock;
  log: Logger;
  runner?: ScanimageRunner;
  /** A scan still running after this long is stopped (default 120 s: a slow feeder, many pages). */
  scanTimeoutMs?: number;
  /** While offline or faulty, the device is looked for again this often (default 15 s; 0 = never). */
  reprobeIntervalMs?: number;
}

/**
 * The scanner driver over SANE: one job at a time, a timeout, cancel by killing the
 * `scanimage` child, status pushed on every change (online/busy/offline/fault).
 */
export class SaneScanner implements Scanner {
  readonly id = 'scanner' as const;
  readonly #options: SaneScannerOptions;
  readonly #runner: ScanimageRunner;
  readonly #status: ScannerStatus;
  readonly #log: Logger;
  #job: Promise<ScanResult> | undefined;
  #reprobe: NodeJS.Timeout | undefined;
  #probing = false;
  #stopped = true;

  constructor(options: SaneScannerOptions) {
    this.#options = options;
    this.#runner = options.runner ?? new ScanimageProcess();
    this.#status = new ScannerStatus(options.clock, 'sane');
    this.#log = options.log;
  }

  status(): DeviceStatus {
    return this.#status.current();
  }

  onStatus(listener: (status: DeviceStatus) => void): Unsubscribe {
    return this.#status.on(listener);
  }

  async start(): Promise<void> {
    this.#stopped = false;
    await this.#probe();
    const intervalMs = this.#options.reprobeIntervalMs ?? 15_000;
    if (intervalMs > 0) {
      this.#reprobe = setInterval(() => {
        if (this.#status.state === 'offline' || this.#status.state === 'fault') void this.#probe();
      }, intervalMs);
      this.#reprobe.unref();
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#reprobe) clearInterval(this.#reprobe);
    this.#reprobe = undefined;
    await this.#job?.catch(() => undefined);
    this.#status.set('offline', 'notConfigured');
  }

  async #probe(): Promise<void> {
    if (this.#probing || this.#job || this.#stopped) return;
    this.#probing = true;
    try {
      const result = await this.#runner.probe(this.#options.device, AbortSignal.timeout(10_000));
      if (this.#job || this.#stopped) return;
      if (!result.present) this.#status.set('offline', 'disconnected');
      else if (result.problem) this.#status.set(statusAfterProblem(result.problem).state, statusAfterProblem(result.problem).reason);
      else this.#status.set('online', 'ok');
    } finally {
      this.#probing = false;
    }
  }

  scan(request: ScanRequest, options: { signal: AbortSignal; onPage?: (page: ScannedPage) => void }): Promise<ScanResult> {
    if (this.#job) return Promise.resolve({ kind: 'busy' });
    if (this.#stopped) return Promise.resolve({ kind: 'deviceNotReady' });
    const job = this.#scan(request, options).finally(() => {
      this.#job = undefined;
    });
    this.#job = job;
    return job;
  }

  async #scan(request: ScanRequest, options: { signal: AbortSignal; onPage?: (page: ScannedPage) => void }): Promise<ScanResult> {
    const before = this.#status.state;
    // An offline scanner may have come back: the scan itself is the best probe.
    this.#status.set('busy', 'ok');
    const bounded = abortAfter(options.signal, this.#options.scanTimeoutMs ?? 120_000);
    try {
      return await this.#scanBounded(request, options, bounded.signal, before);
    } finally {
      bounded.dispose();
    }
  }

  async #scanBounded(request: ScanRequest, options: { signal: AbortSignal; onPage?: (page: ScannedPage) => void }, signal: AbortSignal, before: DeviceState): Promise<ScanResult> {
    const pages: ScannedPage[] = [];
    const onPng = (png: Buffer): void => {
      const size = pngSize(png);
      if (!size) return;
      const page: ScannedPage = { index: pages.length, png, width: size.width, height: size.height, resolutionDpi: request.resolutionDpi };
      pages.push(page);
      options.onPage?.(page);
    };
    const startedMs = this.#options.clock.now();
    let result: ScanResult | undefined;
    for (const mode of SANE_MODES[request.colorMode]) {
      const outcome = await this.#runner.scan(
        {
          device: this.#options.device,
          resolutionDpi: request.resolutionDpi,
          mode,
          pages: request.pages,
          ...(request.source ? { source: SANE_SOURCES[request.source] } : {}),
        },
        signal,
        onPng,
      );
      if (outcome.kind === 'modeRejected') {
        this.#log.info({ mode }, 'scanner rejected this mode spelling; trying the next');
        continue;
      }
      if (outcome.kind === 'canceled') {
        result = { kind: 'canceled' };
        break;
      }
      const problem: ScanProblem | undefined = outcome.problem ?? (outcome.files.length > 0 && pages.length === 0 ? 'badOutput' : undefined);
      if (problem === undefined && pages.length === 0) result = { kind: 'failed', problem: 'noDocuments', pages };
      else result = problem === undefined ? { kind: 'scanned', pages } : { kind: 'failed', problem, pages };
      break;
    }
    result ??= { kind: 'failed', problem: 'unsupported', pages };
    if (result.kind === 'failed') {
      const after = statusAfterProblem(result.problem);
      this.#status.set(after.state, after.reason);
      if (result.problem === 'noDevice') result = { kind: 'deviceNotReady' };
    } else if (result.kind === 'canceled') {
      this.#status.set(before === 'busy' ? 'online' : before === 'offline' ? 'offline' : 'online', before === 'offline' ? 'disconnected' : 'ok');
    } else {
      this.#status.set('online', 'ok');
    }
    this.#log.info({ outcome: result.kind, pages: pages.length, durationMs: this.#options.clock.now() - startedMs, ...(result.kind === 'failed' ? { problem: result.problem } : {}) }, 'scan finished');
    return result;
  }
}

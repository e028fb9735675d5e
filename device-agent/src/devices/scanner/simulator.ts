import { shanghaiDate } from '@onevisit/protocol';
import type { Clock } from '../../clock.ts';
import type { DevDeviceState, DeviceStatus } from '@onevisit/protocol';
import type { Unsubscribe } from '../device.ts';
import type { SimulatedDevice } from '../simulated.ts';
import type { ScannedPage, ScanProblem, ScanRequest, ScanResult, Scanner } from './driver.ts';
import { pngSize } from './png-size.ts';
import { renderSampleDocument, type SampleDocumentOptions } from './sample-pages.ts';
import { ScannerStatus } from './status.ts';

/** What lies on the simulated scanner: stored PNGs, or a sample document rendered at the scan's resolution. */
export type PlacedPage = { png: Buffer } | { sample: SampleDocumentOptions };

export interface ScannerSimulatorOptions {
  clock: Clock;
  /** Time each page takes; 0 (default) is instant. Waits are real timers, cut short by cancel. */
  pageDelayMs?: number;
}

/**
 * A simulated document scanner. It returns the pages placed on it (by default a temporary
 * ID certificate of a fictional person), and can be told to jam, open its cover, run out of
 * documents or go offline. One fresh simulator per test; nothing is shared.
 */
export class ScannerSimulator implements Scanner, SimulatedDevice {
  readonly id = 'scanner' as const;
  readonly #status: ScannerStatus;
  readonly #pageDelayMs: number;
  #placed: PlacedPage[] = [{ sample: { kind: 'temporaryIdCertificate' } }];
  #condition: 'ok' | 'offline' | 'jammed' | 'coverOpen' | 'fault' = 'offline';
  /** One-shot problem for the next scan (e.g. `noDocuments`), after `failAfterPages` pages. */
  #nextProblem: { problem: ScanProblem; afterPages: number } | undefined;
  #busy = false;
  /** Scans done, for tests. */
  scans = 0;

  readonly #clock: Clock;

  constructor(options: ScannerSimulatorOptions) {
    this.#clock = options.clock;
    this.#status = new ScannerStatus(options.clock, 'sim');
    this.#pageDelayMs = options.pageDelayMs ?? 0;
  }

  status(): DeviceStatus {
    return this.#status.current();
  }

  onStatus(listener: (status: DeviceStatus) => void): Unsubscribe {
    return this.#status.on(listener);
  }

  start(): Promise<void> {
    this.#setCondition('ok');
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.#setCondition('offline');
    return Promise.resolve();
  }

  /** Puts pages on the glass / in the feeder; a scan of N pages takes them in turn (cycling). */
  place(pages: PlacedPage[]): void {
    if (pages.length === 0) throw new Error('place at least one page');
    this.#placed = pages.slice();
  }

  /** The next scan fails with `problem` after delivering `afterPages` pages (a jam mid-batch). */
  failNextScan(problem: ScanProblem, afterPages = 0): void {
    this.#nextProblem = { problem, afterPages };
  }

  setSimulatedState(state: DevDeviceState): boolean {
    switch (state) {
      case 'online':
        this.#setCondition('ok');
        return true;
      case 'offline':
        this.#setCondition('offline');
        return true;
      case 'fault':
        this.#setCondition('fault');
        return true;
      case 'paperJam':
        this.#setCondition('jammed');
        return true;
      case 'coverOpen':
        this.#setCondition('coverOpen');
        return true;
      case 'paperOut':
        this.failNextScan('noDocuments');
        return true;
      case 'paperLow':
        return false;
      default: {
        const unreachable: never = state;
        return unreachable;
      }
    }
  }

  #setCondition(condition: 'ok' | 'offline' | 'jammed' | 'coverOpen' | 'fault'): void {
    this.#condition = condition;
    switch (condition) {
      case 'ok':
        this.#status.set(this.#busy ? 'busy' : 'online', 'ok');
        break;
      case 'offline':
        this.#status.set('offline', 'simulatedOffline');
        break;
      case 'jammed':
        this.#status.set('fault', 'paperJam');
        break;
      case 'coverOpen':
        this.#status.set('fault', 'coverOpen');
        break;
      case 'fault':
        this.#status.set('fault', 'simulatedFault');
        break;
      default: {
        const unreachable: never = condition;
        return unreachable;
      }
    }
  }

  async scan(request: ScanRequest, options: { signal: AbortSignal; onPage?: (page: ScannedPage) => void }): Promise<ScanResult> {
    if (this.#busy) return { kind: 'busy' };
    switch (this.#condition) {
      case 'offline':
        return { kind: 'deviceNotReady' };
      case 'jammed':
        return { kind: 'failed', problem: 'jammed', pages: [] };
      case 'coverOpen':
        return { kind: 'failed', problem: 'coverOpen', pages: [] };
      case 'fault':
        return { kind: 'failed', problem: 'ioError', pages: [] };
      case 'ok':
        break;
      default: {
        const unreachable: never = this.#condition;
        return unreachable;
      }
    }
    this.#busy = true;
    this.scans += 1;
    this.#status.set('busy', 'ok');
    const problem = this.#nextProblem;
    this.#nextProblem = undefined;
    const pages: ScannedPage[] = [];
    try {
      for (let i = 0; i < request.pages; i += 1) {
        if (problem && i >= problem.afterPages) {
          if (problem.problem === 'jammed') this.#setCondition('jammed');
          return { kind: 'failed', problem: problem.problem, pages };
        }
        if (!(await this.#wait(options.signal))) return { kind: 'canceled' };
        const placed = this.#placed[i % this.#placed.length];
        if (!placed) break;
        const png = 'png' in placed ? placed.png : renderSampleDocument({ today: shanghaiDate(this.#clock.now()), ...placed.sample, dpi: placed.sample.dpi ?? request.resolutionDpi }).png;
        const size = pngSize(png);
        if (!size) return { kind: 'failed', problem: 'badOutput', pages };
        const page: ScannedPage = { index: i, png, width: size.width, height: size.height, resolutionDpi: request.resolutionDpi };
        pages.push(page);
        options.onPage?.(page);
      }
      return { kind: 'scanned', pages };
    } finally {
      this.#busy = false;
      if (this.#condition === 'ok') this.#status.set('online', 'ok');
    }
  }

  #wait(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    if (this.#pageDelayMs <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, this.#pageDelayMs);
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve(false);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

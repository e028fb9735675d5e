import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../../clock.ts';
import type { DevDeviceState, DeviceStatus } from '@onevisit/protocol';
import type { Unsubscribe } from '../device.ts';
import type { SimulatedDevice } from '../simulated.ts';
import { Listeners } from '../listeners.ts';
import { looksLikePdf, type A4Printer, type PdfJobResult, type PrintPdfOptions } from './driver.ts';

/**
 * The simulated A4 printer: "prints" by writing each PDF into a spool folder (the OS temp folder,
 * never the agent's data dir: see create.ts), so a developer can open what the terminal would have printed. It can be told
 * offline, paper low/out, cover open, jam and fault (Dev.SetDeviceState), and to run out of
 * paper during the next job.
 */
export class SimulatedA4Printer implements A4Printer, SimulatedDevice {
  readonly id = 'printer' as const;
  readonly spoolDir: string;
  readonly #clock: Clock;
  readonly #listeners = new Listeners<DeviceStatus>();
  #state: DevDeviceState = 'online';
  #status: DeviceStatus;
  #jobs = 0;
  #failNextJob = false;
  readonly #files: string[] = [];
  #chain: Promise<unknown> = Promise.resolve();

  constructor(options: { spoolDir: string; clock: Clock }) {
    this.spoolDir = options.spoolDir;
    this.#clock = options.clock;
    this.#status = this.#statusFor('online');
  }

  status(): DeviceStatus {
    return this.#status;
  }
  onStatus(listener: (status: DeviceStatus) => void): Unsubscribe {
    return this.#listeners.add(listener);
  }
  /** The spool folder is made at the first job, so a simulator that never prints leaves no trace. */
  start(): Promise<void> {
    return Promise.resolve();
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
  refreshStatus(): Promise<DeviceStatus> {
    return Promise.resolve(this.#status);
  }

  setState(state: DevDeviceState): DeviceStatus {
    this.#state = state;
    this.#publish(this.#statusFor(state));
    return this.#status;
  }

  /** SimulatedDevice (Dev.SetDeviceState): every DevDeviceState applies to the A4 printer. */
  setSimulatedState(state: DevDeviceState): boolean {
    this.setState(state);
    return true;
  }

  /** The paper runs out in the middle of the next job. */
  failNextJobWithPaperOut(): void {
    this.#failNextJob = true;
  }

  /** Paths of the PDFs printed so far, oldest first. */
  printedFiles(): readonly string[] {
    return this.#files;
  }

  /** Deletes what was "printed": called when a citizen session ends, after any job in progress. */
  clearSpool(): Promise<void> {
    const run = this.#chain.then(async () => {
      for (const file of this.#files.splice(0)) await rm(file, { force: true });
    });
    this.#chain = run.catch(() => undefined);
    return run;
  }

  printPdf(pdf: Uint8Array, options: PrintPdfOptions = {}): Promise<PdfJobResult> {
    const run = this.#chain.then(() => this.#run(pdf, options));
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #run(pdf: Uint8Array, options: PrintPdfOptions): Promise<PdfJobResult> {
    if (!looksLikePdf(pdf)) return { kind: 'failed', reason: 'invalidPdf', partial: false };
    if (options.signal?.aborted ?? false) return { kind: 'canceled', partial: false };
    switch (this.#state) {
      case 'offline':
        return { kind: 'notReady', reason: 'offline', partial: false };
      case 'paperOut':
      case 'coverOpen':
      case 'paperJam':
        return { kind: 'notReady', reason: this.#state, partial: false };
      case 'fault':
        return { kind: 'failed', reason: 'hardwareFault', partial: false };
      case 'online':
      case 'paperLow':
        break;
      default: {
        const unreachable: never = this.#state;
        return unreachable;
      }
    }
    this.#jobs += 1;
    const jobId = `sim-${this.#jobs}`;
    options.onStage?.({ stage: 'queued', jobId });
    const ready = this.#status;
    this.#publish({ ...ready, state: 'busy' });
    options.onStage?.({ stage: 'printing', jobId });
    if (this.#failNextJob) {
      this.#failNextJob = false;
      this.setState('paperOut');
      return { kind: 'notReady', reason: 'paperOut', partial: true, jobId };
    }
    // The printed forms hold personal data (issue 11): the folder is the agent user's alone, and the
    // files go at the end of the citizen session (clearSpool).
    await mkdir(this.spoolDir, { recursive: true, mode: 0o700 });
    await chmod(this.spoolDir, 0o700);
    const file = path.join(this.spoolDir, `job-${String(this.#jobs).padStart(4, '0')}-x${options.copies ?? 1}.pdf`);
    await writeFile(file, pdf, { mode: 0o600 });
    this.#files.push(file);
    this.#publish(ready);
    const pages = countPages(pdf);
    const copies = options.copies ?? 1;
    return pages === undefined ? { kind: 'printed', jobId } : { kind: 'printed', jobId, pages: pages * copies };
  }

  #statusFor(state: DevDeviceState): DeviceStatus {
    const base = { device: 'printer' as const, driver: 'sim', since: new Date(this.#clock.now()).toISOString() };
    switch (state) {
      case 'online':
        return { ...base, state: 'online', attention: 'none', reason: 'ok' };
      case 'paperLow':
        return { ...base, state: 'online', attention: 'clear', reason: 'paperLow' };
      case 'offline':
        return { ...base, state: 'offline', attention: 'maintenance', reason: 'simulatedOffline' };
      case 'fault':
        return { ...base, state: 'fault', attention: 'maintenance', reason: 'simulatedFault' };
      case 'paperOut':
      case 'coverOpen':
      case 'paperJam':
        return { ...base, state: 'fault', attention: 'clear', reason: state };
      default: {
        const unreachable: never = state;
        return unreachable;
      }
    }
  }

  #publish(next: DeviceStatus): void {
    const prev = this.#status;
    if (prev.state === next.state && prev.attention === next.attention && prev.reason === next.reason) return;
    this.#status = { ...next, since: new Date(this.#clock.now()).toISOString() };
    this.#listeners.emit(this.#status);
  }
}

/** Pages of an uncompressed page tree: `/Type /Page` objects (not `/Pages`). Undefined when hidden in object streams. */
export function countPages(pdf: Uint8Array): number | undefined {
  const text = Buffer.from(pdf).toString('latin1');
  const n = text.match(/\/Type\s*\/Page(?![a-zA-Z])/g)?.length ?? 0;
  return n > 0 ? n : undefined;
}

import type { Clock } from '../../clock.ts';
import type { DeviceStatus } from '@onevisit/protocol';
import type { Unsubscribe } from '../device.ts';
import { Listeners } from '../listeners.ts';
import { a4Status, canAcceptJob, jobNumber, parseIpptoolCsv, parseJobInfo, parseLpJobId, parsePrinterInfo, printerCondition, type A4Condition, type JobInfo } from './cups.ts';
import type { CupsClient } from './cups-client.ts';
import { looksLikePdf, type A4Printer, type PdfJobResult, type PrintPdfOptions } from './driver.ts';

export type CupsPrinterOptions = {
  queue: string;
  client: CupsClient;
  clock: Clock;
  /** How often a job's state is asked while it runs. */
  jobPollIntervalMs?: number;
  /** A job not done by then is canceled and reported failed (the handler's timeout may be shorter). */
  jobTimeoutMs?: number;
  /** Per command (lp, ipptool, cancel). */
  commandTimeoutMs?: number;
  /** Status poll while idle; 0 = none. */
  pollIntervalMs?: number;
};

/**
 * A4 printer through CUPS: submit the PDF with `lp`, follow the job with IPP
 * Get-Job-Attributes (ipptool) to completed / canceled / aborted, read the printer's state and
 * reasons with Get-Printer-Attributes. One job at a time. A job that cannot finish
 * (printer stopped, timeout, cancel) is canceled in CUPS so that a retry does not print twice.
 */
export class CupsPrinter implements A4Printer {
  readonly id = 'printer' as const;
  readonly #o: Required<CupsPrinterOptions>;
  readonly #listeners = new Listeners<DeviceStatus>();
  #status: DeviceStatus;
  #chain: Promise<unknown> = Promise.resolve();
  #poll: NodeJS.Timeout | undefined;

  constructor(options: CupsPrinterOptions) {
    this.#o = { jobPollIntervalMs: 500, jobTimeoutMs: 300_000, commandTimeoutMs: 10_000, pollIntervalMs: 10_000, ...options };
    this.#status = a4Status('offline', this.#now());
  }

  status(): DeviceStatus {
    return this.#status;
  }

  onStatus(listener: (status: DeviceStatus) => void): Unsubscribe {
    return this.#listeners.add(listener);
  }

  async start(): Promise<void> {
    await this.refreshStatus();
    if (this.#o.pollIntervalMs > 0 && this.#poll === undefined) {
      this.#poll = setInterval(() => {
        void this.refreshStatus();
      }, this.#o.pollIntervalMs);
      this.#poll.unref();
    }
  }

  stop(): Promise<void> {
    if (this.#poll) clearInterval(this.#poll);
    this.#poll = undefined;
    return Promise.resolve();
  }

  refreshStatus(): Promise<DeviceStatus> {
    return this.#exclusive(async () => {
      this.#set(await this.#printerCondition());
      return this.#status;
    });
  }

  printPdf(pdf: Uint8Array, options: PrintPdfOptions = {}): Promise<PdfJobResult> {
    if (!looksLikePdf(pdf)) return Promise.resolve({ kind: 'failed', reason: 'invalidPdf', partial: false });
    return this.#exclusive(() => this.#runJob(pdf, options));
  }

  async #runJob(pdf: Uint8Array, options: PrintPdfOptions): Promise<PdfJobResult> {
    const { signal } = options;
    if (signal?.aborted ?? false) return { kind: 'canceled', partial: false };
    const before = await this.#printerCondition();
    this.#set(before);
    if (!canAcceptJob(before)) return notReady(before, false, undefined);

    const submitted = await this.#o.client.submit(this.#o.queue, pdf, {
      copies: options.copies ?? 1,
      title: options.title ?? 'OneVisit',
      timeoutMs: this.#o.commandTimeoutMs,
    });
    const jobId = parseLpJobId(submitted.stdout);
    const number = jobId === undefined ? undefined : jobNumber(jobId);
    if (submitted.code !== 0 || jobId === undefined || number === undefined) {
      this.#set(await this.#printerCondition());
      return { kind: 'failed', reason: 'printFailed', partial: false };
    }
    options.onStage?.({ stage: 'queued', jobId });

    const deadline = Date.now() + this.#o.jobTimeoutMs;
    let announcedPrinting = false;
    let last: JobInfo | undefined;
    for (;;) {
      const job = await this.#jobInfo(number);
      if (job === undefined) {
        // No answer this time (cupsd busy): ask again after the pause below.
        if (await this.#givesUp(jobId, signal, deadline)) {
          return (signal?.aborted ?? false) ? { kind: 'canceled', partial: false, jobId } : { kind: 'failed', reason: 'printFailed', partial: false, jobId };
        }
        await sleep(this.#o.jobPollIntervalMs, signal);
        continue;
      }
      last = job;
      const pagesDone = (last?.impressionsCompleted ?? 0) > 0;
      switch (job.state) {
        case 'completed': {
          this.#set(await this.#printerCondition());
          return job.impressionsCompleted === undefined ? { kind: 'printed', jobId } : { kind: 'printed', jobId, pages: job.impressionsCompleted };
        }
        case 'canceled':
          return { kind: 'canceled', partial: pagesDone, jobId };
        case 'aborted': {
          const condition = await this.#printerCondition();
          this.#set(condition);
          return canAcceptJob(condition) ? { kind: 'failed', reason: 'printFailed', partial: pagesDone, jobId } : notReady(condition, pagesDone, jobId);
        }
        case 'processing':
          if (!announcedPrinting) {
            announcedPrinting = true;
            this.#publish({ ...this.#status, state: 'busy' });
            options.onStage?.({ stage: 'printing', jobId });
          }
          break;
        case 'processing-stopped':
        case 'pending':
        case 'pending-held':
          break;
        default: {
          const unreachable: never = job.state;
          return unreachable;
        }
      }
      // The printer stopped under the job (paper out, cover open, backend failed): give up on
      // this job rather than leave it to print when nobody is there.
      const condition = await this.#printerCondition();
      if (!canAcceptJob(condition)) {
        this.#set(condition);
        await this.#o.client.cancel(jobId, this.#o.commandTimeoutMs);
        return notReady(condition, pagesDone, jobId);
      }
      if (await this.#givesUp(jobId, signal, deadline)) {
        return (signal?.aborted ?? false) ? { kind: 'canceled', partial: pagesDone, jobId } : { kind: 'failed', reason: 'printFailed', partial: pagesDone, jobId };
      }
      await sleep(this.#o.jobPollIntervalMs, signal);
    }
  }

  /** Cancels the job in CUPS when the caller gave up (cancel, timeout) or the deadline passed. */
  async #givesUp(jobId: string, signal: AbortSignal | undefined, deadline: number): Promise<boolean> {
    if (!(signal?.aborted ?? false) && Date.now() < deadline) return false;
    await this.#o.client.cancel(jobId, this.#o.commandTimeoutMs);
    return true;
  }

  async #jobInfo(number: number): Promise<JobInfo | undefined> {
    const r = await this.#o.client.ipp(this.#o.queue, 'get-job', { job_id: String(number) }, this.#o.commandTimeoutMs);
    return parseJobInfo(parseIpptoolCsv(r.stdout)[0]);
  }

  async #printerCondition(): Promise<A4Condition> {
    const r = await this.#o.client.ipp(this.#o.queue, 'get-printer', {}, this.#o.commandTimeoutMs);
    if (r.code !== 0 && /does not exist|not found/i.test(r.stderr + r.stdout)) return 'notFound';
    const info = parsePrinterInfo(parseIpptoolCsv(r.stdout)[0]);
    // No answer at all: cupsd down or unreachable.
    return info === undefined ? 'offline' : printerCondition(info);
  }

  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(task, task);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  #set(condition: A4Condition): void {
    this.#publish(a4Status(condition, this.#now()));
  }

  #publish(next: DeviceStatus): void {
    const prev = this.#status;
    if (prev.state === next.state && prev.attention === next.attention && prev.reason === next.reason) return;
    this.#status = { ...next, since: this.#now() };
    this.#listeners.emit(this.#status);
  }

  #now(): string {
    return new Date(this.#o.clock.now()).toISOString();
  }
}

function notReady(condition: A4Condition, partial: boolean, jobId: string | undefined): PdfJobResult {
  const withJob = <T extends object>(r: T): T & { jobId?: string } => (jobId === undefined ? r : { ...r, jobId });
  switch (condition) {
    case 'paperOut':
    case 'coverOpen':
    case 'paperJam':
      return withJob({ kind: 'notReady' as const, reason: condition, partial });
    case 'hardwareFault':
      return withJob({ kind: 'failed' as const, reason: 'hardwareFault' as const, partial });
    case 'offline':
    case 'paused':
    case 'notFound':
    case 'online':
    case 'busy':
    case 'paperLow':
      return withJob({ kind: 'notReady' as const, reason: 'offline' as const, partial });
    default: {
      const unreachable: never = condition;
      return unreachable;
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

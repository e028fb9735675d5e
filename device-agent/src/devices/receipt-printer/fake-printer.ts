import { decodeJob, type ReceiptPreview } from './preview.ts';
import { statusBytesFor, type ReceiptCondition } from './escpos-status.ts';

/**
 * The printer's side of the wire, in memory: takes the bytes a driver sends, answers
 * DLE EOT n with the status bytes of its current condition, and keeps the jobs it received.
 * Used by the simulator (on a MemoryLine from devices/transport) and by the tests behind a TCP listener or a pty.
 */
export type ReceivedJob = {
  bytes: Uint8Array;
  /** Whether the printer could print all of it (it was online/paper-low from start to end). */
  printed: boolean;
};

export type FakePrinterCondition = ReceiptCondition;

export class FakeEscPosPrinter {
  #condition: FakePrinterCondition = 'online';
  #paperLow = false;
  /** Bytes of job data after which the paper runs out (to simulate a failure mid-job). */
  #paperOutAfterBytes: number | undefined;
  readonly #jobs: { bytes: number[]; printed: boolean }[] = [];
  #pending: number[] = [];
  /** Every DLE EOT n received, in order. */
  readonly statusQueries: number[] = [];

  get condition(): FakePrinterCondition {
    return this.#condition;
  }

  setCondition(condition: FakePrinterCondition): void {
    this.#condition = condition;
    if (condition !== 'online' && condition !== 'paperLow') this.#markCurrentJobFailed();
  }

  setPaperLow(low: boolean): void {
    this.#paperLow = low;
  }

  /** The paper runs out after this many more bytes of job data. */
  runOutOfPaperAfter(bytes: number): void {
    this.#paperOutAfterBytes = bytes;
  }

  /**
   * Feeds bytes from the host; returns the reply bytes. A printer that does not answer at all
   * (`noResponse`: powered off) returns nothing.
   */
  receive(chunk: Uint8Array): Uint8Array {
    const replies: number[] = [];
    for (const byte of chunk) {
      this.#pending.push(byte);
      // DLE EOT n is a real-time command: answered at once, wherever it appears.
      const p = this.#pending;
      if (p.length >= 3 && p[p.length - 3] === 0x10 && p[p.length - 2] === 0x04) {
        const n = p[p.length - 1] ?? 0;
        p.splice(p.length - 3, 3);
        this.statusQueries.push(n);
        if (this.#condition !== 'noResponse' && n >= 1 && n <= 4) replies.push(this.#statusByte(n));
        continue;
      }
      if (p.length >= 2 && p[p.length - 2] === 0x10 && p[p.length - 1] === 0x04) continue;
      this.#takeJobBytes();
    }
    return Uint8Array.from(replies);
  }

  #takeJobBytes(): void {
    // Keep a trailing DLE that may start a status query in the next chunk.
    const keep = this.#pending.at(-1) === 0x10 ? 1 : 0;
    const bytes = this.#pending.splice(0, this.#pending.length - keep);
    for (const byte of bytes) {
      const last = this.#jobs.at(-1);
      const startsJob = byte === 0x40 && last !== undefined && last.bytes.at(-1) === 0x1b && last.bytes.length > 1;
      if (last === undefined || startsJob) {
        if (startsJob && last) last.bytes.pop();
        this.#jobs.push({ bytes: startsJob ? [0x1b, 0x40] : [byte], printed: this.#printing() });
      } else {
        last.bytes.push(byte);
      }
      if (this.#paperOutAfterBytes !== undefined) {
        this.#paperOutAfterBytes -= 1;
        if (this.#paperOutAfterBytes <= 0) {
          this.#paperOutAfterBytes = undefined;
          this.setCondition('paperOut');
        }
      }
    }
  }

  #printing(): boolean {
    return this.#condition === 'online' || this.#condition === 'paperLow' || this.#condition === 'headHot';
  }

  #markCurrentJobFailed(): void {
    const last = this.#jobs.at(-1);
    if (last) last.printed = false;
  }

  #statusByte(n: number): number {
    const bytes = statusBytesFor(this.#condition, this.#paperLow || this.#condition === 'paperLow');
    return n === 1 ? bytes.printer : n === 2 ? bytes.offlineCause : n === 3 ? bytes.errorCause : bytes.paperSensor;
  }

  jobs(): ReceivedJob[] {
    return this.#jobs.map((j) => ({ bytes: Uint8Array.from(j.bytes), printed: j.printed }));
  }

  /** The receipts as they came out of the printer (only those printed whole). */
  printedPreviews(): ReceiptPreview[] {
    return this.#jobs.filter((j) => j.printed).map((j) => decodeJob(Uint8Array.from(j.bytes)));
  }
}

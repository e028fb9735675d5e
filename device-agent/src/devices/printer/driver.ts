import type { DeviceStatus } from '@onevisit/protocol';
import type { Device } from '../device.ts';

export type PdfJobStage = { stage: 'queued'; jobId: string } | { stage: 'printing'; jobId: string };

/**
 * The outcome of one A4 job, a value (STYLE.md). `partial`: pages may have come out before it
 * failed. A failed or canceled job is removed from the queue, so sending the PDF again does not
 * print it twice when the printer comes back.
 */
export type PdfJobResult =
  | { kind: 'printed'; jobId: string; pages?: number }
  | { kind: 'notReady'; reason: 'paperOut' | 'coverOpen' | 'paperJam' | 'offline'; partial: boolean; jobId?: string }
  | { kind: 'failed'; reason: 'hardwareFault' | 'printFailed' | 'invalidPdf'; partial: boolean; jobId?: string }
  | { kind: 'canceled'; partial: boolean; jobId?: string };

export type PrintPdfOptions = {
  copies?: number;
  /** Job name shown in the print system; never personal data. */
  title?: string;
  signal?: AbortSignal;
  onStage?: (stage: PdfJobStage) => void;
};

export interface A4Printer extends Device {
  readonly id: 'printer';
  printPdf(pdf: Uint8Array, options?: PrintPdfOptions): Promise<PdfJobResult>;
  /** Asks the printer now and pushes the status if it changed. */
  refreshStatus(): Promise<DeviceStatus>;
}

/** `%PDF-` within the first 1024 bytes (ISO 32000-1 7.5.2 allows leading bytes). */
export function looksLikePdf(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1');
  return head.includes('%PDF-');
}

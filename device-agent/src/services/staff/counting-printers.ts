import type { DeviceStatus, ReceiptDocument } from '@onevisit/protocol';
import type { Device, Unsubscribe } from '../../devices/device.ts';
import type { A4Printer, PdfJobResult, PrintPdfOptions } from '../../devices/printer/driver.ts';
import type { ReceiptJobResult, ReceiptPrinter } from '../../devices/receipt-printer/driver.ts';
import type { SupplyService } from './supplies.ts';

/**
 * The printers as services and handlers see them (issue 12): every print is counted off its supply
 * unit, and while staff have the unit in an exchange the printer is out of service for citizens
 * (the job is refused as `offline`, nothing reaches the device). The exchange's own test print goes
 * to the real driver.
 */
/** What a wrapper forwards unchanged: the device's identity, status and life cycle. */
function passThrough<D extends Device & { refreshStatus(): Promise<DeviceStatus> }>(inner: D): Pick<D, 'id' | 'status' | 'onStatus' | 'start' | 'stop' | 'refreshStatus'> {
  return {
    id: inner.id,
    status: (): DeviceStatus => inner.status(),
    onStatus: (listener): Unsubscribe => inner.onStatus(listener),
    start: () => inner.start(),
    stop: () => inner.stop(),
    refreshStatus: () => inner.refreshStatus(),
  };
}

export function countingReceiptPrinter(inner: ReceiptPrinter, supplies: SupplyService): ReceiptPrinter {
  return {
    ...passThrough(inner),
    async print(receipt: ReceiptDocument, options?: { signal?: AbortSignal }): Promise<ReceiptJobResult> {
      if (supplies.inExchange('receiptPrinter')) return { kind: 'offline', partial: false };
      const result = await inner.print(receipt, options);
      // A failure part-way used paper too; count it as printed (the estimate errs towards "less left").
      if (result.kind === 'printed' || ('partial' in result && result.partial)) supplies.receiptPrinted(receipt);
      return result;
    },
  };
}

/** Pages in a PDF when the print system does not say: count the page objects (ISO 32000-1 7.7.3.3, /Type /Page). */
export function countPdfPages(pdf: Uint8Array): number {
  const text = Buffer.from(pdf).toString('latin1');
  return Math.max(1, (text.match(/\/Type\s*\/Page(?![A-Za-z])/g) ?? []).length);
}

export function countingA4Printer(inner: A4Printer, supplies: SupplyService): A4Printer {
  return {
    ...passThrough(inner),
    async printPdf(pdf: Uint8Array, options?: PrintPdfOptions): Promise<PdfJobResult> {
      if (supplies.inExchange('printer')) return { kind: 'notReady', reason: 'offline', partial: false };
      const result = await inner.printPdf(pdf, options);
      if (result.kind === 'printed') supplies.a4Printed(result.pages ?? countPdfPages(pdf) * (options?.copies ?? 1));
      return result;
    },
  };
}

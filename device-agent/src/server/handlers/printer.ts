import type { PdfJobResult } from '../../devices/printer/driver.ts';
import type { ReceiptJobResult } from '../../devices/receipt-printer/driver.ts';
import { MAX_PDF_BYTES, type PrintErrorCode } from '../../protocol/index.ts';
import { abortedOutcome, failure, success, type CommandOutcome, type HandlersFor } from '../handler.ts';

/**
 * Printer.* (A4 through CUPS or the simulator) and ReceiptPrinter.* (ESC/POS).
 * Expected failures are completions with a stable errorCode (PRINT_ERROR_CODES); `partial: true`
 * in the payload says part of the print may have come out. The caller keeps the document and
 * may send it again: a failed A4 job has been removed from the CUPS queue, so a retry never
 * prints twice.
 */

const NOT_READY_TEXT: Record<'paperOut' | 'coverOpen' | 'paperJam' | 'offline', string> = {
  paperOut: 'The printer is out of paper. Please ask the hall staff for help.',
  coverOpen: 'The printer cover is open. Please ask the hall staff for help.',
  paperJam: 'The paper is jammed in the printer. Please ask the hall staff for help.',
  offline: 'The printer is not available. Please ask the hall staff for help.',
};

function fail<N extends 'Printer.PrintPdf' | 'ReceiptPrinter.Print'>(
  code: 'deviceNotReady' | 'hardwareError' | 'invalidData',
  errorCode: PrintErrorCode,
  description: string,
  extra: { partial?: boolean; jobId?: string } = {},
): CommandOutcome<N> {
  return Object.keys(extra).length === 0 ? failure<N>(code, errorCode, description) : failure<N>(code, errorCode, description, extra);
}

function pdfOutcome(result: PdfJobResult, signal: AbortSignal): CommandOutcome<'Printer.PrintPdf'> {
  switch (result.kind) {
    case 'printed':
      return success<'Printer.PrintPdf'>(result.pages === undefined ? { jobId: result.jobId } : { jobId: result.jobId, pages: result.pages });
    case 'notReady':
      return fail<'Printer.PrintPdf'>('deviceNotReady', result.reason, NOT_READY_TEXT[result.reason], jobExtra(result.partial, result.jobId));
    case 'failed': {
      const reason = result.reason;
      switch (reason) {
        case 'invalidPdf':
          return fail<'Printer.PrintPdf'>('invalidData', 'invalidPdf', 'The document is not a PDF.');
        case 'hardwareFault':
          return fail<'Printer.PrintPdf'>('hardwareError', 'hardwareFault', 'The printer reports a fault. Please ask the hall staff for help.', jobExtra(result.partial, result.jobId));
        case 'printFailed':
          return fail<'Printer.PrintPdf'>('hardwareError', 'printFailed', 'The document could not be printed. Please try again.', jobExtra(result.partial, result.jobId));
        default: {
          const unreachable: never = reason;
          return unreachable;
        }
      }
    }
    case 'canceled':
      return abortedOutcome<'Printer.PrintPdf'>(signal);
    default: {
      const unreachable: never = result;
      return unreachable;
    }
  }
}

function jobExtra(partial: boolean, jobId: string | undefined): { partial: boolean; jobId?: string } {
  return jobId === undefined ? { partial } : { partial, jobId };
}

function receiptOutcome(result: ReceiptJobResult, signal: AbortSignal): CommandOutcome<'ReceiptPrinter.Print'> {
  switch (result.kind) {
    case 'printed':
      return success<'ReceiptPrinter.Print'>({});
    case 'paperOut':
    case 'coverOpen':
    case 'offline':
      return fail<'ReceiptPrinter.Print'>('deviceNotReady', result.kind, NOT_READY_TEXT[result.kind], { partial: result.partial });
    case 'jam':
      return fail<'ReceiptPrinter.Print'>('deviceNotReady', 'paperJam', NOT_READY_TEXT.paperJam, { partial: result.partial });
    case 'failed': {
      const reason = result.reason;
      switch (reason) {
        case 'cutterError':
          return fail<'ReceiptPrinter.Print'>('hardwareError', 'cutterError', 'The receipt printer cutter failed. Please ask the hall staff for help.', { partial: result.partial });
        case 'hardwareFault':
          return fail<'ReceiptPrinter.Print'>('hardwareError', 'hardwareFault', 'The receipt printer reports a fault. Please ask the hall staff for help.', { partial: result.partial });
        case 'communication':
          return fail<'ReceiptPrinter.Print'>('hardwareError', 'printFailed', 'The receipt could not be sent to the printer. Please try again.', { partial: result.partial });
        default: {
          const unreachable: never = reason;
          return unreachable;
        }
      }
    }
    case 'canceled':
      return abortedOutcome<'ReceiptPrinter.Print'>(signal);
    case 'unprintable': {
      const code = result.code;
      switch (code) {
        case 'unsupportedCharacter':
        case 'controlCharacter':
          // Never echo the text: it may be a name.
          return fail<'ReceiptPrinter.Print'>('invalidData', 'unsupportedCharacter', 'The receipt contains a character the receipt printer cannot print.');
        case 'qrTooLarge':
          return fail<'ReceiptPrinter.Print'>('invalidData', 'documentTooLarge', 'The QR code data is too large for the receipt.');
        case 'invalidArgument':
          return fail<'ReceiptPrinter.Print'>('invalidData', 'invalidDocument', 'The receipt layout is not valid.');
        default: {
          const unreachable: never = code;
          return unreachable;
        }
      }
    }
    default: {
      const unreachable: never = result;
      return unreachable;
    }
  }
}

export const printerHandlers: HandlersFor<'Printer'> = {
  'Printer.PrintPdf': async (ctx) => {
    const { pdfBase64, documentId, copies } = ctx.payload;
    let pdf: Uint8Array | undefined;
    if (pdfBase64 !== undefined) {
      pdf = new Uint8Array(Buffer.from(pdfBase64, 'base64'));
      if (pdf.length > MAX_PDF_BYTES) return fail<'Printer.PrintPdf'>('invalidData', 'documentTooLarge', `The PDF is larger than ${MAX_PDF_BYTES} bytes.`);
    } else if (documentId !== undefined) {
      pdf = ctx.services.printableDocuments?.get(documentId);
    }
    if (pdf === undefined) return fail<'Printer.PrintPdf'>('invalidData', 'documentNotFound', 'The document to print is not (or no longer) available.');
    const result = await ctx.services.devices.printer.printPdf(pdf, {
      ...(copies === undefined ? {} : { copies }),
      signal: ctx.signal,
      onStage: (stage) => {
        if (stage.stage === 'queued') ctx.emit('Printer.QueuedEvent', { jobId: stage.jobId });
        else ctx.emit('Printer.PrintingEvent', { jobId: stage.jobId });
      },
    });
    if (result.kind !== 'printed') ctx.log.warn({ result: result.kind, reason: 'reason' in result ? result.reason : undefined }, 'A4 print failed');
    return pdfOutcome(result, ctx.signal);
  },

  'Printer.Status': async (ctx) => success<'Printer.Status'>({ status: await ctx.services.devices.printer.refreshStatus() }),
};

export const receiptPrinterHandlers: HandlersFor<'ReceiptPrinter'> = {
  'ReceiptPrinter.Print': async (ctx) => {
    const result = await ctx.services.devices.receiptPrinter.print(ctx.payload.receipt, { signal: ctx.signal });
    if (result.kind !== 'printed') ctx.log.warn({ result: result.kind }, 'receipt print failed');
    return receiptOutcome(result, ctx.signal);
  },

  'ReceiptPrinter.Status': async (ctx) => success<'ReceiptPrinter.Status'>({ status: await ctx.services.devices.receiptPrinter.refreshStatus() }),
};

import { MAX_PDF_BYTES, receiptFromSlip, type PrintableReceipt, type ReceiptDocument } from '@onevisit/protocol';
import { formNoticeReceipt } from '../../services/application/form-notice.ts';
import { abortedOutcome, failure, success, type CommandContext, type HandlersFor } from '../handler.ts';
import { slipKey } from '../session.ts';
import { mapPrintResult } from './print-outcome.ts';

/**
 * Printer.* (A4 through CUPS or the simulator) and ReceiptPrinter.* (ESC/POS). A terminal prints
 * only documents the agent made for the current session (issue 11): an application's PDF through
 * Application.PrintForm, slips and queue tickets this session was given, a form's notice built here.
 * Content the page supplies (a PDF, a laid-out receipt) is printed only with --dev (demo, tests).
 * Expected failures are completions with a stable errorCode (print-outcome.ts).
 */
export const printerHandlers: HandlersFor<'Printer'> = {
  'Printer.PrintPdf': async (ctx) => {
    if (!ctx.services.dev) return failure<'Printer.PrintPdf'>('unsupportedCommand', 'devOnly', PAGE_CONTENT_DEV_ONLY);
    const { pdfBase64, copies } = ctx.payload;
    const pdf = new Uint8Array(Buffer.from(pdfBase64, 'base64'));
    if (pdf.length > MAX_PDF_BYTES) return failure<'Printer.PrintPdf'>('invalidData', 'documentTooLarge', `The PDF is larger than ${MAX_PDF_BYTES} bytes.`, { partial: false, retryable: false });
    const result = await ctx.services.devices.printer.printPdf(pdf, {
      ...(copies === undefined ? {} : { copies }),
      signal: ctx.signal,
      onStage: (stage) => {
        if (stage.stage === 'queued') ctx.emit('Printer.QueuedEvent', { jobId: stage.jobId });
        else ctx.emit('Printer.PrintingEvent', { jobId: stage.jobId });
      },
    });
    if (result.kind === 'printed') return success<'Printer.PrintPdf'>(result.pages === undefined ? { jobId: result.jobId } : { jobId: result.jobId, pages: result.pages });
    const mapped = mapPrintResult(result);
    switch (mapped.kind) {
      case 'canceled':
        return abortedOutcome<'Printer.PrintPdf'>(ctx.signal);
      case 'failed':
        ctx.log.warn({ errorCode: mapped.errorCode }, 'A4 print failed');
        return failure<'Printer.PrintPdf'>(mapped.completionCode, mapped.errorCode, mapped.description, mapped.payload);
      default: {
        const unreachable: never = mapped;
        return unreachable;
      }
    }
  },

  'Printer.Status': async (ctx) => success<'Printer.Status'>({ status: await ctx.services.devices.printer.refreshStatus() }),
};

export const receiptPrinterHandlers: HandlersFor<'ReceiptPrinter'> = {
  'ReceiptPrinter.Print': async (ctx) => {
    const payload = ctx.payload;
    let receipt: ReceiptDocument;
    if ('receipt' in payload) {
      if (!ctx.services.dev) return failure<'ReceiptPrinter.Print'>('unsupportedCommand', 'devOnly', PAGE_CONTENT_DEV_ONLY);
      receipt = payload.receipt;
    } else {
      const made = agentReceipt(ctx, payload.document);
      if (made === undefined) {
        return failure<'ReceiptPrinter.Print'>('invalidData', 'documentNotFound', 'The agent made no such document for this session.', { partial: false, retryable: false });
      }
      receipt = made;
    }
    const result = await ctx.services.devices.receiptPrinter.print(receipt, { signal: ctx.signal });
    if (result.kind === 'printed') return success<'ReceiptPrinter.Print'>({});
    const mapped = mapPrintResult(result);
    switch (mapped.kind) {
      case 'canceled':
        return abortedOutcome<'ReceiptPrinter.Print'>(ctx.signal);
      case 'failed':
        ctx.log.warn({ errorCode: mapped.errorCode }, 'receipt print failed');
        return failure<'ReceiptPrinter.Print'>(mapped.completionCode, mapped.errorCode, mapped.description, mapped.payload);
      default: {
        const unreachable: never = mapped;
        return unreachable;
      }
    }
  },

  'ReceiptPrinter.Status': async (ctx) => success<'ReceiptPrinter.Status'>({ status: await ctx.services.devices.receiptPrinter.refreshStatus() }),
};

const PAGE_CONTENT_DEV_ONLY = 'A terminal prints only the documents it made itself; content from the page is printed only when the agent runs with --dev.';

/** The receipt the agent made that `document` names, or undefined when this session has no such document. */
function agentReceipt(ctx: CommandContext<'ReceiptPrinter.Print'>, document: PrintableReceipt): ReceiptDocument | undefined {
  switch (document.kind) {
    case 'bookingSlip':
    case 'queueTicket': {
      const slip = ctx.session.slips.get(slipKey(document));
      return slip === undefined ? undefined : receiptFromSlip(slip);
    }
    case 'formNotice': {
      const form = ctx.services.application.list().find((f) => f.id === document.formId);
      return form === undefined ? undefined : formNoticeReceipt(form, document.language);
    }
    default: {
      const unreachable: never = document;
      return unreachable;
    }
  }
}

import type { PrintErrorCode } from '@onevisit/protocol';
import type { PdfJobResult } from '../../devices/printer/driver.ts';
import type { ReceiptJobResult } from '../../devices/receipt-printer/driver.ts';

/**
 * The one mapping of a print job's result (A4 or receipt) to the protocol, for Printer.PrintPdf,
 * ReceiptPrinter.Print and Application.PrintForm/PrintReceipt alike: a stable `PrintErrorCode`,
 * a text for people and logs (never the printed text: it may hold a name), and the payload every
 * print failure has: `partial` (part of it may have come out), `retryable` (sending the same
 * command again can help; a failed A4 job has left the queue, so a retry never prints twice).
 */
export type PrintFailure = {
  completionCode: 'deviceNotReady' | 'hardwareError' | 'invalidData';
  errorCode: PrintErrorCode;
  description: string;
  payload: { partial: boolean; retryable: boolean; jobId?: string };
};

/** A job that did not print: canceled (the command's signal says why), or failed. */
export type MappedPrint = { kind: 'canceled' } | ({ kind: 'failed' } & PrintFailure);

const NOT_READY_TEXT: Record<'paperOut' | 'coverOpen' | 'paperJam' | 'offline', string> = {
  paperOut: 'The printer is out of paper. Please ask the hall staff for help, then print again.',
  coverOpen: 'The printer cover is open. Please ask the hall staff for help, then print again.',
  paperJam: 'The paper is jammed in the printer. Please ask the hall staff for help, then print again.',
  offline: 'The printer is not available. Please ask the hall staff for help, then print again.',
};

function failed(completionCode: PrintFailure['completionCode'], errorCode: PrintErrorCode, description: string, partial: boolean, jobId?: string): MappedPrint {
  const payload = { partial, retryable: completionCode !== 'invalidData', ...(jobId === undefined ? {} : { jobId }) };
  return { kind: 'failed', completionCode, errorCode, description, payload };
}

export function mapPrintResult(result: Exclude<PdfJobResult | ReceiptJobResult, { kind: 'printed' }>): MappedPrint {
  switch (result.kind) {
    case 'canceled':
      return { kind: 'canceled' };
    case 'notReady':
      return failed('deviceNotReady', result.reason, NOT_READY_TEXT[result.reason], result.partial, result.jobId);
    case 'paperOut':
    case 'coverOpen':
    case 'offline':
      return failed('deviceNotReady', result.kind, NOT_READY_TEXT[result.kind], result.partial);
    case 'jam':
      return failed('deviceNotReady', 'paperJam', NOT_READY_TEXT.paperJam, result.partial);
    case 'failed': {
      const jobId = 'jobId' in result ? result.jobId : undefined;
      const reason = result.reason;
      switch (reason) {
        case 'invalidPdf':
          return failed('invalidData', 'invalidPdf', 'The document is not a PDF.', false);
        case 'hardwareFault':
          return failed('hardwareError', 'hardwareFault', 'The printer reports a fault. Please ask the hall staff for help.', result.partial, jobId);
        case 'printFailed':
          return failed('hardwareError', 'printFailed', 'The document could not be printed. Please try again.', result.partial, jobId);
        case 'cutterError':
          return failed('hardwareError', 'cutterError', 'The receipt printer cutter failed. Please ask the hall staff for help.', result.partial);
        case 'communication':
          return failed('hardwareError', 'printFailed', 'The receipt could not be sent to the printer. Please try again.', result.partial);
        default: {
          const unreachable: never = reason;
          return unreachable;
        }
      }
    }
    case 'unprintable': {
      const code = result.code;
      switch (code) {
        case 'unsupportedCharacter':
        case 'controlCharacter':
          // Never echo the text: it may be a name.
          return failed('invalidData', 'unsupportedCharacter', 'The receipt contains a character the receipt printer cannot print.', false);
        case 'qrTooLarge':
          return failed('invalidData', 'documentTooLarge', 'The QR code data is too large for the receipt.', false);
        case 'invalidArgument':
          return failed('invalidData', 'invalidDocument', 'The receipt layout is not valid.', false);
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

import { z } from 'zod';
import { defineCommand } from '../spec.ts';
import { errorsOf } from '../errors.ts';
import { DeviceStatusSchema } from '../devices.ts';
import type { SlipDocument } from './booking.ts';

// ---------------------------------------------------------------- receipt document

/**
 * A receipt as the services describe it: printer-neutral, no bytes. The receipt printer's
 * encoder lays it out for the paper width and turns it into ESC/POS; the simulator renders it
 * back as text. It fits both the booking slip (service, date, time, window, masked name, code,
 * QR, what to bring) and the application receipt (reference number, form title, date, terminal
 * id, QR).
 *
 * Text must not contain control characters (they would be printer commands); the encoder
 * throws on them and on characters the printer's font cannot print.
 */
export const RECEIPT_ALIGNS = ['left', 'center', 'right'] as const;
export const RECEIPT_TEXT_SIZES = ['normal', 'double', 'tall', 'wide'] as const;
export const QR_ERROR_CORRECTION_LEVELS = ['L', 'M', 'Q', 'H'] as const;
export const RECEIPT_CUTS = ['partial', 'full', 'none'] as const;

const ReceiptTextSchema = z.string().max(2000);

export const ReceiptBlockSchema = z.discriminatedUnion('kind', [
  /** A paragraph; wrapped at the paper width (a CJK character takes two columns). */
  z.object({
    kind: z.literal('text'),
    text: ReceiptTextSchema,
    align: z.enum(RECEIPT_ALIGNS).optional(),
    bold: z.boolean().optional(),
    size: z.enum(RECEIPT_TEXT_SIZES).optional(),
  }),
  /** A key/value row: label on the left, value on the right; the value wraps under itself. */
  z.object({
    kind: z.literal('row'),
    label: z.string().max(64),
    value: ReceiptTextSchema,
    bold: z.boolean().optional(),
  }),
  /** A QR code printed by the printer's own QR command; `caption` is printed under it. */
  z.object({
    kind: z.literal('qr'),
    data: z.string().min(1).max(2000),
    /** Module (dot) size 1–16; default 6. */
    moduleSize: z.number().int().min(1).max(16).optional(),
    errorCorrection: z.enum(QR_ERROR_CORRECTION_LEVELS).optional(),
    caption: z.string().max(200).optional(),
  }),
  /** A line of dashes across the paper. */
  z.object({ kind: z.literal('separator') }),
  /** Empty lines. */
  z.object({ kind: z.literal('feed'), lines: z.number().int().min(1).max(10) }),
]);
export type ReceiptBlock = z.infer<typeof ReceiptBlockSchema>;

export const ReceiptDocumentSchema = z.object({
  /** Printed centred, bold and double size at the top. */
  title: z.string().max(200).optional(),
  blocks: z.array(ReceiptBlockSchema).max(200),
  /** Default `partial` (leaves a hinge so the slip does not fall). */
  cut: z.enum(RECEIPT_CUTS).optional(),
});
export type ReceiptDocument = z.infer<typeof ReceiptDocumentSchema>;

/**
 * The booking slip (Booking.Slip, printer-neutral lines) as a receipt document, so the UI can
 * send `ReceiptPrinter.Print { receipt: receiptFromSlip(slip) }`. zh-CN first, English second.
 */
export function receiptFromSlip(slip: SlipDocument): ReceiptDocument {
  const blocks: ReceiptBlock[] = [];
  let title: string | undefined;
  for (const line of slip.lines) {
    switch (line.kind) {
      case 'title':
        if (title === undefined && blocks.length === 0) title = line.text;
        else blocks.push({ kind: 'text', text: line.text, align: 'center', bold: true, size: 'double' });
        if (line.textEn !== undefined && line.textEn.length > 0) blocks.push({ kind: 'text', text: line.textEn, align: 'center' });
        break;
      case 'text':
        blocks.push({ kind: 'text', text: line.text, align: line.align, bold: line.bold, size: line.size === 'large' ? 'double' : 'normal' });
        break;
      case 'field':
        blocks.push({ kind: 'row', label: `${line.label} ${line.labelEn}`.slice(0, 64), value: line.value, bold: line.emphasis });
        break;
      case 'qr':
        blocks.push(line.caption === undefined ? { kind: 'qr', data: line.payload } : { kind: 'qr', data: line.payload, caption: line.caption });
        break;
      case 'list':
        blocks.push({ kind: 'text', text: `${line.title} ${line.titleEn}`, bold: true });
        for (const item of line.items) blocks.push({ kind: 'text', text: `· ${item}` });
        break;
      case 'rule':
        blocks.push({ kind: 'separator' });
        break;
      default: {
        const unreachable: never = line;
        return unreachable;
      }
    }
  }
  return title === undefined ? { blocks } : { title, blocks };
}

// ---------------------------------------------------------------- what the page may ask to print

/**
 * A receipt the agent makes itself (issue 11: never page-supplied content). A slip or queue
 * ticket is printed only when this session's own Booking.Reserve/Reschedule/CheckIn/Slip or
 * Queue.Take made it (the agent keeps it in the session's memory); a form's 一次性告知单 is built
 * by the agent from the form package it offers, in the language asked for.
 */
export const PrintableReceiptSchema = z.discriminatedUnion('kind', [
  /** `slipRef(slip)`: the slip's kind and code. */
  z.object({ kind: z.enum(['bookingSlip', 'queueTicket']), code: z.string().min(1).max(32) }).strict(),
  z.object({ kind: z.literal('formNotice'), formId: z.string().min(1).max(64), language: z.enum(['zh-CN', 'en']) }).strict(),
]);
export type PrintableReceipt = z.infer<typeof PrintableReceiptSchema>;

/** What `ReceiptPrinter.Print { document }` names for a slip the agent gave this session. */
export function slipRef(slip: SlipDocument): PrintableReceipt {
  return { kind: slip.kind, code: slip.code };
}

// ---------------------------------------------------------------- failures

/**
 * Stable error codes of print completions (the UI maps each to a text):
 * deviceNotReady: paperOut, coverOpen, paperJam, offline, busy;
 * hardwareError: cutterError, hardwareFault, printFailed; invalidData: unsupportedCharacter
 * (a character the receipt font lacks, e.g. a rare name character), documentTooLarge,
 * invalidDocument, invalidPdf, documentNotFound. A failure during printing says `partial`
 * in its payload: the citizen may hold an incomplete print and the job can be sent again.
 */
export const PRINT_ERROR_CODES = [
  'paperOut',
  'coverOpen',
  'paperJam',
  'offline',
  'busy',
  'cutterError',
  'hardwareFault',
  'printFailed',
  'unsupportedCharacter',
  'documentTooLarge',
  'invalidDocument',
  'invalidPdf',
  'documentNotFound',
] as const;
export type PrintErrorCode = (typeof PRINT_ERROR_CODES)[number];

/**
 * The payload of every print failure: `partial` when part of it may have come out (the citizen may
 * hold an incomplete print), `retryable` when sending it again can help, the print system's job id.
 */
export const PrintFailurePayloadSchema = z.object({
  partial: z.boolean().default(false),
  retryable: z.boolean().optional(),
  jobId: z.string().optional(),
});

/** The error declarations of a print command: every print code, with the print failure payload. */
export const printErrors = errorsOf(PRINT_ERROR_CODES, PrintFailurePayloadSchema);

/** 20 MB of PDF is far beyond any form; base64 grows it by a third. */
export const MAX_PDF_BYTES = 20 * 1024 * 1024;
export const PRINT_PDF_DEFAULT_TIMEOUT_MS = 180_000;
export const RECEIPT_PRINT_DEFAULT_TIMEOUT_MS = 30_000;

// ---------------------------------------------------------------- commands

export const printerCommands = {
  'Printer.PrintPdf': defineCommand({
    role: 'citizen',
    description:
      'With --dev only (demonstrations and tests; otherwise devOnly): print a PDF the page holds (pdfBase64) on the A4 printer, following the job to completion. A terminal prints only its own documents: a submitted application with Application.PrintForm, from the agent\'s own copy.',
    payload: z.object({
      pdfBase64: z
        .string()
        .min(8)
        .max(Math.ceil((MAX_PDF_BYTES * 4) / 3) + 4)
        .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64'),
      copies: z.number().int().min(1).max(10).optional(),
    }),
    completion: z.object({
      jobId: z.string(),
      /** Pages (impressions) the printer reported, when it does. */
      pages: z.number().int().nonnegative().optional(),
    }),
    errors: printErrors,
    events: {
      /** The job was accepted by the print system. */
      'Printer.QueuedEvent': z.object({ jobId: z.string() }),
      /** The printer started on the job. */
      'Printer.PrintingEvent': z.object({ jobId: z.string() }),
    },
    defaultTimeoutMs: PRINT_PDF_DEFAULT_TIMEOUT_MS,
  }),
  'Printer.Status': defineCommand({
    role: 'none',
    description: 'The A4 printer status, asked of the printer now.',
    payload: z.object({}).optional(),
    completion: z.object({ status: DeviceStatusSchema }),
    errors: {},
    events: {},
  }),
} as const;

export const receiptPrinterCommands = {
  'ReceiptPrinter.Print': defineCommand({
    role: 'citizen',
    description:
      'Print a receipt the agent made: a slip or queue ticket this session was given, or a form\'s 一次性告知单 (document; documentNotFound otherwise). A receipt laid out by the page (receipt) only with --dev (devOnly).',
    payload: z.union([z.object({ document: PrintableReceiptSchema }).strict(), z.object({ receipt: ReceiptDocumentSchema }).strict()]),
    completion: z.object({}),
    errors: printErrors,
    events: {},
    defaultTimeoutMs: RECEIPT_PRINT_DEFAULT_TIMEOUT_MS,
  }),
  'ReceiptPrinter.Status': defineCommand({
    role: 'none',
    description: 'The receipt printer status, asked of the printer now.',
    payload: z.object({}).optional(),
    completion: z.object({ status: DeviceStatusSchema }),
    errors: {},
    events: {},
  }),
} as const;

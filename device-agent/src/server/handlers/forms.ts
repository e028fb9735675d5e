import type { PdfJobResult } from '../../devices/printer/driver.ts';
import type { ReceiptJobResult } from '../../devices/receipt-printer/driver.ts';
import type { CommandName, PrintErrorCode } from '../../protocol/index.ts';
import { answersForWire, type ApplicationService } from '../../services/application/application-service.ts';
import type { AnswerError } from '../../services/application/answers.ts';
import { abortedOutcome, failure, success, type CommandOutcome, type HandlersFor } from '../handler.ts';

/**
 * `Forms.List/Get/Prefill/Fill` and `Application.*` (issue 4). `Forms.Submit` belongs to the
 * submission handlers (submission.ts), which call the same application service to merge the
 * card and validate before the outbox seals.
 */

type Service = ApplicationService;

function notReady<N extends CommandName>(): CommandOutcome<N> {
  return failure<N>('deviceNotReady', 'formsNotReady', 'The forms are not loaded yet. Please try again in a moment.');
}

function unknownForm<N extends CommandName>(): CommandOutcome<N> {
  return failure<N>('invalidData', 'unknownForm', 'There is no active form with this id.');
}

function identityRequired<N extends CommandName>(): CommandOutcome<N> {
  return failure<N>('userError', 'identityRequired', 'This form is filled from the ID card: please read the card first.');
}

/** `{ errors: [{ field, code }], params: { [field]: { max: 20 } } }`: the limits help the UI say "at most 20 characters". */
export function validationFailed<N extends CommandName>(errors: readonly AnswerError[]): CommandOutcome<N> {
  const params: Record<string, Readonly<Record<string, string | number>>> = {};
  for (const e of errors) if (e.params !== undefined) params[e.field] = e.params;
  return failure<N>('invalidData', 'validationFailed', `${errors.length} answer(s) are missing or invalid.`, {
    errors: errors.map((e) => ({ field: e.field, code: e.code })),
    params,
  });
}

function withService<N extends CommandName>(
  service: Service | undefined,
  run: (service: Service) => Promise<CommandOutcome<N>> | CommandOutcome<N>,
): Promise<CommandOutcome<N>> {
  if (!service) return Promise.resolve(notReady<N>());
  return Promise.resolve(run(service));
}

export const formsHandlers: Omit<HandlersFor<'Forms'>, 'Forms.Submit'> = {
  'Forms.List': (ctx) => withService(ctx.services.application, (s) => success<'Forms.List'>({ forms: s.list() })),

  'Forms.Get': (ctx) =>
    withService(ctx.services.application, (s) => {
      const form = s.get(ctx.payload.formId);
      return form ? success<'Forms.Get'>({ form }) : unknownForm<'Forms.Get'>();
    }),

  'Forms.Prefill': (ctx) =>
    withService(ctx.services.application, (s) => {
      const r = s.prefill(ctx.session, ctx.payload.formId);
      if (!r.ok) return r.code === 'unknownForm' ? unknownForm<'Forms.Prefill'>() : identityRequired<'Forms.Prefill'>();
      return success<'Forms.Prefill'>({ formId: r.formId, version: r.version, answers: answersForWire(r.answers), sources: r.sources, lockedFields: r.lockedFields });
    }),

  'Forms.Fill': (ctx) =>
    withService(ctx.services.application, async (s) => {
      const p = ctx.payload;
      const r = await s.fill(ctx.session, p.formId, p.answers, {
        language: p.language,
        signaturePng: p.signaturePng === undefined ? undefined : new Uint8Array(Buffer.from(p.signaturePng, 'base64')),
      });
      if (r.ok) {
        return success<'Forms.Fill'>({
          formId: r.formId,
          version: r.version,
          pdfBase64: Buffer.from(r.pdf).toString('base64'),
          pages: r.pages,
          sizeBytes: r.pdf.byteLength,
          answers: answersForWire(r.answers),
        });
      }
      switch (r.code) {
        case 'unknownForm':
          return unknownForm<'Forms.Fill'>();
        case 'identityRequired':
          return identityRequired<'Forms.Fill'>();
        case 'validationFailed':
          return validationFailed<'Forms.Fill'>(r.errors ?? []);
        case 'fillFailed':
          return failure<'Forms.Fill'>('internalError', 'fillFailed', 'The form could not be filled. Please ask the hall staff for help.');
        default: {
          const unreachable: never = r.code;
          return unreachable;
        }
      }
    }),
};

// ---------------------------------------------------------------- printing

const NOT_READY_TEXT: Record<'paperOut' | 'coverOpen' | 'paperJam' | 'offline', string> = {
  paperOut: 'The printer is out of paper. Your application is saved; please ask the hall staff, then print again.',
  coverOpen: 'The printer cover is open. Your application is saved; please ask the hall staff, then print again.',
  paperJam: 'The paper is jammed. Your application is saved; please ask the hall staff, then print again.',
  offline: 'The printer is not available. Your application is saved; please ask the hall staff, then print again.',
};

type PrintCommand = 'Application.PrintForm' | 'Application.PrintReceipt';

function printFailure<N extends PrintCommand>(
  code: 'deviceNotReady' | 'hardwareError' | 'invalidData',
  errorCode: PrintErrorCode,
  description: string,
  partial: boolean,
): CommandOutcome<N> {
  return failure<N>(code, errorCode, description, { partial, retryable: code !== 'invalidData' });
}

function applicationNotFound<N extends PrintCommand>(): CommandOutcome<N> {
  return failure<N>('userError', 'applicationNotFound', 'No application with this reference was submitted in this session.');
}

function formOutcome(reference: string, result: PdfJobResult | { kind: 'notFound' } | { kind: 'noDocument' }, signal: AbortSignal): CommandOutcome<'Application.PrintForm'> {
  type N = 'Application.PrintForm';
  switch (result.kind) {
    case 'printed':
      return success<N>(result.pages === undefined ? { reference, jobId: result.jobId } : { reference, jobId: result.jobId, pages: result.pages });
    case 'notFound':
      return applicationNotFound<N>();
    case 'noDocument':
      return failure<N>('invalidData', 'documentNotFound', 'This terminal no longer holds the filled form of this application.');
    case 'notReady':
      return printFailure<N>('deviceNotReady', result.reason, NOT_READY_TEXT[result.reason], result.partial);
    case 'failed': {
      const reason = result.reason;
      switch (reason) {
        case 'invalidPdf':
          return printFailure<N>('invalidData', 'invalidPdf', 'The document is not a PDF.', false);
        case 'hardwareFault':
          return printFailure<N>('hardwareError', 'hardwareFault', 'The printer reports a fault. Your application is saved; please ask the hall staff.', result.partial);
        case 'printFailed':
          return printFailure<N>('hardwareError', 'printFailed', 'The application could not be printed. It is saved; please try again.', result.partial);
        default: {
          const unreachable: never = reason;
          return unreachable;
        }
      }
    }
    case 'canceled':
      return abortedOutcome<N>(signal);
    default: {
      const unreachable: never = result;
      return unreachable;
    }
  }
}

function receiptOutcome(reference: string, result: ReceiptJobResult | { kind: 'notFound' }, signal: AbortSignal): CommandOutcome<'Application.PrintReceipt'> {
  type N = 'Application.PrintReceipt';
  switch (result.kind) {
    case 'printed':
      return success<N>({ reference });
    case 'notFound':
      return applicationNotFound<N>();
    case 'paperOut':
    case 'coverOpen':
    case 'offline':
      return printFailure<N>('deviceNotReady', result.kind, NOT_READY_TEXT[result.kind], result.partial);
    case 'jam':
      return printFailure<N>('deviceNotReady', 'paperJam', NOT_READY_TEXT.paperJam, result.partial);
    case 'failed': {
      const reason = result.reason;
      switch (reason) {
        case 'cutterError':
          return printFailure<N>('hardwareError', 'cutterError', 'The receipt printer cutter failed. Please ask the hall staff.', result.partial);
        case 'hardwareFault':
          return printFailure<N>('hardwareError', 'hardwareFault', 'The receipt printer reports a fault. Please ask the hall staff.', result.partial);
        case 'communication':
          return printFailure<N>('hardwareError', 'printFailed', 'The receipt could not be sent to the printer. Please try again.', result.partial);
        default: {
          const unreachable: never = reason;
          return unreachable;
        }
      }
    }
    case 'canceled':
      return abortedOutcome<N>(signal);
    case 'unprintable': {
      const code = result.code;
      switch (code) {
        case 'unsupportedCharacter':
        case 'controlCharacter':
          return printFailure<N>('invalidData', 'unsupportedCharacter', 'The receipt contains a character the receipt printer cannot print.', false);
        case 'qrTooLarge':
          return printFailure<N>('invalidData', 'documentTooLarge', 'The QR code is too large for the receipt.', false);
        case 'invalidArgument':
          return printFailure<N>('invalidData', 'invalidDocument', 'The receipt layout is not valid.', false);
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

export const applicationHandlers: HandlersFor<'Application'> = {
  'Application.List': (ctx) => withService(ctx.services.application, (s) => success<'Application.List'>({ applications: s.applications(ctx.session) })),

  'Application.PrintForm': (ctx) =>
    withService(ctx.services.application, async (s) => {
      const { reference, copies } = ctx.payload;
      const result = await s.printForm(ctx.session, reference, {
        copies,
        signal: ctx.signal,
        onStage: (stage) => {
          if (stage.stage === 'queued') ctx.emit('Application.PrintQueuedEvent', { jobId: stage.jobId });
          else ctx.emit('Application.PrintingEvent', { jobId: stage.jobId });
        },
      });
      return formOutcome(reference, result, ctx.signal);
    }),

  'Application.PrintReceipt': (ctx) =>
    withService(ctx.services.application, async (s) => {
      const { reference } = ctx.payload;
      return receiptOutcome(reference, await s.printReceipt(ctx.session, reference, ctx.signal), ctx.signal);
    }),
};

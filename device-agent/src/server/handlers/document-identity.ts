import { shanghaiDate } from '@onevisit/protocol';
import { checkDocumentPages } from '../../services/document-check/check-document.ts';
import { confirmDocumentIdentity } from '../../services/document-identity/confirm.ts';
import { abortedOutcome, failure, success, type CommandOutcome, type HandlersFor } from '../handler.ts';

type Confirm = 'DocumentIdentity.Confirm';

const REFUSAL_TEXT = {
  idNumberInvalid: 'The ID number is not a valid citizen identity number. Please check it.',
  nameNotFound: 'The name does not appear on the scanned document. Please check it, or scan the document again.',
  idNumberNotFound: 'The ID number does not appear on the scanned document. Please check it, or scan the document again.',
  noTextFound: 'No text was found on the scanned page. Please place the document face down and scan again.',
  documentExpired: 'This document has expired. Please use a valid document or ask the hall staff for help.',
  documentNotYetValid: 'This document is not valid yet. Please ask the hall staff for help.',
} as const;

export const documentIdentityHandlers: HandlersFor<'DocumentIdentity'> = {
  'DocumentIdentity.Confirm': async (ctx): Promise<CommandOutcome<Confirm>> => {
    const scanning = ctx.services.scanning;
    const page = await scanning.page(ctx.payload.scanId, ctx.payload.page ?? 0);
    if (!page) return failure<Confirm>('invalidData', 'scanNotFound', 'This scan is no longer available. Please scan the document again.');
    const outcome = await confirmDocumentIdentity({ name: ctx.payload.name, idNumber: ctx.payload.idNumber }, (expected) =>
      checkDocumentPages(scanning.ocr, [page], expected, ctx.signal),
      shanghaiDate(ctx.services.clock.now()),
    );
    switch (outcome.kind) {
      case 'confirmed':
        ctx.services.identity.accept(ctx.session, outcome.identity);
        // Personal values never go to the log.
        ctx.log.info({ source: 'document' }, 'identity confirmed from a scanned document');
        return success<Confirm>({ identity: outcome.identity });
      case 'refused': {
        const [first] = outcome.problems;
        const code = first?.code ?? 'noTextFound';
        ctx.log.info({ problems: outcome.problems.map((p) => p.code) }, 'document identity refused');
        return failure<Confirm>('userError', code, REFUSAL_TEXT[code], { errors: outcome.problems.map((p) => ({ field: p.field, code: p.code })) });
      }
      case 'ocrFailed':
        switch (outcome.failure) {
          case 'canceled':
            return abortedOutcome<Confirm>(ctx.signal);
          case 'timeOut':
            return failure<Confirm>('timeOut', 'ocrTimeout', 'Text recognition took too long. Please scan the document again.');
          case 'badImage':
            return failure<Confirm>('invalidData', 'badImage', 'The image could not be read.');
          case 'unavailable':
          case 'stopped':
            return failure<Confirm>('deviceNotReady', 'ocrUnavailable', 'Text recognition is not available on this terminal.');
          case 'workerFailed':
            return failure<Confirm>('internalError', 'ocrFailed', 'Text recognition failed. Please try again.');
          default: {
            const unreachable: never = outcome.failure;
            return unreachable;
          }
        }
      default: {
        const unreachable: never = outcome;
        return unreachable;
      }
    }
  },
};

import { formatShanghaiIsoMs, type AnswerErrorsPayload, type CompletionCode } from '@onevisit/protocol';
import type { SubmitFailureCode } from '../../outbox/service.ts';
import { answersForWire } from '../../services/application/application-service.ts';
import type { AnswerError } from '../../services/application/answers.ts';
import { failure, success, type HandlersFor } from '../handler.ts';

/**
 * `Forms.*` (issue 4, Forms.Submit with the outbox of issue 5): each maps the protocol to the
 * application service (services/application) or, for Forms.Submit, to its submitter.
 */

const UNKNOWN_FORM = 'There is no active form with this id.';
const IDENTITY_REQUIRED = 'This form is filled from the ID card: please read the card first.';

/** `{ errors: [{ field, code }], params: { [field]: { max: 20 } } }`: the limits help the UI say "at most 20 characters". */
export function answerErrorsPayload(errors: readonly AnswerError[]): AnswerErrorsPayload {
  const params: Record<string, Readonly<Record<string, string | number>>> = {};
  for (const e of errors) if (e.params !== undefined) params[e.field] = e.params;
  return { errors: errors.map((e) => ({ field: e.field, code: e.code })), params };
}

const SUBMIT_FAILURES: Record<SubmitFailureCode, { completionCode: Exclude<CompletionCode, 'success'>; description: string }> = {
  diskFull: { completionCode: 'notEnoughSpace', description: 'Out of service: the data disk is full; nothing was accepted.' },
  storeReadOnly: { completionCode: 'hardwareError', description: 'Out of service: the data disk is read-only; nothing was accepted.' },
  storeError: { completionCode: 'hardwareError', description: 'Out of service: the store failed; nothing was accepted.' },
  noBackofficeKey: { completionCode: 'deviceNotReady', description: 'Out of service: no back office key is configured; nothing was accepted.' },
  unknownForm: { completionCode: 'invalidData', description: UNKNOWN_FORM },
  invalidAnswers: { completionCode: 'invalidData', description: 'Some answers are missing or invalid.' },
  fillFailed: { completionCode: 'internalError', description: 'The application form could not be filled; nothing was accepted.' },
  submissionIdConflict: { completionCode: 'invalidData', description: 'This submissionId was already used for another form.' },
};

export const formsHandlers: HandlersFor<'Forms'> = {
  'Forms.List': (ctx) => Promise.resolve(success<'Forms.List'>({ forms: ctx.services.application.list() })),

  'Forms.Get': (ctx) => {
    const form = ctx.services.application.get(ctx.payload.formId);
    return Promise.resolve(form ? success<'Forms.Get'>({ form }) : failure<'Forms.Get'>('invalidData', 'unknownForm', UNKNOWN_FORM));
  },

  'Forms.Prefill': (ctx) => {
    const r = ctx.services.application.prefill(ctx.session, ctx.payload.formId);
    if (!r.ok) {
      return Promise.resolve(
        r.code === 'unknownForm'
          ? failure<'Forms.Prefill'>('invalidData', 'unknownForm', UNKNOWN_FORM)
          : failure<'Forms.Prefill'>('userError', 'identityRequired', IDENTITY_REQUIRED),
      );
    }
    return Promise.resolve(
      success<'Forms.Prefill'>({ formId: r.formId, version: r.version, answers: answersForWire(r.answers), sources: r.sources, lockedFields: r.lockedFields }),
    );
  },

  'Forms.Fill': async (ctx) => {
    const p = ctx.payload;
    const r = await ctx.services.application.fill(ctx.session, p.formId, p.answers, {
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
        return failure<'Forms.Fill'>('invalidData', 'unknownForm', UNKNOWN_FORM);
      case 'identityRequired':
        return failure<'Forms.Fill'>('userError', 'identityRequired', IDENTITY_REQUIRED);
      case 'validationFailed': {
        const errors = r.errors ?? [];
        return failure<'Forms.Fill'>('invalidData', 'validationFailed', `${errors.length} answer(s) are missing or invalid.`, answerErrorsPayload(errors));
      }
      case 'fillFailed':
        return failure<'Forms.Fill'>('internalError', 'fillFailed', 'The form could not be filled. Please ask the hall staff for help.');
      default: {
        const unreachable: never = r.code;
        return unreachable;
      }
    }
  },

  'Forms.Submit': async (ctx) => {
    const p = ctx.payload;
    // The answers only: the agent fills the PDF it seals from them, with the reference on it.
    const result = await ctx.services.applicationSubmitter.submit(ctx.session, {
      formId: p.formId,
      answers: p.answers,
      submissionId: p.submissionId,
      signaturePng: p.signaturePng === undefined ? undefined : Buffer.from(p.signaturePng, 'base64'),
      scans: p.scans?.map((s) => (typeof s === 'string' ? Buffer.from(s, 'base64') : { mediaType: s.mediaType, bytes: Buffer.from(s.data, 'base64') })),
    });
    if (result.ok) return success<'Forms.Submit'>({ reference: result.reference, acceptedAt: formatShanghaiIsoMs(result.acceptedAtMs), duplicate: result.duplicate });
    if (result.code === 'identityRequired') return failure<'Forms.Submit'>('userError', 'identityRequired', `${IDENTITY_REQUIRED} Nothing was accepted.`);
    const f = SUBMIT_FAILURES[result.code];
    return failure<'Forms.Submit'>(f.completionCode, result.code, f.description, result.errors ? answerErrorsPayload(result.errors) : undefined);
  },
};

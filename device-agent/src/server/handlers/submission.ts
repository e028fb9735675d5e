import type { CompletionCode } from '../../protocol/index.ts';
import type { SubmitFailureCode } from '../../outbox/service.ts';
import { answersForWire } from '../../services/application/application-service.ts';
import { failure, success, type HandlerTable } from '../handler.ts';

/** Asia/Shanghai ISO-8601 (`2026-11-23T02:14:05.123+08:00`): China has no DST, so a fixed offset is exact. */
export function chinaIso(epochMs: number): string {
  return `${new Date(epochMs + 8 * 3600 * 1000).toISOString().slice(0, -1)}+08:00`;
}

const FAILURES: Record<SubmitFailureCode, { completionCode: Exclude<CompletionCode, 'success'>; description: string }> = {
  diskFull: { completionCode: 'notEnoughSpace', description: 'Out of service: the data disk is full; nothing was accepted.' },
  storeReadOnly: { completionCode: 'hardwareError', description: 'Out of service: the data disk is read-only; nothing was accepted.' },
  storeError: { completionCode: 'hardwareError', description: 'Out of service: the store failed; nothing was accepted.' },
  noBackofficeKey: { completionCode: 'deviceNotReady', description: 'Out of service: no back office key is configured; nothing was accepted.' },
  unknownForm: { completionCode: 'invalidData', description: 'There is no active form with this id.' },
  invalidAnswers: { completionCode: 'invalidData', description: 'Some answers are missing or invalid.' },
  fillFailed: { completionCode: 'internalError', description: 'The application form could not be filled; nothing was accepted.' },
  submissionIdConflict: { completionCode: 'invalidData', description: 'This submissionId was already used for another form.' },
};

/**
 * `Forms.Submit` and `Outbox.*`. Only these three commands: the forms helper's `Forms.*`
 * handlers (List, Fill, …) live in forms.ts, so this map is a `Pick`, not `HandlersFor<'Forms'>`.
 */
export const submissionHandlers: Pick<HandlerTable, 'Forms.Submit' | 'Outbox.Status' | 'Outbox.Retry'> = {
  'Forms.Submit': async (ctx) => {
    const submissions = ctx.services.submissions;
    if (!submissions) return failure<'Forms.Submit'>('deviceNotReady', 'storeError', 'The store is not open yet; nothing was accepted.');
    const p = ctx.payload;
    // Issue 4: the application service merges the card read in this session into the answers,
    // validates and normalises them (identity fields must match the card), and afterwards keeps
    // the filled PDF in this session's memory for Application.PrintForm / PrintReceipt.
    const application = ctx.services.application;
    let answers: Readonly<Record<string, unknown>> = p.answers;
    const isRetry = p.submissionId !== undefined && submissions.outbox.bySubmissionId(p.submissionId) !== undefined;
    if (application && !isRetry) {
      const prepared = application.prepare(ctx.session, p.formId, p.answers);
      if (!prepared.ok) {
        switch (prepared.code) {
          case 'unknownForm':
            return failure<'Forms.Submit'>(FAILURES.unknownForm.completionCode, 'unknownForm', FAILURES.unknownForm.description);
          case 'identityRequired':
            return failure<'Forms.Submit'>('userError', 'identityRequired', 'This form is filled from the ID card: please read the card first. Nothing was accepted.');
          case 'validationFailed': {
            const errors = prepared.errors ?? [];
            const params: Record<string, Readonly<Record<string, string | number>>> = {};
            for (const e of errors) if (e.params !== undefined) params[e.field] = e.params;
            return failure<'Forms.Submit'>(FAILURES.invalidAnswers.completionCode, 'invalidAnswers', FAILURES.invalidAnswers.description, {
              errors: errors.map((e) => ({ field: e.field, code: e.code })),
              params,
            });
          }
          default: {
            const unreachable: never = prepared.code;
            return unreachable;
          }
        }
      }
      answers = answersForWire(prepared.answers);
    }
    const result = await submissions.submit({
      formId: p.formId,
      answers,
      submissionId: p.submissionId,
      signaturePng: p.signaturePng === undefined ? undefined : Buffer.from(p.signaturePng, 'base64'),
      scans: p.scans?.map((s) =>
        typeof s === 'string' ? Buffer.from(s, 'base64') : { mediaType: s.mediaType, bytes: Buffer.from(s.data, 'base64') },
      ),
      pdf: p.pdf === undefined ? undefined : Buffer.from(p.pdf, 'base64'),
    });
    if (result.ok) {
      application?.recordSubmission(ctx.session, { reference: result.reference, formId: p.formId, acceptedAtMs: result.acceptedAtMs, pdf: result.pdf });
      return success<'Forms.Submit'>({ reference: result.reference, acceptedAt: chinaIso(result.acceptedAtMs), duplicate: result.duplicate });
    }
    const f = FAILURES[result.code];
    return failure<'Forms.Submit'>(f.completionCode, result.code, f.description, result.errors ? { errors: result.errors } : undefined);
  },

  'Outbox.Status': (ctx) => {
    const submissions = ctx.services.submissions;
    if (!submissions) return Promise.resolve(failure<'Outbox.Status'>('deviceNotReady', 'storeError', 'The store is not open yet.'));
    const s = submissions.status();
    return Promise.resolve(
      success<'Outbox.Status'>({
        canAccept: s.canAccept.ok,
        outOfServiceReason: s.canAccept.ok ? null : s.canAccept.reason,
        delivery: s.delivery,
        counts: s.counts,
        oldestPendingAt: s.oldestPendingAtMs === undefined ? null : chinaIso(s.oldestPendingAtMs),
        deadLetters: s.deadLetters.map((d) => ({
          reference: d.reference,
          formId: d.formId,
          acceptedAt: chinaIso(d.acceptedAtMs),
          attempts: d.attempts,
          httpStatus: d.httpStatus,
          errorCode: d.errorCode,
        })),
      }),
    );
  },

  // TODO(issue 5): restrict to staff once staff authentication exists.
  'Outbox.Retry': (ctx) => {
    const submissions = ctx.services.submissions;
    if (!submissions) return Promise.resolve(failure<'Outbox.Retry'>('deviceNotReady', 'storeError', 'The store is not open yet.'));
    const r = submissions.retry(ctx.payload.reference);
    if (r.ok) return Promise.resolve(success<'Outbox.Retry'>({ reference: ctx.payload.reference, state: r.state }));
    return Promise.resolve(
      r.code === 'notFound'
        ? failure<'Outbox.Retry'>('userError', 'notFound', 'No submission with this reference on this terminal.')
        : failure<'Outbox.Retry'>('sequenceError', 'notDeadLettered', 'This submission is not dead-lettered.'),
    );
  },
};

import { formatShanghaiIsoMs } from '@onevisit/protocol';
import { failure, success, type HandlersFor } from '../handler.ts';

/** `Outbox.*`: what waits, what was delivered, what the intake refused; no personal data. */
export const outboxHandlers: HandlersFor<'Outbox'> = {
  'Outbox.Status': (ctx) => {
    const s = ctx.services.submissions.status();
    return Promise.resolve(
      success<'Outbox.Status'>({
        canAccept: s.canAccept.ok,
        outOfServiceReason: s.canAccept.ok ? null : s.canAccept.reason,
        delivery: s.delivery,
        counts: s.counts,
        oldestPendingAt: s.oldestPendingAtMs === undefined ? null : formatShanghaiIsoMs(s.oldestPendingAtMs),
      }),
    );
  },

  'Outbox.DeadLetters': (ctx) =>
    Promise.resolve(
      success<'Outbox.DeadLetters'>({
        deadLetters: ctx.services.submissions.status().deadLetters.map((d) => ({
          reference: d.reference,
          formId: d.formId,
          acceptedAt: formatShanghaiIsoMs(d.acceptedAtMs),
          attempts: d.attempts,
          httpStatus: d.httpStatus,
          errorCode: d.errorCode,
        })),
      }),
    ),

  // Staff only (role in the protocol registry, enforced by the dispatch).
  'Outbox.Retry': (ctx) => {
    const r = ctx.services.submissions.retry(ctx.payload.reference);
    ctx.services.staff.audit('outboxRetry', ctx.connection.id, { reference: ctx.payload.reference, ok: r.ok });
    if (r.ok) return Promise.resolve(success<'Outbox.Retry'>({ reference: ctx.payload.reference, state: r.state }));
    return Promise.resolve(
      r.code === 'notFound'
        ? failure<'Outbox.Retry'>('userError', 'notFound', 'No submission with this reference on this terminal.')
        : failure<'Outbox.Retry'>('sequenceError', 'notDeadLettered', 'This submission is not dead-lettered.'),
    );
  },
};

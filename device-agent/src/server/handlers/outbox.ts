import { formatShanghaiIsoMs, type DeadLetterSchema } from '@onevisit/protocol';
import type { z } from 'zod';
import type { AgentServices } from '../../services.ts';
import { failure, success, type HandlersFor } from '../handler.ts';

/** `Outbox.*`: what waits, what was delivered, what the intake refused; no personal data. */
export const outboxHandlers: HandlersFor<'Outbox'> = {
  'Outbox.Status': (ctx) => {
    const s = ctx.services.submissions.status();
    // The refused submissions' references are for staff (issue 12): a signed-in staff member's page sees them.
    const staff = ctx.services.staff.roleOf(ctx.connection.id) !== undefined;
    return Promise.resolve(
      success<'Outbox.Status'>({
        canAccept: s.canAccept.ok,
        outOfServiceReason: s.canAccept.ok ? null : s.canAccept.reason,
        delivery: s.delivery,
        counts: s.counts,
        oldestPendingAt: s.oldestPendingAtMs === undefined ? null : formatShanghaiIsoMs(s.oldestPendingAtMs),
        deadLetters: staff ? deadLettersOf(s.deadLetters) : [],
      }),
    );
  },

  'Outbox.DeadLetters': (ctx) => Promise.resolve(success<'Outbox.DeadLetters'>({ deadLetters: deadLettersOf(ctx.services.submissions.status().deadLetters) })),

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

function deadLettersOf(list: ReturnType<AgentServices['submissions']['status']>['deadLetters']): z.infer<typeof DeadLetterSchema>[] {
  return list.map((d) => ({
    reference: d.reference,
    formId: d.formId,
    acceptedAt: formatShanghaiIsoMs(d.acceptedAtMs),
    attempts: d.attempts,
    httpStatus: d.httpStatus,
    errorCode: d.errorCode,
  }));
}

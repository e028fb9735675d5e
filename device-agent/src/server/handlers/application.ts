import { abortedOutcome, failure, success, type HandlersFor } from '../handler.ts';
import { mapPrintResult } from './print-outcome.ts';

/**
 * `Application.*` (issue 4): the applications submitted in this session, and printing them (A4)
 * and their receipt, from the agent's memory. A failure says whether sending the same command
 * again can help; the application is in the outbox whatever the printers do.
 */

const NOT_FOUND = 'No application with this reference was submitted in this session.';

export const applicationHandlers: HandlersFor<'Application'> = {
  'Application.List': (ctx) => Promise.resolve(success<'Application.List'>({ applications: ctx.services.application.applications(ctx.session) })),

  'Application.PrintForm': async (ctx) => {
    const { reference, copies } = ctx.payload;
    const result = await ctx.services.application.printForm(ctx.session, reference, {
      copies,
      signal: ctx.signal,
      onStage: (stage) => {
        if (stage.stage === 'queued') ctx.emit('Application.PrintQueuedEvent', { jobId: stage.jobId });
        else ctx.emit('Application.PrintingEvent', { jobId: stage.jobId });
      },
    });
    if (result.kind === 'notFound') return failure<'Application.PrintForm'>('userError', 'applicationNotFound', NOT_FOUND);
    if (result.kind === 'noDocument') {
      return failure<'Application.PrintForm'>('invalidData', 'documentNotFound', 'This terminal no longer holds the filled form of this application.', { partial: false, retryable: false });
    }
    if (result.kind === 'printed') {
      return success<'Application.PrintForm'>(result.pages === undefined ? { reference, jobId: result.jobId } : { reference, jobId: result.jobId, pages: result.pages });
    }
    const mapped = mapPrintResult(result);
    if (mapped.kind === 'canceled') return abortedOutcome<'Application.PrintForm'>(ctx.signal);
    return failure<'Application.PrintForm'>(mapped.completionCode, mapped.errorCode, mapped.description, mapped.payload);
  },

  'Application.PrintReceipt': async (ctx) => {
    const { reference } = ctx.payload;
    const result = await ctx.services.application.printReceipt(ctx.session, reference, ctx.signal);
    if (result.kind === 'notFound') return failure<'Application.PrintReceipt'>('userError', 'applicationNotFound', NOT_FOUND);
    if (result.kind === 'printed') return success<'Application.PrintReceipt'>({ reference });
    const mapped = mapPrintResult(result);
    if (mapped.kind === 'canceled') return abortedOutcome<'Application.PrintReceipt'>(ctx.signal);
    return failure<'Application.PrintReceipt'>(mapped.completionCode, mapped.errorCode, mapped.description, mapped.payload);
  },
};

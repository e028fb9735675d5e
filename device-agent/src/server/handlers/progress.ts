import type { CaseView } from '@onevisit/protocol';
import { buildSupplementReceipt } from '../../services/progress/supplement-receipt.ts';
import type { QueryResult } from '../../services/progress/progress-service.ts';
import { failure, success, type CommandContext, type CommandOutcome, type HandlersFor } from '../handler.ts';

/**
 * Progress.Query, Supplement.Submit, Rating.* (issue 15): only map the protocol to
 * services/progress. Supplement.Submit hands in only a material that this session's
 * Progress.Query showed as asked for (the ids live in Session.progressCases, wiped with the session).
 */
export const progressHandlers: HandlersFor<'Progress'> = {
  'Progress.Query': async (ctx) => {
    const reference = ctx.payload?.reference;
    if (reference !== undefined) return answer(ctx, await ctx.services.progress.byReference(reference));
    const identity = ctx.session.identity;
    if (identity === undefined) return failure<'Progress.Query'>('invalidData', 'noCard', 'Place the ID card first, or type the reference number.');
    return answer(ctx, await ctx.services.progress.byPerson(identity));
  },
};

function answer(ctx: CommandContext<'Progress.Query'>, result: QueryResult): CommandOutcome<'Progress.Query'> {
  switch (result.kind) {
    case 'found':
      for (const c of result.cases) remember(ctx, c);
      return success<'Progress.Query'>({ cases: result.cases });
    case 'invalidReference':
      return failure<'Progress.Query'>('invalidData', 'invalidReference', 'That is not a reference number: a character was mistyped (the check character does not match).');
    case 'unknownCase':
      return failure<'Progress.Query'>('userError', 'unknownCase', 'The back office knows no case with that reference yet.');
    case 'unavailable':
      return failure<'Progress.Query'>('deviceNotReady', 'backOfficeUnavailable', 'The back office cannot be reached just now.', { local: result.local });
    default: {
      const unreachable: never = result;
      return unreachable;
    }
  }
}

function remember(ctx: CommandContext<'Progress.Query'>, c: CaseView): void {
  if (c.status === 'needMaterial') ctx.session.progressCases.set(c.reference, new Set((c.materials ?? []).map((m) => m.id)));
  else ctx.session.progressCases.delete(c.reference);
}

export const supplementHandlers: HandlersFor<'Supplement'> = {
  'Supplement.Submit': async (ctx) => {
    const { reference, materialId, scanIds, supplementId } = ctx.payload;
    const asked = ctx.session.progressCases.get(reference);
    if (!asked) return failure<'Supplement.Submit'>('invalidData', 'caseNotQueried', 'Look the case up first (Progress.Query): it must be waiting for a material.');
    if (!asked.has(materialId)) return failure<'Supplement.Submit'>('invalidData', 'materialNotRequested', 'The back office did not ask for that material.');
    const result = ctx.services.supplements.submit({ caseReference: reference, materialId, scanIds, supplementId, identity: ctx.session.identity });
    if (!result.ok) {
      if (result.reason === 'unknownScan') return failure<'Supplement.Submit'>('invalidData', 'unknownScan', 'A scan is no longer kept: scan the material again.');
      return failure<'Supplement.Submit'>('deviceNotReady', 'outOfService', 'Supplements cannot be accepted on this terminal just now.');
    }
    const printed = await ctx.services.devices.receiptPrinter.print(buildSupplementReceipt({ caseReference: reference, supplementReference: result.reference, pages: scanIds.length }, result.acceptedAtMs, ctx.services.terminalId));
    if (printed.kind !== 'printed') ctx.log.warn({ result: printed.kind }, 'supplement receipt not printed');
    return success<'Supplement.Submit'>({ supplementReference: result.reference, receipt: printed.kind === 'printed' ? 'printed' : 'notPrinted' });
  },
};

export const ratingHandlers: HandlersFor<'Rating'> = {
  'Rating.Reasons': (ctx) => Promise.resolve(success<'Rating.Reasons'>(ctx.services.ratings.reasons())),
  'Rating.Submit': (ctx) => {
    const { reference, service, level, reasons, comment, ratingId } = ctx.payload;
    const result = ctx.services.ratings.submit({ reference, service, level, reasons, comment, ratingId });
    if (result.ok) return Promise.resolve(success<'Rating.Submit'>(result.followUpBy === undefined ? { ratingReference: result.reference } : { ratingReference: result.reference, followUpBy: result.followUpBy }));
    switch (result.reason) {
      case 'reasonRequired':
        return Promise.resolve(failure<'Rating.Submit'>('invalidData', 'reasonRequired', 'Pick at least one reason for 不满意 or 非常不满意.'));
      case 'unknownReason':
        return Promise.resolve(failure<'Rating.Submit'>('invalidData', 'unknownReason', 'Not one of the hall’s reasons.', { reason: result.unknown }));
      case 'outOfService':
        return Promise.resolve(failure<'Rating.Submit'>('deviceNotReady', 'outOfService', 'Ratings cannot be accepted on this terminal just now.'));
      default: {
        const unreachable: never = result;
        return Promise.resolve(unreachable);
      }
    }
  },
};

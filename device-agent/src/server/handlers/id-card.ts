import type { ReadStage } from '../../devices/id-card/driver.ts';
import { abortedOutcome, failure, success, type CommandOutcome, type HandlersFor } from '../handler.ts';

const STAGE_EVENTS = {
  waitingForCard: 'IdCard.WaitingForCardEvent',
  cardFound: 'IdCard.CardFoundEvent',
  reading: 'IdCard.ReadingEvent',
} as const satisfies Record<ReadStage, string>;

export const idCardHandlers: HandlersFor<'IdCard'> = {
  'IdCard.Read': async (ctx): Promise<CommandOutcome<'IdCard.Read'>> => {
    const result = await ctx.services.identity.readCard(ctx.session, {
      signal: ctx.signal,
      onStage: (stage) => ctx.emit(STAGE_EVENTS[stage], {}),
    });
    switch (result.kind) {
      case 'canceled':
        return abortedOutcome<'IdCard.Read'>(ctx.signal);
      case 'deviceNotReady':
        return failure<'IdCard.Read'>('deviceNotReady', 'readerNotReady', 'The ID card reader is not ready. Please ask the hall staff for help.');
      case 'readFailed':
        switch (result.reason) {
          case 'unreadable':
            return failure<'IdCard.Read'>('userError', 'cardUnreadable', 'The card could not be read. Please lift it and place it on the reader again, and keep it still.');
          case 'unsupportedCard':
            return failure<'IdCard.Read'>('userError', 'unsupportedCard', 'This card is not supported. Please use a resident ID card or a foreign permanent residence card.');
          case 'communication':
            return failure<'IdCard.Read'>('hardwareError', 'readerCommunication', 'The ID card reader did not answer correctly. Please try again.');
          default: {
            const unreachable: never = result.reason;
            return unreachable;
          }
        }
      case 'refused':
        return failure<'IdCard.Read'>('userError', result.problem.errorCode, result.problem.errorDescription);
      case 'accepted':
        return success<'IdCard.Read'>({ identity: result.identity });
      default: {
        const unreachable: never = result;
        return unreachable;
      }
    }
  },
};

import { failure, success, type HandlersFor } from '../handler.ts';

/** Hall.* (issue 14): the hall's terminals as their heartbeats tell (services/hall/hall-status.ts). */
export const hallHandlers: HandlersFor<'Hall'> = {
  'Hall.Status': async (ctx) => {
    const result = await ctx.services.hallStatus.status();
    if (!result.ok) {
      return failure<'Hall.Status'>('deviceNotReady', 'hallDbUnavailable', 'The hall database does not answer right now: the other terminals cannot be listed. The agent reconnects by itself.');
    }
    return success<'Hall.Status'>({ terminals: result.terminals });
  },
};

import { success, type HandlersFor } from '../handler.ts';

export const sessionHandlers: HandlersFor<'Session'> = {
  'Session.End': (ctx) => {
    ctx.session.wipe();
    ctx.log.info({ reason: ctx.payload?.reason ?? 'unspecified' }, 'session ended');
    return Promise.resolve(success<'Session.End'>({}));
  },
};

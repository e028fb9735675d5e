import { success, type HandlersFor } from '../handler.ts';

export const sessionHandlers: HandlersFor<'Session'> = {
  'Session.End': (ctx) => {
    ctx.session.wipe();
    // Scanned pages hold personal data too: they go with the session.
    ctx.services.scanning?.scans.clear();
    ctx.log.info({ reason: ctx.payload?.reason ?? 'unspecified' }, 'session ended');
    return Promise.resolve(success<'Session.End'>({}));
  },
};

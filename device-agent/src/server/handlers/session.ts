import { success, type HandlersFor } from '../handler.ts';

export const sessionHandlers: HandlersFor<'Session'> = {
  'Session.End': (ctx) => {
    ctx.session.wipe();
    // Scanned pages hold personal data too: they go with the session.
    ctx.services.scanning.scans.clear();
    // So do the simulated A4 printer's PDFs (a real printer's paper is in the citizen's hand).
    void ctx.services.simulators.printer?.clearSpool().catch((error: unknown) => ctx.log.error({ err: error }, 'could not clear the simulated printer spool'));
    // The citizen's transaction (Common.SetTransactionState) ends with the session.
    ctx.services.staffMode.supplies.setTransactionActive(false);
    ctx.log.info({ reason: ctx.payload?.reason ?? 'unspecified' }, 'session ended');
    return Promise.resolve(success<'Session.End'>({}));
  },
};

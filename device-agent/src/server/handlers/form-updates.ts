import type { FormUpdateEntry } from '@onevisit/protocol';
import { failure, success, type HandlersFor } from '../handler.ts';

/**
 * `FormUpdates.*` (issue 16): what the staff screen shows of signed form updates, and a
 * technician's rollback by hand. Maps the protocol to the updater (services/forms-update).
 */

export const formUpdateHandlers: HandlersFor<'FormUpdates'> = {
  'FormUpdates.Status': async (ctx) => {
    const { formsUpdate, application } = ctx.services;
    const updater = formsUpdate.updater;
    const states = new Map((await updater?.formStates())?.map((s) => [s.formId, s]));
    const forms = application.catalog.ids().sort().flatMap((formId): FormUpdateEntry[] => {
      const entry = application.catalog.get(formId);
      if (entry === undefined) return [];
      const state = states.get(formId);
      return [
        {
          formId,
          title: entry.item.title,
          titleEn: entry.item.titleEn ?? entry.item.title,
          version: entry.pkg.definition.version,
          source: entry.archiveSha256 === undefined ? 'shipped' : 'update',
          shortHash: entry.archiveSha256?.slice(0, 8) ?? null,
          rollBackTo: state?.rollBackTo ?? null,
          pendingVersion: state?.pending ?? null,
          watchedFillsLeft: state?.watchedFillsLeft ?? 0,
        },
      ];
    });
    return success<'FormUpdates.Status'>({
      forms,
      refused: formsUpdate.refusals().map((r) => ({ ...r, reason: r.reason.slice(0, 300) })),
      rolledBack: (updater?.rolledBack() ?? []).map(({ formId, version, cause, reason, at }) => ({ formId, version, cause, reason, at })),
      channel: updater !== undefined,
    });
  },

  'FormUpdates.Rollback': async (ctx) => {
    const { formId } = ctx.payload;
    const updater = ctx.services.formsUpdate.updater;
    const result = updater === undefined ? ({ ok: false, code: 'notUpdated' } as const) : await updater.rollBackByHand(formId);
    ctx.services.staff.audit('formRollback', ctx.connection.id, result.ok ? { formId, from: result.from, to: result.to, switched: result.switched } : { formId, refused: result.code });
    if (result.ok) return success<'FormUpdates.Rollback'>({ formId, from: result.from, to: result.to, switched: result.switched });
    switch (result.code) {
      case 'notUpdated':
        return failure<'FormUpdates.Rollback'>('invalidData', 'notUpdated', 'This form runs the version shipped with the terminal: there is nothing to roll back.');
      case 'nothingToRollBackTo':
        return failure<'FormUpdates.Rollback'>('invalidData', 'nothingToRollBackTo', 'No older version of this form is kept on the terminal.');
      case 'switchFailed':
        return failure<'FormUpdates.Rollback'>('hardwareError', 'switchFailed', 'The switch could not be written to the data disk: the version stays.');
      default: {
        const unreachable: never = result.code;
        return unreachable;
      }
    }
  },
};

import { formatShanghaiIsoMs, slotOfCabinetUnit, type ExchangeTest, type StorageUnit } from '@onevisit/protocol';
import { cabinetExchangeTest, cabinetExchangeUnits, cabinetUnits } from '../../services/pickup/cabinet-units.ts';
import { TEST_RECEIPT } from '../../services/staff/diagnostics.ts';
import type { AgentServices } from '../../services.ts';
import { failure, success, type HandlersFor } from '../handler.ts';

/** The supplies, then the cabinet's compartments (issue 13): what staff refill and what they load. */
function allUnits(services: AgentServices): StorageUnit[] {
  const { supplies } = services.staffMode;
  const { pickup } = services;
  return [...supplies.units(), ...cabinetUnits(pickup.compartments(), { inExchange: (id) => supplies.unitInExchange(id), manipulated: pickup.manipulatedSlots() })];
}

/**
 * Storage.* (issue 12, after XFS4IoT's Storage service): supplies as units staff exchange. Ending an
 * exchange on the receipt roll runs a test print on the real printer (the exchange has just ended, so
 * the counting wrapper lets it through and counts it).
 */
export const storageHandlers: HandlersFor<'Storage'> = {
  'Storage.Status': (ctx) => {
    const { supplies } = ctx.services.staffMode;
    const exchange = supplies.exchange;
    return Promise.resolve(
      success<'Storage.Status'>({
        units: allUnits(ctx.services),
        exchange: exchange ? { units: exchange.units, startedAt: formatShanghaiIsoMs(exchange.startedAtMs) } : null,
      }),
    );
  },

  'Storage.StartExchange': (ctx) => {
    const mode = ctx.services.staffMode;
    const outcome = mode.supplies.startExchange(ctx.payload.units, mode.citizenActive(), cabinetExchangeUnits(ctx.services.pickup));
    switch (outcome.kind) {
      case 'started':
        ctx.services.staff.audit('exchangeStart', ctx.connection.id, { units: ctx.payload.units.join(',') });
        // The supplies as before, and the compartments only when this exchange is on them.
        return Promise.resolve(success<'Storage.StartExchange'>({ units: allUnits(ctx.services).filter((u) => u.kind !== 'cabinetSlot' || u.inExchange) }));
      case 'transactionActive':
        return Promise.resolve(failure<'Storage.StartExchange'>('sequenceError', 'transactionActive', 'A citizen is using the terminal; start the exchange when they are done.'));
      case 'exchangeActive':
        return Promise.resolve(failure<'Storage.StartExchange'>('sequenceError', 'exchangeActive', 'An exchange is already open; end it first.'));
      case 'unknownUnit':
        return Promise.resolve(failure<'Storage.StartExchange'>('invalidData', 'unknownUnit', 'No such supply unit on this terminal.'));
      default: {
        const unreachable: never = outcome;
        return unreachable;
      }
    }
  },

  'Storage.EndExchange': async (ctx) => {
    const { supplies } = ctx.services.staffMode;
    const outcome = supplies.endExchange(ctx.payload.units, ctx.payload.counts, cabinetExchangeUnits(ctx.services.pickup));
    switch (outcome.kind) {
      case 'ended': {
        const tests: ExchangeTest[] = [];
        // The cabinet's test: every compartment's door and presence sensor read against the record.
        const slots = ctx.payload.units.flatMap((id) => slotOfCabinetUnit(id) ?? []);
        if (slots.length > 0) tests.push(cabinetExchangeTest(await ctx.services.pickup.checkCompartments(slots)));
        if (ctx.payload.units.includes('receiptPaper')) {
          const printed = await ctx.services.devices.receiptPrinter.print(TEST_RECEIPT, { signal: ctx.signal });
          tests.push(printed.kind === 'printed' ? { device: 'receiptPrinter', result: 'ok' } : { device: 'receiptPrinter', result: 'failed', code: printed.kind });
        }
        if (ctx.payload.units.includes('a4Paper')) tests.push({ device: 'printer', result: 'skipped' });
        const counts = Object.entries(ctx.payload.counts)
          .map(([unit, count]) => `${unit}=${count}`)
          .join(',');
        ctx.services.staff.audit('exchangeEnd', ctx.connection.id, { units: ctx.payload.units.join(','), counts, test: tests.map((t) => `${t.device}:${t.result}`).join(',') });
        return success<'Storage.EndExchange'>({ units: allUnits(ctx.services), tests });
      }
      case 'noExchange':
        return failure<'Storage.EndExchange'>('sequenceError', 'noExchange', 'No exchange is open.');
      case 'notInExchange':
        return failure<'Storage.EndExchange'>('invalidData', 'notInExchange', 'Those units are not in the open exchange.');
      case 'unknownUnit':
        return failure<'Storage.EndExchange'>('invalidData', 'unknownUnit', 'No such supply unit on this terminal.');
      case 'invalidCount':
        return failure<'Storage.EndExchange'>('invalidData', 'invalidCount', `The count is more than the unit holds (${outcome.maxCount}).`, { unit: outcome.unit, maxCount: outcome.maxCount });
      default: {
        const unreachable: never = outcome;
        return unreachable;
      }
    }
  },
};

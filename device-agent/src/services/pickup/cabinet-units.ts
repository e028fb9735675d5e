import { cabinetUnitId, slotOfCabinetUnit, type AgentWarning, type ExchangeTest, type StorageUnit } from '@onevisit/protocol';
import type { ExchangeUnits } from '../staff/supplies.ts';
import type { CompartmentCheck, CompartmentView, PickupService, PickupWarning } from './pickup-service.ts';

/**
 * The cabinet's compartments as XFS4IoT storage units (Storage.Status, issue 13): one unit
 * `cabinet.<slot>` of kind `cabinetSlot` per compartment, counted in items (0 or 1). The
 * compartment's own state (free / occupied / open / fault) is in `compartment`; the XFS state
 * says what staff must do: a free compartment is `empty` only in the storage sense (room for a
 * deposit), a fault or a compartment touched outside an exchange is `manipulated` (the count cannot
 * be trusted until staff end an exchange on it, or a technician looks at the lock).
 */
export function cabinetUnits(
  compartments: readonly CompartmentView[],
  exchange: { inExchange?: (unitId: string) => boolean; manipulated?: ReadonlySet<string> } = {},
): StorageUnit[] {
  const inExchange = exchange.inExchange ?? (() => false);
  const manipulated = exchange.manipulated ?? new Set<string>();
  return compartments.map((c) => ({
    id: cabinetUnitId(c.slot),
    kind: 'cabinetSlot',
    device: 'dispenser',
    countUnit: 'items',
    count: c.state === 'occupied' ? 1 : c.state === 'free' ? 0 : null,
    initialCount: null,
    thresholds: { low: 0, empty: 0 },
    maxCount: 1,
    state: manipulated.has(c.slot) ? 'manipulated' : unitState(c.state),
    sensor: c.state === 'fault' ? 'unknown' : 'ok',
    inExchange: inExchange(cabinetUnitId(c.slot)),
    lastExchangeAt: null,
    compartment: { slot: c.slot, size: c.size, state: c.state },
  }));
}

function unitState(state: CompartmentView['state']): StorageUnit['state'] {
  switch (state) {
    case 'free':
      return 'empty';
    case 'occupied':
    case 'open':
      return 'ok';
    case 'fault':
      return 'manipulated';
    default: {
      const unreachable: never = state;
      return unreachable;
    }
  }
}

/** The cabinet's compartments as units another service owns in the one storage exchange (SupplyService). */
export function cabinetExchangeUnits(pickup: Pick<PickupService, 'compartments'>): ExchangeUnits {
  return {
    owns: (id) => {
      const slot = slotOfCabinetUnit(id);
      return slot !== undefined && pickup.compartments().some((c) => c.slot === slot);
    },
    device: 'dispenser',
    maxCount: 1,
  };
}

/** The compartments' end-of-exchange checks as one device test: the failing compartments named in `code`. */
export function cabinetExchangeTest(checks: readonly CompartmentCheck[]): ExchangeTest {
  const failed = checks.filter((c) => c.result !== 'ok');
  if (failed.length === 0) return { device: 'dispenser', result: 'ok' };
  const first = failed[0];
  const code = `${first?.result ?? 'failed'}:${failed.map((c) => c.slot).join(',')}`;
  return { device: 'dispenser', result: 'failed', code: code.length <= 64 ? code : `${code.slice(0, 61)}...` };
}

/** The cabinet's staff warnings (PickupWarnings.current) as Common.Status warnings; details name a compartment only. */
export function cabinetWarnings(warnings: readonly PickupWarning[]): AgentWarning[] {
  return warnings.map((w) => {
    switch (w.kind) {
      case 'doorLeftOpen':
        return { code: 'cabinetDoorOpen', detail: `Compartment ${w.slot}: the door was left open after a pickup; close it.` };
      case 'doorFoundOpen':
        return { code: 'cabinetDoorOpen', detail: `Compartment ${w.slot}: the door was found open after a restart; check the compartment and close it.` };
      case 'lockFailed':
        return { code: 'cabinetLockFault', detail: `Compartment ${w.slot}: the lock did not open; a technician must check it (its item stays inside).` };
      case 'needsCheck':
        return { code: 'cabinetItemMissing', detail: `Compartment ${w.slot}: the sensors could not confirm its item; check it by hand (Pickup.ListOverdue lists it).` };
      case 'itemUnexpected':
        return { code: 'cabinetItemUnexpected', detail: `Compartment ${w.slot}: something is inside a compartment that should be empty; open it and take it out.` };
      default: {
        const unreachable: never = w;
        return unreachable;
      }
    }
  });
}

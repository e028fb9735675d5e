import { lockKey, type CabinetDriver } from '../../devices/cabinet/driver.ts';
import type { CabinetLayout } from '../../devices/cabinet/layout.ts';
import type { CompartmentView, PickupWarning } from './pickup-service.ts';

/**
 * The cabinet's staff warnings as they stand now (Common.Status `warnings`): the service reports
 * each one once (`onWarning`); a door warning lasts until the cabinet reads that door closed, a
 * lock warning while the compartment is in fault, a check warning while its item still needs one.
 */
export class PickupWarnings {
  readonly #bySlot = new Map<string, PickupWarning>();

  constructor(driver: CabinetDriver, layout: CabinetLayout) {
    const slotOf = new Map(layout.compartments.map((c) => [lockKey(c), c.slot]));
    driver.onReading((reading) => {
      const slot = slotOf.get(lockKey(reading));
      if (slot === undefined) return;
      if (reading.presence === 'empty') this.#bySlot.delete(`itemUnexpected:${slot}`);
      if (reading.door !== 'closed') return;
      this.#bySlot.delete(`doorLeftOpen:${slot}`);
      this.#bySlot.delete(`doorFoundOpen:${slot}`);
    });
  }

  add(warning: PickupWarning): void {
    this.#bySlot.set(`${warning.kind}:${warning.slot}`, warning);
  }

  /** The warnings still true of the compartments (`compartments()`), dropping those that are settled. */
  current(compartments: readonly CompartmentView[], needsCheck: ReadonlySet<string>): PickupWarning[] {
    const state = new Map(compartments.map((c) => [c.slot, c.state]));
    for (const [key, warning] of this.#bySlot) {
      if (!stillTrue(warning, state.get(warning.slot), needsCheck)) this.#bySlot.delete(key);
    }
    return [...this.#bySlot.values()];
  }
}

function stillTrue(warning: PickupWarning, state: CompartmentView['state'] | undefined, needsCheck: ReadonlySet<string>): boolean {
  switch (warning.kind) {
    case 'doorLeftOpen':
    case 'doorFoundOpen':
      // Cleared by a closed reading (constructor).
      return true;
    case 'lockFailed':
      return state === 'fault';
    case 'needsCheck':
      return needsCheck.has(warning.itemId);
    case 'itemUnexpected':
      // Cleared by an empty reading (constructor), or by a deposit that put an item on record there.
      return state === 'free';
    default: {
      const unreachable: never = warning;
      return unreachable;
    }
  }
}

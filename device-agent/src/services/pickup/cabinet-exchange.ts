import { cabinetUnitId } from '@onevisit/protocol';
import type { StaffAuditAction } from '../staff/staff-service.ts';
import type { SupplyService } from '../staff/supplies.ts';
import { cabinetExchangeUnits } from './cabinet-units.ts';
import type { PickupService } from './pickup-service.ts';

/**
 * Staff load and recover certificates inside a storage exchange on the cabinet's compartments
 * (issue 13 on issue 12's model, after XFS4IoT: Storage.StartExchange on the units → the physical
 * work → Storage.EndExchange, which checks them). The staff cabinet screen opens one on every
 * compartment when it shows and ends it when it closes; the agent also leaves it when the staff
 * session ends (staff-mode.ts), so citizens are never locked out of the cabinet by a forgotten one.
 *
 * A Pickup.Deposit or Pickup.Recover sent with no exchange open at all (an older client, a script
 * over the API) gets an exchange of its own on every compartment for the length of that command,
 * audited like any other (`implicit: true`), so a deposit is never made outside one.
 */
export interface CabinetExchangeDeps {
  supplies: SupplyService;
  pickup: PickupService;
  citizenActive: () => boolean;
  audit: (action: Extract<StaffAuditAction, 'exchangeStart' | 'exchangeEnd'>, details: Readonly<Record<string, string | number | boolean | null>>) => void;
}

export type ExchangeRefusal = { kind: 'exchangeActive' };

/**
 * Runs `work` inside the open exchange on the cabinet (it gets which compartments that exchange
 * covers), or inside an exchange of its own when none is open. Refused (`exchangeActive`) while an
 * exchange without the cabinet is open (a restock of receipt paper).
 */
export async function withinCabinetExchange<T>(deps: CabinetExchangeDeps, command: string, work: (inExchange: (slot: string) => boolean) => Promise<T>): Promise<T | ExchangeRefusal> {
  const { supplies, pickup } = deps;
  if (supplies.exchange !== undefined) {
    if (!supplies.inExchange('dispenser')) return { kind: 'exchangeActive' };
    return work((slot) => supplies.unitInExchange(cabinetUnitId(slot)));
  }
  const units = pickup.compartments().map((c) => cabinetUnitId(c.slot));
  const started = supplies.startExchange(units, deps.citizenActive(), cabinetExchangeUnits(pickup));
  // A staff command never runs during a citizen transaction (the dispatch's roles), so only a race with another exchange is left.
  if (started.kind !== 'started') return { kind: 'exchangeActive' };
  deps.audit('exchangeStart', { units: `cabinet (${units.length})`, implicit: true, command });
  try {
    return await work(() => true);
  } finally {
    supplies.leaveExchange('dispenser');
    deps.audit('exchangeEnd', { units: `cabinet (${units.length})`, implicit: true, command });
  }
}

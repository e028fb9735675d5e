import { DEFAULT_SAMPLE_KEY, findSampleIdentity, SAMPLE_IDENTITIES } from '../../devices/id-card/sample-identities.ts';
import { LONG_TERM, shanghaiDate, type DevCabinetAction, type DevCompartment, type Identity } from '@onevisit/protocol';
import type { Compartment } from '../../devices/cabinet/layout.ts';
import type { CabinetSimulator } from '../../devices/cabinet/simulator.ts';
import { devMessages } from '../dev-sms.ts';
import { failure, success, type HandlersFor } from '../handler.ts';

/** Dev.* commands: accepted only with --dev (the server refuses devOnly commands otherwise). */
export const devHandlers: HandlersFor<'Dev'> = {
  'Dev.InsertCard': (ctx) => {
    const sim = ctx.services.simulators.idCard;
    if (!sim) return Promise.resolve(failure<'Dev.InsertCard'>('unsupportedCommand', 'notSimulated', 'The ID card reader is not simulated (--idcard sim).'));
    const requested = ctx.payload?.identity ?? DEFAULT_SAMPLE_KEY;
    let identity: Identity;
    if (typeof requested === 'string') {
      const sample = findSampleIdentity(requested);
      if (!sample) {
        return Promise.resolve(
          failure<'Dev.InsertCard'>('invalidData', 'unknownIdentity', `There is no sample identity "${requested}"; Dev.ListIdentities lists them.`),
        );
      }
      identity = sample.identity;
    } else {
      identity = requested;
    }
    sim.insertCard(identity);
    return Promise.resolve(success<'Dev.InsertCard'>({}));
  },

  'Dev.RemoveCard': (ctx) => {
    const sim = ctx.services.simulators.idCard;
    if (!sim) return Promise.resolve(failure<'Dev.RemoveCard'>('unsupportedCommand', 'notSimulated', 'The ID card reader is not simulated (--idcard sim).'));
    sim.removeCard();
    return Promise.resolve(success<'Dev.RemoveCard'>({}));
  },

  'Dev.SetDeviceState': (ctx) => {
    const { device, state } = ctx.payload;
    const sim = ctx.services.simulators.get(device);
    if (!sim) {
      return Promise.resolve(failure<'Dev.SetDeviceState'>('invalidData', 'notSimulated', `The device "${device}" is not simulated on this agent.`));
    }
    if (!sim.setSimulatedState(state)) {
      return Promise.resolve(failure<'Dev.SetDeviceState'>('invalidData', 'unsupportedState', `The device "${device}" has no state "${state}".`));
    }
    return Promise.resolve(success<'Dev.SetDeviceState'>({}));
  },

  'Dev.PrintedOutput': (ctx) => {
    const last = ctx.payload?.last ?? 100;
    const receipts = (ctx.services.simulators.receiptPrinter?.printed() ?? [])
      .slice(-last)
      .map((r) => ({ text: r.text, bytesBase64: Buffer.from(r.bytes).toString('base64') }));
    const a4 = (ctx.services.simulators.printer?.printedFiles() ?? []).slice(-last).map((file) => ({ file }));
    return Promise.resolve(success<'Dev.PrintedOutput'>({ receipts, a4 }));
  },

  'Dev.Cabinet': (ctx) => {
    const sim = ctx.services.simulators.dispenser;
    if (!sim) return Promise.resolve(failure<'Dev.Cabinet'>('unsupportedCommand', 'notSimulated', 'The pickup cabinet is not simulated (--dispenser sim).'));
    const layout = ctx.services.devices.dispenserLayout.compartments;
    if (ctx.payload !== undefined && 'action' in ctx.payload) {
      const { slot, action } = ctx.payload;
      const compartment = layout.find((c) => c.slot === slot);
      if (!compartment) return Promise.resolve(failure<'Dev.Cabinet'>('invalidData', 'unknownSlot', `The cabinet has no compartment "${slot}".`));
      if ((action === 'placeItem' || action === 'takeItem') && sim.model.door(compartment) !== 'open') {
        return Promise.resolve(failure<'Dev.Cabinet'>('invalidData', 'doorClosed', `The door of ${slot} is closed: open it first.`));
      }
      applyCabinetAction(sim, compartment, action);
    }
    return Promise.resolve(success<'Dev.Cabinet'>({ compartments: layout.map((c) => compartmentView(sim, c)) }));
  },

  'Dev.SentMessages': (ctx) => Promise.resolve(success<'Dev.SentMessages'>({ messages: [...devMessages(ctx.services)] })),

  'Dev.ListIdentities': (ctx) => {
    const today = shanghaiDate(ctx.services.clock.now());
    return Promise.resolve(
      success<'Dev.ListIdentities'>({
        identities: SAMPLE_IDENTITIES.map((s) => ({
          key: s.key,
          label: s.label,
          cardType: s.identity.cardType,
          expired: s.identity.validTo !== LONG_TERM && s.identity.validTo < today,
        })),
      }),
    );
  },
};

function applyCabinetAction(sim: CabinetSimulator, compartment: Compartment, action: DevCabinetAction): void {
  switch (action) {
    case 'openDoor':
      // Forced open or left ajar: the door without the lock (a real unlock goes through Pickup.*).
      sim.model.setDoor(compartment, 'open');
      return;
    case 'closeDoor':
      sim.model.closeDoor(compartment);
      return;
    case 'placeItem':
      sim.model.placeItem(compartment);
      return;
    case 'takeItem':
      sim.model.takeItem(compartment);
      return;
    case 'jamLock':
      sim.model.failLock(compartment, true);
      return;
    case 'freeLock':
      sim.model.failLock(compartment, false);
      return;
    case 'silenceBoard':
      sim.silenceBoard(compartment.board, true);
      return;
    case 'wakeBoard':
      sim.silenceBoard(compartment.board, false);
      return;
    default: {
      const unreachable: never = action;
      return unreachable;
    }
  }
}

function compartmentView(sim: CabinetSimulator, compartment: Compartment): DevCompartment {
  return {
    slot: compartment.slot,
    board: compartment.board,
    lock: compartment.lock,
    door: sim.model.door(compartment),
    item: sim.model.hasItem(compartment),
    boardSilent: sim.model.isSilent(compartment.board),
  };
}

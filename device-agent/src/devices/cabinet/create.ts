import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import { serialTransport } from '../transport/serial.ts';
import { BoardDriver } from './board-driver.ts';
import { CU16 } from './cu16.ts';
import type { CabinetDriver, CabinetProtocol } from './driver.ts';
import { defaultLayout, type CabinetLayout } from './layout.ts';
import { LOCK8A } from './lock8a.ts';
import { CabinetSimulator } from './simulator.ts';

/** Mirrors DispenserSpec in config.ts (`--dispenser`). */
export type DispenserTarget = { kind: 'sim' } | { kind: 'serial'; path: string };

export interface DispenserOptions {
  protocol: CabinetProtocol;
  /** `--dispenser-baud`; undefined: the protocol's factory rate (CU16 19200, 8A/80 9600). */
  baudRate: number | undefined;
  /** `--dispenser-layout`; undefined only for the simulator (config.ts refuses a real cabinet without one). */
  layout: CabinetLayout | undefined;
}

/** What the factory built: the driver, its layout, and the simulator behind it when it is one (Dev.*). */
export type DispenserBuild = { driver: CabinetDriver; layout: CabinetLayout; simulator: CabinetSimulator | undefined };

export function defaultBaudRate(protocol: CabinetProtocol): number {
  return protocol === 'cu16' ? CU16.defaultBaudRate : LOCK8A.defaultBaudRate;
}

/**
 * Why the agent cannot run this cabinet, or undefined: a real cabinet's wiring (which lock opens
 * which compartment) cannot be guessed, so `serial:` needs a layout file. main.ts refuses to start.
 */
export function dispenserProblem(target: DispenserTarget, layout: CabinetLayout | undefined): string | undefined {
  if (target.kind === 'serial' && layout === undefined) {
    return `--dispenser serial:${target.path} needs --dispenser-layout FILE: a JSON list of the cabinet's compartments, one per lock, e.g. [{ "slot": "A01", "board": 0, "lock": 1, "size": "S" }]. A real cabinet's wiring cannot be guessed.`;
  }
  return undefined;
}

export function createDispenser(target: DispenserTarget, options: DispenserOptions, deps: { clock: Clock; log?: Pick<Logger, 'info' | 'warn'> }): DispenserBuild {
  switch (target.kind) {
    case 'sim': {
      const layout = options.layout ?? defaultLayout(options.protocol);
      const simulator = new CabinetSimulator({ locks: layout.compartments, protocol: options.protocol, clock: deps.clock });
      return { driver: simulator, layout, simulator };
    }
    case 'serial': {
      // main.ts refuses to start without a layout (dispenserProblem): reaching here without one is a bug.
      const problem = dispenserProblem(target, options.layout);
      if (problem !== undefined || options.layout === undefined) throw new Error(problem);
      const { layout } = options;
      const driver = new BoardDriver({
        protocol: options.protocol,
        locks: layout.compartments,
        lock8aFeedback: layout.lock8aFeedback,
        open: serialTransport({ path: target.path, baudRate: options.baudRate ?? defaultBaudRate(options.protocol) }),
        ...(deps.log === undefined ? {} : { logger: deps.log }),
      });
      return { driver, layout, simulator: undefined };
    }
    default: {
      const unreachable: never = target;
      return unreachable;
    }
  }
}

import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import type { IdCardSpec } from '../../config.ts';
import type { IdCardReader } from './driver.ts';
import { IdCardSimulator } from './simulator.ts';
import { createRealIdCardReader } from './real-reader.ts';

export type IdCardDeps = {
  clock: Clock;
  log: Logger;
  /** Find-card polling interval of a real reader (`--idcard-poll-ms`). */
  pollIntervalMs?: number;
};

/** What the factory built: the reader, and the simulator behind it when it is one (for Dev.* commands). */
export type IdCardReaderBuild = {
  reader: IdCardReader;
  simulator: IdCardSimulator | undefined;
};

/**
 * Builds the ID card reader the configuration names (`--idcard`).
 * `sim` is the simulator. `serial:PATH` and `hid:VID:PID` are the real GA/T 467
 * driver (protocol + driver in this folder, transport in devices/transport); an absent reader or a
 * native library that fails to load is reported `offline`, never a crash.
 */
export function createIdCardReader(spec: IdCardSpec, deps: IdCardDeps): IdCardReaderBuild {
  switch (spec.kind) {
    case 'sim': {
      const simulator = new IdCardSimulator({ clock: deps.clock });
      return { reader: simulator, simulator };
    }
    case 'serial':
    case 'hid':
      // GA/T 467 driver (gat467-reader.ts) over serialport or node-hid, loaded when opened.
      return { reader: createRealIdCardReader(spec, deps), simulator: undefined };
    default: {
      const unreachable: never = spec;
      return unreachable;
    }
  }
}

export { IdCardSimulator } from './simulator.ts';
export type { IdCardReader, CardReadResult, CardEvent, ReadStage } from './driver.ts';

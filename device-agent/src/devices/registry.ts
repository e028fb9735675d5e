import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { DeviceId } from '../protocol/index.ts';
import type { Device } from './device.ts';
import type { IdCardReader } from './id-card/driver.ts';
import { createIdCardReader } from './id-card/index.ts';
import type { IdCardSimulator } from './id-card/simulator.ts';
import type { SimulatedDevice } from './simulated.ts';

export type DeviceDeps = {
  clock: Clock;
  log: Logger;
};

/** The simulators behind the configured devices (only those that are simulated). */
export interface Simulators {
  readonly idCard: IdCardSimulator | undefined;
  get(id: DeviceId): SimulatedDevice | undefined;
}

export interface DeviceRegistry {
  readonly idCard: IdCardReader;
  all(): readonly Device[];
  get(id: DeviceId): Device | undefined;
  readonly simulators: Simulators;
  /** Starts every device; a device that cannot start reports `offline` instead of throwing. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Builds the devices the configuration names. Later issues add their device here
 * (scanner, printer, receiptPrinter, dispenser) with a `create<Device>(spec, deps)` factory each.
 */
export function createDevices(config: Pick<Config, 'idCard'>, deps: DeviceDeps): DeviceRegistry {
  const idCard = createIdCardReader(config.idCard, deps);
  const devices: readonly Device[] = [idCard.reader];
  const simulated: readonly SimulatedDevice[] = idCard.simulator ? [idCard.simulator] : [];

  return {
    idCard: idCard.reader,
    all: () => devices,
    get: (id) => devices.find((d) => d.id === id),
    simulators: {
      idCard: idCard.simulator,
      get: (id) => simulated.find((d) => d.id === id),
    },
    async start() {
      for (const device of devices) {
        try {
          await device.start();
        } catch (error) {
          deps.log.error({ device: device.id, err: error }, 'device failed to start');
        }
      }
    },
    async stop() {
      for (const device of devices) {
        try {
          await device.stop();
        } catch (error) {
          deps.log.error({ device: device.id, err: error }, 'device failed to stop');
        }
      }
    },
  };
}

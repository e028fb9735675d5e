import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { DeviceId } from '../protocol/index.ts';
import type { Device } from './device.ts';
import type { IdCardReader } from './id-card/driver.ts';
import { createIdCardReader } from './id-card/index.ts';
import type { IdCardSimulator } from './id-card/simulator.ts';
import type { SimulatedDevice } from './simulated.ts';
import { createA4Printer } from './printer/create.ts';
import type { A4Printer } from './printer/driver.ts';
import { createReceiptPrinter } from './receipt-printer/create.ts';
import type { ReceiptPrinter } from './receipt-printer/driver.ts';
import type { SimulatedA4Printer } from './printer/simulator.ts';
import type { SimulatedReceiptPrinter } from './receipt-printer/simulator.ts';
import { createScanningServices, type ScanningDeps, type ScanningServices } from '../services/document-check/scanning.ts';

export type DeviceDeps = {
  clock: Clock;
  log: Logger;
};

/** The simulators behind the configured devices (only those that are simulated). */
export interface Simulators {
  readonly idCard: IdCardSimulator | undefined;
  readonly printer: SimulatedA4Printer | undefined;
  readonly receiptPrinter: SimulatedReceiptPrinter | undefined;
  get(id: DeviceId): SimulatedDevice | undefined;
}

export interface DeviceRegistry {
  readonly idCard: IdCardReader;
  readonly printer: A4Printer;
  readonly receiptPrinter: ReceiptPrinter;
  /** The scanner with its scan store and OCR pool (scans and OCR go together: issue 3). */
  readonly scanning: ScanningServices;
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
export function createDevices(
  config: Pick<Config, 'idCard' | 'idcardPollMs' | 'printer' | 'receiptPrinter' | 'scanner' | 'dataDir'>,
  deps: DeviceDeps & { ocrWorkers?: ScanningDeps['ocrWorkers'] },
): DeviceRegistry {
  const idCard = createIdCardReader(config.idCard, { ...deps, pollIntervalMs: config.idcardPollMs });
  const printer = createA4Printer(config.printer, { clock: deps.clock, dataDir: config.dataDir });
  const receiptPrinter = createReceiptPrinter(config.receiptPrinter, { clock: deps.clock });
  const scanning = createScanningServices(config.scanner, {
    clock: deps.clock,
    log: deps.log,
    dataDir: config.dataDir,
    ...(deps.ocrWorkers === undefined ? {} : { ocrWorkers: deps.ocrWorkers }),
  });
  const devices: readonly Device[] = [idCard.reader, scanning.scanner, printer.printer, receiptPrinter.printer];
  const simulated: readonly SimulatedDevice[] = [idCard.simulator, scanning.simulator, printer.simulator, receiptPrinter.simulator].filter(
    (d): d is NonNullable<typeof d> => d !== undefined,
  );

  return {
    idCard: idCard.reader,
    printer: printer.printer,
    receiptPrinter: receiptPrinter.printer,
    scanning,
    all: () => devices,
    get: (id) => devices.find((d) => d.id === id),
    simulators: {
      idCard: idCard.simulator,
      printer: printer.simulator,
      receiptPrinter: receiptPrinter.simulator,
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

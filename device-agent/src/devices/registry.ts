import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { DeviceId } from '@onevisit/protocol';
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
import { createScanner } from './scanner/index.ts';
import type { Scanner } from './scanner/driver.ts';
import type { ScannerSimulator } from './scanner/simulator.ts';
import { createDispenser } from './cabinet/create.ts';
import type { CabinetDriver } from './cabinet/driver.ts';
import type { CabinetLayout } from './cabinet/layout.ts';
import type { CabinetSimulator } from './cabinet/simulator.ts';

export type DeviceDeps = {
  clock: Clock;
  log: Logger;
};

/** The simulators behind the configured devices (only those that are simulated). */
export interface Simulators {
  readonly idCard: IdCardSimulator | undefined;
  readonly printer: SimulatedA4Printer | undefined;
  readonly receiptPrinter: SimulatedReceiptPrinter | undefined;
  readonly scanner: ScannerSimulator | undefined;
  readonly dispenser: CabinetSimulator | undefined;
  get(id: DeviceId): SimulatedDevice | undefined;
}

export interface DeviceRegistry {
  readonly idCard: IdCardReader;
  readonly printer: A4Printer;
  readonly receiptPrinter: ReceiptPrinter;
  /** The scanner alone; its scan store and OCR live in services/document-check (composed in services.ts). */
  readonly scanner: Scanner;
  /** The certificate pickup cabinet (issue 13) and its compartments; the flows are services/pickup. */
  readonly dispenser: CabinetDriver;
  readonly dispenserLayout: CabinetLayout;
  all(): readonly Device[];
  get(id: DeviceId): Device | undefined;
  readonly simulators: Simulators;
  /** Starts every device; a device that cannot start reports `offline` instead of throwing. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Builds the devices the configuration names, each with a `create<Device>(spec, deps)` factory.
 * Devices know no service: what runs on top of them (OCR, flows) is composed in services.ts.
 */
export function createDevices(
  config: Pick<
    Config,
    'idCard' | 'idcardPollMs' | 'printer' | 'receiptPrinter' | 'scanner' | 'dataDir' | 'dispenser' | 'dispenserProtocol' | 'dispenserBaud' | 'dispenserLayout'
  >,
  deps: DeviceDeps,
): DeviceRegistry {
  const idCard = createIdCardReader(config.idCard, { ...deps, pollIntervalMs: config.idcardPollMs });
  const printer = createA4Printer(config.printer, { clock: deps.clock, dataDir: config.dataDir });
  const receiptPrinter = createReceiptPrinter(config.receiptPrinter, { clock: deps.clock, log: deps.log });
  const scanner = createScanner(config.scanner, deps);
  const dispenser = createDispenser(
    config.dispenser,
    { protocol: config.dispenserProtocol, baudRate: config.dispenserBaud, layout: config.dispenserLayout },
    { clock: deps.clock, log: deps.log },
  );
  const devices: readonly Device[] = [idCard.reader, scanner.scanner, printer.printer, receiptPrinter.printer, dispenser.driver];
  const simulated: readonly SimulatedDevice[] = [idCard.simulator, scanner.simulator, printer.simulator, receiptPrinter.simulator, dispenser.simulator].filter(
    (d): d is NonNullable<typeof d> => d !== undefined,
  );

  return {
    idCard: idCard.reader,
    printer: printer.printer,
    receiptPrinter: receiptPrinter.printer,
    scanner: scanner.scanner,
    dispenser: dispenser.driver,
    dispenserLayout: dispenser.layout,
    all: () => devices,
    get: (id) => devices.find((d) => d.id === id),
    simulators: {
      idCard: idCard.simulator,
      printer: printer.simulator,
      receiptPrinter: receiptPrinter.simulator,
      scanner: scanner.simulator,
      dispenser: dispenser.simulator,
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

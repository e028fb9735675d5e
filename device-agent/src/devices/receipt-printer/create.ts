import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import { EscPosReceiptPrinter, type ReceiptPrinter } from './driver.ts';
import { SimulatedReceiptPrinter } from './simulator.ts';
import { serialTransport } from '../transport/serial.ts';
import { tcpTransport } from '../transport/tcp.ts';
import { usbTransport } from '../transport/usb.ts';
import { PROFILE_58MM, PROFILE_80MM } from './escpos.ts';

/** Mirrors ReceiptPrinterSpec in config.ts (`--receipt-printer`). */
export type ReceiptPrinterTarget =
  | { kind: 'sim' }
  | { kind: 'serial'; path: string; baudRate?: number }
  | { kind: 'usb'; vendorId: number; productId: number }
  | { kind: 'tcp'; host: string; port: number };

/** What the factory built: the printer, and the simulator behind it when it is one (for Dev.* commands). */
export type ReceiptPrinterBuild = { printer: ReceiptPrinter; simulator: SimulatedReceiptPrinter | undefined };

/** Receipt printers ship at 9600 8N1 unless their self-test page says otherwise. */
export const DEFAULT_RECEIPT_BAUD_RATE = 9600;

export function createReceiptPrinter(
  target: ReceiptPrinterTarget,
  deps: { clock: Clock; paperWidthMm?: 58 | 80; log?: Pick<Logger, 'warn'> },
): ReceiptPrinterBuild {
  const profile = deps.paperWidthMm === 58 ? PROFILE_58MM : PROFILE_80MM;
  const driver = { clock: deps.clock, profile, ...(deps.log === undefined ? {} : { logger: deps.log }) };
  switch (target.kind) {
    case 'sim': {
      const simulator = new SimulatedReceiptPrinter(driver);
      return { printer: simulator, simulator };
    }
    case 'serial': {
      const transport = serialTransport({ path: target.path, baudRate: target.baudRate ?? DEFAULT_RECEIPT_BAUD_RATE });
      return { printer: new EscPosReceiptPrinter(transport, driver), simulator: undefined };
    }
    case 'usb':
      return { printer: new EscPosReceiptPrinter(usbTransport({ vendorId: target.vendorId, productId: target.productId }), driver), simulator: undefined };
    case 'tcp':
      // Network printers may have real-time status off on port 9100: print blind when connected but silent.
      return {
        printer: new EscPosReceiptPrinter(tcpTransport({ host: target.host, port: target.port }), { ...driver, assumeReadyWhenSilent: true }),
        simulator: undefined,
      };
    default: {
      const unreachable: never = target;
      return unreachable;
    }
  }
}

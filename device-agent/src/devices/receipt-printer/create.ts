import type { Clock } from '../../clock.ts';
import { EscPosReceiptPrinter, type ReceiptPrinter } from './driver.ts';
import { SimulatedReceiptPrinter } from './simulator.ts';
import { SerialTransport } from './transport-serial.ts';
import { TcpTransport } from './transport-tcp.ts';
import { UsbTransport } from './transport-usb.ts';
import { PROFILE_58MM, PROFILE_80MM } from './escpos.ts';

/** Mirrors ReceiptPrinterSpec in config.ts (`--receipt-printer`). */
export type ReceiptPrinterTarget =
  | { kind: 'sim' }
  | { kind: 'serial'; path: string; baudRate?: number }
  | { kind: 'usb'; vendorId: number; productId: number }
  | { kind: 'tcp'; host: string; port: number };

export function createReceiptPrinter(
  target: ReceiptPrinterTarget,
  options: { clock: Clock; paperWidthMm?: 58 | 80 },
): ReceiptPrinter {
  const profile = options.paperWidthMm === 58 ? PROFILE_58MM : PROFILE_80MM;
  switch (target.kind) {
    case 'sim':
      return new SimulatedReceiptPrinter({ clock: options.clock, profile });
    case 'serial':
      return new EscPosReceiptPrinter(
        new SerialTransport(target.baudRate === undefined ? { path: target.path } : { path: target.path, baudRate: target.baudRate }),
        { clock: options.clock, profile },
      );
    case 'usb':
      return new EscPosReceiptPrinter(new UsbTransport({ vendorId: target.vendorId, productId: target.productId }), { clock: options.clock, profile });
    case 'tcp':
      return new EscPosReceiptPrinter(new TcpTransport({ host: target.host, port: target.port }), { clock: options.clock, profile });
    default: {
      const unreachable: never = target;
      return unreachable;
    }
  }
}

import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Unsubscribe } from '../device.ts';
import { Listeners, TransportError, type ByteTransport } from './transport.ts';

export type UsbTransportOptions = {
  vendorId: number;
  productId: number;
  /** For tests: where `sys/class/usbmisc` is found (default `/`). */
  sysRoot?: string;
  /** For tests: where the `lpN` device nodes are (default `/dev/usb`). */
  devDir?: string;
  /** How often to look for reply bytes while open. */
  pollIntervalMs?: number;
};

/**
 * USB receipt printers are USB printer-class devices (bulk in/out), not HID, so node-hid cannot
 * reach them. Linux's `usblp` driver exposes each one as a character device `/dev/usb/lpN`
 * that reads and writes the bulk endpoints, so no libusb binding is needed: we find the node
 * whose USB device has the configured VID:PID in sysfs
 * (`/sys/class/usbmisc/lpN/device` → the interface; its parent holds `idVendor`/`idProduct`),
 * open it non-blocking, write jobs and poll for status bytes.
 * Needs read/write access to the node (udev rule: group `lp`, which the kiosk user is in).
 */
export class UsbTransport implements ByteTransport {
  readonly kind = 'usb';
  readonly #options: UsbTransportOptions;
  #handle: fs.FileHandle | undefined;
  #poll: NodeJS.Timeout | undefined;
  #reading = false;
  readonly #data = new Listeners<[Uint8Array]>();
  readonly #closed = new Listeners<[]>();

  constructor(options: UsbTransportOptions) {
    this.#options = options;
  }

  get isOpen(): boolean {
    return this.#handle !== undefined;
  }

  async open(): Promise<void> {
    if (this.#handle) return;
    const node = await findUsbLpNode(this.#options);
    if (node === undefined) {
      throw new TransportError('deviceNotFound', `no USB printer ${hex(this.#options.vendorId)}:${hex(this.#options.productId)} (usblp) found`);
    }
    try {
      this.#handle = await fs.open(node, constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOCTTY);
    } catch (error) {
      throw new TransportError('connectFailed', `cannot open ${node}: ${(error as Error).message}`);
    }
    this.#poll = setInterval(() => void this.#readAvailable(), this.#options.pollIntervalMs ?? 20);
  }

  async #readAvailable(): Promise<void> {
    const handle = this.#handle;
    if (!handle || this.#reading) return;
    this.#reading = true;
    try {
      const buffer = Buffer.alloc(64);
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) break;
        this.#data.emit(new Uint8Array(buffer.subarray(0, bytesRead)));
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') await this.#lost();
    } finally {
      this.#reading = false;
    }
  }

  async #lost(): Promise<void> {
    await this.close();
    this.#closed.emit();
  }

  async write(bytes: Uint8Array): Promise<void> {
    const handle = this.#handle;
    if (!handle) throw new TransportError('notOpen', 'the USB printer is not open');
    let offset = 0;
    while (offset < bytes.length) {
      try {
        const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset, null);
        offset += bytesWritten;
      } catch (error) {
        // Non-blocking: the printer's buffer is full; wait for it to take more.
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') {
          await new Promise((resolve) => setTimeout(resolve, 10));
          continue;
        }
        throw new TransportError('writeFailed', (error as Error).message);
      }
    }
  }

  onData(listener: (chunk: Uint8Array) => void): Unsubscribe {
    return this.#data.add(listener);
  }

  onClose(listener: () => void): Unsubscribe {
    return this.#closed.add(listener);
  }

  async close(): Promise<void> {
    if (this.#poll) clearInterval(this.#poll);
    this.#poll = undefined;
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close();
  }
}

/** The `/dev/usb/lpN` node of the USB printer with this VID:PID, if one is attached. */
export async function findUsbLpNode(options: Pick<UsbTransportOptions, 'vendorId' | 'productId' | 'sysRoot' | 'devDir'>): Promise<string | undefined> {
  const classDir = path.join(options.sysRoot ?? '/', 'sys/class/usbmisc');
  let entries: string[];
  try {
    entries = await fs.readdir(classDir);
  } catch {
    return undefined;
  }
  for (const name of entries.filter((e) => /^lp\d+$/.test(e)).sort()) {
    try {
      const iface = await fs.realpath(path.join(classDir, name, 'device'));
      const usbDevice = path.dirname(iface);
      const vendor = Number.parseInt((await fs.readFile(path.join(usbDevice, 'idVendor'), 'utf8')).trim(), 16);
      const product = Number.parseInt((await fs.readFile(path.join(usbDevice, 'idProduct'), 'utf8')).trim(), 16);
      if (vendor === options.vendorId && product === options.productId) return path.join(options.devDir ?? '/dev/usb', name);
    } catch {
      // A device unplugged while we look: skip it.
    }
  }
  return undefined;
}

function hex(n: number): string {
  return n.toString(16).padStart(4, '0');
}

import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { faultOf, LinkBase, NOT_OPEN, openProblemOf, type CloseEvent, type OpenResult, type TransportOpener, type WriteResult } from './transport.ts';

export interface UsbOptions {
  vendorId: number;
  productId: number;
  /** For tests: where `sys/class/usbmisc` is found (default `/`). */
  sysRoot?: string;
  /** For tests: where the `lpN` device nodes are (default `/dev/usb`). */
  devDir?: string;
  /** How often to look for reply bytes while open; default 20 ms. */
  pollIntervalMs?: number;
}

/**
 * USB printer-class devices (bulk in/out; receipt printers), not HID, so node-hid cannot reach
 * them. Linux's `usblp` driver exposes each one as a character device `/dev/usb/lpN` that reads
 * and writes the bulk endpoints, so no libusb binding is needed: we find the node whose USB
 * device has the configured VID:PID in sysfs (`/sys/class/usbmisc/lpN/device` → the interface;
 * its parent holds `idVendor`/`idProduct`), open it non-blocking, write, and poll for replies.
 * Needs read/write access to the node (udev rule: group `lp`, which the kiosk user is in).
 */
export function usbTransport(options: UsbOptions): TransportOpener {
  return { kind: 'usb', open: () => openUsb(options) };
}

async function openUsb(options: UsbOptions): Promise<OpenResult> {
  const node = await findUsbLpNode(options);
  if (node === undefined) return { ok: false, problem: 'notFound' };
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(node, constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    return { ok: false, problem: openProblemOf(error) };
  }
  return { ok: true, transport: new UsbLink(handle, options.pollIntervalMs ?? 20) };
}

const EAGAIN_WAIT_MS = 10;

function isEagain(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'EAGAIN';
}

class UsbLink extends LinkBase {
  readonly kind = 'usb';
  readonly #handle: fs.FileHandle;
  readonly #poll: NodeJS.Timeout;
  #reading = false;

  constructor(handle: fs.FileHandle, pollIntervalMs: number) {
    super();
    this.#handle = handle;
    this.#poll = setInterval(() => void this.#readAvailable(), pollIntervalMs);
  }

  async #readAvailable(): Promise<void> {
    if (this.ended || this.#reading) return;
    this.#reading = true;
    try {
      const buffer = Buffer.alloc(64);
      for (;;) {
        const { bytesRead } = await this.#handle.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0 || this.ended) break;
        this.deliver(new Uint8Array(buffer.subarray(0, bytesRead)));
      }
    } catch (error) {
      // EAGAIN: nothing to read now. Anything else (ENODEV, EIO: unplugged) ends the link.
      // (A read of 0 bytes is not an error: a hung-up node is noticed by the next write.)
      if (!isEagain(error) && !this.ended) await this.#shutDown({ reason: 'lost', fault: faultOf(error) });
    } finally {
      this.#reading = false;
    }
  }

  async write(bytes: Uint8Array): Promise<WriteResult> {
    let offset = 0;
    while (offset < bytes.length) {
      if (this.ended) return NOT_OPEN;
      try {
        const { bytesWritten } = await this.#handle.write(bytes, offset, bytes.length - offset, null);
        offset += bytesWritten;
      } catch (error) {
        if (!isEagain(error)) {
          // usblp answers ENODEV/EIO once the printer is gone: the link is over.
          const fault = faultOf(error);
          await this.#shutDown({ reason: 'lost', fault });
          return { ok: false, fault };
        }
        // Non-blocking: the printer's buffer is full; wait for it to take more.
        await new Promise((resolve) => setTimeout(resolve, EAGAIN_WAIT_MS));
      }
    }
    return { ok: true };
  }

  close(): Promise<void> {
    return this.#shutDown({ reason: 'closed' });
  }

  async #shutDown(event: CloseEvent): Promise<void> {
    if (this.ended) return;
    clearInterval(this.#poll);
    this.end(event);
    try {
      await this.#handle.close();
    } catch {
      // Closing the node of a device that is gone fails; it is closed either way.
    }
  }
}

/** The `/dev/usb/lpN` node of the USB printer with this VID:PID, if one is attached. */
export async function findUsbLpNode(options: Pick<UsbOptions, 'vendorId' | 'productId' | 'sysRoot' | 'devDir'>): Promise<string | undefined> {
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

import type { Unsubscribe } from '../device.ts';

/**
 * The seam between the GA/T 467 driver and whatever carries its bytes (USB-serial, HID, a pty,
 * memory in tests). The driver knows nothing else about serialport or node-hid.
 */
export interface ByteTransport {
  write(bytes: Uint8Array): Promise<void>;
  /** Bytes as they arrive, in whatever chunks the OS hands over. */
  onData(listener: (chunk: Uint8Array) => void): Unsubscribe;
  /** Fires once when the link goes away: closed by us, or lost (unplugged, I/O error). */
  onClose(listener: (reason: CloseReason) => void): Unsubscribe;
  close(): Promise<void>;
}

export type CloseReason = 'closed' | 'lost';

/**
 * Why a transport could not be opened. Expected, so a value (STYLE.md):
 * - notFound: no such port or device (unplugged);
 * - permission: the agent's user may not open it (udev rule, dialout group);
 * - busy: another process holds it;
 * - libraryUnavailable: the native library could not be loaded (node-hid without libusb);
 * - failed: anything else.
 */
export type OpenProblem = 'notFound' | 'permission' | 'busy' | 'libraryUnavailable' | 'failed';

export type OpenResult = { ok: true; transport: ByteTransport } | { ok: false; problem: OpenProblem };

export type TransportOpener = () => Promise<OpenResult>;

/** A tiny listener set, shared by the transports. */
export class Listeners<T> {
  readonly #set = new Set<(value: T) => void>();
  add(listener: (value: T) => void): Unsubscribe {
    this.#set.add(listener);
    return () => {
      this.#set.delete(listener);
    };
  }
  emit(value: T): void {
    for (const listener of [...this.#set]) listener(value);
  }
  clear(): void {
    this.#set.clear();
  }
}

/** Maps an OS error from opening a device to an OpenProblem. */
export function openProblemOf(error: unknown): OpenProblem {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const message = error instanceof Error ? error.message : '';
  if (code === 'ENOENT' || /ENOENT|No such file|cannot open device/i.test(message)) return 'notFound';
  if (code === 'EACCES' || code === 'EPERM' || /EACCES|Permission denied/i.test(message)) return 'permission';
  if (code === 'EBUSY' || /EBUSY|Resource busy|Cannot lock port/i.test(message)) return 'busy';
  return 'failed';
}

/**
 * Two in-memory transports wired back to back: what one writes, the other receives, on a later
 * microtask (as a real port delivers asynchronously). For unit tests with fake timers.
 */
export function createMemoryTransportPair(): { host: MemoryTransport; device: MemoryTransport } {
  const host = new MemoryTransport();
  const device = new MemoryTransport();
  host.peer = device;
  device.peer = host;
  return { host, device };
}

export class MemoryTransport implements ByteTransport {
  peer: MemoryTransport | undefined;
  readonly written: Uint8Array[] = [];
  #open = true;
  readonly #data = new Listeners<Uint8Array>();
  readonly #close = new Listeners<CloseReason>();

  get isOpen(): boolean {
    return this.#open;
  }

  write(bytes: Uint8Array): Promise<void> {
    if (!this.#open) return Promise.reject(new Error('transport closed'));
    const copy = bytes.slice();
    this.written.push(copy);
    const peer = this.peer;
    queueMicrotask(() => peer?.deliver(copy));
    return Promise.resolve();
  }

  /** Hands bytes to this side's listeners as if they came off the wire. */
  deliver(chunk: Uint8Array): void {
    if (this.#open) this.#data.emit(chunk);
  }

  onData(listener: (chunk: Uint8Array) => void): Unsubscribe {
    return this.#data.add(listener);
  }

  onClose(listener: (reason: CloseReason) => void): Unsubscribe {
    return this.#close.add(listener);
  }

  close(): Promise<void> {
    this.#end('closed');
    return Promise.resolve();
  }

  /** Simulates pulling the cable: both sides see the link lost. */
  unplug(): void {
    this.#end('lost');
    const peer = this.peer;
    if (peer !== undefined) peer.#end('lost');
  }

  #end(reason: CloseReason): void {
    if (!this.#open) return;
    this.#open = false;
    this.#close.emit(reason);
    this.#data.clear();
    this.#close.clear();
  }
}

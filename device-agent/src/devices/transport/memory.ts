import { LinkBase, NOT_OPEN, type OpenProblem, type OpenResult, type TransportFault, type TransportOpener, type WriteResult } from './transport.ts';

/**
 * Two in-memory ends wired back to back, like serialport's mock binding: what one end writes,
 * the other receives on a later microtask (a real port delivers asynchronously, and microtasks
 * are never faked, so this works under fake timers). Each end records what it received, and
 * the device end can `emitData` as a device would. For simulators, emulators and unit tests.
 */
export function createMemoryTransportPair(): { host: MemoryTransport; device: MemoryTransport } {
  const host = new MemoryTransport();
  const device = new MemoryTransport();
  host.peer = device;
  device.peer = host;
  return { host, device };
}

export class MemoryTransport extends LinkBase {
  readonly kind = 'memory';
  peer: MemoryTransport | undefined;
  /** Every chunk the other end sent to this one, in order (serialport mock: `recording`). */
  readonly received: Uint8Array[] = [];

  write(bytes: Uint8Array): Promise<WriteResult> {
    if (!this.isOpen) return Promise.resolve(NOT_OPEN);
    this.emitData(bytes);
    return Promise.resolve({ ok: true });
  }

  /** Sends bytes to the other end, as the device (or host) would; a copy, so callers may reuse theirs. */
  emitData(bytes: Uint8Array): void {
    if (!this.isOpen) throw new Error('emitData on a closed memory transport');
    const copy = bytes.slice();
    const peer = this.peer;
    if (peer !== undefined) queueMicrotask(() => peer.#receive(copy));
  }

  #receive(chunk: Uint8Array): void {
    if (!this.isOpen) return;
    this.received.push(chunk);
    this.deliver(chunk);
  }

  /** Closes this end only; the other end notices nothing (as with a pty whose peer stays open). */
  close(): Promise<void> {
    this.end({ reason: 'closed' });
    return Promise.resolve();
  }

  /** An error after open, e.g. the cable pulled: both ends close as lost with this fault. */
  fail(fault: TransportFault = { code: 'disconnected' }): void {
    this.end({ reason: 'lost', fault });
    if (this.peer !== undefined) this.peer.end({ reason: 'lost', fault });
  }

  /** Simulates pulling the cable: both ends see the link lost. */
  unplug(): void {
    this.fail({ code: 'disconnected' });
  }
}

/**
 * A memory "cable" that can be plugged and unplugged: each open makes a fresh pair and hands
 * the device end to `attach` (a device model or emulator), the host end to the driver.
 */
export class MemoryLine implements TransportOpener {
  readonly kind = 'memory';
  readonly #attach: (device: MemoryTransport) => void;
  #plugged = true;
  /** What open() says while unplugged. */
  openProblem: OpenProblem = 'notFound';
  #current: MemoryTransport | undefined;

  constructor(attach: (device: MemoryTransport) => void) {
    this.#attach = attach;
  }

  get plugged(): boolean {
    return this.#plugged;
  }

  /** The device end of the current link, if one is open. */
  get device(): MemoryTransport | undefined {
    return this.#current?.isOpen === true ? this.#current : undefined;
  }

  open(): Promise<OpenResult> {
    if (!this.#plugged) return Promise.resolve({ ok: false, problem: this.openProblem });
    const { host, device } = createMemoryTransportPair();
    this.#current = device;
    this.#attach(device);
    return Promise.resolve({ ok: true, transport: host });
  }

  unplug(): void {
    this.#plugged = false;
    this.#current?.unplug();
    this.#current = undefined;
  }

  plug(): void {
    this.#plugged = true;
  }
}

import type { Unsubscribe } from '../device.ts';
import type { FakeEscPosPrinter } from './fake-printer.ts';
import { Listeners, TransportError, type ByteTransport } from './transport.ts';

/** Connects a driver to a FakeEscPosPrinter in memory; replies arrive asynchronously, like on a wire. */
export class MemoryTransport implements ByteTransport {
  readonly kind: string;
  readonly #printer: FakeEscPosPrinter;
  #open = false;
  /** When false, open() fails as if the cable were pulled. */
  connected = true;
  readonly #data = new Listeners<[Uint8Array]>();
  readonly #closed = new Listeners<[]>();

  constructor(printer: FakeEscPosPrinter, kind = 'sim') {
    this.#printer = printer;
    this.kind = kind;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  open(): Promise<void> {
    if (!this.connected) return Promise.reject(new TransportError('connectFailed', 'not connected'));
    this.#open = true;
    return Promise.resolve();
  }

  write(bytes: Uint8Array): Promise<void> {
    if (!this.#open) return Promise.reject(new TransportError('notOpen', 'not open'));
    const reply = this.#printer.receive(bytes);
    if (reply.length > 0) {
      setImmediate(() => {
        this.#data.emit(reply);
      });
    }
    return Promise.resolve();
  }

  onData(listener: (chunk: Uint8Array) => void): Unsubscribe {
    return this.#data.add(listener);
  }

  onClose(listener: () => void): Unsubscribe {
    return this.#closed.add(listener);
  }

  /** Simulates the cable being pulled. */
  disconnect(): void {
    this.connected = false;
    if (this.#open) {
      this.#open = false;
      this.#closed.emit();
    }
  }

  close(): Promise<void> {
    this.#open = false;
    return Promise.resolve();
  }
}

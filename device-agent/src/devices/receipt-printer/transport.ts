import type { Unsubscribe } from '../device.ts';

/**
 * The transport seam: moves bytes, knows nothing about ESC/POS. One per connection kind
 * (serial port, USB printer class device, TCP 9100); the driver owns exactly one.
 * `open()` rejects with a TransportError when the device cannot be reached; the driver turns
 * that into an `offline` status, never a crash.
 */
export interface ByteTransport {
  /** `serial`, `usb`, `tcp`, or `sim`: becomes DeviceStatus.driver. */
  readonly kind: string;
  readonly isOpen: boolean;
  open(): Promise<void>;
  /** Resolves when the bytes are handed to the OS (not when they are printed). */
  write(bytes: Uint8Array): Promise<void>;
  onData(listener: (chunk: Uint8Array) => void): Unsubscribe;
  /** The connection went away (cable pulled, peer closed). */
  onClose(listener: () => void): Unsubscribe;
  close(): Promise<void>;
}

export class TransportError extends Error {
  readonly code: 'connectFailed' | 'connectTimeout' | 'notOpen' | 'writeFailed' | 'deviceNotFound';
  constructor(code: TransportError['code'], message: string) {
    super(message);
    this.name = 'TransportError';
    this.code = code;
  }
}

/** Small listener set used by every transport. */
export class Listeners<T extends unknown[]> {
  readonly #listeners = new Set<(...args: T) => void>();
  add(listener: (...args: T) => void): Unsubscribe {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }
  emit(...args: T): void {
    for (const l of [...this.#listeners]) l(...args);
  }
}

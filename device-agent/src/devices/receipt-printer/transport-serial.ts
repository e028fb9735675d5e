import { SerialPort } from 'serialport';
import type { Unsubscribe } from '../device.ts';
import { Listeners, TransportError, type ByteTransport } from './transport.ts';

export type SerialTransportOptions = {
  path: string;
  /** Receipt printers ship at 9600 or 115200 8N1; set to what the printer's self-test page says. */
  baudRate?: number;
  /** Hardware flow control: most receipt printers use RTS/CTS on RS-232 (their buffer fills). */
  rtscts?: boolean;
};

/** Serial (RS-232 or USB-serial) transport via serialport. */
export class SerialTransport implements ByteTransport {
  readonly kind = 'serial';
  readonly #options: SerialTransportOptions;
  #port: SerialPort | undefined;
  readonly #data = new Listeners<[Uint8Array]>();
  readonly #closed = new Listeners<[]>();

  constructor(options: SerialTransportOptions) {
    this.#options = options;
  }

  get isOpen(): boolean {
    return this.#port?.isOpen ?? false;
  }

  async open(): Promise<void> {
    if (this.isOpen) return;
    const port = new SerialPort({
      path: this.#options.path,
      baudRate: this.#options.baudRate ?? 9600,
      rtscts: this.#options.rtscts ?? false,
      autoOpen: false,
    });
    await new Promise<void>((resolve, reject) => {
      port.open((error) => {
        if (error) reject(new TransportError('connectFailed', `cannot open the serial port: ${error.message}`));
        else resolve();
      });
    });
    port.on('data', (chunk: Buffer) => this.#data.emit(new Uint8Array(chunk)));
    port.on('error', () => undefined);
    port.on('close', () => {
      if (this.#port === port) this.#port = undefined;
      this.#closed.emit();
    });
    this.#port = port;
  }

  async write(bytes: Uint8Array): Promise<void> {
    const port = this.#port;
    if (!port?.isOpen) throw new TransportError('notOpen', 'the serial port is not open');
    await new Promise<void>((resolve, reject) => {
      port.write(Buffer.from(bytes), (error) => {
        if (error) {
          reject(new TransportError('writeFailed', error.message));
          return;
        }
        // drain: wait until the OS has sent the bytes, so a following status query is answered
        // after the job, not interleaved with a full output buffer.
        port.drain((drainError) => {
          if (drainError) reject(new TransportError('writeFailed', drainError.message));
          else resolve();
        });
      });
    });
  }

  onData(listener: (chunk: Uint8Array) => void): Unsubscribe {
    return this.#data.add(listener);
  }

  onClose(listener: () => void): Unsubscribe {
    return this.#closed.add(listener);
  }

  async close(): Promise<void> {
    const port = this.#port;
    this.#port = undefined;
    if (!port?.isOpen) return;
    await new Promise<void>((resolve) => {
      port.close(() => resolve());
    });
  }
}

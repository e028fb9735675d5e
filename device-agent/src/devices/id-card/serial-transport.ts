import { SerialPort } from 'serialport';
import { Listeners, openProblemOf, type ByteTransport, type CloseReason, type OpenResult } from './transport.ts';

/** GA/T 467 readers talk 115200 8N1 over their USB-serial bridge unless set otherwise. */
export const DEFAULT_BAUD_RATE = 115_200;

export interface SerialOptions {
  path: string;
  /** Default 115200. Some older readers use 9600 or 57600. */
  baudRate?: number;
}

/** Opens a serial port (8 data bits, no parity, 1 stop bit) as a ByteTransport. */
export async function openSerialTransport(options: SerialOptions): Promise<OpenResult> {
  const port = new SerialPort({
    path: options.path,
    baudRate: options.baudRate ?? DEFAULT_BAUD_RATE,
    dataBits: 8,
    parity: 'none',
    stopBits: 1,
    autoOpen: false,
  });
  const error = await new Promise<Error | null>((resolve) => {
    port.open((err) => resolve(err ?? null));
  });
  if (error !== null) return { ok: false, problem: openProblemOf(error) };
  return { ok: true, transport: new SerialTransport(port) };
}

class SerialTransport implements ByteTransport {
  readonly #port: SerialPort;
  readonly #data = new Listeners<Uint8Array>();
  readonly #close = new Listeners<CloseReason>();
  #closing = false;
  #ended = false;

  constructor(port: SerialPort) {
    this.#port = port;
    port.on('data', (chunk: Buffer) => this.#data.emit(new Uint8Array(chunk)));
    // serialport emits `close` with an error whose `disconnected` is true when the device goes away.
    port.on('close', () => this.#end(this.#closing ? 'closed' : 'lost'));
    // An I/O error on an open port means the link is gone; the driver will reopen.
    port.on('error', () => {
      if (port.isOpen) port.close(() => undefined);
      else this.#end('lost');
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.#ended) return Promise.reject(new Error('serial port closed'));
    return new Promise((resolve, reject) => {
      this.#port.write(Buffer.from(bytes), (err) => {
        if (err) {
          reject(err);
          return;
        }
        this.#port.drain((drainErr) => (drainErr ? reject(drainErr) : resolve()));
      });
    });
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    return this.#data.add(listener);
  }

  onClose(listener: (reason: CloseReason) => void): () => void {
    return this.#close.add(listener);
  }

  close(): Promise<void> {
    if (this.#ended) return Promise.resolve();
    this.#closing = true;
    return new Promise((resolve) => {
      if (!this.#port.isOpen) {
        this.#end('closed');
        resolve();
        return;
      }
      this.#port.close(() => {
        this.#end('closed');
        resolve();
      });
    });
  }

  #end(reason: CloseReason): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#close.emit(reason);
    this.#data.clear();
    this.#close.clear();
    this.#port.removeAllListeners();
    // Keep a no-op error listener: a late error must not become an uncaught exception.
    this.#port.on('error', () => undefined);
  }
}

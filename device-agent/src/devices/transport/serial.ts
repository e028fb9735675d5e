import type { SerialPort } from 'serialport';
import { faultOf, LinkBase, NOT_OPEN, openProblemOf, type CloseEvent, type OpenResult, type TransportFault, type TransportOpener, type WriteResult } from './transport.ts';

/**
 * Serial line settings. The device decides them (GA/T 467 readers 115200 8N1, receipt printers
 * 9600 or 115200 8N1 with RTS/CTS, RS-485 lock boards often 9600 8N1 or 8E1): each driver's
 * factory passes its own, there is no default baud rate here.
 */
export interface SerialOptions {
  path: string;
  baudRate: number;
  /** Default 8. */
  dataBits?: 5 | 6 | 7 | 8;
  /** Default none. */
  parity?: 'none' | 'even' | 'odd' | 'mark' | 'space';
  /** Default 1. */
  stopBits?: 1 | 1.5 | 2;
  /** Hardware flow control (RTS/CTS); default off. */
  rtscts?: boolean;
}

/**
 * A serial port (RS-232, RS-485 or USB-serial) through serialport. serialport is imported when
 * the port is opened, so an agent on simulators never loads the native binding, and one whose
 * binding fails to load gets `libraryUnavailable` instead of a crash.
 */
export function serialTransport(options: SerialOptions): TransportOpener {
  return { kind: 'serial', open: () => openSerial(options) };
}

async function openSerial(options: SerialOptions): Promise<OpenResult> {
  let SerialPortClass: typeof SerialPort;
  try {
    ({ SerialPort: SerialPortClass } = await import('serialport'));
  } catch {
    return { ok: false, problem: 'libraryUnavailable' };
  }
  const port = new SerialPortClass({
    path: options.path,
    baudRate: options.baudRate,
    dataBits: options.dataBits ?? 8,
    parity: options.parity ?? 'none',
    stopBits: options.stopBits ?? 1,
    rtscts: options.rtscts ?? false,
    autoOpen: false,
  });
  const error = await new Promise<Error | null>((resolve) => {
    port.open((err) => resolve(err ?? null));
  });
  if (error !== null) return { ok: false, problem: openProblemOf(error) };
  return { ok: true, transport: new SerialLink(port) };
}

class SerialLink extends LinkBase {
  readonly kind = 'serial';
  readonly #port: SerialPort;
  #closing = false;
  /** The error that made us close the port; reported with the close that follows. */
  #fault: TransportFault | undefined;

  constructor(port: SerialPort) {
    super();
    this.#port = port;
    port.on('data', (chunk: Buffer) => this.deliver(new Uint8Array(chunk)));
    // serialport emits `close` with an error (`disconnected: true`) when the device goes away.
    port.on('close', (error: Error | null | undefined) => {
      if (this.#closing) this.#end({ reason: 'closed' });
      else this.#end({ reason: 'lost', fault: this.#fault ?? (error ? faultOf(error) : { code: 'disconnected' }) });
    });
    // An I/O error on an open port: the link is not to be trusted any more. Close it and report
    // the error with the close, so that it reaches the driver instead of vanishing.
    port.on('error', (error: Error) => {
      this.#fault ??= faultOf(error);
      if (port.isOpen) port.close(() => undefined);
      else this.#end({ reason: 'lost', fault: this.#fault });
    });
  }

  write(bytes: Uint8Array): Promise<WriteResult> {
    if (this.ended || this.#closing) return Promise.resolve(NOT_OPEN);
    // serialport holds a write to a port that is not open until an 'open' event, which never comes
    // once the port closes after a read error (a pty or USB-serial bridge that hung up): the write
    // would wait for ever. Answer with the fault of the close instead (seen on a loaded CI machine,
    // where the read error can beat the first write after an unplug).
    if (!this.#port.isOpen) {
      return new Promise((resolve) => {
        // The close that is under way carries the fault (e.g. EIO from the read that found the line gone).
        const off = this.onClose((event) => {
          off();
          resolve(event.reason === 'lost' ? { ok: false, fault: event.fault } : NOT_OPEN);
        });
      });
    }
    return new Promise((resolve) => {
      this.#port.write(Buffer.from(bytes), (error) => {
        if (error) {
          resolve(this.#failed(error));
          return;
        }
        // drain: wait until the OS has sent the bytes, so that a reply timer starts after them
        // (a receipt at 9600 baud takes a second or more to go out).
        this.#port.drain((drainError) => resolve(drainError ? this.#failed(drainError) : { ok: true }));
      });
    });
  }

  /**
   * A port that fails a write is broken (a pty or USB-serial bridge that hung up answers EIO):
   * the caller gets the fault, and the link closes as lost with it.
   */
  #failed(error: Error): WriteResult {
    const fault = faultOf(error);
    this.#fault ??= fault;
    if (this.#port.isOpen) this.#port.close(() => undefined);
    else this.#end({ reason: 'lost', fault });
    return { ok: false, fault };
  }

  close(): Promise<void> {
    if (this.ended) return Promise.resolve();
    this.#closing = true;
    return new Promise((resolve) => {
      if (!this.#port.isOpen) {
        this.#end({ reason: 'closed' });
        resolve();
        return;
      }
      this.#port.close(() => {
        this.#end({ reason: 'closed' });
        resolve();
      });
    });
  }

  #end(event: CloseEvent): void {
    if (this.ended) return;
    this.end(event);
    this.#port.removeAllListeners();
    // Keep a no-op error listener: a late error must not become an uncaught exception. It is
    // not news any more: the link has ended and said why.
    this.#port.on('error', () => undefined);
  }
}

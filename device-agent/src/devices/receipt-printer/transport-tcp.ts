import net from 'node:net';
import type { Unsubscribe } from '../device.ts';
import { Listeners, TransportError, type ByteTransport } from './transport.ts';

export type TcpTransportOptions = {
  host: string;
  /** Raw printing port: 9100 ("JetDirect"/AppSocket) on network receipt printers. */
  port: number;
  connectTimeoutMs?: number;
};

/**
 * TCP 9100 transport. A network printer closes idle sockets (often after a few minutes) and
 * reboots: the driver calls `open()` again before each job, which reconnects when the socket
 * is gone. Keep-alive notices a dead peer that never sends FIN.
 */
export class TcpTransport implements ByteTransport {
  readonly kind = 'tcp';
  readonly #options: Required<TcpTransportOptions>;
  #socket: net.Socket | undefined;
  readonly #data = new Listeners<[Uint8Array]>();
  readonly #closed = new Listeners<[]>();

  constructor(options: TcpTransportOptions) {
    this.#options = { connectTimeoutMs: 3000, ...options };
  }

  get isOpen(): boolean {
    return this.#socket !== undefined && !this.#socket.destroyed;
  }

  async open(): Promise<void> {
    if (this.isOpen) return;
    const { host, port, connectTimeoutMs } = this.#options;
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host, port });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new TransportError('connectTimeout', `no connection to ${host}:${port} within ${connectTimeoutMs} ms`));
      }, connectTimeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        s.removeAllListeners('error');
        resolve(s);
      });
      s.once('error', (error) => {
        clearTimeout(timer);
        s.destroy();
        reject(new TransportError('connectFailed', `cannot connect to ${host}:${port}: ${error.message}`));
      });
    });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 10_000);
    socket.on('data', (chunk: Buffer) => this.#data.emit(new Uint8Array(chunk)));
    // Errors are followed by 'close'; handle them so they never become uncaught.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.#socket === socket) this.#socket = undefined;
      this.#closed.emit();
    });
    this.#socket = socket;
  }

  async write(bytes: Uint8Array): Promise<void> {
    const socket = this.#socket;
    if (!socket || socket.destroyed) throw new TransportError('notOpen', 'the connection is not open');
    await new Promise<void>((resolve, reject) => {
      socket.write(bytes, (error) => {
        if (error) reject(new TransportError('writeFailed', error.message));
        else resolve();
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
    const socket = this.#socket;
    this.#socket = undefined;
    if (!socket || socket.destroyed) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.end();
      setTimeout(() => {
        socket.destroy();
      }, 500).unref();
    });
  }
}

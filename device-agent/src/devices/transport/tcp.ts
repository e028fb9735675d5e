import net from 'node:net';
import { faultOf, LinkBase, NOT_OPEN, openProblemOf, type OpenResult, type TransportFault, type TransportOpener, type WriteResult } from './transport.ts';

/** Raw printing port ("JetDirect"/AppSocket) of network receipt printers. */
export const RAW_PRINT_PORT = 9100;

export interface TcpOptions {
  host: string;
  /** Default 9100. */
  port?: number;
  /** Default 3000 ms. */
  connectTimeoutMs?: number;
}

/**
 * A TCP connection (network receipt printers on port 9100, serial servers). A network device
 * closes idle sockets and reboots: the driver opens again when it has no link. Keep-alive
 * notices a dead peer that never sends FIN.
 */
export function tcpTransport(options: TcpOptions): TransportOpener {
  return { kind: 'tcp', open: () => openTcp(options) };
}

function openTcp(options: TcpOptions): Promise<OpenResult> {
  const { host, port = RAW_PRINT_PORT, connectTimeoutMs = 3000 } = options;
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ ok: false, problem: 'timeout' });
    }, connectTimeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve({ ok: true, transport: new TcpLink(socket) });
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ok: false, problem: openProblemOf(error) });
    });
  });
}

class TcpLink extends LinkBase {
  readonly kind = 'tcp';
  readonly #socket: net.Socket;
  #closing = false;
  #fault: TransportFault | undefined;

  constructor(socket: net.Socket) {
    super();
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 10_000);
    socket.on('data', (chunk: Buffer) => this.deliver(new Uint8Array(chunk)));
    // Node follows every socket error with `close`: keep the error to report it there.
    socket.on('error', (error) => {
      this.#fault ??= faultOf(error);
    });
    socket.on('close', () => {
      if (this.#closing) this.end({ reason: 'closed' });
      // No error but closed: the peer hung up (FIN), e.g. a printer that timed out an idle socket.
      else this.end({ reason: 'lost', fault: this.#fault ?? { code: 'disconnected' } });
    });
  }

  override get isOpen(): boolean {
    return !this.ended && !this.#socket.destroyed;
  }

  write(bytes: Uint8Array): Promise<WriteResult> {
    if (!this.isOpen || this.#closing) return Promise.resolve(NOT_OPEN);
    return new Promise((resolve) => {
      this.#socket.write(bytes, (error) => resolve(error ? { ok: false, fault: faultOf(error) } : { ok: true }));
    });
  }

  close(): Promise<void> {
    if (this.ended) return Promise.resolve();
    return new Promise((resolve) => {
      this.onClose(() => resolve());
      if (this.#closing) return;
      this.#closing = true;
      this.#socket.end();
      // A peer that never acknowledges the FIN must not hold us up.
      setTimeout(() => this.#socket.destroy(), 500).unref();
    });
  }
}

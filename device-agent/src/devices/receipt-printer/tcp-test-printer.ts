import net from 'node:net';
import { FakeEscPosPrinter } from './fake-printer.ts';

/**
 * A network receipt printer on loopback for tests: a TCP listener (like port 9100) that feeds
 * every byte to a FakeEscPosPrinter and writes its DLE EOT replies back.
 */
export class TcpTestPrinter {
  readonly printer = new FakeEscPosPrinter();
  readonly #server = net.createServer((socket) => {
    this.#sockets.add(socket);
    socket.on('data', (chunk: Buffer) => {
      const reply = this.printer.receive(new Uint8Array(chunk));
      if (reply.length > 0) socket.write(reply);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.#sockets.delete(socket));
  });
  readonly #sockets = new Set<net.Socket>();
  connections = 0;

  async listen(): Promise<number> {
    this.#server.on('connection', () => {
      this.connections += 1;
    });
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const address = this.#server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  }

  /** Drops every open connection, as a printer does when it reboots or times out an idle socket. */
  dropConnections(): void {
    for (const s of this.#sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

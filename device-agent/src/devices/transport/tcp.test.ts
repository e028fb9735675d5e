import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RAW_PRINT_PORT, tcpTransport } from './tcp.ts';
import { expectClosesOnce, expectLostWith, recordCloses, unusedTcpPort, until } from '../testing/transport-checks.ts';
import type { ByteTransport } from './transport.ts';

/* TCP against a real `net` listener on loopback. Real timers; nothing asserts on durations. */

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function listener(): Promise<{ port: number; sockets: net.Socket[]; received: Buffer[] }> {
  const sockets: net.Socket[] = [];
  const received: Buffer[] = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port, sockets, received };
}

async function connect(port: number): Promise<ByteTransport> {
  const opened = await tcpTransport({ host: '127.0.0.1', port }).open();
  if (!opened.ok) throw new Error(`expected open: ${opened.problem}`);
  cleanups.push(() => opened.transport.close());
  return opened.transport;
}

describe('tcpTransport (real net listener)', () => {
  it('defaults to the raw printing port 9100', () => {
    expect(RAW_PRINT_PORT).toBe(9100);
    expect(tcpTransport({ host: '127.0.0.1' }).kind).toBe('tcp');
  });

  it('says unreachable, as a value, when nothing listens', async () => {
    expect(await tcpTransport({ host: '127.0.0.1', port: await unusedTcpPort() }).open()).toEqual({ ok: false, problem: 'unreachable' });
  });

  it('moves bytes both ways', async () => {
    const server = await listener();
    const transport = await connect(server.port);
    const chunks: number[] = [];
    transport.onData((chunk) => chunks.push(...chunk));
    expect(await transport.write(Uint8Array.of(0x10, 0x04, 0x01))).toEqual({ ok: true });
    await until('bytes at the listener', () => Buffer.concat(server.received).length === 3);
    expect(Buffer.concat(server.received).toString('hex')).toBe('100401');
    server.sockets[0]?.write(Uint8Array.of(0x12));
    await until('the reply', () => chunks.length === 1);
    expect(chunks).toEqual([0x12]);
  });

  it('delivers the peer dropping the connection as a lost link, not silence', async () => {
    const server = await listener();
    const transport = await connect(server.port);
    const events = recordCloses(transport);
    await until('the connection', () => server.sockets.length === 1);
    server.sockets[0]?.resetAndDestroy();
    await expectLostWith(transport, events, { code: 'disconnected', osCode: 'ECONNRESET' });
  });

  it('closes once, however often close() is called', async () => {
    const server = await listener();
    const transport = await connect(server.port);
    await expectClosesOnce(transport);
  });
});

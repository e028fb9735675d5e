import net from 'node:net';
import { expect } from 'vitest';
import type { ByteTransport, CloseEvent, TransportFault } from '../transport/transport.ts';

/** Waits (real timers) until the predicate holds; fails after a generous limit, never on speed. */
export async function until(what: string, predicate: () => boolean, limitMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > limitMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The close rule every transport keeps: close() twice at once and once more gives one `closed` event. */
export async function expectClosesOnce(transport: ByteTransport): Promise<void> {
  const events: CloseEvent[] = [];
  transport.onClose((e) => events.push(e));
  await Promise.all([transport.close(), transport.close()]);
  await transport.close();
  expect(events).toEqual([{ reason: 'closed' }]);
  expect(transport.isOpen).toBe(false);
  expect(await transport.write(Uint8Array.of(1))).toEqual({ ok: false, fault: { code: 'notOpen' } });
}

/** Starts recording a transport's close events. */
export function recordCloses(transport: ByteTransport): CloseEvent[] {
  const events: CloseEvent[] = [];
  transport.onClose((e) => events.push(e));
  return events;
}

/**
 * The loss rule: the link ends once, as lost with this fault (or one of these, where the OS may
 * report the same loss more than one way), and later writes are a value.
 */
export async function expectLostWith(
  transport: ByteTransport,
  events: readonly CloseEvent[],
  fault: TransportFault | readonly TransportFault[],
): Promise<void> {
  await until('the close event', () => events.length > 0);
  const faults: readonly TransportFault[] = 'code' in fault ? [fault] : fault;
  expect(events).toHaveLength(1);
  expect(faults.map((f) => ({ reason: 'lost', fault: f }))).toContainEqual(events[0]);
  expect(transport.isOpen).toBe(false);
  expect(await transport.write(Uint8Array.of(1))).toEqual({ ok: false, fault: { code: 'notOpen' } });
}

/** A loopback TCP port that was free a moment ago (nothing listens on it now). */
export async function unusedTcpPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return address.port;
}

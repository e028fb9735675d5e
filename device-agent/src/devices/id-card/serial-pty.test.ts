import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceStatus, Identity } from '@onevisit/protocol';
import { ReaderEmulator } from './emulator.ts';
import { Gat467Reader } from './gat467-reader.ts';
import { createIdCardReader } from './index.ts';
import { openPtyPair, type PtyPair } from '../testing/pty-pair.ts';
import { findSampleIdentity } from './sample-identities.ts';
import { serialTransport } from '../transport/serial.ts';
import type { ByteTransport } from '../transport/transport.ts';
import { ManualClock } from '../../clock.ts';
import { silentLogger } from '../../log.ts';

/*
 * The production serial path end to end: serialport on a real pty made by socat, the reader
 * emulator on the other end, GA/T 467 bytes in between. Real timers; waits are bounded by
 * generous limits, and nothing asserts on how long anything took.
 */

function sample(key: string): Identity {
  const s = findSampleIdentity(key);
  if (s === undefined) throw new Error(`no sample ${key}`);
  return structuredClone(s.identity);
}

async function until(what: string, predicate: () => boolean, limitMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > limitMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function openEnd(pathName: string): Promise<ByteTransport> {
  const opened = await serialTransport({ path: pathName, baudRate: 115_200 }).open();
  if (!opened.ok) throw new Error(`cannot open ${pathName}: ${opened.problem}`);
  return opened.transport;
}

describe('GA/T 467 over a socat pty pair (serialport)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups.length = 0;
  });

  async function rig(options: { chunkSizeBytes?: number } = {}): Promise<{
    pty: PtyPair;
    reader: Gat467Reader;
    emulator: () => ReaderEmulator;
    reconnectEmulator: () => Promise<void>;
    statuses: DeviceStatus[];
  }> {
    const pty = await openPtyPair();
    cleanups.push(() => pty.close());
    let emulatorSide = await openEnd(pty.b);
    let emulator = new ReaderEmulator(emulatorSide, { haltAfterRead: true, ...options });
    cleanups.push(() => emulatorSide.close());
    const reader = new Gat467Reader({
      transport: serialTransport({ path: pty.a, baudRate: 115_200 }),
      pollIntervalMs: 50,
      reopenBackoffMs: [50, 100, 200],
    });
    cleanups.push(() => reader.stop());
    const statuses: DeviceStatus[] = [];
    reader.onStatus((s) => statuses.push(s));
    await reader.start();
    return {
      pty,
      reader,
      emulator: () => emulator,
      async reconnectEmulator() {
        emulatorSide = await openEnd(pty.b);
        emulator = new ReaderEmulator(emulatorSide, { haltAfterRead: true, ...options });
      },
      statuses,
    };
  }

  it('reads a card through serialport on a pty', async () => {
    const { reader, emulator } = await rig();
    expect(reader.status()).toMatchObject({ state: 'online', driver: 'serial' });
    emulator().placeCard(sample('minority'));
    const result = await reader.readCard({ signal: AbortSignal.timeout(10_000) });
    expect(result).toEqual({ kind: 'read', identity: sample('minority') });
    expect(emulator().received).toEqual(expect.arrayContaining(['samStatus', 'findCard', 'selectCard', 'readTextPhoto']));
  });

  it('reassembles replies written in small chunks and survives a damaged one', async () => {
    const { reader, emulator } = await rig({ chunkSizeBytes: 7 });
    emulator().placeCard(sample('longAddress'));
    emulator().corruptNextReplies(1);
    const result = await reader.readCard({ signal: AbortSignal.timeout(10_000) });
    expect(result).toEqual({ kind: 'read', identity: sample('longAddress') });
  });

  it('goes offline when the reader is unplugged and back online when it returns', async () => {
    const { pty, reader, emulator, reconnectEmulator } = await rig();
    emulator().placeCard(sample('standard'));
    await pty.unplug();
    await until('offline', () => reader.status().state === 'offline');
    expect(reader.status()).toMatchObject({ reason: 'disconnected', attention: 'maintenance' });
    expect(await reader.readCard({ signal: AbortSignal.timeout(1_000) })).toEqual({ kind: 'deviceNotReady' });

    await pty.replug();
    await reconnectEmulator();
    emulator().placeCard(sample('standard'));
    await until('online', () => reader.status().state === 'online');
    const result = await reader.readCard({ signal: AbortSignal.timeout(10_000) });
    expect(result).toEqual({ kind: 'read', identity: sample('standard') });
  });

  it('says notFound for a port that does not exist', async () => {
    const pty = await openPtyPair();
    cleanups.push(() => pty.close());
    expect(await serialTransport({ path: `${pty.a}-missing`, baudRate: 115_200 }).open()).toEqual({ ok: false, problem: 'notFound' });
  });

  it('is what the agent builds for --idcard serial:PATH (the factory in index.ts)', async () => {
    const pty = await openPtyPair();
    cleanups.push(() => pty.close());
    const emulatorSide = await openEnd(pty.b);
    cleanups.push(() => emulatorSide.close());
    const emulator = new ReaderEmulator(emulatorSide);
    const deps = { clock: new ManualClock(Date.parse('2026-11-23T01:00:00Z')), log: silentLogger() };
    const { reader, simulator } = createIdCardReader({ kind: 'serial', path: pty.a, baudRate: 115_200 }, deps);
    cleanups.push(() => reader.stop());
    expect(simulator).toBeUndefined();
    await reader.start();
    expect(reader.status()).toMatchObject({ state: 'online', driver: 'serial', since: '2026-11-23T01:00:00.000Z' });
    emulator.placeCard(sample('checkX'));
    expect(await reader.readCard({ signal: AbortSignal.timeout(10_000) })).toEqual({ kind: 'read', identity: sample('checkX') });
  });

  it('reports --idcard hid:VID:PID with no such device as offline, not a crash', async () => {
    const deps = { clock: new ManualClock(0), log: silentLogger() };
    const { reader } = createIdCardReader({ kind: 'hid', vendorId: 0xffff, productId: 0xfffe }, deps);
    cleanups.push(() => reader.stop());
    await reader.start();
    expect(reader.status()).toMatchObject({ state: 'offline', reason: 'disconnected', driver: 'hid' });
  });
});

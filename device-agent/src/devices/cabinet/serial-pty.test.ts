import { afterEach, describe, expect, it } from 'vitest';
import { openPtyPair } from '../testing/pty-pair.ts';
import { serialTransport } from '../transport/serial.ts';
import { BoardDriver } from './board-driver.ts';
import { CU16 } from './cu16.ts';
import type { CabinetProtocol, CompartmentReading, LockAddress } from './driver.ts';
import { CabinetEmulator } from './emulator.ts';
import { LOCK8A } from './lock8a.ts';
import { CabinetModel } from './model.ts';

/*
 * The production serial path: BoardDriver on serialport, a socat pty pair, the board emulator on
 * the other end. Real timers; waits are bounded by generous limits, nothing asserts on durations.
 */

async function until(what: string, predicate: () => boolean, limitMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > limitMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('lock boards over a socat pty pair (serialport)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups.length = 0;
  });

  async function rig(protocol: CabinetProtocol, locks: LockAddress[]): Promise<{ model: CabinetModel; driver: BoardDriver; readings: CompartmentReading[] }> {
    const baudRate = protocol === 'cu16' ? CU16.defaultBaudRate : LOCK8A.defaultBaudRate;
    const pty = await openPtyPair();
    cleanups.push(() => pty.close());
    const boardEnd = await serialTransport({ path: pty.b, baudRate }).open();
    if (!boardEnd.ok) throw new Error(`cannot open the board end: ${boardEnd.problem}`);
    cleanups.push(() => boardEnd.transport.close());
    const model = new CabinetModel(locks);
    const emulator = new CabinetEmulator(boardEnd.transport, model, { protocol });
    cleanups.push(() => Promise.resolve(emulator.stop()));
    const driver = new BoardDriver({ protocol, locks, open: serialTransport({ path: pty.a, baudRate }), fastPollMs: 50, slowPollMs: 300, commandTimeoutMs: 150 });
    const readings: CompartmentReading[] = [];
    driver.onReading((r) => readings.push(r));
    cleanups.push(() => driver.stop());
    await driver.start();
    return { model, driver, readings };
  }

  const seen = (readings: CompartmentReading[], want: CompartmentReading): boolean =>
    readings.some((r) => r.board === want.board && r.lock === want.lock && r.door === want.door && r.presence === want.presence);

  it('CU16: deposit then pickup, decided by the hook and infrared bits', async () => {
    const a = { board: 0, lock: 5 };
    const { model, driver, readings } = await rig('cu16', Array.from({ length: 16 }, (_, i) => ({ board: 0, lock: i + 1 })));
    expect(driver.status()).toMatchObject({ state: 'online', driver: 'serial' });

    expect(await driver.unlock(a)).toEqual({ kind: 'unlocked', reading: { ...a, door: 'open', presence: 'empty' } });
    model.placeItem(a);
    await until('item placed', () => seen(readings, { ...a, door: 'open', presence: 'present' }));
    model.closeDoor(a);
    await until('door closed on the item', () => seen(readings, { ...a, door: 'closed', presence: 'present' }));

    readings.length = 0;
    expect((await driver.unlock(a)).kind).toBe('unlocked');
    // Door left open a while: the driver keeps polling and reports nothing new until it changes.
    model.takeItem(a);
    await until('item taken', () => seen(readings, { ...a, door: 'open', presence: 'empty' }));
    model.closeDoor(a);
    await until('door closed empty', () => seen(readings, { ...a, door: 'closed', presence: 'empty' }));
  });

  it('CU16: a lock that fails, and a board that goes silent and comes back', async () => {
    const { model, driver } = await rig('cu16', [{ board: 0, lock: 1 }, { board: 2, lock: 1 }]);
    model.failLock({ board: 0, lock: 1 });
    expect((await driver.unlock({ board: 0, lock: 1 })).kind).toBe('lockFailed');
    model.silence(2);
    expect(await driver.unlock({ board: 2, lock: 1 })).toEqual({ kind: 'offline' });
    await until('offline', () => driver.status().state === 'offline');
    expect(driver.status().reason).toBe('noResponse');
    model.silence(2, false);
    await until('back online', () => driver.status().state === 'online');
    expect((await driver.unlock({ board: 2, lock: 1 })).kind).toBe('unlocked');
  });

  it('8A/80: open, door closed again (no presence sensor)', async () => {
    const a = { board: 1, lock: 2 };
    const { model, driver, readings } = await rig('lock8a', [{ board: 1, lock: 1 }, a]);
    expect(await driver.unlock(a)).toEqual({ kind: 'unlocked', reading: { ...a, door: 'open', presence: 'unknown' } });
    model.closeDoor(a);
    await until('door closed', () => seen(readings, { ...a, door: 'closed', presence: 'unknown' }));
  });
});

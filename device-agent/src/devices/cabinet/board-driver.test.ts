import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DeviceStatus } from '@onevisit/protocol';
import { MemoryLine } from '../transport/memory.ts';
import { BoardDriver } from './board-driver.ts';
import type { CabinetProtocol, CompartmentReading, LockAddress } from './driver.ts';
import { CabinetEmulator } from './emulator.ts';
import { CabinetModel } from './model.ts';

/** A cabinet "on a cable": each open attaches a fresh emulator to the same physical model. */
class Bench {
  readonly model: CabinetModel;
  readonly line: MemoryLine;
  emulator: CabinetEmulator | undefined;
  readonly driver: BoardDriver;
  readonly statuses: DeviceStatus[] = [];
  readonly readings: CompartmentReading[] = [];

  constructor(protocol: CabinetProtocol, locks: LockAddress[], chunkSizeBytes?: number) {
    this.model = new CabinetModel(locks);
    this.line = new MemoryLine((device) => {
      this.emulator = new CabinetEmulator(device, this.model, { protocol, chunkSizeBytes });
    });
    this.driver = new BoardDriver({ protocol, locks, open: this.line, fastPollMs: 100, slowPollMs: 1_000, commandTimeoutMs: 200 });
    this.driver.onStatus((s) => this.statuses.push(s));
    this.driver.onReading((r) => this.readings.push(r));
  }

  get emu(): CabinetEmulator {
    if (this.emulator === undefined) throw new Error('not plugged');
    return this.emulator;
  }
}

const tick = (ms: number): Promise<void> => vi.advanceTimersByTimeAsync(ms).then(() => undefined);
const cuLocks = (board: number, n: number): LockAddress[] => Array.from({ length: n }, (_, i) => ({ board, lock: i + 1 }));

describe('BoardDriver on CU16 (in-memory line, fake timers)', () => {
  let bench: Bench;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(new Date('2026-11-23T01:00:00Z'));
  });
  afterEach(async () => {
    await bench.driver.stop();
    vi.useRealTimers();
  });

  it('asks every board at start and comes online with the readings', async () => {
    bench = new Bench('cu16', [...cuLocks(0, 4), ...cuLocks(1, 2)]);
    await bench.driver.start();
    expect(bench.driver.status()).toMatchObject({ device: 'dispenser', state: 'online', driver: 'memory' });
    expect(bench.emu.received).toEqual(['status 0', 'status 1']);
    expect(bench.readings).toHaveLength(6);
    expect(bench.readings[0]).toEqual({ board: 0, lock: 1, door: 'closed', presence: 'empty' });
  });

  it('unlocks, polls fast while the door is open, and sees the item taken and the door closed', async () => {
    bench = new Bench('cu16', cuLocks(0, 4));
    bench.model.setItem({ board: 0, lock: 2 }, true);
    await bench.driver.start();
    const result = await bench.driver.unlock({ board: 0, lock: 2 });
    expect(result).toEqual({ kind: 'unlocked', reading: { board: 0, lock: 2, door: 'open', presence: 'present' } });
    expect(bench.emu.received.at(-1)).toBe('unlock 0:2');
    bench.readings.length = 0;
    bench.model.takeItem({ board: 0, lock: 2 });
    await tick(150);
    expect(bench.readings).toEqual([{ board: 0, lock: 2, door: 'open', presence: 'empty' }]);
    bench.model.closeDoor({ board: 0, lock: 2 });
    await tick(150);
    expect(bench.readings.at(-1)).toEqual({ board: 0, lock: 2, door: 'closed', presence: 'empty' });
    // Back to the slow rate once every door is closed.
    const before = bench.emu.received.length;
    await tick(900);
    expect(bench.emu.received.length - before).toBeLessThanOrEqual(1);
  });

  it('reports a lock that does not open after re-checking it', async () => {
    bench = new Bench('cu16', cuLocks(0, 2));
    bench.model.failLock({ board: 0, lock: 1 });
    await bench.driver.start();
    const pending = bench.driver.unlock({ board: 0, lock: 1 });
    await tick(1_000);
    expect(await pending).toEqual({ kind: 'lockFailed', reading: { board: 0, lock: 1, door: 'closed', presence: 'empty' } });
    expect(bench.emu.received.filter((c) => c === 'status 0').length).toBeGreaterThanOrEqual(3);
  });

  it('resends after a bad sum, a truncated reply and a reply from the wrong board', async () => {
    bench = new Bench('cu16', cuLocks(0, 2));
    await bench.driver.start();
    bench.emu.corruptNextReplies(1);
    const first = bench.driver.unlock({ board: 0, lock: 1 });
    await tick(10);
    expect((await first).kind).toBe('unlocked');
    bench.model.closeDoor({ board: 0, lock: 1 });
    bench.emu.truncateNextReplies(1);
    const second = bench.driver.read({ board: 0, lock: 1 });
    await tick(250);
    expect(await second).toEqual({ kind: 'ok', reading: { board: 0, lock: 1, door: 'closed', presence: 'empty' } });
    bench.emu.wrongBoardNextReplies(1);
    const third = bench.driver.read({ board: 0, lock: 2 });
    await tick(250);
    expect((await third).kind).toBe('ok');
    expect(bench.driver.status().state).toBe('online');
  });

  it('reads replies split into single bytes', async () => {
    bench = new Bench('cu16', cuLocks(0, 2), 1);
    await bench.driver.start();
    const pending = bench.driver.unlock({ board: 0, lock: 2 });
    await tick(10);
    expect((await pending).kind).toBe('unlocked');
  });

  it('goes offline when a board stops answering and comes back when it answers', async () => {
    bench = new Bench('cu16', [...cuLocks(0, 2), ...cuLocks(3, 2)]);
    await bench.driver.start();
    bench.model.silence(3);
    await tick(2_000);
    expect(bench.driver.status()).toMatchObject({ state: 'offline', reason: 'noResponse', attention: 'maintenance' });
    const unlock = bench.driver.unlock({ board: 3, lock: 1 });
    await tick(3_000);
    expect(await unlock).toEqual({ kind: 'offline' });
    bench.model.silence(3, false);
    await tick(1_500);
    expect(bench.driver.status()).toMatchObject({ state: 'online', reason: 'ok' });
  });

  it('goes offline when the adapter is unplugged and reconnects when it is back', async () => {
    bench = new Bench('cu16', cuLocks(0, 2));
    await bench.driver.start();
    bench.line.unplug();
    await tick(10);
    expect(bench.driver.status()).toMatchObject({ state: 'offline', reason: 'disconnected' });
    expect(await bench.driver.unlock({ board: 0, lock: 1 })).toEqual({ kind: 'offline' });
    bench.line.plug();
    await tick(2_000);
    expect(bench.driver.status().state).toBe('online');
  });
});

describe('BoardDriver on 8A/80 (in-memory line, fake timers)', () => {
  let bench: Bench;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(async () => {
    await bench.driver.stop();
    vi.useRealTimers();
  });

  it('queries all locks of a board, opens one, and sees its door closed again (presence unknown)', async () => {
    bench = new Bench('lock8a', cuLocks(1, 3));
    await bench.driver.start();
    expect(bench.emu.received).toEqual(['queryAll 1']);
    expect(bench.readings[0]).toEqual({ board: 1, lock: 1, door: 'closed', presence: 'unknown' });
    const result = await bench.driver.unlock({ board: 1, lock: 3 });
    expect(result).toEqual({ kind: 'unlocked', reading: { board: 1, lock: 3, door: 'open', presence: 'unknown' } });
    expect(bench.emu.received.at(-1)).toBe('open 1:3');
    bench.model.closeDoor({ board: 1, lock: 3 });
    await tick(150);
    expect(bench.readings.at(-1)).toEqual({ board: 1, lock: 3, door: 'closed', presence: 'unknown' });
  });

  it('re-checks a lock that did not open with query-one, then reports lockFailed', async () => {
    bench = new Bench('lock8a', cuLocks(1, 2));
    bench.model.failLock({ board: 1, lock: 2 });
    await bench.driver.start();
    const pending = bench.driver.unlock({ board: 1, lock: 2 });
    await tick(1_000);
    expect((await pending).kind).toBe('lockFailed');
    expect(bench.emu.received).toContain('queryOne 1:2');
  });
});

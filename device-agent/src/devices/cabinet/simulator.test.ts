import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock.ts';
import type { CompartmentReading } from './driver.ts';
import { defaultLayout } from './layout.ts';
import { CabinetSimulator } from './simulator.ts';

const clock = new ManualClock(Date.parse('2026-11-23T01:00:00Z'));
const locks = defaultLayout('cu16').compartments;
const a = { board: 0, lock: 3 };

describe('CabinetSimulator', () => {
  it('opens a door when unlocked and pushes readings as a person acts', async () => {
    const sim = new CabinetSimulator({ locks, clock });
    const readings: CompartmentReading[] = [];
    sim.onReading((r) => readings.push(r));
    await sim.start();
    expect(sim.status()).toMatchObject({ device: 'dispenser', state: 'online', driver: 'sim' });
    expect(await sim.unlock(a)).toEqual({ kind: 'unlocked', reading: { ...a, door: 'open', presence: 'empty' } });
    sim.model.placeItem(a);
    sim.model.closeDoor(a);
    expect(readings).toEqual([
      { ...a, door: 'open', presence: 'empty' },
      { ...a, door: 'open', presence: 'present' },
      { ...a, door: 'closed', presence: 'present' },
    ]);
  });

  it('reports a failing lock, a silent board and a bus gone offline', async () => {
    const sim = new CabinetSimulator({ locks, clock });
    await sim.start();
    sim.model.failLock(a);
    expect((await sim.unlock(a)).kind).toBe('lockFailed');
    sim.silenceBoard(0);
    expect(sim.status()).toMatchObject({ state: 'offline', reason: 'noResponse' });
    expect(await sim.read(a)).toEqual({ kind: 'offline' });
    sim.silenceBoard(0, false);
    sim.setOffline(true);
    expect(sim.status()).toMatchObject({ state: 'offline', reason: 'simulatedOffline' });
    sim.setOffline(false);
    expect(sim.status().state).toBe('online');
  });

  it('hides presence on 8A/80 boards', async () => {
    const sim = new CabinetSimulator({ locks: defaultLayout('lock8a').compartments, protocol: 'lock8a', clock });
    await sim.start();
    expect(await sim.read({ board: 1, lock: 1 })).toEqual({ kind: 'ok', reading: { board: 1, lock: 1, door: 'closed', presence: 'unknown' } });
  });

  it('refuses to place an item behind a closed door', async () => {
    const sim = new CabinetSimulator({ locks, clock });
    await sim.start();
    expect(() => sim.model.placeItem(a)).toThrow(/closed door/);
  });
});

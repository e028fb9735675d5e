import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock.ts';
import { BoardDriver } from './board-driver.ts';
import { createDispenser, defaultBaudRate, dispenserProblem } from './create.ts';
import { CabinetSimulator } from './simulator.ts';

describe('createDispenser (--dispenser)', () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5));

  it('builds the simulator on the default 16 compartments, with its simulator for Dev.*', async () => {
    const build = createDispenser({ kind: 'sim' }, { protocol: 'cu16', baudRate: undefined, layout: undefined }, { clock });
    expect(build.driver).toBeInstanceOf(CabinetSimulator);
    expect(build.simulator).toBe(build.driver);
    expect(build.layout.compartments.map((c) => c.slot)).toEqual(Array.from({ length: 16 }, (_, i) => `A${String(i + 1).padStart(2, '0')}`));
    await build.driver.start();
    expect(build.driver.status()).toMatchObject({ device: 'dispenser', state: 'online' });
    expect(build.simulator?.setSimulatedState('offline')).toBe(true);
    expect(build.driver.status()).toMatchObject({ state: 'offline' });
    expect(build.simulator?.setSimulatedState('paperOut')).toBe(false);
  });

  it('refuses a real cabinet without a layout file, with a message naming the option', () => {
    expect(dispenserProblem({ kind: 'serial', path: '/dev/ttyUSB1' }, undefined)).toContain('--dispenser-layout FILE');
    expect(dispenserProblem({ kind: 'sim' }, undefined)).toBeUndefined();
    expect(() => createDispenser({ kind: 'serial', path: '/dev/ttyUSB1' }, { protocol: 'cu16', baudRate: undefined, layout: undefined }, { clock })).toThrow(
      '--dispenser-layout',
    );
  });

  it('builds the board driver on the serial line with the layout and the protocol rate', () => {
    const layout = { compartments: [{ slot: 'B01', board: 1, lock: 2, size: 'L' as const }], lock8aFeedback: 'closed00' as const };
    const build = createDispenser({ kind: 'serial', path: '/dev/ttyUSB1' }, { protocol: 'lock8a', baudRate: undefined, layout }, { clock });
    expect(build.driver).toBeInstanceOf(BoardDriver);
    expect(build.simulator).toBeUndefined();
    expect(build.layout).toBe(layout);
    expect(defaultBaudRate('lock8a')).toBe(9600);
    expect(defaultBaudRate('cu16')).toBe(19200);
  });
});

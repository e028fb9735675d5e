import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { helpText, loadConfig } from './config.ts';

const load = (argv: string[]) => loadConfig({ argv, env: {}, cwd: process.cwd(), readDefaultFile: false });

describe('dispenser options (issue 13)', () => {
  it('defaults to the cu16 protocol, its own baud rate and the built-in layout', () => {
    const result = load([]);
    if (result.kind !== 'config') throw new Error(result.kind);
    expect(result.config).toMatchObject({ dispenser: { kind: 'sim' }, dispenserProtocol: 'cu16', dispenserBaud: undefined, dispenserLayout: undefined });
  });

  it('reads the protocol, the baud rate and a layout file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'onevisit-config-'));
    const file = path.join(dir, 'layout.json');
    writeFileSync(file, JSON.stringify([{ slot: 'B01', board: 1, lock: 24, size: 'L' }]));
    const result = load(['--dispenser', 'serial:/dev/ttyUSB1', '--dispenser-protocol', 'lock8a', '--dispenser-baud', '9600', '--dispenser-layout', file]);
    if (result.kind !== 'config') throw new Error(result.kind === 'error' ? result.message : result.kind);
    expect(result.config.dispenserProtocol).toBe('lock8a');
    expect(result.config.dispenserBaud).toBe(9600);
    expect(result.config.dispenserLayout?.compartments).toEqual([{ slot: 'B01', board: 1, lock: 24, size: 'L' }]);
  });

  it('refuses at start a layout that names a lock twice or a board the protocol cannot address', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'onevisit-config-'));
    const twice = path.join(dir, 'twice.json');
    writeFileSync(twice, JSON.stringify([{ slot: 'A01', board: 0, lock: 1, size: 'S' }, { slot: 'A02', board: 0, lock: 1, size: 'S' }]));
    const result = load(['--dispenser-layout', twice]);
    expect(result.kind).toBe('error');
    expect(result.kind === 'error' && result.message).toContain('board 0 lock 1 is named twice (slots A01 and A02)');
    const board0 = path.join(dir, 'board0.json');
    writeFileSync(board0, JSON.stringify([{ slot: 'A01', board: 0, lock: 1, size: 'S' }]));
    const lock8a = load(['--dispenser-protocol', 'lock8a', '--dispenser-layout', board0]);
    expect(lock8a.kind === 'error' && lock8a.message).toContain('board 0 cannot be addressed by lock8a');
    expect(load(['--dispenser-protocol', 'cu12']).kind).toBe('error');
  });

  it('explains the options in --help', () => {
    const help = helpText();
    expect(help).toContain('--dispenser-protocol PROTOCOL');
    expect(help).toContain('--dispenser-baud BAUD');
    expect(help).toContain('--dispenser-layout FILE');
  });
});

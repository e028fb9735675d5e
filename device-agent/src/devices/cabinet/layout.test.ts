import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultLayout, loadLayoutFile, parseLayout } from './layout.ts';

describe('cabinet layout', () => {
  it('defaults to one board of 16 compartments A01–A16 in mixed sizes', () => {
    const layout = defaultLayout('cu16');
    expect(layout.compartments).toHaveLength(16);
    expect(layout.compartments[0]).toEqual({ slot: 'A01', board: 0, lock: 1, size: 'S' });
    expect(layout.compartments[15]).toEqual({ slot: 'A16', board: 0, lock: 16, size: 'L' });
    expect(new Set(layout.compartments.map((c) => c.size))).toEqual(new Set(['S', 'M', 'L']));
    expect(defaultLayout('lock8a').compartments[0]?.board).toBe(1);
  });

  it('accepts a list and the object form with the 8A/80 feedback wiring', () => {
    const list = [{ slot: 'A01', board: 0, lock: 1, size: 'S' }];
    expect(parseLayout(list, 'cu16')).toEqual({ ok: true, layout: { compartments: list, lock8aFeedback: 'closed11' } });
    const object = { lock8aFeedback: 'closed00', compartments: [{ slot: 'B01', board: 1, lock: 24, size: 'L' }] };
    const parsed = parseLayout(object, 'lock8a');
    expect(parsed.ok && parsed.layout.lock8aFeedback).toBe('closed00');
  });

  it('refuses a lock named twice, a slot named twice, and boards or locks the protocol cannot address', () => {
    expect(parseLayout([{ slot: 'A01', board: 0, lock: 1, size: 'S' }, { slot: 'A02', board: 0, lock: 1, size: 'M' }], 'cu16')).toEqual({
      ok: false,
      message: 'board 0 lock 1 is named twice (slots A01 and A02)',
    });
    expect(parseLayout([{ slot: 'A01', board: 0, lock: 1, size: 'S' }, { slot: 'A01', board: 0, lock: 2, size: 'S' }], 'cu16')).toMatchObject({ ok: false, message: 'slot A01 is named twice' });
    expect(parseLayout([{ slot: 'A01', board: 16, lock: 1, size: 'S' }], 'cu16')).toMatchObject({ ok: false, message: expect.stringContaining('board 16 cannot be addressed by cu16') as unknown });
    expect(parseLayout([{ slot: 'A01', board: 0, lock: 1, size: 'S' }], 'lock8a')).toMatchObject({ ok: false, message: expect.stringContaining('board 0 cannot be addressed by lock8a') as unknown });
    expect(parseLayout([{ slot: 'A01', board: 0, lock: 17, size: 'S' }], 'cu16')).toMatchObject({ ok: false });
    expect(parseLayout([{ slot: 'A01', board: 0, lock: 1, size: 'XL' }], 'cu16')).toMatchObject({ ok: false });
    expect(parseLayout([], 'cu16')).toMatchObject({ ok: false, message: 'the layout lists no compartment' });
  });

  it('reads a file and names it in its messages', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'onevisit-layout-'));
    const file = path.join(dir, 'layout.json');
    writeFileSync(file, '{ not json');
    expect(loadLayoutFile(file, 'cu16')).toEqual({ ok: false, message: `${file} is not valid JSON` });
    writeFileSync(file, JSON.stringify([{ slot: 'A01', board: 0, lock: 1, size: 'M' }]));
    expect(loadLayoutFile(file, 'cu16').ok).toBe(true);
    expect(loadLayoutFile(path.join(dir, 'missing.json'), 'cu16')).toMatchObject({ ok: false, message: expect.stringContaining('ENOENT') as unknown });
  });
});

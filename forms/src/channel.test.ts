import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inRing, offeredRelease, parseRing, readIndex, ringBucket, rolloutStatus, writeIndex, type ChannelIndex, type Release } from './channel.ts';

const release = (version: string, ring: string, status: Release['status'] = 'rolling'): Release => ({
  version,
  file: `f-${version}.ovpkg`,
  sha256: '0'.repeat(64),
  ring,
  publishedAt: '2026-12-04T00:00:00.000Z',
  status,
});
const ids = Array.from({ length: 10_000 }, (_, i) => `T-${String(i).padStart(5, '0')}`);

describe('rings', () => {
  it('is a stable function of the terminal id', () => {
    expect(ringBucket('T-00001')).toBe(ringBucket('T-00001'));
    expect(ringBucket('T-00001')).not.toBe(ringBucket('T-00002'));
    // Pinned value: changing the hash would silently move terminals between rings.
    expect(ringBucket('HALL-01-K03')).toMatchInlineSnapshot(`3461`);
  });
  it('puts about N% of terminals in N%, and widening keeps the earlier ones', () => {
    const ten = ids.filter((t) => inRing(t, { kind: 'percent', percent: 10 }, []));
    expect(ten.length).toBeGreaterThan(900);
    expect(ten.length).toBeLessThan(1100);
    const thirty = new Set(ids.filter((t) => inRing(t, { kind: 'percent', percent: 30 }, [])));
    expect(ten.every((t) => thirty.has(t))).toBe(true);
    expect(ids.every((t) => inRing(t, { kind: 'all' }, []))).toBe(true);
    expect(inRing('K1', { kind: 'canary' }, ['K1'])).toBe(true);
    expect(inRing('K2', { kind: 'canary' }, ['K1'])).toBe(false);
  });
  it('parses ring names', () => {
    expect(parseRing('10%')).toEqual({ kind: 'percent', percent: 10 });
    expect(parseRing('100%')).toEqual({ kind: 'all' });
    for (const bad of ['0%', '101%', '10', 'some']) expect(parseRing(bad)).toBeUndefined();
  });
});

describe('what the channel offers', () => {
  const inTen = ids.find((t) => inRing(t, { kind: 'percent', percent: 10 }, [])) ?? '';
  const outside = ids.find((t) => !inRing(t, { kind: 'percent', percent: 10 }, [])) ?? '';
  it('offers the newest release whose ring holds the terminal; halt and rollback fall back', () => {
    const rs = [release('1.0.0', 'all'), release('1.1.0', '10%')];
    expect(offeredRelease(rs, inTen, [])?.version).toBe('1.1.0');
    expect(offeredRelease(rs, outside, [])?.version).toBe('1.0.0');
    expect(offeredRelease([release('1.0.0', 'all'), release('1.1.0', '10%', 'halted')], inTen, [])?.version).toBe('1.0.0');
    expect(offeredRelease([release('1.0.0', 'all'), release('1.1.0', 'all', 'withdrawn')], outside, [])?.version).toBe('1.0.0');
  });
  it('summarises reports: running, pending, failed, rolled back', () => {
    const index: ChannelIndex = { format: 'onevisit-forms-channel/1', forms: { f: { releases: [release('1.0.0', 'all'), release('1.1.0', '10%')] } } };
    const at = '2026-12-04T00:00:00.000Z';
    const s = rolloutStatus(
      index,
      'f',
      [
        { terminalId: inTen, at, forms: { f: { active: '1.0.0', version: '1.1.0', step: 'failed', reason: 'fileHashMismatch' } } },
        { terminalId: outside, at, forms: { f: { active: '1.0.0', version: '1.0.0', step: 'activated' } } },
        { terminalId: 'K-new', at, forms: {} },
      ],
      [],
    );
    expect(s.running['1.0.0']).toEqual([inTen, outside]);
    expect(s.failed).toEqual([{ terminalId: inTen, version: '1.1.0', reason: 'fileHashMismatch' }]);
    // inTen failed (not pending), outside runs what it is offered, K-new has nothing yet.
    expect(s.pending).toEqual(['K-new']);
    expect(s.releases.map((r) => r.status)).toEqual(['rolling', 'rolling']);
  });
  it('shows a release more terminals failed than allowed as withdrawn, as the terminals read it (a folder has nobody to write the halt)', () => {
    const index: ChannelIndex = { format: 'onevisit-forms-channel/1', forms: { f: { releases: [release('1.0.0', 'all'), release('1.1.0', 'all')] } } };
    const at = '2026-12-04T00:00:00.000Z';
    const failed = (terminalId: string) => ({ terminalId, at, forms: { f: { active: '1.0.0', version: '1.1.0', step: 'failed' as const, reason: 'fillFailed' } } });
    expect(rolloutStatus(index, 'f', [failed('A')], []).releases.map((r) => r.status)).toEqual(['rolling', 'rolling']);
    expect(rolloutStatus(index, 'f', [failed('A'), failed('B')], []).releases.map((r) => r.status)).toEqual(['rolling', 'withdrawn']);
    // publish --halt-after 2 allows two.
    const lenient: ChannelIndex = { format: 'onevisit-forms-channel/1', forms: { f: { releases: [release('1.0.0', 'all'), { ...release('1.1.0', 'all'), haltAfterFailures: 2 }] } } };
    expect(rolloutStatus(lenient, 'f', [failed('A'), failed('B')], []).releases.map((r) => r.status)).toEqual(['rolling', 'rolling']);
  });
  it('writes the index atomically (no temp file left, reads back)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'channel-'));
    const index: ChannelIndex = { format: 'onevisit-forms-channel/1', forms: { f: { releases: [release('1.0.0', 'all')] } } };
    await writeIndex(dir, index);
    expect(await readIndex(dir)).toEqual(index);
    expect(readdirSync(dir)).toEqual(['index.json']);
  });
});

import { execFileSync } from 'node:child_process';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock.ts';
import type { DeviceStatus } from '@onevisit/protocol';
import type { ScannedPage } from './driver.ts';
import { SaneScanner } from './sane-scanner.ts';
import { ScanimageProcess } from './scanimage.ts';

/**
 * The real path: `scanimage` against SANE's own `test` backend (Debian sane-utils).
 * The test backend scans 80 x 100 mm by default and, through its own options, returns any
 * SANE status we want, so every error path runs through the real program.
 */
function hasScanimage(): boolean {
  try {
    execFileSync('scanimage', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const log = pino({ level: 'silent' });

function scanner(extraArgs: string[] = [], device = 'test'): { scanner: SaneScanner; statuses: DeviceStatus[] } {
  const s = new SaneScanner({ device, clock: new ManualClock(Date.UTC(2026, 0, 5)), log, runner: new ScanimageProcess('scanimage', extraArgs), reprobeIntervalMs: 0 });
  const statuses: DeviceStatus[] = [];
  s.onStatus((status) => statuses.push(status));
  return { scanner: s, statuses };
}

describe.runIf(hasScanimage())('SANE driver on the test backend', () => {
  it('comes online and scans one grey page of the expected size', async () => {
    const { scanner: s, statuses } = scanner(['--test-picture=Grid']);
    await s.start();
    expect(s.status().state).toBe('online');
    expect(s.status().driver).toBe('sane');
    const seen: ScannedPage[] = [];
    const result = await s.scan({ resolutionDpi: 75, colorMode: 'gray', pages: 1 }, { signal: new AbortController().signal, onPage: (p) => seen.push(p) });
    expect(result.kind).toBe('scanned');
    if (result.kind !== 'scanned') return;
    // 80 mm x 100 mm at 75 dpi.
    expect(result.pages).toHaveLength(1);
    expect(result.pages[0]?.width).toBe(236);
    expect(result.pages[0]?.height).toBe(295);
    expect(result.pages[0]?.png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(seen).toHaveLength(1);
    // online → busy → online, pushed.
    expect(statuses.map((x) => x.state)).toEqual(['online', 'busy', 'online']);
    await s.stop();
  });

  it('scans several pages from the feeder in one batch, page by page', async () => {
    const { scanner: s } = scanner(['--test-picture=Color pattern']);
    await s.start();
    const seen: number[] = [];
    const result = await s.scan({ resolutionDpi: 50, colorMode: 'color', pages: 3, source: 'adf' }, { signal: new AbortController().signal, onPage: (p) => seen.push(p.index) });
    expect(result.kind).toBe('scanned');
    expect(seen).toEqual([0, 1, 2]);
    await s.stop();
  });

  it('falls back to another mode spelling when the backend has no Lineart', async () => {
    const { scanner: s } = scanner();
    await s.start();
    const result = await s.scan({ resolutionDpi: 50, colorMode: 'lineart', pages: 1 }, { signal: new AbortController().signal });
    expect(result.kind).toBe('scanned');
    await s.stop();
  });

  it.each([
    ['SANE_STATUS_JAMMED', 'jammed', 'fault', 'paperJam'],
    ['SANE_STATUS_COVER_OPEN', 'coverOpen', 'fault', 'coverOpen'],
    ['SANE_STATUS_IO_ERROR', 'ioError', 'fault', 'hardwareFault'],
    ['SANE_STATUS_NO_DOCS', 'noDocuments', 'online', 'ok'],
    ['SANE_STATUS_DEVICE_BUSY', 'busy', 'online', 'ok'],
  ] as const)('reports %s as %s and the device as %s/%s', async (saneStatus, problem, state, reason) => {
    const { scanner: s } = scanner([`--read-return-value=${saneStatus}`]);
    await s.start();
    const result = await s.scan({ resolutionDpi: 50, colorMode: 'gray', pages: 1 }, { signal: new AbortController().signal });
    expect(result).toEqual({ kind: 'failed', problem, pages: [] });
    expect(s.status().state).toBe(state);
    expect(s.status().reason).toBe(reason);
    await s.stop();
  });

  it('reports an absent device as offline, never a crash', async () => {
    const { scanner: s } = scanner([], 'nosuchbackend:0');
    await s.start();
    expect(s.status()).toMatchObject({ state: 'offline', reason: 'disconnected', attention: 'maintenance' });
    const result = await s.scan({ resolutionDpi: 50, colorMode: 'gray', pages: 1 }, { signal: new AbortController().signal });
    expect(result.kind).toBe('deviceNotReady');
    await s.stop();
  });

  it('cancels a slow scan by stopping scanimage, and takes one job at a time', async () => {
    // 600 dpi with a delay on every read: several seconds if left alone.
    const { scanner: s } = scanner(['--read-delay=yes', '--read-delay-duration=200000', '--read-limit=yes', '--read-limit-size=1024']);
    await s.start();
    const controller = new AbortController();
    const running = s.scan({ resolutionDpi: 600, colorMode: 'color', pages: 1 }, { signal: controller.signal });
    expect(await s.scan({ resolutionDpi: 50, colorMode: 'gray', pages: 1 }, { signal: new AbortController().signal })).toEqual({ kind: 'busy' });
    expect(s.status().state).toBe('busy');
    setTimeout(() => controller.abort('canceled'), 300);
    expect(await running).toEqual({ kind: 'canceled' });
    expect(s.status().state).toBe('online');
    await s.stop();
  });
});

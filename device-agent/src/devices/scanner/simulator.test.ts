import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock.ts';
import type { DeviceStatus } from '@onevisit/protocol';
import { pngSize } from './png-size.ts';
import { ScanStore } from './scan-store.ts';
import { ScannerSimulator } from './simulator.ts';
import { renderPage } from './render-page.ts';

const signal = (): AbortSignal => new AbortController().signal;
const smallPage = renderPage({ lines: [{ text: '测试', sizePt: 12 }], widthMm: 40, heightMm: 20, dpi: 100 }).png;

describe('scanner simulator', () => {
  it('returns the placed pages with their size, and pushes busy then online', async () => {
    const sim = new ScannerSimulator({ clock: new ManualClock(0) });
    const statuses: DeviceStatus[] = [];
    sim.onStatus((s) => statuses.push(s));
    await sim.start();
    sim.place([{ png: smallPage }]);
    const seen: number[] = [];
    const result = await sim.scan({ resolutionDpi: 100, colorMode: 'gray', pages: 2 }, { signal: signal(), onPage: (p) => seen.push(p.index) });
    expect(result.kind).toBe('scanned');
    if (result.kind === 'scanned') expect(result.pages.map((p) => [p.width, p.height])).toEqual([[157, 79], [157, 79]]);
    expect(seen).toEqual([0, 1]);
    expect(statuses.map((s) => s.state)).toEqual(['online', 'busy', 'online']);
    expect(sim.status().driver).toBe('sim');
  });

  it('renders the default temporary ID certificate at the requested resolution', async () => {
    const sim = new ScannerSimulator({ clock: new ManualClock(0) });
    await sim.start();
    const result = await sim.scan({ resolutionDpi: 100, colorMode: 'gray', pages: 1 }, { signal: signal() });
    expect(result.kind === 'scanned' ? pngSize(result.pages[0]?.png ?? new Uint8Array()) : undefined).toEqual({ width: 827, height: 1169 });
  });

  it('jams, goes offline and comes back when told', async () => {
    const sim = new ScannerSimulator({ clock: new ManualClock(0) });
    await sim.start();
    sim.place([{ png: smallPage }]);
    sim.failNextScan('jammed', 1);
    const jammed = await sim.scan({ resolutionDpi: 100, colorMode: 'gray', pages: 3 }, { signal: signal() });
    expect(jammed.kind === 'failed' ? [jammed.problem, jammed.pages.length] : jammed.kind).toEqual(['jammed', 1]);
    expect(sim.status()).toMatchObject({ state: 'fault', reason: 'paperJam', attention: 'clear' });
    expect(sim.setSimulatedState('offline')).toBe(true);
    expect(await sim.scan({ resolutionDpi: 100, colorMode: 'gray', pages: 1 }, { signal: signal() })).toEqual({ kind: 'deviceNotReady' });
    sim.setSimulatedState('online');
    expect((await sim.scan({ resolutionDpi: 100, colorMode: 'gray', pages: 1 }, { signal: signal() })).kind).toBe('scanned');
    expect(sim.setSimulatedState('paperOut')).toBe(true);
    expect(await sim.scan({ resolutionDpi: 100, colorMode: 'gray', pages: 1 }, { signal: signal() })).toEqual({ kind: 'failed', problem: 'noDocuments', pages: [] });
  });

  it('cancels between pages', async () => {
    const sim = new ScannerSimulator({ clock: new ManualClock(0), pageDelayMs: 10_000 });
    await sim.start();
    const controller = new AbortController();
    const running = sim.scan({ resolutionDpi: 100, colorMode: 'gray', pages: 1 }, { signal: controller.signal });
    controller.abort();
    expect(await running).toEqual({ kind: 'canceled' });
    expect(sim.status().state).toBe('online');
  });
});

describe('scan store', () => {
  it('forgets scans after their time and keeps a bounded number', () => {
    const clock = new ManualClock(0);
    const store = new ScanStore({ clock, maxAgeMs: 1000, maxScans: 2 });
    const a = store.put([]);
    const b = store.put([]);
    const c = store.put([]);
    expect(store.get(a.scanId)).toBeUndefined();
    expect(store.get(b.scanId)).toBeDefined();
    clock.advance(1001);
    expect(store.get(c.scanId)).toBeUndefined();
    expect(b.scanId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock.ts';
import { SimulatedA4Printer, countPages } from './simulator.ts';
import { minimalPdf } from './test-pdf.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function spool(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'onevisit-spool-'));
  dirs.push(d);
  return path.join(d, 'print-spool');
}

describe('simulated A4 printer', () => {
  it('writes each PDF into the spool folder and reports pages', async () => {
    const sim = new SimulatedA4Printer({ spoolDir: spool(), clock: new ManualClock(0) });
    await sim.start();
    const pdf = minimalPdf(2);
    const stages: string[] = [];
    expect(await sim.printPdf(pdf, { copies: 2, onStage: (s) => stages.push(s.stage) })).toEqual({ kind: 'printed', jobId: 'sim-1', pages: 4 });
    expect(stages).toEqual(['queued', 'printing']);
    const [file] = sim.printedFiles();
    expect(file).toBeDefined();
    expect(readFileSync(file ?? '')).toEqual(Buffer.from(pdf));
    expect(sim.status()).toMatchObject({ state: 'online' });
  });

  it('can be told offline, paper out, cover open, fault, and to fail mid-job', async () => {
    const sim = new SimulatedA4Printer({ spoolDir: spool(), clock: new ManualClock(0) });
    sim.setState('offline');
    expect(await sim.printPdf(minimalPdf())).toEqual({ kind: 'notReady', reason: 'offline', partial: false });
    expect(sim.setState('paperOut')).toMatchObject({ state: 'fault', attention: 'clear', reason: 'paperOut' });
    expect(await sim.printPdf(minimalPdf())).toEqual({ kind: 'notReady', reason: 'paperOut', partial: false });
    sim.setState('coverOpen');
    expect(await sim.printPdf(minimalPdf())).toEqual({ kind: 'notReady', reason: 'coverOpen', partial: false });
    sim.setState('fault');
    expect(await sim.printPdf(minimalPdf())).toEqual({ kind: 'failed', reason: 'hardwareFault', partial: false });
    sim.setState('online');
    sim.failNextJobWithPaperOut();
    expect(await sim.printPdf(minimalPdf())).toEqual({ kind: 'notReady', reason: 'paperOut', partial: true, jobId: 'sim-1' });
    sim.setState('online');
    expect(await sim.printPdf(minimalPdf())).toMatchObject({ kind: 'printed', jobId: 'sim-2' });
    expect(sim.printedFiles()).toHaveLength(1);
  });

  it('keeps the PDFs (personal data) in a 0700 folder as 0600 files, and deletes them when told the session ended', async () => {
    const sim = new SimulatedA4Printer({ spoolDir: spool(), clock: new ManualClock(0) });
    await sim.printPdf(minimalPdf());
    await sim.printPdf(minimalPdf());
    const files = [...sim.printedFiles()];
    expect(files).toHaveLength(2);
    expect(statSync(sim.spoolDir).mode & 0o777).toBe(0o700);
    for (const file of files) expect(statSync(file).mode & 0o777).toBe(0o600);
    await sim.clearSpool();
    expect(sim.printedFiles()).toEqual([]);
    for (const file of files) expect(existsSync(file)).toBe(false);
  });

  it('counts pages of an uncompressed PDF', () => {
    expect(countPages(minimalPdf(3))).toBe(3);
    expect(countPages(new TextEncoder().encode('%PDF-1.7 compressed'))).toBeUndefined();
  });
});

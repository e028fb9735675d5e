import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock.ts';
import { CliCupsClient, type CommandResult, type CupsClient } from './cups-client.ts';
import { CupsPrinter } from './cups-driver.ts';
import { isUnavailable, startCupsTestServer, type CupsTestServer } from './cups-test-server.ts';
import type { PdfJobStage } from './driver.ts';
import { minimalPdf } from './test-pdf.ts';

let cups: CupsTestServer | undefined;
let skipReason: string | undefined;

beforeAll(async () => {
  const started = await startCupsTestServer();
  if (isUnavailable(started)) {
    skipReason = started.unavailable;
    console.warn(`[cups-driver.test] real CUPS tests skipped: ${skipReason}`);
  } else {
    cups = started;
  }
});
afterAll(async () => {
  await cups?.stop();
});

function findOutput(dirs: readonly string[], title: string): string | undefined {
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    const hit = readdirSync(dir).find((f) => f.startsWith(title) && f.endsWith('.pdf'));
    if (hit !== undefined) return path.join(dir, hit);
  }
  return undefined;
}

describe('CUPS driver against a real cupsd with the CUPS-PDF printer', () => {
  it('prints a PDF, follows the job to completed, and CUPS-PDF writes the output', async (ctx) => {
    if (!cups) {
      ctx.skip(skipReason);
      return;
    }
    const printer = new CupsPrinter({
      queue: cups.queue,
      client: new CliCupsClient({ server: cups.server }),
      clock: new ManualClock(0),
      jobPollIntervalMs: 100,
      jobTimeoutMs: 60_000,
      pollIntervalMs: 0,
    });
    await printer.start();
    expect(printer.status()).toMatchObject({ state: 'online', driver: 'cups', reason: 'ok' });

    const title = `onevisit-test-${process.pid}-${Date.now()}`;
    const stages: PdfJobStage[] = [];
    const result = await printer.printPdf(minimalPdf(2), { title, onStage: (s) => stages.push(s) });
    expect(result).toMatchObject({ kind: 'printed', jobId: expect.stringMatching(new RegExp(`^${cups.queue}-\\d+$`)) as unknown });
    expect(stages[0]).toMatchObject({ stage: 'queued' });

    // CUPS-PDF writes after the job completed; give the file system a moment.
    let file: string | undefined;
    for (let i = 0; i < 100 && file === undefined; i += 1) {
      file = findOutput(cups.outputDirs, title);
      if (file === undefined) await new Promise((r) => setTimeout(r, 50));
    }
    expect(file, `no CUPS-PDF output named ${title}* in ${cups.outputDirs.join(', ')}`).toBeDefined();
    if (file !== undefined) {
      expect(readFileSync(file).subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(statSync(file).size).toBeGreaterThan(200);
      rmSync(file);
    }
    await printer.stop();
  });

  it('reports a missing queue as offline / not configured', async (ctx) => {
    if (!cups) {
      ctx.skip(skipReason);
      return;
    }
    const printer = new CupsPrinter({ queue: 'NoSuchQueue', client: new CliCupsClient({ server: cups.server }), clock: new ManualClock(0), pollIntervalMs: 0 });
    await printer.start();
    expect(printer.status()).toMatchObject({ state: 'offline', reason: 'notConfigured' });
    expect(await printer.printPdf(minimalPdf())).toEqual({ kind: 'notReady', reason: 'offline', partial: false });
  });
});

/** A scripted CUPS for the cases a PDF printer cannot show (paper out during a job). */
class ScriptedCups implements CupsClient {
  printer = 'idle,none,true';
  jobStates: string[] = [];
  canceled: string[] = [];
  submit(): Promise<CommandResult> {
    return Promise.resolve({ code: 0, stdout: 'request id is Office-7 (0 file(s))\n', stderr: '' });
  }
  cancel(jobId: string): Promise<CommandResult> {
    this.canceled.push(jobId);
    return Promise.resolve({ code: 0, stdout: '', stderr: '' });
  }
  ipp(_queue: string, test: 'get-job' | 'get-printer'): Promise<CommandResult> {
    if (test === 'get-printer') return Promise.resolve({ code: 0, stdout: `printer-state,printer-state-reasons,printer-is-accepting-jobs\n${this.printer}\n`, stderr: '' });
    const state = this.jobStates.shift() ?? 'processing,none,0';
    return Promise.resolve({ code: 0, stdout: `job-state,job-state-reasons,job-impressions-completed\n${state}\n`, stderr: '' });
  }
}

describe('CUPS driver job following (scripted CUPS)', () => {
  const make = (client: ScriptedCups) =>
    new CupsPrinter({ queue: 'Office', client, clock: new ManualClock(0), jobPollIntervalMs: 1, pollIntervalMs: 0 });

  it('reports pages and the printing stage', async () => {
    const client = new ScriptedCups();
    client.jobStates = ['pending,none,0', 'processing,job-printing,1', 'completed,job-completed-successfully,3'];
    const stages: string[] = [];
    expect(await make(client).printPdf(minimalPdf(), { onStage: (s) => stages.push(s.stage) })).toEqual({ kind: 'printed', jobId: 'Office-7', pages: 3 });
    expect(stages).toEqual(['queued', 'printing']);
  });

  it('does not submit to a printer that is out of paper', async () => {
    const client = new ScriptedCups();
    client.printer = 'stopped,media-empty-error,true';
    const printer = make(client);
    expect(await printer.printPdf(minimalPdf())).toEqual({ kind: 'notReady', reason: 'paperOut', partial: false });
    expect(printer.status()).toMatchObject({ reason: 'paperOut', attention: 'clear' });
  });

  it('cancels a job the printer stopped under (paper out mid-job) so a retry does not print twice', async () => {
    const client = new ScriptedCups();
    client.jobStates = ['processing,job-printing,1'];
    const printer = make(client);
    const run = printer.printPdf(minimalPdf());
    // After the first poll the printer runs out of paper.
    await new Promise((r) => setTimeout(r, 0));
    client.printer = 'stopped,media-empty-error,true';
    client.jobStates = ['processing-stopped,printer-stopped,1'];
    expect(await run).toEqual({ kind: 'notReady', reason: 'paperOut', partial: true, jobId: 'Office-7' });
    expect(client.canceled).toEqual(['Office-7']);
  });

  it('cancels the job in CUPS when the command is canceled', async () => {
    const client = new ScriptedCups();
    client.jobStates = Array.from({ length: 1000 }, () => 'pending,none,0');
    const controller = new AbortController();
    const run = make(client).printPdf(minimalPdf(), { signal: controller.signal });
    setTimeout(() => controller.abort(), 5);
    expect(await run).toEqual({ kind: 'canceled', partial: false, jobId: 'Office-7' });
    expect(client.canceled).toEqual(['Office-7']);
  });

  it('refuses what is not a PDF', async () => {
    expect(await make(new ScriptedCups()).printPdf(new TextEncoder().encode('hello'))).toEqual({ kind: 'failed', reason: 'invalidPdf', partial: false });
  });
});

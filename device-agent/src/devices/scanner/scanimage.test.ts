import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildScanimageArgs, completedPages, modeRejected, problemFromMessages, ScanimageProcess } from './scanimage.ts';

describe('scanimage argument vector', () => {
  it('asks for PNG pages in batch mode, with mode, resolution and source', () => {
    expect(buildScanimageArgs({ device: 'test', resolutionDpi: 300, mode: 'Gray', pages: 2, source: 'Automatic Document Feeder' }, '/tmp/x/page-%d.png')).toEqual([
      '--device-name=test',
      '--format=png',
      '--resolution=300',
      '--mode=Gray',
      '--batch=/tmp/x/page-%d.png',
      '--batch-count=2',
      '--source=Automatic Document Feeder',
    ]);
  });
});

describe('scanimage status parsing', () => {
  // Messages and exit codes as scanimage 1.2 prints them (checked against the test backend).
  it.each([
    ['scanimage: sane_read: Document feeder jammed', 6, 'jammed'],
    ['scanimage: sane_start: Document feeder out of documents', 7, 'noDocuments'],
    ['scanimage: sane_read: Device busy', 3, 'busy'],
    ['scanimage: sane_read: Error during device I/O', 9, 'ioError'],
    ['scanimage: sane_read: Scanner cover is open', 8, 'coverOpen'],
    ['scanimage: sane_read: Access to resource has been denied', 11, 'accessDenied'],
    ['scanimage: sane_read: Out of memory', 10, 'noMemory'],
    ['scanimage: open of device nosuch:dev failed: Invalid argument', 1, 'noDevice'],
    ['scanimage: sane_read: Operation was canceled', 2, 'canceled'],
  ] as const)('%s → %s', (line, code, expected) => {
    expect(problemFromMessages(`Scanning page 1\n${line}\n`, code)).toBe(expected);
  });

  it('falls back to the exit code when the message is unknown, and reports success as no problem', () => {
    expect(problemFromMessages('', 7)).toBe('noDocuments');
    expect(problemFromMessages('Scanned page 1. (scanner status = 5)\n', 0)).toBeUndefined();
    expect(problemFromMessages('', null)).toBe('ioError');
  });

  it('finds completed pages only (status 5 = SANE_STATUS_EOF)', () => {
    const stderr = 'Scanning page 1\nScanned page 1. (scanner status = 5)\nScanning page 2\nScanned page 2. (scanner status = 6)\n';
    expect(completedPages(stderr)).toEqual([1]);
  });

  it('recognises a mode the backend does not know', () => {
    expect(modeRejected('scanimage: setting of option --mode failed (Invalid argument)')).toBe(true);
    expect(modeRejected('scanimage: sane_read: Device busy')).toBe(false);
  });
});

/**
 * A scanimage that says its batch is over and then never exits, as SANE's test backend does about once in
 * 400 runs (its reader thread deadlocks on the way out): a stand-in program on the real process path.
 */
describe('scanimage that hangs after its batch', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'onevisit-fake-scanimage-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function fakeScanimage(name: string, pattern: string, lines: readonly string[]): Promise<string> {
    const file = join(dir, name);
    // Writes the page scanimage would (an empty file is enough here), its messages, then sleeps in its own place (exec).
    const page = pattern === '' ? '' : `batch=""; for a in "$@"; do case "$a" in --batch=*) batch="\${a#--batch=}";; esac; done; : > "$(printf "$batch" 1)"\n`;
    await writeFile(file, `#!/bin/sh\n${page}printf '%s\\n' ${lines.map((l) => `'${l}'`).join(' ')} >&2\nexec sleep 120\n`, { mode: 0o755 });
    return file;
  }

  const options = { device: 'test', resolutionDpi: 50, mode: 'Gray', pages: 1 };

  it('is killed after the grace and judged by its messages: the failure it printed', async () => {
    const command = await fakeScanimage('cover-open', '', [
      'Scanning page 1',
      'scanimage: sane_read: Scanner cover is open',
      'Scanned page 1. (scanner status = 8)',
      'Batch terminated, 1 page scanned',
    ]);
    const outcome = await new ScanimageProcess(command).scan(options, new AbortController().signal, () => undefined);
    expect(outcome).toEqual({ kind: 'done', files: [], problem: 'coverOpen' });
  });

  it('is killed after the grace and judged by its messages: a clean batch is a scan, with its page', async () => {
    const command = await fakeScanimage('clean', 'page', ['Scanning page 1', 'Scanned page 1. (scanner status = 5)', 'Batch terminated, 1 page scanned']);
    const pages: number[] = [];
    const outcome = await new ScanimageProcess(command).scan(options, new AbortController().signal, (_png, n) => pages.push(n));
    expect(outcome).toMatchObject({ kind: 'done', problem: undefined });
    expect(pages).toEqual([1]);
  });
});

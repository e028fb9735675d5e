import { describe, expect, it } from 'vitest';
import { buildScanimageArgs, completedPages, modeRejected, problemFromMessages } from './scanimage.ts';

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

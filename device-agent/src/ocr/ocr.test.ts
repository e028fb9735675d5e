import https from 'node:https';
import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderPage, type Degradation, type PageFont } from '../devices/scanner/render-page.ts';
import { PROSE_LINES, SAMPLE_PEOPLE, temporaryIdCertificateLines, type SamplePerson } from '../devices/scanner/sample-pages.ts';
import { OcrPool } from './pool.ts';
import { OcrService, type OcrPage } from './service.ts';
import { characterAccuracy } from './text.ts';

/**
 * OCR on pages drawn from known text with a real font (Noto Sans SC; HanaMin as a serif face),
 * clean and degraded. One warm pool for the whole file. Every way to the network is blocked
 * in this process (and, by offline-worker.cjs, in the worker threads) for the whole file:
 * recognition working here proves nothing is fetched.
 */
const require = createRequire(import.meta.url);
const { installNetworkGuard } = require('./network-guard.cjs') as { installNetworkGuard: (onAttempt?: (what: string) => void) => () => void };

const NOISY: Degradation = { rotateDeg: 1.5, blurPx: 1, noise: { sigma: 20, seed: 7 } };
const attempts: string[] = [];
let restoreNetwork: () => void = () => undefined;
let pool: OcrPool;
let ocr: OcrService;
let dataDir: string;

async function page(png: Buffer): Promise<OcrPage> {
  const decoded = await OcrService.page(png, 300);
  if (!decoded) throw new Error('rendered page did not decode');
  return decoded;
}

function certificate(person: SamplePerson, font: PageFont, degrade?: Degradation): Buffer {
  // The upper half of an A4 sheet at 300 dpi holds the whole certificate.
  return renderPage({ lines: temporaryIdCertificateLines(person), widthMm: 210, heightMm: 120, dpi: 300, font, ...(degrade ? { degrade } : {}) }).png;
}

beforeAll(async () => {
  restoreNetwork = installNetworkGuard((what) => attempts.push(what));
  dataDir = await mkdtemp(join(tmpdir(), 'ocr-test-'));
  pool = new OcrPool({ log: pino({ level: 'silent' }), dataDir });
  ocr = new OcrService(pool);
  await pool.start();
});

afterAll(async () => {
  await pool.stop();
  restoreNetwork();
  await rm(dataDir, { recursive: true, force: true });
});

describe('OCR offline', () => {
  it('the guard really blocks the network in this process', () => {
    expect(() => fetch('https://example.invalid/')).toThrow(/network access blocked/);
    const before = attempts.length;
    expect(() => https.get('https://example.com/')).toThrow(/network access blocked/);
    expect(attempts.length).toBe(before + 1);
    // From here on, any attempt is OCR's own.
    attempts.length = 0;
  });

  it('warms its workers with no network at all', () => {
    expect(pool.state()).toBe('ready');
  });
});

describe('OCR accuracy on rendered pages', () => {
  const source = PROSE_LINES.slice(0, 6);
  const prose = (degrade?: Degradation): Buffer =>
    renderPage({ lines: source.map((text, i) => (i === 0 ? { text, sizePt: 12, yMm: 20 } : { text, sizePt: 12 })), widthMm: 210, heightMm: 90, dpi: 300, ...(degrade ? { degrade } : {}) }).png;

  it('reads clean Chinese prose at 300 dpi with at least 95% character accuracy', async () => {
    const outcome = await ocr.recognize(await page(prose()), { language: 'chi_sim' });
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(characterAccuracy(source.join(''), outcome.result.text)).toBeGreaterThanOrEqual(0.95);
    expect(outcome.result.confidence).toBeGreaterThan(0.8);
    // Boxes are in page pixels and inside the page.
    const word = outcome.result.lines[0]?.words[0];
    expect(word?.box.x).toBeGreaterThan(200);
    expect(word?.box.y).toBeGreaterThan(150);
  });

  it('reads a rotated, blurred, noisy page with at least 85% character accuracy', async () => {
    const outcome = await ocr.recognize(await page(prose(NOISY)), { language: 'chi_sim' });
    expect(outcome.ok).toBe(true);
    if (outcome.ok) expect(characterAccuracy(source.join(''), outcome.result.text)).toBeGreaterThanOrEqual(0.85);
  });

  it('recognises only a rectangle, with a whitelist', async () => {
    const person = SAMPLE_PEOPLE.liHong;
    const rendered = renderPage({ lines: temporaryIdCertificateLines(person), widthMm: 210, heightMm: 120, dpi: 300 });
    const idLine = rendered.lines.find((l) => l.text.includes(person.idNumber));
    if (!idLine) throw new Error('no ID line');
    const outcome = await ocr.recognize(await page(rendered.png), { language: 'eng', rect: { x: idLine.box.x - 10, y: idLine.box.y - 10, width: idLine.box.width + 20, height: idLine.box.height + 20 }, whitelist: '0123456789Xx', pageSegMode: 'singleLine' });
    expect(outcome.ok).toBe(true);
    // The label is outside the whitelist: only digits come out, and they include the number.
    if (outcome.ok) expect(outcome.result.text.replace(/\s/g, '')).toContain(person.idNumber);
  });
});

describe('ID number and name from a temporary ID certificate', () => {
  it.each([
    ['wangXiaoming', 'sans'],
    ['zhaoJing', 'sans'],
    ['liHong', 'serif'],
  ] as const)('reads %s (%s face) exactly from a clean scan', async (key, font) => {
    const person = SAMPLE_PEOPLE[key];
    const read = await ocr.readIdentity(await page(certificate(person, font)));
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.identity.idNumber.decision).toMatchObject({ ok: true, value: person.idNumber });
    expect(read.identity.name?.value.length).toBeGreaterThanOrEqual(2);
  });

  it('reads the ID number exactly from a rotated, blurred, noisy scan', async () => {
    const person = SAMPLE_PEOPLE.wangXiaoming;
    const read = await ocr.readIdentity(await page(certificate(person, 'sans', NOISY)));
    expect(read.ok).toBe(true);
    if (read.ok) expect(read.identity.idNumber.decision).toMatchObject({ ok: true, value: person.idNumber });
  });

  it('finds no ID number on a page without one', async () => {
    const blank = renderPage({ lines: [{ text: '本页没有证件号码。', sizePt: 14, yMm: 20 }], widthMm: 210, heightMm: 60, dpi: 300 }).png;
    const read = await ocr.readIdentity(await page(blank));
    expect(read.ok).toBe(true);
    if (read.ok) expect(read.identity.idNumber).toMatchObject({ located: false, decision: { ok: false } });
  });

  it('nothing tried to reach the network', () => {
    expect(attempts).toEqual([]);
  });
});

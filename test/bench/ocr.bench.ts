// OCR time and character accuracy: a full A4 page (300 dpi) and the ID-number rectangle, warm,
// with tesseract.js (our pool: best_int models) side by side with native Tesseract on the same
// images when it is installed (Debian tesseract-ocr, tesseract-ocr-chi-sim).
// Budgets (issue 3): the ID-number rectangle under 200 ms warm and exact on clean and noisy
// scans; a page no slower than native.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { renderPage, type Degradation } from '../../device-agent/src/devices/scanner/render-page.ts';
import { PROSE_LINES, prosePageLines, SAMPLE_PEOPLE, temporaryIdCertificateLines } from '../../device-agent/src/devices/scanner/sample-pages.ts';
import { prepareFieldCrop, type PixelRect } from '../../device-agent/src/ocr/image.ts';
import { OcrPool } from '../../device-agent/src/ocr/pool.ts';
import { OcrService, type OcrPage } from '../../device-agent/src/ocr/service.ts';
import { characterAccuracy } from '../../device-agent/src/ocr/text.ts';

const PAGE_RUNS = 3;
const RECT_RUNS = 10;
const NOISY: Degradation = { rotateDeg: 1.5, blurPx: 1, noise: { sigma: 20, seed: 7 } };

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const out = (line: string): void => {
  process.stdout.write(`   ${line}\n`);
};

function nativeAvailable(): boolean {
  try {
    const langs = execFileSync('tesseract', ['--list-langs'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return langs.includes('chi_sim') && langs.includes('eng');
  } catch {
    return false;
  }
}

/** Native Tesseract on a file: the whole process (start, model load, recognition), as a kiosk would call it. */
function nativeOcr(file: string, args: string[]): { text: string; ms: number } {
  const started = nowMs();
  const result = spawnSync('tesseract', [file, 'stdout', ...args], { encoding: 'utf8' });
  return { text: result.stdout, ms: nowMs() - started };
}

async function decoded(png: Buffer): Promise<OcrPage> {
  const page = await OcrService.page(png, 300);
  if (!page) throw new Error('rendered page did not decode');
  return page;
}

export async function run(): Promise<void> {
  const native = nativeAvailable();
  const dir = await mkdtemp(path.join(tmpdir(), 'ocr-bench-'));
  const pool = new OcrPool({ log: pino({ level: 'silent' }), dataDir: path.join(dir, 'data') });
  const ocr = new OcrService(pool);
  try {
    const bootStarted = nowMs();
    await pool.start();
    out(`pool start (data + 1 chi_sim + 1 eng worker): ${(nowMs() - bootStarted).toFixed(0)} ms, state ${pool.state()}`);
    if (!native) out('native tesseract (with chi_sim and eng) not installed: tesseract.js figures only');

    // ---- full A4 page
    const source = PROSE_LINES.join('');
    for (const [label, degrade] of [['clean', undefined], ['noisy', NOISY]] as const) {
      const rendered = renderPage({ lines: prosePageLines(), widthMm: 210, heightMm: 297, dpi: 300, ...(degrade ? { degrade } : {}) });
      const file = path.join(dir, `page-${label}.png`);
      await writeFile(file, rendered.png);
      const page = await decoded(rendered.png);
      await ocr.recognize(page, { language: 'chi_sim' }); // warm on this size
      const times: number[] = [];
      let accuracy = 0;
      for (let i = 0; i < PAGE_RUNS; i += 1) {
        const started = nowMs();
        const result = await ocr.recognize(page, { language: 'chi_sim' });
        times.push(nowMs() - started);
        if (result.ok) accuracy = characterAccuracy(`自助服务须知${source}`, result.result.text);
      }
      const js = median(times);
      let line = `A4 page ${label} (2480x3508): tesseract.js ${js.toFixed(0)} ms, accuracy ${pct(accuracy)}`;
      if (native) {
        const nativeRuns = Array.from({ length: PAGE_RUNS }, () => nativeOcr(file, ['-l', 'chi_sim', '--psm', '3', '--dpi', '300']));
        const nativeMs = median(nativeRuns.map((r) => r.ms));
        const nativeAccuracy = characterAccuracy(`自助服务须知${source}`, nativeRuns[0]?.text ?? '');
        line += ` | native ${nativeMs.toFixed(0)} ms, accuracy ${pct(nativeAccuracy)} | ratio js/native ${(js / nativeMs).toFixed(2)} (budget <= 1.00)`;
      }
      out(line);
    }

    // ---- ID-number rectangle
    for (const [label, degrade] of [['clean', undefined], ['noisy', NOISY]] as const) {
      const person = SAMPLE_PEOPLE.zhaoJing;
      const rendered = renderPage({ lines: temporaryIdCertificateLines(person), widthMm: 210, heightMm: 297, dpi: 300, ...(degrade ? { degrade } : {}) });
      const page = await decoded(rendered.png);
      const located = await ocr.readIdentity(page);
      const box: PixelRect | undefined = located.ok ? located.identity.idNumber.box : undefined;
      if (!box) {
        out(`ID rectangle ${label}: not located on the page`);
        continue;
      }
      const times: number[] = [];
      let exact = 0;
      for (let i = 0; i < RECT_RUNS; i += 1) {
        const started = nowMs();
        const read = await ocr.readIdNumber(page, box);
        times.push(nowMs() - started);
        if (read.ok && read.decision.ok && read.decision.value === person.idNumber) exact += 1;
      }
      const js = median(times);
      let line = `ID-number rectangle ${label} (${box.width}x${box.height} px): tesseract.js ${js.toFixed(0)} ms warm (budget < 200), exact ${exact}/${RECT_RUNS}`;
      if (native) {
        const margin = Math.round(box.height * 0.5);
        const crop = prepareFieldCrop(page.image, { x: box.x - margin, y: box.y - margin, width: box.width + 2 * margin, height: box.height + 2 * margin }, { scale: 1, sharpen: false });
        if (crop) {
          const file = path.join(dir, `id-${label}.png`);
          await writeFile(file, crop.png);
          const nativeRuns = Array.from({ length: 5 }, () => nativeOcr(file, ['-l', 'eng', '--psm', '7', '-c', 'tessedit_char_whitelist=0123456789Xx']));
          const nativeMs = median(nativeRuns.map((r) => r.ms));
          const nativeText = (nativeRuns[0]?.text ?? '').replace(/\s/g, '').toUpperCase();
          line += ` | native ${nativeMs.toFixed(0)} ms (process incl. model load), ${nativeText === person.idNumber ? 'exact' : 'not exact'} | ratio js/native ${(js / nativeMs).toFixed(2)}`;
        }
      }
      out(line);
    }
  } finally {
    await pool.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

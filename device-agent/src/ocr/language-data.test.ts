import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { OCR_MODEL_FOLDER, packagedModelFile, prepareLanguageData } from './language-data.ts';
import { OcrPool } from './pool.ts';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ocr-data-test-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('OCR language data', () => {
  it('resolves the LSTM-only best_int models from the npm data packages', () => {
    expect(packagedModelFile('chi_sim')).toMatch(new RegExp(`@tesseract.js-data/chi_sim/${OCR_MODEL_FOLDER}/chi_sim\\.traineddata\\.gz$`));
    expect(packagedModelFile('eng')).toMatch(/eng\.traineddata\.gz$/);
  });

  it('assembles both languages into one folder, once', async () => {
    const dir = await tempDir();
    const first = await prepareLanguageData(dir);
    expect(first).toEqual({ ok: true, langPath: dir });
    const chi = await readFile(join(dir, 'chi_sim.traineddata.gz'));
    expect(chi[0]).toBe(0x1f);
    expect(await prepareLanguageData(dir)).toEqual({ ok: true, langPath: dir });
  });

  it('reports a missing package and a corrupt file as values', async () => {
    const dir = await tempDir();
    expect(await prepareLanguageData(dir, ['chi_sim'], () => undefined)).toMatchObject({ ok: false, problem: 'packageMissing', language: 'chi_sim' });
    const bogus = join(dir, 'bogus.gz');
    await writeFile(bogus, 'not a model at all');
    expect(await prepareLanguageData(join(dir, 'out'), ['eng'], () => bogus)).toMatchObject({ ok: false, problem: 'notGzip', language: 'eng' });
  });

  it('a pool without usable data is unavailable and answers every request, without killing the process', async () => {
    const dir = await tempDir();
    const bogus = join(dir, 'bogus.gz');
    await writeFile(bogus, 'garbage');
    const pool = new OcrPool({ log: pino({ level: 'silent' }), dataDir: join(dir, 'data'), resolveModelFile: () => bogus });
    const pending = pool.recognize({ image: new Uint8Array([1, 2, 3]), language: 'chi_sim', pageSegMode: 'auto' });
    await pool.start();
    expect(pool.state()).toBe('unavailable');
    expect(await pending).toEqual({ ok: false, failure: 'unavailable' });
    expect(await pool.recognize({ image: new Uint8Array([1]), language: 'eng', pageSegMode: 'auto' })).toEqual({ ok: false, failure: 'unavailable' });
    await pool.stop();
  });
});

import { createRequire } from 'node:module';
import { copyFile, mkdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';

/**
 * The OCR languages we ship. Both come from npm (`@tesseract.js-data/<lang>`), never from a CDN.
 * `chi_sim` reads documents; `eng` (with a digit whitelist) re-reads ID-number crops.
 */
export const OCR_LANGUAGES = ['chi_sim', 'eng'] as const;
export type OcrLanguage = (typeof OCR_LANGUAGES)[number];

/**
 * Which model of the data packages we use. Each package ships `4.0.0/` (LSTM + legacy engine:
 * chi_sim 20 MB gz, ~430 MB in use) and `4.0.0_best_int/` (LSTM only: chi_sim 1.7 MB gz,
 * ~250 MB in use, and 0.8–0.9x the time of native Tesseract). The packages' own `index.js`
 * points at the big one, so we resolve the folder ourselves (STACK-NOTES.md, "OCR").
 */
export const OCR_MODEL_FOLDER = '4.0.0_best_int';

/** Where the agent assembles the one folder tesseract.js reads (`langPath` takes a single folder). */
export function defaultOcrDataDir(): string {
  return join(tmpdir(), 'onevisit-ocr', OCR_MODEL_FOLDER);
}

export type LanguageDataProblem = 'packageMissing' | 'fileMissing' | 'notGzip' | 'corrupt' | 'copyFailed';

export type LanguageDataResult =
  | { ok: true; langPath: string }
  | { ok: false; problem: LanguageDataProblem; language: OcrLanguage; detail: string };

const require = createRequire(import.meta.url);

/** The `.traineddata.gz` a data package ships for our model, resolved in node_modules. */
export function packagedModelFile(language: OcrLanguage): string | undefined {
  try {
    const packageJson = require.resolve(`@tesseract.js-data/${language}/package.json`);
    return join(dirname(packageJson), OCR_MODEL_FOLDER, `${language}.traineddata.gz`);
  } catch {
    return undefined;
  }
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

/**
 * Checks a gzip'd traineddata file fully before a worker sees it: tesseract.js kills the
 * process (an uncaught throw in its message handler) or never settles when it cannot load
 * its data, so bad data must be caught here, as a value.
 */
export async function verifyModelFile(path: string): Promise<{ ok: true } | { ok: false; problem: 'fileMissing' | 'notGzip' | 'corrupt'; detail: string }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    return { ok: false, problem: 'fileMissing', detail: `cannot read ${path}` };
  }
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return { ok: false, problem: 'notGzip', detail: `${path} is not gzip` };
  try {
    // A traineddata file is a few MB unpacked; anything tiny is not a model.
    const unpacked = gunzipSync(bytes);
    if (unpacked.length < 64 * 1024) return { ok: false, problem: 'corrupt', detail: `${path} unpacks to only ${unpacked.length} bytes` };
  } catch {
    return { ok: false, problem: 'corrupt', detail: `${path} does not unpack` };
  }
  return { ok: true };
}

/**
 * Assembles `<targetDir>/<lang>.traineddata.gz` for every language from the npm data packages
 * (copied once; again only when the size differs), verifies them, and returns the folder to use
 * as tesseract.js `langPath`. Works offline after a plain `npm ci`: nothing is fetched.
 * The copy is written to a temporary name and renamed, so two agents starting together cannot
 * read a half-written file.
 */
export async function prepareLanguageData(
  targetDir: string = defaultOcrDataDir(),
  languages: readonly OcrLanguage[] = OCR_LANGUAGES,
  resolveSource: (language: OcrLanguage) => string | undefined = packagedModelFile,
): Promise<LanguageDataResult> {
  for (const language of languages) {
    const source = resolveSource(language);
    if (source === undefined) return { ok: false, problem: 'packageMissing', language, detail: `@tesseract.js-data/${language} is not installed` };
    const sourceSize = await sizeOf(source);
    if (sourceSize === undefined) return { ok: false, problem: 'fileMissing', language, detail: `${source} is missing` };
    const target = join(targetDir, `${language}.traineddata.gz`);
    if ((await sizeOf(target)) !== sourceSize) {
      const temporary = `${target}.${process.pid}.${Date.now()}.tmp`;
      try {
        await mkdir(targetDir, { recursive: true });
        await copyFile(source, temporary);
        await rename(temporary, target);
      } catch (error) {
        await unlink(temporary).catch(() => undefined);
        return { ok: false, problem: 'copyFailed', language, detail: error instanceof Error ? error.message : String(error) };
      }
    }
    const verified = await verifyModelFile(target);
    if (!verified.ok) return { ok: false, problem: verified.problem, language, detail: verified.detail };
  }
  return { ok: true, langPath: targetDir };
}

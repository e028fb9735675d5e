import type { Image } from '@napi-rs/canvas';
import { decodeImage, prepareFieldCrop, type PixelRect } from './image.ts';
import { decideIdNumber, ID_NUMBER_WHITELIST, normaliseIdRead, type IdNumberDecision, type IdNumberRead } from './id-number-reader.ts';
import { findIdNumberCandidates, findName, type NameCandidate } from './locate.ts';
import { tidyChineseSpacing } from './text.ts';
import type { OcrEngine, OcrFailure, OcrLine, OcrResult, OcrWorkerLanguage, PageSegMode } from './types.ts';

/** Digit height below which an ID-number crop is upscaled 2x and sharpened. */
const SMALL_PRINT_PX = 36;

/** A page as OCR needs it: the encoded bytes for Tesseract and the decoded image for crops. */
export interface OcrPage {
  bytes: Uint8Array;
  image: Image;
  dpi?: number;
}

export type PageOutcome = { ok: true; result: OcrResult } | { ok: false; failure: OcrFailure };

export interface IdNumberOnPage {
  decision: IdNumberDecision;
  /** Where the number was found, in page pixels (also when it could not be verified). */
  box: PixelRect | undefined;
  /** True when a line that looks like an ID number was found at all. */
  located: boolean;
}

export interface IdentityOnPage {
  name: NameCandidate | undefined;
  idNumber: IdNumberOnPage;
  lines: OcrLine[];
}

/**
 * OCR as the agent's services use it, on top of the worker pool: a page or a rectangle,
 * and the ID-number path (locate on the chi_sim page read, re-read the crop with eng).
 */
export class OcrService {
  readonly #engine: OcrEngine;

  constructor(engine: OcrEngine) {
    this.#engine = engine;
  }

  get engine(): OcrEngine {
    return this.#engine;
  }

  /** Decodes bytes into a page; undefined when they are not an image. */
  static async page(bytes: Uint8Array, dpi?: number): Promise<OcrPage | undefined> {
    const image = await decodeImage(bytes);
    if (!image) return undefined;
    return dpi === undefined ? { bytes, image } : { bytes, image, dpi };
  }

  /** Recognises a page or a rectangle of it; `text` has Tesseract's spaces between Chinese characters removed. */
  async recognize(
    page: OcrPage,
    options: { language: OcrWorkerLanguage; rect?: PixelRect; whitelist?: string; pageSegMode?: PageSegMode; signal?: AbortSignal },
  ): Promise<PageOutcome> {
    const outcome = await this.#engine.recognize({
      image: page.bytes,
      language: options.language,
      pageSegMode: options.pageSegMode ?? (options.rect ? 'singleBlock' : 'auto'),
      ...(options.rect ? { rect: options.rect } : {}),
      ...(options.whitelist !== undefined && options.whitelist !== '' ? { whitelist: options.whitelist } : {}),
      ...(page.dpi !== undefined ? { dpi: page.dpi } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (!outcome.ok) return outcome;
    return { ok: true, result: tidyResult(outcome.result) };
  }

  /**
   * Reads an ID number in a rectangle (page pixels) with the eng worker, whitelist
   * `0123456789Xx`, single-line mode, on a grey crop with a margin; the optional chi_sim read
   * is the second opinion; GB 11643 decides (see decideIdNumber).
   *
   * Small print (digits under ~36 px high: a card photo, a 150 dpi scan) is upscaled 2x and
   * sharpened first (STACK-NOTES.md: that turned a wrong digit into an exact read). At 300 dpi
   * the digits are already 40+ px, where upscaling only costs time and sharpening amplifies
   * scanner noise (measured: 1x plain read every test page exactly, 1x sharpened failed on the
   * noisy ones), so the crop is read as is, and the 2x sharpened crop is only a second try
   * when the first reads do not verify.
   */
  async readIdNumber(page: OcrPage, rect: PixelRect, chiSimRead?: IdNumberRead, signal?: AbortSignal): Promise<{ ok: true; decision: IdNumberDecision; engRead: string; durationMs: number } | { ok: false; failure: OcrFailure }> {
    const started = Date.now();
    const small = rect.height < SMALL_PRINT_PX;
    const first = await this.#engRead(page, rect, small ? { scale: 2, sharpen: true } : { scale: 1, sharpen: false }, signal);
    if (!first.ok) return first;
    const reads: IdNumberRead[] = chiSimRead ? [first.read, chiSimRead] : [first.read];
    let decision = decideIdNumber(reads);
    if (!decision.ok && !small) {
      const second = await this.#engRead(page, rect, { scale: 2, sharpen: true }, signal);
      if (!second.ok) return second;
      decision = decideIdNumber([second.read, ...reads]);
    }
    return { ok: true, decision, engRead: normaliseIdRead(first.read.text), durationMs: Date.now() - started };
  }

  async #engRead(page: OcrPage, rect: PixelRect, prepare: { scale: number; sharpen: boolean }, signal?: AbortSignal): Promise<{ ok: true; read: IdNumberRead } | { ok: false; failure: OcrFailure }> {
    // A margin of half a line height around the digits: Tesseract wants background around text.
    const margin = Math.round(rect.height * 0.5);
    const crop = prepareFieldCrop(page.image, { x: rect.x - margin, y: rect.y - margin, width: rect.width + 2 * margin, height: rect.height + 2 * margin }, prepare);
    if (!crop) return { ok: false, failure: 'badImage' };
    const outcome = await this.#engine.recognize({
      image: crop.png,
      language: 'eng',
      pageSegMode: 'singleLine',
      whitelist: ID_NUMBER_WHITELIST,
      ...(signal ? { signal } : {}),
    });
    if (!outcome.ok) return outcome;
    const symbols = outcome.result.lines.flatMap((l) => l.words.flatMap((w) => w.symbols));
    const text = symbols.map((s) => s.text).join('');
    const read: IdNumberRead = { text, source: 'eng' };
    if (normaliseIdRead(text).length === symbols.length) read.confidences = symbols.map((s) => s.confidence);
    return { ok: true, read };
  }

  /** Page read in chi_sim, then the name and the ID number located on it. */
  async readIdentity(page: OcrPage, signal?: AbortSignal): Promise<{ ok: true; identity: IdentityOnPage } | { ok: false; failure: OcrFailure }> {
    const read = await this.recognize(page, { language: 'chi_sim', pageSegMode: 'auto', ...(signal ? { signal } : {}) });
    if (!read.ok) return read;
    const lines = read.result.lines;
    const identity: IdentityOnPage = { name: findName(lines), idNumber: { decision: { ok: false, problem: 'unreadable' }, box: undefined, located: false }, lines };
    for (const candidate of findIdNumberCandidates(lines).slice(0, 3)) {
      const chiRead: IdNumberRead = { text: candidate.text, confidences: candidate.confidences, source: 'chi_sim' };
      const reread = await this.readIdNumber(page, candidate.box, chiRead, signal);
      if (!reread.ok) return reread;
      identity.idNumber = { decision: reread.decision, box: candidate.box, located: true };
      if (reread.decision.ok) break;
    }
    return { ok: true, identity };
  }
}

function tidyResult(result: OcrResult): OcrResult {
  return { ...result, text: tidyChineseSpacing(result.text), lines: result.lines.map((line) => ({ ...line, text: tidyChineseSpacing(line.text) })) };
}

import type { PixelRect } from './image.ts';

/** What a worker can be started with; `chi_sim+eng` is started on first use only. */
export const OCR_WORKER_LANGUAGES = ['chi_sim', 'eng', 'chi_sim+eng'] as const;
export type OcrWorkerLanguage = (typeof OCR_WORKER_LANGUAGES)[number];

/**
 * Tesseract page segmentation modes we use (set explicitly on every job: the default
 * differs between tesseract.js versions and a whitelist job must not leak its mode).
 */
export const PAGE_SEG_MODES = { auto: '3', singleBlock: '6', singleLine: '7', sparse: '11' } as const;
export type PageSegMode = keyof typeof PAGE_SEG_MODES;

export interface OcrSymbol {
  text: string;
  /** 0–1. */
  confidence: number;
  box: PixelRect;
}

export interface OcrWord {
  text: string;
  /** 0–1. */
  confidence: number;
  /** In page pixels. */
  box: PixelRect;
  symbols: OcrSymbol[];
}

export interface OcrLine {
  text: string;
  confidence: number;
  box: PixelRect;
  words: OcrWord[];
}

export interface OcrResult {
  text: string;
  /** Mean word confidence, 0–1 (0 when nothing was read). */
  confidence: number;
  lines: OcrLine[];
  /** Milliseconds spent in the worker (queueing excluded). */
  durationMs: number;
}

export interface RecognizeRequest {
  /** PNG or JPEG bytes (anything Leptonica reads). */
  image: Uint8Array;
  language: OcrWorkerLanguage;
  /** Only this part of the image, in its pixels. */
  rect?: PixelRect;
  /** Characters Tesseract may output; empty or absent for all. */
  whitelist?: string;
  pageSegMode: PageSegMode;
  /** The scan's resolution, so Tesseract does not have to guess it. */
  dpi?: number;
  /** Aborting drops a queued job, and stops (then replaces) the worker of a running one. */
  signal?: AbortSignal;
}

/** Why a recognition did not happen: closed set, mapped to completion codes by handlers. */
export type OcrFailure = 'unavailable' | 'canceled' | 'timeOut' | 'workerFailed' | 'badImage' | 'stopped';

export type RecognizeOutcome = { ok: true; result: OcrResult } | { ok: false; failure: OcrFailure };

export type OcrPoolState = 'stopped' | 'starting' | 'ready' | 'unavailable';

/** The seam handlers and services use; the pool implements it, tests may fake it. */
export interface OcrEngine {
  state(): OcrPoolState;
  recognize(request: RecognizeRequest): Promise<RecognizeOutcome>;
}

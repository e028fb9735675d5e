import type { Worker as NodeWorker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { createWorker, OEM, type Page, type Worker as TesseractWorker, type Bbox } from 'tesseract.js';
import { agentPath } from '../paths.ts';
import { prepareLanguageData, type OcrLanguage } from './language-data.ts';
import type { PixelRect } from './image.ts';
import {
  PAGE_SEG_MODES,
  type OcrEngine,
  type OcrLine,
  type OcrPoolState,
  type OcrResult,
  type OcrWord,
  type OcrWorkerLanguage,
  type RecognizeOutcome,
  type RecognizeRequest,
} from './types.ts';

/** Our worker script: the network guard, then tesseract.js's own (see offline-worker.cjs). */
const OFFLINE_WORKER_PATH = agentPath('src', 'ocr', 'offline-worker.cjs');

export interface OcrPoolOptions {
  log: Logger;
  /** Folder for the assembled language data; default under the OS temp folder. */
  dataDir?: string;
  /** Warm workers per language, started by `start()`. Default 1 chi_sim + 1 eng. */
  workers?: Partial<Record<OcrWorkerLanguage, number>>;
  /** A worker that has not loaded within this time counts as failed. */
  startTimeoutMs?: number;
  /** A job still running after this long has its worker replaced (default 60 s). */
  jobTimeoutMs?: number;
  /** For tests: where the language data comes from. */
  resolveModelFile?: (language: OcrLanguage) => string | undefined;
}

interface Job {
  request: RecognizeRequest;
  resolve: (outcome: RecognizeOutcome) => void;
  onAbort?: () => void;
}

interface PooledWorker {
  language: OcrWorkerLanguage;
  tesseract: TesseractWorker;
  busy: boolean;
  dead: boolean;
  current: Job | undefined;
}

const DEFAULT_WORKERS: Record<OcrWorkerLanguage, number> = { chi_sim: 1, eng: 1, 'chi_sim+eng': 0 };

/**
 * A small pool of warm tesseract.js workers, one queue per language. Started at agent boot
 * (`start()`), so the first citizen does not wait the ~0.7 s a worker takes to load.
 * Never throws for expected trouble: missing data makes the pool `unavailable`, and every
 * recognition answers with a value.
 */
export class OcrPool implements OcrEngine {
  readonly #log: Logger;
  readonly #options: OcrPoolOptions;
  readonly #sizes: Record<OcrWorkerLanguage, number>;
  #state: OcrPoolState = 'stopped';
  #langPath: string | undefined;
  #starting: Promise<void> | undefined;
  readonly #workers: PooledWorker[] = [];
  readonly #queues = new Map<OcrWorkerLanguage, Job[]>();
  /** Languages a worker is being started for right now (lazy start, replacement). */
  readonly #spawning = new Map<OcrWorkerLanguage, number>();

  constructor(options: OcrPoolOptions) {
    this.#options = options;
    this.#log = options.log;
    this.#sizes = { ...DEFAULT_WORKERS, ...options.workers };
  }

  state(): OcrPoolState {
    return this.#state;
  }

  /** Prepares the data and warms the workers; resolves when ready or unavailable. */
  start(): Promise<void> {
    this.#starting ??= this.#start();
    return this.#starting;
  }

  async #start(): Promise<void> {
    this.#state = 'starting';
    const startedMs = Date.now();
    const data = await prepareLanguageData(this.#options.dataDir, undefined, this.#options.resolveModelFile);
    if (!data.ok) {
      this.#state = 'unavailable';
      this.#log.error({ problem: data.problem, language: data.language, detail: data.detail }, 'OCR language data unusable: OCR unavailable');
      this.#failQueued();
      return;
    }
    this.#langPath = data.langPath;
    const spawns: Promise<boolean>[] = [];
    for (const [language, count] of Object.entries(this.#sizes) as [OcrWorkerLanguage, number][]) {
      for (let i = 0; i < count; i += 1) spawns.push(this.#spawn(language));
    }
    const started = await Promise.all(spawns);
    if (this.#state !== 'starting') return; // stopped meanwhile
    if (started.length > 0 && !started.some(Boolean)) {
      this.#state = 'unavailable';
      this.#failQueued();
      return;
    }
    this.#state = 'ready';
    this.#log.info({ workers: this.#workers.length, startMs: Date.now() - startedMs }, 'OCR pool ready');
    this.#pump();
  }

  async stop(): Promise<void> {
    this.#state = 'stopped';
    this.#failQueued();
    const workers = this.#workers.splice(0);
    await Promise.all(workers.map((w) => this.#terminate(w)));
  }

  /** Queues a recognition on a worker of the request's language. */
  recognize(request: RecognizeRequest): Promise<RecognizeOutcome> {
    if (this.#state === 'stopped' && this.#starting === undefined) void this.start();
    if (this.#state === 'unavailable') return Promise.resolve({ ok: false, failure: 'unavailable' });
    if (this.#state === 'stopped') return Promise.resolve({ ok: false, failure: 'stopped' });
    if (request.signal?.aborted === true) return Promise.resolve({ ok: false, failure: 'canceled' });
    return new Promise<RecognizeOutcome>((resolve) => {
      const job: Job = { request, resolve };
      const queue = this.#queues.get(request.language) ?? [];
      this.#queues.set(request.language, queue);
      queue.push(job);
      if (request.signal) {
        const signal = request.signal;
        job.onAbort = () => this.#abort(job);
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      if (this.#state === 'ready') {
        this.#ensureWorker(request.language);
        this.#pump();
      }
    });
  }

  /** Jobs waiting per language, for status and benchmarks. */
  queueLength(): number {
    let n = 0;
    for (const queue of this.#queues.values()) n += queue.length;
    return n;
  }

  #ensureWorker(language: OcrWorkerLanguage): void {
    const live = this.#workers.some((w) => w.language === language && !w.dead);
    if (!live && (this.#spawning.get(language) ?? 0) === 0) {
      void this.#spawn(language).then((ok) => {
        if (!ok) this.#failQueued(language, 'workerFailed');
        this.#pump();
      });
    }
  }

  async #spawn(language: OcrWorkerLanguage): Promise<boolean> {
    const langPath = this.#langPath;
    if (langPath === undefined) return false;
    this.#spawning.set(language, (this.#spawning.get(language) ?? 0) + 1);
    const startedMs = Date.now();
    let failLoad: (reason: string) => void = () => undefined;
    const loadFailed = new Promise<undefined>((resolve) => {
      failLoad = (reason) => {
        this.#log.error({ language, reason }, 'OCR worker failed to load');
        resolve(undefined);
      };
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => {
        this.#log.error({ language, timeoutMs: this.#options.startTimeoutMs ?? 60_000 }, 'OCR worker did not load in time');
        resolve(undefined);
      }, this.#options.startTimeoutMs ?? 60_000);
    });
    try {
      const created = createWorker(language, OEM.LSTM_ONLY, {
        langPath,
        gzip: true,
        // The default cache writes an unpacked copy into the working directory, keyed by
        // language only, and later reuses it even when langPath changes (STACK-NOTES.md).
        cacheMethod: 'none',
        workerPath: OFFLINE_WORKER_PATH,
        // Without an errorHandler tesseract.js throws inside its message listener, which
        // kills the agent. With one, a failed job rejects its own promise.
        errorHandler: (error: unknown) => {
          failLoad(describeError(error));
        },
        logger: () => undefined,
      });
      const tesseract = await Promise.race([created.then((w) => w, () => undefined), loadFailed, timedOut]);
      if (tesseract === undefined) {
        // The worker may still come up late: do not leak it.
        void created.then((w) => w.terminate()).catch(() => undefined);
        return false;
      }
      // After loading, job errors are the job's business; keep the handler from logging them as load failures.
      failLoad = (reason) => {
        this.#log.warn({ language, reason }, 'OCR job failed');
      };
      const pooled: PooledWorker = { language, tesseract, busy: false, dead: false, current: undefined };
      watchThread(tesseract, (reason) => this.#onWorkerDied(pooled, reason));
      if (this.#state === 'stopped') {
        await tesseract.terminate().catch(() => undefined);
        return false;
      }
      this.#workers.push(pooled);
      this.#log.info({ language, loadMs: Date.now() - startedMs }, 'OCR worker ready');
      return true;
    } catch (error) {
      this.#log.error({ language, reason: describeError(error) }, 'OCR worker could not start');
      return false;
    } finally {
      if (timer) clearTimeout(timer);
      this.#spawning.set(language, (this.#spawning.get(language) ?? 1) - 1);
    }
  }

  #onWorkerDied(worker: PooledWorker, reason: string): void {
    if (worker.dead) return;
    worker.dead = true;
    this.#log.error({ language: worker.language, reason }, 'OCR worker died; replacing it');
    this.#remove(worker);
    const job = worker.current;
    worker.current = undefined;
    if (job) this.#settle(job, { ok: false, failure: 'workerFailed' });
    if (this.#state === 'ready') {
      void this.#spawn(worker.language).then(() => this.#pump());
    }
  }

  #remove(worker: PooledWorker): void {
    const index = this.#workers.indexOf(worker);
    if (index >= 0) this.#workers.splice(index, 1);
  }

  #abort(job: Job): void {
    const queue = this.#queues.get(job.request.language);
    const queued = queue?.indexOf(job) ?? -1;
    if (queue && queued >= 0) {
      queue.splice(queued, 1);
      this.#settle(job, { ok: false, failure: 'canceled' });
      return;
    }
    const worker = this.#workers.find((w) => w.current === job);
    if (worker) this.#killRunning(worker, job, 'canceled');
  }

  /** Tesseract cannot be interrupted: stop the worker of a running job and start a fresh one. */
  #killRunning(worker: PooledWorker, job: Job, failure: 'canceled' | 'timeOut'): void {
    worker.dead = true;
    worker.current = undefined;
    this.#remove(worker);
    this.#log.warn({ language: worker.language, failure }, 'OCR job stopped; replacing its worker');
    this.#settle(job, { ok: false, failure });
    void this.#terminate(worker).then(() => {
      if (this.#state === 'ready') return this.#spawn(worker.language).then(() => this.#pump());
      return undefined;
    });
  }

  #settle(job: Job, outcome: RecognizeOutcome): void {
    if (job.onAbort && job.request.signal) job.request.signal.removeEventListener('abort', job.onAbort);
    job.resolve(outcome);
  }

  #failQueued(language?: OcrWorkerLanguage, failure: 'unavailable' | 'stopped' | 'workerFailed' = this.#state === 'stopped' ? 'stopped' : 'unavailable'): void {
    for (const [lang, queue] of this.#queues) {
      if (language !== undefined && lang !== language) continue;
      for (const job of queue.splice(0)) this.#settle(job, { ok: false, failure });
    }
  }

  #pump(): void {
    if (this.#state !== 'ready') return;
    for (const worker of this.#workers) {
      if (worker.busy || worker.dead) continue;
      const job = this.#queues.get(worker.language)?.shift();
      if (job) void this.#run(worker, job);
    }
  }

  async #run(worker: PooledWorker, job: Job): Promise<void> {
    worker.busy = true;
    worker.current = job;
    const { request } = job;
    const startedMs = Date.now();
    let outcome: RecognizeOutcome;
    // A pathological image (heavy noise) can keep Tesseract busy for a minute and more.
    const guard = setTimeout(() => {
      if (worker.current === job) this.#killRunning(worker, job, 'timeOut');
    }, this.#options.jobTimeoutMs ?? 60_000);
    try {
      await worker.tesseract.setParameters({
        tessedit_pageseg_mode: PAGE_SEG_MODES[request.pageSegMode] as never,
        tessedit_char_whitelist: request.whitelist ?? '',
        user_defined_dpi: request.dpi === undefined ? '0' : String(Math.round(request.dpi)),
      });
      const rectangle = request.rect ? { left: Math.round(request.rect.x), top: Math.round(request.rect.y), width: Math.round(request.rect.width), height: Math.round(request.rect.height) } : undefined;
      const { data } = await worker.tesseract.recognize(Buffer.from(request.image), rectangle ? { rectangle } : {}, { text: true, blocks: true });
      outcome = { ok: true, result: toResult(data, Date.now() - startedMs) };
    } catch (error) {
      const reason = describeError(error);
      // Leptonica's "image file not found"/"pixReadMem" errors mean bytes it cannot read.
      outcome = { ok: false, failure: /pix|image|read/i.test(reason) ? 'badImage' : 'workerFailed' };
      this.#log.warn({ language: worker.language, reason }, 'OCR recognition failed');
    } finally {
      clearTimeout(guard);
    }
    if (worker.current !== job) return; // aborted or died meanwhile: already settled
    worker.current = undefined;
    worker.busy = false;
    this.#settle(job, outcome);
    this.#pump();
  }

  async #terminate(worker: PooledWorker): Promise<void> {
    worker.dead = true;
    await worker.tesseract.terminate().catch(() => undefined);
  }
}

/** tesseract.js keeps the Node worker thread on `.worker`; crashes surface only there. */
function watchThread(tesseract: TesseractWorker, onDied: (reason: string) => void): void {
  const thread = (tesseract as unknown as { worker?: NodeWorker | null }).worker;
  if (!thread || typeof thread.on !== 'function') return;
  thread.on('error', (error: unknown) => onDied(describeError(error)));
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.slice(0, 300);
  return String(error).slice(0, 300);
}

function toRect(bbox: Bbox): PixelRect {
  return { x: bbox.x0, y: bbox.y0, width: Math.max(0, bbox.x1 - bbox.x0), height: Math.max(0, bbox.y1 - bbox.y0) };
}

/** Flattens Tesseract's block tree into lines of words, confidences as 0–1. */
export function toResult(page: Page, durationMs: number): OcrResult {
  const lines: OcrLine[] = [];
  let confidenceSum = 0;
  let wordCount = 0;
  for (const block of page.blocks ?? []) {
    for (const paragraph of block.paragraphs) {
      for (const line of paragraph.lines) {
        const words: OcrWord[] = line.words.map((word) => ({
          text: word.text,
          confidence: word.confidence / 100,
          box: toRect(word.bbox),
          symbols: word.symbols.map((s) => ({ text: s.text, confidence: s.confidence / 100, box: toRect(s.bbox) })),
        }));
        for (const word of words) {
          confidenceSum += word.confidence;
          wordCount += 1;
        }
        lines.push({ text: line.text.trim(), confidence: line.confidence / 100, box: toRect(line.bbox), words });
      }
    }
  }
  return { text: page.text, confidence: wordCount === 0 ? 0 : confidenceSum / wordCount, lines, durationMs };
}

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScanColorMode, ScanProblem, ScanSource } from './driver.ts';

/**
 * The SANE transport: runs `scanimage` (Debian `sane-utils`) without a shell, reads the pages
 * it writes, and turns its exit status and messages into a closed set of outcomes.
 *
 * scanimage exits with the SANE_Status of the failing call (SANE standard §4.2.4:
 * 1 UNSUPPORTED, 2 CANCELLED, 3 DEVICE_BUSY, 4 INVAL, 6 JAMMED, 7 NO_DOCS, 8 COVER_OPEN,
 * 9 IO_ERROR, 10 NO_MEM, 11 ACCESS_DENIED) and prints `scanimage: sane_xxx: <message>`.
 * Opening an unknown or unplugged device exits 1 with `open of device X failed`.
 * In batch mode it prints `Scanned page N. (scanner status = S)` after each page, where
 * S = 5 (SANE_STATUS_EOF) means the page is complete; a failed page's file is removed.
 */

export interface ScanimageOptions {
  device: string;
  resolutionDpi: number;
  /** The SANE `--mode` value, e.g. `Color`, `Gray`, `Lineart` (backend-specific spelling). */
  mode: string;
  pages: number;
  /** The SANE `--source` value, when one must be set. */
  source?: string;
}

export type ScanimageOutcome =
  | { kind: 'done'; files: Buffer[]; problem: ScanProblem | undefined }
  | { kind: 'modeRejected' }
  | { kind: 'canceled' };

/** SANE's own spellings of the colour modes, tried in order (backends differ: `Lineart` vs `Binary`). */
export const SANE_MODES: Readonly<Record<ScanColorMode, readonly string[]>> = {
  color: ['Color'],
  gray: ['Gray'],
  lineart: ['Lineart', 'Binary', 'Gray'],
};

/** Common SANE `--source` spellings for the feeder. */
export const SANE_SOURCES: Readonly<Record<ScanSource, string>> = {
  flatbed: 'Flatbed',
  adf: 'Automatic Document Feeder',
};

/** The argument vector (no shell: nothing here is ever interpreted). */
export function buildScanimageArgs(options: ScanimageOptions, batchPattern: string): string[] {
  const args = [
    `--device-name=${options.device}`,
    '--format=png',
    `--resolution=${Math.round(options.resolutionDpi)}`,
    `--mode=${options.mode}`,
    `--batch=${batchPattern}`,
    `--batch-count=${options.pages}`,
  ];
  if (options.source !== undefined) args.push(`--source=${options.source}`);
  return args;
}

const MESSAGE_PROBLEMS: readonly [RegExp, ScanProblem][] = [
  [/open of device .* failed|no SANE devices found|Error during device I\/O.*open/i, 'noDevice'],
  [/Device busy/i, 'busy'],
  [/feeder jammed|jammed/i, 'jammed'],
  [/out of documents|no documents/i, 'noDocuments'],
  [/cover is open/i, 'coverOpen'],
  [/Error during device I\/O/i, 'ioError'],
  [/Access to resource has been denied/i, 'accessDenied'],
  [/Out of memory/i, 'noMemory'],
  [/Operation not supported/i, 'unsupported'],
  [/Invalid argument/i, 'invalid'],
];

const EXIT_PROBLEMS: Readonly<Record<number, ScanProblem>> = {
  1: 'unsupported',
  3: 'busy',
  4: 'invalid',
  6: 'jammed',
  7: 'noDocuments',
  8: 'coverOpen',
  9: 'ioError',
  10: 'noMemory',
  11: 'accessDenied',
};

/** Status 2 (CANCELLED) is not a problem but a cancel; see classifyScanimage. */
export function problemFromMessages(stderr: string, exitCode: number | null): ScanProblem | 'canceled' | undefined {
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('scanimage:')) continue;
    if (/Operation was canceled/i.test(line)) return 'canceled';
    for (const [pattern, problem] of MESSAGE_PROBLEMS) if (pattern.test(line)) return problem;
  }
  if (exitCode === 0) return undefined;
  if (exitCode === 2) return 'canceled';
  if (exitCode === null) return 'ioError';
  return EXIT_PROBLEMS[exitCode] ?? 'ioError';
}

/** `setting of option --mode failed`: this backend spells the mode differently (or lacks it). */
export function modeRejected(stderr: string): boolean {
  return /setting of option --mode failed/i.test(stderr);
}

/** Page numbers scanimage reported complete, from `Scanned page N. (scanner status = 5)`. */
export function completedPages(stderr: string): number[] {
  return Array.from(stderr.matchAll(/Scanned page (\d+)\. \(scanner status = (\d+)\)/g))
    .filter((m) => m[2] === '5')
    .map((m) => Number(m[1]));
}

/** Page numbers scanimage started, from `Scanning page N`. */
export function startedPages(stderr: string): number[] {
  return Array.from(stderr.matchAll(/Scanning page (\d+)/g), (m) => Number(m[1]));
}

export interface ScanimageRunner {
  /** Runs one scan job; `onPage` gets each finished page's PNG as soon as scanimage reports it. */
  scan(options: ScanimageOptions, signal: AbortSignal, onPage: (png: Buffer, pageNumber: number) => void): Promise<ScanimageOutcome>;
  /** Opens the device and lists its options: true when the device is there. */
  probe(device: string, signal: AbortSignal): Promise<{ present: boolean; problem: ScanProblem | undefined }>;
}

/** Grace after SIGTERM (scanimage then calls sane_cancel) before SIGKILL. */
const KILL_GRACE_MS = 2000;

/**
 * scanimage has said all it will say (`Batch terminated`) but sometimes never exits: SANE's test backend
 * deadlocks in its reader thread on the way out about once in 400 runs (both threads in futex waits,
 * seen here), and a wedged USB backend can do the same. Past this grace the run is over: the process is
 * killed and judged by its messages, which name every failing call (as if it had exited 0).
 */
export const EXIT_GRACE_MS = 3000;

/** The line scanimage prints when its batch is over, whatever the outcome. */
const BATCH_OVER = /^Batch terminated/m;

/** The real runner: `scanimage` on PATH (or `command`). */
export class ScanimageProcess implements ScanimageRunner {
  readonly #command: string;
  readonly #extraArgs: readonly string[];

  /** `extraArgs`: backend options appended to every scan (e.g. the test backend's `--test-picture=Grid`). */
  constructor(command = 'scanimage', extraArgs: readonly string[] = []) {
    this.#command = command;
    this.#extraArgs = extraArgs;
  }

  async scan(options: ScanimageOptions, signal: AbortSignal, onPage: (png: Buffer, pageNumber: number) => void): Promise<ScanimageOutcome> {
    const dir = await mkdtemp(join(tmpdir(), 'onevisit-scan-'));
    try {
      const pattern = join(dir, 'page-%d.png');
      const delivered = new Set<number>();
      const files: Buffer[] = [];
      let pending = Promise.resolve();
      const deliver = (pageNumber: number): void => {
        if (delivered.has(pageNumber)) return;
        delivered.add(pageNumber);
        // Read pages in order, one after another, as they are reported.
        pending = pending.then(async () => {
          try {
            const png = await readFile(join(dir, `page-${pageNumber}.png`));
            files.push(png);
            onPage(png, pageNumber);
          } catch {
            // A page scanimage reported but removed (failed mid-page) is simply not delivered.
          }
        });
      };
      // scanimage reports a page before it has renamed the page's file into place, so a page
      // is read once the next page has started, or the program has ended.
      const run = await this.#run([...buildScanimageArgs(options, pattern), ...this.#extraArgs], signal, (stderrSoFar) => {
        const started = startedPages(stderrSoFar);
        for (const n of completedPages(stderrSoFar)) if (started.some((m) => m > n)) deliver(n);
      });
      for (const n of completedPages(run.stderr)) deliver(n);
      await pending;
      if (run.aborted) return { kind: 'canceled' };
      if (modeRejected(run.stderr)) return { kind: 'modeRejected' };
      const problem = problemFromMessages(run.stderr, run.exitCode);
      if (problem === 'canceled') return { kind: 'canceled' };
      return { kind: 'done', files, problem };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async probe(device: string, signal: AbortSignal): Promise<{ present: boolean; problem: ScanProblem | undefined }> {
    const run = await this.#run([`--device-name=${device}`, '--all-options'], signal, () => undefined);
    if (run.aborted) return { present: false, problem: undefined };
    const problem = problemFromMessages(run.stderr, run.exitCode);
    if (run.exitCode === 0) return { present: true, problem: undefined };
    return { present: problem !== 'noDevice', problem: problem === 'canceled' ? undefined : problem };
  }

  #run(args: string[], signal: AbortSignal, onStderr: (stderrSoFar: string) => void): Promise<{ exitCode: number | null; stderr: string; aborted: boolean }> {
    return new Promise((resolve) => {
      let stderr = '';
      let aborted = false;
      let killTimer: NodeJS.Timeout | undefined;
      let exitTimer: NodeJS.Timeout | undefined;
      let hungAfterBatch = false;
      const child = spawn(this.#command, args, { stdio: ['ignore', 'ignore', 'pipe'], shell: false });
      const onAbort = (): void => {
        aborted = true;
        child.kill('SIGTERM');
        killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        // Bounded: scanimage's messages are short; a runaway backend must not fill memory.
        if (stderr.length < 64 * 1024) stderr += chunk;
        onStderr(stderr);
        if (exitTimer === undefined && BATCH_OVER.test(stderr)) {
          exitTimer = setTimeout(() => {
            hungAfterBatch = true;
            child.kill('SIGKILL');
          }, EXIT_GRACE_MS);
        }
      });
      const finish = (exitCode: number | null): void => {
        signal.removeEventListener('abort', onAbort);
        if (killTimer) clearTimeout(killTimer);
        if (exitTimer) clearTimeout(exitTimer);
        resolve({ exitCode: hungAfterBatch ? 0 : exitCode, stderr, aborted });
      };
      child.on('error', (error: NodeJS.ErrnoException) => {
        // ENOENT: sane-utils is not installed. Reported like an absent device.
        stderr += `scanimage: open of device failed: ${error.code ?? error.message}\n`;
        finish(127);
      });
      child.on('close', (code) => finish(code));
    });
  }
}

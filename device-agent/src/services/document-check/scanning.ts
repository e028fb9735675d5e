import path from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import type { ScannerSpec } from '../../config.ts';
import { createScanner } from '../../devices/scanner/index.ts';
import type { Scanner, ScannedPage } from '../../devices/scanner/driver.ts';
import { ScanStore } from '../../devices/scanner/scan-store.ts';
import type { ScannerSimulator } from '../../devices/scanner/simulator.ts';
import { OcrPool } from '../../ocr/pool.ts';
import { OcrService, type OcrPage } from '../../ocr/service.ts';
import type { OcrWorkerLanguage } from '../../ocr/types.ts';

/**
 * What Scanner.* and Ocr.* handlers use: the scanner (also listed among the devices for
 * Common.Status), the in-memory store of scans, and OCR over a warm worker pool.
 */
export interface ScanningServices {
  readonly scanner: Scanner;
  /** Set when the scanner is the simulator (`--scanner sim`), for Dev.* and Scanner.PlaceSampleDocument. */
  readonly simulator: ScannerSimulator | undefined;
  readonly scans: ScanStore;
  readonly ocrPool: OcrPool;
  readonly ocr: OcrService;
  /** A stored page decoded for OCR; undefined when the scan or page does not exist. */
  page(scanId: string, index: number): Promise<OcrPage | undefined>;
  /** Starts the OCR workers (warm at boot). The scanner is started with the other devices. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface ScanningDeps {
  clock: Clock;
  log: Logger;
  /** The agent's data folder; OCR language data is assembled in `<dataDir>/ocr`. Absent: the OS temp folder. */
  dataDir?: string;
  /** Warm OCR workers per language (default 1 chi_sim + 1 eng). */
  ocrWorkers?: Partial<Record<OcrWorkerLanguage, number>>;
}

export function createScanningServices(spec: ScannerSpec, deps: ScanningDeps): ScanningServices {
  const built = createScanner(spec, deps);
  const scans = new ScanStore({ clock: deps.clock });
  const ocrPool = new OcrPool({
    log: deps.log.child({ service: 'ocr' }),
    ...(deps.dataDir === undefined ? {} : { dataDir: path.join(deps.dataDir, 'ocr') }),
    ...(deps.ocrWorkers === undefined ? {} : { workers: deps.ocrWorkers }),
  });
  const ocr = new OcrService(ocrPool);
  return {
    scanner: built.scanner,
    simulator: built.simulator,
    scans,
    ocrPool,
    ocr,
    async page(scanId, index) {
      const page: ScannedPage | undefined = scans.get(scanId)?.pages[index];
      return page ? OcrService.page(page.png, page.resolutionDpi) : undefined;
    },
    start: () => ocrPool.start(),
    async stop() {
      scans.clear();
      await ocrPool.stop();
    },
  };
}

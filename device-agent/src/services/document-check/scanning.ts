import path from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import { SCAN_PREVIEW_MAX_SIDE_PX, type ScannedPageMessage } from '@onevisit/protocol';
import type { Scanner, ScannedPage, ScanRequest, ScanResult } from '../../devices/scanner/driver.ts';
import { ScanStore } from '../../devices/scanner/scan-store.ts';
import type { ScannerSimulator } from '../../devices/scanner/simulator.ts';
import { decodeImage, makePreview } from '../../ocr/image.ts';
import { OcrPool } from '../../ocr/pool.ts';
import { OcrService, type OcrPage } from '../../ocr/service.ts';
import type { OcrWorkerLanguage } from '../../ocr/types.ts';

/**
 * A scan as the citizen sees it: kept in memory (`scanId`) with a small preview per page, or
 * why not. `unreadableImage`: the scanner returned a page that is not an image we can decode.
 */
export type ScanOutcome =
  | { kind: 'scanned'; scanId: string; pages: ScannedPageMessage[] }
  | Exclude<ScanResult, { kind: 'scanned' }>
  | { kind: 'unreadableImage' };

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
  /** Scans, keeps the pages in the scan store and answers with a preview of each (JPEG or PNG). */
  scan(
    request: ScanRequest,
    options: { format: 'jpeg' | 'png'; signal: AbortSignal; onPage?: (page: ScannedPage) => void },
  ): Promise<ScanOutcome>;
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

/** The scanner device (devices/registry.ts builds it) with the scan store and OCR on top. */
export function createScanningServices(built: { scanner: Scanner; simulator: ScannerSimulator | undefined }, deps: ScanningDeps): ScanningServices {
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
    async scan(request, options) {
      const result = await built.scanner.scan(request, { signal: options.signal, ...(options.onPage ? { onPage: options.onPage } : {}) });
      if (result.kind !== 'scanned') return result;
      const previews: ScannedPageMessage[] = [];
      for (const page of result.pages) {
        const preview = await previewOf(page, options.format);
        if (!preview) return { kind: 'unreadableImage' };
        previews.push(preview);
      }
      const stored = scans.put(result.pages);
      return { kind: 'scanned', scanId: stored.scanId, pages: previews };
    },
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

async function previewOf(page: ScannedPage, format: 'jpeg' | 'png'): Promise<ScannedPageMessage | undefined> {
  const image = await decodeImage(page.png);
  if (!image) return undefined;
  const preview = await makePreview(image, { maxSidePx: SCAN_PREVIEW_MAX_SIDE_PX, format });
  return {
    index: page.index,
    mimeType: preview.mimeType,
    width: page.width,
    height: page.height,
    previewWidth: preview.width,
    previewHeight: preview.height,
    resolutionDpi: page.resolutionDpi,
    dataBase64: preview.data.toString('base64'),
  };
}

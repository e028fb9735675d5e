import type { Device } from '../device.ts';

export const SCAN_COLOR_MODES = ['color', 'gray', 'lineart'] as const;
export type ScanColorMode = (typeof SCAN_COLOR_MODES)[number];
export const SCAN_SOURCES = ['flatbed', 'adf'] as const;
export type ScanSource = (typeof SCAN_SOURCES)[number];

export interface ScanRequest {
  resolutionDpi: number;
  colorMode: ScanColorMode;
  /** Pages to scan: from the feeder in one go (`adf`), or the flatbed scanned this many times. */
  pages: number;
  /** Absent: the device's default source. */
  source?: ScanSource;
}

/** One scanned page at full resolution, as PNG (lossless, what OCR reads). */
export interface ScannedPage {
  index: number;
  png: Buffer;
  width: number;
  height: number;
  resolutionDpi: number;
}

/**
 * Why a scan did not complete: a closed set, derived from SANE's status codes
 * (SANE standard 1.0, §4.2.4 "SANE_Status") and mapped to device reasons and completion codes.
 */
export const SCAN_PROBLEMS = [
  'noDevice',
  'busy',
  'jammed',
  'noDocuments',
  'coverOpen',
  'ioError',
  'accessDenied',
  'noMemory',
  'unsupported',
  'invalid',
  'badOutput',
] as const;
export type ScanProblem = (typeof SCAN_PROBLEMS)[number];

export type ScanResult =
  | { kind: 'scanned'; pages: ScannedPage[] }
  /** Nothing or only some pages; `pages` holds those that were scanned before the problem. */
  | { kind: 'failed'; problem: ScanProblem; pages: ScannedPage[] }
  | { kind: 'canceled' }
  /** Another scan is running: one job at a time. */
  | { kind: 'busy' }
  | { kind: 'deviceNotReady' };

export interface Scanner extends Device {
  readonly id: 'scanner';
  /**
   * Scans; calls `onPage` as each page arrives. Aborting the signal stops the scanner
   * (the `scanimage` child is killed) and answers `canceled`.
   */
  scan(request: ScanRequest, options: { signal: AbortSignal; onPage?: (page: ScannedPage) => void }): Promise<ScanResult>;
}

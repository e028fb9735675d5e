import { randomUUID } from 'node:crypto';
import type { Clock } from '../../clock.ts';
import type { ScannedPage } from './driver.ts';

export interface StoredScan {
  scanId: string;
  pages: ScannedPage[];
  createdMs: number;
}

export interface ScanStoreOptions {
  clock: Clock;
  /** A scan is forgotten after this long (default 15 min: longer than any session). */
  maxAgeMs?: number;
  /** At most this many scans are kept; the oldest goes first (default 8). */
  maxScans?: number;
}

/**
 * Full-resolution scans kept in agent memory (never on disk: they show personal data),
 * referred to by an unguessable id so the UI gets only previews and OCR can still read
 * the full page. Bounded in number and age; `clear()` on session end.
 */
export class ScanStore {
  readonly #clock: Clock;
  readonly #maxAgeMs: number;
  readonly #maxScans: number;
  readonly #scans = new Map<string, StoredScan>();

  constructor(options: ScanStoreOptions) {
    this.#clock = options.clock;
    this.#maxAgeMs = options.maxAgeMs ?? 15 * 60_000;
    this.#maxScans = options.maxScans ?? 8;
  }

  put(pages: ScannedPage[]): StoredScan {
    this.#prune();
    while (this.#scans.size >= this.#maxScans) {
      const oldest = this.#scans.keys().next();
      if (oldest.done === true) break;
      this.#scans.delete(oldest.value);
    }
    const scan: StoredScan = { scanId: randomUUID(), pages, createdMs: this.#clock.now() };
    this.#scans.set(scan.scanId, scan);
    return scan;
  }

  get(scanId: string): StoredScan | undefined {
    this.#prune();
    return this.#scans.get(scanId);
  }

  delete(scanId: string): boolean {
    return this.#scans.delete(scanId);
  }

  clear(): void {
    this.#scans.clear();
  }

  get size(): number {
    this.#prune();
    return this.#scans.size;
  }

  #prune(): void {
    const now = this.#clock.now();
    for (const [id, scan] of this.#scans) if (now - scan.createdMs > this.#maxAgeMs) this.#scans.delete(id);
  }
}

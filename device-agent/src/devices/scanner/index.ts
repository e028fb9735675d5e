import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import type { ScannerSpec } from '../../config.ts';
import type { Scanner } from './driver.ts';
import { SaneScanner } from './sane-scanner.ts';
import { ScannerSimulator } from './simulator.ts';

export type ScannerDeps = { clock: Clock; log: Logger };

/** What the factory built: the scanner, and the simulator behind it when it is one (for Dev.* commands). */
export type ScannerBuild = { scanner: Scanner; simulator: ScannerSimulator | undefined };

/**
 * Builds the scanner the configuration names (`--scanner sim | sane:DEVICE`).
 * `sane:test` drives SANE's own test backend (Debian sane-utils), which the tests use.
 */
export function createScanner(spec: ScannerSpec, deps: ScannerDeps): ScannerBuild {
  switch (spec.kind) {
    case 'sim': {
      const simulator = new ScannerSimulator({ clock: deps.clock, pageDelayMs: 300 });
      return { scanner: simulator, simulator };
    }
    case 'sane':
      return { scanner: new SaneScanner({ device: spec.device, clock: deps.clock, log: deps.log.child({ device: 'scanner' }) }), simulator: undefined };
    default: {
      const unreachable: never = spec;
      return unreachable;
    }
  }
}

export type { Scanner, ScanRequest, ScanResult, ScannedPage, ScanProblem, ScanColorMode, ScanSource } from './driver.ts';
export { ScannerSimulator } from './simulator.ts';
export { SaneScanner } from './sane-scanner.ts';
export { ScanStore } from './scan-store.ts';

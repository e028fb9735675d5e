import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Clock } from '../../clock.ts';
import { CliCupsClient } from './cups-client.ts';
import { CupsPrinter } from './cups-driver.ts';
import type { A4Printer } from './driver.ts';
import { SimulatedA4Printer } from './simulator.ts';

/** Mirrors PrinterSpec in config.ts (`--printer sim | cups:QUEUE`); `server` = CUPS_SERVER (default: the environment's). */
export type A4PrinterTarget = { kind: 'sim' } | { kind: 'cups'; queue: string; server?: string };

/** What the factory built: the printer, and the simulator behind it when it is one (for Dev.* commands). */
export type A4PrinterBuild = { printer: A4Printer; simulator: SimulatedA4Printer | undefined };

/**
 * The simulator's "paper": what a real printer hands to the citizen. It holds personal data in clear,
 * so it must never land in the data folder (whose contents are checked for personal data, issue 5):
 * it goes to the OS temp folder, one folder per agent process.
 */
export function simulatedPaperDir(): string {
  return path.join(tmpdir(), 'onevisit-sim-paper', String(process.pid));
}

/** Builds the A4 printer `--printer` names; the simulator spools into `simulatedPaperDir()`. */
export function createA4Printer(target: A4PrinterTarget, deps: { clock: Clock; dataDir: string; spoolDir?: string }): A4PrinterBuild {
  switch (target.kind) {
    case 'sim': {
      const simulator = new SimulatedA4Printer({ spoolDir: deps.spoolDir ?? simulatedPaperDir(), clock: deps.clock });
      return { printer: simulator, simulator };
    }
    case 'cups':
      return {
        printer: new CupsPrinter({
          queue: target.queue,
          client: new CliCupsClient(target.server === undefined ? {} : { server: target.server }),
          clock: deps.clock,
        }),
        simulator: undefined,
      };
    default: {
      const unreachable: never = target;
      return unreachable;
    }
  }
}

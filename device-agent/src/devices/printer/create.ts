import path from 'node:path';
import type { Clock } from '../../clock.ts';
import { CliCupsClient } from './cups-client.ts';
import { CupsPrinter } from './cups-driver.ts';
import type { A4Printer } from './driver.ts';
import { SimulatedA4Printer } from './simulator.ts';

/** Mirrors PrinterSpec in config.ts (`--printer sim | cups:QUEUE`). */
export type A4PrinterTarget = { kind: 'sim' } | { kind: 'cups'; queue: string; server?: string };

export function createA4Printer(target: A4PrinterTarget, options: { clock: Clock; dataDir: string }): A4Printer {
  switch (target.kind) {
    case 'sim':
      return new SimulatedA4Printer({ spoolDir: path.join(options.dataDir, 'print-spool'), clock: options.clock });
    case 'cups':
      return new CupsPrinter({
        queue: target.queue,
        client: new CliCupsClient(target.server === undefined ? {} : { server: target.server }),
        clock: options.clock,
      });
    default: {
      const unreachable: never = target;
      return unreachable;
    }
  }
}

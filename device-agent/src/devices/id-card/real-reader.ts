import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import { Gat467Reader } from './gat467-reader.ts';
import type { OpenResult } from './transport.ts';

/** The real-reader settings of `--idcard serial:PATH` (+ `--idcard-baud`) and `--idcard hid:VID:PID`. */
export type RealIdCardSpec =
  | { kind: 'serial'; path: string; baudRate: number }
  | { kind: 'hid'; vendorId: number; productId: number };

export interface RealIdCardDeps {
  clock: Clock;
  log: Pick<Logger, 'info' | 'warn'>;
  /** Poll rate for find-card; default 300 ms. */
  pollIntervalMs?: number;
}

/**
 * The GA/T 467 driver over the transport the spec names. The native libraries (serialport,
 * node-hid) are imported only when the reader is opened, so an agent on simulators never loads
 * them, and one whose library fails to load reports the reader offline (notConfigured).
 */
export function createRealIdCardReader(spec: RealIdCardSpec, deps: RealIdCardDeps): Gat467Reader {
  const open = async (): Promise<OpenResult> => {
    if (spec.kind === 'serial') {
      let serial: typeof import('./serial-transport.ts');
      try {
        serial = await import('./serial-transport.ts');
      } catch {
        return { ok: false, problem: 'libraryUnavailable' };
      }
      return serial.openSerialTransport({ path: spec.path, baudRate: spec.baudRate });
    }
    const hid = await import('./hid-transport.ts');
    return hid.openHidTransport({ vendorId: spec.vendorId, productId: spec.productId });
  };
  return new Gat467Reader({
    driver: spec.kind,
    open,
    now: () => deps.clock.now(),
    logger: deps.log,
    ...(deps.pollIntervalMs === undefined ? {} : { pollIntervalMs: deps.pollIntervalMs }),
  });
}

import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import { Gat467Reader } from './gat467-reader.ts';
import { hidTransport } from '../transport/hid.ts';
import { serialTransport } from '../transport/serial.ts';

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
 * node-hid) are imported only when the reader is opened (devices/transport loads them lazily),
 * so an agent on simulators never loads them, and one whose library fails to load reports the
 * reader offline (notConfigured).
 */
export function createRealIdCardReader(spec: RealIdCardSpec, deps: RealIdCardDeps): Gat467Reader {
  // GA/T 467 readers talk 8N1 over their USB-serial bridge (the baud rate is configured).
  const transport =
    spec.kind === 'serial'
      ? serialTransport({ path: spec.path, baudRate: spec.baudRate })
      : hidTransport({ vendorId: spec.vendorId, productId: spec.productId });
  return new Gat467Reader({
    transport,
    now: () => deps.clock.now(),
    logger: deps.log,
    ...(deps.pollIntervalMs === undefined ? {} : { pollIntervalMs: deps.pollIntervalMs }),
  });
}

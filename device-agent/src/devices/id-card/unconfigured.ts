import type { Clock } from '../../clock.ts';
import { defaultAttention, type DeviceStatus } from '../../protocol/index.ts';
import type { Unsubscribe } from '../device.ts';
import type { CardReadResult, IdCardReader } from './driver.ts';

/**
 * Stands in for a configured reader whose driver is not available: it reports
 * `offline` with reason `notConfigured` and answers every read with deviceNotReady,
 * so the kiosk shows the service as unavailable instead of crashing.
 */
export class UnconfiguredIdCardReader implements IdCardReader {
  readonly id = 'idCard' as const;
  readonly #status: DeviceStatus;

  constructor(driver: string, clock: Clock) {
    this.#status = {
      device: 'idCard',
      state: 'offline',
      attention: defaultAttention('offline', 'notConfigured'),
      reason: 'notConfigured',
      driver,
      since: new Date(clock.now()).toISOString(),
    };
  }

  status(): DeviceStatus {
    return this.#status;
  }
  onStatus(): Unsubscribe {
    return () => undefined;
  }
  onCard(): Unsubscribe {
    return () => undefined;
  }
  start(): Promise<void> {
    return Promise.resolve();
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
  readCard(): Promise<CardReadResult> {
    return Promise.resolve({ kind: 'deviceNotReady' });
  }
}

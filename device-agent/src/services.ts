import type { Logger } from 'pino';
import type { Clock } from './clock.ts';
import type { IdCardReader } from './devices/id-card/driver.ts';
import type { Device } from './devices/device.ts';
import type { DeviceId } from './protocol/index.ts';

/**
 * Everything a handler may use, built once at boot by `createAgent` (app.ts).
 * Later issues add their services here (forms, outbox, booking, printers, …).
 */
export interface AgentServices {
  readonly clock: Clock;
  readonly log: Logger;
  readonly terminalId: string;
  readonly dev: boolean;
  readonly idleTimeoutMs: number;
  readonly idleCountdownMs: number;
  readonly devices: {
    readonly idCard: IdCardReader;
    /** Every device, for Common.Status. */
    all(): readonly Device[];
    get(id: DeviceId): Device | undefined;
  };
}

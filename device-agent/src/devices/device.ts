import type { DeviceId, DeviceStatus } from '@onevisit/protocol';

/** A listener registration; call it to stop listening. */
export type Unsubscribe = () => void;

/**
 * What every device driver and simulator shares: a status that it pushes on change
 * (DESIGN.md: status is pushed, never polled by the UI), and a life cycle.
 */
export interface Device {
  readonly id: DeviceId;
  status(): DeviceStatus;
  onStatus(listener: (status: DeviceStatus) => void): Unsubscribe;
  /** Opens the transport and starts polling. Never throws for an absent device: it reports `offline`. */
  start(): Promise<void>;
  /** Stops polling and closes the transport. */
  stop(): Promise<void>;
}

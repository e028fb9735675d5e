import type { DevDeviceState, DeviceId } from '@onevisit/protocol';

/**
 * What the dev dock (Dev.SetDeviceState) can do with a simulator. Every device's
 * simulator implements it; real drivers do not, so the dock cannot touch hardware.
 */
export interface SimulatedDevice {
  readonly id: DeviceId;
  /** Puts the simulator into `state`; `false` when this device has no such state (e.g. paperOut on a card reader). */
  setSimulatedState(state: DevDeviceState): boolean;
}

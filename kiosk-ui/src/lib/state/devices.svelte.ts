import type { DeviceId, DeviceStatus } from '@onevisit/protocol';

/** Device status as pushed by the agent (never polled). */
export class DevicesState {
  byId = $state.raw<Partial<Record<DeviceId, DeviceStatus>>>({});

  replaceAll(statuses: readonly DeviceStatus[]): void {
    const next: Partial<Record<DeviceId, DeviceStatus>> = {};
    for (const status of statuses) next[status.device] = status;
    this.byId = next;
  }

  update(status: DeviceStatus): void {
    this.byId = { ...this.byId, [status.device]: status };
  }

  /** Unknown counts as usable: the command itself will say deviceNotReady if it is not. */
  usable(id: DeviceId): boolean {
    const status = this.byId[id];
    return status === undefined || status.state === 'online' || status.state === 'busy';
  }
}

import { defaultAttention, type DeviceReason, type DeviceState, type DeviceStatus } from '@onevisit/protocol';
import type { Clock } from '../../clock.ts';
import type { Unsubscribe } from '../device.ts';
import type { ScanProblem } from './driver.ts';

/** Holds a scanner's status and pushes each change to listeners. */
export class ScannerStatus {
  readonly #clock: Clock;
  readonly #driver: string;
  #state: DeviceState = 'offline';
  #reason: DeviceReason = 'notConfigured';
  #since: number;
  readonly #listeners = new Set<(status: DeviceStatus) => void>();

  constructor(clock: Clock, driver: string) {
    this.#clock = clock;
    this.#driver = driver;
    this.#since = clock.now();
  }

  get state(): DeviceState {
    return this.#state;
  }

  current(): DeviceStatus {
    return {
      device: 'scanner',
      state: this.#state,
      attention: defaultAttention(this.#state, this.#reason),
      reason: this.#reason,
      driver: this.#driver,
      since: new Date(this.#since).toISOString(),
    };
  }

  on(listener: (status: DeviceStatus) => void): Unsubscribe {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  set(state: DeviceState, reason: DeviceReason): void {
    if (state === this.#state && reason === this.#reason) return;
    this.#state = state;
    this.#reason = reason;
    this.#since = this.#clock.now();
    const status = this.current();
    for (const listener of this.#listeners) listener(status);
  }
}

/** What a scan problem says about the device (the scan's own answer is separate). */
export function statusAfterProblem(problem: ScanProblem): { state: DeviceState; reason: DeviceReason } {
  switch (problem) {
    case 'noDevice':
      return { state: 'offline', reason: 'disconnected' };
    case 'jammed':
      return { state: 'fault', reason: 'paperJam' };
    case 'coverOpen':
      return { state: 'fault', reason: 'coverOpen' };
    case 'ioError':
    case 'noMemory':
    case 'accessDenied':
      return { state: 'fault', reason: 'hardwareFault' };
    case 'busy':
    case 'noDocuments':
    case 'unsupported':
    case 'invalid':
    case 'badOutput':
      // The device itself is fine: another program had it, no paper was placed, or we asked badly.
      return { state: 'online', reason: 'ok' };
    default: {
      const unreachable: never = problem;
      return unreachable;
    }
  }
}

import { defaultAttention, type DevDeviceState, type DeviceReason, type DeviceState, type DeviceStatus } from '@onevisit/protocol';
import type { Clock } from '../../clock.ts';
import type { Unsubscribe } from '../device.ts';
import { Listeners } from '../listeners.ts';
import { type CabinetDriver, type CabinetProtocol, type CompartmentReading, type LockAddress, type ReadResult, type UnlockResult } from './driver.ts';
import { CabinetModel } from './model.ts';
import type { SimulatedDevice } from '../simulated.ts';

/**
 * A simulated cabinet implementing the driver interface directly on a CabinetModel: no bytes,
 * no polling. Readings change the moment the model does (a person closes a door, takes an item).
 * `protocol: 'lock8a'` hides presence (`unknown`), as those boards have no sensor.
 * Faults: `model.failLock`, `model.silence(board)`, or `setOffline()` for the whole bus.
 */
export class CabinetSimulator implements CabinetDriver, SimulatedDevice {
  readonly id = 'dispenser' as const;
  readonly protocol: CabinetProtocol;
  readonly model: CabinetModel;
  readonly #clock: Clock;
  readonly #statusListeners = new Listeners<DeviceStatus>();
  readonly #readings = new Listeners<CompartmentReading>();
  #status: DeviceStatus;
  #started = false;
  #offline = false;
  #unsubscribe: Unsubscribe | undefined;

  constructor(options: { locks: readonly LockAddress[]; protocol?: CabinetProtocol; clock: Clock; model?: CabinetModel }) {
    this.protocol = options.protocol ?? 'cu16';
    this.model = options.model ?? new CabinetModel(options.locks);
    this.#clock = options.clock;
    this.#status = this.#make('offline', 'disconnected');
  }

  status(): DeviceStatus {
    return this.#status;
  }

  onStatus(listener: (status: DeviceStatus) => void): Unsubscribe {
    return this.#statusListeners.add(listener);
  }

  onReading(listener: (reading: CompartmentReading) => void): Unsubscribe {
    return this.#readings.add(listener);
  }

  watch(): Unsubscribe {
    // Readings are pushed on every change: nothing to poll.
    return () => undefined;
  }

  start(): Promise<void> {
    if (this.#started) return Promise.resolve();
    this.#started = true;
    this.#unsubscribe = this.model.onChange((address) => {
      if (this.#reachable(address.board)) this.#readings.emit(this.#reading(address));
    });
    this.#refreshStatus();
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.#started = false;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#set('offline', 'disconnected');
    return Promise.resolve();
  }

  /** The whole bus goes silent (adapter unplugged) or comes back. */
  setOffline(offline: boolean): void {
    this.#offline = offline;
    this.#refreshStatus();
  }

  /** Dev.SetDeviceState: the whole bus online or offline; the cabinet has no paper states. */
  setSimulatedState(state: DevDeviceState): boolean {
    switch (state) {
      case 'online':
        this.setOffline(false);
        return true;
      case 'offline':
        this.setOffline(true);
        return true;
      case 'fault':
      case 'paperLow':
      case 'paperOut':
      case 'coverOpen':
      case 'paperJam':
        return false;
      default: {
        const unreachable: never = state;
        return unreachable;
      }
    }
  }

  /** A board goes silent or answers again (updates the status at once, as a poll would). */
  silenceBoard(board: number, silent = true): void {
    this.model.silence(board, silent);
    this.#refreshStatus();
  }

  unlock(address: LockAddress): Promise<UnlockResult> {
    if (!this.#reachable(address.board)) return Promise.resolve({ kind: 'offline' });
    const opened = this.model.unlock(address);
    const reading = this.#reading(address);
    return Promise.resolve(opened ? { kind: 'unlocked', reading } : { kind: 'lockFailed', reading });
  }

  read(address: LockAddress): Promise<ReadResult> {
    if (!this.#reachable(address.board)) return Promise.resolve({ kind: 'offline' });
    return Promise.resolve({ kind: 'ok', reading: this.#reading(address) });
  }

  #reachable(board: number): boolean {
    return this.#started && !this.#offline && !this.model.isSilent(board);
  }

  #reading(address: LockAddress): CompartmentReading {
    const presence = this.protocol === 'lock8a' ? 'unknown' : this.model.hasItem(address) ? 'present' : 'empty';
    return { board: address.board, lock: address.lock, door: this.model.door(address), presence };
  }

  #refreshStatus(): void {
    if (!this.#started) return;
    if (this.#offline) this.#set('offline', 'simulatedOffline');
    else if (this.model.boards.some((b) => this.model.isSilent(b))) this.#set('offline', 'noResponse');
    else this.#set('online', 'ok');
  }

  #make(state: DeviceState, reason: DeviceReason): DeviceStatus {
    return { device: 'dispenser', state, attention: defaultAttention(state, reason), reason, driver: 'sim', since: new Date(this.#clock.now()).toISOString() };
  }

  #set(state: DeviceState, reason: DeviceReason): void {
    if (this.#status.state === state && this.#status.reason === reason) return;
    this.#status = this.#make(state, reason);
    this.#statusListeners.emit(this.#status);
  }
}

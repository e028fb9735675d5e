import type { Clock } from '../../clock.ts';
import { defaultAttention, type DevDeviceState, type DeviceReason, type DeviceStatus, type Identity } from '@onevisit/protocol';
import type { Unsubscribe } from '../device.ts';
import type { SimulatedDevice } from '../simulated.ts';
import type { CardEvent, CardReadResult, IdCardReader, ReadStage } from './driver.ts';

export type IdCardSimulatorOptions = {
  clock: Clock;
  /** Time a read takes once the card is found; 0 (default) reads at once. Removing the card meanwhile fails the read. */
  readDelayMs?: number;
};

type SimState = 'online' | 'offline' | 'fault';

/**
 * A simulated GA/T 467 reader. Like the real thing it reads a card once per placement:
 * the card must be lifted and placed again before it is read again.
 * Nothing here is shared between instances: one fresh simulator per test.
 */
export class IdCardSimulator implements IdCardReader, SimulatedDevice {
  readonly id = 'idCard' as const;
  readonly #clock: Clock;
  readonly #readDelayMs: number;
  #state: SimState = 'offline';
  #reason: DeviceReason = 'disconnected';
  #since: number;
  #card: { identity: Identity; read: boolean } | undefined;
  readonly #statusListeners = new Set<(status: DeviceStatus) => void>();
  readonly #cardListeners = new Set<(event: CardEvent) => void>();
  /** Woken on any change (card, state) so waiting reads look again. */
  readonly #waiters = new Set<() => void>();

  constructor(options: IdCardSimulatorOptions) {
    this.#clock = options.clock;
    this.#readDelayMs = options.readDelayMs ?? 0;
    this.#since = this.#clock.now();
  }

  status(): DeviceStatus {
    return {
      device: 'idCard',
      state: this.#state,
      attention: defaultAttention(this.#state, this.#reason),
      reason: this.#reason,
      driver: 'sim',
      since: new Date(this.#since).toISOString(),
    };
  }

  onStatus(listener: (status: DeviceStatus) => void): Unsubscribe {
    this.#statusListeners.add(listener);
    return () => this.#statusListeners.delete(listener);
  }

  onCard(listener: (event: CardEvent) => void): Unsubscribe {
    this.#cardListeners.add(listener);
    return () => this.#cardListeners.delete(listener);
  }

  start(): Promise<void> {
    this.#setState('online', 'ok');
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.#setState('offline', 'disconnected');
    return Promise.resolve();
  }

  /** True while a card lies on the reader (read or not). */
  get hasCard(): boolean {
    return this.#card !== undefined;
  }

  /** Places a card (replacing one that is there: lifted, then the new one placed). */
  insertCard(identity: Identity): void {
    if (this.#card) this.removeCard();
    this.#card = { identity: structuredClone(identity), read: false };
    this.#emitCard('placed');
    this.#wake();
  }

  /** Lifts the card; returns false when there was none. */
  removeCard(): boolean {
    if (!this.#card) return false;
    this.#card = undefined;
    this.#emitCard('removed');
    this.#wake();
    return true;
  }

  /** Simulates the reader going offline (unplugged), into fault (SAM error) or back online. */
  setState(state: SimState): void {
    this.#setState(state, state === 'online' ? 'ok' : state === 'offline' ? 'simulatedOffline' : 'simulatedFault');
  }

  setSimulatedState(state: DevDeviceState): boolean {
    switch (state) {
      case 'online':
      case 'offline':
      case 'fault':
        this.setState(state);
        return true;
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

  async readCard(options: { signal: AbortSignal; onStage?: (stage: ReadStage) => void }): Promise<CardReadResult> {
    const { signal, onStage } = options;
    let announced = false;
    for (;;) {
      if (signal.aborted) return { kind: 'canceled' };
      if (this.#state !== 'online') return { kind: 'deviceNotReady' };
      const card = this.#card;
      if (card && !card.read) {
        card.read = true;
        onStage?.('cardFound');
        onStage?.('reading');
        if (this.#readDelayMs > 0) {
          const finished = await this.#sleep(this.#readDelayMs, signal);
          if (!finished) return { kind: 'canceled' };
          if (this.#card !== card) return { kind: 'readFailed', reason: 'unreadable' };
          if (this.#state !== 'online') return { kind: 'deviceNotReady' };
        }
        this.#emitCard('read');
        return { kind: 'read', identity: structuredClone(card.identity) };
      }
      if (!announced) {
        announced = true;
        onStage?.('waitingForCard');
      }
      const woke = await this.#waitForChange(signal);
      if (!woke) return { kind: 'canceled' };
    }
  }

  #setState(state: SimState, reason: DeviceReason): void {
    if (state === this.#state && reason === this.#reason) return;
    this.#state = state;
    this.#reason = reason;
    this.#since = this.#clock.now();
    const status = this.status();
    for (const listener of [...this.#statusListeners]) listener(status);
    this.#wake();
  }

  #emitCard(event: CardEvent): void {
    for (const listener of [...this.#cardListeners]) listener(event);
  }

  #wake(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }

  /** Resolves true on the next change, false when the signal aborts first. */
  #waitForChange(signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const onAbort = (): void => {
        this.#waiters.delete(onChange);
        resolve(false);
      };
      const onChange = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      };
      this.#waiters.add(onChange);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  #sleep(ms: number, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

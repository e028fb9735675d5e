import type { Unsubscribe } from './device.ts';

/** A tiny listener set: devices use it for status, transports for data and close. */
export class Listeners<T> {
  readonly #set = new Set<(value: T) => void>();

  add(listener: (value: T) => void): Unsubscribe {
    this.#set.add(listener);
    return () => {
      this.#set.delete(listener);
    };
  }

  emit(value: T): void {
    // A copy: a listener may unsubscribe itself (or another) while we iterate.
    for (const listener of [...this.#set]) listener(value);
  }

  clear(): void {
    this.#set.clear();
  }
}

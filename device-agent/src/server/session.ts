import type { Session } from './handler.ts';

/** A fresh, empty session: one per connection, memory only. */
export function createSession(): Session {
  return {
    identity: undefined,
    wipe() {
      this.identity = undefined;
    },
  };
}

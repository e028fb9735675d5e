import { VisitMemory } from '../services/application/visit-memory.ts';
import type { Session } from './handler.ts';

/** A fresh, empty session: one per connection, memory only. */
export function createSession(): Session {
  return {
    identity: undefined,
    application: new VisitMemory(),
    wipe() {
      this.identity = undefined;
      this.application.wipe();
    },
  };
}

import type { AgentInfo } from '@onevisit/protocol';
import type { ConnectionPhase } from '../agent/client.ts';

/** How long the agent may be unreachable before the out-of-service screen shows (a blip is not an outage). */
export const OUT_OF_SERVICE_GRACE_MS = 3000;

/** The link to the agent as the screens see it. */
export class ConnectionState {
  phase = $state<ConnectionPhase>('connecting');
  /** What the agent said about itself at the last authentication. Not personal data. */
  agent = $state.raw<AgentInfo | undefined>(undefined);
  /** True once the agent has been unreachable for longer than the grace, or said it is shutting down. */
  outOfService = $state(false);
  readonly ready = $derived(this.phase === 'ready');

  #graceTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #graceMs: number;

  constructor(graceMs: number = OUT_OF_SERVICE_GRACE_MS) {
    this.#graceMs = graceMs;
    this.#armGrace();
  }

  setPhase(phase: ConnectionPhase): void {
    this.phase = phase;
    if (phase === 'ready') {
      clearTimeout(this.#graceTimer);
      this.#graceTimer = undefined;
      this.outOfService = false;
    } else if (!this.outOfService && this.#graceTimer === undefined) {
      this.#armGrace();
    }
  }

  /** The agent announced it is going down: no grace. */
  shutdown(): void {
    clearTimeout(this.#graceTimer);
    this.#graceTimer = undefined;
    this.outOfService = true;
  }

  #armGrace(): void {
    this.#graceTimer = setTimeout(() => {
      this.#graceTimer = undefined;
      if (this.phase !== 'ready') this.outOfService = true;
    }, this.#graceMs);
  }
}

import { parseIsoInstant, shanghaiDate } from '@onevisit/protocol';

/**
 * The agent's clock, as the UI sees it. The agent owns the time (its `--clock` sets it for demos
 * and tests; on a terminal it is the system clock the agent trusts): `Common.Authenticate` and
 * `Common.Status` carry it as `agent.time`. The UI keeps the difference between that and its own
 * clock, so "today" (date bounds such as `today-18y`, the booking calendar) is the agent's day
 * even when the browser's clock or zone says otherwise. Until the first sync the difference is 0.
 */
export class AgentClock {
  #offsetMs = 0;
  readonly #localNowMs: () => number;

  constructor(localNowMs: () => number = Date.now) {
    this.#localNowMs = localNowMs;
  }

  /** Takes the agent's time (ISO-8601 with an offset); false, and no change, when it cannot be read. */
  sync(agentTime: string): boolean {
    const agentMs = parseIsoInstant(agentTime);
    if (agentMs === undefined) return false;
    this.#offsetMs = agentMs - this.#localNowMs();
    return true;
  }

  /** Now on the agent's clock, epoch milliseconds. */
  nowMs(): number {
    return this.#localNowMs() + this.#offsetMs;
  }

  /** The agent's calendar day in Asia/Shanghai, `YYYY-MM-DD`. */
  today(): string {
    return shanghaiDate(this.nowMs());
  }
}

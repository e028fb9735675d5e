/** How long a citizen has to put a lifted card back before the session ends (issue 10). */
export const CARD_GRACE_MS = 20_000;

/**
 * The card of a session was lifted mid-journey: for a short while, putting the same card back
 * continues where the citizen was; the countdown is visible (`remainingS`). When it runs out,
 * `onExpire` ends the session. Another card ends it at once (the kiosk decides that, not this class).
 */
export class CardGrace {
  active = $state(false);
  remainingS = $state(0);

  #tickTimer: ReturnType<typeof setInterval> | undefined;
  #expireTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #graceMs: number;

  constructor(graceMs: number = CARD_GRACE_MS) {
    this.#graceMs = graceMs;
  }

  start(onExpire: () => void): void {
    this.stop();
    const endsAtMs = Date.now() + this.#graceMs;
    this.active = true;
    this.remainingS = Math.ceil(this.#graceMs / 1000);
    this.#tickTimer = setInterval(() => {
      this.remainingS = Math.max(0, Math.ceil((endsAtMs - Date.now()) / 1000));
    }, 250);
    this.#expireTimer = setTimeout(() => {
      this.stop();
      onExpire();
    }, this.#graceMs);
  }

  stop(): void {
    clearInterval(this.#tickTimer);
    clearTimeout(this.#expireTimer);
    this.#tickTimer = undefined;
    this.#expireTimer = undefined;
    this.active = false;
  }
}

/** Defaults when the agent has not said otherwise (issue 2): 60 s idle, then a 15 s countdown. */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
export const DEFAULT_IDLE_COUNTDOWN_MS = 15_000;

/**
 * Idle timeout with a visible countdown. Armed while a citizen is using the kiosk; every touch
 * (`poke`) restarts it. After `timeoutMs` without one, `counting` turns on and `remainingS` counts
 * down; when it reaches zero `onExpire` runs (the session wipes and the attract screen returns).
 */
export class IdleTimer {
  counting = $state(false);
  remainingS = $state(0);

  #timeoutMs = DEFAULT_IDLE_TIMEOUT_MS;
  #countdownMs = DEFAULT_IDLE_COUNTDOWN_MS;
  #armed = false;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #tickTimer: ReturnType<typeof setInterval> | undefined;
  #expireTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #onExpire: () => void;

  constructor(onExpire: () => void) {
    this.#onExpire = onExpire;
  }

  configure(timeoutMs: number, countdownMs: number): void {
    this.#timeoutMs = timeoutMs;
    this.#countdownMs = countdownMs;
    if (this.#armed && !this.counting) this.#startIdle();
  }

  get armed(): boolean {
    return this.#armed;
  }

  arm(): void {
    this.#armed = true;
    this.#stopCountdown();
    this.#startIdle();
  }

  disarm(): void {
    this.#armed = false;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    this.#stopCountdown();
  }

  /** Activity: restarts the idle period. Ignored during the countdown, where only "continue" counts. */
  poke(): void {
    if (this.#armed && !this.counting) this.#startIdle();
  }

  /** The citizen chose to continue. */
  resume(): void {
    if (this.#armed) this.arm();
  }

  #startIdle(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => this.#startCountdown(), this.#timeoutMs);
  }

  #startCountdown(): void {
    this.#idleTimer = undefined;
    const endsAtMs = Date.now() + this.#countdownMs;
    this.counting = true;
    this.remainingS = Math.ceil(this.#countdownMs / 1000);
    this.#tickTimer = setInterval(() => {
      this.remainingS = Math.max(0, Math.ceil((endsAtMs - Date.now()) / 1000));
    }, 250);
    this.#expireTimer = setTimeout(() => {
      this.disarm();
      this.#onExpire();
    }, this.#countdownMs);
  }

  #stopCountdown(): void {
    clearInterval(this.#tickTimer);
    clearTimeout(this.#expireTimer);
    this.#tickTimer = undefined;
    this.#expireTimer = undefined;
    this.counting = false;
  }
}

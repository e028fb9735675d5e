/**
 * The agent's notion of "now". Services never call Date.now() directly, so that
 * tests and demonstrations (`--dev --clock 2026-11-23T09:00:00+08:00`) can set it.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that starts at `startMs` and then runs with real time. */
export function offsetClock(startMs: number, base: Clock = systemClock): Clock {
  const offset = startMs - base.now();
  return { now: () => base.now() + offset };
}

/** A clock that moves only when told to: for tests. */
export class ManualClock implements Clock {
  #nowMs: number;
  constructor(startMs: number) {
    this.#nowMs = startMs;
  }
  now(): number {
    return this.#nowMs;
  }
  set(ms: number): void {
    this.#nowMs = ms;
  }
  advance(ms: number): void {
    this.#nowMs += ms;
  }
}

/** Timers behind a seam, so that services with a period (heartbeats) run on a fake schedule in tests. */
export interface Scheduler {
  /** Runs `fn` once after `ms`; the returned function cancels it. */
  after(ms: number, fn: () => void): () => void;
}

/** Real timers; they do not keep the process alive (the server does). */
export const systemScheduler: Scheduler = {
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

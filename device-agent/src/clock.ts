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

/** China Standard Time (UTC+8, no daylight saving): the terminal's zone for dates on cards and receipts. */
export const CHINA_OFFSET_MINUTES = 480;

/** `2026-11-23T09:00:00.000+08:00`: an instant written in the terminal's zone. */
export function isoWithOffset(ms: number, offsetMinutes = CHINA_OFFSET_MINUTES): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** The calendar date (`YYYY-MM-DD`) of an instant in the terminal's zone. */
export function localDate(ms: number, offsetMinutes = CHINA_OFFSET_MINUTES): string {
  return new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 10);
}

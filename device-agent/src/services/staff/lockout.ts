import { STAFF_PIN_ATTEMPTS } from '@onevisit/protocol';

/**
 * PIN lockout, as pure arithmetic over an injected "now" (vxsuite's auth as the model): after
 * `STAFF_PIN_ATTEMPTS` wrong PINs in a row the card is locked for 60 s; each further lockout doubles
 * it (60 s, 120 s, 240 s, …, capped at a day). A correct PIN or `staff unlock` clears everything.
 */
export const FIRST_LOCKOUT_MS = 60_000;
export const MAX_LOCKOUT_MS = 24 * 3600_000;

export type LockoutState = {
  /** Wrong PINs since the last success or lockout. */
  readonly failedAttempts: number;
  /** Lockouts since the last success: the next one lasts 60 s · 2^lockouts. */
  readonly lockouts: number;
  /** Epoch ms; 0 = not locked. */
  readonly lockedUntilMs: number;
};

export const NO_LOCKOUT: LockoutState = { failedAttempts: 0, lockouts: 0, lockedUntilMs: 0 };

export function lockoutMs(lockouts: number): number {
  return Math.min(MAX_LOCKOUT_MS, FIRST_LOCKOUT_MS * 2 ** Math.min(lockouts, 30));
}

/** Whole seconds left of a lockout at `nowMs` (rounded up); 0 when not locked. */
export function lockedForSeconds(state: LockoutState, nowMs: number): number {
  return state.lockedUntilMs > nowMs ? Math.ceil((state.lockedUntilMs - nowMs) / 1000) : 0;
}

export function attemptsLeft(state: LockoutState): number {
  return Math.max(0, STAFF_PIN_ATTEMPTS - state.failedAttempts);
}

/** The state after a wrong PIN at `nowMs`, and whether it locked the card. */
export function afterWrongPin(state: LockoutState, nowMs: number): { state: LockoutState; locked: boolean } {
  const failedAttempts = state.failedAttempts + 1;
  if (failedAttempts < STAFF_PIN_ATTEMPTS) return { state: { ...state, failedAttempts }, locked: false };
  return { state: { failedAttempts: 0, lockouts: state.lockouts + 1, lockedUntilMs: nowMs + lockoutMs(state.lockouts) }, locked: true };
}

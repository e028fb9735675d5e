import { randomInt } from 'node:crypto';

/**
 * Booking codes: 6 characters, read aloud at a window or over the phone.
 * Digits 2–9 (0 and 1 pass for O and I/L in print) and ten letters whose English
 * names do not rhyme with each other (no B/D/E/G/P/T/V/Z, no N beside M, no S beside 5).
 * 18 symbols in 6 places: 34 million codes.
 */
export const BOOKING_CODE_ALPHABET = '23456789ACFHKMRWXY';
export const BOOKING_CODE_LENGTH = 6;

export function newBookingCode(pick: (max: number) => number = randomInt): string {
  let code = '';
  for (let i = 0; i < BOOKING_CODE_LENGTH; i += 1) code += BOOKING_CODE_ALPHABET.charAt(pick(BOOKING_CODE_ALPHABET.length));
  return code;
}

/** Uppercases and drops spaces and dashes: `k7m-3hx` → `K7M3HX`. */
export function normalizeBookingCode(input: string): string {
  return input.replace(/[\s-]/g, '').toUpperCase();
}

/** `K7M3HX` → `K7M 3HX`, for reading aloud. */
export function formatBookingCode(code: string): string {
  return code.length === BOOKING_CODE_LENGTH ? `${code.slice(0, 3)} ${code.slice(3)}` : code;
}

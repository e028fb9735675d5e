import { randomInt } from 'node:crypto';
import { BOOKING_CODE_ALPHABET, BOOKING_CODE_LENGTH } from '@onevisit/protocol';

/** The alphabet and the display grouping are protocol (the kiosk's code keypad uses them too). */
export { BOOKING_CODE_ALPHABET, BOOKING_CODE_LENGTH, formatBookingCode } from '@onevisit/protocol';

/** A fresh random code (6 of the 18 symbols). */
export function newBookingCode(pick: (max: number) => number = randomInt): string {
  let code = '';
  for (let i = 0; i < BOOKING_CODE_LENGTH; i += 1) code += BOOKING_CODE_ALPHABET.charAt(pick(BOOKING_CODE_ALPHABET.length));
  return code;
}

/** Uppercases and drops spaces and dashes: `k7m-3hx` → `K7M3HX`. */
export function normalizeBookingCode(input: string): string {
  return input.replace(/[\s-]/g, '').toUpperCase();
}

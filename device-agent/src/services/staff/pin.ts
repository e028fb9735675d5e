import { randomBytes, randomInt, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Staff PINs are kept only as scrypt hashes (RFC 7914; memory-hard, so a stolen register cannot be
 * brute-forced cheaply on a GPU — six digits are few, the lockout is what really protects a PIN, the
 * hash protects the register). Stored as `scrypt$N$r$p$salt$hash` (base64) so that the parameters
 * can grow later without a migration.
 */

/** N = 2^15, r = 8: 32 MiB and about 0.1 s per check on a kiosk CPU (OWASP's scrypt minimum is N = 2^17 with r = 8 for passwords; a 6-digit PIN behind a lockout needs less). */
export const PIN_SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const SALT_BYTES = 16;

function scryptAsync(pin: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // 128 · N · r bytes of work memory, plus headroom: node's default cap (32 MiB) is exactly N = 2^15.
    scrypt(pin, salt, KEY_BYTES, { ...options, maxmem: 256 * (options.N ?? 0) * (options.r ?? 8) }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPin(pin: string, params: { N: number; r: number; p: number } = PIN_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(pin, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** True when `pin` matches `stored`; false for a wrong PIN or a hash this code cannot read. */
export async function verifyPin(pin: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (N === undefined || r === undefined || p === undefined || ![N, r, p].every((n) => Number.isInteger(n) && n > 0)) return false;
  const salt = Buffer.from(parts[4] ?? '', 'base64');
  const expected = Buffer.from(parts[5] ?? '', 'base64');
  if (salt.length === 0 || expected.length !== KEY_BYTES) return false;
  const key = await scryptAsync(pin, salt, { N, r, p });
  return timingSafeEqual(key, expected);
}

/** A random 6-digit PIN (leading zeros allowed), from the CSPRNG. */
export function randomPin(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

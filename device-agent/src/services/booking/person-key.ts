import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Identity } from '@onevisit/protocol';

/**
 * Persons are keyed by HMAC-SHA256 of their ID number with a secret kept in the
 * agent's data folder, so the store never holds an ID number, and a stolen
 * database cannot be matched against a list of numbers without the secret.
 * Several terminals sharing one store must share this secret too.
 */

export const PERSON_SECRET_FILE = 'booking-person-secret';
const SECRET_BYTES = 32;

/** Reads the secret from `<dataDir>/booking-person-secret`, creating it (mode 0600) on first use. */
export function loadOrCreatePersonSecret(dataDir: string, fileName = PERSON_SECRET_FILE): Buffer {
  const path = join(dataDir, fileName);
  try {
    const existing = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
    if (existing.length >= 16) return existing;
    throw new Error(`booking secret ${path} is too short`);
  } catch (error) {
    if (!(typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT')) throw error;
  }
  mkdirSync(dirname(path), { recursive: true });
  const secret = randomBytes(SECRET_BYTES);
  // `wx`: if another process created it in between, fail instead of overwriting, then read theirs.
  try {
    writeFileSync(path, `${secret.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch {
    return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
  }
}

/** The key of a person: the same card type and number always give the same key on this terminal. */
export function personKeyOf(identity: Pick<Identity, 'idNumber' | 'cardType'>, secret: Buffer): string {
  return createHmac('sha256', secret).update(`${identity.cardType}:${identity.idNumber.trim().toUpperCase()}`).digest('hex');
}

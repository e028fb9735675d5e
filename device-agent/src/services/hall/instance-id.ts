import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const INSTANCE_ID_FILE = 'instance-id';

/**
 * This installation's id (issue 14): 16 random bytes made the first time the agent starts with this
 * data directory, kept there. The terminal id comes from the config and may be copied to a second
 * machine by mistake; the instance id cannot be, so the hall's heartbeat table tells "the same
 * terminal restarted" (same instance: it may take its id back at once) from "another machine with
 * the same terminal id" (refused while the first one is alive). Not secret and not personal.
 */
export function loadOrCreateInstanceId(dataDir: string): string {
  const path = join(dataDir, INSTANCE_ID_FILE);
  const existing = readIfPresent(path);
  if (existing !== undefined) return existing;
  mkdirSync(dirname(path), { recursive: true });
  const id = randomBytes(16).toString('hex');
  // `wx`: if another process created it in between, keep theirs.
  try {
    writeFileSync(path, `${id}\n`, { mode: 0o600, flag: 'wx' });
    return id;
  } catch {
    const raced = readIfPresent(path);
    if (raced === undefined) throw new Error(`could not create ${path}`);
    return raced;
  }
}

function readIfPresent(path: string): string | undefined {
  try {
    const text = readFileSync(path, 'utf8').trim();
    if (!/^[0-9a-f]{32}$/.test(text)) throw new Error(`${path} does not hold an instance id; delete it to make a new one`);
    return text;
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT') return undefined;
    throw error;
  }
}

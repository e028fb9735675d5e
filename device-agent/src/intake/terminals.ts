/**
 * The intake's register of terminals in a folder (issue 15; `--db` keeps it in PostgreSQL, pg-store.ts): `<out>/terminals/<ID>.pub`, each the terminal's
 * Ed25519 public key (SPKI PEM, its `DATA_DIR/keys/terminal.pub`). Read at each lookup, so
 * `terminals add` takes effect on a running `serve` without a restart.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KeyObject } from 'node:crypto';
import { parseTerminalPublicKey } from '../crypto/request-signing.ts';

const TERMINAL_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** A terminal id the register accepts (also a safe file name). */
export function isTerminalId(value: string): boolean {
  return TERMINAL_ID.test(value);
}

export type AddTerminalResult = { ok: true; file: string } | { ok: false; reason: 'badId' | 'notEd25519' };

export function addTerminal(outDir: string, terminalId: string, publicPem: string): AddTerminalResult {
  if (!TERMINAL_ID.test(terminalId)) return { ok: false, reason: 'badId' };
  const key = parseTerminalPublicKey(publicPem);
  if (!key) return { ok: false, reason: 'notEd25519' };
  const dir = path.join(outDir, 'terminals');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${terminalId}.pub`);
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, key.export({ type: 'spki', format: 'pem' }).toString(), { mode: 0o644 });
  renameSync(tmp, file);
  return { ok: true, file };
}

/** A lookup of registered terminals' keys for `RequestVerifier`. */
export function terminalKeys(outDir: string): (terminalId: string) => KeyObject | undefined {
  return (terminalId) => {
    if (!TERMINAL_ID.test(terminalId)) return undefined;
    const file = path.join(outDir, 'terminals', `${terminalId}.pub`);
    if (!existsSync(file)) return undefined;
    return parseTerminalPublicKey(readFileSync(file, 'utf8'));
  };
}

/** Whether any terminal is registered: an intake with a register refuses unsigned requests. */
export function hasTerminalRegister(outDir: string): boolean {
  return existsSync(path.join(outDir, 'terminals'));
}

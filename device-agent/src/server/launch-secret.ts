import { randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The per-boot launch secret (issue 11, DESIGN.md "Who may do what"). Any local process can fetch
 * the page and read its token; only the kiosk browser started by the terminal's own launcher
 * (`npm run kiosk -- launch`, scripts/kiosk.mjs, as the kiosk account) can read this file, and it hands the
 * secret to Chromium in the URL fragment (`#launch=…`, never sent to a server, never in a query
 * string or a log). A connection that does not present it gets non-personal status at most.
 *
 * Mode 0640: the agent's account owns the file, the kiosk account reads it through the group. The
 * folder is made by the installer with the kiosk group and the setgid bit (README "OS accounts"),
 * so that the file takes that group without the agent needing to be in it.
 */
export const LAUNCH_SECRET_FILE_MODE = 0o640;

const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * The secret for this boot: the one already in `file` when the agent restarts (Staff.RestartAgent, a
 * crash, an update), so that the kiosk browser the launcher started keeps working; a fresh one when
 * there is none (the folder is on /run, a tmpfs emptied at every boot) or the file is not one the agent
 * wrote (not a regular file of this account with mode 0640 and one secret in it).
 */
export function loadOrWriteLaunchSecret(file: string): string {
  try {
    const stat = lstatSync(file);
    const ours = stat.isFile() && (stat.mode & 0o777) === LAUNCH_SECRET_FILE_MODE && (process.getuid === undefined || stat.uid === process.getuid());
    const kept = ours ? readFileSync(file, 'utf8').trim() : '';
    if (SECRET_PATTERN.test(kept)) return kept;
  } catch {
    // none yet: write one
  }
  return writeLaunchSecret(file);
}

/** Writes a fresh secret to `file` (temp + rename, so the launcher never reads half of one); returns it. */
export function writeLaunchSecret(file: string): string {
  const secret = randomBytes(32).toString('base64url');
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o750 });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${secret}\n`, { mode: LAUNCH_SECRET_FILE_MODE });
  // The umask may have taken bits away; the launcher's group must read it.
  chmodSync(temp, LAUNCH_SECRET_FILE_MODE);
  renameSync(temp, file);
  return secret;
}

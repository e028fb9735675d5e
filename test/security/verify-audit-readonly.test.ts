import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../device-agent/src/clock.ts';
import { runIntake } from '../../device-agent/src/intake/main.ts';
import { AuditLog, auditMigrations } from '../../device-agent/src/store/audit.ts';
import { openStore, STORE_FILE_NAME } from '../../device-agent/src/store/db.ts';

/**
 * Issue 11, ops tools: `intake verify-audit` is run on evidence (a terminal's data folder). It must
 * read the audit rows still in the write-ahead log without merging them into the database or deleting
 * the -wal file, as a writing connection does when it is the last to close.
 */

const ROWS = 7;

/** A data folder as a terminal leaves it when it stops hard: the rows are in onevisit.sqlite-wal, not yet checkpointed. */
function evidenceFolder(): { dir: string; main: string; wal: string } {
  const live = mkdtempSync(join(tmpdir(), 'audit-live-'));
  const store = openStore({ dataDir: live, migrations: [auditMigrations] });
  store.db.pragma('wal_autocheckpoint = 0');
  const audit = new AuditLog(store.db, new ManualClock(Date.parse('2026-12-04T01:00:00Z')));
  for (let i = 1; i <= ROWS; i += 1) audit.append('submissionAccepted', { reference: `T0001-261204-000${i}-X`, formId: 'f' });
  // Copy while the writer is still open: the copy is the database and its WAL, with nobody attached.
  const dir = mkdtempSync(join(tmpdir(), 'audit-evidence-'));
  const main = join(dir, STORE_FILE_NAME);
  const wal = `${main}-wal`;
  copyFileSync(store.file, main);
  copyFileSync(`${store.file}-wal`, wal);
  store.close();
  return { dir, main, wal };
}

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('intake verify-audit', () => {
  it('reads the rows in the WAL and leaves the database and its WAL byte for byte as they were', async () => {
    const { dir, main, wal } = evidenceFolder();
    expect(statSync(wal).size).toBeGreaterThan(0);
    const before = { main: sha256(main), wal: sha256(wal), mainMtimeMs: statSync(main).mtimeMs, walMtimeMs: statSync(wal).mtimeMs };

    let out = '';
    const code = await runIntake(['verify-audit', '--data-dir', dir], { out: (s) => (out += s), err: (s) => (out += s) });

    expect(code).toBe(0);
    expect(out).toContain(`audit log intact: ${ROWS} rows`); // the rows exist only in the WAL: it was read
    expect(existsSync(wal)).toBe(true);
    expect({ main: sha256(main), wal: sha256(wal), mainMtimeMs: statSync(main).mtimeMs, walMtimeMs: statSync(wal).mtimeMs }).toEqual(before);
  });

  it('refuses a data folder without a database, and creates none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-empty-'));
    let out = '';
    const code = await runIntake(['verify-audit', '--data-dir', dir], { out: (s) => (out += s), err: (s) => (out += s) });
    expect(code).toBe(1);
    expect(existsSync(join(dir, STORE_FILE_NAME))).toBe(false);
  });
});

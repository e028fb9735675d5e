import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { runIntake } from '../intake/main.ts';
import { tempDir } from '../outbox/testing/fixtures.ts';
import { AuditLog, auditMigrations, verifyAudit } from './audit.ts';
import { openStore } from './db.ts';

function seeded(rows = 5): { dir: string; file: string } {
  const dir = tempDir();
  const store = openStore({ dataDir: dir, migrations: [auditMigrations] });
  const audit = new AuditLog(store.db, new ManualClock(Date.parse('2026-01-23T02:00:00Z')));
  for (let i = 1; i <= rows; i += 1) audit.append('submissionAccepted', { reference: `T0001-260123-000${i}-X`, formId: 'f' });
  expect(audit.verify()).toMatchObject({ ok: true, count: rows });
  const file = store.file;
  store.close();
  return { dir, file };
}

/** A raw connection that drops the append-only triggers, as an attacker with file access would. */
function raw(file: string, sql: string): void {
  const db = new Database(file);
  db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_head_forward;');
  db.exec(sql);
  db.close();
}

async function cli(dir: string): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await runIntake(['verify-audit', '--data-dir', dir], { out: (s) => (out += s), err: (s) => (out += s) });
  return { code, out };
}

describe('audit log', () => {
  it('refuses UPDATE and DELETE through its triggers', () => {
    const { file } = seeded();
    const db = new Database(file);
    expect(() => db.exec("UPDATE audit_log SET kind = 'x' WHERE seq = 1")).toThrow(/append-only/);
    expect(() => db.exec('DELETE FROM audit_log WHERE seq = 5')).toThrow(/append-only/);
    expect(() => db.exec('UPDATE audit_head SET seq = 3')).toThrow(/forward/);
    db.close();
  });

  it('verifies an intact chain (and the command says so)', async () => {
    const { dir } = seeded();
    expect(await cli(dir)).toMatchObject({ code: 0 });
  });

  it('detects an edited row', async () => {
    const { dir, file } = seeded();
    raw(file, `UPDATE audit_log SET details = '{"formId":"g","reference":"T0001-260123-0002-X"}' WHERE seq = 2`);
    const db = new Database(file, { readonly: true });
    expect(verifyAudit(db)).toMatchObject({ ok: false, problem: { kind: 'hashMismatch', seq: 2 } });
    db.close();
    const r = await cli(dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/BROKEN/);
  });

  it('detects a deleted row in the middle', () => {
    const { file } = seeded();
    raw(file, 'DELETE FROM audit_log WHERE seq = 3');
    const db = new Database(file, { readonly: true });
    expect(verifyAudit(db)).toMatchObject({ ok: false, problem: { kind: 'gap', expectedSeq: 3 } });
    db.close();
  });

  it('detects the last rows deleted', async () => {
    const { dir, file } = seeded();
    raw(file, 'DELETE FROM audit_log WHERE seq >= 4');
    const db = new Database(file, { readonly: true });
    expect(verifyAudit(db)).toMatchObject({ ok: false, problem: { kind: 'headMismatch', headSeq: 5, lastSeq: 3 } });
    db.close();
    expect((await cli(dir)).code).toBe(1);
  });

  it('detects a row rewritten with a recomputed hash but the old successor', () => {
    const { file } = seeded();
    raw(file, "UPDATE audit_log SET hash = 'ab' || substr(hash, 3) WHERE seq = 2");
    const db = new Database(file, { readonly: true });
    const result = verifyAudit(db);
    expect(result.ok).toBe(false);
    db.close();
  });
});

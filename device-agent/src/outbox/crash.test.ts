/**
 * Crash test: a child process accepts a stream of submissions and is killed with SIGKILL
 * at random moments, many times. After every kill, every reference it printed (promised)
 * is in the store exactly once for its submission; at the end everything delivers, once.
 * Bounded: ONEVISIT_CRASH_KILLS (default 100) kills or ONEVISIT_CRASH_MS (default 30 s).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { systemClock } from '../clock.ts';
import { openSealed } from '../crypto/seal.ts';
import { verifyAudit } from '../store/audit.ts';
import { openStore, STORE_FILE_NAME } from '../store/db.ts';
import { createSubmissionRuntime, submissionMigrations } from './service.ts';
import { makeKeys, tempDir } from './testing/fixtures.ts';

const CHILD = fileURLToPath(new URL('./testing/crash-child.ts', import.meta.url));
const MAX_KILLS = Number(process.env.ONEVISIT_CRASH_KILLS ?? 100);
const BUDGET_MS = Number(process.env.ONEVISIT_CRASH_MS ?? 30_000);

type Run = { lines: string[]; code: number | null; signal: NodeJS.Signals | null };

function runChild(args: string[], killAfterReadyMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let killTimer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (killTimer === undefined && out.includes('READY\n')) killTimer = setTimeout(() => child.kill('SIGKILL'), killAfterReadyMs);
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (killTimer) clearTimeout(killTimer);
      if (signal !== 'SIGKILL') reject(new Error(`child ended on its own (${String(code)}): ${err.slice(-2000)}`));
      else resolve({ lines: out.split('\n'), code, signal });
    });
  });
}

it('loses no promised submission and duplicates none across many kill -9s', { timeout: BUDGET_MS + 60_000 }, async () => {
  const dataDir = tempDir('onevisit-crash-');
  const intakeDir = path.join(tempDir('onevisit-crash-intake-'), 'in');
  const keys = makeKeys();
  const keyFile = path.join(dataDir, '..', `${path.basename(dataDir)}.pub`);
  writeFileSync(keyFile, keys.publicPem);

  const promised = new Map<string, string>();
  let nextIndex = 0;
  let kills = 0;
  const started = Date.now();
  while (kills < MAX_KILLS && Date.now() - started < BUDGET_MS) {
    // Sometimes right at start-up (during migrations / recovery), mostly mid-stream.
    const delay = Math.random() < 0.15 ? Math.floor(Math.random() * 5) : Math.floor(Math.random() * 250);
    const run = await runChild([dataDir, keyFile, intakeDir, String(nextIndex)], delay);
    kills += 1;
    for (const line of run.lines) {
      const m = /^OK (\S+) (\S+)$/.exec(line);
      if (!m?.[1] || !m[2]) continue;
      const before = promised.get(m[1]);
      // A resubmission after a crash must get the same reference back.
      if (before !== undefined) expect(m[2]).toBe(before);
      promised.set(m[1], m[2]);
      nextIndex = Math.max(nextIndex, Number(m[1].split('-')[1]) + 1);
    }
    // Everything promised so far is there, exactly once, with its own reference.
    const db = new Database(path.join(dataDir, STORE_FILE_NAME));
    const rows = db.prepare<[], { reference: string; submission_id: string }>('SELECT reference, submission_id FROM outbox').all();
    db.close();
    const bySubmission = new Map(rows.map((r) => [r.submission_id, r.reference]));
    expect(new Set(rows.map((r) => r.reference)).size).toBe(rows.length);
    for (const [submissionId, reference] of promised) expect(bySubmission.get(submissionId), submissionId).toBe(reference);
  }
  expect(kills).toBeGreaterThanOrEqual(Math.min(MAX_KILLS, 10));
  expect(promised.size).toBeGreaterThan(kills);

  // Restart once more in-process and deliver everything.
  const store = openStore({ dataDir, migrations: submissionMigrations });
  expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
  expect(verifyAudit(store.db)).toMatchObject({ ok: true });
  const runtime = createSubmissionRuntime({ db: store.db, dataDir, terminalId: 'T0001', clock: systemClock, keys: [keys.pub], intakeDir, minFreeBytes: 0 });
  for (let i = 0; i < 10 && runtime.outbox.status().counts.pending > 0; i += 1) await runtime.worker.tick();
  const all = runtime.outbox.all();
  expect(runtime.outbox.status().counts).toEqual({ pending: 0, delivered: all.length, deadLetter: 0 });
  const files = readdirSync(intakeDir).filter((n) => n.endsWith('.ovsl'));
  expect(files.sort()).toEqual(all.map((r) => `${r.reference}.ovsl`).sort());
  for (const reference of promised.values()) {
    const opened = openSealed(readFileSync(path.join(intakeDir, `${reference}.ovsl`)), [keys.priv]);
    expect(opened.header.reference).toBe(reference);
  }
  await runtime.stop();
  store.close();
  console.info(`crash test: ${kills} kills, ${promised.size} promised, ${all.length} committed, ${files.length} delivered`);
});

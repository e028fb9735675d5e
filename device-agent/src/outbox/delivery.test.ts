import { readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../clock.ts';
import { openSealed } from '../crypto/seal.ts';
import { startIntakeServer, type Intercept, type IntakeServer } from '../intake/server.ts';
import { verifyAudit } from '../store/audit.ts';
import type { Store } from '../store/db.ts';
import { backoffDelayMs, DeliveryWorker, FolderTarget, HttpTarget, type DeliveryTarget } from './delivery.ts';
import { Outbox } from './outbox.ts';
import { citizenSubmission, makeKeys, openTestStore, tempDir } from './testing/fixtures.ts';

const T0 = Date.parse('2026-01-23T18:30:00Z');
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function setup(n: number) {
  const keys = makeKeys();
  const clock = new ManualClock(T0);
  const store: Store = openTestStore();
  cleanup.push(() => store.close());
  const outbox = new Outbox({ db: store.db, dataDir: store.dataDir, clock, terminalId: 'T0001', keys: [keys.pub], freeBytes: () => 10 * 1024 ** 3 });
  const refs: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const r = outbox.accept(citizenSubmission(`delivery-${i}-xxxx`));
    if (!r.ok) throw new Error('accept failed');
    refs.push(r.reference);
  }
  const worker = (target: DeliveryTarget, retentionMs = 3600_000) =>
    new DeliveryWorker({ outbox, target, clock, random: () => 0.5, baseDelayMs: 1000, maxDelayMs: 60_000, retentionMs });
  return { keys, clock, store, outbox, refs, worker };
}

async function intake(
  intercept?: Intercept,
  port = 0,
  afterStore?: (reference: string) => Promise<void>,
): Promise<IntakeServer & { outDir: string }> {
  const outDir = tempDir('onevisit-intake-');
  const server = await startIntakeServer({ port, outDir, ...(intercept ? { intercept } : {}), ...(afterStore ? { afterStore } : {}) });
  cleanup.push(() => server.close());
  return Object.assign(server, { outDir });
}

function storedRefs(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.endsWith('.ovsl')).map((n) => n.slice(0, -5)).sort();
}

describe('delivery to a folder', () => {
  it('writes one file per submission, atomically, that opens at the back office', async () => {
    const { refs, worker, keys, outbox } = setup(3);
    const dir = path.join(tempDir(), 'intake');
    const summary = await worker(new FolderTarget(dir)).tick();
    expect(summary).toMatchObject({ delivered: 3, retried: 0, rejected: 0 });
    expect(readdirSync(dir).sort()).toEqual(refs.map((r) => `${r}.ovsl`).sort());
    for (const ref of refs) {
      expect(openSealed(readFileSync(path.join(dir, `${ref}.ovsl`)), [keys.priv]).header.reference).toBe(ref);
      expect(outbox.get(ref)?.state).toBe('delivered');
    }
  });

  it('retries while the folder cannot be written', async () => {
    const { worker, outbox, refs } = setup(1);
    const file = path.join(tempDir(), 'not-a-dir');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, 'x');
    const summary = await worker(new FolderTarget(file)).tick();
    expect(summary.retried).toBe(1);
    expect(outbox.get(refs[0] ?? '')).toMatchObject({ state: 'pending', attempts: 1 });
  });
});

describe('leftovers of crashed folder writes', () => {
  it('sweeps old temporary files on the first delivery, and leaves recent ones and real files alone', async () => {
    const dir = tempDir();
    const old = path.join(dir, '.T0001-261121-0001-M.0123456789ab.tmp');
    const recent = path.join(dir, '.T0002-261121-0001-K.ba9876543210.tmp');
    writeFileSync(old, 'half');
    writeFileSync(recent, 'half');
    writeFileSync(path.join(dir, 'notes.txt'), 'not ours');
    const hourAgo = (Date.now() - 3600_000) / 1000;
    utimesSync(old, hourAgo, hourAgo);
    const target = new FolderTarget(dir);
    expect(await target.deliver('T0001-261121-0002-R', Buffer.from('sealed'))).toEqual({ kind: 'delivered' });
    expect(readdirSync(dir).sort()).toEqual(['.T0002-261121-0001-K.ba9876543210.tmp', 'T0001-261121-0002-R.ovsl', 'notes.txt']);
  });
});

describe('delivery over HTTP', () => {
  it('delivers with the reference as Idempotency-Key, exactly once', async () => {
    const seen: (string | undefined)[] = [];
    const server = await intake((info) => {
      seen.push(info.reference);
      return undefined;
    });
    const { refs, worker, store } = setup(4);
    expect(await worker(new HttpTarget({ url: server.url })).tick()).toMatchObject({ delivered: 4 });
    expect(seen.sort()).toEqual([...refs].sort());
    expect(storedRefs(server.outDir)).toEqual([...refs].sort());
    expect(verifyAudit(store.db)).toMatchObject({ ok: true, count: 8 });
  });

  it('keeps retrying with growing backoff while the intake is down, then delivers', async () => {
    const probe = await startIntakeServer({ port: 0, outDir: tempDir() });
    const port = probe.port;
    await probe.close();
    const { refs, worker, clock, outbox } = setup(2);
    const w = worker(new HttpTarget({ url: `http://127.0.0.1:${port}/intake`, timeoutMs: 2000 }));
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      expect(await w.tick()).toMatchObject({ delivered: 0, retried: 2 });
      const row = outbox.get(refs[0] ?? '');
      expect(row).toMatchObject({ state: 'pending', attempts: attempt });
      expect(row?.lastErrorCode).toMatch(/^network/);
      delays.push((row?.nextAttemptAtMs ?? 0) - clock.now());
      // Not due yet: nothing is tried.
      expect(await w.tick()).toMatchObject({ delivered: 0, retried: 0 });
      clock.advance(120_000);
    }
    expect(delays).toEqual([1, 2, 3, 4].map((a) => backoffDelayMs(a, { baseDelayMs: 1000, maxDelayMs: 60_000 }, () => 0.5)));
    expect(delays[3]).toBeGreaterThan(delays[0] ?? 0);
    const server = await intake(undefined, port);
    expect(await w.tick()).toMatchObject({ delivered: 2 });
    expect(storedRefs(server.outDir)).toEqual([...refs].sort());
  });

  it('retries 500s and delivers once the intake recovers', async () => {
    let failuresLeft = 5;
    const server = await intake(() => (failuresLeft-- > 0 ? 500 : undefined));
    const { refs, worker, clock, outbox } = setup(3);
    const w = worker(new HttpTarget({ url: server.url }));
    const first = await w.tick();
    expect(first.retried).toBe(3);
    expect(outbox.get(refs[0] ?? '')).toMatchObject({ lastHttpStatus: 500, lastErrorCode: 'http500' });
    for (let i = 0; i < 5 && outbox.status().counts.delivered < 3; i += 1) {
      clock.advance(120_000);
      await w.tick();
    }
    expect(outbox.status().counts).toEqual({ pending: 0, delivered: 3, deadLetter: 0 });
    expect(storedRefs(server.outDir)).toEqual([...refs].sort());
  });

  it('dead-letters the one the intake refuses (400) with its status, delivers the others, and a staff retry delivers it later', async () => {
    let refused: string | undefined;
    const server = await intake((info) => (info.reference === refused ? 400 : undefined));
    const { refs, worker, outbox, store } = setup(3);
    refused = refs[1];
    const w = worker(new HttpTarget({ url: server.url }));
    expect(await w.tick()).toMatchObject({ delivered: 2, rejected: 1 });
    expect(outbox.get(refs[1] ?? '')).toMatchObject({ state: 'deadLetter', lastHttpStatus: 400, lastErrorCode: 'http400' });
    expect(outbox.status().deadLetters.map((d) => d.reference)).toEqual([refs[1]]);
    // Dead letters are not retried on their own.
    expect(await w.tick()).toMatchObject({ delivered: 0, rejected: 0, retried: 0 });
    refused = undefined;
    expect(outbox.retry(refs[1] ?? '', 'staff-01')).toBe(true);
    expect(await w.tick()).toMatchObject({ delivered: 1 });
    expect(storedRefs(server.outDir)).toEqual([...refs].sort());
    const kinds = store.db.prepare<[], { kind: string }>('SELECT kind FROM audit_log ORDER BY seq').all().map((r) => r.kind);
    expect(kinds.filter((k) => k === 'submissionRejected')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'submissionRetried')).toHaveLength(1);
  });

  it('survives a slow intake: the timed-out request is redelivered and still stored once', async () => {
    // The intake holds its answers until the terminal has given up: no race between two timers.
    let release = (): void => {};
    const answered = new Promise<void>((resolve) => {
      release = resolve;
    });
    let slow = true;
    const server = await intake(undefined, 0, async () => {
      if (slow) await answered;
    });
    const { refs, worker, clock, outbox } = setup(2);
    const w = worker(new HttpTarget({ url: server.url, timeoutMs: 150 }));
    expect(await w.tick()).toMatchObject({ retried: 2 });
    expect(outbox.get(refs[0] ?? '')?.lastErrorCode).toBe('httpTimeout');
    slow = false;
    release(); // the intake finishes storing the requests the terminal gave up on
    await vi.waitFor(() => expect(server.stats.stored).toBe(2));
    clock.advance(120_000);
    expect(await w.tick()).toMatchObject({ delivered: 2 });
    expect(storedRefs(server.outDir)).toEqual([...refs].sort());
    expect(server.stats).toMatchObject({ stored: 2, repeats: 2 });
  });

  // Issue 11 reversed this: a bare 409 used to count as delivered, so a forged file hid a genuine one.
  it('dead-letters a 409 that does not confirm the same bytes (test/security/intake-conflict.test.ts)', async () => {
    const server = await intake(() => 409);
    const { refs, worker, outbox } = setup(1);
    expect(await worker(new HttpTarget({ url: server.url })).tick()).toMatchObject({ rejected: 1 });
    expect(outbox.get(refs[0] ?? '')).toMatchObject({ state: 'deadLetter', lastErrorCode: 'intakeConflict', lastHttpStatus: 409 });
  });
});

describe('retention', () => {
  it('deletes the sealed bytes after the retention period and keeps the metadata', async () => {
    const { refs, worker, clock, outbox, store } = setup(2);
    const w = worker(new FolderTarget(path.join(tempDir(), 'intake')), 3600_000);
    await w.tick();
    expect(outbox.blob(refs[0] ?? '')).toBeDefined();
    clock.advance(3599_000);
    expect((await w.tick()).purged).toBe(0);
    clock.advance(2000);
    expect((await w.tick()).purged).toBe(2);
    expect(outbox.blob(refs[0] ?? '')).toBeUndefined();
    expect(outbox.get(refs[0] ?? '')).toMatchObject({ state: 'delivered', purgedAtMs: clock.now() });
    expect(verifyAudit(store.db)).toMatchObject({ ok: true, count: 6 });
  });
});

describe('the worker loop', () => {
  it('delivers in the background after a kick and stops cleanly', async () => {
    const { worker, outbox } = setup(2);
    const w = worker(new FolderTarget(path.join(tempDir(), 'intake')));
    w.start();
    w.kick();
    for (let i = 0; i < 100 && outbox.status().counts.delivered < 2; i += 1) await sleep(20);
    await w.stop();
    expect(outbox.status().counts.delivered).toBe(2);
  });
});

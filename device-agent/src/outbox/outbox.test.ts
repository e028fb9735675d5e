import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { createLogger } from '../log.ts';
import { openSealed } from '../crypto/seal.ts';
import { verifyAudit } from '../store/audit.ts';
import { Outbox } from './outbox.ts';
import { createSubmissionRuntime } from './service.ts';
import { citizenSubmission, makeKeys, openTestStore, TEST_CITIZEN, tempDir, tinyPng, fakePdf } from './testing/fixtures.ts';
import { formatReference, isValidReference, nextReadableSequence } from './reference.ts';

const T0 = Date.parse('2026-01-23T18:30:00Z'); // 02:30 on 24 January in Beijing

function setup(dir = tempDir(), keys = makeKeys(), clock = new ManualClock(T0)) {
  const store = openTestStore(dir);
  const outbox = new Outbox({ db: store.db, dataDir: store.dataDir, clock, terminalId: 'T0001', keys: [keys.pub], freeBytes: () => 10 * 1024 ** 3 });
  return { dir, keys, clock, store, outbox };
}

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else yield p;
  }
}

describe('outbox.accept', () => {
  it('commits a sealed submission and promises a reference of the China date', () => {
    const { outbox, keys, store } = setup();
    const r = outbox.accept(citizenSubmission('sub-00000001'));
    expect(r).toMatchObject({ ok: true, duplicate: false });
    if (!r.ok) return;
    expect(r.reference).toBe(formatReference('T0001', '260124', nextReadableSequence('T0001', '260124', 0)));
    expect(isValidReference(r.reference)).toBe(true);
    const row = outbox.get(r.reference);
    expect(row).toMatchObject({ state: 'pending', formId: 'residence-permit', formVersion: '1.2.0', attempts: 0, keyId: keys.pub.kid });
    const opened = openSealed(outbox.blob(r.reference) ?? Buffer.alloc(0), [keys.priv]);
    expect(opened.header.reference).toBe(r.reference);
    expect(opened.content.answers).toMatchObject({ name: TEST_CITIZEN.name });
    expect(opened.content.parts.map((p) => p.name)).toEqual(['application.pdf', 'signature.png', 'scan-01.png']);
    expect(verifyAudit(store.db)).toMatchObject({ ok: true, count: 1 });
    store.close();
  });

  it('is idempotent on submissionId: a retry gets the same reference and no second row', () => {
    const { outbox, store } = setup();
    const a = outbox.accept(citizenSubmission('sub-00000001'));
    const b = outbox.accept(citizenSubmission('sub-00000001'));
    expect(b).toEqual(a.ok ? { ...a, duplicate: true } : a);
    expect(outbox.all()).toHaveLength(1);
    expect(outbox.accept(citizenSubmission('sub-00000001', { formId: 'other-form' }))).toEqual({ ok: false, reason: 'submissionIdConflict' });
    store.close();
  });

  it('never reuses a number across restarts, and starts each China day at 1', () => {
    const dir = tempDir();
    const keys = makeKeys();
    const clock = new ManualClock(T0);
    const refs: string[] = [];
    for (let boot = 0; boot < 3; boot += 1) {
      const { outbox, store } = setup(dir, keys, clock);
      for (let i = 0; i < 4; i += 1) {
        const r = outbox.accept(citizenSubmission(`sub-${boot}-${i}-xxxx`));
        if (r.ok) refs.push(r.reference);
      }
      store.close();
    }
    expect(refs).toHaveLength(12);
    expect(new Set(refs).size).toBe(12);
    // The clock stepping back a day later does not reuse numbers either.
    clock.advance(24 * 3600 * 1000);
    const { outbox, store } = setup(dir, keys, clock);
    const next = outbox.accept(citizenSubmission('sub-next-day'));
    expect(next.ok && next.reference).toBe(formatReference('T0001', '260125', nextReadableSequence('T0001', '260125', 0)));
    clock.advance(-24 * 3600 * 1000);
    const back = outbox.accept(citizenSubmission('sub-clock-back'));
    expect(back.ok && refs.includes(back.reference)).toBe(false);
    store.close();
  });

  it('stops accepting below the free-space threshold, and when there is no key', () => {
    const dir = tempDir();
    const store = openTestStore(dir);
    let free = 10 * 1024 ** 3;
    const outbox = new Outbox({ db: store.db, dataDir: dir, clock: new ManualClock(T0), terminalId: 'T0001', keys: [makeKeys().pub], minFreeBytes: 100 * 1024 ** 2, freeBytes: () => free });
    expect(outbox.canAccept()).toEqual({ ok: true });
    free = 50 * 1024 ** 2;
    expect(outbox.canAccept()).toEqual({ ok: false, reason: 'diskFull' });
    expect(outbox.accept(citizenSubmission('sub-low-disk'))).toEqual({ ok: false, reason: 'diskFull' });
    expect(outbox.all()).toHaveLength(0);
    const noKey = new Outbox({ db: store.db, dataDir: dir, clock: new ManualClock(T0), terminalId: 'T0001', keys: [] });
    expect(noKey.canAccept()).toEqual({ ok: false, reason: 'noKey' });
    store.close();
  });

  it('on a real SQLITE_FULL refuses without a reference, loses nothing promised, and recovers when space returns', () => {
    const { outbox, store, clock, keys } = setup();
    const promised: string[] = [];
    const first = outbox.accept(citizenSubmission('sub-before-full'));
    if (first.ok) promised.push(first.reference);
    const pages = Number(store.db.pragma('page_count', { simple: true }));
    store.db.pragma(`max_page_count = ${pages + 1}`);
    const big = citizenSubmission('sub-too-big', { pdf: Buffer.alloc(64 * 1024, 7) });
    expect(outbox.accept(big)).toEqual({ ok: false, reason: 'diskFull' });
    expect(outbox.canAccept()).toEqual({ ok: false, reason: 'diskFull' });
    expect(outbox.bySubmissionId('sub-too-big')).toBeUndefined();
    // What was promised is intact and opens.
    for (const ref of promised) expect(openSealed(outbox.blob(ref) ?? Buffer.alloc(0), [keys.priv]).header.reference).toBe(ref);
    // Space comes back: after the re-probe delay a test write succeeds and accepting resumes.
    store.db.pragma('max_page_count = 1073741823');
    clock.advance(11_000);
    expect(outbox.canAccept()).toEqual({ ok: true });
    const again = outbox.accept(big);
    expect(again.ok).toBe(true);
    expect(verifyAudit(store.db)).toMatchObject({ ok: true, count: 2 });
    store.close();
  });

  it('reports read-only when the database was opened read-only', () => {
    const { store, dir, keys } = setup();
    store.close();
    const ro = openTestStore(dir);
    ro.close();
    const Database = ro.db.constructor as new (file: string, options: { readonly: boolean }) => typeof ro.db;
    const db = new Database(path.join(dir, 'onevisit.sqlite'), { readonly: true });
    const outbox = new Outbox({ db, dataDir: dir, clock: new ManualClock(T0), terminalId: 'T0001', keys: [keys.pub], freeBytes: () => 10 * 1024 ** 3 });
    expect(outbox.canAccept()).toEqual({ ok: false, reason: 'readOnly' });
    db.close();
  });
});

describe('privacy of the data folder', () => {
  it('holds no name, ID number, phone or address of a submitted citizen (UTF-8 or UTF-16LE), in db, WAL, intake spool or logs', async () => {
    const dir = tempDir();
    const keys = makeKeys();
    const logFile = path.join(dir, 'logs', 'agent.log');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path.dirname(logFile), { recursive: true });
    const dest = pino.destination({ dest: logFile, sync: true });
    const log = createLogger({ level: 'debug', destination: dest });
    const store = openTestStore(dir);
    const runtime = createSubmissionRuntime({
      db: store.db,
      dataDir: dir,
      terminalId: 'T0001',
      clock: new ManualClock(T0),
      log,
      keys: [keys.pub],
      freeBytes: () => 10 * 1024 ** 3,
      intakeDir: path.join(dir, 'intake'),
      forms: {
        formVersion: () => '1.0.0',
        validate: () => [],
        fillPdf: () => Promise.resolve(fakePdf()),
      },
    });
    for (let i = 0; i < 3; i += 1) {
      const r = await runtime.service.submit({ formId: 'residence-permit', answers: { ...TEST_CITIZEN, n: i }, submissionId: `privacy-${i}-xxxx`, signaturePng: tinyPng(), scans: [tinyPng()] });
      expect(r.ok).toBe(true);
    }
    const tick = await runtime.worker.tick();
    expect(tick.delivered).toBe(3);
    dest.flushSync();
    const files = [...walk(dir)];
    expect(files.some((f) => f.endsWith('-wal'))).toBe(true);
    expect(files.some((f) => f.endsWith('.ovsl'))).toBe(true);
    expect(readFileSync(logFile, 'utf8')).toMatch(/submission accepted/);
    const needles = Object.values(TEST_CITIZEN).flatMap((v) => [Buffer.from(v, 'utf8'), Buffer.from(v, 'utf16le')]);
    const scan = (): string[] => {
      const hits: string[] = [];
      for (const f of walk(dir)) {
        const bytes = readFileSync(f);
        for (const needle of needles) if (bytes.includes(needle)) hits.push(path.relative(dir, f));
      }
      return hits;
    };
    expect(scan()).toEqual([]);
    await runtime.stop();
    store.close();
    expect(scan()).toEqual([]);
  });
});

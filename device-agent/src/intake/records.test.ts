/**
 * Supplements and ratings at the reference intake (issue 15), over real HTTP: the terminal's outbox
 * seals them and its HttpTarget delivers them to their routes, signed; the intake stores each once.
 * `case show` lists the supplements, `ratings list --bad` the bad ratings with their deadline,
 * `ratings followup` notes a follow-up.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { loadOrCreateTerminalKey, RequestVerifier } from '../crypto/request-signing.ts';
import { seal } from '../crypto/seal.ts';
import { HttpTarget } from '../outbox/delivery.ts';
import { Outbox } from '../outbox/outbox.ts';
import { formatReference } from '../outbox/reference.ts';
import { makeKeys, openTestStore, tempDir } from '../outbox/testing/fixtures.ts';
import { RatingService, loadReasons } from '../services/progress/rating-service.ts';
import { SupplementService, supplementRoute } from '../services/progress/supplement-service.ts';
import { RATING_FORM_ID } from './records.ts';
import { SqliteIntakeStore } from './sqlite-store.ts';
import { startIntakeServer } from './server.ts';
import { terminalKeys } from './terminals.ts';
import { intakeCli } from './testing/intake-cli.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const CASE = formatReference('T0001', '261204', 3);
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

async function setup(options: { withKey?: boolean } = {}) {
  const outDir = tempDir('onevisit-intake-');
  const dataDir = tempDir();
  const terminalKey = loadOrCreateTerminalKey(dataDir);
  expect((await intakeCli(['terminals', 'add', '--id', 'T0001', '--key', path.join(dataDir, 'keys', 'terminal.pub'), '--out', outDir])).code).toBe(0);
  const keys = makeKeys();
  const intakeStore = new SqliteIntakeStore(outDir);
  const { cases, records } = intakeStore;
  const intake = await startIntakeServer({
    port: 0,
    store: intakeStore,
    verifier: new RequestVerifier({ keys: terminalKeys(outDir) }),
    ...(options.withKey === false ? {} : { privateKeys: [keys.priv] }),
  });
  cleanup.push(async () => {
    await intake.close();
    await intakeStore.close();
  });
  const store = openTestStore(dataDir);
  cleanup.push(() => store.close());
  const clock = new ManualClock(Date.parse('2026-12-04T02:00:00Z'));
  const outbox = new Outbox({ db: store.db, dataDir, clock, terminalId: 'T0001', keys: [keys.pub], freeBytes: () => 1e12 });
  const target = new HttpTarget({ url: intake.url, signer: { terminalId: 'T0001', privateKey: terminalKey.privateKey, now: () => Date.now() } });
  const deliver = async (reference: string) => {
    const row = outbox.get(reference);
    const blob = outbox.blob(reference);
    if (!row || !blob) throw new Error('not in the outbox');
    return target.deliver(reference, blob, new AbortController().signal, row.route ?? undefined);
  };
  return { outDir, cases, records, outbox, deliver, keys, clock, target };
}

describe('supplements and ratings at the intake', () => {
  it('a supplement is stored once for its case; the same bytes again are a duplicate; case show lists it', async () => {
    const s = await setup();
    s.cases.set(CASE, { status: 'needMaterial', materials: ['户口簿复印件'] });
    const scans = { get: () => ({ scanId: 'x', createdMs: 0, pages: [{ png: PNG }] }), delete: () => true } as unknown as ConstructorParameters<typeof SupplementService>[0]['scans'];
    const service = new SupplementService({ outbox: s.outbox, scans });
    const handed = service.submit({ caseReference: CASE, materialId: 'm1', scanIds: ['x'] });
    if (!handed.ok) throw new Error(handed.reason);
    expect(s.outbox.get(handed.reference)?.route).toBe(supplementRoute(CASE, 'm1'));
    expect(await s.deliver(handed.reference)).toEqual({ kind: 'delivered', httpStatus: 201 });
    expect(await s.deliver(handed.reference)).toEqual({ kind: 'delivered', httpStatus: 200 });
    expect(s.records.supplementsOf(CASE)).toEqual([expect.objectContaining({ id: handed.reference, materialId: 'm1' })]);
    const shown = await intakeCli(['case', 'show', CASE, '--out', s.outDir]);
    expect(JSON.parse(shown.out)).toMatchObject({ reference: CASE, status: 'needMaterial', supplements: [{ id: handed.reference, materialId: 'm1' }] });
  });

  it('refuses a supplement for an unknown case (404, dead letter) and one whose path names another material (tampered)', async () => {
    const s = await setup();
    const scans = { get: () => ({ scanId: 'x', createdMs: 0, pages: [{ png: PNG }] }), delete: () => true } as unknown as ConstructorParameters<typeof SupplementService>[0]['scans'];
    const service = new SupplementService({ outbox: s.outbox, scans });
    const unknown = service.submit({ caseReference: CASE, materialId: 'm1', scanIds: ['x'] });
    if (!unknown.ok) throw new Error(unknown.reason);
    expect(await s.deliver(unknown.reference)).toEqual({ kind: 'rejected', errorCode: 'http404', httpStatus: 404 });
    s.cases.set(CASE, { status: 'needMaterial', materials: ['a', 'b'] });
    const blob = s.outbox.blob(unknown.reference);
    if (!blob) throw new Error('no blob');
    expect(await s.target.deliver(unknown.reference, blob, new AbortController().signal, supplementRoute(CASE, 'm2'))).toEqual({ kind: 'rejected', errorCode: 'http400', httpStatus: 400 });
    expect(s.records.supplementsOf(CASE)).toEqual([]);
  });

  it('ratings: a bad one with its follow-up deadline in ratings list --bad, a follow-up noted; without the key the intake says retry later', async () => {
    const s = await setup();
    const ratings = new RatingService({
      outbox: s.outbox,
      clock: s.clock,
      // 2026-12-04 is a Friday; 15 working days on a Monday–Friday calendar end on 2026-12-25.
      calendar: () => ({ nthWorkingDayAfter: (date: string, n: number) => (date === '2026-12-04' && n === 15 ? '2026-12-25' : undefined) }),
      reasons: loadReasons(undefined),
    });
    const bad = ratings.submit({ reference: CASE, service: 'application', level: 1, reasons: ['deviceFault', 'other'], comment: '扫描仪卡纸' });
    const good = ratings.submit({ service: 'booking', level: 4 });
    if (!bad.ok || !good.ok) throw new Error('not accepted');
    expect(bad.followUpBy).toBe('2026-12-25');
    expect(await s.deliver(bad.reference)).toEqual({ kind: 'delivered', httpStatus: 201 });
    expect(await s.deliver(bad.reference)).toEqual({ kind: 'delivered', httpStatus: 200 });
    expect(await s.deliver(good.reference)).toEqual({ kind: 'delivered', httpStatus: 201 });
    const all = JSON.parse((await intakeCli(['ratings', 'list', '--out', s.outDir])).out) as unknown[];
    expect(all).toHaveLength(2);
    const listed = await intakeCli(['ratings', 'list', '--bad', '--out', s.outDir]);
    expect(JSON.parse(listed.out)).toEqual([
      expect.objectContaining({ id: bad.reference, reference: CASE, service: 'application', level: 1, reasons: ['deviceFault', 'other'], followUpBy: '2026-12-25', reasonsVersion: '2026.1', followUps: [] }),
    ]);
    expect((await intakeCli(['ratings', 'followup', bad.reference, '--note', '已致电，设备已修复', '--out', s.outDir])).code).toBe(0);
    expect(s.records.rating(bad.reference)?.followUps).toEqual([expect.objectContaining({ note: '已致电，设备已修复' })]);
    expect((await intakeCli(['ratings', 'followup', good.reference.replace(/.$/, 'X'), '--note', 'x', '--out', s.outDir])).code).not.toBe(0);
  });

  it('an intake without the back office key answers 503 to a rating (kept and retried), and refuses a rating sent as a supplement', async () => {
    const s = await setup({ withKey: false });
    const ratings = new RatingService({ outbox: s.outbox, clock: s.clock, calendar: () => ({ nthWorkingDayAfter: () => '2026-12-25' }), reasons: loadReasons(undefined) });
    const r = ratings.submit({ service: 'pickup', level: 3 });
    if (!r.ok) throw new Error('not accepted');
    expect(await s.deliver(r.reference)).toEqual({ kind: 'retry', errorCode: 'http503', httpStatus: 503 });
    s.cases.set(CASE, { status: 'needMaterial', materials: ['a'] });
    const blob = s.outbox.blob(r.reference);
    if (!blob) throw new Error('no blob');
    expect(await s.target.deliver(r.reference, blob, new AbortController().signal, supplementRoute(CASE, 'm1'))).toEqual({ kind: 'rejected', errorCode: 'http400', httpStatus: 400 });
    // Sealed as a rating by another terminal's reference: refused before anything is stored.
    const foreign = seal(s.keys.pub, { reference: formatReference('T0002', '261204', 1), formId: RATING_FORM_ID, formVersion: '1', terminalId: 'T0002', createdAt: new Date().toISOString() }, { answers: {}, parts: [] });
    expect(await s.target.deliver(formatReference('T0002', '261204', 1), foreign, new AbortController().signal, '/v1/ratings')).toEqual({ kind: 'rejected', errorCode: 'http403', httpStatus: 403 });
    expect(s.records.ratings()).toEqual([]);
  });
});

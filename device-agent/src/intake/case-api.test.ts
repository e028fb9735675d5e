/**
 * The case API (issue 15): `npm run intake -- case set` on one side, the terminal's adapter
 * (HttpBackOffice, signed requests) on the other, over real HTTP.
 */
import { createHmac } from 'node:crypto';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateTerminalKey, RequestVerifier } from '../crypto/request-signing.ts';
import { formatReference } from '../outbox/reference.ts';
import { tempDir } from '../outbox/testing/fixtures.ts';
import { HttpBackOffice } from '../services/progress/back-office.ts';
import { CaseStore } from './cases.ts';
import { intakeCli } from './testing/intake-cli.ts';
import { startIntakeServer } from './server.ts';
import { terminalKeys } from './terminals.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const cli = intakeCli;

const REF_A = formatReference('T0001', '260123', 1);
const REF_B = formatReference('T0001', '260124', 2);
const PERSON = createHmac('sha256', 'hall secret').update('11010519491231002X').digest('hex');

async function setup(): Promise<{ backOffice: HttpBackOffice; stranger: HttpBackOffice; outDir: string; url: string }> {
  const outDir = tempDir('onevisit-intake-');
  const dataDir = tempDir();
  const key = loadOrCreateTerminalKey(dataDir);
  expect((await cli(['terminals', 'add', '--id', 'T0001', '--key', path.join(dataDir, 'keys', 'terminal.pub'), '--out', outDir])).code).toBe(0);
  const intake = await startIntakeServer({ port: 0, outDir, verifier: new RequestVerifier({ keys: terminalKeys(outDir) }) });
  cleanup.push(() => intake.close());
  const url = `http://127.0.0.1:${intake.port}`;
  const backOffice = new HttpBackOffice({ baseUrl: url, terminalId: 'T0001', privateKey: key.privateKey, now: Date.now });
  const stranger = new HttpBackOffice({ baseUrl: url, terminalId: 'T0009', privateKey: loadOrCreateTerminalKey(tempDir()).privateKey, now: Date.now });
  return { backOffice, stranger, outDir, url };
}

describe('the case API against the terminal adapter', () => {
  it('case set needMaterial with materials → GET /v1/cases/{reference} shows status, timeline and materials', async () => {
    const s = await setup();
    expect((await cli(['case', 'set', REF_A, '--status', 'received', '--person-key', PERSON, '--out', s.outDir])).code).toBe(0);
    expect((await cli(['case', 'set', REF_A, '--status', 'needMaterial', '--material', '户口簿复印件', '--material', '近期照片', '--out', s.outDir])).code).toBe(0);
    const r = await s.backOffice.getCase(REF_A);
    if (!r.ok) throw new Error(r.reason);
    expect(r.case.status).toBe('needMaterial');
    expect(r.case.materials).toEqual([
      { id: 'm1', description: '户口簿复印件' },
      { id: 'm2', description: '近期照片' },
    ]);
    expect(r.case.steps.map((step) => step.name)).toEqual(['received', 'needMaterial']);
    expect(r.case.steps[0]?.endedAt).toBeDefined();
    expect(r.case.steps[1]?.endedAt).toBeUndefined();
    const shown = await cli(['case', 'show', REF_A, '--out', s.outDir]);
    expect(JSON.parse(shown.out)).toEqual(r.case);
    expect(await s.backOffice.getCase(REF_B)).toEqual({ ok: false, reason: 'unknownCase' });
  });

  it('case set readyForPickup says where: the cabinet, a window, or posted with its tracking number', async () => {
    const s = await setup();
    expect((await cli(['case', 'set', REF_A, '--status', 'readyForPickup', '--pickup', 'cabinet', '--out', s.outDir])).code).toBe(0);
    const cabinet = await s.backOffice.getCase(REF_A);
    expect(cabinet.ok && cabinet.case.pickup).toEqual({ kind: 'cabinet' });
    expect((await cli(['case', 'set', REF_B, '--status', 'readyForPickup', '--tracking', 'SF1234567890', '--out', s.outDir])).code).toBe(0);
    const posted = await s.backOffice.getCase(REF_B);
    expect(posted.ok && posted.case.pickup).toEqual({ kind: 'post', trackingNumber: 'SF1234567890' });
    expect((await cli(['case', 'set', REF_A, '--status', 'readyForPickup', '--pickup', 'window', '--where', '3号窗口', '--out', s.outDir])).code).toBe(0);
    const window = await s.backOffice.getCase(REF_A);
    expect(window.ok && window.case.pickup).toEqual({ kind: 'window', where: '3号窗口' });
    // Refused as usage errors: a place for another status, an unknown kind, a tracking number not posted.
    expect((await cli(['case', 'set', REF_A, '--status', 'approved', '--pickup', 'window', '--out', s.outDir])).code).toBe(2);
    expect((await cli(['case', 'set', REF_A, '--status', 'readyForPickup', '--pickup', 'drone', '--out', s.outDir])).code).toBe(2);
    expect((await cli(['case', 'set', REF_A, '--status', 'readyForPickup', '--pickup', 'window', '--tracking', 'X1', '--out', s.outDir])).code).toBe(2);
  });

  it('lookup by person key (in the body) lists all of a person’s cases, newest first; nobody else’s', async () => {
    const s = await setup();
    // The back office's own store on a manual clock: REF_A changed before REF_B.
    let nowMs = Date.parse('2026-01-24T02:00:00Z');
    const store = new CaseStore(s.outDir, () => nowMs);
    cleanup.push(() => store.close());
    store.set(REF_A, { status: 'inReview', personKey: PERSON });
    nowMs += 60_000;
    store.set(REF_B, { status: 'approved', personKey: PERSON });
    const r = await s.backOffice.lookup(PERSON);
    if (!r.ok) throw new Error(r.reason);
    expect(r.cases.map((c) => c.reference)).toEqual([REF_B, REF_A]);
    expect(await s.backOffice.lookup('0'.repeat(64))).toEqual({ ok: true, cases: [] });
  });

  it('refuses an unregistered terminal and unsigned requests; an unreachable intake is a value', async () => {
    const s = await setup();
    expect((await cli(['case', 'set', REF_A, '--status', 'accepted', '--out', s.outDir])).code).toBe(0);
    expect(await s.stranger.getCase(REF_A)).toEqual({ ok: false, reason: 'refused' });
    const unsigned = await fetch(`${s.url}/v1/cases/${REF_A}`);
    expect(unsigned.status).toBe(401);
    const down = new HttpBackOffice({ baseUrl: 'http://127.0.0.1:9', terminalId: 'T0001', privateKey: loadOrCreateTerminalKey(tempDir()).privateKey, now: Date.now });
    expect(await down.getCase(REF_A)).toEqual({ ok: false, reason: 'unreachable' });
  });

  it('case set refuses an unknown status and a bad reference', async () => {
    const outDir = tempDir();
    expect((await cli(['case', 'set', REF_A, '--status', 'lost', '--out', outDir])).code).toBe(2);
    expect((await cli(['case', 'set', 'T0001-260123-0001-0', '--status', 'received', '--out', outDir])).code).toBe(2);
  });
});

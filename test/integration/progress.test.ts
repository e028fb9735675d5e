/**
 * The back-office link over the WebSocket API and real HTTP (issue 15): a real agent (dev mode,
 * simulators) delivers to a real reference intake (`startIntakeServer` with cases, supplements,
 * ratings, the back office's private key and a register holding this terminal's key).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import './declared-errors.ts';
import { createAgent, type Agent, type StartedAgent } from '../../device-agent/src/app.ts';
import { defaultConfig } from '../../device-agent/src/config.ts';
import { loadOrCreateTerminalKey } from '../../device-agent/src/crypto/request-signing.ts';
import { RequestVerifier } from '../../device-agent/src/crypto/request-signing.ts';
import { findSampleIdentity } from '../../device-agent/src/devices/id-card/sample-identities.ts';
import type { CaseStore } from '../../device-agent/src/intake/cases.ts';
import type { RecordStore } from '../../device-agent/src/intake/records.ts';
import { SqliteIntakeStore } from '../../device-agent/src/intake/sqlite-store.ts';
import { startIntakeServer, type IntakeServer } from '../../device-agent/src/intake/server.ts';
import { addTerminal, terminalKeys } from '../../device-agent/src/intake/terminals.ts';
import { silentLogger } from '../../device-agent/src/log.ts';
import { makeKeys } from '../../device-agent/src/outbox/testing/fixtures.ts';
import { formatReference } from '../../device-agent/src/outbox/reference.ts';
import { loadOrCreatePersonSecret, personKeyOf } from '../../device-agent/src/services/booking/person-key.ts';
import { successPayload, TestClient } from './client.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Rig = { started: StartedAgent; agent: Agent; intake: IntakeServer; cases: CaseStore; records: RecordStore; dataDir: string };

async function rig(): Promise<Rig> {
  const root = mkdtempSync(path.join(tmpdir(), 'onevisit-progress-'));
  const dataDir = path.join(root, 'data');
  const outDir = path.join(root, 'intake');
  const distDir = path.join(root, 'dist');
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const keys = makeKeys();
  const keyFile = path.join(root, 'backoffice.pub');
  writeFileSync(keyFile, keys.publicPem);
  // The terminal's key pair as it makes it at first start, registered with the intake.
  loadOrCreateTerminalKey(dataDir);
  const added = addTerminal(outDir, 'T0001', readFileSync(path.join(dataDir, 'keys', 'terminal.pub'), 'utf8'));
  expect(added.ok).toBe(true);
  const intakeStore = new SqliteIntakeStore(outDir);
  const { cases, records } = intakeStore;
  const intake = await startIntakeServer({ port: 0, store: intakeStore, privateKeys: [keys.priv], verifier: new RequestVerifier({ keys: terminalKeys(outDir) }) });
  cleanups.push(async () => {
    await intake.close();
    await intakeStore.close();
  });
  const agent = createAgent(defaultConfig({ port: 0, dev: true, dataDir, intakeUrl: intake.url, backofficeKeyFile: keyFile }), { log: silentLogger(), distDir });
  cleanups.push(() => agent.stop());
  const started = await agent.start();
  return { started, agent, intake, cases, records, dataDir };
}

async function citizen(r: Rig): Promise<TestClient> {
  const client = await TestClient.authenticated(r.started.url, r.started.token);
  cleanups.push(() => client.close());
  return client;
}

describe('Progress.Query, Supplement.Submit, Rating.Submit against the reference intake', () => {
  it('a case waiting for a material: found by card and by reference, the material scanned and delivered once, a bad rating with its deadline', async () => {
    const r = await rig();
    const person = findSampleIdentity('standard')?.identity;
    if (!person) throw new Error('no sample identity');
    const reference = formatReference('T0001', '261204', 7);
    const personKey = personKeyOf(person, loadOrCreatePersonSecret(r.dataDir));
    r.cases.set(reference, { status: 'received', personKey });
    r.cases.set(reference, { status: 'needMaterial', materials: ['户口簿复印件'] });
    const kiosk = await citizen(r);

    expect((await kiosk.send('Progress.Query', {})).completion.header).toMatchObject({ errorCode: 'noCard' });
    // A typo: the check character catches it before the back office is asked.
    const typo = `${reference.slice(0, -1)}${reference.endsWith('1') ? '2' : '1'}`;
    expect((await kiosk.send('Progress.Query', { reference: typo })).completion.header).toMatchObject({ errorCode: 'invalidReference' });
    expect((await kiosk.send('Progress.Query', { reference: formatReference('T0001', '261204', 9) })).completion.header).toMatchObject({ errorCode: 'unknownCase' });
    // Typed on a keypad, without hyphens.
    const byReference = successPayload('Progress.Query', await kiosk.send('Progress.Query', { reference: reference.replace(/-/g, '').toLowerCase() }));
    expect(byReference.cases).toEqual([expect.objectContaining({ reference, status: 'needMaterial', materials: [{ id: 'm1', description: '户口簿复印件' }] })]);
    expect(byReference.cases[0]?.steps.map((s) => s.name)).toEqual(['received', 'needMaterial']);

    await kiosk.send('Dev.InsertCard', { identity: 'standard' });
    expect((await kiosk.send('IdCard.Read', {})).completion.header.completionCode).toBe('success');
    const mine = successPayload('Progress.Query', await kiosk.send('Progress.Query', {}));
    expect(mine.cases.map((c) => c.reference)).toEqual([reference]);

    // Scan the material; only a material the back office asked for, of a case this session looked up.
    await kiosk.send('Scanner.PlaceSampleDocument', { kind: 'residenceCertificate' });
    const { scanId } = successPayload('Scanner.Scan', await kiosk.send('Scanner.Scan', {}));
    expect((await kiosk.send('Supplement.Submit', { reference, materialId: 'm9', scanIds: [scanId] })).completion.header).toMatchObject({ errorCode: 'materialNotRequested' });
    expect((await kiosk.send('Supplement.Submit', { reference: formatReference('T0001', '261204', 9), materialId: 'm1', scanIds: [scanId] })).completion.header).toMatchObject({
      errorCode: 'caseNotQueried',
    });
    expect((await kiosk.send('Supplement.Submit', { reference, materialId: 'm1', scanIds: ['no-such-scan'] })).completion.header).toMatchObject({ errorCode: 'unknownScan' });
    const supplementId = '6f1c1d8e-7e2a-4f8e-9d1b-2a3c4d5e6f70';
    const handed = successPayload('Supplement.Submit', await kiosk.send('Supplement.Submit', { reference, materialId: 'm1', scanIds: [scanId], supplementId }));
    expect(handed.receipt).toBe('printed');
    expect(handed.supplementReference).toMatch(/^T0001-/);
    await vi.waitFor(() => expect(r.records.supplementsOf(reference)).toEqual([expect.objectContaining({ id: handed.supplementReference, materialId: 'm1', terminalId: 'T0001' })]), { timeout: 10_000 });
    // The scan was sealed away: it is gone from memory, so the same scan cannot be handed in twice.
    expect((await kiosk.send('Supplement.Submit', { reference, materialId: 'm1', scanIds: [scanId] })).completion.header).toMatchObject({ errorCode: 'unknownScan' });

    // 好差评: the reasons are hall data; a bad rating needs one and gets a deadline in working days.
    const reasons = successPayload('Rating.Reasons', await kiosk.send('Rating.Reasons', {}));
    expect(reasons.reasons.map((x) => x.id)).toContain('longWait');
    expect((await kiosk.send('Rating.Submit', { service: 'supplement', level: 2 })).completion.header).toMatchObject({ errorCode: 'reasonRequired' });
    const unknown = await kiosk.send('Rating.Submit', { service: 'supplement', level: 2, reasons: ['rude'] });
    expect(unknown.completion.header).toMatchObject({ errorCode: 'unknownReason' });
    const bad = successPayload('Rating.Submit', await kiosk.send('Rating.Submit', { reference, service: 'supplement', level: 2, reasons: ['longWait'], comment: '排队太久' }));
    expect(bad.followUpBy).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const good = successPayload('Rating.Submit', await kiosk.send('Rating.Submit', { service: 'query', level: 5 }));
    expect(good.followUpBy).toBeUndefined();
    await vi.waitFor(() => expect(r.records.ratings()).toHaveLength(2), { timeout: 10_000 });
    expect(r.records.ratings({ bad: true })).toEqual([
      expect.objectContaining({ id: bad.ratingReference, reference, service: 'supplement', level: 2, reasons: ['longWait'], comment: '排队太久', followUpBy: bad.followUpBy, bad: true }),
    ]);
    expect(r.records.followUp(bad.ratingReference, '已回访')?.followUps).toEqual([expect.objectContaining({ note: '已回访' })]);

    // The back office goes away: the answer says so, with what the terminal knows of its own submissions.
    await r.intake.close();
    const offline = await kiosk.send('Progress.Query', { reference });
    expect(offline.completion.header).toMatchObject({ completionCode: 'deviceNotReady', errorCode: 'backOfficeUnavailable' });
    expect(offline.completion.payload).toEqual({ local: [] });
    expect((await kiosk.send('Progress.Query', {})).completion.header).toMatchObject({ errorCode: 'backOfficeUnavailable' });
  });

  it('an application filed with the card is found by the card at once: the signed person key came with the submission (no case set)', async () => {
    const r = await rig();
    const kiosk = await citizen(r);
    await kiosk.send('Dev.InsertCard', { identity: 'standard' });
    expect((await kiosk.send('IdCard.Read', {})).completion.header.completionCode).toBe('success');
    const answers = { phone: '13812345678', residenceAddress: '北京市朝阳区望京街道阜通东大街6号院2号楼1203室', residenceSince: '2022-09-01', basis: 'employment', employer: '北京某某科技有限公司' };
    const filled = successPayload('Forms.Fill', await kiosk.send('Forms.Fill', { formId: 'residence-permit', answers }));
    const { reference } = successPayload('Forms.Submit', await kiosk.send('Forms.Submit', { formId: 'residence-permit', answers: filled.answers }));
    // Delivered by the agent's own outbox worker, signed; the intake makes the case received with the key.
    await vi.waitFor(() => expect(r.cases.get(reference)?.status).toBe('received'), { timeout: 15_000 });
    const person = findSampleIdentity('standard')?.identity;
    if (!person) throw new Error('no sample identity');
    expect(r.cases.byPerson(personKeyOf(person, loadOrCreatePersonSecret(r.dataDir))).map((c) => c.reference)).toEqual([reference]);
    const mine = successPayload('Progress.Query', await kiosk.send('Progress.Query', {}));
    expect(mine.cases).toEqual([expect.objectContaining({ reference, status: 'received' })]);
  });
});

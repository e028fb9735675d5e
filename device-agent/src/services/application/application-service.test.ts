import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sampleSignaturePng } from '@onevisit/forms';
import { ManualClock } from '../../clock.ts';
import { openSealed } from '../../crypto/seal.ts';
import { findSampleIdentity } from '../../devices/id-card/sample-identities.ts';
import { SimulatedA4Printer } from '../../devices/printer/simulator.ts';
import { SimulatedReceiptPrinter } from '../../devices/receipt-printer/simulator.ts';
import { createSubmissionRuntime, type SubmissionRuntime } from '../../outbox/service.ts';
import { makeKeys, openTestStore, tempDir, type TestKeys } from '../../outbox/testing/fixtures.ts';
import type { Identity } from '@onevisit/protocol';
import { ApplicationService, buildReceipt, type ApplicationSession } from './application-service.ts';
import { DEFAULT_FORMS_DIR, FormCatalog } from './form-catalog.ts';
import { VisitMemory } from './visit-memory.ts';

const NOW_MS = Date.parse('2026-11-23T02:14:00+08:00');
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

let catalog: FormCatalog;
let identity: Identity;
beforeAll(async () => {
  catalog = await FormCatalog.load(DEFAULT_FORMS_DIR);
  const sample = findSampleIdentity('standard');
  if (!sample) throw new Error('sample identity missing');
  identity = sample.identity;
});

const ANSWERS = {
  phone: '13812345678',
  residenceAddress: '北京市朝阳区望京街道阜通东大街6号院2号楼1203室',
  residenceSince: '2022-09-01',
  basis: 'employment',
  employer: '北京某某科技有限公司',
};

function setup(): { service: ApplicationService; runtime: SubmissionRuntime; keys: TestKeys; session: ApplicationSession; receipt: SimulatedReceiptPrinter } {
  const clock = new ManualClock(NOW_MS);
  const receipt = new SimulatedReceiptPrinter({ clock });
  const printer = new SimulatedA4Printer({ spoolDir: path.join(tempDir(), 'spool'), clock });
  const service = new ApplicationService({ catalog, clock, terminalId: 'T0042', printer, receiptPrinter: receipt });
  const keys = makeKeys();
  const store = openTestStore();
  const runtime = createSubmissionRuntime({
    db: store.db,
    dataDir: store.dataDir,
    terminalId: 'T0042',
    clock,
    keys: [keys.pub],
    intakeDir: path.join(tempDir(), 'in'),
    freeBytes: () => 1e12,
    forms: service.submissionPort(),
  });
  cleanup.push(async () => {
    await runtime.stop();
    store.close();
  });
  return { service, runtime, keys, session: { identity, application: new VisitMemory() }, receipt };
}

describe('ApplicationService', () => {
  it('fills the PDF with the reference the outbox reserved, the terminal id and the signature, then seals it', async () => {
    const { service, runtime, keys, session } = setup();
    const prepared = service.prepare(session, 'residence-permit', ANSWERS);
    if (!prepared.ok) throw new Error(`not prepared: ${JSON.stringify(prepared.errors)}`);
    const result = await runtime.service.submit({ formId: 'residence-permit', answers: prepared.answers, signaturePng: sampleSignaturePng() });
    if (!result.ok) throw new Error(result.code);
    expect(result.pdf?.byteLength).toBeGreaterThan(1000);
    const blob = runtime.outbox.blob(result.reference);
    if (!blob) throw new Error('no blob');
    const opened = openSealed(blob, [keys.priv]);
    const pdf = opened.content.parts.find((p) => p.name === 'application.pdf');
    if (!pdf) throw new Error('no PDF sealed');
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: pdf.bytes }).toString('utf8');
    expect(text).toContain(result.reference);
    expect(text).toContain('T0042');
    expect(text).toContain(identity.name);
    expect(opened.header.formVersion).toBe('1.0.0');
  });

  it('a fill that fails commits nothing, and its reserved number is never handed out again', async () => {
    const { runtime } = setup();
    // A character no font has: the filler refuses rather than print an empty box.
    const full = { ...ANSWERS, name: identity.name, sex: 'male', birthDate: identity.birthDate, idNumber: identity.idNumber, hukouAddress: identity.address };
    const bad = await runtime.service.submit({ formId: 'residence-permit', answers: { ...full, employer: '\u{10FFFD}公司' } });
    expect(bad).toEqual({ ok: false, code: 'fillFailed' });
    expect(runtime.outbox.status().counts.pending).toBe(0);
    const ok = await runtime.service.submit({ formId: 'residence-permit', answers: full });
    if (!ok.ok) throw new Error(ok.code);
    // The first number of the day went to the failed attempt.
    expect(ok.reference).not.toMatch(/-0001-/);
  });

  it('Forms.Fill: a character no font has is a field error, not an empty box', async () => {
    const { service, session } = setup();
    const r = await service.fill(session, 'residence-permit', { ...ANSWERS, employer: '\u{10FFFD}公司' });
    expect(r).toEqual({ ok: false, code: 'validationFailed', errors: [{ field: 'employer', code: 'unprintableCharacter' }] });
    const good = await service.fill(session, 'residence-permit', ANSWERS);
    expect(good).toMatchObject({ ok: true, pages: 1, answers: { name: identity.name, sex: 'male' } });
  });

  it('validates through the port against the package', async () => {
    const port = setup().service.submissionPort();
    expect(await port.formVersion('residence-permit')).toBe('1.0.0');
    expect(await port.formVersion('nope')).toBeUndefined();
    const errors = await port.validate?.('residence-permit', { phone: '1' });
    expect(errors).toEqual(expect.arrayContaining([{ field: 'phone', code: 'invalidPhone' }, { field: 'name', code: 'required' }]));
  });

  it('prints a receipt with the reference, title, date, terminal and QR code, and no personal data', async () => {
    const { service, session, receipt } = setup();
    await receipt.start();
    service.recordSubmission(session, { reference: 'T0042-261123-0003-7', formId: 'residence-permit', acceptedAtMs: NOW_MS, pdf: new Uint8Array([37]) });
    const result = await service.printReceipt(session, 'T0042-261123-0003-7');
    expect(result).toEqual({ kind: 'printed' });
    const text = receipt.lastText() ?? '';
    expect(text).toContain('T0042-261123-0003-7');
    expect(text).toContain('居住证申领');
    expect(text).toContain('2026年11月23日 02:14');
    const app = session.application.application('T0042-261123-0003-7');
    if (!app) throw new Error('not recorded');
    const doc = buildReceipt(app, catalog.get('residence-permit'), 'T0042');
    expect(doc.blocks).toContainEqual(expect.objectContaining({ kind: 'qr', data: 'T0042-261123-0003-7' }));
    expect(JSON.stringify(doc)).not.toContain(identity.name);
    expect(await service.printReceipt(session, 'T0042-261123-0099-7')).toEqual({ kind: 'notFound' });
  });
});

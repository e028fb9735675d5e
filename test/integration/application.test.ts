import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import './declared-errors.ts';
import { sampleSignaturePng } from '@onevisit/forms';
import { createAgent, type Agent, type StartedAgent } from '../../device-agent/src/app.ts';
import { ManualClock } from '../../device-agent/src/clock.ts';
import { defaultConfig } from '../../device-agent/src/config.ts';
import { generateBackofficeKeyPair, openSealed, parsePrivateKeys } from '../../device-agent/src/crypto/seal.ts';
import { findSampleIdentity } from '../../device-agent/src/devices/id-card/sample-identities.ts';
import { SimulatedA4Printer } from '../../device-agent/src/devices/printer/simulator.ts';
import { SimulatedReceiptPrinter } from '../../device-agent/src/devices/receipt-printer/simulator.ts';
import { silentLogger } from '../../device-agent/src/log.ts';
import { successPayload, TestClient } from './client.ts';

/**
 * Issue 4 end to end over the WebSocket, in process, on simulated devices: the form catalogue,
 * prefill from the card, the filled PDF, per-field validation errors, submission through the
 * sealed outbox (issue 5), a second form of the same visit reusing answers, A4 and receipt
 * printing, and a failed print retried.
 */

const running: Agent[] = [];
const clients: TestClient[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(running.splice(0).map((a) => a.stop()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// 02:14 at night in Shanghai: after hours, the case the outbox exists for.
const NOW_MS = Date.parse('2026-11-23T02:14:00+08:00');

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

type Started = StartedAgent & { agent: Agent; privatePem: string };

async function startAgent(): Promise<Started> {
  const keys = generateBackofficeKeyPair();
  const keyDir = tempDir('onevisit-keys-');
  const pubFile = path.join(keyDir, 'backoffice.pub');
  writeFileSync(pubFile, keys.publicPem);
  const config = defaultConfig({
    port: 0,
    dev: true,
    dataDir: tempDir('onevisit-app-data-'),
    intakeDir: tempDir('onevisit-app-intake-'),
    backofficeKeyFile: pubFile,
  });
  const agent = createAgent(config, { log: silentLogger(), distDir: tempDir('onevisit-dist-'), clock: new ManualClock(NOW_MS) });
  running.push(agent);
  return { ...(await agent.start()), agent, privatePem: keys.privatePem };
}

async function connect(started: StartedAgent): Promise<TestClient> {
  const client = await TestClient.authenticated(started.url, started.token);
  clients.push(client);
  return client;
}

async function readCard(client: TestClient, key = 'standard'): Promise<void> {
  successPayload('Dev.InsertCard', await client.send('Dev.InsertCard', { identity: key }));
  successPayload('IdCard.Read', await client.send('IdCard.Read', {}));
}

function pdfText(pdf: Uint8Array): string {
  return execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: pdf }).toString('utf8');
}

function receiptSim(agent: Agent): SimulatedReceiptPrinter {
  const sim = agent.devices.simulators.get('receiptPrinter');
  if (!(sim instanceof SimulatedReceiptPrinter)) throw new Error('expected the simulated receipt printer');
  return sim;
}

function a4Sim(agent: Agent): SimulatedA4Printer {
  const sim = agent.devices.simulators.get('printer');
  if (!(sim instanceof SimulatedA4Printer)) throw new Error('expected the simulated A4 printer');
  return sim;
}

const STANDARD = findSampleIdentity('standard')?.identity;

/** What the citizen adds to the residence permit form after the card prefilled it. */
const RESIDENCE_ANSWERS = {
  phone: '13812345678',
  residenceAddress: '北京市朝阳区望京街道阜通东大街6号院2号楼1203室',
  residenceSince: '2022-09-01',
  basis: 'employment',
  employer: '北京某某科技有限公司',
};

describe('Forms.* and Application.* over the WebSocket', () => {
  it('lists the six forms with the named fields, titles in both languages and the 一次性告知单', async () => {
    const started = await startAgent();
    const kiosk = await connect(started);
    const { forms } = successPayload('Forms.List', await kiosk.send('Forms.List', {}));
    expect(forms.map((f) => f.id).sort()).toEqual([
      'flexible-employment-insurance',
      'no-criminal-record',
      'real-estate-record-inquiry',
      'residence-permit',
      'resident-medical-insurance',
      'social-security-card-replacement',
    ]);
    const permit = forms.find((f) => f.id === 'residence-permit');
    expect(permit).toMatchObject({ version: '1.0.0', title: '居住证申领', titleEn: 'Residence permit application', requiresIdentity: true });
    expect(permit?.fields).toContainEqual({ id: 'name', type: 'text', required: true });
    expect(permit?.fields).toContainEqual({ id: 'employer', type: 'text', required: false });
    expect(permit?.identityFields).toEqual(expect.arrayContaining(['name', 'idNumber', 'hukouAddress']));
    expect(permit?.notice.materials.length).toBeGreaterThan(0);
    expect(permit?.definition.sections[0]?.fields[0]?.label).toEqual({ 'zh-CN': '姓名', en: 'Name' });
    const medical = forms.find((f) => f.id === 'resident-medical-insurance');
    // Only a group has `fields` (the definition is the package's own discriminated union).
    expect((medical?.definition.sections.flatMap((s) => s.fields).find((f) => f.id === 'members') as { fields?: unknown[] } | undefined)?.fields?.length).toBeGreaterThan(0);
    for (const form of forms) {
      for (const field of form.fields) expect(Object.keys(field).sort()).toEqual(['id', 'required', 'type']);
    }
    const one = successPayload('Forms.Get', await kiosk.send('Forms.Get', { formId: 'no-criminal-record' }));
    expect(one.form.title).toBe('无犯罪记录证明申请');
    expect((await kiosk.send('Forms.Get', { formId: 'nope' })).completion.header).toMatchObject({ completionCode: 'invalidData', errorCode: 'unknownForm' });
  });

  it('needs the card: Forms.Prefill and Forms.Fill without an identity are identityRequired', async () => {
    const started = await startAgent();
    const kiosk = await connect(started);
    const fill = await kiosk.send('Forms.Fill', { formId: 'residence-permit', answers: RESIDENCE_ANSWERS });
    expect(fill.completion.header).toMatchObject({ completionCode: 'userError', errorCode: 'identityRequired' });
    const prefill = await kiosk.send('Forms.Prefill', { formId: 'residence-permit' });
    expect(prefill.completion.header).toMatchObject({ completionCode: 'userError', errorCode: 'identityRequired' });
  });

  it('a foreign permanent-residence card: nationality in words, its own number, the English name, no household address (issue 10)', async () => {
    const started = await startAgent();
    const kiosk = await connect(started);
    await readCard(kiosk, 'foreign');
    const prefill = successPayload('Forms.Prefill', await kiosk.send('Forms.Prefill', { formId: 'residence-permit' }));
    expect(prefill.answers).toMatchObject({
      cardType: 'foreignPermanent',
      nationality: '加拿大',
      permanentResidenceNumber: '911124198503120011',
      englishName: 'JOHNSON MARK DAVID',
    });
    // The nationality code is never an ethnic group, and the number is not a citizen's.
    expect(prefill.answers['nation']).toBeUndefined();
    expect(prefill.answers['idNumber']).toBeUndefined();
    expect(prefill.lockedFields).toEqual(expect.arrayContaining(['nationality', 'permanentResidenceNumber', 'englishName']));
    // No 户籍地址 to invent: the form fills and the paper carries the card's facts.
    const filled = successPayload('Forms.Fill', await kiosk.send('Forms.Fill', { formId: 'residence-permit', answers: RESIDENCE_ANSWERS }));
    const text = pdfText(Buffer.from(filled.pdfBase64, 'base64')).replace(/\s+/g, '');
    expect(text).toContain('加拿大');
    expect(text).toContain('911124198503120011');
    expect(text).not.toContain('CAN');
  });

  it('takes answers that carry the name and ID number themselves instead of a card read, and checks them', async () => {
    const started = await startAgent();
    const kiosk = await connect(started);
    const typed = {
      ...RESIDENCE_ANSWERS,
      name: '测试甲',
      sex: 'female',
      nation: '汉',
      birthDate: '1949-12-31',
      idNumber: '11010519491231002X',
      hukouAddress: '北京市东城区示例路1号',
    };
    const filled = successPayload('Forms.Fill', await kiosk.send('Forms.Fill', { formId: 'residence-permit', answers: typed }));
    expect(Buffer.from(filled.pdfBase64, 'base64').subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const bad = await kiosk.send('Forms.Fill', { formId: 'residence-permit', answers: { ...typed, idNumber: '110105194912310021' } });
    expect(bad.completion.header).toMatchObject({ completionCode: 'invalidData', errorCode: 'validationFailed' });
    const errors = (bad.completion.payload as { errors?: { field: string; code: string }[] } | undefined)?.errors ?? [];
    expect(errors).toContainEqual(expect.objectContaining({ field: 'idNumber', code: 'invalidIdNumber' }));
    const { reference } = successPayload('Forms.Submit', await kiosk.send('Forms.Submit', { formId: 'residence-permit', answers: filled.answers }));
    expect(reference).toMatch(/^T0001-/);
  });

  it('card → prefill → per-field errors → PDF → submit (sealed with the PDF) → second form reuses answers → print form and receipt', async () => {
    if (!STANDARD) throw new Error('sample identity missing');
    const started = await startAgent();
    const kiosk = await connect(started);
    await readCard(kiosk);

    const prefill = successPayload('Forms.Prefill', await kiosk.send('Forms.Prefill', { formId: 'residence-permit' }));
    expect(prefill.answers).toMatchObject({ name: STANDARD.name, idNumber: STANDARD.idNumber, sex: 'male', birthDate: STANDARD.birthDate, hukouAddress: STANDARD.address });
    expect(prefill.sources).toMatchObject({ name: 'card', idNumber: 'card' });
    expect(prefill.lockedFields).toEqual(expect.arrayContaining(['name', 'idNumber']));

    // Per-field validation errors with stable codes; the card's fields cannot be changed.
    const bad = await kiosk.send('Forms.Fill', {
      formId: 'residence-permit',
      answers: { ...RESIDENCE_ANSWERS, name: '别人', phone: '123', residenceSince: '2030-01-01', employer: '' },
    });
    expect(bad.completion.header).toMatchObject({ completionCode: 'invalidData', errorCode: 'validationFailed' });
    const errors = (bad.completion.payload as { errors: { field: string; code: string }[] }).errors;
    expect(errors).toEqual(
      expect.arrayContaining([
        { field: 'name', code: 'mismatchesCard' },
        { field: 'phone', code: 'invalidPhone' },
        { field: 'residenceSince', code: 'outOfRange' },
        { field: 'employer', code: 'required' },
      ]),
    );
    expect(JSON.stringify(bad.completion)).not.toContain(STANDARD.name);

    // The filled PDF for review: identity fields from the card, the rest as typed.
    const filled = successPayload('Forms.Fill', await kiosk.send('Forms.Fill', { formId: 'residence-permit', answers: RESIDENCE_ANSWERS }));
    const pdf = Buffer.from(filled.pdfBase64, 'base64');
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(filled.pages).toBe(1);
    expect(filled.answers).toMatchObject({ name: STANDARD.name, phone: RESIDENCE_ANSWERS.phone });
    const previewText = pdfText(pdf);
    expect(previewText).toContain(STANDARD.name);
    expect(previewText).toContain(STANDARD.idNumber);

    // Submit: the reference comes back once the sealed submission is committed, and the PDF inside carries it.
    const signaturePng = Buffer.from(sampleSignaturePng()).toString('base64');
    const submitted = successPayload(
      'Forms.Submit',
      await kiosk.send('Forms.Submit', { formId: 'residence-permit', answers: filled.answers, submissionId: 'kiosk-test-0001', signaturePng }),
    );
    expect(submitted.duplicate).toBe(false);
    const { reference } = submitted;
    const submissions = started.agent.services.submissions;
    if (!submissions) throw new Error('submissions not running');
    expect(submissions.outbox.get(reference)).toMatchObject({ formId: 'residence-permit', formVersion: '1.0.0' });
    const blob = submissions.outbox.blob(reference);
    if (!blob) throw new Error('sealed blob missing');
    const opened = openSealed(blob, parsePrivateKeys(started.privatePem));
    expect(opened.header).toMatchObject({ reference, formId: 'residence-permit', formVersion: '1.0.0', terminalId: 'T0001' });
    const sealedPdf = opened.content.parts.find((p) => p.name === 'application.pdf');
    if (!sealedPdf) throw new Error('no PDF in the sealed submission');
    const sealedText = pdfText(sealedPdf.bytes);
    expect(sealedText).toContain(reference);
    expect(sealedText).toContain(STANDARD.name);
    expect(sealedText).toContain('T0001');
    expect(opened.content.parts.map((p) => p.name)).toContain('signature.png');
    expect(opened.content.answers).toMatchObject({ name: STANDARD.name, phone: RESIDENCE_ANSWERS.phone });

    // A second form of the same visit: the card's fields and the phone given before are there already.
    const second = successPayload('Forms.Prefill', await kiosk.send('Forms.Prefill', { formId: 'flexible-employment-insurance' }));
    expect(second.answers).toMatchObject({ name: STANDARD.name, idNumber: STANDARD.idNumber, hukouAddress: STANDARD.address, phone: RESIDENCE_ANSWERS.phone });
    expect(second.sources).toMatchObject({ phone: 'visit', name: 'card' });

    // Print the application on A4 and the receipt, from the agent's memory.
    const printedForm = successPayload('Application.PrintForm', await kiosk.send('Application.PrintForm', { reference }));
    expect(printedForm.reference).toBe(reference);
    expect(a4Sim(started.agent).printedFiles()).toHaveLength(1);
    successPayload('Application.PrintReceipt', await kiosk.send('Application.PrintReceipt', { reference }));
    const receipt = receiptSim(started.agent).lastText() ?? '';
    expect(receipt).toContain(reference);
    expect(receipt).toContain('居住证申领');
    expect(receipt).toContain('T0001');
    expect(receipt).not.toContain(STANDARD.name);

    const list = successPayload('Application.List', await kiosk.send('Application.List', {}));
    expect(list.applications).toEqual([expect.objectContaining({ reference, formId: 'residence-permit', formPrinted: true, receiptPrinted: true, pdfAvailable: true })]);

    // The session ends: nothing is left to print or reuse.
    successPayload('Session.End', await kiosk.send('Session.End', {}));
    const gone = await kiosk.send('Application.PrintForm', { reference });
    expect(gone.completion.header).toMatchObject({ completionCode: 'userError', errorCode: 'applicationNotFound' });
  });

  it('reports a failed print with its cause and prints on retry once the printer is back', async () => {
    const started = await startAgent();
    const kiosk = await connect(started);
    await readCard(kiosk, 'checkX');
    const filled = successPayload('Forms.Fill', await kiosk.send('Forms.Fill', { formId: 'residence-permit', answers: RESIDENCE_ANSWERS }));
    const { reference } = successPayload('Forms.Submit', await kiosk.send('Forms.Submit', { formId: 'residence-permit', answers: filled.answers }));

    successPayload('Dev.SetDeviceState', await kiosk.send('Dev.SetDeviceState', { device: 'receiptPrinter', state: 'paperOut' }));
    const failed = await kiosk.send('Application.PrintReceipt', { reference });
    expect(failed.completion.header).toMatchObject({ completionCode: 'deviceNotReady', errorCode: 'paperOut' });
    expect(failed.completion.payload).toMatchObject({ retryable: true });
    expect(receiptSim(started.agent).printed()).toHaveLength(0);

    successPayload('Dev.SetDeviceState', await kiosk.send('Dev.SetDeviceState', { device: 'receiptPrinter', state: 'online' }));
    successPayload('Application.PrintReceipt', await kiosk.send('Application.PrintReceipt', { reference }));
    expect(receiptSim(started.agent).lastText()).toContain(reference);
    // The same paper, read through the protocol as a dev tool or an acceptance test would.
    const output = successPayload('Dev.PrintedOutput', await kiosk.send('Dev.PrintedOutput', { last: 1 }));
    expect(output.receipts).toHaveLength(1);
    expect(output.receipts[0]?.text).toContain(reference);
    expect(Buffer.from(output.receipts[0]?.bytesBase64 ?? '', 'base64').subarray(0, 2)).toEqual(Buffer.from([0x1b, 0x40]));

    successPayload('Dev.SetDeviceState', await kiosk.send('Dev.SetDeviceState', { device: 'printer', state: 'paperJam' }));
    const jammed = await kiosk.send('Application.PrintForm', { reference });
    expect(jammed.completion.header).toMatchObject({ completionCode: 'deviceNotReady', errorCode: 'paperJam' });
    successPayload('Dev.SetDeviceState', await kiosk.send('Dev.SetDeviceState', { device: 'printer', state: 'online' }));
    successPayload('Application.PrintForm', await kiosk.send('Application.PrintForm', { reference }));
    expect(a4Sim(started.agent).printedFiles()).toHaveLength(1);
    // Whatever the printers did, the application is in the outbox.
    expect(started.agent.services.submissions?.outbox.get(reference)).toBeDefined();
  });

  it('seals only its own fill of the validated answers: a PDF sent by the page is refused (issue 9)', async () => {
    const started = await startAgent();
    const kiosk = await connect(started);
    await readCard(kiosk, 'standard');
    const filled = successPayload('Forms.Fill', await kiosk.send('Forms.Fill', { formId: 'residence-permit', answers: RESIDENCE_ANSWERS }));

    // A page that tries to seal a paper of its own beside the answers: refused, and nothing accepted.
    const forged = Buffer.from('%PDF-1.7\n% a paper that says something else\n').toString('base64');
    const requestId = 9001;
    kiosk.sendRaw(
      JSON.stringify({
        header: { type: 'command', name: 'Forms.Submit', requestId, version: '1.0' },
        payload: { formId: 'residence-permit', answers: filled.answers, submissionId: 'kiosk-forged-0001', pdf: forged },
      }),
    );
    const refused = await kiosk.completionOf(requestId);
    expect(refused.header).toMatchObject({ completionCode: 'invalidData', errorCode: 'invalidPayload' });
    expect(started.agent.services.submissions.outbox.bySubmissionId('kiosk-forged-0001')).toBeUndefined();

    // The answers alone: the sealed PDF is the agent's fill, with the reference and the answers on it.
    const { reference } = successPayload(
      'Forms.Submit',
      await kiosk.send('Forms.Submit', { formId: 'residence-permit', answers: { ...filled.answers, employer: '上海另一家公司' }, submissionId: 'kiosk-own-0001' }),
    );
    const blob = started.agent.services.submissions.outbox.blob(reference);
    if (!blob) throw new Error('sealed blob missing');
    const opened = openSealed(blob, parsePrivateKeys(started.privatePem));
    const sealedPdf = opened.content.parts.find((p) => p.name === 'application.pdf');
    if (!sealedPdf) throw new Error('no PDF in the sealed submission');
    expect(Buffer.from(sealedPdf.bytes).toString('base64')).not.toBe(forged);
    const sealedText = pdfText(sealedPdf.bytes);
    expect(sealedText).toContain(reference);
    expect(sealedText).toContain('上海另一家公司');
    expect(sealedText).not.toContain(RESIDENCE_ANSWERS.employer);
    expect(sealedText).toContain(STANDARD?.name ?? 'no sample');
    expect(opened.content.answers).toMatchObject({ employer: '上海另一家公司' });
  });

  it('does not carry one citizen’s answers over to the next card in the same session', async () => {
    const started = await startAgent();
    const kiosk = await connect(started);
    await readCard(kiosk, 'standard');
    await kiosk.send('Forms.Fill', { formId: 'residence-permit', answers: RESIDENCE_ANSWERS });
    await readCard(kiosk, 'checkX');
    const next = successPayload('Forms.Prefill', await kiosk.send('Forms.Prefill', { formId: 'flexible-employment-insurance' }));
    expect(next.answers.phone).toBeUndefined();
    expect(next.answers.name).toBe(findSampleIdentity('checkX')?.identity.name);
  });
});

import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock.ts';
import { defaultConfig } from '../../config.ts';
import { createDevices } from '../../devices/registry.ts';
import { silentLogger } from '../../log.ts';
import { createSubmissionRuntime, type SubmissionRuntime } from '../../outbox/service.ts';
import { makeKeys, openTestStore, TEST_CITIZEN, tempDir, tinyPng } from '../../outbox/testing/fixtures.ts';
import { commands, type CommandName, type ParsedCommandPayload } from '@onevisit/protocol';
import { readAnswers } from '../../services/application/answers.ts';
import { ApplicationSubmitter } from '../../services/application/submit-application.ts';
import type { CommandContext, ConnectionControl, HandlersFor } from '../handler.ts';
import { createSession } from '../session.ts';
import { servicesForTest } from '../test-services.ts';
import { formsHandlers } from './forms.ts';
import { outboxHandlers } from './outbox.ts';

const submissionHandlers: Pick<HandlersFor<'Forms'>, 'Forms.Submit'> & HandlersFor<'Outbox'> = { 'Forms.Submit': formsHandlers['Forms.Submit'], ...outboxHandlers };

import { addStaff } from '../../services/staff/register-admin.ts';
import type { AgentServices } from '../../services.ts';
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function setup(free = 1e12): Promise<{ runtime: SubmissionRuntime; ctx: <N extends CommandName>(name: N, payload: unknown) => CommandContext<N>; setFree: (n: number) => void; services: AgentServices }> {
  let freeBytes = free;
  const store = openTestStore();
  const clock = new ManualClock(Date.parse('2026-11-22T18:00:00Z'));
  const log = silentLogger();
  const runtime = createSubmissionRuntime({
    db: store.db,
    dataDir: store.dataDir,
    terminalId: 'T0001',
    clock,
    keys: [makeKeys().pub],
    intakeDir: path.join(tempDir(), 'in'),
    freeBytes: () => freeBytes,
    forms: {
      formVersion: (id) => (id === 'residence-permit' ? '2.0.0' : undefined),
      validate: (_id, answers) => (typeof answers.name === 'string' ? [] : [{ field: 'name', code: 'required' }]),
      fillPdf: () => Promise.resolve(new TextEncoder().encode('%PDF-1.7 test')),
    },
  });
  cleanup.push(async () => {
    await runtime.stop();
    store.close();
  });
  const config = defaultConfig({ port: 0, dev: true, dataDir: store.dataDir });
  const devices = createDevices(config, { clock, log });
  // The outbox's own checks are under test here: the application step passes the answers through.
  const applicationSubmitter = new ApplicationSubmitter({
    application: { prepare: (_session, _formId, raw) => ({ ok: true, answers: readAnswers(raw).answers }), recordSubmission: () => undefined },
    submissions: runtime.service,
  });
  const built = await servicesForTest({ config, devices, clock, log }, { submissions: runtime.service, applicationSubmitter });
  cleanup.push(() => built.close());
  const connection: ConnectionControl = { id: 1, authenticated: true, authenticate: () => true, cancel: () => [] };
  const session = createSession();
  const ctx = <N extends CommandName>(name: N, payload: unknown): CommandContext<N> => ({
    name,
    requestId: 1,
    payload: commands[name].payload.parse(payload) as ParsedCommandPayload<N>,
    timeoutMs: 0,
    signal: new AbortController().signal,
    emit: () => undefined,
    session,
    services: built.services,
    connection,
    log,
  });
  return { runtime, ctx, setFree: (n) => (freeBytes = n), services: built.services };
}

describe('Forms.Submit / Outbox.*', () => {
  it('answers with the reference only after the commit, and the same one on a retry', async () => {
    const { ctx, runtime } = await setup();
    const payload = { formId: 'residence-permit', answers: { ...TEST_CITIZEN }, submissionId: 'ui-0001-abcd', signaturePng: tinyPng().toString('base64'), scans: [tinyPng().toString('base64')] };
    const first = await submissionHandlers['Forms.Submit'](ctx('Forms.Submit', payload));
    expect(first).toMatchObject({ completionCode: 'success', payload: { duplicate: false, acceptedAt: '2026-11-23T02:00:00.000+08:00' } });
    if (first.completionCode !== 'success') return;
    expect(runtime.outbox.get(first.payload.reference)).toMatchObject({ state: 'pending', formVersion: '2.0.0' });
    const again = await submissionHandlers['Forms.Submit'](ctx('Forms.Submit', payload));
    expect(again).toMatchObject({ completionCode: 'success', payload: { reference: first.payload.reference, duplicate: true } });
    const status = await submissionHandlers['Outbox.Status'](ctx('Outbox.Status', {}));
    expect(status).toMatchObject({ completionCode: 'success', payload: { canAccept: true, counts: { pending: 1, delivered: 0, deadLetter: 0 }, delivery: 'folder' } });
    expect(JSON.stringify(status)).not.toContain(TEST_CITIZEN.name);
  });

  it('shows the refused submissions in Outbox.Status to a signed-in staff member only (the count to everyone)', async () => {
    const { ctx, runtime, services } = await setup();
    const payload = { formId: 'residence-permit', answers: { ...TEST_CITIZEN }, submissionId: 'ui-0002-abcd', signaturePng: tinyPng().toString('base64') };
    const submitted = await submissionHandlers['Forms.Submit'](ctx('Forms.Submit', payload));
    if (submitted.completionCode !== 'success') throw new Error('submit');
    runtime.outbox.markRejected(submitted.payload.reference, 'http400', 400);
    expect(await submissionHandlers['Outbox.Status'](ctx('Outbox.Status', {}))).toMatchObject({ payload: { counts: { deadLetter: 1 }, deadLetters: [] } });
    // Staff sign in on this connection (card, then PIN).
    expect((await addStaff(services.staffMode.admin(), { idNumber: '110105198805120026', name: '张静', role: 'staff', pin: '123456' })).ok).toBe(true);
    expect(await services.staff.recogniseCard({ idNumber: '110105198805120026' })).toBe(true);
    expect((await services.staff.signIn('123456', 1)).kind).toBe('signedIn');
    const forStaff = await submissionHandlers['Outbox.Status'](ctx('Outbox.Status', {}));
    expect(forStaff).toMatchObject({ payload: { deadLetters: [{ reference: submitted.payload.reference, formId: 'residence-permit', httpStatus: 400, errorCode: 'http400' }] } });
  });

  it('fails as values: unknown form, invalid answers, disk full (out of service), retry of a non-dead-letter', async () => {
    const { ctx, setFree } = await setup();
    expect(await submissionHandlers['Forms.Submit'](ctx('Forms.Submit', { formId: 'nope', answers: {} }))).toMatchObject({ completionCode: 'invalidData', errorCode: 'unknownForm' });
    expect(await submissionHandlers['Forms.Submit'](ctx('Forms.Submit', { formId: 'residence-permit', answers: {} }))).toMatchObject({
      completionCode: 'invalidData',
      errorCode: 'invalidAnswers',
      payload: { errors: [{ field: 'name', code: 'required' }] },
    });
    setFree(0);
    expect(await submissionHandlers['Forms.Submit'](ctx('Forms.Submit', { formId: 'residence-permit', answers: { name: 'x' } }))).toMatchObject({ completionCode: 'notEnoughSpace', errorCode: 'diskFull' });
    expect(await submissionHandlers['Outbox.Status'](ctx('Outbox.Status', {}))).toMatchObject({ payload: { canAccept: false, outOfServiceReason: 'diskFull' } });
    expect(await submissionHandlers['Outbox.Retry'](ctx('Outbox.Retry', { reference: 'T0001-261123-0001-7' }))).toMatchObject({ errorCode: 'notFound' });
  });
});

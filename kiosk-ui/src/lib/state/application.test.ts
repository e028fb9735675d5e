import { beforeEach, describe, expect, it } from 'vitest';
import type { FormListItem } from '@onevisit/protocol';
import { FakeAgent } from '../agent/fake-agent.ts';
import { ApplicationFlow, type ApplyHost, type ApplyStep } from './application.svelte.ts';

const notice = {
  materials: [],
  legalBasis: [{ 'zh-CN': '依据', en: 'Basis' }],
  timeLimit: { 'zh-CN': '即办', en: 'Now' },
  fees: { 'zh-CN': '免费', en: 'Free' },
  collection: { 'zh-CN': '现场', en: 'Here' },
};

/** Two sections: the applicant (name and ID number from the card) and the contact (phone, asked). */
const definition = {
  id: 'test-form',
  version: '1.0.0',
  title: { 'zh-CN': '测试', en: 'Test' },
  category: 'other',
  notice,
  sections: [
    {
      id: 'applicant',
      title: { 'zh-CN': '申请人', en: 'Applicant' },
      fields: [
        { id: 'name', type: 'text', label: { 'zh-CN': '姓名', en: 'Name' }, required: true },
        { id: 'idNumber', type: 'idNumber', label: { 'zh-CN': '身份证号', en: 'ID' }, required: true },
      ],
    },
    {
      id: 'contact',
      title: { 'zh-CN': '联系方式', en: 'Contact' },
      fields: [{ id: 'phone', type: 'phone', label: { 'zh-CN': '电话', en: 'Phone' }, required: true }],
    },
  ],
};

const FORM: FormListItem = {
  id: 'test-form',
  version: '1.0.0',
  title: '测试',
  titleEn: 'Test',
  fields: [],
  category: 'other',
  requiresIdentity: true,
  identityFields: ['name', 'idNumber'],
  notice,
  definition: definition as FormListItem['definition'],
};

const REFERENCE = 'T0001-260302-0001-K';
const SIGNATURE = 'iVBORw0KGgo=';

class Host implements ApplyHost {
  readonly client;
  identity_: { name: string; idNumber: string } | undefined;
  readonly calls: string[] = [];
  constructor(agent: FakeAgent) {
    this.client = agent.client;
  }
  locale() {
    return 'zh-CN' as const;
  }
  hasIdentity() {
    return this.identity_ !== undefined;
  }
  identify() {
    this.calls.push('identify');
  }
  finish() {
    this.calls.push('finish');
  }
  home() {
    this.calls.push('home');
  }
  poke() {}
  identity() {
    return this.identity_;
  }
  scannerProblem() {
    return undefined;
  }
  today() {
    return '2026-03-02';
  }
}

function expectStep<N extends ApplyStep['name']>(flow: ApplicationFlow, name: N): Extract<ApplyStep, { name: N }> {
  const step = flow.step;
  expect(step.name).toBe(name);
  return step as Extract<ApplyStep, { name: N }>;
}

describe('ApplicationFlow against a fake agent', () => {
  let agent: FakeAgent;
  let host: Host;
  let flow: ApplicationFlow;

  beforeEach(async () => {
    agent = new FakeAgent();
    agent.answer('Forms.List', () => ({ payload: { forms: [FORM] } }));
    agent.answer('Forms.Prefill', () => ({
      payload: { formId: FORM.id, version: '1.0.0', answers: { name: '王小明', idNumber: '11010519491231002X' }, sources: { name: 'card', idNumber: 'card' }, lockedFields: ['name', 'idNumber'] },
    }));
    agent.answer('Forms.Submit', () => ({ payload: { reference: REFERENCE, acceptedAt: '2026-03-02T10:00:00+08:00', duplicate: false } }));
    agent.answer('Application.PrintForm', ({ reference }) => ({ payload: { reference, jobId: 'job-1' } }));
    agent.answer('Application.PrintReceipt', ({ reference }) => ({ payload: { reference } }));
    await agent.connect();
    host = new Host(agent);
    flow = new ApplicationFlow(host);
    await agent.settle();
  });

  /** Catalogue → notice → card → prefilled form, on the first asked section. */
  async function toForm(): Promise<void> {
    const first = flow.catalogue.forms[0];
    if (first === undefined) throw new Error('no form in the catalogue');
    flow.choose(first);
    flow.start();
    expectStep(flow, 'identify');
    host.identity_ = { name: '王小明', idNumber: '11010519491231002X' };
    flow.identified();
    await agent.settle();
  }

  async function toSigned(): Promise<void> {
    await toForm();
    const step = expectStep(flow, 'form');
    step.draft.set({ field: 'phone' }, '13812345678');
    expect(flow.next()).toBe(true);
    flow.toSign();
    expectStep(flow, 'sign').draft.setSignature(SIGNATURE);
  }

  it('loads the catalogue and filters it', () => {
    expect(flow.catalogue.status).toBe('ready');
    expect(flow.catalogue.shown.map((f) => f.id)).toEqual(['test-form']);
    flow.catalogue.query = '不存在';
    expect(flow.catalogue.shown).toEqual([]);
  });

  it('says the catalogue failed, and loads it again on retry', async () => {
    agent.answer('Forms.List', () => ({ completionCode: 'deviceNotReady', errorCode: 'formsNotReady' }));
    await flow.catalogue.load();
    expect(flow.catalogue.status).toBe('failed');
    agent.answer('Forms.List', () => ({ payload: { forms: [FORM] } }));
    await flow.catalogue.load();
    expect(flow.catalogue.status).toBe('ready');
  });

  it('reads the card first, prefills, skips the section the card answered, and asks the rest', async () => {
    await toForm();
    expect(host.calls).toEqual(['identify']);
    const step = expectStep(flow, 'form');
    expect(step.sectionId).toBe('contact');
    expect(step.draft.skipped.has('applicant')).toBe(true);
    expect(step.draft.isLocked({ field: 'name' })).toBe(true);
    step.draft.set({ field: 'name' }, '别人');
    expect(step.draft.text({ field: 'name' })).toBe('王小明');
    expect(agent.payloads('Forms.Prefill')).toEqual([{ formId: 'test-form' }]);
  });

  it('keeps the citizen on a section with problems, and shows them', async () => {
    await toForm();
    expect(flow.next()).toBe(false);
    const step = expectStep(flow, 'form');
    expect(step.draft.problem({ field: 'phone' })?.code).toBe('required');
  });

  it('goes back from the first section to the notice and forward again with the answers kept', async () => {
    await toForm();
    expectStep(flow, 'form').draft.set({ field: 'phone' }, '138');
    flow.back();
    expectStep(flow, 'notice');
    flow.start();
    expect(expectStep(flow, 'form').draft.text({ field: 'phone' })).toBe('138');
    expect(agent.payloads('Forms.Prefill')).toHaveLength(1);
  });

  it('does not submit without a signature', async () => {
    await toSigned();
    expectStep(flow, 'sign').draft.setSignature(undefined);
    await flow.submit();
    expect(expectStep(flow, 'sign').draft.signatureMissing).toBe(true);
    expect(agent.names()).not.toContain('Forms.Submit');
  });

  it('submits, shows the reference only after success, then prints the form and the receipt', async () => {
    await toSigned();
    const held = agent.hold('Forms.Submit');
    const submitting = flow.submit();
    await agent.settle();
    expect(expectStep(flow, 'submit').job.state.status).toBe('running');
    await held.release({ payload: { reference: REFERENCE, acceptedAt: '2026-03-02T10:00:00+08:00', duplicate: false } });
    await submitting;
    const done = expectStep(flow, 'done');
    expect(done.reference).toBe(REFERENCE);
    expect(done.printForm.state.status).toBe('printed');
    expect(done.printReceipt.state.status).toBe('printed');
    expect(flow.submitted).toEqual([REFERENCE]);
    // Opening this form again in the visit warns first (issue 10).
    expect(flow.submittedForms).toEqual(['test-form']);
    const [submitted] = agent.payloads('Forms.Submit');
    expect(submitted).toMatchObject({ formId: 'test-form', answers: { name: '王小明', phone: '13812345678' }, signaturePng: SIGNATURE });
    expect(agent.names().slice(-3)).toEqual(['Forms.Submit', 'Application.PrintForm', 'Application.PrintReceipt']);
  });

  it('after a failed submit keeps the answers and retries with the same submissionId', async () => {
    await toSigned();
    agent.answer('Forms.Submit', () => ({ completionCode: 'timeOut', errorCode: 'timeOut', errorDescription: 'The command timed out.' }));
    await flow.submit();
    const failed = expectStep(flow, 'submit');
    expect(failed.job.state).toEqual({ status: 'failed', error: 'failed' });
    expect(failed.draft.text({ field: 'phone' })).toBe('13812345678');
    agent.answer('Forms.Submit', () => ({ payload: { reference: REFERENCE, acceptedAt: '2026-03-02T10:00:00+08:00', duplicate: true } }));
    await flow.submit();
    expectStep(flow, 'done');
    const ids = agent.payloads('Forms.Submit').map((p) => p.submissionId);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
  });

  it('marks the fields the agent refused, until the citizen changes them', async () => {
    await toSigned();
    agent.answer('Forms.Submit', () => ({
      completionCode: 'invalidData',
      errorCode: 'invalidAnswers',
      payload: { errors: [{ field: 'phone', code: 'invalidPhone' }] },
    }));
    await flow.submit();
    const failed = expectStep(flow, 'submit');
    expect(failed.job.state).toEqual({ status: 'failed', error: 'invalid' });
    expect(failed.draft.problem({ field: 'phone' })?.code).toBe('invalidPhone');
    flow.toReview();
    const review = expectStep(flow, 'review');
    review.draft.set({ field: 'phone' }, '13900000000');
    expect(review.draft.problem({ field: 'phone' })).toBeUndefined();
  });

  it('says which print failed and prints it again on retry', async () => {
    await toSigned();
    agent.answer('Application.PrintReceipt', () => ({ completionCode: 'deviceNotReady', errorCode: 'paperOut' }));
    await flow.submit();
    const done = expectStep(flow, 'done');
    expect(done.printForm.state.status).toBe('printed');
    expect(done.printReceipt.state).toEqual({ status: 'failed', error: 'paperOut' });
    agent.answer('Application.PrintReceipt', ({ reference }) => ({ payload: { reference } }));
    await flow.print('receipt');
    expect(done.printReceipt.state.status).toBe('printed');
  });

  it('goes to the identify screen when the agent asks for the card at prefill, and back to the notice on cancel', async () => {
    host.identity_ = { name: '王小明', idNumber: '11010519491231002X' };
    agent.answer('Forms.Prefill', () => ({ completionCode: 'userError', errorCode: 'identityRequired' }));
    const first = flow.catalogue.forms[0];
    if (first === undefined) throw new Error('no form');
    flow.choose(first);
    flow.start();
    await agent.settle();
    expect(expectStep(flow, 'identify').after).toEqual({ kind: 'prefill' });
    flow.identifyCanceled();
    expectStep(flow, 'notice');
  });

  it('says prefill failed and tries again on start', async () => {
    agent.answer('Forms.Prefill', () => ({ completionCode: 'internalError', errorCode: 'internalError' }));
    host.identity_ = { name: '王小明', idNumber: '11010519491231002X' };
    const first = flow.catalogue.forms[0];
    if (first === undefined) throw new Error('no form');
    flow.choose(first);
    flow.start();
    await agent.settle();
    expect(expectStep(flow, 'prefill').status).toBe('failed');
    agent.answer('Forms.Prefill', () => ({ payload: { formId: FORM.id, version: '1.0.0', answers: {}, sources: {}, lockedFields: [] } }));
    flow.start();
    await agent.settle();
    expect(expectStep(flow, 'form').sectionId).toBe('applicant');
  });

  it('wipes everything personal, and drops an answer that comes after the wipe', async () => {
    await toSigned();
    const held = agent.hold('Forms.Submit');
    const submitting = flow.submit();
    await agent.settle();
    const chosen = flow.chosen;
    flow.wipe();
    await held.release({ payload: { reference: REFERENCE, acceptedAt: '2026-03-02T10:00:00+08:00', duplicate: false } });
    await submitting;
    expectStep(flow, 'catalog');
    expect(flow.submitted).toEqual([]);
    expect(chosen?.draft).toBeUndefined();
    expect(agent.names()).not.toContain('Application.PrintForm');
  });

  it('starts another service from the catalogue, counting what this visit filed', async () => {
    await toSigned();
    await flow.submit();
    flow.catalogue.query = '测';
    flow.another();
    expectStep(flow, 'catalog');
    expect(flow.catalogue.query).toBe('');
    expect(flow.submitted).toEqual([REFERENCE]);
  });
});

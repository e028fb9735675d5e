import { beforeEach, describe, expect, it } from 'vitest';
import type { CaseView } from '@onevisit/protocol';
import { FakeAgent } from '../../agent/fake-agent.ts';
import { ProgressFlow, type ProgressHost, type ProgressPurpose } from './progress-flow.svelte.ts';

const REF = 'T0001-261204-0007-K';
const NEED: CaseView = {
  reference: REF,
  status: 'needMaterial',
  steps: [{ name: 'needMaterial', startedAt: '2026-12-04T02:00:00.000Z' }],
  materials: [{ id: 'm1', description: '户口簿复印件' }],
  updatedAt: '2026-12-04T02:00:00.000Z',
};

describe('ProgressFlow against a fake agent', () => {
  let agent: FakeAgent;
  let flow: ProgressFlow;
  let endSession: () => void = () => undefined;
  let identified = 0;
  let hasCard = false;
  let purpose: ProgressPurpose = 'progress';

  beforeEach(async () => {
    agent = new FakeAgent();
    agent.answer('Rating.Reasons', () => ({ payload: { version: '1', reasons: [{ id: 'longWait', text: { 'zh-CN': '等待时间过长', en: 'Waited too long' } }] } }));
    await agent.connect();
    identified = 0;
    hasCard = false;
    purpose = 'progress';
    const host: ProgressHost = {
      send: (name, payload, options) => agent.client.send(name, payload, options).result,
      hasIdentity: () => hasCard,
      identify: (then) => {
        identified += 1;
        hasCard = true;
        then();
      },
      show: () => undefined,
      home: () => undefined,
      pickup: () => undefined,
      finish: () => undefined,
      onSessionEnd: (listener) => {
        endSession = listener;
      },
      newId: () => '6f1c1d8e-7e2a-4f8e-9d1b-2a3c4d5e6f70',
      purpose: () => purpose,
    };
    flow = new ProgressFlow(host);
  });

  it('by card: reads the card first, shows the cases; a supplement scans, hands in and offers a rating', async () => {
    agent.answer('Progress.Query', () => ({ payload: { cases: [NEED] } }));
    flow.byCard();
    await agent.settle();
    expect(identified).toBe(1);
    expect(agent.payloads('Progress.Query')).toEqual([{}]);
    expect(flow.step.name).toBe('cases');
    expect(flow.cases).toEqual([NEED]);

    flow.startSupplement(REF, { id: 'm1', description: '户口簿复印件' });
    agent.answer('Scanner.Scan', () => ({ payload: { scanId: 's1', pages: [] } }));
    await flow.scan();
    expect(flow.scanIds).toEqual(['s1']);
    agent.answer('Supplement.Submit', () => ({ payload: { supplementReference: 'T0001-261204-0008-3', receipt: 'printed' } }));
    await flow.submitSupplement();
    await agent.settle();
    expect(agent.payloads('Supplement.Submit')).toEqual([{ reference: REF, materialId: 'm1', scanIds: ['s1'], supplementId: '6f1c1d8e-7e2a-4f8e-9d1b-2a3c4d5e6f70' }]);
    expect(flow.step).toEqual({ name: 'supplementDone', supplementReference: 'T0001-261204-0008-3', receipt: 'printed' });

    // 不满意 needs a reason before it can be sent.
    flow.rating.choose(2);
    expect(flow.rating.canSubmit).toBe(false);
    flow.rating.toggleReason('longWait');
    agent.answer('Rating.Submit', () => ({ payload: { ratingReference: 'T0001-261204-0009-7', followUpBy: '2026-12-25' } }));
    await flow.rating.submit();
    expect(agent.payloads('Rating.Submit')).toEqual([{ service: 'supplement', level: 2, reference: REF, reasons: ['longWait'], ratingId: '6f1c1d8e-7e2a-4f8e-9d1b-2a3c4d5e6f70' }]);
    expect(flow.rating.phase).toBe('thanks');
    expect(flow.rating.followUpBy).toBe('2026-12-25');
  });

  it('by reference: a typo stays on the keypad with its problem; the back office away shows the local record', async () => {
    flow.openKeypad();
    for (const ch of 'T000126120400071') flow.type(ch);
    agent.answer('Progress.Query', () => ({ completionCode: 'invalidData', errorCode: 'invalidReference' }));
    await flow.byReference();
    expect(flow.step.name).toBe('keypad');
    expect(flow.problem).toBe('invalidReference');
    agent.answer('Progress.Query', () => ({
      completionCode: 'deviceNotReady',
      errorCode: 'backOfficeUnavailable',
      payload: { local: [{ reference: REF, acceptedAt: '2026-12-04T10:00:00+08:00', delivered: true }] },
    }));
    await flow.byReference();
    expect(flow.step).toEqual({ name: 'offline', local: [{ reference: REF, acceptedAt: '2026-12-04T10:00:00+08:00', delivered: true }] });
  });

  it('skipping the rating is one tap; the session end forgets everything', async () => {
    agent.answer('Progress.Query', () => ({ payload: { cases: [NEED] } }));
    hasCard = true;
    flow.byCard();
    await agent.settle();
    flow.done();
    expect(flow.step.name).toBe('rate');
    flow.rating.skip();
    expect(flow.rating.phase).toBe('skipped');
    expect(agent.names()).not.toContain('Rating.Submit');
    endSession();
    expect(flow.step.name).toBe('choose');
    expect(flow.cases).toEqual([]);
  });

  it('好差评 from the home screen: the case found by card is rated as an application, with its reference', async () => {
    purpose = 'rate';
    agent.answer('Progress.Query', () => ({ payload: { cases: [NEED] } }));
    hasCard = true;
    flow.byCard();
    await agent.settle();
    expect(flow.purpose).toBe('rate');
    flow.rateCase(REF);
    expect(flow.step.name).toBe('rate');
    flow.rating.choose(5);
    agent.answer('Rating.Submit', () => ({ payload: { ratingReference: 'T0001-261204-0009-7' } }));
    await flow.rating.submit();
    expect(agent.payloads('Rating.Submit')).toEqual([{ service: 'application', level: 5, reference: REF, ratingId: '6f1c1d8e-7e2a-4f8e-9d1b-2a3c4d5e6f70' }]);
    expect(flow.rating.phase).toBe('thanks');
  });
});

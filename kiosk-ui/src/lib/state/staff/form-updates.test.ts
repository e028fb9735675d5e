import { beforeEach, describe, expect, it } from 'vitest';
import { FakeAgent } from '../../agent/fake-agent.ts';
import { FormUpdatesDesk, type FormUpdatesStatus } from './form-updates.svelte.ts';

const ROW = {
  formId: 'residence-permit',
  title: '居住证申领',
  titleEn: 'Residence permit application',
  version: '1.2.0',
  source: 'update',
  shortHash: '3fa2c91b',
  rollBackTo: '1.1.0',
  pendingVersion: null,
  watchedFillsLeft: 6,
} as const;

const status = (over: Partial<FormUpdatesStatus> = {}): FormUpdatesStatus => ({
  forms: [ROW, { ...ROW, formId: 'passport', title: '普通护照', titleEn: 'Passport', version: '2.0.0', source: 'shipped', shortHash: null, rollBackTo: null, watchedFillsLeft: 0 }],
  refused: [{ formId: 'passport', version: '2.1.0', reason: 'unknownSigner: the signature is by a key this terminal does not trust' }],
  rolledBack: [],
  channel: true,
  ...over,
});

describe('FormUpdatesDesk against a fake agent (issue 16)', () => {
  let agent: FakeAgent;
  let desk: FormUpdatesDesk;

  beforeEach(async () => {
    await import('../../agent/validator.ts');
    agent = new FakeAgent();
    agent.answer('FormUpdates.Status', () => ({ payload: status() }));
    await agent.connect();
    desk = new FormUpdatesDesk(agent.client);
  });

  it('lists versions, hashes and refusals; a rollback is asked first, then sent, and the list read again', async () => {
    await desk.load();
    expect(desk.status?.forms.map((f) => `${f.formId}@${f.version}:${f.shortHash ?? '-'}`)).toEqual(['residence-permit@1.2.0:3fa2c91b', 'passport@2.0.0:-']);
    expect(desk.status?.refused[0]?.reason).toMatch(/^unknownSigner/);

    const shipped = desk.status?.forms[1];
    if (shipped === undefined) throw new Error('no row');
    desk.ask(shipped, 'zh-CN'); // nothing to roll back to: not asked
    expect(desk.rollback).toEqual({ stage: 'idle' });

    desk.ask(ROW, 'en');
    expect(desk.rollback).toEqual({ stage: 'confirm', formId: 'residence-permit', title: 'Residence permit application', from: '1.2.0', to: '1.1.0' });
    desk.cancel();
    expect(agent.names()).toEqual(['FormUpdates.Status']);

    desk.ask(ROW, 'zh-CN');
    agent.answer('FormUpdates.Rollback', ({ formId }) => ({ payload: { formId, from: '1.2.0', to: '1.1.0', switched: true } }));
    agent.answer('FormUpdates.Status', () => ({
      payload: status({ forms: [{ ...ROW, version: '1.1.0', rollBackTo: null, watchedFillsLeft: 0 }], rolledBack: [{ formId: 'residence-permit', version: '1.2.0', cause: 'technician', reason: 'technician: rolled back by hand on the staff screen', at: '2026-12-04T02:30:00.000Z' }] }),
    }));
    await desk.confirm();
    expect(agent.payloads('FormUpdates.Rollback')).toEqual([{ formId: 'residence-permit' }]);
    expect(desk.rollback).toEqual({ stage: 'done', formId: 'residence-permit', to: '1.1.0', switched: true });
    expect(desk.status?.forms[0]?.version).toBe('1.1.0');
    expect(desk.status?.rolledBack.map((r) => r.cause)).toEqual(['technician']);
  });

  it('says why a rollback was refused, and that a staff member is not a technician', async () => {
    await desk.load();
    agent.answer('FormUpdates.Rollback', () => ({ completionCode: 'invalidData', errorCode: 'nothingToRollBackTo', errorDescription: 'x' }));
    desk.ask(ROW, 'zh-CN');
    await desk.confirm();
    expect(desk.problem).toBe('nothingToRollBackTo');
    expect(desk.rollback).toEqual({ stage: 'idle' });

    agent.answer('FormUpdates.Rollback', () => ({ completionCode: 'unauthorized', errorCode: 'roleRequired', errorDescription: 'x' }));
    desk.ask(ROW, 'zh-CN');
    expect(desk.problem).toBeUndefined();
    await desk.confirm();
    expect(desk.problem).toBe('notSignedIn');
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CompletionPayload, Identity } from '@onevisit/protocol';
import { FAKE_AGENT_INFO, FakeAgent } from '../agent/fake-agent.ts';
import { Kiosk } from './kiosk.svelte.ts';
import { CARD_GRACE_MS } from './card-grace.svelte.ts';

const IDENTITY = {
  name: '王小明',
  sex: '男',
  nation: '汉',
  birthDate: '1949-12-31',
  address: '北京市朝阳区',
  idNumber: '11010519491231002X',
  authority: '北京市公安局朝阳分局',
  validFrom: '2020-01-01',
  validTo: '2040-01-01',
  cardType: 'resident',
  photo: '',
} satisfies Identity;

const STATUS: CompletionPayload<'Common.Status'> = { agent: FAKE_AGENT_INFO, devices: [], warnings: [] };

describe('Kiosk session wipe against a fake agent', () => {
  let agent: FakeAgent;
  let kiosk: Kiosk;

  beforeEach(async () => {
    // Only the idle timers are fake: the fake agent's turns of the event loop stay real.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    // The client loads its schemas with import(): have them in the module cache first.
    await import('../agent/validator.ts');
    agent = new FakeAgent();
    agent.answer('Common.Status', () => ({ payload: STATUS }));
    agent.answer('Session.End', () => ({ payload: {} as CompletionPayload<'Session.End'> }));
    agent.answer('Forms.List', () => ({ payload: { forms: [] } }));
    kiosk = new Kiosk({ url: 'ws://127.0.0.1:1/xfs4iot/v1.0', readToken: () => 'test-token', reloadPage: () => undefined, createSocket: agent.createSocket });
    kiosk.start();
    await agent.open();
    expect(kiosk.client.phase).toBe('ready');
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  /** A citizen with a card read and an application open. */
  async function citizen(): Promise<void> {
    kiosk.begin();
    kiosk.session.identity = IDENTITY;
    await kiosk.apply();
    await agent.settle();
    expect(kiosk.session.application).toBeDefined();
  }

  it('wipes the identity and the application at the idle timeout, and tells the agent', async () => {
    await citizen();
    const application = kiosk.session.application;
    vi.advanceTimersByTime(FAKE_AGENT_INFO.idleTimeoutMs + FAKE_AGENT_INFO.idleCountdownMs + 1_000);
    await agent.settle();
    expect(kiosk.session.screen).toBe('attract');
    expect(kiosk.session.identity).toBeUndefined();
    expect(kiosk.session.application).toBeUndefined();
    expect(application?.step.name).toBe('catalog');
    expect(agent.payloads('Session.End')).toEqual([{ reason: 'idleTimeout' }]);
  });

  it('keeps the session while the citizen is active', async () => {
    await citizen();
    vi.advanceTimersByTime(FAKE_AGENT_INFO.idleTimeoutMs - 1_000);
    kiosk.activity();
    vi.advanceTimersByTime(FAKE_AGENT_INFO.idleTimeoutMs - 1_000);
    expect(kiosk.session.identity).toBeDefined();
    expect(kiosk.idle.counting).toBe(false);
  });

  it('ends the session when the card is lifted', async () => {
    await citizen();
    agent.push('IdCard.CardRemovedEvent', {});
    await agent.settle();
    // Mid-journey the card has a grace period to come back (issue 10); it did not.
    expect(kiosk.cardGrace.active).toBe(true);
    vi.advanceTimersByTime(CARD_GRACE_MS);
    await agent.settle();
    expect(kiosk.session.screen).toBe('done');
    expect(kiosk.session.identity).toBeUndefined();
    expect(kiosk.session.application).toBeUndefined();
    expect(agent.payloads('Session.End')).toEqual([{ reason: 'cardRemoved' }]);
  });

  it('a lifted card put back within the grace continues the journey with its answers (issue 10)', async () => {
    await citizen();
    const application = kiosk.session.application;
    agent.answer('IdCard.Read', () => ({ payload: { identity: IDENTITY } }));
    agent.push('IdCard.CardRemovedEvent', {});
    await agent.settle();
    expect(kiosk.cardGrace.active).toBe(true);
    expect(kiosk.cardGrace.remainingS).toBe(20);
    vi.advanceTimersByTime(5_000);
    expect(kiosk.cardGrace.remainingS).toBe(15);
    agent.push('IdCard.CardPlacedEvent', {});
    await agent.settle();
    expect(kiosk.cardGrace.active).toBe(false);
    expect(kiosk.session.screen).toBe('apply');
    expect(kiosk.session.application).toBe(application);
    expect(kiosk.session.identity?.idNumber).toBe(IDENTITY.idNumber);
    expect(agent.payloads('Session.End')).toEqual([]);
  });

  it('another card during the grace wipes everything', async () => {
    await citizen();
    agent.answer('IdCard.Read', () => ({ payload: { identity: { ...IDENTITY, idNumber: '110105198503120019' } } }));
    agent.push('IdCard.CardRemovedEvent', {});
    await agent.settle();
    agent.push('IdCard.CardPlacedEvent', {});
    await agent.settle();
    expect(kiosk.session.screen).toBe('done');
    expect(kiosk.session.identity).toBeUndefined();
    expect(kiosk.session.application).toBeUndefined();
    expect(agent.payloads('Session.End')).toEqual([{ reason: 'cardRemoved' }]);
  });

  it('the idle timeout with the card still on the reader asks for the card back (issue 10)', async () => {
    agent.push('IdCard.CardPlacedEvent', {});
    await agent.settle();
    await citizen();
    vi.advanceTimersByTime(FAKE_AGENT_INFO.idleTimeoutMs + FAKE_AGENT_INFO.idleCountdownMs + 1_000);
    await agent.settle();
    expect(kiosk.session.screen).toBe('done');
    expect(kiosk.session.endReason).toBe('takeCard');
    expect(kiosk.session.identity).toBeUndefined();
    // The next read starts with the card still there: the identify screen says to lift it first.
    kiosk.begin();
    kiosk.identify();
    expect(kiosk.cardLeftOnReader).toBe(true);
    agent.push('IdCard.CardRemovedEvent', {});
    await agent.settle();
    expect(kiosk.cardLeftOnReader).toBe(false);
  });

  it('a lost connection keeps the language of the citizen for the out-of-service screen, and the next citizen starts in Chinese (issue 10)', async () => {
    await citizen();
    kiosk.i18n.toggle();
    agent.push('Common.ShutdownEvent', { reason: 'restart', graceMs: 0 });
    await agent.settle();
    expect(kiosk.connection.outOfService).toBe(true);
    expect(kiosk.session.identity).toBeUndefined();
    expect(kiosk.i18n.locale).toBe('en');
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock.ts';
import { defaultConfig } from '../../config.ts';
import { createDevices } from '../../devices/registry.ts';
import { findSampleIdentity } from '../../devices/id-card/sample-identities.ts';
import { silentLogger } from '../../log.ts';
import type { CommandName, ParsedCommandPayload } from '@onevisit/protocol';
import type { AgentServices } from '../../services.ts';
import type { CommandContext, ConnectionControl, Session } from '../handler.ts';
import { createSession } from '../session.ts';
import { handlers } from './index.ts';
import { servicesForTest } from '../test-services.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function setup(): Promise<{ services: AgentServices; session: Session; events: string[]; ctx: <N extends CommandName>(name: N, payload: ParsedCommandPayload<N>, signal?: AbortSignal) => CommandContext<N> }> {
  const config = defaultConfig({ port: 0, dev: true });
  const clock = new ManualClock(Date.parse('2026-11-23T01:00:00Z'));
  const log = silentLogger();
  const devices = createDevices(config, { clock, log });
  await devices.start();
  const built = await servicesForTest({ config, devices, clock, log });
  closers.push(() => built.close());
  const services: AgentServices = built.services;
  const session = createSession();
  const events: string[] = [];
  const connection: ConnectionControl = { id: 1, authenticated: true, authenticate: () => true, cancel: () => [] };
  const ctx = <N extends CommandName>(name: N, payload: ParsedCommandPayload<N>, signal = new AbortController().signal): CommandContext<N> => ({
    name,
    requestId: 1,
    payload,
    timeoutMs: 0,
    signal,
    emit: (event) => events.push(event),
    session,
    services,
    connection,
    log,
  });
  return { services, session, events, ctx };
}

describe('handlers', () => {
  it('IdCard.Read keeps the identity in the session and Session.End wipes it', async () => {
    const { services, session, events, ctx } = await setup();
    const standard = findSampleIdentity('standard')?.identity;
    if (!standard) throw new Error('sample missing');
    services.simulators.idCard?.insertCard(standard);
    const outcome = await handlers['IdCard.Read'](ctx('IdCard.Read', {}));
    expect(outcome.completionCode).toBe('success');
    expect(events).toEqual(['IdCard.CardFoundEvent', 'IdCard.ReadingEvent']);
    expect(session.identity?.idNumber).toBe(standard.idNumber);
    expect((await handlers['Session.End'](ctx('Session.End', { reason: 'idleTimeout' }))).completionCode).toBe('success');
    expect(session.identity).toBeUndefined();
  });

  it('IdCard.Read maps the abort reason to timeOut or canceled', async () => {
    const { ctx } = await setup();
    const timeout = new AbortController();
    const pending = handlers['IdCard.Read'](ctx('IdCard.Read', {}, timeout.signal));
    timeout.abort('timeOut');
    expect((await pending).completionCode).toBe('timeOut');
    const cancel = new AbortController();
    const pending2 = handlers['IdCard.Read'](ctx('IdCard.Read', {}, cancel.signal));
    cancel.abort('canceled');
    expect((await pending2).completionCode).toBe('canceled');
  });

  it('does not keep an expired card in the session', async () => {
    const { services, session, ctx } = await setup();
    const expired = findSampleIdentity('expired')?.identity;
    if (!expired) throw new Error('sample missing');
    services.simulators.idCard?.insertCard(expired);
    const outcome = await handlers['IdCard.Read'](ctx('IdCard.Read', undefined));
    expect(outcome).toMatchObject({ completionCode: 'userError', errorCode: 'cardExpired' });
    expect(session.identity).toBeUndefined();
  });

  it('Dev.InsertCard refuses an unknown sample key', async () => {
    const { ctx } = await setup();
    expect(await handlers['Dev.InsertCard'](ctx('Dev.InsertCard', { identity: 'nobody' }))).toMatchObject({ completionCode: 'invalidData', errorCode: 'unknownIdentity' });
  });

  it('Common.Capabilities lists every service with versions', async () => {
    const { ctx } = await setup();
    const outcome = await handlers['Common.Capabilities'](ctx('Common.Capabilities', undefined));
    if (outcome.completionCode !== 'success') throw new Error('expected success');
    expect(outcome.payload.services.map((s) => s.name)).toEqual(expect.arrayContaining(['Common', 'IdCard', 'Dev', 'Session']));
    expect(outcome.payload.services.find((s) => s.name === 'Common')?.commands.every((c) => c.versions.length > 0)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { parseAgentMessage, parseCommand } from './parse.ts';
import { commands } from './registry.ts';

const cmd = (header: Record<string, unknown>, payload?: unknown): string =>
  JSON.stringify({ header: { type: 'command', requestId: 1, ...header }, payload });

describe('parseCommand', () => {
  it('accepts a well-formed command and parses its payload', () => {
    const result = parseCommand(cmd({ name: 'Common.Authenticate' }, { token: 'abc' }));
    expect(result).toMatchObject({ ok: true, name: 'Common.Authenticate', payload: { token: 'abc' } });
  });

  it('accepts a string requestId and a missing payload where none is needed', () => {
    expect(parseCommand(JSON.stringify({ header: { type: 'command', name: 'Common.Status', requestId: 'r-1' } }))).toMatchObject({ ok: true });
  });

  it('reports malformed JSON', () => {
    expect(parseCommand('{not json')).toMatchObject({ ok: false, errorCode: 'malformedJson', completionCode: 'invalidData' });
  });

  it('reports a malformed envelope and keeps the requestId when it can', () => {
    const result = parseCommand(JSON.stringify({ header: { type: 'command', requestId: 7 } }));
    expect(result).toMatchObject({ ok: false, errorCode: 'malformedEnvelope', requestId: 7 });
  });

  it('reports an unknown command', () => {
    expect(parseCommand(cmd({ name: 'Nope.Nothing' }))).toMatchObject({ ok: false, errorCode: 'unknownCommand', completionCode: 'unsupportedCommand' });
  });

  it('reports a bad payload without echoing its values', () => {
    const result = parseCommand(cmd({ name: 'Common.Authenticate' }, { token: 42 }));
    expect(result).toMatchObject({ ok: false, errorCode: 'invalidPayload' });
    if (!result.ok) expect(result.errorDescription).toContain('token');
  });

  it('reports an unsupported major version', () => {
    expect(parseCommand(cmd({ name: 'Common.Status', version: '2.0' }))).toMatchObject({ ok: false, errorCode: 'unsupportedVersion' });
  });

  it('refuses a message that is not a command', () => {
    expect(parseCommand(JSON.stringify({ header: { type: 'completion', name: 'Common.Status', requestId: 1 } }))).toMatchObject({ ok: false, errorCode: 'notACommand' });
  });
});

describe('parseAgentMessage', () => {
  it('validates a success completion against the command schema', () => {
    const bad = JSON.stringify({ header: { type: 'completion', name: 'Common.Cancel', requestId: 3, completionCode: 'success' }, payload: { canceled: 'x' } });
    expect(parseAgentMessage(bad, () => 'Common.Cancel').ok).toBe(false);
    const good = JSON.stringify({ header: { type: 'completion', name: 'Common.Cancel', requestId: 3, completionCode: 'success' }, payload: { canceled: [1] } });
    expect(parseAgentMessage(good, () => 'Common.Cancel').ok).toBe(true);
  });

  it('accepts error completions with an error payload', () => {
    const msg = JSON.stringify({ header: { type: 'completion', name: 'IdCard.Read', requestId: 4, completionCode: 'timeOut', errorCode: 'noCard', errorDescription: 'No card.' } });
    expect(parseAgentMessage(msg, () => 'IdCard.Read').ok).toBe(true);
  });

  it('refuses unknown unsolicited messages and events', () => {
    expect(parseAgentMessage(JSON.stringify({ header: { type: 'unsolicited', name: 'Common.Nope', requestId: 0 }, payload: {} }), () => undefined).ok).toBe(false);
    expect(parseAgentMessage(JSON.stringify({ header: { type: 'event', name: 'IdCard.NopeEvent', requestId: 1 }, payload: {} }), () => undefined).ok).toBe(false);
  });

  it('validates a status change', () => {
    const msg = JSON.stringify({
      header: { type: 'unsolicited', name: 'Common.StatusChangedEvent', requestId: 0 },
      payload: { device: 'idCard', state: 'offline', attention: 'maintenance', reason: 'disconnected', driver: 'serial', since: '2026-11-21T20:00:00+08:00' },
    });
    expect(parseAgentMessage(msg, () => undefined).ok).toBe(true);
  });
});

describe('registry', () => {
  it('names every command Service.Command and every event …Event', () => {
    for (const [name, spec] of Object.entries(commands)) {
      expect(name).toMatch(/^[A-Z][A-Za-z]+\.[A-Z][A-Za-z]+$/);
      for (const event of Object.keys(spec.events)) expect(event).toMatch(/Event$/);
    }
  });
});

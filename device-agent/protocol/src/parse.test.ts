import { describe, expect, it } from 'vitest';
import { parseAgentMessage, parseCommand } from './parse.ts';
import { COMMON_ERROR_CODES } from './errors.ts';
import { commands, errorCodesOf, isErrorCodeOf, type CommandName } from './registry.ts';

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
    const msg = JSON.stringify({ header: { type: 'completion', name: 'IdCard.Read', requestId: 4, completionCode: 'timeOut', errorCode: 'timeOut', errorDescription: 'No card.' } });
    expect(parseAgentMessage(msg, () => 'IdCard.Read').ok).toBe(true);
  });

  it('refuses a failed completion whose errorCode its command does not declare, or that has none', () => {
    const failed = (name: string, errorCode: string | undefined, payload: unknown = {}): string =>
      JSON.stringify({ header: { type: 'completion', name, requestId: 5, completionCode: 'userError', ...(errorCode === undefined ? {} : { errorCode }) }, payload });
    expect(parseAgentMessage(failed('IdCard.Read', 'cardExpired'), () => 'IdCard.Read').ok).toBe(true);
    // Declared by Booking.*, not by IdCard.Read.
    expect(parseAgentMessage(failed('IdCard.Read', 'slotFull'), () => 'IdCard.Read')).toMatchObject({ ok: false, errorDescription: 'IdCard.Read does not declare errorCode "slotFull".' });
    expect(parseAgentMessage(failed('IdCard.Read', undefined), () => 'IdCard.Read').ok).toBe(false);
    // The common codes belong to every command, and to an answer to a message that named none.
    expect(parseAgentMessage(failed('IdCard.Read', 'notAuthenticated'), () => 'IdCard.Read').ok).toBe(true);
    expect(parseAgentMessage(failed('Nope.Nothing', 'unknownCommand'), () => undefined).ok).toBe(true);
  });

  it("parses a failure's payload with its code's schema", () => {
    const failed = (payload: unknown): string =>
      JSON.stringify({ header: { type: 'completion', name: 'Forms.Fill', requestId: 6, completionCode: 'invalidData', errorCode: 'validationFailed' }, payload });
    const good = parseAgentMessage(failed({ errors: [{ field: 'phone', code: 'tooLong' }], params: { phone: { max: 11 } } }), () => 'Forms.Fill');
    expect(good).toMatchObject({ ok: true, message: { payload: { errors: [{ field: 'phone', code: 'tooLong' }], params: { phone: { max: 11 } } } } });
    expect(parseAgentMessage(failed({}), () => 'Forms.Fill').ok).toBe(false);
    expect(parseAgentMessage(failed({ errors: [{ field: 'phone', code: 'noSuchCode' }] }), () => 'Forms.Fill').ok).toBe(false);
    const print = JSON.stringify({ header: { type: 'completion', name: 'ReceiptPrinter.Print', requestId: 7, completionCode: 'deviceNotReady', errorCode: 'paperOut' }, payload: {} });
    expect(parseAgentMessage(print, () => 'ReceiptPrinter.Print')).toMatchObject({ ok: true, message: { payload: { partial: false } } });
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
  it('declares error codes per command, and the common ones once for all', () => {
    expect(errorCodesOf('IdCard.Read')).toEqual(expect.arrayContaining(['cardExpired', 'readerNotReady', 'timeOut', 'notAuthenticated']));
    expect(isErrorCodeOf('Forms.Fill', 'validationFailed')).toBe(true);
    expect(isErrorCodeOf('Forms.List', 'validationFailed')).toBe(false);
    for (const name of Object.keys(commands) as CommandName[]) {
      // A command's own code never shadows a common one: the common codes mean the same everywhere.
      for (const code of Object.keys(commands[name].errors)) expect(COMMON_ERROR_CODES as readonly string[], `${name} ${code}`).not.toContain(code);
    }
  });

  it('names every command Service.Command and every event …Event', () => {
    for (const [name, spec] of Object.entries(commands)) {
      expect(name).toMatch(/^[A-Z][A-Za-z]+\.[A-Z][A-Za-z]+$/);
      for (const event of Object.keys(spec.events)) expect(event).toMatch(/Event$/);
    }
  });
});

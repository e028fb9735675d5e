import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AgentClient, type ConnectionPhase, type SocketLike, type UnsolicitedMessage } from './client.ts';

/** Plays the agent's side of one WebSocket and records what the client sent. */
class FakeSocket implements SocketLike {
  readyState = 0;
  onopen: SocketLike['onopen'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  onmessage: SocketLike['onmessage'] = null;
  readonly sent: { header: { name: string; requestId: number; timeout?: number }; payload: unknown }[] = [];
  closed = false;

  send(data: string): void {
    this.sent.push(JSON.parse(data) as FakeSocket['sent'][number]);
  }
  close(): void {
    this.closed = true;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.call(this, new Event('open'));
  }
  drop(): void {
    this.readyState = 3;
    this.onclose?.call(this, new Event('close') as CloseEvent);
  }
  push(message: unknown): void {
    this.onmessage?.call(this, new MessageEvent('message', { data: JSON.stringify(message) }));
  }
  last(): FakeSocket['sent'][number] {
    const message = this.sent.at(-1);
    if (!message) throw new Error('nothing sent');
    return message;
  }
}

const AGENT = { version: '0.1.0', terminalId: 'T1', dev: true, demo: false, time: '2026-01-01T00:00:00+08:00', idleTimeoutMs: 60_000, idleCountdownMs: 15_000 };

function completion(name: string, requestId: number, payload: unknown, extra: Record<string, unknown> = { completionCode: 'success' }) {
  return { header: { type: 'completion', name, requestId, ...extra }, payload };
}

describe('AgentClient', () => {
  let sockets: FakeSocket[];
  let phases: ConnectionPhase[];
  let pushed: UnsolicitedMessage[];
  let client: AgentClient;

  beforeEach(() => {
    vi.useFakeTimers();
    sockets = [];
    phases = [];
    pushed = [];
    client = new AgentClient({
      url: 'ws://127.0.0.1:1/xfs4iot/v1.0',
      readToken: () => 'secret-token',
      createSocket: () => {
        const socket = new FakeSocket();
        sockets.push(socket);
        return socket;
      },
      initialBackoffMs: 100,
      maxBackoffMs: 400,
      onPhase: (phase) => phases.push(phase),
      onUnsolicited: (message) => pushed.push(message),
    });
  });

  afterEach(() => {
    client.stop();
    vi.useRealTimers();
  });

  async function connect(): Promise<FakeSocket> {
    client.start();
    const socket = sockets.at(-1);
    if (!socket) throw new Error('no socket');
    socket.open();
    const auth = socket.last();
    expect(auth.header.name).toBe('Common.Authenticate');
    expect(auth.payload).toEqual({ token: 'secret-token' });
    socket.push(completion('Common.Authenticate', auth.header.requestId, { agent: AGENT }));
    await vi.waitFor(() => expect(client.phase).toBe('ready'));
    return socket;
  }

  it('authenticates first, then resolves a command with its typed completion and passes its events', async () => {
    const socket = await connect();
    const events: string[] = [];
    const pending = client.send('IdCard.Read', {}, { timeoutMs: 5000, onEvent: (event) => events.push(event.name) });
    const sent = socket.last();
    expect(sent.header).toMatchObject({ name: 'IdCard.Read', requestId: pending.requestId, timeout: 5000 });
    socket.push({ header: { type: 'acknowledge', name: 'IdCard.Read', requestId: pending.requestId }, payload: {} });
    socket.push({ header: { type: 'event', name: 'IdCard.WaitingForCardEvent', requestId: pending.requestId }, payload: {} });
    socket.push({ header: { type: 'event', name: 'IdCard.ReadingEvent', requestId: pending.requestId }, payload: {} });
    socket.push(completion('IdCard.Read', pending.requestId, {}, { completionCode: 'userError', errorCode: 'cardExpired', errorDescription: 'expired' }));
    const result = await pending.result;
    expect(events).toEqual(['IdCard.WaitingForCardEvent', 'IdCard.ReadingEvent']);
    expect(result).toMatchObject({ ok: false, completionCode: 'userError', errorCode: 'cardExpired' });
    expect(phases).toEqual(['connecting', 'authenticating', 'ready']);
  });

  it('drops frames that fail validation and keeps going', async () => {
    const socket = await connect();
    const pending = client.send('Common.Status', {});
    socket.onmessage?.call(socket, new MessageEvent('message', { data: '{not json' }));
    // A success completion whose payload does not match the schema is ignored.
    socket.push(completion('Common.Status', pending.requestId, { devices: 'nope' }));
    socket.push({ header: { type: 'unsolicited', name: 'IdCard.CardPlacedEvent', requestId: 0 }, payload: {} });
    socket.push(completion('Common.Status', pending.requestId, { agent: AGENT, devices: [], warnings: [] }));
    const result = await pending.result;
    expect(result).toEqual({ ok: true, payload: { agent: AGENT, devices: [], warnings: [] } });
    expect(pushed).toEqual([{ name: 'IdCard.CardPlacedEvent', payload: {} }]);
  });

  it('fails commands in flight when the connection drops, then reconnects with growing backoff', async () => {
    const socket = await connect();
    const pending = client.send('IdCard.Read', {});
    socket.drop();
    expect(await pending.result).toMatchObject({ ok: false, completionCode: 'connectionLost' });
    expect(client.phase).toBe('disconnected');
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(sockets).toHaveLength(2);
    sockets[1]?.drop();
    await vi.advanceTimersByTimeAsync(199);
    expect(sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(3);
  });

  it('refuses to send before it is ready', async () => {
    const result = await client.send('Common.Status', {}).result;
    expect(result).toMatchObject({ ok: false, completionCode: 'connectionLost' });
  });

  it('reports a refused token as unauthorized', async () => {
    client.start();
    const socket = sockets[0];
    if (!socket) throw new Error('no socket');
    socket.open();
    socket.push(completion('Common.Authenticate', socket.last().header.requestId, {}, { completionCode: 'unauthorized', errorCode: 'badToken' }));
    await vi.waitFor(() => expect(client.phase).toBe('unauthorized'));
    expect(socket.closed).toBe(true);
  });

  it('cancels a command in flight by its requestId', async () => {
    const socket = await connect();
    const pending = client.send('IdCard.Read', {});
    client.cancel(pending.requestId);
    expect(socket.last()).toMatchObject({ header: { name: 'Common.Cancel' }, payload: { requestId: pending.requestId } });
  });
});

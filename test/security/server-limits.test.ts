import { afterEach, describe, expect, it } from 'vitest';
import { TestClient, type ConnectFailure } from '../integration/client.ts';
import { startServer, TEST_TOKEN, type RunningServer } from './harness.ts';

/** Issue 11: every message is answered; unauthenticated connections cannot keep the kiosk page out. */

const running: RunningServer[] = [];
afterEach(async () => {
  for (const server of running.splice(0)) await server.stop();
});

async function start(options: Parameters<typeof startServer>[0] = {}): Promise<string> {
  const server = await startServer(options);
  running.push(server);
  return server.url;
}

function nested(depth: number): unknown {
  let value: unknown = 'x';
  for (let i = 0; i < depth; i += 1) value = { a: value };
  return value;
}

function command(name: string, requestId: number, payload: unknown): string {
  return JSON.stringify({ header: { type: 'command', name, requestId, version: '1.0' }, payload });
}

describe('every message is answered', () => {
  it('answers deeply nested answers with invalidData before any schema runs', async () => {
    const url = await start();
    const client = await TestClient.authenticated(url, TEST_TOKEN);
    const count = 20;
    for (let i = 0; i < count; i += 1) client.sendRaw(command('Forms.Fill', 100 + i, { formId: 'x', answers: { deep: nested(2000 + i * 50) } }));
    const completions = await Promise.all(Array.from({ length: count }, (_, i) => client.completionOf(100 + i)));
    for (const completion of completions) expect(completion.header).toMatchObject({ completionCode: 'invalidData', errorCode: 'messageTooComplex' });
    // The connection still works.
    expect((await client.send('Common.Status')).completion.header.completionCode).toBe('success');
    await client.close();
  });

  it('answers a message with too many values with invalidData', async () => {
    const url = await start();
    const client = await TestClient.authenticated(url, TEST_TOKEN);
    const answers = Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`k${i}`, 1]));
    client.sendRaw(command('Forms.Fill', 5, { formId: 'x', answers }));
    expect((await client.completionOf(5)).header).toMatchObject({ completionCode: 'invalidData', errorCode: 'messageTooComplex' });
    await client.close();
  });
});

describe('unauthenticated connections', () => {
  it('cannot fill the connection limit: the kiosk page still connects after 40 of them', async () => {
    const url = await start({ maxConnections: 16 });
    const attackers: TestClient[] = [];
    for (let i = 0; i < 40; i += 1) {
      const attacker = await TestClient.tryConnect(url, { origin: null });
      if (attacker instanceof TestClient) attackers.push(attacker);
    }
    const kiosk: TestClient | ConnectFailure = await TestClient.tryConnect(url);
    expect(kiosk).toBeInstanceOf(TestClient);
    if (!(kiosk instanceof TestClient)) return;
    expect((await kiosk.send('Common.Authenticate', { token: TEST_TOKEN })).completion.header.completionCode).toBe('success');
    // Later unauthenticated connections close the oldest waiting ones, never the authenticated page.
    for (let i = 0; i < 10; i += 1) {
      const attacker = await TestClient.tryConnect(url, { origin: null });
      if (attacker instanceof TestClient) attackers.push(attacker);
    }
    expect((await kiosk.send('Common.Status')).completion.header.completionCode).toBe('success');
    await kiosk.close();
    for (const attacker of attackers) await attacker.close();
  });

  it('closes a connection that does not authenticate by its deadline', async () => {
    const url = await start({ authDeadlineMs: 50 });
    const idle = await TestClient.connect(url, { origin: null });
    expect((await idle.closed).code).toBe(1008);
  });

  it('reads only the header before authentication: the payload is not validated', async () => {
    const url = await start();
    const client = await TestClient.connect(url, { origin: null });
    client.sendRaw(command('Forms.Fill', 3, { answers: 'not an object' }));
    expect((await client.completionOf(3)).header).toMatchObject({ completionCode: 'unauthorized', errorCode: 'notAuthenticated' });
    // A large frame is refused unread.
    client.sendRaw(command('Common.Authenticate', 4, { token: 'x'.repeat(10_000) }));
    expect((await client.completionOf(0)).header).toMatchObject({ completionCode: 'unauthorized', errorCode: 'notAuthenticated' });
    await client.close();
  });
});

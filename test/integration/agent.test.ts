import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import './declared-errors.ts';
import { createAgent, type Agent, type StartedAgent } from '../../device-agent/src/app.ts';
import { defaultConfig, type Config } from '../../device-agent/src/config.ts';
import { findSampleIdentity } from '../../device-agent/src/devices/id-card/sample-identities.ts';
import { silentLogger } from '../../device-agent/src/log.ts';
import { fetchToken, successPayload, TestClient } from './client.ts';

const running: Agent[] = [];
const clients: TestClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(running.splice(0).map((a) => a.stop()));
});

function distWithIndex(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'onevisit-dist-'));
  writeFileSync(
    path.join(dir, 'index.html'),
    '<!doctype html><html><head><meta charset="utf-8"><meta name="onevisit-token" content=""><script type="module" src="/assets/app.js"></script></head><body></body></html>',
  );
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'assets', 'app.js'), 'console.log("kiosk");');
  return dir;
}

async function startAgent(
  overrides: Partial<Config> = {},
  distDir = distWithIndex(),
  options: { maxInFlight?: number; maxPayloadBytes?: number; heartbeatMs?: number } = {},
): Promise<StartedAgent & { agent: Agent }> {
  const config = defaultConfig({ port: 0, dev: true, dataDir: mkdtempSync(path.join(tmpdir(), 'onevisit-data-')), ...overrides });
  const agent = createAgent(config, { log: silentLogger(), distDir, ...options });
  running.push(agent);
  return { ...(await agent.start()), agent };
}

async function connect(started: StartedAgent): Promise<TestClient> {
  const client = await TestClient.authenticated(started.url, started.token);
  clients.push(client);
  return client;
}

describe('HTTP', () => {
  it('serves the UI with the per-boot token, a strict CSP and no caching', async () => {
    const started = await startAgent();
    const res = await fetch(started.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const html = await res.text();
    expect(html).toContain(`<meta name="onevisit-token" content="${started.token}">`);
    expect(html.match(/onevisit-token/g)).toHaveLength(1);
    expect(await fetchToken(started.url)).toBe(started.token);
    const js = await fetch(new URL('/assets/app.js', started.url));
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('never serves files outside the UI folder', async () => {
    const started = await startAgent();
    for (const p of ['/../package.json', '/%2e%2e/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json', '/%00.js']) {
      const res = await fetch(new URL(p, started.url).href.replace(/\/package\.json$/, '/package.json'));
      expect(res.status, p).toBe(404);
    }
    const raw = await fetch(`${started.url}assets/..%2f..%2f..%2fetc%2fpasswd.txt`);
    expect(raw.status).toBe(404);
  });

  it('explains itself when the UI is not built', async () => {
    const started = await startAgent({}, path.join(tmpdir(), 'onevisit-no-such-dist'));
    const res = await fetch(started.url);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build');
  });
});

describe('connections', () => {
  it('refuses a foreign Origin and a wrong path at the upgrade; a client without Origin still needs the token', async () => {
    const started = await startAgent();
    expect(await TestClient.tryConnect(started.url, { origin: 'http://evil.example' })).toMatchObject({ ok: false, status: 403 });
    expect(await TestClient.tryConnect(started.url, { origin: 'null' })).toMatchObject({ ok: false, status: 403 });
    const noOrigin = await TestClient.tryConnect(started.url, { origin: null });
    expect(noOrigin).toBeInstanceOf(TestClient);
    if (noOrigin instanceof TestClient) {
      clients.push(noOrigin);
      const status = await noOrigin.send('Common.Status');
      expect(status.completion.header).toMatchObject({ completionCode: 'unauthorized' });
    }
    expect(await TestClient.tryConnect(started.url, { origin: `http://127.0.0.1:${started.port + 1}` })).toMatchObject({ ok: false, status: 403 });
    const localhost = await TestClient.tryConnect(started.url, { origin: `http://localhost:${started.port}` });
    expect(localhost).toBeInstanceOf(TestClient);
    if (localhost instanceof TestClient) clients.push(localhost);
  });

  it('completes every command unauthorized until Common.Authenticate succeeds', async () => {
    const started = await startAgent();
    const client = await TestClient.connect(started.url);
    clients.push(client);
    const status = await client.send('Common.Status');
    expect(status.completion.header).toMatchObject({ completionCode: 'unauthorized', errorCode: 'notAuthenticated', name: 'Common.Status' });
    expect(status.ack).toBeUndefined();
    const read = await client.send('IdCard.Read', {}, { timeout: 100 });
    expect(read.completion.header.completionCode).toBe('unauthorized');
    const wrong = await client.send('Common.Authenticate', { token: 'not-the-token' });
    expect(wrong.completion.header).toMatchObject({ completionCode: 'unauthorized', errorCode: 'badToken' });
    const right = await client.send('Common.Authenticate', { token: started.token });
    expect(successPayload('Common.Authenticate', right).agent.terminalId).toBe('T0001');
    const after = await client.send('Common.Status');
    expect(after.ack?.header.type).toBe('acknowledge');
    expect(successPayload('Common.Status', after).devices.map((d) => d.device)).toContain('idCard');
  });

  it('tells staff in Common.Status when next year has no holiday data, or applications are out of service', async () => {
    // chinese-days covers up to 2026: in December the next 60 days reach into 2027.
    const december = await connect(await startAgent({ clockStartMs: Date.parse('2026-12-01T09:00:00+08:00') }));
    const warned = successPayload('Common.Status', await december.send('Common.Status'));
    expect(warned.warnings.map((w) => w.code)).toContain('holidayDataMissing');
    expect(warned.warnings.find((w) => w.code === 'holidayDataMissing')?.detail).toContain('2027');
    const june = await connect(await startAgent({ clockStartMs: Date.parse('2026-06-01T09:00:00+08:00') }));
    expect(successPayload('Common.Status', await june.send('Common.Status')).warnings).toEqual([]);
    // Not in dev mode and no back office key: applications are refused, and staff see why.
    const noKey = await connect(await startAgent({ dev: false }));
    expect(successPayload('Common.Status', await noKey.send('Common.Status')).warnings.map((w) => w.code)).toContain('submissionsOutOfService');
  });

  it('answers malformed and unknown messages with clear errors and stays usable', async () => {
    const started = await startAgent();
    const client = await connect(started);

    client.sendRaw('{ not json');
    const malformed = await client.waitFor((m) => m.header.errorCode === 'malformedJson');
    expect(malformed.header).toMatchObject({ type: 'completion', completionCode: 'invalidData', requestId: 0 });
    expect(malformed.header.errorDescription).toMatch(/not valid JSON/);

    client.sendRaw(JSON.stringify({ header: { type: 'command', name: 'Nope.Nothing', requestId: 41 } }));
    const unknown = await client.completionOf(41);
    expect(unknown.header).toMatchObject({ completionCode: 'unsupportedCommand', errorCode: 'unknownCommand', name: 'Nope.Nothing' });
    expect(unknown.header.errorDescription).toContain('Nope.Nothing');

    client.sendRaw(JSON.stringify({ header: { type: 'command', name: 'Dev.SetDeviceState', requestId: 42 }, payload: { device: 'toaster', state: 'online' } }));
    const bad = await client.completionOf(42);
    expect(bad.header).toMatchObject({ completionCode: 'invalidData', errorCode: 'invalidPayload' });
    expect(bad.header.errorDescription).toMatch(/device/);

    client.sendRaw(JSON.stringify({ header: { type: 'command', requestId: 43 } }));
    expect((await client.completionOf(43)).header.errorCode).toBe('malformedEnvelope');

    client.sendRaw(Buffer.from([1, 2, 3]));
    expect((await client.waitFor((m) => m.header.errorCode === 'binaryFrame')).header.completionCode).toBe('invalidData');

    const status = await client.send('Common.Status');
    expect(status.completion.header.completionCode).toBe('success');
    expect(client.messages.filter((m) => m.header.type === 'acknowledge' && m.header.requestId === 41)).toHaveLength(0);
  });

  it('refuses a second command with a requestId in flight, and more than the in-flight limit', async () => {
    const started = await startAgent({}, undefined, { maxInFlight: 2 });
    const client = await connect(started);
    // Sent raw: two completions will share requestId 7 (the refused duplicate, then the read).
    client.sendRaw(JSON.stringify({ header: { type: 'command', name: 'IdCard.Read', requestId: 7 } }));
    await client.waitFor((m) => m.header.requestId === 7 && m.header.name === 'IdCard.WaitingForCardEvent');
    client.sendRaw(JSON.stringify({ header: { type: 'command', name: 'Common.Status', requestId: 7 } }));
    const duplicate = await client.completionOf(7);
    expect(duplicate.header).toMatchObject({ completionCode: 'invalidRequestID', errorCode: 'duplicateRequestId' });
    const second = client.send('IdCard.Read', {}, { requestId: 8 });
    const third = await client.send('IdCard.Read', {}, { requestId: 9 });
    expect(third.completion.header).toMatchObject({ completionCode: 'busy', errorCode: 'tooManyRequests' });
    const cancel = await client.send('Common.Cancel', {});
    expect(successPayload('Common.Cancel', cancel).canceled.sort()).toEqual([7, 8]);
    const first = await client.waitFor((m) => m.header.type === 'completion' && m.header.requestId === 7 && m.header.name === 'IdCard.Read');
    expect(first.header.completionCode).toBe('canceled');
    expect((await second).completion.header.completionCode).toBe('canceled');
  });

  it('closes a connection that sends a frame over the size limit, and keeps serving others', async () => {
    const started = await startAgent({}, undefined, { maxPayloadBytes: 4096 });
    const big = await connect(started);
    big.sendRaw(JSON.stringify({ header: { type: 'command', name: 'Common.Status', requestId: 1 }, payload: { pad: 'x'.repeat(10_000) } }));
    expect((await big.closed).code).toBe(1009);
    const other = await connect(started);
    expect((await other.send('Common.Status')).completion.header.completionCode).toBe('success');
  });
});

describe('heartbeat', () => {
  it('drops a peer that stops answering pings, and keeps a live one', async () => {
    const started = await startAgent({}, undefined, { heartbeatMs: 200 });
    const dead = await TestClient.connect(started.url, { autoPong: false });
    clients.push(dead);
    const live = await connect(started);
    expect((await dead.closed).code).toBe(1006);
    expect((await live.send('Common.Status')).completion.header.completionCode).toBe('success');
  });
});

describe('IdCard.Read', () => {
  it('reads a card that is on the reader, with events, and pushes card events', async () => {
    const started = await startAgent();
    const client = await connect(started);
    expect((await client.send('Dev.InsertCard', { identity: 'checkX' })).completion.header.completionCode).toBe('success');
    await client.unsolicited('IdCard.CardPlacedEvent');
    const result = await client.send('IdCard.Read');
    expect(result.ack).toBeDefined();
    expect(result.events.map((e) => e.header.name)).toEqual(['IdCard.CardFoundEvent', 'IdCard.ReadingEvent']);
    const { identity } = successPayload('IdCard.Read', result);
    expect(identity.idNumber).toBe(findSampleIdentity('checkX')?.identity.idNumber);
    await client.unsolicited('IdCard.CardReadEvent');
    await client.send('Dev.RemoveCard');
    await client.unsolicited('IdCard.CardRemovedEvent');
  });

  it('waits for a card placed later', async () => {
    const started = await startAgent();
    const client = await connect(started);
    const pending = client.send('IdCard.Read', {}, { requestId: 100 });
    await client.waitFor((m) => m.header.name === 'IdCard.WaitingForCardEvent');
    await client.send('Dev.InsertCard', { identity: 'minority' });
    const result = await pending;
    expect(successPayload('IdCard.Read', result).identity.name).toBe('阿依古丽·买买提');
    expect(result.events.map((e) => e.header.name)).toEqual(['IdCard.WaitingForCardEvent', 'IdCard.CardFoundEvent', 'IdCard.ReadingEvent']);
  });

  it('completes timeOut when no card comes before header.timeout', async () => {
    const started = await startAgent();
    const client = await connect(started);
    const result = await client.send('IdCard.Read', {}, { timeout: 150 });
    expect(result.completion.header).toMatchObject({ completionCode: 'timeOut', name: 'IdCard.Read' });
    expect(result.events.map((e) => e.header.name)).toEqual(['IdCard.WaitingForCardEvent']);
  });

  it('completes canceled on Common.Cancel by requestId', async () => {
    const started = await startAgent();
    const client = await connect(started);
    const pending = client.send('IdCard.Read', {}, { requestId: 'read-1' });
    await client.waitFor((m) => m.header.requestId === 'read-1' && m.header.type === 'event');
    const cancel = await client.send('Common.Cancel', { requestId: 'read-1' });
    expect(successPayload('Common.Cancel', cancel).canceled).toEqual(['read-1']);
    expect((await pending).completion.header).toMatchObject({ completionCode: 'canceled', errorCode: 'canceled' });
    // The connection goes on working.
    await client.send('Dev.InsertCard', {});
    expect((await client.send('IdCard.Read')).completion.header.completionCode).toBe('success');
  });

  it('refuses an expired card politely, without personal data', async () => {
    const started = await startAgent({ clockStartMs: Date.parse('2026-11-23T09:00:00+08:00') });
    const client = await connect(started);
    await client.send('Dev.InsertCard', { identity: 'expired' });
    const result = await client.send('IdCard.Read');
    expect(result.completion.header).toMatchObject({ completionCode: 'userError', errorCode: 'cardExpired' });
    expect(JSON.stringify(result.completion)).not.toMatch(/张伟|310104/);
  });

  it('refuses a full identity with a bad check digit as invalidIdNumber', async () => {
    const started = await startAgent();
    const client = await connect(started);
    const identity = { ...(findSampleIdentity('standard')?.identity ?? {}), idNumber: '110105199003070018' };
    await client.send('Dev.InsertCard', { identity } as never);
    const result = await client.send('IdCard.Read');
    expect(result.completion.header).toMatchObject({ completionCode: 'userError', errorCode: 'invalidIdNumber' });
  });

  it('reads an identity given in full to Dev.InsertCard, photo and authority left out', async () => {
    const started = await startAgent();
    const client = await connect(started);
    const identity = {
      name: '测试乙',
      sex: '女',
      nation: '汉',
      birthDate: '1949-12-31',
      address: '北京市东城区示例路1号',
      idNumber: '11010519491231002X',
      validFrom: '2020-01-01',
      validTo: '长期',
      cardType: 'resident',
    };
    expect((await client.send('Dev.InsertCard', { identity } as never)).completion.header.completionCode).toBe('success');
    const read = successPayload('IdCard.Read', await client.send('IdCard.Read'));
    expect(read.identity).toMatchObject({ ...identity, authority: '', photo: '' });
  });

  it('reports deviceNotReady when the reader is offline, and pushes its status', async () => {
    const started = await startAgent();
    const client = await connect(started);
    await client.send('Dev.SetDeviceState', { device: 'idCard', state: 'offline' });
    const pushed = await client.unsolicited('Common.StatusChangedEvent');
    expect(pushed.payload).toMatchObject({ device: 'idCard', state: 'offline', attention: 'maintenance' });
    const result = await client.send('IdCard.Read', {}, { timeout: 5000 });
    expect(result.completion.header).toMatchObject({ completionCode: 'deviceNotReady', errorCode: 'readerNotReady' });
    const paper = await client.send('Dev.SetDeviceState', { device: 'idCard', state: 'paperOut' });
    expect(paper.completion.header.errorCode).toBe('unsupportedState');
  });

  it('reports a configured but absent reader as offline, never crashing', async () => {
    const started = await startAgent({ idCard: { kind: 'serial', path: '/dev/null-reader', baudRate: 115200 } });
    const client = await connect(started);
    const status = successPayload('Common.Status', await client.send('Common.Status'));
    expect(status.devices.find((d) => d.device === 'idCard')).toMatchObject({ state: 'offline' });
    expect((await client.send('IdCard.Read')).completion.header.completionCode).toBe('deviceNotReady');
    expect((await client.send('Dev.InsertCard', {})).completion.header.errorCode).toBe('notSimulated');
  });
});

describe('dev mode', () => {
  it('refuses Dev.* commands without --dev and hides them from Capabilities', async () => {
    const started = await startAgent({ dev: false });
    const client = await connect(started);
    for (const name of ['Dev.InsertCard', 'Dev.RemoveCard', 'Dev.ListIdentities'] as const) {
      const result = await client.send(name, {});
      expect(result.completion.header, name).toMatchObject({ completionCode: 'unsupportedCommand', errorCode: 'devOnly' });
    }
    const caps = successPayload('Common.Capabilities', await client.send('Common.Capabilities'));
    expect(caps.services.map((s) => s.name)).not.toContain('Dev');
    expect(caps.services.find((s) => s.name === 'IdCard')?.commands.map((c) => c.name)).toEqual(['IdCard.Read']);
  });

  it('uses --clock for the agent time and lists sample identities', async () => {
    const started = await startAgent({ clockStartMs: Date.parse('2026-11-23T09:00:00+08:00') });
    const client = await connect(started);
    const status = successPayload('Common.Status', await client.send('Common.Status'));
    expect(status.agent.time.startsWith('2026-11-23T09:00')).toBe(true);
    expect(status.agent.dev).toBe(true);
    const list = successPayload('Dev.ListIdentities', await client.send('Dev.ListIdentities'));
    expect(list.identities.find((i) => i.key === 'expired')?.expired).toBe(true);
    expect(list.identities.find((i) => i.key === 'foreign')?.cardType).toBe('foreignPermanent');
  });

  it('ends a session on Session.End', async () => {
    const started = await startAgent();
    const client = await connect(started);
    const result = await client.send('Session.End', { reason: 'idleTimeout' });
    expect(result.completion.header.completionCode).toBe('success');
  });
});

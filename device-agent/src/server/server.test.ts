import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { defaultConfig } from '../config.ts';
import { createDevices } from '../devices/registry.ts';
import { silentLogger } from '../log.ts';
import type { AgentServices } from '../services.ts';
import { TestClient } from '../../../test/integration/client.ts';
import type { ErrorCodeOf } from '@onevisit/protocol';
import { failure, type HandlerTable } from './handler.ts';
import { handlers } from './handlers/index.ts';
import { createAgentServer, type AgentServer } from './server.ts';
import { servicesForTest } from './test-services.ts';

const servers: AgentServer[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.shutdown(100)));
  for (const close of closers.splice(0)) await close();
});

async function services(): Promise<AgentServices> {
  const config = defaultConfig({ port: 0, dev: true });
  const clock = new ManualClock(Date.parse('2026-11-23T01:00:00Z'));
  const log = silentLogger();
  const devices = createDevices(config, { clock, log });
  const built = await servicesForTest({ config, devices, clock, log });
  closers.push(() => built.close());
  return built.services;
}

async function serve(table: HandlerTable, extra: { abortGraceMs?: number } = {}): Promise<string> {
  const server = createAgentServer({ port: 0, token: 't0ken', distDir: '/nonexistent', services: await services(), handlers: table, log: silentLogger(), ...extra });
  servers.push(server);
  const port = await server.listen();
  return `http://127.0.0.1:${port}/`;
}

describe('agent server', () => {
  it('turns a handler that throws into internalError and keeps the connection', async () => {
    const url = await serve({
      ...handlers,
      'Common.Capabilities': () => {
        throw new Error('boom 110105199003070017');
      },
    });
    const client = await TestClient.authenticated(url, 't0ken');
    const result = await client.send('Common.Capabilities');
    expect(result.completion.header).toMatchObject({ completionCode: 'internalError', errorCode: 'internalError' });
    expect(result.completion.header.errorDescription).not.toContain('110105');
    expect((await client.send('Common.Status')).completion.header.completionCode).toBe('success');
    await client.close();
  });

  it('turns a success payload that breaks its schema into internalError', async () => {
    const url = await serve({ ...handlers, 'Dev.RemoveCard': () => Promise.resolve({ completionCode: 'success', payload: 'nope' as never }) });
    const client = await TestClient.authenticated(url, 't0ken');
    expect((await client.send('Dev.RemoveCard')).completion.header.completionCode).toBe('internalError');
    await client.close();
  });

  it('completes a handler that ignores its abort once the grace time is over', async () => {
    const url = await serve(
      { ...handlers, 'IdCard.Read': () => new Promise(() => undefined) },
      { abortGraceMs: 50 },
    );
    const client = await TestClient.authenticated(url, 't0ken');
    const result = await client.send('IdCard.Read', {}, { timeout: 50 });
    expect(result.completion.header.completionCode).toBe('timeOut');
    await client.close();
  });

  it('returns failures from handlers unchanged', async () => {
    const url = await serve({ ...handlers, 'Dev.RemoveCard': () => Promise.resolve(failure<'Dev.RemoveCard'>('hardwareError', 'someCode' as ErrorCodeOf<'Dev.RemoveCard'>, 'Something.')) });
    const client = await TestClient.authenticated(url, 't0ken');
    expect((await client.send('Dev.RemoveCard')).completion.header).toMatchObject({ completionCode: 'hardwareError', errorCode: 'someCode', errorDescription: 'Something.' });
    await client.close();
  });

  it('answers foreign Host headers with 421 (DNS rebinding)', async () => {
    const url = await serve(handlers);
    const { request } = await import('node:http');
    const status = await new Promise<number | undefined>((resolve) => {
      const req = request(url, { headers: { host: 'evil.example:80' } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.end();
    });
    expect(status).toBe(421);
  });
});

import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgent, type Agent, type StartedAgent } from '../../device-agent/src/app.ts';
import { defaultConfig } from '../../device-agent/src/config.ts';
import { findSampleIdentity } from '../../device-agent/src/devices/id-card/sample-identities.ts';
import { silentLogger } from '../../device-agent/src/log.ts';
import { loadOrWriteLaunchSecret } from '../../device-agent/src/server/launch-secret.ts';
import { successPayload, TestClient } from '../integration/client.ts';

/**
 * Issue 11: outside the demo the page token alone is not enough. The agent writes a per-boot launch
 * secret (0640) for the kiosk launcher; only a connection that presents it may read cards, print,
 * submit or work as staff; one with only the page token gets non-personal status at most.
 * A real agent over plain ws.
 */

const running: Agent[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const agent of running.splice(0)) await agent.stop();
});

async function terminal(): Promise<{ agent: Agent; started: StartedAgent; secretFile: string }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'onevisit-launch-'));
  const secretFile = path.join(mkdtempSync(path.join(tmpdir(), 'onevisit-run-')), 'launch-secret');
  const agent = createAgent(defaultConfig({ port: 0, dev: false, dataDir, terminalId: 'T0042', launchSecretFile: secretFile }), {
    log: silentLogger(),
    distDir: mkdtempSync(path.join(tmpdir(), 'onevisit-dist-')),
  });
  running.push(agent);
  return { agent, started: await agent.start(), secretFile };
}

async function connect(started: StartedAgent, launchSecret?: string): Promise<TestClient> {
  const client = await TestClient.connect(started.url);
  clients.push(client);
  const auth = await client.send('Common.Authenticate', launchSecret === undefined ? { token: started.token } : { token: started.token, launchSecret });
  expect(auth.completion.header.completionCode).toBe('success');
  return client;
}

describe('the launch secret (no demo)', () => {
  it('is written for the kiosk account only (0640), kept for the boot across agent restarts, and fresh when the file is gone or tampered with', async () => {
    const { agent, started, secretFile } = await terminal();
    expect(started.launchSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(readFileSync(secretFile, 'utf8').trim()).toBe(started.launchSecret);
    expect(statSync(secretFile).mode & 0o777).toBe(0o640);
    await agent.stop();
    // A restart (Staff.RestartAgent, a crash) keeps the secret: the browser the launcher started goes on working.
    expect(loadOrWriteLaunchSecret(secretFile)).toBe(started.launchSecret);
    // A reboot empties /run: a fresh one. A file the agent did not write (other mode) is replaced.
    rmSync(secretFile);
    const afterBoot = loadOrWriteLaunchSecret(secretFile);
    expect(afterBoot).not.toBe(started.launchSecret);
    chmodSync(secretFile, 0o644);
    expect(loadOrWriteLaunchSecret(secretFile)).not.toBe(afterBoot);
    expect(statSync(secretFile).mode & 0o777).toBe(0o640);
  });

  it('the page token alone gets status, not the card reader, the printers, submissions or staff sign-in work', async () => {
    const { agent, started } = await terminal();
    const local = await connect(started);
    successPayload('Common.Status', await local.send('Common.Status', {}));
    successPayload('Forms.List', await local.send('Forms.List', {}));
    const refused = [
      await local.send('IdCard.Read', {}),
      await local.send('ReceiptPrinter.Print', { document: { kind: 'formNotice', formId: 'residence-permit', language: 'zh-CN' } }),
      await local.send('Application.List', {}),
      await local.send('Booking.Find', {}),
      await local.send('Outbox.DeadLetters', {}),
    ];
    for (const result of refused) {
      expect(result.completion.header).toMatchObject({ completionCode: 'unauthorized', errorCode: 'launchSecretRequired' });
      expect(result.ack).toBeUndefined();
    }
    // Card events are not pushed to it either; the launched kiosk page gets them.
    const kiosk = await connect(started, started.launchSecret);
    const seen: string[] = [];
    void local.waitFor((m) => (m.header.type === 'unsolicited' && seen.push(m.header.name) > 100), 60_000).catch(() => undefined);
    const identity = findSampleIdentity('standard')?.identity;
    if (identity === undefined) throw new Error('the sample card exists');
    agent.services.simulators.idCard?.insertCard(identity);
    await kiosk.unsolicited('IdCard.CardPlacedEvent');
    await kiosk.send('Common.Status', {});
    await local.send('Common.Status', {});
    expect(seen.filter((name) => name.startsWith('IdCard.'))).toEqual([]);
  });

  it('the kiosk page with the secret reads cards and prints; a wrong secret does not authenticate', async () => {
    const { started } = await terminal();
    const kiosk = await connect(started, started.launchSecret);
    successPayload('ReceiptPrinter.Print', await kiosk.send('ReceiptPrinter.Print', { document: { kind: 'formNotice', formId: 'residence-permit', language: 'en' } }));
    const read = kiosk.send('IdCard.Read', {}, { requestId: 50 });
    await kiosk.waitFor((m) => m.header.name === 'IdCard.WaitingForCardEvent');
    await kiosk.send('Common.Cancel', { requestIds: [50] });
    expect((await read).ack).toBeDefined();

    const forger = await TestClient.connect(started.url);
    clients.push(forger);
    const wrong = await forger.send('Common.Authenticate', { token: started.token, launchSecret: 'x'.repeat(43) });
    expect(wrong.completion.header).toMatchObject({ completionCode: 'unauthorized', errorCode: 'badToken' });
    expect((await forger.send('Common.Status', {})).completion.header.errorCode).toBe('notAuthenticated');
  });
});

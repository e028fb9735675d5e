import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { createAgent, type Agent, type StartedAgent } from '../../device-agent/src/app.ts';
import { ManualClock } from '../../device-agent/src/clock.ts';
import { defaultConfig, type Config } from '../../device-agent/src/config.ts';
import { generateBackofficeKeyPair } from '../../device-agent/src/crypto/seal.ts';
import { silentLogger } from '../../device-agent/src/log.ts';
import type { Ops } from '../../device-agent/src/services/forms-update/test-fleet.ts';
import type { FormsUpdater } from '../../device-agent/src/services/forms-update/updater.ts';
import { TestClient } from './client.ts';

/**
 * Whole agents on a form channel (issue 16) for the integration tests: `--forms-channel` on the
 * ops' channel folder, their key trusted, polls driven by the test through the agent's updater.
 * Call once per test file: agents, clients and folders are cleaned up after each test.
 */
export function formsUpdateAgents(): {
  tempDir: (prefix: string) => string;
  configFor: (ops: Ops, dataDir: string) => Config;
  start: (config: Config) => Promise<{ agent: Agent; started: StartedAgent; kiosk: TestClient; updater: FormsUpdater; clock: ManualClock }>;
  /** A connection closed after the test. */
  keep: (client: TestClient) => TestClient;
} {
  const running: Agent[] = [];
  const clients: TestClient[] = [];
  const dirs: string[] = [];

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(running.splice(0).map((a) => a.stop()));
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  function tempDir(prefix: string): string {
    const dir = mkdtempSync(path.join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  }

  function configFor(ops: Ops, dataDir: string): Config {
    const keyFile = path.join(tempDir('onevisit-keys-'), 'backoffice.pub');
    writeFileSync(keyFile, generateBackofficeKeyPair().publicPem);
    return defaultConfig({
      port: 0,
      dev: true,
      dataDir,
      intakeDir: tempDir('onevisit-intake-'),
      backofficeKeyFile: keyFile,
      formsChannel: { kind: 'dir', dir: ops.channel },
      formsTrustedKeysFile: ops.pubFile,
      formsPollMs: 60_000,
    });
  }

  async function start(config: Config): Promise<{ agent: Agent; started: StartedAgent; kiosk: TestClient; updater: FormsUpdater; clock: ManualClock }> {
    const clock = new ManualClock(Date.parse('2026-12-04T02:14:00+08:00'));
    const agent = createAgent(config, { log: silentLogger(), distDir: tempDir('onevisit-dist-'), clock });
    running.push(agent);
    const started = await agent.start();
    const kiosk = await TestClient.authenticated(started.url, started.token);
    clients.push(kiosk);
    const updater = agent.services.formsUpdate.updater;
    if (updater === undefined) throw new Error('the updater is not composed');
    return { agent, started, kiosk, updater, clock };
  }

  return {
    tempDir,
    configFor,
    start,
    keep: (client) => {
      clients.push(client);
      return client;
    },
  };
}

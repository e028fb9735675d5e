import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { createAgent, type Agent, type AgentOptions, type StartedAgent } from '../../device-agent/src/app.ts';
import { defaultConfig, type Config } from '../../device-agent/src/config.ts';
import { silentLogger } from '../../device-agent/src/log.ts';
import { TestClient } from './client.ts';

export type InProcessAgents = {
  /** An agent on a fresh data folder (dev mode, any free port, silent), started. */
  start: (config?: Partial<Config>, options?: Omit<AgentOptions, 'log' | 'distDir'>) => Promise<{ agent: Agent; started: StartedAgent; dataDir: string }>;
  /** An authenticated connection to `started`, closed after the test. */
  connect: (started: StartedAgent) => Promise<TestClient>;
  /** Closes `client` after the test. */
  keep: (client: TestClient) => TestClient;
  /** A folder removed after the test (e.g. a data folder to prepare before `start({ dataDir })`). */
  tempDir: (prefix: string) => string;
};

/**
 * Agents run in this process for a test file: after each test its connections close, its agents stop
 * and their folders go (one lifecycle for the integration tests instead of a copy in each).
 */
export function inProcessAgents(dataDirPrefix: string): InProcessAgents {
  const running: Agent[] = [];
  const clients: TestClient[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(running.splice(0).map((a) => a.stop()));
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const tempDir = (prefix: string): string => {
    const dir = mkdtempSync(path.join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  const keep = (client: TestClient): TestClient => {
    clients.push(client);
    return client;
  };
  return {
    start: async (config = {}, options = {}) => {
      const dataDir = config.dataDir ?? tempDir(dataDirPrefix);
      const agent = createAgent(defaultConfig({ port: 0, dev: true, ...config, dataDir }), { ...options, log: silentLogger(), distDir: tempDir('onevisit-dist-') });
      running.push(agent);
      return { agent, started: await agent.start(), dataDir };
    },
    connect: async (started) => keep(await TestClient.authenticated(started.url, started.token)),
    keep,
    tempDir,
  };
}

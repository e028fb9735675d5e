import { ManualClock } from '../../device-agent/src/clock.ts';
import { defaultConfig } from '../../device-agent/src/config.ts';
import { createDevices } from '../../device-agent/src/devices/registry.ts';
import { silentLogger } from '../../device-agent/src/log.ts';
import { handlers } from '../../device-agent/src/server/handlers/index.ts';
import { createAgentServer, type AgentServer, type ServerOptions } from '../../device-agent/src/server/server.ts';
import { servicesForTest } from '../../device-agent/src/server/test-services.ts';
import type { AgentServices } from '../../device-agent/src/services.ts';

export const TEST_TOKEN = 't0ken';

/** One agent server on a free port over the test services (device-agent/src/server/test-services.ts). */
export type RunningServer = { url: string; server: AgentServer; services: AgentServices; stop(): Promise<void> };

export async function startServer(options: Partial<Pick<ServerOptions, 'authDeadlineMs' | 'maxUnauthenticated' | 'maxConnections'>> & { dev?: boolean } = {}): Promise<RunningServer> {
  const config = defaultConfig({ port: 0, dev: options.dev ?? true });
  const clock = new ManualClock(Date.parse('2026-11-23T01:00:00Z'));
  const log = silentLogger();
  const devices = createDevices(config, { clock, log });
  const built = await servicesForTest({ config, devices, clock, log }, options.dev === false ? { dev: false } : {});
  const server = createAgentServer({ port: 0, token: TEST_TOKEN, distDir: '/nonexistent', services: built.services, handlers, log, ...options });
  const port = await server.listen();
  return {
    url: `http://127.0.0.1:${port}/`,
    server,
    services: built.services,
    async stop() {
      await server.shutdown(100);
      await built.close();
    },
  };
}

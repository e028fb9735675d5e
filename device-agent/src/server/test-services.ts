import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { DeviceRegistry } from '../devices/registry.ts';
import { composeServices, STORE_MIGRATIONS, type AgentServices } from '../services.ts';
import { DEFAULT_FORMS_DIR, FormCatalog } from '../services/application/form-catalog.ts';
import { openStore } from '../store/db.ts';

export type TestServices = {
  readonly services: AgentServices;
  /** Stops what the services started and removes their temporary data folder. */
  close(): Promise<void>;
};

/**
 * The services a handler sees, composed as createAgent does (services.ts) around the given devices,
 * on a fresh store in a temporary folder, for handler and server tests that do not start a whole
 * agent. Without a back office key, so Forms.Submit is out of service unless `overrides` says
 * otherwise; `overrides` replaces whole services with typed stand-ins.
 */
export async function servicesForTest(
  parts: { config: Config; devices: DeviceRegistry; clock: Clock; log: Logger },
  overrides: Partial<AgentServices> = {},
): Promise<TestServices> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'onevisit-services-'));
  const config: Config = { ...parts.config, dataDir, intakeDir: path.join(dataDir, 'intake'), terminalId: 'T0001' };
  const store = openStore({ dataDir, migrations: STORE_MIGRATIONS });
  const catalog = await FormCatalog.load(DEFAULT_FORMS_DIR, { log: parts.log });
  const composed = composeServices({ config, clock: parts.clock, log: parts.log, devices: parts.devices, db: store.db, catalog, backofficeKeyFile: undefined });
  return {
    services: { ...composed.services, idleTimeoutMs: 60_000, idleCountdownMs: 15_000, dev: true, ...overrides },
    async close() {
      await composed.stop();
      store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

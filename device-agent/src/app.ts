import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { offsetClock, systemClock, type Clock } from './clock.ts';
import { HOST, type Config } from './config.ts';
import type { Unsubscribe } from './devices/device.ts';
import { createDevices, type DeviceRegistry } from './devices/registry.ts';
import { createLogger } from './log.ts';
import { REPO_DIR } from './paths.ts';
import { agentWarnings } from './server/handlers/common.ts';
import { handlers } from './server/handlers/index.ts';
import { createAgentServer, type AgentServer } from './server/server.ts';
import { loadOrWriteLaunchSecret } from './server/launch-secret.ts';
import { composeServices, STORE_MIGRATIONS, type AgentServices, type ComposedServices } from './services.ts';
import { classifyStoreError, openStore, StoreError, type Store } from './store/db.ts';
import { HallConnection } from './store/hall-connection.ts';
import { ensureDemoBackofficeKey } from './outbox/demo-key.ts';
import { loadAgentCatalog } from './services/forms-update/compose.ts';
import { ensureDemoFormsChannel } from './services/forms-update/demo-channel.ts';
import { DEFAULT_FORMS_DIR } from './services/application/form-catalog.ts';

/** kiosk-ui/dist of this checkout. */
export const DEFAULT_DIST_DIR = path.join(REPO_DIR, 'kiosk-ui', 'dist');

export type AgentOptions = {
  /** Default: a pino logger on stdout at config.logLevel. */
  log?: Logger;
  /** Default: kiosk-ui/dist of this checkout. */
  distDir?: string;
  /** Default: the system clock, or `--clock` in dev mode. */
  clock?: Clock;
  heartbeatMs?: number;
  maxInFlight?: number;
  maxPayloadBytes?: number;
  abortGraceMs?: number;
  /** How long commands in flight get to complete at shutdown. Default 3 s. */
  shutdownGraceMs?: number;
  /**
   * Start the OCR workers at boot (main.ts does) rather than on first use. Off by default so that
   * in-process test agents do not each load ~250 MB of language models they never use.
   */
  warmOcr?: boolean;
  /**
   * Staff.RestartAgent: called after the completion has gone out; main.ts stops the agent and exits with
   * RESTART_EXIT_CODE, and scripts/start.mjs starts it again. Without it the command is refused.
   */
  onRestartRequested?: () => void;
};

/** `launchSecret`: written to `config.launchSecretFile` for the kiosk launcher; undefined when none is configured. */
export type StartedAgent = { url: string; port: number; token: string; launchSecret?: string | undefined };

export interface Agent {
  start(): Promise<StartedAgent>;
  /** Graceful stop (Common.ShutdownEvent, completions, close 1001, devices stopped). Safe to call twice. */
  stop(): Promise<void>;
  /** The services, composed in start() (they need the store and the forms): reading them before start() throws. */
  readonly services: AgentServices;
  readonly devices: DeviceRegistry;
  /** The per-boot token written into the served page. */
  readonly token: string;
}

/** Builds the whole agent from a validated config; nothing listens until start(). */
export function createAgent(config: Config, options: AgentOptions = {}): Agent {
  const log = options.log ?? createLogger({ level: config.logLevel });
  const clock = options.clock ?? (config.dev && config.clockStartMs !== undefined ? offsetClock(config.clockStartMs) : systemClock);
  const devices = createDevices(config, { clock, log: log.child({ component: 'devices' }) });
  // The one SQLite store (store/db.ts) and the services on it, built in start().
  let store: Store | undefined;
  let hall: HallConnection | undefined;
  let composed: ComposedServices | undefined;
  let server: AgentServer | undefined;
  const token = randomBytes(32).toString('base64url');
  const subscriptions: Unsubscribe[] = [];

  /** Device state is pushed, never polled (DESIGN.md). */
  function pushDeviceEvents(to: AgentServer): void {
    for (const device of devices.all()) {
      subscriptions.push(device.onStatus((status) => to.broadcast('Common.StatusChangedEvent', status)));
    }
    subscriptions.push(
      devices.idCard.onCard((event) => {
        switch (event) {
          case 'placed':
            to.broadcast('IdCard.CardPlacedEvent', {});
            break;
          case 'read':
            to.broadcast('IdCard.CardReadEvent', {});
            break;
          case 'removed':
            to.broadcast('IdCard.CardRemovedEvent', {});
            break;
          default: {
            const unreachable: never = event;
            return unreachable;
          }
        }
      }),
    );
  }

  /** Staff mode (issue 12): a staff card waiting for its PIN, a staff session ending, supplies changing. */
  function pushStaffEvents(to: AgentServer, services: AgentServices): void {
    subscriptions.push(
      services.staff.onNotice((notice) => {
        switch (notice.kind) {
          case 'cardRecognised':
            to.broadcast('Staff.CardRecognisedEvent', { name: notice.name, attemptsLeft: notice.attemptsLeft, lockedForSeconds: notice.lockedForSeconds });
            break;
          case 'sessionEnded':
            to.broadcast('Staff.SessionEndedEvent', { reason: notice.reason });
            break;
          default: {
            const unreachable: never = notice;
            return unreachable;
          }
        }
      }),
      services.staffMode.supplies.onNotice((notice) => to.broadcast('Storage.StatusChangedEvent', { units: notice.units })),
    );
  }

  let state: 'new' | 'started' | 'stopping' | 'stopped' = 'new';
  let stopping: Promise<void> | undefined;

  return {
    get services(): AgentServices {
      if (!composed) throw new Error('the agent has not started: its services are composed in start()');
      return composed.services;
    },
    devices,
    token,
    async start() {
      if (state !== 'new') throw new Error('an agent starts once');
      state = 'started';
      try {
        await mkdir(config.dataDir, { recursive: true });
        store = openStore({ dataDir: config.dataDir, migrations: STORE_MIGRATIONS });
      } catch (error) {
        throw dataFolderProblem(config.dataDir, error);
      }
      const formsLog = log.child({ component: 'forms' });
      // The shipped forms with the active signed updates (issue 16), after undoing what a crash left.
      const catalog = await loadAgentCatalog(config, formsLog);
      // Parse the fonts in the background now, so that the first citizen does not wait for it (issue 4).
      void catalog.warm(formsLog);
      const backofficeKeyFile =
        config.backofficeKeyFile ?? (config.dev ? await ensureDemoBackofficeKey(config.dataDir, log.child({ component: 'outbox' })) : undefined);
      if (config.hallDb !== undefined) {
        hall = new HallConnection({ connectionString: config.hallDb, log });
        // Unreachable now: start anyway (applications are local); it keeps trying in the background.
        await hall.connect().catch(() => undefined);
      }
      // The demo's form updates come from a channel of the shipped forms signed with a demo key (issue 16).
      const demoForms = config.demo && config.formsChannel === undefined ? await ensureDemoFormsChannel(config.dataDir, config.formsDir ?? DEFAULT_FORMS_DIR, formsLog) : undefined;
      const servicesConfig = demoForms === undefined ? config : { ...config, formsChannel: { kind: 'dir' as const, dir: demoForms.dir }, formsTrustedKeysFile: demoForms.trustedKeysFile };
      composed = composeServices({ config: servicesConfig, clock, log, devices, db: store.db, catalog, backofficeKeyFile, hall, warnings: agentWarnings });
      // One terminal id, one live terminal (issue 14): refuse to start under an id another machine of
      // the hall reported with in the last 60 s. A restart of this installation (same instance id) may.
      if ((await composed.services.hallStatus.beatOutcome()) === 'idTaken') {
        throw new Error(
          `Another terminal of this hall is running with the terminal id ${config.terminalId} (it reported in the last 60 s from another installation). Give this terminal its own id (--terminal-id or the config file's terminalId), or stop the other one and wait a minute.`,
        );
      }
      if (options.onRestartRequested) composed.services.staffMode.setRestartHandler(options.onRestartRequested);
      if (config.demo) await composed.services.staffMode.seedDemoStaff();
      composed.start();
      let launchSecret: string | undefined;
      if (config.launchSecretFile !== undefined) {
        try {
          launchSecret = loadOrWriteLaunchSecret(config.launchSecretFile);
        } catch (error) {
          const code = (error as { code?: unknown }).code;
          throw new Error(
            `Cannot write the launch secret to ${config.launchSecretFile}${typeof code === 'string' ? ` (${code})` : ''}: create its folder for the agent's account with the kiosk account's group (README, "OS accounts"), or choose another file with --launch-secret-file.`,
          );
        }
      }
      const started = createAgentServer({
        port: config.port,
        token,
        launchSecret,
        distDir: options.distDir ?? DEFAULT_DIST_DIR,
        services: composed.services,
        handlers,
        log,
        ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
        ...(options.maxInFlight !== undefined ? { maxInFlight: options.maxInFlight } : {}),
        ...(options.maxPayloadBytes !== undefined ? { maxPayloadBytes: options.maxPayloadBytes } : {}),
        ...(options.abortGraceMs !== undefined ? { abortGraceMs: options.abortGraceMs } : {}),
      });
      server = started;
      pushDeviceEvents(started);
      pushStaffEvents(started, composed.services);
      await devices.start();
      // The cabinet's doors and sensors settle what a crash left half done, before the first command.
      const reconciled = await composed.services.pickup.start();
      log.info({ component: 'pickup', ...reconciled, doorsOpen: reconciled.doorsOpen.length }, 'pickup cabinet reconciled');
      // OCR workers warm up in the background so that the first citizen does not wait (issue 3).
      if (options.warmOcr === true) {
        void composed.services.scanning.start().catch((error: unknown) => log.error({ err: error }, 'OCR workers failed to start'));
      }
      const port = await started.listen();
      const url = `http://${HOST}:${port}/`;
      log.info({ port, dev: config.dev, terminalId: config.terminalId, idCard: config.idCard.kind }, 'agent listening');
      return { url, port, token, launchSecret };
    },
    stop() {
      stopping ??= (async () => {
        state = 'stopping';
        if (server) await server.shutdown(options.shutdownGraceMs ?? 3000);
        for (const unsubscribe of subscriptions) unsubscribe();
        await devices.stop();
        await composed?.stop();
        store?.close();
        await hall?.close();
        state = 'stopped';
        log.info('agent stopped');
      })();
      return stopping;
    },
  };
}

/**
 * Why the data folder cannot hold the terminal's store, in words an installer acts on (issue 11): a
 * read-only or unwritable folder or a full disk is a fault of the machine, not a crash of the agent.
 */
export function dataFolderProblem(dataDir: string, error: unknown): Error {
  const osCode = error instanceof StoreError ? error.sqliteCode : (error as { code?: unknown }).code;
  const code = typeof osCode === 'string' ? ` (${osCode})` : '';
  const store = classifyStoreError(error);
  const what =
    store === 'readOnly'
      ? `is read-only or not writable by this account${code}: give the agent's account write access to it, or choose another with --data-dir`
      : store === 'diskFull'
        ? `is on a full disk${code}: free space on that disk`
        : store === 'corrupt'
          ? `holds a damaged database${code}: restore it from a backup or move it aside`
          : `cannot be used${code}: ${error instanceof Error ? error.message : String(error)}`;
  return new Error(`Out of service: the data folder ${dataDir} ${what}.`, { cause: error });
}

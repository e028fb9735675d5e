import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { offsetClock, systemClock, type Clock } from './clock.ts';
import { HOST, type Config } from './config.ts';
import type { Unsubscribe } from './devices/device.ts';
import { createDevices, type DeviceRegistry } from './devices/registry.ts';
import { createLogger } from './log.ts';
import { handlers } from './server/handlers/index.ts';
import { createAgentServer, type AgentServer } from './server/server.ts';
import type { AgentServices } from './services.ts';
import { createSubmissionRuntime, submissionMigrations, type SubmissionRuntime } from './outbox/service.ts';
import { openStore, type MigrationSet, type Store } from './store/db.ts';
import { ensureDemoBackofficeKey } from './outbox/demo-key.ts';
import { bookingMigrationSet } from './store/booking-migrations.ts';
import { SqliteBookingStore } from './store/booking-sqlite-store.ts';
import { createBookingService, type BookingService } from './services/booking/booking-service.ts';
import { ApplicationService } from './services/application/application-service.ts';
import { DEFAULT_FORMS_DIR, FormCatalog } from './services/application/form-catalog.ts';

/** kiosk-ui/dist of this checkout. */
export const DEFAULT_DIST_DIR = fileURLToPath(new URL('../../kiosk-ui/dist', import.meta.url));

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
};

export type StartedAgent = { url: string; port: number; token: string };

export interface Agent {
  start(): Promise<StartedAgent>;
  /** Graceful stop (Common.ShutdownEvent, completions, close 1001, devices stopped). Safe to call twice. */
  stop(): Promise<void>;
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
  // The one SQLite store (store/db.ts), opened in start(). Each module adds its migration set here.
  const storeMigrations: readonly MigrationSet[] = [...submissionMigrations, bookingMigrationSet];
  let store: Store | undefined;
  let submissions: SubmissionRuntime | undefined;
  let booking: BookingService | undefined;
  let application: ApplicationService | undefined;
  const services: AgentServices = {
    clock,
    log,
    terminalId: config.terminalId,
    dev: config.dev,
    idleTimeoutMs: config.idleTimeoutMs,
    idleCountdownMs: config.idleCountdownMs,
    config,
    devices: {
      idCard: devices.idCard,
      printer: devices.printer,
      receiptPrinter: devices.receiptPrinter,
      all: () => devices.all(),
      get: (id) => devices.get(id),
    },
    simulators: devices.simulators,
    get submissions() {
      return submissions?.service;
    },
    get booking() {
      return booking;
    },
    get application() {
      return application;
    },
    scanning: devices.scanning,
  };
  const token = randomBytes(32).toString('base64url');
  const server: AgentServer = createAgentServer({
    port: config.port,
    token,
    distDir: options.distDir ?? DEFAULT_DIST_DIR,
    services,
    handlers,
    log,
    ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
    ...(options.maxInFlight !== undefined ? { maxInFlight: options.maxInFlight } : {}),
    ...(options.maxPayloadBytes !== undefined ? { maxPayloadBytes: options.maxPayloadBytes } : {}),
    ...(options.abortGraceMs !== undefined ? { abortGraceMs: options.abortGraceMs } : {}),
  });

  // Device state is pushed, never polled (DESIGN.md).
  const subscriptions: Unsubscribe[] = [];
  for (const device of devices.all()) {
    subscriptions.push(device.onStatus((status) => server.broadcast('Common.StatusChangedEvent', status)));
  }
  subscriptions.push(
    devices.idCard.onCard((event) => {
      switch (event) {
        case 'placed':
          server.broadcast('IdCard.CardPlacedEvent', {});
          break;
        case 'read':
          server.broadcast('IdCard.CardReadEvent', {});
          break;
        case 'removed':
          server.broadcast('IdCard.CardRemovedEvent', {});
          break;
        default: {
          const unreachable: never = event;
          return unreachable;
        }
      }
    }),
  );

  let state: 'new' | 'started' | 'stopping' | 'stopped' = 'new';
  let stopping: Promise<void> | undefined;

  return {
    services,
    devices,
    token,
    async start() {
      if (state !== 'new') throw new Error('an agent starts once');
      state = 'started';
      await mkdir(config.dataDir, { recursive: true });
      store = openStore({ dataDir: config.dataDir, migrations: storeMigrations });
      const formsLog = log.child({ component: 'forms' });
      const catalog = await FormCatalog.load(config.formsDir ?? DEFAULT_FORMS_DIR, { log: formsLog });
      application = new ApplicationService({
        catalog,
        clock,
        terminalId: config.terminalId,
        printer: devices.printer,
        receiptPrinter: devices.receiptPrinter,
        log: log.child({ component: 'application' }),
      });
      // Parse the fonts in the background now, so that the first citizen does not wait for it (issue 4).
      void catalog.warm(formsLog);
      submissions = createSubmissionRuntime({
        db: store.db,
        dataDir: config.dataDir,
        terminalId: config.terminalId,
        clock,
        log: log.child({ component: 'outbox' }),
        backofficeKeyFile:
          config.backofficeKeyFile ?? (config.dev ? await ensureDemoBackofficeKey(config.dataDir, log.child({ component: 'outbox' })) : undefined),
        intakeDir: config.intakeDir,
        intakeUrl: config.intakeUrl,
        forms: application.submissionPort(),
      });
      submissions.start();
      booking = createBookingService({
        dataDir: config.dataDir,
        store: new SqliteBookingStore(store.db),
        clock,
        log,
        terminalId: config.terminalId,
      });
      await devices.start();
      // OCR workers warm up in the background so that the first citizen does not wait (issue 3).
      if (options.warmOcr === true) {
        void devices.scanning.start().catch((error: unknown) => log.error({ err: error }, 'OCR workers failed to start'));
      }
      const port = await server.listen();
      const url = `http://${HOST}:${port}/`;
      log.info({ port, dev: config.dev, terminalId: config.terminalId, idCard: config.idCard.kind }, 'agent listening');
      return { url, port, token };
    },
    stop() {
      stopping ??= (async () => {
        const wasStarted = state === 'started';
        state = 'stopping';
        if (wasStarted) await server.shutdown(options.shutdownGraceMs ?? 3000);
        for (const unsubscribe of subscriptions) unsubscribe();
        await devices.stop();
        await devices.scanning.stop();
        await submissions?.stop();
        store?.close();
        state = 'stopped';
        log.info('agent stopped');
      })();
      return stopping;
    },
  };
}

import type { Logger } from 'pino';
import type { AgentWarning, Identity, TerminalReport } from '@onevisit/protocol';
import type { Clock, Scheduler } from './clock.ts';
import type { Config } from './config.ts';
import type { DeviceRegistry, Simulators } from './devices/registry.ts';
import { createSubmissionRuntime, submissionMigrations, type SubmissionRuntime, type SubmissionService } from './outbox/service.ts';
import type { MigrationSet, SqliteDatabase } from './store/db.ts';
import { bookingMigrationSet } from './store/booking-migrations.ts';
import { SqliteBookingStore } from './store/booking-sqlite-store.ts';
import type { HallConnection } from './store/hall-connection.ts';
import { HallDbUnavailableError } from './store/hall-db.ts';
import { ApplicationService } from './services/application/application-service.ts';
import type { FormCatalog } from './services/application/form-catalog.ts';
import { ApplicationSubmitter } from './services/application/submit-application.ts';
import { DEFAULT_HALL_SETTINGS, loadHallSettings } from './services/staff/hall-settings.ts';
import { createBookingService, type BookingService } from './services/booking/booking-service.ts';
import { createScanningServices, type ScanningDeps, type ScanningServices } from './services/document-check/scanning.ts';
import { IdentityService } from './services/identity/identity-service.ts';
import { countingA4Printer, countingReceiptPrinter } from './services/staff/counting-printers.ts';
import { staffMigrations } from './services/staff/register.ts';
import { PgStaffRegister } from './services/staff/pg-register.ts';
import { StaffMode } from './services/staff/staff-mode.ts';
import { createFormsUpdate, reloadAgentCatalog, type FormsUpdate } from './services/forms-update/compose.ts';
import { fillWatchMigrations } from './services/forms-update/fill-watch-store.ts';
import { supplyMigrations } from './services/staff/supplies.ts';
import { DEFAULT_FORMS_DIR } from './services/application/form-catalog.ts';
import { loadOrCreatePersonSecret, personKeyOf } from './services/booking/person-key.ts';
import { PickupService } from './services/pickup/pickup-service.ts';
import { PickupWarnings } from './services/pickup/pickup-warnings.ts';
import { outboxPickupNotifier } from './services/pickup/outbox-notifier.ts';
import { HttpBackOffice } from './services/progress/back-office.ts';
import { ProgressService } from './services/progress/progress-service.ts';
import { loadReasons, RatingService } from './services/progress/rating-service.ts';
import { SupplementService } from './services/progress/supplement-service.ts';
import { loadOrCreateTerminalKey } from './crypto/request-signing.ts';
import { AuditLog } from './store/audit.ts';
import { PickupStore, pickupMigrations } from './store/pickup-store.ts';
import { heartbeatMigrations, PgHeartbeatStore, SqliteHeartbeatStore } from './store/terminal-heartbeat.ts';
import { HallStatusService } from './services/hall/hall-status.ts';
import { loadOrCreateInstanceId } from './services/hall/instance-id.ts';
import { AGENT_VERSION } from './version.ts';
import { EspeakEngine, type SpeechEngine } from './services/speech/engine.ts';
import { SpeechService } from './services/speech/speech-service.ts';

/** What handlers may do with the devices directly (printing a PDF, status); flows go through a service. */
export type AgentDevices = Pick<DeviceRegistry, 'idCard' | 'printer' | 'receiptPrinter' | 'scanner' | 'dispenser' | 'dispenserLayout' | 'all' | 'get'>;

/**
 * Everything a handler may use: every member is there from the first command on, because the
 * agent composes the services (`composeServices`) before it listens. A handler maps the protocol
 * to one of these; the flows themselves live in services/.
 */
export interface AgentServices {
  readonly clock: Clock;
  readonly log: Logger;
  readonly terminalId: string;
  readonly dev: boolean;
  readonly idleTimeoutMs: number;
  readonly idleCountdownMs: number;
  /** The validated configuration (config.ts), for services that need an option. */
  readonly config: Config;
  readonly devices: AgentDevices;
  /** The simulators behind simulated devices, for Dev.* commands (dev mode only). */
  readonly simulators: Simulators;
  /** IdCard.Read and DocumentIdentity.Confirm: who is in front of the terminal. */
  readonly identity: IdentityService;
  /** Scanner.* / Ocr.* / DocumentIdentity.*: the scanner's scans in memory, previews, OCR. */
  readonly scanning: ScanningServices;
  /** Forms.List/Get/Prefill/Fill and Application.*. */
  readonly application: ApplicationService;
  /** Forms.Submit: validate, fill with the reference, seal, commit, keep the PDF for printing. */
  readonly applicationSubmitter: ApplicationSubmitter;
  /** Outbox.*: what waits, what was delivered, retries. */
  readonly submissions: SubmissionService;
  /** Booking.*. */
  readonly booking: BookingService;
  /** Staff.* and Storage.* (issue 12): the staff register and session, supplies, reset, diagnostics, restart. */
  readonly staffMode: StaffMode;
  /** Pickup.* (issue 13): the certificate pickup cabinet; `pickupWarnings` feeds Common.Status. */
  readonly pickup: PickupService;
  readonly pickupWarnings: PickupWarnings;
  /** Progress.Query, Supplement.Submit, Rating.* (issue 15): the back-office link. */
  readonly progress: ProgressService;
  readonly supplements: SupplementService;
  readonly ratings: RatingService;
  /** Hall.Status (issue 14): this terminal's heartbeat every 15 s and the hall's terminal table. */
  readonly hallStatus: HallStatusService;
  /** Signed form updates from `--forms-channel` (issue 16); its refusals feed Common.Status. */
  readonly formsUpdate: FormsUpdate;
  /** Speech.Say (issue 17): read-aloud through an offline engine, personal data refused. */
  readonly speech: SpeechService;
  /** Shortcut for the dispatch's role check (server/roles.ts). */
  readonly staff: StaffMode['staff'];
}

/** Every module's migrations for the one SQLite store (store/db.ts); a new module adds its set here. */
export const STORE_MIGRATIONS: readonly MigrationSet[] = [...submissionMigrations, bookingMigrationSet, staffMigrations, supplyMigrations, pickupMigrations, heartbeatMigrations, fillWatchMigrations];

export type ServiceDeps = {
  config: Config;
  clock: Clock;
  log: Logger;
  devices: DeviceRegistry;
  /** The store opened with `STORE_MIGRATIONS`. */
  db: SqliteDatabase;
  /** The hall database (`--hall-db`): bookings and queue tickets live there instead of `db`. */
  hall?: HallConnection | undefined;
  catalog: FormCatalog;
  /** The back office's public key (app.ts picks the demo key in dev mode); undefined: submissions out of service. */
  backofficeKeyFile: string | undefined;
  ocrWorkers?: ScanningDeps['ocrWorkers'];
  /**
   * What staff must act on (Common.Status `warnings`), for this terminal's heartbeat. Given by app.ts
   * (handlers/common.ts `agentWarnings`), because the list is the handler's view of the services.
   */
  warnings?: (services: AgentServices) => AgentWarning[];
  /** The heartbeat's timer; default real timers. */
  scheduler?: Scheduler;
  /** Read-aloud's engine (issue 17); default Debian's espeak-ng. Tests give one that records what it is asked. */
  speechEngine?: SpeechEngine;
};

/** The services with what must be started and stopped beside them (delivery worker, OCR workers). */
export type ComposedServices = {
  readonly services: AgentServices;
  readonly submissionRuntime: SubmissionRuntime;
  /** Starts the delivery worker. OCR warms separately (`services.scanning.start()`), when asked. */
  start(): void;
  stop(): Promise<void>;
};

/**
 * Builds every service from its explicit dependencies, in dependency order: devices (built by
 * devices/registry.ts, which knows no service) → scanning and OCR, identity, application →
 * outbox (fills through the application's port) → submitter → booking.
 */
export function composeServices(deps: ServiceDeps): ComposedServices {
  const { config, clock, log, devices, hall } = deps;
  const scanning = createScanningServices(
    { scanner: devices.scanner, simulator: devices.simulators.scanner },
    { clock, log, dataDir: config.dataDir, ...(deps.ocrWorkers === undefined ? {} : { ocrWorkers: deps.ocrWorkers }) },
  );
  const identity = new IdentityService({ reader: devices.idCard, clock, log: log.child({ component: 'identity' }) });
  // Declared before use by the diagnostics, which read them only when a report runs.
  const later: { submissions?: SubmissionService; booking?: BookingService } = {};
  const staffMode = new StaffMode({
    clock,
    log,
    dataDir: config.dataDir,
    terminalId: config.terminalId,
    db: deps.db,
    devices,
    identity,
    catalog: deps.catalog,
    formsDir: config.formsDir ?? DEFAULT_FORMS_DIR,
    citizenIdleCountdownMs: config.idleCountdownMs,
    // Staff.ResetTerminal reloads the forms as served: the shipped folder with the active updates (issue 16).
    loadForms: () => reloadAgentCatalog(config, log.child({ component: 'forms' })),
    clearScans: () => scanning.scans.clear(),
    // With --hall-db the register and its key secret are the hall's (issue 14): one register for every terminal.
    ...(hall ? { register: new PgStaffRegister(hall.pool, () => hall.whenReady()), secret: () => hall.personSecret() } : {}),
    diagnostics: {
      ocrState: () => scanning.ocrPool.state(),
      outbox: submissionsForReportStatus,
      holidays: bookingForReportHolidays,
      hallDbReady: deps.hall ? () => deps.hall?.ready ?? false : undefined,
    },
  });
  // Switches only while no citizen or staff session runs (issue 16).
  const formsUpdate = createFormsUpdate({
    config,
    db: deps.db,
    catalog: deps.catalog,
    clock,
    log,
    agentVersion: AGENT_VERSION,
    busy: () => staffMode.citizenActive() || staffMode.staff.active,
    // A technician's rollback by hand switches during their own staff session.
    citizenBusy: () => staffMode.citizenActive(),
  });
  function submissionsForReportStatus() {
    if (!later.submissions) throw new Error('the outbox is not composed yet');
    return later.submissions.status();
  }
  function bookingForReportHolidays() {
    if (!later.booking) throw new Error('booking is not composed yet');
    return later.booking.holidayStatus();
  }
  // Every print is counted off its supply unit, and a unit in an exchange stops the printer for citizens.
  const printer = countingA4Printer(devices.printer, staffMode.supplies);
  const receiptPrinter = countingReceiptPrinter(devices.receiptPrinter, staffMode.supplies);
  const application = new ApplicationService({
    catalog: deps.catalog,
    clock,
    terminalId: config.terminalId,
    printer,
    receiptPrinter,
    log: log.child({ component: 'application' }),
    // After a form update is activated its next fills are watched; failing ones roll it back (issue 16).
    onFill: (outcome) => formsUpdate.updater?.recordFill(outcome),
  });
  const submissionRuntime = createSubmissionRuntime({
    db: deps.db,
    dataDir: config.dataDir,
    terminalId: config.terminalId,
    clock,
    log: log.child({ component: 'outbox' }),
    backofficeKeyFile: deps.backofficeKeyFile,
    intakeDir: config.intakeDir,
    intakeUrl: config.intakeUrl,
    forms: application.submissionPort(),
  });
  // The hall person key goes, signed, with each submission and supplement (issue 15), so that the back
  // office's "all my cases" finds them at once; while the hall database has not answered, without it.
  let terminalPersonSecret: Buffer | undefined;
  const submissionPersonKey = (identity: Identity | undefined): string | undefined => {
    if (!identity) return undefined;
    try {
      return personKeyOf(identity, hall ? hall.personSecret() : (terminalPersonSecret ??= loadOrCreatePersonSecret(config.dataDir)));
    } catch (error) {
      if (error instanceof HallDbUnavailableError) return undefined;
      throw error;
    }
  };
  const applicationSubmitter = new ApplicationSubmitter({ application, submissions: submissionRuntime.service, personKeyOf: submissionPersonKey });
  const booking = createBookingService({
    dataDir: config.dataDir,
    store: hall ? hall.bookingStore({ oneActivePerService: () => booking.calendar.config.rules.oneActivePerService }) : new SqliteBookingStore(deps.db),
    personSecret: hall ? () => hall.personSecret() : undefined,
    clock,
    log,
    terminalId: config.terminalId,
  });
  const pickupWarnings = new PickupWarnings(devices.dispenser, devices.dispenserLayout);
  const pickup = new PickupService({
    driver: devices.dispenser,
    layout: devices.dispenserLayout,
    store: new PickupStore(deps.db),
    audit: new AuditLog(deps.db, clock),
    clock,
    personSecret: loadOrCreatePersonSecret(config.dataDir),
    // The hall's settings (hall-settings.json "pickup"), read at each use: a reset reloads them.
    retentionMs: () => staffMode.settings().pickup.retentionDays * 24 * 3_600_000,
    doorOpenLimitMs: () => staffMode.settings().pickup.doorOpenLimitS * 1000,
    notifier: outboxPickupNotifier(submissionRuntime.outbox, log.child({ component: 'pickup' }), () => submissionRuntime.worker.kick()),
    onWarning: (warning) => {
      pickupWarnings.add(warning);
      log.warn({ component: 'pickup', warning: warning.kind, slot: warning.slot }, 'pickup cabinet needs staff');
    },
  });
  const hallStatus = new HallStatusService({
    terminalId: config.terminalId,
    instanceId: loadOrCreateInstanceId(config.dataDir),
    store: hall ? new PgHeartbeatStore(hall.pool) : new SqliteHeartbeatStore(deps.db),
    clock,
    log,
    report: () => terminalReport(),
    ...(hall ? { hallDbReady: () => hall.ready } : {}),
    ...(deps.scheduler ? { scheduler: deps.scheduler } : {}),
  });
  /** The heartbeat's content: never personal data (devices, counts, codes, versions). */
  function terminalReport(): TerminalReport {
    const counts = submissionRuntime.service.status().counts;
    return {
      agentVersion: AGENT_VERSION,
      devices: devices.all().map((d) => d.status()),
      supplies: staffMode.supplies.summaries(),
      warnings: deps.warnings?.(services) ?? [],
      outboxBacklog: counts.pending + counts.deadLetter,
      forms: deps.catalog.list().map((f) => `${f.id}@${f.version}`),
    };
  }
  // The back-office link (issue 15): queries go to the intake's API when there is one (--intake-url);
  // supplements and ratings go through the outbox like submissions.
  const kick = (): void => submissionRuntime.worker.kick();
  const backOffice =
    config.intakeUrl === undefined
      ? undefined
      : new HttpBackOffice({ baseUrl: config.intakeUrl, terminalId: config.terminalId, privateKey: loadOrCreateTerminalKey(config.dataDir).privateKey, now: () => clock.now() });
  const localPersonSecret = hall ? undefined : loadOrCreatePersonSecret(config.dataDir);
  const progress = new ProgressService({
    backOffice,
    outbox: submissionRuntime.outbox,
    personSecret: () => (hall ? hall.personSecret() : (localPersonSecret ?? loadOrCreatePersonSecret(config.dataDir))),
  });
  const supplements = new SupplementService({ outbox: submissionRuntime.outbox, scans: scanning.scans, kick, personKeyOf: submissionPersonKey });
  const hallSettings = loadHallSettings(config.dataDir);
  const ratings = new RatingService({
    outbox: submissionRuntime.outbox,
    // A refused settings file is logged by staff mode, which keeps the defaults too.
    followUpWorkingDays: hallSettings.ok ? hallSettings.settings.ratings.followUpWorkingDays : DEFAULT_HALL_SETTINGS.ratings.followUpWorkingDays,
    calendar: () => booking.calendar,
    clock,
    reasons: loadReasons(config.dataDir, (problem) => log.warn({ component: 'ratings' }, problem)),
    kick,
  });
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
      scanner: devices.scanner,
      dispenser: devices.dispenser,
      dispenserLayout: devices.dispenserLayout,
      all: () => devices.all(),
      get: (id) => devices.get(id),
      printer,
      receiptPrinter,
    },
    simulators: devices.simulators,
    identity,
    scanning,
    application,
    applicationSubmitter,
    submissions: submissionRuntime.service,
    booking,
    staffMode,
    pickup,
    pickupWarnings,
    hallStatus,
    progress,
    supplements,
    ratings,
    formsUpdate,
    speech: new SpeechService({ engine: deps.speechEngine ?? new EspeakEngine(), log: log.child({ component: 'speech' }) }),
    staff: staffMode.staff,
  };
  later.submissions = services.submissions;
  later.booking = booking;
  return {
    services,
    submissionRuntime,
    start: () => {
      submissionRuntime.start();
      hallStatus.start();
      formsUpdate.start();
    },
    async stop() {
      await formsUpdate.stop();
      hallStatus.stop();
      pickup.stop();
      await scanning.stop();
      await submissionRuntime.stop();
    },
  };
}

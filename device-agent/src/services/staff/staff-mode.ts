import type { Logger } from 'pino';
import type { DiagnosticsReport, ResetAction } from '@onevisit/protocol';
import type { Clock } from '../../clock.ts';
import type { DeviceRegistry } from '../../devices/registry.ts';
import { AuditLog } from '../../store/audit.ts';
import type { SqliteDatabase } from '../../store/db.ts';
import { loadOrCreatePersonSecret } from '../booking/person-key.ts';
import { FormCatalog } from '../application/form-catalog.ts';
import type { IdentityService } from '../identity/identity-service.ts';
import { runDiagnostics, shortHash, type DiagnosticsDeps } from './diagnostics.ts';
import { DEFAULT_HALL_SETTINGS, loadHallSettings, type HallSettings } from './hall-settings.ts';
import { SqliteStaffRegister, type StaffRegister } from './register.ts';
import { realSchedule, StaffService } from './staff-service.ts';
import { SupplyService } from './supplies.ts';
import { seedDemoStaff } from './demo-staff.ts';
import type { RegisterAdmin } from './register-admin.ts';

/** Exit code of Staff.RestartAgent: scripts/start.mjs starts the agent again when it sees it (EX_TEMPFAIL, sysexits.h). */
export const RESTART_EXIT_CODE = 75;

export type StaffModeDeps = {
  clock: Clock;
  log: Logger;
  dataDir: string;
  terminalId: string;
  db: SqliteDatabase;
  /** The real drivers; handlers see counting wrappers (counting-printers.ts). */
  devices: DeviceRegistry;
  identity: IdentityService;
  catalog: FormCatalog;
  formsDir: string;
  /** The forms as served (shipped folder + active updates, issue 16); default: the forms folder alone. */
  loadForms?: (() => Promise<FormCatalog>) | undefined;
  /** Drops scanned pages (personal data) with the citizen sessions. */
  clearScans: () => void;
  /** Read when a report runs (the outbox and booking are composed after staff mode). */
  diagnostics: Omit<DiagnosticsDeps, 'clock' | 'terminalId' | 'dataDir' | 'db' | 'devices' | 'forms' | 'technician'>;
  /** Test seam: real timers by default. */
  schedule?: ((atMs: number, run: () => void) => () => void) | undefined;
  register?: StaffRegister | undefined;
  /** The citizen screens' idle countdown: staff get the same unless hall-settings.json sets staff.idleCountdownS. */
  citizenIdleCountdownMs?: number | undefined;
  /**
   * The secret of the staff keys (staff-key.ts). Default: the terminal's person-key file. With
   * `--hall-db`, the hall's secret (hall_secret in PostgreSQL), so that the hall-wide register's keys
   * are the same at every terminal.
   */
  secret?: (() => Buffer) | undefined;
};

/** The forms as the report lists them: id, version and a short hash of definition + template. */
export function formVersions(catalog: FormCatalog): { id: string; version: string; hash: string }[] {
  return catalog.ids().flatMap((id) => {
    const entry = catalog.get(id);
    if (!entry) return [];
    const def = entry.pkg.definition;
    // A signed update shows its archive's SHA-256 as ops see it (`forms publish` prints its first 8 digits).
    const hash = entry.archiveSha256?.slice(0, 8) ?? shortHash(Buffer.concat([Buffer.from(JSON.stringify(def)), Buffer.from(entry.pkg.template)]));
    return [{ id, version: def.version, hash }];
  });
}

/**
 * Staff mode composed (issue 12): the register, sign-in and session, supplies, reset, diagnostics and
 * the restart request. Every staff action is a `staffAction` event in the audit chain with the staff
 * member's short HMAC key, never an ID number.
 */
export class StaffMode {
  readonly staff: StaffService;
  readonly supplies: SupplyService;
  readonly #deps: StaffModeDeps;
  #settings: HallSettings = DEFAULT_HALL_SETTINGS;
  #restartHandler: (() => void) | undefined;
  readonly #secret: () => Buffer;

  constructor(deps: StaffModeDeps) {
    this.#deps = deps;
    this.#reloadSettings();
    const log = deps.log.child({ component: 'staff' });
    this.#secret = deps.secret ?? (() => (secret ??= loadOrCreatePersonSecret(deps.dataDir)));
    let secret: Buffer | undefined;
    // Its own handle on the one chain: every append reads the head inside its transaction.
    const audit = new AuditLog(deps.db, deps.clock);
    this.staff = new StaffService({
      register: deps.register ?? new SqliteStaffRegister(deps.db),
      secret: this.#secret,
      clock: deps.clock,
      settings: () => this.#settings,
      citizenIdleCountdownMs: deps.citizenIdleCountdownMs,
      audit: (action, details) => {
        try {
          audit.append('staffAction', { action, ...details });
        } catch (error) {
          log.error({ err: error, action }, 'could not write a staff action to the audit log');
        }
      },
      log,
      schedule: deps.schedule ?? realSchedule(deps.clock),
    });
    this.supplies = new SupplyService({ db: deps.db, clock: deps.clock, settings: () => this.#settings, log });
    // The cabinet's compartments leave the exchange with the staff member who was loading them (issue 13):
    // they hold no count to enter, and a forgotten exchange would keep citizens from their certificates.
    this.staff.onNotice((notice) => {
      if (notice.kind !== 'sessionEnded') return;
      const dropped = this.supplies.leaveExchange('dispenser');
      if (dropped.length > 0) audit.append('staffAction', { action: 'exchangeEnd', units: `cabinet (${dropped.length})`, reason: `staffSession:${notice.reason}` });
    });
    this.staff.attachCardHolder(deps.identity);
    const staff = this.staff;
    const supplies = this.supplies;
    deps.identity.attachStaffGate({
      // A card is shown to staff mode only at the home screen: no staff mode yet, and no citizen
      // transaction the page declared (Common.SetTransactionState); the identity service checks for a card read.
      get active() {
        return staff.active || supplies.transactionActive;
      },
      recogniseCard: (identity) => staff.recogniseCard(identity, () => !supplies.transactionActive && !deps.identity.citizenPresent()),
      cardRemoved: () => staff.cardRemoved(),
    });
    for (const device of [deps.devices.receiptPrinter, deps.devices.printer]) {
      this.supplies.deviceStatus(device.status());
      device.onStatus((status) => this.supplies.deviceStatus(status));
    }
  }

  /** The register with the hall secret, for `npm run staff`-style changes (register-admin.ts). */
  admin(): RegisterAdmin {
    return { register: this.staff.register, secret: this.#secret(), clock: this.#deps.clock };
  }

  /** The demo's fictional staff (demo-staff.ts): only when the agent runs the demo. */
  seedDemoStaff(): Promise<number> {
    return seedDemoStaff(this.admin());
  }

  settings(): HallSettings {
    return this.#settings;
  }

  /** True while a citizen is using the terminal (a card read, or the page said a transaction runs). */
  citizenActive(): boolean {
    return this.supplies.transactionActive || this.#deps.identity.citizenPresent();
  }

  /** app.ts says how to restart (stop, then exit with RESTART_EXIT_CODE); without it nothing would start the agent again. */
  setRestartHandler(handler: () => void): void {
    this.#restartHandler = handler;
  }

  /** Started by scripts/start.mjs, which brings the agent back after RESTART_EXIT_CODE. */
  get supervised(): boolean {
    return this.#restartHandler !== undefined;
  }

  requestRestart(): boolean {
    const handler = this.#restartHandler;
    if (!handler) return false;
    // After the completion has gone out.
    setTimeout(handler, 100).unref();
    return true;
  }

  async reset(): Promise<ResetAction[]> {
    const actions: ResetAction[] = [];
    const ended = this.#deps.identity.endCitizenSessions();
    this.#deps.clearScans();
    this.supplies.setTransactionActive(false);
    actions.push({ action: 'citizenSessionEnded', result: 'ok', detail: `${ended} open` });
    const exchange = this.supplies.exchange;
    if (exchange) actions.push({ action: 'exchangeKept', result: 'ok', detail: exchange.units.join(', ') });
    for (const device of this.#deps.devices.all()) {
      const before = device.status();
      try {
        await device.stop();
        await device.start();
      } catch {
        actions.push({ action: 'deviceReopened', device: before.device, result: 'failed' });
        continue;
      }
      actions.push({ action: 'deviceReopened', device: before.device, result: 'ok' });
      const after = device.status();
      const wasFault = before.state === 'fault' || before.state === 'offline';
      const ok = after.state === 'online' || after.state === 'busy';
      if (wasFault && ok) actions.push({ action: 'faultCleared', device: after.device, result: 'ok', detail: before.reason });
      else if (!ok) actions.push({ action: 'faultRemains', device: after.device, result: 'failed', detail: after.reason });
    }
    const settings = this.#reloadSettings();
    actions.push({ action: 'configReloaded', result: settings.ok ? 'ok' : 'failed', ...(settings.ok ? {} : { detail: settings.message.slice(0, 300) }) });
    const catalog = await (this.#deps.loadForms?.() ?? FormCatalog.load(this.#deps.formsDir, { log: this.#deps.log.child({ component: 'forms' }) }));
    if (catalog.size > 0) this.#deps.catalog.adopt(catalog);
    actions.push({ action: 'formsReloaded', result: catalog.size > 0 ? 'ok' : 'failed', detail: `${catalog.size} forms` });
    return actions;
  }

  diagnostics(technician: boolean): Promise<DiagnosticsReport> {
    const d = this.#deps;
    return runDiagnostics({
      ...d.diagnostics,
      clock: d.clock,
      terminalId: d.terminalId,
      dataDir: d.dataDir,
      db: d.db,
      devices: d.devices,
      forms: () => formVersions(d.catalog),
      technician,
    });
  }

  #reloadSettings(): { ok: true } | { ok: false; message: string } {
    const loaded = loadHallSettings(this.#deps.dataDir);
    if (!loaded.ok) {
      this.#deps.log.error({ problem: loaded.message }, 'hall settings refused; keeping the previous ones');
      return loaded;
    }
    this.#settings = loaded.settings;
    return { ok: true };
  }
}

import {
  STAFF_PIN_LENGTH,
  type AgentWarning,
  type CompletionPayload,
  type DiagnosticsReport,
  type ExchangeTest,
  type StaffRole,
  type StaffSession,
  type StorageUnit,
  type StorageUnitId,
  type TerminalStatus,
} from '@onevisit/protocol';
import type { AgentClient } from '../../agent/client.ts';
import { BookingExport } from './booking-export.svelte.ts';
import { DeviceTools } from './device-tools.svelte.ts';
import { FormUpdatesDesk } from './form-updates.svelte.ts';
import {
  DEAD_LETTER_PROBLEMS,
  END_EXCHANGE_PROBLEMS,
  RETRY_PROBLEMS,
  SIGN_IN_PROBLEMS,
  START_EXCHANGE_PROBLEMS,
  staffProblem,
  type StaffProblem,
} from './staff-problems.ts';

/** What the staff screens need from the kiosk. */
export type StaffHost = {
  client: AgentClient;
  /** The agent's today (YYYY-MM-DD, Asia/Shanghai) for the bookings count. */
  today: () => string;
  /** Signed in: the kiosk arms the idle countdown with the session's times. */
  signedIn: (session: Extract<StaffSession, { state: 'signedIn' }>) => void;
  /** Staff mode is over (signed out, card lifted, idle): back to the attract screen. */
  left: () => void;
  /** The staff member chose to use the terminal as a citizen: the home screen. */
  continueAsCitizen: () => void;
};

/** The restock flow: start exchange → physical work → counts → end exchange (test print) → done. */
export type RestockStage =
  | { readonly stage: 'choose' }
  | { readonly stage: 'starting'; readonly unit: StorageUnitId }
  | { readonly stage: 'work'; readonly unit: StorageUnitId }
  | { readonly stage: 'counts'; readonly unit: StorageUnitId; readonly digits: string }
  | { readonly stage: 'ending'; readonly unit: StorageUnitId }
  | { readonly stage: 'done'; readonly unit: StorageUnitId; readonly tests: readonly ExchangeTest[] };

export type StaffStep =
  | { readonly name: 'none' }
  | { readonly name: 'pin'; readonly staffName: string; readonly attemptsLeft: number; readonly lockedForSeconds: number; readonly digits: string; readonly busy: boolean; readonly wrong: boolean }
  | { readonly name: 'dashboard' }
  | ({ readonly name: 'restock' } & RestockStage)
  | { readonly name: 'diagnostics'; readonly busy: boolean }
  | { readonly name: 'deliveries' }
  /** One day's booking export, summarised (state in `exports`, booking-export.svelte.ts). */
  | { readonly name: 'export' }
  /** The pickup cabinet (issue 13): screens/staff/StaffCabinet.svelte keeps its own state (lib/state/pickup/cabinet-desk). */
  | { readonly name: 'cabinet' }
  /** Form versions and rollback (issue 16; state in `formUpdates`, form-updates.svelte.ts). */
  | { readonly name: 'forms' }
  | { readonly name: 'reset'; readonly busy: boolean; readonly actions: CompletionPayload<'Staff.ResetTerminal'>['actions'] | undefined };

/** The hall's terminals (Hall.Status, issue 14): not asked yet, listed, or the hall database does not answer. */
export type HallView = { readonly state: 'unknown' } | { readonly state: 'listed'; readonly terminals: readonly TerminalStatus[]; readonly self: string | undefined } | { readonly state: 'unavailable' };

export type OutboxSummary = { pending: number; failed: number; oldestPendingAt: string | null };
export type DeadLetter = CompletionPayload<'Outbox.DeadLetters'>['deadLetters'][number];
export type DiagnosticsResult = { report: DiagnosticsReport; printed: 'ok' | 'failed' | 'skipped' | 'notAsked'; savedTo: string | null };

/** Send Staff.Session at most this often while the staff member touches the screen (the agent's idle timer). */
const KEEP_ALIVE_MS = 30_000;

export type StaffIdleTimes = { readonly timeoutMs: number; readonly countdownMs: number; readonly keepAliveMs: number };

/**
 * The kiosk's idle times for a staff session. The agent ends the session `idleTimeoutMs` after the
 * last keep-alive, which may be up to one keep-alive interval older than the last touch, so the
 * kiosk's quiet time plus its countdown fit inside `idleTimeoutMs` less that interval: the staff
 * member always sees the countdown (and can continue) before the agent signs them out.
 */
export function staffIdleTimes(session: Pick<Extract<StaffSession, { state: 'signedIn' }>, 'idleTimeoutMs' | 'idleCountdownMs'>): StaffIdleTimes {
  const keepAliveMs = Math.min(KEEP_ALIVE_MS, Math.floor(session.idleTimeoutMs / 10));
  const withinMs = session.idleTimeoutMs - keepAliveMs;
  const countdownMs = Math.min(session.idleCountdownMs, Math.floor(withinMs / 2));
  return { timeoutMs: withinMs - countdownMs, countdownMs, keepAliveMs };
}

/**
 * Hall staff mode (issue 12) on the kiosk: the PIN pad when a staff card is recognised, then the
 * dashboard and its tasks. The agent enforces roles; this only shows what it answers. Holds no
 * citizen's data: units, counts, references of failed deliveries, the readiness report.
 */
export class StaffMode {
  step = $state.raw<StaffStep>({ name: 'none' });
  /** The signed-in staff member (name and role only). */
  who = $state.raw<{ name: string; role: StaffRole } | undefined>(undefined);
  units = $state.raw<readonly StorageUnit[]>([]);
  outbox = $state.raw<OutboxSummary | undefined>(undefined);
  bookingsToday = $state.raw<number | undefined>(undefined);
  warnings = $state.raw<readonly AgentWarning[]>([]);
  hall = $state.raw<HallView>({ state: 'unknown' });
  deadLetters = $state.raw<readonly DeadLetter[]>([]);
  /** References whose retry was accepted in this session. */
  retried = $state.raw<readonly string[]>([]);
  diagnostics = $state.raw<DiagnosticsResult | undefined>(undefined);
  problem = $state.raw<StaffProblem | undefined>(undefined);
  readonly exports: BookingExport;
  /** Technician test prints and the agent restart. */
  readonly tools: DeviceTools;
  /** Form versions, refused updates and a technician's rollback. */
  readonly formUpdates: FormUpdatesDesk;

  readonly #host: StaffHost;
  #lastKeepAliveMs = 0;
  #keepAliveMs = KEEP_ALIVE_MS;
  #lockTimer: ReturnType<typeof setInterval> | undefined;

  constructor(host: StaffHost) {
    this.#host = host;
    this.exports = new BookingExport(host.client, host.today);
    this.tools = new DeviceTools(host.client);
    this.formUpdates = new FormUpdatesDesk(host.client);
  }

  get active(): boolean {
    return this.step.name !== 'none';
  }

  get signedIn(): boolean {
    return this.who !== undefined;
  }

  /** Staff.CardRecognisedEvent: ask for the PIN. */
  recognised(card: { name: string; attemptsLeft: number; lockedForSeconds: number }): void {
    if (this.signedIn) return;
    this.problem = undefined;
    this.step = { name: 'pin', staffName: card.name, attemptsLeft: card.attemptsLeft, lockedForSeconds: card.lockedForSeconds, digits: '', busy: false, wrong: false };
    this.#countLockout(card.lockedForSeconds);
  }

  /**
   * A locked card's PIN pad counts the lockout down each second; at zero it asks the agent how things
   * stand (Staff.Session: the attempts are back) and opens the pad again.
   */
  #countLockout(seconds: number): void {
    clearInterval(this.#lockTimer);
    this.#lockTimer = undefined;
    if (seconds <= 0) return;
    const endsAtMs = Date.now() + seconds * 1000;
    this.#lockTimer = setInterval(() => {
      const step = this.step;
      const left = Math.max(0, Math.ceil((endsAtMs - Date.now()) / 1000));
      if (step.name === 'pin') this.step = { ...step, lockedForSeconds: left };
      if (step.name === 'pin' && left > 0) return;
      clearInterval(this.#lockTimer);
      this.#lockTimer = undefined;
      if (step.name === 'pin') void this.#lockoutOver();
    }, 1000);
  }

  async #lockoutOver(): Promise<void> {
    const result = await this.#host.client.send('Staff.Session', {}).result;
    const step = this.step;
    if (step.name !== 'pin' || !result.ok || result.payload.session.state !== 'pinWanted') return;
    const session = result.payload.session;
    this.step = { ...step, attemptsLeft: session.attemptsLeft, lockedForSeconds: session.lockedForSeconds, wrong: false };
    this.#countLockout(session.lockedForSeconds);
  }

  press(digit: string): void {
    const step = this.step;
    if (step.name === 'pin') {
      if (step.busy || step.lockedForSeconds > 0 || step.digits.length >= STAFF_PIN_LENGTH || !/^\d$/.test(digit)) return;
      const digits = step.digits + digit;
      this.step = { ...step, digits, wrong: false };
      if (digits.length === STAFF_PIN_LENGTH) void this.#signIn(digits);
    } else if (step.name === 'restock' && step.stage === 'counts') {
      if (!/^\d$/.test(digit) || step.digits.length >= 7) return;
      this.step = { ...step, digits: step.digits === '0' ? digit : step.digits + digit };
    }
  }

  erase(): void {
    const step = this.step;
    if (step.name === 'pin' && !step.busy) this.step = { ...step, digits: step.digits.slice(0, -1) };
    else if (step.name === 'restock' && step.stage === 'counts') this.step = { ...step, digits: step.digits.slice(0, -1) };
  }

  async #signIn(pin: string): Promise<void> {
    const step = this.step;
    if (step.name !== 'pin') return;
    this.step = { ...step, busy: true };
    const result = await this.#host.client.send('Staff.SignIn', { pin }).result;
    const now = this.step;
    if (now.name !== 'pin') return;
    if (result.ok) {
      const session = result.payload.session;
      if (session.state !== 'signedIn') {
        this.step = { ...now, busy: false, digits: '' };
        return;
      }
      this.who = { name: session.name, role: session.role };
      this.step = { name: 'dashboard' };
      this.#keepAliveMs = staffIdleTimes(session).keepAliveMs;
      this.#lastKeepAliveMs = Date.now();
      this.#host.signedIn(session);
      await this.refresh();
      return;
    }
    if (result.errorCode === 'wrongPin') {
      this.step = { ...now, busy: false, digits: '', wrong: true, attemptsLeft: result.payload.attemptsLeft };
    } else if (result.errorCode === 'locked') {
      this.step = { ...now, busy: false, digits: '', wrong: true, attemptsLeft: 0, lockedForSeconds: result.payload.lockedForSeconds };
      this.#countLockout(result.payload.lockedForSeconds);
    } else {
      this.problem = staffProblem(SIGN_IN_PROBLEMS, result.completionCode, result.errorCode);
      this.step = { ...now, busy: false, digits: '' };
    }
  }

  /** "Continue as a citizen" on the PIN pad. */
  async continueAsCitizen(): Promise<void> {
    await this.#host.client.send('Staff.ContinueAsCitizen', {}).result;
    this.#forget();
    this.#host.continueAsCitizen();
  }

  async signOut(): Promise<void> {
    if (this.signedIn) await this.#host.client.send('Staff.SignOut', {}).result;
    this.#forget();
    this.#host.left();
  }

  /** Staff.SessionEndedEvent (card lifted, the agent's idle or 12 h limit), or the kiosk's own idle countdown ran out. */
  ended(): void {
    if (!this.active) return;
    this.#forget();
    this.#host.left();
  }

  /** A touch while signed in: tell the agent now and then that the staff member is still there. */
  touch(): void {
    if (!this.signedIn) return;
    const nowMs = Date.now();
    if (nowMs - this.#lastKeepAliveMs < this.#keepAliveMs) return;
    this.#lastKeepAliveMs = nowMs;
    void this.#host.client.send('Staff.Session', {}).result;
  }

  #forget(): void {
    clearInterval(this.#lockTimer);
    this.#lockTimer = undefined;
    this.exports.clear();
    this.tools.clear();
    this.formUpdates.clear();
    this.who = undefined;
    this.step = { name: 'none' };
    this.units = [];
    this.outbox = undefined;
    this.bookingsToday = undefined;
    this.warnings = [];
    this.hall = { state: 'unknown' };
    this.deadLetters = [];
    this.retried = [];
    this.diagnostics = undefined;
    this.problem = undefined;
    this.#lastKeepAliveMs = 0;
  }

  /** The dashboard's figures: supplies, outbox, today's bookings, the hall's terminals. */
  async refresh(): Promise<void> {
    const client = this.#host.client;
    const [status, storage, outbox, bookings, hall] = await Promise.all([
      client.send('Common.Status', {}).result,
      client.send('Storage.Status', {}).result,
      client.send('Outbox.Status', {}).result,
      client.send('Booking.Export', { date: this.#host.today(), format: 'csv' }).result,
      client.send('Hall.Status', {}).result,
    ]);
    if (!this.signedIn) return;
    if (status.ok) this.warnings = status.payload.warnings;
    if (storage.ok) this.units = storage.payload.units;
    if (outbox.ok) this.outbox = { pending: outbox.payload.counts.pending, failed: outbox.payload.counts.deadLetter, oldestPendingAt: outbox.payload.oldestPendingAt };
    this.bookingsToday = bookings.ok ? bookings.payload.count : undefined;
    this.hall = hall.ok ? { state: 'listed', terminals: hall.payload.terminals, self: status.ok ? status.payload.agent.terminalId : undefined } : { state: hall.errorCode === 'hallDbUnavailable' ? 'unavailable' : 'unknown' };
  }

  /** Storage.StatusChangedEvent. */
  unitsChanged(units: readonly StorageUnit[]): void {
    if (!this.signedIn) return;
    this.units = this.units.map((unit) => units.find((changed) => changed.id === unit.id) ?? unit);
  }

  open(name: 'dashboard' | 'restock' | 'diagnostics' | 'deliveries' | 'reset' | 'export' | 'cabinet' | 'forms'): void {
    if (!this.signedIn) return;
    this.problem = undefined;
    switch (name) {
      case 'dashboard':
        this.step = { name: 'dashboard' };
        void this.refresh();
        break;
      case 'restock':
        this.step = { name: 'restock', stage: 'choose' };
        break;
      case 'diagnostics':
        this.step = { name: 'diagnostics', busy: false };
        break;
      case 'deliveries':
        this.step = { name: 'deliveries' };
        void this.#loadDeadLetters();
        break;
      case 'reset':
        this.step = { name: 'reset', busy: false, actions: undefined };
        break;
      case 'export':
        this.step = { name: 'export' };
        void this.exports.load(this.#host.today());
        break;
      case 'cabinet':
        this.step = { name: 'cabinet' };
        break;
      case 'forms':
        this.step = { name: 'forms' };
        this.formUpdates.clear();
        void this.formUpdates.load();
        break;
      default: {
        const unreachable: never = name;
        return unreachable;
      }
    }
  }

  // ------------------------------------------------------------------ restock

  async startExchange(unit: StorageUnitId): Promise<void> {
    const step = this.step;
    if (step.name !== 'restock' || step.stage !== 'choose') return;
    this.problem = undefined;
    this.step = { name: 'restock', stage: 'starting', unit };
    const result = await this.#host.client.send('Storage.StartExchange', { units: [unit] }).result;
    if (this.step.name !== 'restock') return;
    if (!result.ok) {
      this.problem = staffProblem(START_EXCHANGE_PROBLEMS, result.completionCode, result.errorCode);
      this.step = { name: 'restock', stage: 'choose' };
      return;
    }
    this.unitsChanged(result.payload.units);
    this.step = { name: 'restock', stage: 'work', unit };
  }

  /** The physical work is done: enter the count, proposed as the unit's full amount. */
  workDone(): void {
    const step = this.step;
    if (step.name !== 'restock' || step.stage !== 'work') return;
    const unit = this.units.find((u) => u.id === step.unit);
    this.step = { name: 'restock', stage: 'counts', unit: step.unit, digits: unit === undefined ? '' : String(unit.maxCount) };
  }

  async endExchange(): Promise<void> {
    const step = this.step;
    if (step.name !== 'restock' || step.stage !== 'counts' || step.digits === '') return;
    const count = Number(step.digits);
    this.problem = undefined;
    this.step = { name: 'restock', stage: 'ending', unit: step.unit };
    const result = await this.#host.client.send('Storage.EndExchange', { units: [step.unit], counts: { [step.unit]: count } }).result;
    if (this.step.name !== 'restock') return;
    if (!result.ok) {
      this.problem = staffProblem(END_EXCHANGE_PROBLEMS, result.completionCode, result.errorCode);
      this.step = { name: 'restock', stage: 'counts', unit: step.unit, digits: step.digits };
      return;
    }
    this.unitsChanged(result.payload.units);
    this.step = { name: 'restock', stage: 'done', unit: step.unit, tests: result.payload.tests };
  }

  // ------------------------------------------------------------------ diagnostics, deliveries, reset

  async runDiagnostics(options: { print: boolean; save: boolean }): Promise<void> {
    const step = this.step;
    if (step.name !== 'diagnostics' || step.busy) return;
    this.problem = undefined;
    this.step = { name: 'diagnostics', busy: true };
    const result = await this.#host.client.send('Staff.Diagnostics', options).result;
    if (this.step.name !== 'diagnostics') return;
    this.step = { name: 'diagnostics', busy: false };
    if (!result.ok) {
      this.problem = staffProblem({}, result.completionCode, result.errorCode);
      return;
    }
    this.diagnostics = { report: result.payload.report, printed: options.print ? result.payload.printed.result : 'notAsked', savedTo: result.payload.savedTo };
  }

  async #loadDeadLetters(): Promise<void> {
    const result = await this.#host.client.send('Outbox.DeadLetters', {}).result;
    if (this.step.name !== 'deliveries') return;
    if (result.ok) this.deadLetters = result.payload.deadLetters;
    else this.problem = staffProblem(DEAD_LETTER_PROBLEMS, result.completionCode, result.errorCode);
  }

  async retry(reference: string): Promise<void> {
    this.problem = undefined;
    const result = await this.#host.client.send('Outbox.Retry', { reference }).result;
    if (!result.ok) {
      this.problem = staffProblem(RETRY_PROBLEMS, result.completionCode, result.errorCode);
      return;
    }
    this.retried = [...this.retried, reference];
    this.deadLetters = this.deadLetters.filter((letter) => letter.reference !== reference);
  }

  async resetTerminal(): Promise<void> {
    const step = this.step;
    if (step.name !== 'reset' || step.busy) return;
    this.problem = undefined;
    this.step = { name: 'reset', busy: true, actions: undefined };
    const result = await this.#host.client.send('Staff.ResetTerminal', {}).result;
    if (this.step.name !== 'reset') return;
    this.step = { name: 'reset', busy: false, actions: result.ok ? result.payload.actions : undefined };
    if (!result.ok) this.problem = staffProblem({}, result.completionCode, result.errorCode);
  }
}

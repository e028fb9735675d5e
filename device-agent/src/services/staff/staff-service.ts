import type { Logger } from 'pino';
import { formatShanghaiIsoMs, type Identity, type StaffRole, type StaffSession, type StaffSessionEndReason } from '@onevisit/protocol';
import type { Clock } from '../../clock.ts';
import { afterWrongPin, attemptsLeft, lockedForSeconds, NO_LOCKOUT } from './lockout.ts';
import { verifyPin } from './pin.ts';
import type { StaffMember, StaffRegister } from './register.ts';
import { shortStaffKey, staffKeyOf } from './staff-key.ts';
import type { HallSettings } from './hall-settings.ts';

/** What a staff action leaves in the audit chain (store/audit.ts kind `staffAction`): the staff key, never an ID number. */
export type StaffAuditAction =
  | 'signIn'
  | 'pinFailed'
  | 'lockedOut'
  | 'signOut'
  | 'continueAsCitizen'
  | 'exchangeStart'
  | 'exchangeEnd'
  | 'reset'
  | 'restart'
  | 'diagnostics'
  | 'testPrint'
  | 'bookingExport'
  | 'outboxRetry'
  | 'formRollback';
export type StaffAudit = (action: StaffAuditAction, details: Readonly<Record<string, string | number | boolean | null>>) => void;

/** What the service pushes to every page (app.ts turns them into unsolicited messages). */
export type StaffNotice =
  | { kind: 'cardRecognised'; name: string; attemptsLeft: number; lockedForSeconds: number }
  | { kind: 'sessionEnded'; reason: StaffSessionEndReason };

/** The card gate's view of the identity service: it holds a staff card's read away from citizen reads until released. */
export interface StaffCardHolder {
  /** The staff card stays on the reader as a citizen's card: the next IdCard.Read gets it. */
  releaseToCitizen(): void;
}

type State =
  | { kind: 'none' }
  | { kind: 'pinWanted'; member: StaffMember }
  | { kind: 'signedIn'; member: StaffMember; connectionId: number; startedAtMs: number; lastActivityMs: number };

export type SignInOutcome =
  | { kind: 'signedIn'; session: StaffSession }
  | { kind: 'noStaffCard' }
  | { kind: 'wrongPin'; attemptsLeft: number }
  | { kind: 'locked'; lockedForSeconds: number }
  | { kind: 'registerUnavailable' };

/** The agent's default --idle-countdown (config.ts). */
const DEFAULT_CITIZEN_COUNTDOWN_MS = 15_000;

export type StaffServiceOptions = {
  register: StaffRegister;
  /** The hall secret that keys staff HMACs (staff-key.ts). */
  secret: () => Buffer;
  clock: Clock;
  settings: () => HallSettings;
  audit: StaffAudit;
  log?: Logger | undefined;
  /** Real timers for idle and maximum duration; tests leave it out and call `tick()` after moving a manual clock. */
  schedule?: ((atMs: number, run: () => void) => () => void) | undefined;
  /** The citizen screens' idle countdown (--idle-countdown): the staff countdown unless the hall sets its own. */
  citizenIdleCountdownMs?: number | undefined;
};

/**
 * Staff sign-in and the staff session (issue 12) as an explicit state machine with an injected clock:
 * none → pinWanted (a registered card is on the reader at the home screen) → signedIn (right PIN) →
 * none (sign-out, card lifted when the hall says so, idle, 12 h). One staff session at a time, owned
 * by the connection that signed in; the dispatch asks `roleOf(connectionId)` (server/roles.ts).
 */
export class StaffService {
  readonly #register: StaffRegister;
  readonly #secret: () => Buffer;
  readonly #clock: Clock;
  readonly #settings: () => HallSettings;
  readonly #audit: StaffAudit;
  readonly #log: Logger | undefined;
  readonly #schedule: StaffServiceOptions['schedule'];
  readonly #listeners = new Set<(notice: StaffNotice) => void>();
  #state: State = { kind: 'none' };
  #cancelTimer: (() => void) | undefined;
  #holder: StaffCardHolder | undefined;

  readonly #citizenIdleCountdownMs: number;

  constructor(options: StaffServiceOptions) {
    this.#register = options.register;
    this.#secret = options.secret;
    this.#clock = options.clock;
    this.#settings = options.settings;
    this.#audit = options.audit;
    this.#log = options.log;
    this.#schedule = options.schedule;
    this.#citizenIdleCountdownMs = options.citizenIdleCountdownMs ?? DEFAULT_CITIZEN_COUNTDOWN_MS;
  }

  get register(): StaffRegister {
    return this.#register;
  }

  onNotice(listener: (notice: StaffNotice) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The identity service that holds staff cards' reads (set once at composition). */
  attachCardHolder(holder: StaffCardHolder): void {
    this.#holder = holder;
  }

  /** True while a staff card waits for its PIN or a staff member is signed in: citizen commands are refused. */
  get active(): boolean {
    this.tick();
    return this.#state.kind !== 'none';
  }

  /** The staff role of `connectionId`, when it is the connection a staff member signed in on. */
  roleOf(connectionId: number): StaffRole | undefined {
    this.tick();
    return this.#state.kind === 'signedIn' && this.#state.connectionId === connectionId ? this.#state.member.role : undefined;
  }

  /** The signed-in staff member's key (for audit events), when `connectionId` owns the session. */
  staffKeyOf(connectionId: number): string | undefined {
    return this.#state.kind === 'signedIn' && this.#state.connectionId === connectionId ? shortStaffKey(this.#state.member.key) : undefined;
  }

  /** True when `identity` is the card of the staff member signed in on `connectionId` (their own card, not an applicant's). */
  isOwnCard(connectionId: number, identity: Pick<Identity, 'idNumber'>): boolean {
    const s = this.#state;
    return s.kind === 'signedIn' && s.connectionId === connectionId && staffKeyOf(identity.idNumber, this.#secret()) === s.member.key;
  }

  /** A staff command from the signed-in connection: the staff member is still there. */
  touch(connectionId: number): void {
    if (this.#state.kind === 'signedIn' && this.#state.connectionId === connectionId) {
      this.#state.lastActivityMs = this.#clock.now();
      this.#arm();
    }
  }

  session(): StaffSession {
    this.tick();
    const s = this.#state;
    switch (s.kind) {
      case 'none':
        return { state: 'none' };
      case 'pinWanted':
        return { state: 'pinWanted', name: s.member.name, attemptsLeft: attemptsLeft(s.member.lockout), lockedForSeconds: lockedForSeconds(s.member.lockout, this.#clock.now()) };
      case 'signedIn': {
        const staff = this.#settings().staff;
        return {
          state: 'signedIn',
          name: s.member.name,
          role: s.member.role,
          startedAt: formatShanghaiIsoMs(s.startedAtMs),
          expiresAt: formatShanghaiIsoMs(s.startedAtMs + this.#maxSessionMs()),
          idleTimeoutMs: staff.idleTimeoutS * 1000,
          idleCountdownMs: staff.idleCountdownS !== undefined ? staff.idleCountdownS * 1000 : this.#citizenIdleCountdownMs,
          endsOnCardRemoval: staff.endOnCardRemoval,
        };
      }
      default: {
        const unreachable: never = s;
        return unreachable;
      }
    }
  }

  /**
   * A card was read at the home screen with no citizen session: true when it is a registered staff
   * card (the caller then keeps it away from citizen reads and the page asks for the PIN).
   * `stillAtHome` is asked again once the register answered: false when a citizen began meanwhile.
   */
  async recogniseCard(identity: Pick<Identity, 'idNumber'>, stillAtHome: () => boolean = () => true): Promise<boolean> {
    if (this.#state.kind !== 'none') return false;
    let member: StaffMember | undefined;
    try {
      member = await this.#register.find(staffKeyOf(identity.idNumber, this.#secret()));
    } catch (error) {
      this.#log?.error({ err: error }, 'staff register unavailable; the card is treated as a citizen card');
      return false;
    }
    // The register may answer after a citizen began (a PostgreSQL register yields): then the card is theirs,
    // so that a citizen session and staff mode never exist at once.
    if (!member || this.#state.kind !== 'none' || !stillAtHome()) return false;
    this.#state = { kind: 'pinWanted', member };
    const session = this.session();
    if (session.state === 'pinWanted') this.#notify({ kind: 'cardRecognised', name: session.name, attemptsLeft: session.attemptsLeft, lockedForSeconds: session.lockedForSeconds });
    this.#log?.info({ staff: shortStaffKey(member.key) }, 'staff card recognised');
    return true;
  }

  /** The card was lifted off the reader. */
  cardRemoved(): void {
    if (this.#state.kind === 'pinWanted') this.#end('cardRemoved');
    else if (this.#state.kind === 'signedIn' && this.#settings().staff.endOnCardRemoval) this.#end('cardRemoved');
  }

  async signIn(pin: string, connectionId: number): Promise<SignInOutcome> {
    this.tick();
    const waiting = this.#state;
    if (waiting.kind !== 'pinWanted') return { kind: 'noStaffCard' };
    let member: StaffMember | undefined;
    try {
      member = await this.#register.find(waiting.member.key);
    } catch (error) {
      this.#log?.error({ err: error }, 'staff register unavailable');
      return { kind: 'registerUnavailable' };
    }
    if (!member) {
      // Removed from the register since the card was recognised.
      this.#end('cardRemoved');
      return { kind: 'noStaffCard' };
    }
    const key = shortStaffKey(member.key);
    const nowMs = this.#clock.now();
    const locked = lockedForSeconds(member.lockout, nowMs);
    if (locked > 0) return { kind: 'locked', lockedForSeconds: locked };
    const ok = await verifyPin(pin, member.pinHash);
    // The card may have been lifted while the hash ran.
    if (this.#state !== waiting) return { kind: 'noStaffCard' };
    if (!ok) {
      const next = afterWrongPin(member.lockout, this.#clock.now());
      await this.#register.setLockout(member.key, next.state).catch((error: unknown) => this.#log?.error({ err: error }, 'could not record a wrong PIN'));
      this.#state = { kind: 'pinWanted', member: { ...member, lockout: next.state } };
      this.#audit('pinFailed', { staff: key, attemptsLeft: attemptsLeft(next.state) });
      if (next.locked) {
        const seconds = lockedForSeconds(next.state, this.#clock.now());
        this.#audit('lockedOut', { staff: key, lockedForSeconds: seconds, lockouts: next.state.lockouts });
        this.#log?.warn({ staff: key, lockedForSeconds: seconds }, 'staff card locked after wrong PINs');
        return { kind: 'locked', lockedForSeconds: seconds };
      }
      return { kind: 'wrongPin', attemptsLeft: attemptsLeft(next.state) };
    }
    if (member.lockout.failedAttempts > 0 || member.lockout.lockouts > 0) {
      await this.#register.setLockout(member.key, NO_LOCKOUT).catch((error: unknown) => this.#log?.error({ err: error }, 'could not clear the PIN counters'));
    }
    const startedAtMs = this.#clock.now();
    this.#state = { kind: 'signedIn', member: { ...member, lockout: NO_LOCKOUT }, connectionId, startedAtMs, lastActivityMs: startedAtMs };
    this.#arm();
    this.#audit('signIn', { staff: key, role: member.role });
    this.#log?.info({ staff: key, role: member.role }, 'staff signed in');
    return { kind: 'signedIn', session: this.session() };
  }

  signOut(connectionId: number): boolean {
    if (this.#state.kind !== 'signedIn' || this.#state.connectionId !== connectionId) return false;
    this.#audit('signOut', { staff: shortStaffKey(this.#state.member.key), reason: 'signedOut' });
    this.#end('signedOut');
    return true;
  }

  /** The staff member on the reader uses the terminal as a citizen; false when there is no staff card or session. */
  continueAsCitizen(): boolean {
    if (this.#state.kind === 'none') return false;
    this.#audit('continueAsCitizen', { staff: shortStaffKey(this.#state.member.key) });
    this.#end('continuedAsCitizen');
    this.#holder?.releaseToCitizen();
    return true;
  }

  /** The page that signed in went away: its staff session goes with it. */
  connectionClosed(connectionId: number): void {
    if (this.#state.kind === 'signedIn' && this.#state.connectionId === connectionId) {
      this.#audit('signOut', { staff: shortStaffKey(this.#state.member.key), reason: 'disconnected' });
      this.#end('signedOut');
    }
  }

  /** Ends a session that ran idle or past its maximum; called by the timer, and before every answer. */
  tick(): void {
    const s = this.#state;
    if (s.kind !== 'signedIn') return;
    const nowMs = this.#clock.now();
    if (nowMs >= s.startedAtMs + this.#maxSessionMs()) {
      this.#audit('signOut', { staff: shortStaffKey(s.member.key), reason: 'maxDuration' });
      this.#end('maxDuration');
    } else if (nowMs >= s.lastActivityMs + this.#settings().staff.idleTimeoutS * 1000) {
      this.#audit('signOut', { staff: shortStaffKey(s.member.key), reason: 'idleTimeout' });
      this.#end('idleTimeout');
    }
  }

  /** Staff audit from a handler, with the signed-in staff member's key. */
  audit(action: StaffAuditAction, connectionId: number, details: Readonly<Record<string, string | number | boolean | null>> = {}): void {
    this.#audit(action, { ...details, staff: this.staffKeyOf(connectionId) ?? null });
  }

  #maxSessionMs(): number {
    return Math.round(this.#settings().staff.maxSessionH * 3600_000);
  }

  #end(reason: StaffSessionEndReason): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    this.#state = { kind: 'none' };
    this.#notify({ kind: 'sessionEnded', reason });
  }

  #arm(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    const s = this.#state;
    if (s.kind !== 'signedIn' || !this.#schedule) return;
    const atMs = Math.min(s.startedAtMs + this.#maxSessionMs(), s.lastActivityMs + this.#settings().staff.idleTimeoutS * 1000);
    this.#cancelTimer = this.#schedule(atMs, () => this.tick());
  }

  #notify(notice: StaffNotice): void {
    for (const listener of [...this.#listeners]) listener(notice);
  }
}

/** Real timers for StaffService `schedule` (unref'd: they never keep the process alive). */
export function realSchedule(clock: Clock): (atMs: number, run: () => void) => () => void {
  return (atMs, run) => {
    const timer = setTimeout(run, Math.max(0, atMs - clock.now()) + 5);
    timer.unref();
    return () => clearTimeout(timer);
  };
}

import type { DeviceStatus, Identity, Printing } from '@onevisit/protocol';
import { AgentClient, type AgentClientOptions, type ConnectionPhase, type UnsolicitedMessage } from '../agent/client.ts';
import { AgentClock } from '../agent-clock.ts';
import { I18n } from '../i18n/i18n.svelte.ts';
import { ConnectionState } from './connection.svelte.ts';
import { DevicesState } from './devices.svelte.ts';
import { IdleTimer } from './idle.svelte.ts';
import { CardGrace } from './card-grace.svelte.ts';
import { readErrorKind } from './read-error.ts';
import { scannerProblem } from './scan-codes.ts';
import { SessionState, type EndReason } from './session.svelte.ts';
import type { ApplyHost } from './application.svelte.ts';
import { StaffMode, staffIdleTimes } from './staff/staff-mode.svelte.ts';

export type KioskOptions = {
  url: string;
  readToken: () => string;
  /** Called when the agent refused the token: it restarted, so the page must be fetched again. */
  reloadPage: () => void;
  /** Tests connect the kiosk to a fake agent (lib/agent/fake-agent.ts). */
  createSocket?: AgentClientOptions['createSocket'];
};

/** What the agent's Session.End is told (its log and audit keep the reason, nothing personal). */
const SESSION_END_REASON = {
  finished: 'completed',
  cardRemoved: 'cardRemoved',
  idle: 'idleTimeout',
  exit: 'canceled',
  connectionLost: 'canceled',
} as const satisfies Record<SessionEnd, string>;

/** How a session can end (`takeCard` is not one: it is how an idle or exit end looks with the card still there). */
type SessionEnd = Exclude<EndReason, 'takeCard'> | 'idle' | 'exit' | 'connectionLost';

/** Wait before reloading on a refused token, so a broken agent cannot make the page spin. */
const RELOAD_DELAY_MS = 1000;

/**
 * The kiosk's controller: owns the agent client and the small state objects the screens read,
 * and runs the journey attract → home → identify → confirmed → done → attract.
 */
export class Kiosk {
  readonly i18n = new I18n();
  readonly connection = new ConnectionState();
  readonly devices = new DevicesState();
  readonly session = new SessionState();
  readonly idle = new IdleTimer(() => this.#endSession('idle'));
  /** A card lies on the reader (IdCard.CardPlacedEvent / CardRemovedEvent). */
  cardOnReader = $state(false);
  /** The card was already on the reader when this read began: the reader reads it only after it is lifted (issue 10). */
  cardLeftOnReader = $state(false);
  /** The session's card was lifted mid-journey: putting the same card back within the countdown continues (issue 10). */
  readonly cardGrace = new CardGrace();
  readonly client: AgentClient;
  /** The agent's time (its `--clock` in dev): "today" of the forms and the calendar. */
  readonly clock = new AgentClock();
  /** What citizens get from the printers now (Common.Status `printing`): the home screen says it honestly. */
  printing = $state.raw<Printing | undefined>(undefined);
  /** Hall staff mode (issue 12): PIN pad, dashboard, restock, diagnostics. Holds no citizen data. */
  readonly staff: StaffMode;

  #readRequestId: number | undefined;
  /** Where the identify screen returns to when a journey (booking) asked for the card. */
  #afterIdentify: { then: () => void; back: () => void } | undefined;
  readonly #sessionEndListeners: (() => void)[] = [];
  /** Set while the identify screen reads the card for the application journey, which it then returns to. */
  #identifyForApply = false;
  readonly #reloadPage: () => void;
  #reloadTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: KioskOptions) {
    this.#reloadPage = options.reloadPage;
    this.client = new AgentClient({
      url: options.url,
      readToken: options.readToken,
      ...(options.createSocket === undefined ? {} : { createSocket: options.createSocket }),
      onPhase: (phase) => this.#onPhase(phase),
      onReady: (agent) => {
        this.connection.agent = agent;
        this.clock.sync(agent.time);
        this.idle.configure(agent.idleTimeoutMs, agent.idleCountdownMs);
        void this.#refreshStatus();
      },
      onUnsolicited: (message) => this.#onUnsolicited(message),
    });
    this.staff = new StaffMode({
      client: this.client,
      today: () => this.clock.today(),
      signedIn: (session) => {
        const times = staffIdleTimes(session);
        this.idle.configure(times.timeoutMs, times.countdownMs);
        this.idle.arm();
      },
      left: () => {
        this.idle.disarm();
        this.#restoreIdleTimes();
        this.session.screen = 'attract';
        this.i18n.reset();
        void this.#refreshStatus();
      },
      continueAsCitizen: () => {
        this.idle.disarm();
        this.#restoreIdleTimes();
        this.begin();
      },
    });
  }

  #restoreIdleTimes(): void {
    const agent = this.connection.agent;
    if (agent !== undefined) this.idle.configure(agent.idleTimeoutMs, agent.idleCountdownMs);
  }

  start(): void {
    this.client.start();
  }

  /** Attract → home. */
  begin(): void {
    this.session.wipe();
    this.session.screen = 'home';
    this.idle.arm();
  }

  /** Home → identify: starts waiting for a card. With `after`, a journey gets the read card back (or the cancel). */
  identify(after?: { then: () => void; back: () => void }): void {
    this.#afterIdentify = after;
    this.session.screen = 'identify';
    this.retryRead();
  }

  retryRead(): void {
    this.session.readError = undefined;
    this.session.readStage = 'starting';
    this.cardLeftOnReader = this.cardOnReader;
    if (!this.devices.usable('idCard')) {
      this.session.readError = 'readerOffline';
      return;
    }
    void this.#read();
  }

  /** Home → the one-form application journey; its code loads on first use. */
  async apply(): Promise<void> {
    const { ApplicationFlow } = await import('./application.svelte.ts');
    if (this.session.screen !== 'home') return;
    this.session.application ??= new ApplicationFlow(this.#applyHost());
    this.session.screen = 'apply';
  }

  #applyHost(): ApplyHost {
    return {
      client: this.client,
      locale: () => this.i18n.locale,
      hasIdentity: () => this.session.identity !== undefined,
      identify: () => {
        this.#identifyForApply = true;
        this.identify();
      },
      finish: () => this.finish(),
      home: () => {
        this.session.screen = 'home';
      },
      poke: () => this.idle.poke(),
      identity: () => this.session.identity,
      scannerProblem: () => scannerProblem(this.devices.byId.scanner),
      today: () => this.clock.today(),
      printing: () => this.printing,
    };
  }

  /** Identify → home, cancelling the read in flight. */
  cancelIdentify(): void {
    const after = this.#afterIdentify;
    if (after !== undefined) {
      // Back to the journey that asked for the card: nothing was read, it goes on.
      this.#afterIdentify = undefined;
      this.#cancelRead();
      this.session.readError = undefined;
      after.back();
      return;
    }
    if (this.#identifyForApply && this.session.application !== undefined) {
      // Back to the application's notice: nothing was read, the journey goes on.
      this.#identifyForApply = false;
      this.#cancelRead();
      this.session.readError = undefined;
      this.session.screen = 'apply';
      this.session.application.identifyCanceled();
      return;
    }
    this.#cancelRead();
    this.session.wipe();
    this.session.screen = 'home';
  }

  /** Home → booking (预约办理); the screens' code loads on first use (App.svelte). */
  book(): void {
    if (this.session.screen === 'home') this.session.screen = 'booking';
  }

  /** Back to the booking screens (after the identify screen). */
  showBooking(): void {
    this.session.screen = 'booking';
  }

  /** A journey's "home" button: the services, keeping the session. */
  home(): void {
    this.session.screen = 'home';
  }

  /** Journeys that keep personal data (booking) forget it here: finish, idle, card lifted, connection lost. */
  onSessionEnd(listener: () => void): () => void {
    this.#sessionEndListeners.push(listener);
    return () => {
      const index = this.#sessionEndListeners.indexOf(listener);
      if (index >= 0) this.#sessionEndListeners.splice(index, 1);
    };
  }

  /** Confirmed → done: the session is over, personal data goes. */
  finish(): void {
    this.#endSession('finished');
  }

  /** Done, exit from home, or "end" in the idle countdown → attract. */
  toAttract(): void {
    this.#endSession('exit');
  }

  /** The countdown's "continue". */
  continueSession(): void {
    this.idle.resume();
  }

  /** Any touch on the kiosk. */
  activity(): void {
    this.idle.poke();
    this.staff.touch();
  }

  async #read(): Promise<void> {
    this.#cancelRead();
    const pending = this.client.send(
      'IdCard.Read',
      {},
      {
        onEvent: (event) => {
          if (this.#readRequestId !== pending.requestId) return;
          switch (event.name) {
            case 'IdCard.WaitingForCardEvent':
              this.session.readStage = 'waitingForCard';
              break;
            case 'IdCard.CardFoundEvent':
              this.session.readStage = 'cardFound';
              this.idle.poke();
              break;
            case 'IdCard.ReadingEvent':
              this.session.readStage = 'reading';
              this.idle.poke();
              break;
          }
        },
      },
    );
    this.#readRequestId = pending.requestId;
    const result = await pending.result;
    // A read that was cancelled or superseded (back, idle wipe, a retry) has nothing to say.
    if (this.#readRequestId !== pending.requestId) return;
    this.#readRequestId = undefined;
    if (this.session.screen !== 'identify') return;
    if (result.ok) {
      this.#identified(result.payload.identity);
      return;
    }
    if (result.completionCode === 'canceled') return;
    this.session.readError = readErrorKind(result.completionCode, result.errorCode);
  }

  /** A card was read, or a scanned document confirmed: on to whatever asked for the identity. */
  #identified(identity: Identity): void {
    this.session.identity = identity;
    const after = this.#afterIdentify;
    if (after !== undefined) {
      this.#afterIdentify = undefined;
      this.idle.poke();
      after.then();
      return;
    }
    if (this.#identifyForApply && this.session.application !== undefined) {
      this.#identifyForApply = false;
      this.session.screen = 'apply';
      this.session.application.identified();
      this.idle.poke();
      return;
    }
    this.session.screen = 'confirmed';
    this.idle.poke();
  }

  /** Identify → scan a paper document instead of the card (its code loads on first use). */
  async scanDocument(): Promise<void> {
    this.#cancelRead();
    this.session.readError = undefined;
    const { ScanFlow } = await import('./scan.svelte.ts');
    if (this.session.screen !== 'identify') return;
    this.session.scan?.wipe();
    this.session.scan = new ScanFlow({
      client: this.client,
      scannerProblem: () => scannerProblem(this.devices.byId.scanner),
      poke: () => this.idle.poke(),
      identified: (identity) => {
        this.session.scan?.wipe();
        this.session.scan = undefined;
        if (this.session.screen === 'scan') this.#identified(identity);
      },
      back: () => {
        this.session.scan = undefined;
        if (this.session.screen !== 'scan') return;
        this.session.screen = 'identify';
        this.retryRead();
      },
    });
    this.session.screen = 'scan';
  }

  #cancelRead(): void {
    const requestId = this.#readRequestId;
    this.#readRequestId = undefined;
    if (requestId !== undefined) this.client.cancel(requestId);
  }

  /** Wipes everything personal, tells the agent to do the same, and moves on. */
  #endSession(reason: SessionEnd): void {
    if (this.session.screen === 'staff') {
      // Staff mode has no citizen session: the idle countdown or "end" signs the staff member out.
      if (reason === 'connectionLost') this.staff.ended();
      else void this.staff.signOut();
      return;
    }
    this.cardGrace.stop();
    this.#cancelRead();
    this.#afterIdentify = undefined;
    for (const listener of this.#sessionEndListeners) listener();
    this.#identifyForApply = false;
    // From `done` the session already ended (and the agent was told); from attract there was none.
    const hadSession = this.session.screen !== 'attract' && this.session.screen !== 'done';
    if (this.session.screen !== 'done') this.session.endCardType = this.session.identity?.cardType;
    this.session.wipe();
    this.idle.disarm();
    if (hadSession && this.client.phase === 'ready') {
      void this.client.send('Session.End', { reason: SESSION_END_REASON[reason] }).result;
    }
    switch (reason) {
      case 'finished':
      case 'cardRemoved':
        this.session.endReason = reason;
        this.session.screen = 'done';
        break;
      case 'idle':
      case 'exit':
        if (hadSession && this.cardOnReader) {
          // The session always ends by asking for the card back while one lies on the reader (issue 10).
          this.session.endReason = 'takeCard';
          this.session.screen = 'done';
          break;
        }
        this.session.screen = 'attract';
        this.i18n.reset();
        break;
      case 'connectionLost':
        // The out-of-service screen that follows stays in the citizen's language (issue 10); the next
        // citizen starts in Chinese once the agent is back (#onPhase).
        this.session.screen = 'attract';
        break;
      default: {
        const unreachable: never = reason;
        return unreachable;
      }
    }
  }

  /** The session's card was lifted: mid-journey a grace period with a countdown, elsewhere the end at once. */
  #cardLifted(): void {
    switch (this.session.screen) {
      case 'identify':
      case 'confirmed':
      case 'done':
      case 'attract':
      case 'staff':
        this.#endSession('cardRemoved');
        return;
      case 'home':
      case 'apply':
      case 'booking':
      case 'scan':
      case 'pickup':
      case 'progress':
        if (this.cardGrace.active) return;
        this.#cancelRead();
        this.idle.disarm();
        this.cardGrace.start(() => this.#endSession('cardRemoved'));
        return;
      default: {
        const unreachable: never = this.session.screen;
        return unreachable;
      }
    }
  }

  /** A card was placed during the grace: the same card continues the session; another card ends it (everything goes). */
  async #graceRead(): Promise<void> {
    const before = this.session.identity;
    if (before === undefined) return;
    this.#cancelRead();
    const pending = this.client.send('IdCard.Read', {});
    this.#readRequestId = pending.requestId;
    const result = await pending.result;
    if (this.#readRequestId !== pending.requestId) return;
    this.#readRequestId = undefined;
    if (!this.cardGrace.active) return;
    if (!result.ok) return; // Not read (lifted again, unreadable): the countdown goes on.
    const same = result.payload.identity.idNumber === before.idNumber && result.payload.identity.cardType === before.cardType;
    if (!same) {
      this.#endSession('cardRemoved');
      return;
    }
    this.cardGrace.stop();
    this.session.identity = result.payload.identity;
    this.idle.arm();
  }

  /** The grace overlay's "end session". */
  endAfterLift(): void {
    this.#endSession('cardRemoved');
  }

  async #refreshStatus(): Promise<void> {
    const result = await this.client.send('Common.Status', {}).result;
    if (!result.ok) return;
    this.clock.sync(result.payload.agent.time);
    this.devices.replaceAll(result.payload.devices);
    this.printing = result.payload.printing;
  }

  #onPhase(phase: ConnectionPhase): void {
    this.connection.setPhase(phase);
    if (phase === 'ready' && this.session.screen === 'attract') this.i18n.reset();
    if (phase !== 'ready' && this.session.screen !== 'attract') {
      // The agent wipes its side when the connection drops; the UI does the same and starts over.
      this.#endSession('connectionLost');
    }
    if (phase === 'unauthorized' && this.#reloadTimer === undefined) {
      // A refused token means the agent restarted with a new one: the page it serves now has it.
      this.#reloadTimer = setTimeout(() => this.#reloadPage(), RELOAD_DELAY_MS);
    }
  }

  #onDeviceStatus(status: DeviceStatus): void {
    this.devices.update(status);
    if (status.device === 'receiptPrinter' || status.device === 'printer') void this.#refreshStatus();
    if (status.device === 'scanner') this.session.scan?.scannerChanged();
    if (status.device !== 'idCard' || this.session.screen !== 'identify') return;
    if (!this.devices.usable('idCard') && this.#readRequestId !== undefined) {
      this.#cancelRead();
      this.session.readError = 'readerOffline';
    } else if (this.devices.usable('idCard') && this.session.readError === 'readerOffline') {
      this.retryRead();
    }
  }

  #onUnsolicited(message: UnsolicitedMessage): void {
    switch (message.name) {
      case 'Common.StatusChangedEvent':
        this.#onDeviceStatus(message.payload);
        break;
      case 'Common.ShutdownEvent':
        this.connection.shutdown();
        if (this.session.screen !== 'attract') this.#endSession('connectionLost');
        break;
      case 'IdCard.CardRemovedEvent':
        this.cardOnReader = false;
        this.cardLeftOnReader = false;
        // An identity confirmed from a scanned document has no card to lift.
        if (this.session.identity !== undefined && this.session.identity.source !== 'document') this.#cardLifted();
        else if (this.session.screen === 'done') this.toAttract();
        break;
      case 'IdCard.CardPlacedEvent':
        this.cardOnReader = true;
        this.idle.poke();
        if (this.cardGrace.active) void this.#graceRead();
        break;
      case 'IdCard.CardReadEvent':
        this.idle.poke();
        break;
      case 'Staff.CardRecognisedEvent':
        // Only where no citizen is busy: the agent recognises staff cards at the attract and home screens.
        if (this.session.screen === 'attract' || this.session.screen === 'home' || this.session.screen === 'staff') {
          this.idle.disarm();
          this.session.wipe();
          this.session.screen = 'staff';
          this.staff.recognised(message.payload);
        }
        break;
      case 'Staff.SessionEndedEvent':
        if (message.payload.reason !== 'continuedAsCitizen') this.staff.ended();
        break;
      case 'Storage.StatusChangedEvent':
        this.staff.unitsChanged(message.payload.units);
        void this.#refreshStatus();
        break;
    }
  }
}

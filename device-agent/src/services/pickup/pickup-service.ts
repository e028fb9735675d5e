import { createHmac, randomInt, randomUUID } from 'node:crypto';
import type { CardType } from '@onevisit/protocol';
import type { Clock } from '../../clock.ts';
import type { Unsubscribe } from '../../devices/device.ts';
import { lockKey, type CabinetDriver, type CompartmentReading, type LockAddress, type Presence } from '../../devices/cabinet/driver.ts';
import { sizeRank, type CabinetLayout, type CompartmentSize } from '../../devices/cabinet/layout.ts';
import type { AuditDetails, AuditKind, AuditLog } from '../../store/audit.ts';
import type { ItemRow, PickupStore } from '../../store/pickup-store.ts';
import { personKeyOf } from '../booking/person-key.ts';
import { openCycle, stepCycle, type DoorCycleEvent, type DoorCycleState } from './door-cycle.ts';

/**
 * The certificate pickup cabinet (证照自助领取, issue 13): staff deposit, citizens collect with
 * their ID card or a pickup code, staff recover overdue items, technicians open a compartment.
 * The cabinet's sensors decide each step (door hook, infrared presence), never the UI.
 *
 * Each method maps one-to-one onto a WebSocket command (wired with issue 12's roles):
 *   deposit     ← Pickup.Deposit {reference, idNumber, title, size?}   events slotOpened, itemPlaced, doorClosed
 *   find        ← Pickup.Find    (ID card read, or a typed pickup code)
 *   collect     ← Pickup.Collect {itemId}                             events slotOpened, itemTaken, doorClosed, doorLeftOpen
 *   listOverdue ← Pickup.ListOverdue
 *   recover     ← Pickup.Recover {itemId}                             events as collect
 *   open        ← Pickup.Open {slot}                                  events as collect
 * Expected failures are values. Every state change is written before the unlock that acts on
 * it, so `reconcile` (at start, and when the cabinet answers again) settles a crash from the
 * sensors: never handing an item out twice, never losing one.
 */

export type PickupEvent =
  | { kind: 'slotOpened'; slot: string }
  | { kind: 'itemPlaced'; slot: string }
  | { kind: 'itemTaken'; slot: string }
  | { kind: 'doorClosed'; slot: string }
  | { kind: 'doorLeftOpen'; slot: string; openMs: number };

/** For staff screens and Common.Status warnings. */
export type PickupWarning =
  | { kind: 'doorLeftOpen'; slot: string }
  | { kind: 'doorFoundOpen'; slot: string }
  | { kind: 'lockFailed'; slot: string }
  | { kind: 'needsCheck'; slot: string; itemId: string }
  /** A compartment with no item on record reads an item inside (found by reconcile). */
  | { kind: 'itemUnexpected'; slot: string };

/** What the back office needs to send the SMS or close the case; the integrator seals it like a submission. */
export type PickupNotice =
  | { kind: 'deposited'; itemId: string; reference: string; slot: string; pickupCode: string; maskedName: string | undefined }
  | { kind: 'collected'; itemId: string; reference: string }
  | { kind: 'recovered'; itemId: string; reference: string };

export interface PickupNotifier {
  /** Must queue durably (the outbox) before it returns; it is called inside no transaction. */
  notify(notice: PickupNotice): void;
}

export interface PickupItemView {
  itemId: string;
  reference: string;
  title: string;
  slot: string;
  depositedAtMs: number;
}

export type CompartmentState = 'free' | 'occupied' | 'open' | 'fault';
export interface CompartmentView {
  slot: string;
  size: CompartmentSize;
  state: CompartmentState;
}

/** What the sensors said of each compartment when an exchange on it ended (Storage.EndExchange's test). */
export type CompartmentCheck = { slot: string; result: 'ok' } | { slot: string; result: 'doorOpen' | 'presenceMismatch' | 'offline' };

export type DepositInput = { reference: string; idNumber: string; cardType?: CardType; title: string; size?: CompartmentSize; maskedName?: string };
export type DepositResult =
  | { kind: 'deposited'; itemId: string; slot: string; pickupCode: string }
  | { kind: 'noFreeCompartment' }
  | { kind: 'doorClosedEmpty'; slot: string }
  | { kind: 'lockFailed'; slot: string }
  | { kind: 'deviceNotReady' }
  | { kind: 'canceled'; slot: string };

export type FindQuery = { kind: 'person'; idNumber: string; cardType?: CardType } | { kind: 'code'; code: string };
export type FindResult =
  | { kind: 'found'; items: PickupItemView[] }
  | { kind: 'wrongCode'; attemptsLeft: number }
  | { kind: 'codeEntryLocked'; untilMs: number };

export type TakeResult =
  | { kind: 'done'; slot: string }
  | { kind: 'notRemoved'; slot: string }
  | { kind: 'lockFailed'; slot: string }
  | { kind: 'notFound' }
  | { kind: 'busy' }
  | { kind: 'deviceNotReady' }
  | { kind: 'canceled'; slot: string };

export type OpenResult =
  | { kind: 'closed'; slot: string; presence: Presence }
  | { kind: 'unknownSlot' }
  | { kind: 'busy' }
  | { kind: 'lockFailed'; slot: string }
  | { kind: 'deviceNotReady' }
  | { kind: 'canceled'; slot: string };

export interface ReconcileReport {
  collected: number;
  recovered: number;
  restored: number;
  dropped: number;
  check: number;
  doorsOpen: string[];
  unreachable: number;
}

export interface Scheduler {
  after(ms: number, fn: () => void): () => void;
}
const realScheduler: Scheduler = {
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};

export interface PickupServiceOptions {
  driver: CabinetDriver;
  layout: CabinetLayout;
  store: PickupStore;
  audit: AuditLog;
  clock: Clock;
  scheduler?: Scheduler;
  /** The hall's person secret (services/booking/person-key.ts); also keys the code hashes. */
  personSecret: Buffer;
  notifier?: PickupNotifier;
  onWarning?: (warning: PickupWarning) => void;
  /** Default 7 days (台州: 7-day retention). A function is read at each use (the hall's settings, reloaded by a reset). */
  retentionMs?: number | (() => number);
  /** Default 60 s; a function as for retentionMs. */
  doorOpenLimitMs?: number | (() => number);
  /** Wrong codes before code entry locks; default 5. */
  codeAttempts?: number;
  /** Default 5 minutes. */
  codeLockoutMs?: number;
  /** For tests: the 6-digit codes handed out. */
  makeCode?: () => string;
}

export const DEFAULT_RETENTION_MS = 7 * 24 * 3_600_000;
export const DEFAULT_DOOR_OPEN_LIMIT_MS = 60_000;
export const DEFAULT_CODE_ATTEMPTS = 5;
export const DEFAULT_CODE_LOCKOUT_MS = 5 * 60_000;
const CODE_PATTERN = /^\d{6}$/;

type Flow = 'deposit' | 'collect' | 'recover' | 'open';
type CycleOutcome = { kind: 'closed'; presence: Presence } | { kind: 'lockFailed' } | { kind: 'offline' } | { kind: 'canceled' };

export class PickupService {
  readonly #driver: CabinetDriver;
  readonly #store: PickupStore;
  readonly #audit: AuditLog;
  readonly #clock: Clock;
  readonly #scheduler: Scheduler;
  readonly #secret: Buffer;
  readonly #notifier: PickupNotifier | undefined;
  readonly #onWarning: (warning: PickupWarning) => void;
  readonly #retention: () => number;
  readonly #doorOpenLimit: () => number;
  readonly #codeAttempts: number;
  readonly #codeLockoutMs: number;
  readonly #makeCode: () => string;
  /** Compartments in a door cycle now: one operation per compartment at a time. */
  readonly #opening = new Set<string>();
  #offStatus: Unsubscribe | undefined;
  #wasOffline = false;

  constructor(options: PickupServiceOptions) {
    this.#driver = options.driver;
    this.#store = options.store;
    this.#audit = options.audit;
    this.#clock = options.clock;
    this.#scheduler = options.scheduler ?? realScheduler;
    this.#secret = options.personSecret;
    this.#notifier = options.notifier;
    this.#onWarning = options.onWarning ?? (() => undefined);
    const retention = options.retentionMs ?? DEFAULT_RETENTION_MS;
    const doorOpenLimit = options.doorOpenLimitMs ?? DEFAULT_DOOR_OPEN_LIMIT_MS;
    this.#retention = typeof retention === 'function' ? retention : () => retention;
    this.#doorOpenLimit = typeof doorOpenLimit === 'function' ? doorOpenLimit : () => doorOpenLimit;
    this.#codeAttempts = options.codeAttempts ?? DEFAULT_CODE_ATTEMPTS;
    this.#codeLockoutMs = options.codeLockoutMs ?? DEFAULT_CODE_LOCKOUT_MS;
    this.#makeCode = options.makeCode ?? (() => String(randomInt(0, 1_000_000)).padStart(6, '0'));
    this.#store.syncLayout(options.layout.compartments);
  }

  /** Reconciles with the sensors now, and again whenever the cabinet comes back online. */
  async start(): Promise<ReconcileReport> {
    this.#offStatus ??= this.#driver.onStatus((status) => {
      if (status.state === 'offline') this.#wasOffline = true;
      else if (status.state === 'online' && this.#wasOffline) {
        this.#wasOffline = false;
        void this.reconcile();
      }
    });
    return this.reconcile();
  }

  stop(): void {
    this.#offStatus?.();
    this.#offStatus = undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Deposit (staff)
  // -------------------------------------------------------------------------------------------

  /** `inExchange`: the compartments of the open storage exchange the deposit may use (default: any). */
  async deposit(
    input: DepositInput,
    onEvent: (event: PickupEvent) => void = () => undefined,
    signal?: AbortSignal,
    options: { inExchange?: (slot: string) => boolean } = {},
  ): Promise<DepositResult> {
    if (!this.#ready()) return { kind: 'deviceNotReady' };
    const usable = options.inExchange ?? (() => true);
    const wanted = sizeRank(input.size ?? 'S');
    const id = randomUUID();
    const personKey = personKeyOf({ idNumber: input.idNumber, cardType: input.cardType ?? 'resident' }, this.#secret);
    const { code, codeHash } = this.#freshCode();
    // Pick and reserve in one transaction: the unique index refuses a compartment taken meanwhile.
    const slot = this.#store.transaction(() => {
      for (const c of this.#store.freeCompartments()) {
        if (sizeRank(c.size) < wanted || this.#opening.has(c.slot) || !usable(c.slot)) continue;
        if (this.#store.beginDeposit({ id, reference: input.reference, personKey, title: input.title, slot: c.slot, codeHash }, this.#clock.now())) return c;
      }
      return undefined;
    });
    if (slot === undefined) return { kind: 'noFreeCompartment' };
    const outcome = await this.#cycle('deposit', slot, { itemId: id, reference: input.reference }, onEvent, signal);
    switch (outcome.kind) {
      case 'offline':
        this.#store.dropDeposit(id);
        return { kind: 'deviceNotReady' };
      case 'lockFailed':
        this.#store.dropDeposit(id);
        return { kind: 'lockFailed', slot: slot.slot };
      case 'canceled':
        // The door is still open: reconcile settles it from the sensors later.
        return { kind: 'canceled', slot: slot.slot };
      case 'closed':
        break;
      default: {
        const unreachable: never = outcome;
        return unreachable;
      }
    }
    if (outcome.presence === 'empty') {
      this.#store.transaction(() => {
        this.#store.dropDeposit(id);
        this.#record('pickupFailed', { flow: 'deposit', slot: slot.slot, reason: 'doorClosedEmpty' });
      });
      return { kind: 'doorClosedEmpty', slot: slot.slot };
    }
    // Present (CU16), or unknown (8A/80: no sensor; staff closing the door is the confirmation).
    this.#store.transaction(() => {
      this.#store.transition(id, ['depositing'], 'waiting', this.#clock.now());
      this.#record('pickupDeposited', { itemId: id, slot: slot.slot, reference: input.reference, presence: outcome.presence });
    });
    this.#notifier?.notify({ kind: 'deposited', itemId: id, reference: input.reference, slot: slot.slot, pickupCode: code, maskedName: input.maskedName });
    return { kind: 'deposited', itemId: id, slot: slot.slot, pickupCode: code };
  }

  #freshCode(): { code: string; codeHash: string } {
    for (let i = 0; i < 20; i += 1) {
      const code = this.#makeCode();
      if (!CODE_PATTERN.test(code)) throw new Error('pickup codes are 6 digits');
      const codeHash = this.#codeHash(code);
      if (!this.#store.codeInUse(codeHash)) return { code, codeHash };
    }
    throw new Error('no unused pickup code found in 20 tries');
  }

  #codeHash(code: string): string {
    return createHmac('sha256', this.#secret).update(`pickup-code:${code}`).digest('hex');
  }

  // -------------------------------------------------------------------------------------------
  // Find, collect (citizen)
  // -------------------------------------------------------------------------------------------

  find(query: FindQuery): FindResult {
    switch (query.kind) {
      case 'person': {
        const key = personKeyOf({ idNumber: query.idNumber, cardType: query.cardType ?? 'resident' }, this.#secret);
        return { kind: 'found', items: this.#store.itemsOfPerson(key).map(view) };
      }
      case 'code':
        return this.#findByCode(query.code);
      default: {
        const unreachable: never = query;
        return unreachable;
      }
    }
  }

  #findByCode(code: string): FindResult {
    const now = this.#clock.now();
    const guard = this.#store.codeGuard();
    if (guard.lockedUntilMs > now) return { kind: 'codeEntryLocked', untilMs: guard.lockedUntilMs };
    const items = CODE_PATTERN.test(code) ? this.#store.itemsWithCode(this.#codeHash(code)) : [];
    if (items.length > 0) {
      this.#store.setCodeGuard(0, 0);
      return { kind: 'found', items: items.map(view) };
    }
    const failures = (guard.lockedUntilMs > 0 ? 0 : guard.failures) + 1;
    if (failures >= this.#codeAttempts) {
      this.#store.transaction(() => {
        this.#store.setCodeGuard(0, now + this.#codeLockoutMs);
        this.#record('pickupFailed', { flow: 'find', reason: 'codeEntryLocked' });
      });
      return { kind: 'codeEntryLocked', untilMs: now + this.#codeLockoutMs };
    }
    this.#store.setCodeGuard(failures, 0);
    return { kind: 'wrongCode', attemptsLeft: this.#codeAttempts - failures };
  }

  /**
   * Opens the item's compartment for its holder. The caller (the handler) must only pass an
   * item this session found with `find`. `confirmRemoval` is asked on boards without a presence
   * sensor once the door is closed (the citizen's tap); default: closed means taken.
   */
  collect(itemId: string, onEvent: (event: PickupEvent) => void = () => undefined, options: { signal?: AbortSignal; confirmRemoval?: () => Promise<boolean> } = {}): Promise<TakeResult> {
    return this.#take('collect', itemId, onEvent, options);
  }

  // -------------------------------------------------------------------------------------------
  // Overdue, recover, open (staff, technician)
  // -------------------------------------------------------------------------------------------

  listOverdue(): PickupItemView[] {
    return this.#store.waitingDepositedBefore(this.#clock.now() - this.#retention()).map(view);
  }

  /** Items the sensors could not settle (after a crash on a board without sensors, or found missing). */
  listNeedsCheck(): PickupItemView[] {
    return this.#store.itemsInState(['check']).map(view);
  }

  recover(itemId: string, onEvent: (event: PickupEvent) => void = () => undefined, options: { signal?: AbortSignal } = {}): Promise<TakeResult> {
    return this.#take('recover', itemId, onEvent, options);
  }

  /** `outsideExchange`: no storage exchange covers the compartment, so it is `manipulated` once its door opened. */
  async open(slot: string, onEvent: (event: PickupEvent) => void = () => undefined, signal?: AbortSignal, options: { outsideExchange?: boolean } = {}): Promise<OpenResult> {
    const compartment = this.#store.compartment(slot);
    if (compartment === undefined) return { kind: 'unknownSlot' };
    if (this.#opening.has(slot)) return { kind: 'busy' };
    if (!this.#ready()) return { kind: 'deviceNotReady' };
    const item = this.#store.activeItemIn(slot);
    const outcome = await this.#cycle('open', compartment, { itemId: item?.id ?? null, reference: item?.reference ?? null }, onEvent, signal);
    if (options.outsideExchange === true && (outcome.kind === 'closed' || outcome.kind === 'canceled')) this.#manipulated(slot, 'openedOutsideExchange');
    switch (outcome.kind) {
      case 'offline':
        return { kind: 'deviceNotReady' };
      case 'lockFailed':
        return { kind: 'lockFailed', slot };
      case 'canceled':
        return { kind: 'canceled', slot };
      case 'closed':
        // A technician took a waiting item out: the record must not promise it any longer.
        if (item !== undefined && item.state === 'waiting' && outcome.presence === 'empty') this.#needsCheck(item, 'emptyAfterOpen');
        return { kind: 'closed', slot, presence: outcome.presence };
      default: {
        const unreachable: never = outcome;
        return unreachable;
      }
    }
  }

  /** A technician repaired a lock. */
  clearFault(slot: string): boolean {
    if (this.#store.compartment(slot) === undefined) return false;
    this.#store.transaction(() => {
      this.#store.setFault(slot, false);
      this.#record('staffAction', { action: 'cabinetFaultCleared', slot });
    });
    return true;
  }

  /** Compartments touched outside a storage exchange (XFS4IoT `manipulated`): staff end an exchange on them to check them. */
  manipulatedSlots(): Set<string> {
    return new Set(
      this.#store
        .compartments()
        .filter((c) => c.inLayout && c.manipulated)
        .map((c) => c.slot),
    );
  }

  /** The compartment an active item is in (a storage exchange must cover it before staff recover it). */
  slotOfItem(itemId: string): string | undefined {
    return this.#store.item(itemId)?.slot;
  }

  /**
   * The test at the end of a storage exchange on compartments: each door must read closed and each
   * presence sensor agree with the record (an item waits ↔ present; 8A/80 boards read `unknown`
   * and pass). A compartment that passes is no longer `manipulated`; one that fails stays so.
   */
  async checkCompartments(slots: readonly string[]): Promise<CompartmentCheck[]> {
    const checks: CompartmentCheck[] = [];
    for (const slot of slots) {
      const compartment = this.#store.compartment(slot);
      if (compartment === undefined) continue;
      const read = await this.#driver.read(compartment);
      if (read.kind === 'offline') {
        checks.push({ slot, result: 'offline' });
        continue;
      }
      const { door, presence } = read.reading;
      const expected = this.#store.activeItemIn(slot) === undefined ? 'empty' : 'present';
      const result = door === 'open' ? 'doorOpen' : presence !== 'unknown' && presence !== expected ? 'presenceMismatch' : 'ok';
      if (result === 'ok' && compartment.manipulated) {
        this.#store.transaction(() => {
          this.#store.setManipulated(slot, false);
          this.#record('staffAction', { action: 'cabinetChecked', slot });
        });
      }
      checks.push({ slot, result });
    }
    return checks;
  }

  /** Compartments as storage units (for Storage.Status). */
  compartments(): CompartmentView[] {
    return this.#store
      .compartments()
      .filter((c) => c.inLayout)
      .map((c) => ({
        slot: c.slot,
        size: c.size,
        state: c.fault ? 'fault' : this.#opening.has(c.slot) ? 'open' : this.#store.activeItemIn(c.slot) !== undefined ? 'occupied' : 'free',
      }));
  }

  // -------------------------------------------------------------------------------------------
  // Collect and recover share one path
  // -------------------------------------------------------------------------------------------

  async #take(
    flow: 'collect' | 'recover',
    itemId: string,
    onEvent: (event: PickupEvent) => void,
    options: { signal?: AbortSignal; confirmRemoval?: () => Promise<boolean> },
  ): Promise<TakeResult> {
    const item = this.#store.item(itemId);
    if (item === undefined || (item.state !== 'waiting' && !(flow === 'recover' && item.state === 'check'))) return { kind: 'notFound' };
    const compartment = this.#store.compartment(item.slot);
    if (compartment === undefined) return { kind: 'notFound' };
    if (this.#opening.has(item.slot)) return { kind: 'busy' };
    if (!this.#ready()) return { kind: 'deviceNotReady' };
    const during = flow === 'collect' ? 'collecting' : 'recovering';
    // Written before the unlock: after a crash, reconcile knows this door was opened for it.
    if (!this.#store.transition(itemId, [item.state], during, this.#clock.now())) return { kind: 'busy' };
    const outcome = await this.#cycle(flow, compartment, { itemId, reference: item.reference }, onEvent, options.signal);
    switch (outcome.kind) {
      case 'offline':
      case 'lockFailed':
        this.#store.transition(itemId, [during], item.state, this.#clock.now());
        return outcome.kind === 'offline' ? { kind: 'deviceNotReady' } : { kind: 'lockFailed', slot: item.slot };
      case 'canceled':
        return { kind: 'canceled', slot: item.slot };
      case 'closed':
        break;
      default: {
        const unreachable: never = outcome;
        return unreachable;
      }
    }
    const taken = outcome.presence === 'empty' || (outcome.presence === 'unknown' && (await (options.confirmRemoval?.() ?? Promise.resolve(true))));
    if (!taken) {
      this.#store.transaction(() => {
        this.#store.transition(itemId, [during], item.state, this.#clock.now());
        this.#record('pickupFailed', { flow, itemId, slot: item.slot, reason: 'notRemoved' });
      });
      return { kind: 'notRemoved', slot: item.slot };
    }
    const done = flow === 'collect' ? 'collected' : 'recovered';
    this.#store.transaction(() => {
      this.#store.transition(itemId, [during], done, this.#clock.now());
      this.#record(flow === 'collect' ? 'pickupCollected' : 'pickupRecovered', { itemId, slot: item.slot, reference: item.reference, presence: outcome.presence });
    });
    this.#notifier?.notify({ kind: done, itemId, reference: item.reference });
    return { kind: 'done', slot: item.slot };
  }

  // -------------------------------------------------------------------------------------------
  // One door cycle: unlock, follow the readings until the door is closed
  // -------------------------------------------------------------------------------------------

  async #cycle(
    flow: Flow,
    compartment: LockAddress & { slot: string },
    details: { itemId: string | null; reference: string | null },
    onEvent: (event: PickupEvent) => void,
    signal: AbortSignal | undefined,
  ): Promise<CycleOutcome> {
    const { slot } = compartment;
    const address: LockAddress = { board: compartment.board, lock: compartment.lock };
    this.#opening.add(slot);
    // Readings are buffered from before the unlock (none may be missed), then handed to #follow.
    const feed: ReadingFeed = { queue: [], sink: undefined };
    const offReading = this.#driver.onReading((r) => {
      if (lockKey(r) !== lockKey(address)) return;
      if (feed.sink === undefined) feed.queue.push(r);
      else feed.sink(r);
    });
    const offWatch = this.#driver.watch(address);
    try {
      const unlocked = await this.#driver.unlock(address);
      if (unlocked.kind === 'offline') {
        this.#record('pickupFailed', { flow, slot, ...details, reason: 'deviceNotReady' });
        return { kind: 'offline' };
      }
      if (unlocked.kind === 'lockFailed') {
        this.#store.transaction(() => {
          this.#store.setFault(slot, true);
          this.#record('pickupFailed', { flow, slot, ...details, reason: 'lockFailed' });
        });
        this.#onWarning({ kind: 'lockFailed', slot });
        return { kind: 'lockFailed' };
      }
      this.#record('cabinetUnlocked', { flow, slot, ...details });
      onEvent({ kind: 'slotOpened', slot });
      const final = await this.#follow(openCycle(unlocked.reading, this.#clock.now()), feed, slot, onEvent, signal);
      if (final === undefined) return { kind: 'canceled' };
      this.#record('cabinetDoorClosed', { flow, slot, ...details, presence: final.presence });
      return { kind: 'closed', presence: final.presence };
    } finally {
      offWatch();
      offReading();
      this.#opening.delete(slot);
    }
  }

  /** Feeds readings and clock ticks into the door-cycle machine until the door is closed (or canceled). */
  #follow(
    start: DoorCycleState,
    feed: ReadingFeed,
    slot: string,
    onEvent: (event: PickupEvent) => void,
    signal: AbortSignal | undefined,
  ): Promise<DoorCycleState | undefined> {
    return new Promise((resolve) => {
      let state = start;
      let cancelTimer: () => void = () => undefined;
      const finish = (result: DoorCycleState | undefined): void => {
        cancelTimer();
        feed.sink = () => undefined;
        signal?.removeEventListener('abort', onAbort);
        resolve(result);
      };
      const onAbort = (): void => finish(undefined);
      const apply = (events: DoorCycleEvent[]): void => {
        for (const event of events) {
          switch (event) {
            case 'itemPlaced':
            case 'itemTaken':
            case 'doorClosed':
              onEvent({ kind: event, slot });
              break;
            case 'doorLeftOpen':
              onEvent({ kind: 'doorLeftOpen', slot, openMs: this.#clock.now() - state.openedAtMs });
              this.#record('pickupFailed', { slot, reason: 'doorLeftOpen' });
              this.#onWarning({ kind: 'doorLeftOpen', slot });
              break;
            default: {
              const unreachable: never = event;
              return unreachable;
            }
          }
        }
        if (state.phase === 'closed') finish(state);
      };
      const step = (reading: CompartmentReading): void => {
        const next = stepCycle(state, { kind: 'reading', door: reading.door, presence: reading.presence }, this.#doorOpenLimit());
        state = next.state;
        apply(next.events);
      };
      if (signal?.aborted === true) {
        finish(undefined);
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      cancelTimer = this.#scheduler.after(this.#doorOpenLimit(), () => {
        const next = stepCycle(state, { kind: 'tick', nowMs: this.#clock.now() }, this.#doorOpenLimit());
        state = next.state;
        apply(next.events);
      });
      // Readings that arrived between the unlock reply and now, then live ones.
      feed.sink = (reading) => {
        if (state.phase === 'open') step(reading);
      };
      for (const reading of feed.queue.splice(0)) feed.sink(reading);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Reconciliation
  // -------------------------------------------------------------------------------------------

  /**
   * Asks the board about every compartment that holds an item or was being opened, and settles
   * what a crash left undecided:
   * - depositing: door closed and empty → dropped (nothing recorded); with an item → check
   *   (its pickup code may never have reached the back office);
   * - collecting/recovering: empty → collected/recovered; item inside → waiting again;
   * - waiting but found empty → check (never promise what is not there);
   * - no presence sensor (8A/80): anything undecided → check;
   * - a door found open: a staff warning; settled at the next reconcile.
   */
  async reconcile(): Promise<ReconcileReport> {
    const report: ReconcileReport = { collected: 0, recovered: 0, restored: 0, dropped: 0, check: 0, doorsOpen: [], unreachable: 0 };
    for (const item of this.#store.itemsInState(['depositing', 'collecting', 'recovering', 'waiting'])) {
      if (this.#opening.has(item.slot)) continue; // a cycle in this process owns it
      const compartment = this.#store.compartment(item.slot);
      if (compartment === undefined) continue;
      const read = await this.#driver.read(compartment);
      if (read.kind === 'offline') {
        report.unreachable += 1;
        continue;
      }
      const { door, presence } = read.reading;
      if (door === 'open') {
        if (item.state !== 'waiting') {
          report.doorsOpen.push(item.slot);
          this.#onWarning({ kind: 'doorFoundOpen', slot: item.slot });
          this.#manipulated(item.slot, 'doorFoundOpen');
        }
        continue;
      }
      const now = this.#clock.now();
      const settle = (to: 'collected' | 'recovered' | 'waiting', counter: 'collected' | 'recovered' | 'restored'): void => {
        this.#store.transaction(() => {
          this.#store.transition(item.id, [item.state], to, now);
          this.#record('pickupReconciled', { itemId: item.id, slot: item.slot, from: item.state, to });
        });
        report[counter] += 1;
      };
      switch (item.state) {
        case 'depositing':
          if (presence === 'empty') {
            this.#store.transaction(() => {
              this.#store.dropDeposit(item.id);
              this.#record('pickupReconciled', { itemId: item.id, slot: item.slot, from: 'depositing', to: 'dropped' });
            });
            report.dropped += 1;
          } else {
            this.#needsCheck(item, 'depositInterrupted');
            report.check += 1;
          }
          break;
        case 'collecting':
        case 'recovering':
          if (presence === 'unknown') {
            this.#needsCheck(item, 'interrupted');
            report.check += 1;
          } else if (presence === 'present') settle('waiting', 'restored');
          else if (item.state === 'collecting') {
            settle('collected', 'collected');
            this.#notifier?.notify({ kind: 'collected', itemId: item.id, reference: item.reference });
          } else {
            settle('recovered', 'recovered');
            this.#notifier?.notify({ kind: 'recovered', itemId: item.id, reference: item.reference });
          }
          break;
        case 'waiting':
          if (presence === 'empty') {
            this.#needsCheck(item, 'missing');
            this.#manipulated(item.slot, 'itemMissing');
            report.check += 1;
          }
          break;
        case 'check':
        case 'collected':
        case 'recovered':
          break;
        default: {
          const unreachable: never = item.state;
          return unreachable;
        }
      }
    }
    // A compartment with no item on record that reads one inside: someone put something there
    // outside a deposit (or a deposit's record was dropped). Staff look; nothing is recorded.
    for (const c of this.#store.compartments()) {
      if (!c.inLayout || c.fault || this.#opening.has(c.slot) || this.#store.activeItemIn(c.slot) !== undefined) continue;
      const read = await this.#driver.read(c);
      if (read.kind === 'offline') continue;
      if (read.reading.presence === 'present') {
        this.#onWarning({ kind: 'itemUnexpected', slot: c.slot });
        this.#manipulated(c.slot, 'itemUnexpected');
      }
    }
    return report;
  }

  #needsCheck(item: ItemRow, reason: string): void {
    this.#store.transaction(() => {
      this.#store.transition(item.id, [item.state], 'check', this.#clock.now());
      this.#record('pickupReconciled', { itemId: item.id, slot: item.slot, from: item.state, to: 'check', reason });
    });
    this.#onWarning({ kind: 'needsCheck', slot: item.slot, itemId: item.id });
  }

  /** XFS4IoT `manipulated`: the compartment was touched outside a storage exchange (audited once). */
  #manipulated(slot: string, reason: string): void {
    if (this.#store.compartment(slot)?.manipulated !== false) return;
    this.#store.transaction(() => {
      this.#store.setManipulated(slot, true);
      this.#record('pickupReconciled', { slot, to: 'manipulated', reason });
    });
  }

  #ready(): boolean {
    const state = this.#driver.status().state;
    return state === 'online' || state === 'busy';
  }

  #record(kind: AuditKind, details: AuditDetails): void {
    this.#audit.append(kind, details);
  }
}

interface ReadingFeed {
  queue: CompartmentReading[];
  sink: ((reading: CompartmentReading) => void) | undefined;
}

function view(item: ItemRow): PickupItemView {
  return { itemId: item.id, reference: item.reference, title: item.title, slot: item.slot, depositedAtMs: item.depositedAt ?? item.createdAt };
}

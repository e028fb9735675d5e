import {
  BOOKING_CODE_LENGTH,
  PRINT_ERROR_CODES,
  receiptFromSlip,
  type BookingView,
  type CommandName,
  type CommandPayload,
  type CompletionPayload,
  type PrintErrorCode,
  type SlipDocument,
} from '@onevisit/device-agent/protocol';
import type { CommandResult } from '../agent/client.ts';
import type { Kiosk } from './kiosk.svelte.ts';
import { bookingProblemOf, calendarRange, dateOfInstant, normalizeCode, shanghaiDateOf, type BookingProblem } from './booking-calendar.ts';

/**
 * The booking journey (预约办理, issue 6): service → day → time → confirm with the ID card →
 * slip; and "my appointments": find by card or code → reschedule, cancel, check in, reprint.
 * Every rule is the agent's: the screens only show what it answers and say what to do when it refuses.
 *
 * Lives as long as the session: the kiosk's session end (finish, idle, card lifted, connection lost)
 * resets it, so nothing of a citizen's booking outlives them.
 */

export type BookingServiceInfo = CompletionPayload<'Booking.ListServices'>['services'][number];
export type BookingDayInfo = CompletionPayload<'Booking.ListSlots'>['days'][number];
export type BookingSlotInfo = CompletionPayload<'Booking.ListSlots'>['slots'][number];

export const BOOKING_STEPS = ['services', 'calendar', 'times', 'confirm', 'slip', 'find', 'list'] as const;
export type BookingStep = (typeof BOOKING_STEPS)[number];

/** `new`: a fresh booking; `reschedule`: moving `moving` to another slot. */
export type BookingMode = 'new' | 'reschedule';

export type PrintFailure = PrintErrorCode | 'unavailable';
export type PrintState =
  | { kind: 'idle' }
  | { kind: 'printing'; code: string }
  | { kind: 'printed'; code: string }
  | { kind: 'failed'; code: string; error: PrintFailure };

/** What happened last on the list screen, said in a status line. */
export type ListNotice = { kind: 'cancelled' } | { kind: 'checkedIn'; window: BookingView['window'] };

/** What the booking flow needs from the kiosk; the tests of the flow can fake it. */
export interface BookingHost {
  send<N extends CommandName>(name: N, payload: CommandPayload<N>): Promise<CommandResult<N>>;
  hasIdentity(): boolean;
  /** Reads the ID card (the identify screen), then `then`; `back` when the citizen gives up. */
  identify(then: () => void, back: () => void): void;
  /** Shows the booking screens. */
  show(): void;
  home(): void;
  finish(): void;
  onSessionEnd(listener: () => void): void;
}

function isPrintErrorCode(code: string | undefined): code is PrintErrorCode {
  return code !== undefined && (PRINT_ERROR_CODES as readonly string[]).includes(code);
}

export class BookingFlow {
  step = $state<BookingStep>('services');
  mode = $state<BookingMode>('new');
  services = $state.raw<readonly BookingServiceInfo[]>([]);
  serviceId = $state<string | undefined>(undefined);
  /** The agent's date today (its clock, not the browser's). */
  today = $state<string | undefined>(undefined);
  days = $state.raw<readonly BookingDayInfo[]>([]);
  slots = $state.raw<readonly BookingSlotInfo[]>([]);
  holidayDataWarning = $state(false);
  date = $state<string | undefined>(undefined);
  start = $state<string | undefined>(undefined);
  /** Something is being fetched for the current step. */
  loading = $state(false);
  /** A change (reserve, reschedule, cancel, check-in, find) is in flight: its buttons wait. */
  busy = $state(false);
  problem = $state.raw<BookingProblem | undefined>(undefined);
  /** The booking just made or moved, with its slip. */
  outcome = $state.raw<{ booking: BookingView; slip: SlipDocument } | undefined>(undefined);
  print = $state.raw<PrintState>({ kind: 'idle' });
  found = $state.raw<readonly BookingView[]>([]);
  /** The booking being rescheduled. */
  moving = $state.raw<BookingView | undefined>(undefined);
  /** The code typed on the keypad (alphabet characters only). */
  code = $state('');
  notice = $state.raw<ListNotice | undefined>(undefined);
  /** The code of the booking whose cancellation waits for "yes". */
  confirmingCancel = $state<string | undefined>(undefined);

  readonly #host: BookingHost;
  /** Bumped on every reset: an answer that arrives for an older flow is dropped. */
  #generation = 0;

  constructor(host: BookingHost) {
    this.#host = host;
    host.onSessionEnd(() => this.reset());
  }

  get service(): BookingServiceInfo | undefined {
    return this.services.find((s) => s.id === this.serviceId);
  }

  get slot(): BookingSlotInfo | undefined {
    return this.slots.find((s) => s.start === this.start);
  }

  get daySlots(): readonly BookingSlotInfo[] {
    const date = this.date;
    return date === undefined ? [] : this.slots.filter((s) => dateOfInstant(s.start) === date);
  }

  get day(): BookingDayInfo | undefined {
    return this.days.find((d) => d.date === this.date);
  }

  /** Forgets everything of this citizen's booking. */
  reset(): void {
    this.#generation += 1;
    this.step = 'services';
    this.mode = 'new';
    this.serviceId = undefined;
    this.days = [];
    this.slots = [];
    this.holidayDataWarning = false;
    this.date = undefined;
    this.start = undefined;
    this.loading = false;
    this.busy = false;
    this.problem = undefined;
    this.outcome = undefined;
    this.print = { kind: 'idle' };
    this.found = [];
    this.moving = undefined;
    this.code = '';
    this.notice = undefined;
    this.confirmingCancel = undefined;
  }

  // ------------------------------------------------------------------ navigation

  /** On the service list: fetches the services once per session. */
  ensureServices(): void {
    if (this.services.length === 0 && !this.loading) void this.#loadServices();
  }

  home(): void {
    this.reset();
    this.#host.home();
  }

  finish(): void {
    this.reset();
    this.#host.finish();
  }

  /** The "back" button of each step. */
  back(): void {
    this.problem = undefined;
    switch (this.step) {
      case 'services':
        this.home();
        break;
      case 'calendar':
        if (this.mode === 'reschedule') this.step = 'list';
        else this.step = 'services';
        break;
      case 'times':
        this.step = 'calendar';
        break;
      case 'confirm':
        this.step = 'times';
        break;
      case 'find':
        this.step = 'services';
        break;
      case 'list':
        this.notice = undefined;
        this.confirmingCancel = undefined;
        this.step = 'find';
        break;
      case 'slip':
        this.finish();
        break;
      default: {
        const unreachable: never = this.step;
        return unreachable;
      }
    }
  }

  chooseService(serviceId: string): void {
    this.mode = 'new';
    this.moving = undefined;
    this.serviceId = serviceId;
    this.date = undefined;
    this.start = undefined;
    this.problem = undefined;
    this.step = 'calendar';
    void this.loadCalendar();
  }

  chooseDay(date: string): void {
    this.date = date;
    this.start = undefined;
    this.problem = undefined;
    this.step = 'times';
  }

  chooseTime(start: string): void {
    this.start = start;
    this.problem = undefined;
    this.step = 'confirm';
  }

  /** From the list: book something new. */
  toServices(): void {
    this.problem = undefined;
    this.notice = undefined;
    this.mode = 'new';
    this.moving = undefined;
    this.step = 'services';
  }

  /** "My appointments". */
  openFind(): void {
    this.problem = undefined;
    this.notice = undefined;
    this.step = 'find';
  }

  // ------------------------------------------------------------------ loading

  async #loadServices(): Promise<void> {
    const generation = this.#generation;
    this.loading = true;
    const result = await this.#host.send('Booking.ListServices', {});
    if (generation !== this.#generation) return;
    this.loading = false;
    if (result.ok) this.services = result.payload.services;
    else this.problem = bookingProblemOf(result.errorCode, result.errorDescription);
  }

  /** The days of the booking window, in whole weeks from today's, with their slots. */
  async loadCalendar(): Promise<void> {
    const serviceId = this.serviceId;
    if (serviceId === undefined) return;
    const generation = this.#generation;
    this.loading = true;
    this.problem = undefined;
    const [status, window] = await Promise.all([this.#host.send('Common.Status', {}), this.#host.send('Booking.CalendarStatus', {})]);
    if (generation !== this.#generation) return;
    if (!window.ok) {
      this.loading = false;
      this.problem = bookingProblemOf(window.errorCode, window.errorDescription);
      return;
    }
    const today = (status.ok ? shanghaiDateOf(status.payload.agent.time) : undefined) ?? window.payload.earliest;
    this.today = today;
    this.holidayDataWarning = window.payload.holidayData.warning;
    const range = calendarRange(today, window.payload.latest);
    const slots = await this.#host.send('Booking.ListSlots', { serviceId, from: range.from, to: range.to });
    if (generation !== this.#generation) return;
    this.loading = false;
    if (!slots.ok) {
      this.problem = bookingProblemOf(slots.errorCode, slots.errorDescription);
      return;
    }
    this.days = slots.payload.days;
    this.slots = slots.payload.slots;
  }

  // ------------------------------------------------------------------ booking

  /** The confirm button: reads the card first when the session has none, then books or moves. */
  confirm(): void {
    if (this.busy) return;
    this.problem = undefined;
    if (this.mode === 'reschedule') {
      void this.#reschedule();
      return;
    }
    if (!this.#host.hasIdentity()) {
      this.readCardThen(() => void this.#reserve());
      return;
    }
    void this.#reserve();
  }

  /** Goes to the identify screen; comes back to this step, then runs `next`. */
  readCardThen(next: () => void): void {
    const generation = this.#generation;
    this.#host.identify(
      () => {
        this.#host.show();
        if (generation === this.#generation) next();
      },
      () => this.#host.show(),
    );
  }

  async #reserve(): Promise<void> {
    const serviceId = this.serviceId;
    const start = this.start;
    if (serviceId === undefined || start === undefined) return;
    const generation = this.#generation;
    this.busy = true;
    const result = await this.#host.send('Booking.Reserve', { serviceId, start });
    if (generation !== this.#generation) return;
    this.busy = false;
    if (result.ok) {
      this.outcome = { booking: result.payload.booking, slip: result.payload.slip };
      this.print = { kind: 'idle' };
      this.step = 'slip';
      return;
    }
    this.problem = bookingProblemOf(result.errorCode, result.errorDescription);
    // The seats may have changed: what the times screen shows must be current when the citizen goes back.
    if (this.problem.code === 'slotFull' || this.problem.code === 'tooSoon') void this.#refreshSlots();
  }

  async #reschedule(): Promise<void> {
    const moving = this.moving;
    const start = this.start;
    if (moving === undefined || start === undefined) return;
    const generation = this.#generation;
    this.busy = true;
    const result = await this.#host.send('Booking.Reschedule', { code: moving.code, start });
    if (generation !== this.#generation) return;
    this.busy = false;
    if (result.ok) {
      this.outcome = { booking: result.payload.booking, slip: result.payload.slip };
      this.found = this.found.map((b) => (b.code === result.payload.booking.code ? result.payload.booking : b));
      this.print = { kind: 'idle' };
      this.step = 'slip';
      return;
    }
    this.problem = bookingProblemOf(result.errorCode, result.errorDescription);
    if (this.problem.code === 'slotFull' || this.problem.code === 'tooSoon') void this.#refreshSlots();
  }

  async #refreshSlots(): Promise<void> {
    const serviceId = this.serviceId;
    const first = this.days[0];
    const last = this.days.at(-1);
    if (serviceId === undefined || first === undefined || last === undefined) return;
    const generation = this.#generation;
    const result = await this.#host.send('Booking.ListSlots', { serviceId, from: first.date, to: last.date });
    if (generation !== this.#generation || !result.ok) return;
    this.days = result.payload.days;
    this.slots = result.payload.slots;
  }

  /** After a refusal on the confirm screen: back to the times (or days) with current seats. */
  chooseAnotherTime(): void {
    this.problem = undefined;
    this.start = undefined;
    this.step = this.daySlots.some((s) => s.remaining > 0) ? 'times' : 'calendar';
  }

  // ------------------------------------------------------------------ printing

  /** Prints the slip of the booking just made (or `code`'s, from the list). */
  async printSlip(code?: string): Promise<void> {
    if (this.print.kind === 'printing') return;
    const generation = this.#generation;
    let slip: SlipDocument | undefined;
    const target = code ?? this.outcome?.booking.code;
    if (target === undefined) return;
    this.print = { kind: 'printing', code: target };
    if (code === undefined || this.outcome?.booking.code === code) {
      slip = this.outcome?.slip;
    }
    if (slip === undefined) {
      const fetched = await this.#host.send('Booking.Slip', { code: target });
      if (generation !== this.#generation) return;
      if (!fetched.ok) {
        this.print = { kind: 'idle' };
        this.problem = bookingProblemOf(fetched.errorCode, fetched.errorDescription);
        return;
      }
      slip = fetched.payload.slip;
    }
    const result = await this.#host.send('ReceiptPrinter.Print', { receipt: receiptFromSlip(slip) });
    if (generation !== this.#generation) return;
    this.print = result.ok
      ? { kind: 'printed', code: target }
      : { kind: 'failed', code: target, error: isPrintErrorCode(result.errorCode) ? result.errorCode : 'unavailable' };
  }

  // ------------------------------------------------------------------ my appointments

  typeKey(key: string): void {
    if (this.code.length >= BOOKING_CODE_LENGTH) return;
    this.code = normalizeCode(this.code + key);
    this.problem = undefined;
  }

  deleteKey(): void {
    this.code = this.code.slice(0, -1);
    this.problem = undefined;
  }

  clearCode(): void {
    this.code = '';
    this.problem = undefined;
  }

  get codeComplete(): boolean {
    return this.code.length === BOOKING_CODE_LENGTH;
  }

  /** By the card: reads it first when the session has none. */
  findMine(): void {
    if (this.busy) return;
    this.problem = undefined;
    if (!this.#host.hasIdentity()) {
      this.readCardThen(() => void this.#find(undefined));
      return;
    }
    void this.#find(undefined);
  }

  findByCode(): void {
    if (this.busy || !this.codeComplete) return;
    void this.#find(this.code);
  }

  async #find(code: string | undefined): Promise<void> {
    const generation = this.#generation;
    this.busy = true;
    this.problem = undefined;
    this.notice = undefined;
    const result = await this.#host.send('Booking.Find', code === undefined ? {} : { code });
    if (generation !== this.#generation) return;
    this.busy = false;
    if (!result.ok) {
      this.problem = bookingProblemOf(result.errorCode, result.errorDescription);
      return;
    }
    this.found = result.payload.bookings;
    this.print = { kind: 'idle' };
    this.step = 'list';
    // The list needs the services (names, windows, what to bring) for a reschedule.
    if (this.services.length === 0) void this.#loadServices();
    if (this.today === undefined) void this.#loadToday();
  }

  async #loadToday(): Promise<void> {
    const generation = this.#generation;
    const status = await this.#host.send('Common.Status', {});
    if (generation !== this.#generation || !status.ok) return;
    this.today = shanghaiDateOf(status.payload.agent.time);
  }

  askCancel(code: string): void {
    this.problem = undefined;
    this.notice = undefined;
    this.confirmingCancel = code;
  }

  keepBooking(): void {
    this.confirmingCancel = undefined;
  }

  async cancelConfirmed(): Promise<void> {
    const code = this.confirmingCancel;
    if (code === undefined || this.busy) return;
    const generation = this.#generation;
    this.busy = true;
    const result = await this.#host.send('Booking.Cancel', { code });
    if (generation !== this.#generation) return;
    this.busy = false;
    this.confirmingCancel = undefined;
    if (!result.ok) {
      this.problem = bookingProblemOf(result.errorCode, result.errorDescription);
      return;
    }
    this.found = this.found.map((b) => (b.code === code ? result.payload.booking : b));
    this.notice = { kind: 'cancelled' };
  }

  async checkIn(code: string): Promise<void> {
    if (this.busy) return;
    const generation = this.#generation;
    this.busy = true;
    this.problem = undefined;
    this.notice = undefined;
    const result = await this.#host.send('Booking.CheckIn', { code });
    if (generation !== this.#generation) return;
    this.busy = false;
    if (!result.ok) {
      this.problem = bookingProblemOf(result.errorCode, result.errorDescription);
      return;
    }
    this.found = this.found.map((b) => (b.code === code ? result.payload.booking : b));
    this.notice = { kind: 'checkedIn', window: result.payload.booking.window };
  }

  /** Starts moving a booking: its service's calendar, then times, then "confirm new time". */
  reschedule(booking: BookingView): void {
    this.problem = undefined;
    this.notice = undefined;
    this.mode = 'reschedule';
    this.moving = booking;
    this.serviceId = booking.serviceId;
    this.date = undefined;
    this.start = undefined;
    this.step = 'calendar';
    void this.loadCalendar();
  }
}

const flows = new WeakMap<Kiosk, BookingFlow>();

/** The kiosk's booking flow, created on first use and kept (reset at each session end). */
export function bookingFlowOf(kiosk: Kiosk): BookingFlow {
  let flow = flows.get(kiosk);
  if (!flow) {
    flow = new BookingFlow({
      send: (name, payload) => kiosk.client.send(name, payload).result,
      hasIdentity: () => kiosk.session.identity !== undefined,
      identify: (then, back) => kiosk.identify({ then, back }),
      show: () => kiosk.showBooking(),
      home: () => kiosk.home(),
      finish: () => kiosk.finish(),
      onSessionEnd: (listener) => kiosk.onSessionEnd(listener),
    });
    flows.set(kiosk, flow);
  }
  return flow;
}

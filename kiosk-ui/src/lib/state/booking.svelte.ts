import { PRINT_ERROR_CODES, slipRef, type BookingView, type PrintErrorCode, type SlipDocument } from '@onevisit/protocol';
import type { CommandResult } from '../agent/client.ts';
import type { Kiosk } from './kiosk.svelte.ts';
import { bookingProblemOf, type BookingProblem } from './booking-calendar.ts';
import { Appointments } from './booking/appointments.svelte.ts';
import { SlotCalendar, type BookingSend, type BookingServiceInfo, type BookingSlotInfo } from './booking/slot-calendar.svelte.ts';
import { PrintJob } from './print-job.svelte.ts';
import { QueueTicketDesk } from './booking/queue-ticket.svelte.ts';
import { RatingOffer } from './rating/rating-offer.svelte.ts';

export type { BookingDayInfo, BookingServiceInfo, BookingSlotInfo } from './booking/slot-calendar.svelte.ts';
export type { ListNotice } from './booking/appointments.svelte.ts';
export type { QueueTicketInfo } from './booking/queue-ticket.svelte.ts';

/**
 * The booking journey (预约办理, issue 6): service → day → time → confirm with the ID card →
 * slip; and "my appointments": find by card or code → reschedule, cancel, check in, reprint.
 * Every rule is the agent's: the screens only show what it answers and say what to do when it refuses.
 *
 * The step carries what its screen needs (the service and, when moving a booking, which one; the
 * day; the time; the booking made), so e.g. a confirm step without a time cannot exist.
 * Lives as long as the session: the kiosk's session end (finish, idle, card lifted, connection lost)
 * resets it, so nothing of a citizen's booking outlives them.
 */

/** `new`: a fresh booking; `reschedule`: moving `moving` to another slot. */
export type BookingMode = 'new' | 'reschedule';

/** What is being booked: a service, and for a reschedule the booking that moves. */
export type BookingPlan =
  | { readonly mode: 'new'; readonly serviceId: string }
  | { readonly mode: 'reschedule'; readonly serviceId: string; readonly moving: BookingView };

export type BookingStep =
  | { readonly name: 'services' }
  | { readonly name: 'calendar'; readonly plan: BookingPlan }
  | { readonly name: 'times'; readonly plan: BookingPlan; readonly date: string }
  | { readonly name: 'confirm'; readonly plan: BookingPlan; readonly date: string; readonly start: string }
  /** The booking just made or moved, with its slip. */
  | { readonly name: 'slip'; readonly mode: BookingMode; readonly booking: BookingView; readonly slip: SlipDocument }
  | { readonly name: 'find' }
  | { readonly name: 'list' }
  /** A walk-in queue ticket (排队号) without a booking: choose the service, take the number. */
  | { readonly name: 'walkIn' };

export type BookingStepName = BookingStep['name'];

export type PrintFailure = PrintErrorCode | 'unavailable';

/** What the booking flow needs from the kiosk; the tests of the flow can fake it. */
export interface BookingHost {
  send: BookingSend;
  hasIdentity(): boolean;
  /** Reads the ID card (the identify screen), then `then`; `back` when the citizen gives up. */
  identify(then: () => void, back: () => void): void;
  /** Shows the booking screens. */
  show(): void;
  home(): void;
  finish(): void;
  onSessionEnd(listener: () => void): void;
}

function printFailureOf(_completionCode: string, errorCode: string | undefined): PrintFailure {
  return errorCode !== undefined && (PRINT_ERROR_CODES as readonly string[]).includes(errorCode) ? (errorCode as PrintErrorCode) : 'unavailable';
}

export class BookingFlow {
  step = $state.raw<BookingStep>({ name: 'services' });
  services = $state.raw<readonly BookingServiceInfo[]>([]);
  /** Something is being fetched for the current step. */
  loading = $state(false);
  /** A change (reserve, reschedule, cancel, check-in, find) is in flight: its buttons wait. */
  busy = $state(false);
  problem = $state.raw<BookingProblem | undefined>(undefined);
  readonly calendar: SlotCalendar;
  readonly appointments = new Appointments();
  /** The slip being printed: of the booking just made, or of `printCode`'s from the list. */
  readonly print = new PrintJob<PrintFailure>(printFailureOf);
  printCode = $state<string | undefined>(undefined);
  /** The queue ticket of a check-in or a walk-in (issue 14), shown and printed. */
  readonly queue: QueueTicketDesk;
  /**
   * 好差评 (issue 15) offered on the slip, about the service booked. Without a reference: the
   * booking code finds the person's booking, so it stays out of the rating.
   */
  readonly rating: RatingOffer;

  readonly #host: BookingHost;
  /** Bumped on every reset: an answer that arrives for an older flow is dropped. */
  #generation = 0;

  constructor(host: BookingHost) {
    this.#host = host;
    this.calendar = new SlotCalendar(host.send);
    this.queue = new QueueTicketDesk(host.send);
    this.rating = new RatingOffer({ send: host.send, newId: () => crypto.randomUUID() });
    host.onSessionEnd(() => this.reset());
  }

  // ------------------------------------------------------------------ what the step holds

  get plan(): BookingPlan | undefined {
    const step = this.step;
    return step.name === 'calendar' || step.name === 'times' || step.name === 'confirm' ? step.plan : undefined;
  }

  get mode(): BookingMode {
    return this.step.name === 'slip' ? this.step.mode : (this.plan?.mode ?? 'new');
  }

  /** The booking being rescheduled. */
  get moving(): BookingView | undefined {
    const plan = this.plan;
    return plan?.mode === 'reschedule' ? plan.moving : undefined;
  }

  get service(): BookingServiceInfo | undefined {
    const serviceId = this.plan?.serviceId;
    return this.services.find((s) => s.id === serviceId);
  }

  get date(): string | undefined {
    return this.step.name === 'times' || this.step.name === 'confirm' ? this.step.date : undefined;
  }

  get slot(): BookingSlotInfo | undefined {
    return this.step.name === 'confirm' ? this.calendar.slot(this.step.start) : undefined;
  }

  /** Forgets everything of this citizen's booking. */
  reset(): void {
    this.#generation += 1;
    this.step = { name: 'services' };
    this.calendar.clear();
    this.appointments.reset();
    this.loading = false;
    this.busy = false;
    this.problem = undefined;
    this.print.reset();
    this.printCode = undefined;
    this.queue.reset();
    this.rating.reset();
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
    const step = this.step;
    switch (step.name) {
      case 'services':
        this.home();
        break;
      case 'calendar':
        this.step = step.plan.mode === 'reschedule' ? { name: 'list' } : { name: 'services' };
        break;
      case 'times':
        this.step = { name: 'calendar', plan: step.plan };
        break;
      case 'confirm':
        this.step = { name: 'times', plan: step.plan, date: step.date };
        break;
      case 'find':
        this.step = { name: 'services' };
        break;
      case 'list':
        this.appointments.notice = undefined;
        this.appointments.confirmingCancel = undefined;
        this.queue.reset();
        this.step = { name: 'find' };
        break;
      case 'walkIn':
        this.queue.reset();
        this.step = { name: 'find' };
        break;
      case 'slip':
        this.finish();
        break;
      default: {
        const unreachable: never = step;
        return unreachable;
      }
    }
  }

  chooseService(serviceId: string): void {
    this.problem = undefined;
    this.#toCalendar({ mode: 'new', serviceId });
  }

  chooseDay(date: string): void {
    const plan = this.plan;
    if (plan === undefined) return;
    this.problem = undefined;
    this.step = { name: 'times', plan, date };
  }

  chooseTime(start: string): void {
    const step = this.step;
    if (step.name !== 'times') return;
    this.problem = undefined;
    this.step = { name: 'confirm', plan: step.plan, date: step.date, start };
  }

  /** From the list: book something new. */
  toServices(): void {
    this.problem = undefined;
    this.appointments.notice = undefined;
    this.step = { name: 'services' };
  }

  /** "My appointments". */
  openFind(): void {
    this.problem = undefined;
    this.appointments.notice = undefined;
    this.step = { name: 'find' };
  }

  #toCalendar(plan: BookingPlan): void {
    this.step = { name: 'calendar', plan };
    void this.loadCalendar();
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

  /** The calendar of the planned service (again, after a failure). */
  async loadCalendar(): Promise<void> {
    const serviceId = this.plan?.serviceId;
    if (serviceId === undefined) return;
    const generation = this.#generation;
    this.loading = true;
    this.problem = undefined;
    const problem = await this.calendar.load(serviceId);
    if (generation !== this.#generation) return;
    this.loading = false;
    this.problem = problem;
  }

  // ------------------------------------------------------------------ booking

  /** The confirm button: reads the card first when the session has none, then books or moves. */
  confirm(): void {
    const step = this.step;
    if (this.busy || step.name !== 'confirm') return;
    this.problem = undefined;
    if (step.plan.mode === 'reschedule') {
      const code = step.plan.moving.code;
      void this.#change('reschedule', () => this.#host.send('Booking.Reschedule', { code, start: step.start }));
      return;
    }
    const reserve = (): void => void this.#change('new', () => this.#host.send('Booking.Reserve', { serviceId: step.plan.serviceId, start: step.start }));
    if (!this.#host.hasIdentity()) this.readCardThen(reserve);
    else reserve();
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

  /** Booking.Reserve or Booking.Reschedule: the slip on success; on a refusal the seats are fetched again. */
  async #change(mode: BookingMode, send: () => Promise<CommandResult<'Booking.Reserve'> | CommandResult<'Booking.Reschedule'>>): Promise<void> {
    const plan = this.plan;
    if (plan === undefined) return;
    const generation = this.#generation;
    this.busy = true;
    const result = await send();
    if (generation !== this.#generation) return;
    this.busy = false;
    if (result.ok) {
      const { booking, slip } = result.payload;
      if (mode === 'reschedule') this.appointments.replace(booking);
      this.print.reset();
      this.printCode = undefined;
      this.step = { name: 'slip', mode, booking, slip };
      this.rating.offer('booking', undefined, { 'zh-CN': booking.serviceName, en: booking.serviceNameEn });
      return;
    }
    this.problem = bookingProblemOf(result.errorCode, result.errorDescription);
    // The seats may have changed: what the times screen shows must be current when the citizen goes back.
    if (this.problem.code === 'slotFull' || this.problem.code === 'tooSoon') void this.calendar.refresh(plan.serviceId);
  }

  /** After a refusal on the confirm screen: back to the times (or days) with current seats. */
  chooseAnotherTime(): void {
    const step = this.step;
    if (step.name !== 'confirm') return;
    this.problem = undefined;
    const free = this.calendar.daySlots(step.date).some((s) => s.remaining > 0);
    this.step = free ? { name: 'times', plan: step.plan, date: step.date } : { name: 'calendar', plan: step.plan };
  }

  // ------------------------------------------------------------------ printing

  /** Prints the slip of the booking just made (or `code`'s, from the list). */
  async printSlip(code?: string): Promise<void> {
    const step = this.step;
    const made = step.name === 'slip' ? step : undefined;
    const target = code ?? made?.booking.code;
    if (target === undefined || this.print.printing) return;
    const generation = this.#generation;
    this.printCode = target;
    await this.print.run(async () => {
      let slip = made !== undefined && made.booking.code === target ? made.slip : undefined;
      if (slip === undefined) {
        const fetched = await this.#host.send('Booking.Slip', { code: target });
        if (!fetched.ok) {
          if (generation === this.#generation) this.problem = bookingProblemOf(fetched.errorCode, fetched.errorDescription);
          return undefined;
        }
        slip = fetched.payload.slip;
      }
      // The agent prints only the slip it gave this session (issue 11): the page names it, never lays it out.
      return this.#host.send('ReceiptPrinter.Print', { document: slipRef(slip) });
    });
  }

  // ------------------------------------------------------------------ my appointments

  typeKey(key: string): void {
    this.appointments.typeKey(key);
    this.problem = undefined;
  }

  deleteKey(): void {
    this.appointments.deleteKey();
    this.problem = undefined;
  }

  clearCode(): void {
    this.appointments.clearCode();
    this.problem = undefined;
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
    if (this.busy || !this.appointments.codeComplete) return;
    void this.#find(this.appointments.code);
  }

  async #find(code: string | undefined): Promise<void> {
    const generation = this.#generation;
    this.busy = true;
    this.problem = undefined;
    this.appointments.notice = undefined;
    const result = await this.#host.send('Booking.Find', code === undefined ? {} : { code });
    if (generation !== this.#generation) return;
    this.busy = false;
    if (!result.ok) {
      this.problem = bookingProblemOf(result.errorCode, result.errorDescription);
      return;
    }
    this.appointments.found = result.payload.bookings;
    this.print.reset();
    this.printCode = undefined;
    this.step = { name: 'list' };
    // The list needs the services (names, windows, what to bring) for a reschedule.
    if (this.services.length === 0) void this.#loadServices();
    void this.calendar.loadToday();
  }

  /**
   * "Cancel": only the person who booked may (the agent checks the card of this session against
   * the booking), so a list found by its code alone reads the card first.
   */
  askCancel(code: string): void {
    this.problem = undefined;
    this.appointments.notice = undefined;
    if (!this.#host.hasIdentity()) {
      this.readCardThen(() => (this.appointments.confirmingCancel = code));
      return;
    }
    this.appointments.confirmingCancel = code;
  }

  keepBooking(): void {
    this.appointments.confirmingCancel = undefined;
  }

  async cancelConfirmed(): Promise<void> {
    const code = this.appointments.confirmingCancel;
    if (code === undefined || this.busy) return;
    const generation = this.#generation;
    this.busy = true;
    const result = await this.#host.send('Booking.Cancel', { code });
    if (generation !== this.#generation) return;
    this.busy = false;
    this.appointments.confirmingCancel = undefined;
    if (!result.ok) {
      this.problem = bookingProblemOf(result.errorCode, result.errorDescription);
      return;
    }
    this.appointments.replace(result.payload.booking);
    this.appointments.notice = { kind: 'cancelled' };
  }

  async checkIn(code: string): Promise<void> {
    if (this.busy) return;
    const generation = this.#generation;
    this.busy = true;
    this.problem = undefined;
    this.appointments.notice = undefined;
    const result = await this.#host.send('Booking.CheckIn', { code });
    if (generation !== this.#generation) return;
    this.busy = false;
    if (!result.ok) {
      this.problem = bookingProblemOf(result.errorCode, result.errorDescription);
      return;
    }
    this.appointments.replace(result.payload.booking);
    this.appointments.notice = { kind: 'checkedIn', window: result.payload.booking.window };
    this.queue.issued(result.payload.ticket);
  }

  /** "No booking? Take a number": the walk-in ticket screen (no ID card needed). */
  openWalkIn(): void {
    this.problem = undefined;
    this.queue.reset();
    this.step = { name: 'walkIn' };
    this.ensureServices();
  }

  /**
   * Starts moving a booking: its service's calendar, then times, then "confirm new time". Like
   * cancelling, only for the card of the person who booked: read first when the session has none.
   */
  reschedule(booking: BookingView): void {
    this.problem = undefined;
    this.appointments.notice = undefined;
    const start = (): void => this.#toCalendar({ mode: 'reschedule', serviceId: booking.serviceId, moving: booking });
    if (!this.#host.hasIdentity()) {
      this.readCardThen(start);
      return;
    }
    start();
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

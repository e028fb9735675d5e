import type { CommandName, CommandPayload, CompletionPayload } from '@onevisit/protocol';
import type { CommandResult } from '../../agent/client.ts';
import { bookingProblemOf, calendarRange, dateOfInstant, shanghaiDateOf, type BookingProblem } from '../booking-calendar.ts';

export type BookingServiceInfo = CompletionPayload<'Booking.ListServices'>['services'][number];
export type BookingDayInfo = CompletionPayload<'Booking.ListSlots'>['days'][number];
export type BookingSlotInfo = CompletionPayload<'Booking.ListSlots'>['slots'][number];

export type BookingSend = <N extends CommandName>(name: N, payload: CommandPayload<N>) => Promise<CommandResult<N>>;

/**
 * The days and free seats of one service's booking window, as the agent answers them (its clock
 * decides "today"). Not personal; dropped with the booking flow all the same.
 */
export class SlotCalendar {
  /** The agent's date today (its clock, not the browser's). */
  today = $state<string | undefined>(undefined);
  days = $state.raw<readonly BookingDayInfo[]>([]);
  slots = $state.raw<readonly BookingSlotInfo[]>([]);
  holidayDataWarning = $state(false);

  readonly #send: BookingSend;
  /** Bumped on clear: an answer for an earlier calendar is dropped. */
  #generation = 0;

  constructor(send: BookingSend) {
    this.#send = send;
  }

  day(date: string | undefined): BookingDayInfo | undefined {
    return this.days.find((d) => d.date === date);
  }

  daySlots(date: string | undefined): readonly BookingSlotInfo[] {
    return date === undefined ? [] : this.slots.filter((s) => dateOfInstant(s.start) === date);
  }

  slot(start: string | undefined): BookingSlotInfo | undefined {
    return this.slots.find((s) => s.start === start);
  }

  /** The days of the booking window, in whole weeks from today's, with their slots; a problem when the agent refused. */
  async load(serviceId: string): Promise<BookingProblem | undefined> {
    const generation = ++this.#generation;
    const [status, window] = await Promise.all([this.#send('Common.Status', {}), this.#send('Booking.CalendarStatus', {})]);
    if (generation !== this.#generation) return undefined;
    if (!window.ok) return bookingProblemOf(window.errorCode, window.errorDescription);
    const today = (status.ok ? shanghaiDateOf(status.payload.agent.time) : undefined) ?? window.payload.earliest;
    this.today = today;
    this.holidayDataWarning = window.payload.holidayData.warning;
    const range = calendarRange(today, window.payload.latest);
    const slots = await this.#send('Booking.ListSlots', { serviceId, from: range.from, to: range.to });
    if (generation !== this.#generation) return undefined;
    if (!slots.ok) return bookingProblemOf(slots.errorCode, slots.errorDescription);
    this.days = slots.payload.days;
    this.slots = slots.payload.slots;
    return undefined;
  }

  /** The seats may have changed (a refusal said so): fetch the same days again. */
  async refresh(serviceId: string): Promise<void> {
    const first = this.days[0];
    const last = this.days.at(-1);
    if (first === undefined || last === undefined) return;
    const generation = this.#generation;
    const result = await this.#send('Booking.ListSlots', { serviceId, from: first.date, to: last.date });
    if (generation !== this.#generation || !result.ok) return;
    this.days = result.payload.days;
    this.slots = result.payload.slots;
  }

  /** Today only (the list of appointments needs it to tell past from coming). */
  async loadToday(): Promise<void> {
    if (this.today !== undefined) return;
    const generation = this.#generation;
    const status = await this.#send('Common.Status', {});
    if (generation !== this.#generation || !status.ok) return;
    this.today = shanghaiDateOf(status.payload.agent.time);
  }

  /** Another service (or another citizen): nothing of the last calendar shows. */
  clear(): void {
    this.#generation += 1;
    this.days = [];
    this.slots = [];
    this.holidayDataWarning = false;
  }
}

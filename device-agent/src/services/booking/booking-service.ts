import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import type { CardType, Identity } from '@onevisit/protocol';
import { maskName } from '@onevisit/protocol';
import type {
  BookingErrorCode,
  BookingView,
  SlipDocument,
} from '@onevisit/protocol';
import type { BookingRecord, BookingStore } from '../../store/booking-store.ts';
import { BookingCodeTakenError } from '../../store/booking-store.ts';
import { HallDbUnavailableError } from '../../store/hall-db.ts';
import { newBookingCode, normalizeBookingCode } from './booking-code.ts';
import { HallCalendar } from './calendar.ts';
import type { Slot } from './calendar.ts';
import { DEFAULT_CALENDAR_PATH, loadCalendarConfig } from './calendar-config.ts';
import type { ServiceConfig } from './calendar-config.ts';
import { exportRowOf, toCsv, toIcs } from './export.ts';
import { HolidayTable, loadHallHolidayFiles, loadPackageHolidays } from './holiday-data.ts';
import { loadOrCreatePersonSecret, personKeyOf } from './person-key.ts';
import { changeDeadlineMs, checkPersonRules, effectiveStatus, personLookbackMs, pickWindow } from './rules.ts';
import type { PersonRuleProblem } from './rules.ts';
import { buildSlip } from './slip.ts';
import { ticketView, walkInWindow } from './queue-ticket.ts';
import type { QueueTicketView } from './queue-ticket.ts';
import {
  addDays,
  daysBetween,
  formatShanghaiIso,
  isValidDate,
  MINUTE_MS,
  parseIsoInstant,
  shanghaiDate,
  shanghaiInstant,
  yearOf,
} from '@onevisit/protocol';

/** The store cannot be reached (a hall database that is away): booking is unavailable, not failed. */
export function isBookingUnavailable(error: unknown): boolean {
  return error instanceof HallDbUnavailableError;
}

export type BookingResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: BookingErrorCode; readonly message: string };

/** A walk-in ticket's refusals: only these two (`Queue.Take` declares them, protocol messages/queue.ts). */
export type QueueTakeResult =
  | { readonly ok: true; readonly value: QueueTicketView }
  | { readonly ok: false; readonly error: 'unknownService' | 'closed'; readonly message: string };

function ok<T>(value: T): BookingResult<T> {
  return { ok: true, value };
}
function fail<T>(error: BookingErrorCode, message: string): BookingResult<T> {
  return { ok: false, error, message };
}

/** English descriptions for logs and `errorDescription`: never personal data. */
const MESSAGES: Record<BookingErrorCode, string> = {
  identityRequired: 'Read the ID card first.',
  unknownService: 'No such service.',
  invalidTime: 'The start time is not an ISO-8601 instant with an offset.',
  invalidRange: 'The date range is invalid or longer than 62 days.',
  notASlot: 'The time is not the start of a slot of this service.',
  holiday: 'The hall is closed for a holiday that day.',
  closed: 'The hall does not offer this service that day.',
  blocked: 'The slot is blocked by the hall.',
  holidayDataMissing: 'No holiday data covers that date yet.',
  tooSoon: 'Too soon: book at least the required notice ahead.',
  outsideHorizon: 'Too far ahead: beyond the booking horizon.',
  slotFull: 'The slot is full.',
  alreadyBooked: 'An active booking for this service exists already.',
  dailyCapReached: 'The daily limit of bookings is reached for that day.',
  suspended: 'Booking is suspended after repeated no-shows.',
  notFound: 'No booking with that code.',
  notYourBooking: 'This booking was made with another ID card: read the card of the person who booked.',
  alreadyCancelled: 'The booking is cancelled.',
  alreadyCheckedIn: 'The booking is checked in already.',
  noShow: 'The booking has passed without check-in.',
  tooLateToCancel: 'Too late to cancel this booking.',
  tooLateToReschedule: 'Too late to change this booking.',
  notToday: 'Check-in is possible on the day of the booking only.',
  checkInNotYetOpen: 'Check-in has not opened yet.',
  checkInClosed: 'Check-in has closed for this booking.',
};

function failWith<T>(error: BookingErrorCode, detail?: string): BookingResult<T> {
  return fail(error, detail === undefined ? MESSAGES[error] : `${MESSAGES[error]} ${detail}`);
}

export interface ServiceView {
  readonly id: string;
  readonly name: string;
  readonly nameEn: string;
  readonly slotMinutes: number;
  readonly capacityPerSlot: number;
  readonly windows: { id: string; name: string; nameEn: string }[];
  readonly materials: { name: string; nameEn: string; copies?: number; note?: string; noteEn?: string; cardTypes?: CardType[] }[];
}

export interface DayView {
  date: string;
  workday: boolean;
  holiday?: string;
  holidayEn?: string;
  makeupWorkday?: string;
  makeupWorkdayEn?: string;
  holidayDataMissing?: boolean;
  bookable: boolean;
  remaining: number;
}

export interface SlotView {
  start: string;
  end: string;
  capacity: number;
  remaining: number;
}

export interface BookingOutcome {
  readonly code: string;
  readonly window: { id: string; name: string; nameEn: string };
  readonly start: string;
  readonly end: string;
  readonly booking: BookingView;
  readonly slip: SlipDocument;
}

export interface ExportOutcome {
  readonly date: string;
  readonly format: 'csv' | 'ics';
  readonly contentType: string;
  readonly filename: string;
  readonly count: number;
  readonly content: string;
}

export interface HolidayDataStatus {
  readonly coveredYears: number[];
  readonly coveredThrough?: string;
  readonly missingYears: number[];
  readonly warning: boolean;
  readonly fileProblems: string[];
}

export interface BookingServiceOptions {
  readonly calendar: HallCalendar;
  readonly store: BookingStore;
  readonly clock: Clock;
  readonly log: Logger;
  /** Secret for person keys (see person-key.ts). */
  /**
   * Secret for person keys (see person-key.ts), or where to get it: a terminal of a hall database
   * reads the hall's secret from it, and cannot key a person before the database first answered.
   */
  readonly personSecret: Buffer | (() => Buffer);
  readonly terminalId: string;
  /** Problems met reading the hall's holiday files, shown in the status. */
  readonly holidayFileProblems?: readonly string[];
  /** For tests: the code generator. */
  readonly newCode?: () => string;
}

const MAX_RANGE_DAYS = 62;
/** How far ahead the holiday-data check looks besides the horizon: next year's schedule comes out in November. */
const HOLIDAY_LOOKAHEAD_DAYS = 60;

/**
 * Appointment booking: the calendar's slots, the rules, and the store, under the agent's clock.
 * Expected failures come back as values with a stable error code.
 */
export class BookingService {
  readonly calendar: HallCalendar;
  readonly #store: BookingStore;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #secret: () => Buffer;
  readonly #terminalId: string;
  readonly #fileProblems: readonly string[];
  readonly #newCode: () => string;
  #reportedMissing = '';

  constructor(options: BookingServiceOptions) {
    this.calendar = options.calendar;
    this.#store = options.store;
    this.#clock = options.clock;
    this.#log = options.log;
    const secret = options.personSecret;
    this.#secret = typeof secret === 'function' ? secret : () => secret;
    this.#terminalId = options.terminalId;
    this.#fileProblems = options.holidayFileProblems ?? [];
    this.#newCode = options.newCode ?? (() => newBookingCode());
    for (const problem of this.#fileProblems) this.#log.warn({ problem }, 'booking: a hall holiday file was not used');
    this.holidayStatus();
  }

  get #rules() {
    return this.calendar.config.rules;
  }

  #checkInOf(service: ServiceConfig) {
    return service.checkIn ?? this.calendar.config.checkIn;
  }

  #windowView(id: string): { id: string; name: string; nameEn: string } {
    const w = this.calendar.config.windows.find((x) => x.id === id);
    return { id, name: w?.name['zh-CN'] ?? id, nameEn: w?.name.en ?? id };
  }

  listServices(): ServiceView[] {
    return this.calendar.services().map((s) => ({
      id: s.id,
      name: s.name['zh-CN'],
      nameEn: s.name.en,
      slotMinutes: s.slotMinutes,
      capacityPerSlot: s.capacityPerSlot,
      windows: s.windows.map((w) => this.#windowView(w)),
      materials: s.materials.map((m) => ({
        name: m.name['zh-CN'],
        nameEn: m.name.en,
        ...(m.copies === undefined ? {} : { copies: m.copies }),
        ...(m.note === undefined ? {} : { note: m.note['zh-CN'], noteEn: m.note.en }),
        ...(m.cardTypes === undefined ? {} : { cardTypes: m.cardTypes }),
      })),
    }));
  }

  /** The days from..to with their marks, and the service's slots within notice and horizon (full ones with remaining 0). */
  async listSlots(serviceId: string, from: string, to: string): Promise<BookingResult<{ days: DayView[]; slots: SlotView[] }>> {
    const service = this.calendar.service(serviceId);
    if (!service) return failWith('unknownService');
    if (!isValidDate(from) || !isValidDate(to) || to < from || daysBetween(from, to) >= MAX_RANGE_DAYS) return failWith('invalidRange');
    const nowMs = this.#clock.now();
    this.holidayStatus();
    const window = this.calendar.bookingWindow(nowMs);
    const firstBookable = from > window.earliest ? from : window.earliest;
    const lastBookable = to < window.latest ? to : window.latest;
    const taken =
      firstBookable <= lastBookable
        ? await this.#store.countTaken(serviceId, shanghaiInstant(firstBookable), shanghaiInstant(addDays(lastBookable, 1)))
        : new Map<number, number>();

    const days: DayView[] = [];
    const slots: SlotView[] = [];
    for (let date = from; date <= to; date = addDays(date, 1)) {
      const info = this.calendar.day(date);
      const day: DayView = { date, workday: info.workday, bookable: false, remaining: 0 };
      if (info.holiday) {
        day.holiday = info.holiday['zh-CN'];
        day.holidayEn = info.holiday.en;
      }
      if (info.makeupWorkday) {
        day.makeupWorkday = info.makeupWorkday['zh-CN'];
        day.makeupWorkdayEn = info.makeupWorkday.en;
      }
      if (info.holidayDataMissing) day.holidayDataMissing = true;
      if (date >= firstBookable && date <= lastBookable) {
        for (const slot of this.calendar.slotsOn(serviceId, date)) {
          if (slot.startMs < window.notBeforeMs) continue;
          const remaining = Math.max(0, service.capacityPerSlot - (taken.get(slot.startMs) ?? 0));
          slots.push({ start: formatShanghaiIso(slot.startMs), end: formatShanghaiIso(slot.endMs), capacity: service.capacityPerSlot, remaining });
          day.bookable = true;
          day.remaining += remaining;
        }
      }
      days.push(day);
    }
    return ok({ days, slots });
  }

  /** Validates a requested start for a service against the calendar and the booking window. */
  #resolveSlot(service: ServiceConfig, startIso: string, nowMs: number): BookingResult<Slot> {
    const startMs = parseIsoInstant(startIso);
    if (startMs === undefined) return failWith('invalidTime');
    const checked = this.calendar.checkSlot(service.id, startMs);
    if (!checked.ok) return failWith(checked.problem);
    const inWindow = this.calendar.checkWindow(checked.slot, nowMs);
    if (inWindow !== 'ok') return failWith(inWindow);
    return ok(checked.slot);
  }

  #personRuleFailure<T>(problem: PersonRuleProblem, untilMs: number | undefined): BookingResult<T> {
    return failWith(problem, problem === 'suspended' && untilMs !== undefined ? `Until ${formatShanghaiIso(untilMs)}.` : undefined);
  }

  #placement(service: ServiceConfig, slot: Slot) {
    const checkIn = this.#checkInOf(service);
    return {
      startMs: slot.startMs,
      endMs: slot.endMs,
      date: shanghaiDate(slot.startMs),
      checkInOpenMs: slot.startMs - checkIn.openMinutesBefore * MINUTE_MS,
      checkInCloseMs: slot.startMs + checkIn.closeMinutesAfter * MINUTE_MS,
    };
  }

  async reserve(identity: Identity | undefined, serviceId: string, startIso: string): Promise<BookingResult<BookingOutcome>> {
    if (!identity) return failWith('identityRequired');
    const service = this.calendar.service(serviceId);
    if (!service) return failWith('unknownService');
    const nowMs = this.#clock.now();
    const slot = this.#resolveSlot(service, startIso, nowMs);
    if (!slot.ok) return slot;
    const personKey = personKeyOf(identity, this.#secret());
    const maskedName = maskName(identity.name);
    const rules = this.#rules;

    for (let attempt = 0; ; attempt += 1) {
      const code = this.#newCode();
      try {
        const result = await this.#store.atomically(
          { personKey, personSinceMs: nowMs - personLookbackMs(rules), slot: { serviceId, startMs: slot.value.startMs } },
          (snap) => {
            const date = shanghaiDate(slot.value.startMs);
            const personOk = checkPersonRules(snap.person, { serviceId, date }, nowMs, rules);
            if (!personOk.ok) return { writes: [], result: this.#personRuleFailure<BookingRecord>(personOk.problem, personOk.untilMs) };
            if (snap.slot.length >= service.capacityPerSlot) return { writes: [], result: failWith<BookingRecord>('slotFull') };
            const record: BookingRecord = {
              code,
              serviceId,
              windowId: pickWindow(service.windows, snap.slot),
              personKey,
              maskedName,
              ...this.#placement(service, slot.value),
              status: 'booked',
              createdMs: nowMs,
              updatedMs: nowMs,
              checkedInMs: null,
              cancelledMs: null,
              rescheduleCount: 0,
              terminalId: this.#terminalId,
            };
            return { writes: [{ kind: 'insert', record }], result: ok(record) };
          },
        );
        if (!result.ok) {
          this.#log.info({ serviceId, errorCode: result.error }, 'booking: reserve refused');
          return result;
        }
        this.#log.info({ code: result.value.code, serviceId, start: formatShanghaiIso(result.value.startMs) }, 'booking: reserved');
        return ok(this.#outcome(result.value, nowMs));
      } catch (error) {
        if (error instanceof BookingCodeTakenError && attempt < 8) continue;
        throw error;
      }
    }
  }

  #outcome(record: BookingRecord, nowMs: number): BookingOutcome {
    const booking = this.view(record, nowMs);
    return { code: record.code, window: booking.window, start: booking.start, end: booking.end, booking, slip: this.#slipOf(record) };
  }

  #slipOf(record: BookingRecord): SlipDocument {
    const service = this.calendar.service(record.serviceId);
    if (!service) throw new Error(`booking of a service no longer in the calendar: ${record.serviceId}`);
    const window = this.calendar.config.windows.find((w) => w.id === record.windowId);
    return buildSlip(record, service, window, this.calendar.config.hall, changeDeadlineMs(record, this.#rules));
  }

  view(record: BookingRecord, nowMs: number = this.#clock.now()): BookingView {
    const service = this.calendar.service(record.serviceId);
    return {
      code: record.code,
      serviceId: record.serviceId,
      serviceName: service?.name['zh-CN'] ?? record.serviceId,
      serviceNameEn: service?.name.en ?? record.serviceId,
      window: this.#windowView(record.windowId),
      date: record.date,
      start: formatShanghaiIso(record.startMs),
      end: formatShanghaiIso(record.endMs),
      status: effectiveStatus(record, nowMs),
      maskedName: record.maskedName,
      checkInFrom: formatShanghaiIso(record.checkInOpenMs),
      checkInUntil: formatShanghaiIso(record.checkInCloseMs),
      changeUntil: formatShanghaiIso(changeDeadlineMs(record, this.#rules)),
    };
  }

  async findByCode(codeInput: string): Promise<BookingResult<BookingView[]>> {
    const record = await this.#store.get(normalizeBookingCode(codeInput));
    if (!record) return failWith('notFound');
    return ok([this.view(record)]);
  }

  /** The person's bookings from today on (cancelled ones left out), by start. */
  async findByIdentity(identity: Identity | undefined): Promise<BookingResult<BookingView[]>> {
    if (!identity) return failWith('identityRequired');
    const nowMs = this.#clock.now();
    const records = await this.#store.listByPerson(personKeyOf(identity, this.#secret()), shanghaiInstant(shanghaiDate(nowMs)));
    return ok(records.filter((r) => r.status !== 'cancelled').map((r) => this.view(r, nowMs)));
  }

  /**
   * The checks shared by cancel and reschedule. The code alone is not enough to change a booking
   * (it is printed on a slip anyone may find, and read aloud at a window): the card read in this
   * session must be the card of the person who booked (issue 9).
   */
  #changeable(
    record: BookingRecord | undefined,
    personKey: string,
    nowMs: number,
    late: 'tooLateToCancel' | 'tooLateToReschedule',
  ): BookingErrorCode | undefined {
    if (!record) return 'notFound';
    if (record.personKey !== personKey) return 'notYourBooking';
    const status = effectiveStatus(record, nowMs);
    if (status === 'cancelled') return 'alreadyCancelled';
    if (status === 'checkedIn') return 'alreadyCheckedIn';
    if (status === 'noShow') return 'noShow';
    if (nowMs > changeDeadlineMs(record, this.#rules)) return late;
    return undefined;
  }

  /** Cancels the booking `codeInput` of the person whose card is `identity`. */
  async cancel(identity: Identity | undefined, codeInput: string): Promise<BookingResult<BookingView>> {
    if (!identity) return failWith('identityRequired');
    const personKey = personKeyOf(identity, this.#secret());
    const code = normalizeBookingCode(codeInput);
    const nowMs = this.#clock.now();
    const result = await this.#store.atomically({ code, personSinceMs: nowMs }, (snap) => {
      const problem = this.#changeable(snap.booking, personKey, nowMs, 'tooLateToCancel');
      if (problem !== undefined || !snap.booking) return { writes: [], result: failWith<BookingRecord>(problem ?? 'notFound') };
      const updated: BookingRecord = { ...snap.booking, status: 'cancelled', cancelledMs: nowMs, updatedMs: nowMs };
      return { writes: [{ kind: 'update', code, change: { status: 'cancelled', cancelledMs: nowMs, updatedMs: nowMs } }], result: ok(updated) };
    });
    if (!result.ok) return result;
    this.#log.info({ code, serviceId: result.value.serviceId }, 'booking: cancelled');
    return ok(this.view(result.value, nowMs));
  }

  /**
   * Moves the booking `codeInput` of the person whose card is `identity`, in one transaction:
   * if the new slot is gone, the old one stays booked.
   */
  async reschedule(identity: Identity | undefined, codeInput: string, startIso: string): Promise<BookingResult<BookingOutcome>> {
    if (!identity) return failWith('identityRequired');
    const personKey = personKeyOf(identity, this.#secret());
    const code = normalizeBookingCode(codeInput);
    const nowMs = this.#clock.now();
    const current = await this.#store.get(code);
    if (!current) return failWith('notFound');
    const service = this.calendar.service(current.serviceId);
    if (!service) return failWith('unknownService');
    const early = this.#changeable(current, personKey, nowMs, 'tooLateToReschedule');
    if (early !== undefined) return failWith(early);
    const slot = this.#resolveSlot(service, startIso, nowMs);
    if (!slot.ok) return slot;
    const rules = this.#rules;

    const result = await this.#store.atomically(
      { code, personSinceMs: nowMs - personLookbackMs(rules), slot: { serviceId: service.id, startMs: slot.value.startMs } },
      (snap) => {
        const problem = this.#changeable(snap.booking, personKey, nowMs, 'tooLateToReschedule');
        if (problem !== undefined || !snap.booking) return { writes: [], result: failWith<BookingRecord>(problem ?? 'notFound') };
        const booking = snap.booking;
        if (booking.startMs === slot.value.startMs) return { writes: [], result: ok(booking) };
        const date = shanghaiDate(slot.value.startMs);
        const personOk = checkPersonRules(snap.person, { serviceId: service.id, date, movingCode: code }, nowMs, rules);
        if (!personOk.ok) return { writes: [], result: this.#personRuleFailure<BookingRecord>(personOk.problem, personOk.untilMs) };
        if (snap.slot.length >= service.capacityPerSlot) return { writes: [], result: failWith<BookingRecord>('slotFull') };
        const change = {
          ...this.#placement(service, slot.value),
          windowId: pickWindow(service.windows, snap.slot),
          rescheduleCount: booking.rescheduleCount + 1,
          updatedMs: nowMs,
        };
        return { writes: [{ kind: 'update', code, change }], result: ok<BookingRecord>({ ...booking, ...change }) };
      },
    );
    if (!result.ok) {
      this.#log.info({ code, errorCode: result.error }, 'booking: reschedule refused');
      return result;
    }
    this.#log.info({ code, serviceId: service.id, start: formatShanghaiIso(result.value.startMs) }, 'booking: rescheduled');
    return ok(this.#outcome(result.value, nowMs));
  }

  /**
   * Arrival. The slip's code is enough when no card was read (the citizen shows the code they were
   * given); when a card was read in this session it must be the booker's (issue 11: a code seen on
   * someone else's slip does not check in for a different card holder).
   */
  async checkIn(codeInput: string, identity?: Identity): Promise<BookingResult<BookingView>> {
    const code = normalizeBookingCode(codeInput);
    const nowMs = this.#clock.now();
    const personKey = identity === undefined ? undefined : personKeyOf(identity, this.#secret());
    const result = await this.#store.atomically({ code, personSinceMs: nowMs }, (snap) => {
      const b = snap.booking;
      const refuse = (e: BookingErrorCode) => ({ writes: [], result: failWith<BookingRecord>(e) });
      if (!b) return refuse('notFound');
      if (personKey !== undefined && b.personKey !== personKey) return refuse('notYourBooking');
      if (b.status === 'cancelled') return refuse('alreadyCancelled');
      if (b.status === 'checkedIn') return refuse('alreadyCheckedIn');
      if (shanghaiDate(nowMs) !== b.date) return refuse('notToday');
      if (nowMs < b.checkInOpenMs) return refuse('checkInNotYetOpen');
      if (nowMs > b.checkInCloseMs) return refuse('checkInClosed');
      const updated: BookingRecord = { ...b, status: 'checkedIn', checkedInMs: nowMs, updatedMs: nowMs };
      // Arrival and queue ticket in one transaction: a checked-in booking always has its ticket.
      const ticket = { serviceId: b.serviceId, date: b.date, windowId: b.windowId, bookingCode: code, terminalId: this.#terminalId, issuedMs: nowMs };
      return {
        writes: [
          { kind: 'update', code, change: { status: 'checkedIn', checkedInMs: nowMs, updatedMs: nowMs } },
          { kind: 'ticket', request: ticket },
        ],
        result: ok(updated),
      };
    });
    if (!result.ok) return result;
    this.#log.info({ code, serviceId: result.value.serviceId }, 'booking: checked in');
    return ok(this.view(result.value, nowMs));
  }

  /** Check-in (arrival) with the queue ticket it issued: number, window and people ahead, and its receipt. */
  async checkInWithTicket(codeInput: string, identity?: Identity): Promise<BookingResult<{ booking: BookingView; ticket: QueueTicketView }>> {
    const checkedIn = await this.checkIn(codeInput, identity);
    if (!checkedIn.ok) return checkedIn;
    const ticket = await this.#store.ticketOf(checkedIn.value.code);
    const service = this.calendar.service(checkedIn.value.serviceId);
    if (!ticket || !service) throw new Error('a checked-in booking without its queue ticket');
    return ok({ booking: checkedIn.value, ticket: ticketView(ticket, service, this.calendar.config.windows, this.calendar.config.hall) });
  }

  /** A walk-in queue ticket (no booking) for today, in the same sequence as check-ins. */
  async takeTicket(serviceId: string): Promise<QueueTakeResult> {
    const service = this.calendar.service(serviceId);
    if (!service) return { ok: false, error: 'unknownService', message: MESSAGES.unknownService };
    const nowMs = this.#clock.now();
    const date = shanghaiDate(nowMs);
    if (this.calendar.slotsOn(serviceId, date).length === 0) return { ok: false, error: 'closed', message: MESSAGES.closed };
    const ticket = await this.#store.takeTicket({ serviceId, date, terminalId: this.#terminalId, issuedMs: nowMs }, (n) => walkInWindow(service, n));
    this.#log.info({ serviceId, number: ticket.number }, 'queue: walk-in ticket');
    return { ok: true, value: ticketView(ticket, service, this.calendar.config.windows, this.calendar.config.hall) };
  }

  async slip(codeInput: string): Promise<BookingResult<SlipDocument>> {
    const record = await this.#store.get(normalizeBookingCode(codeInput));
    if (!record) return failWith('notFound');
    if (record.status === 'cancelled') return failWith('alreadyCancelled');
    return ok(this.#slipOf(record));
  }

  /** The day's bookings (cancelled ones left out) for the hall's queue system. */
  async exportDay(date: string, format: 'csv' | 'ics'): Promise<BookingResult<ExportOutcome>> {
    if (!isValidDate(date)) return failWith('invalidRange');
    const nowMs = this.#clock.now();
    const rows = (await this.#store.listByDate(date))
      .filter((r) => r.status !== 'cancelled')
      .map((r) => {
        const v = this.view(r, nowMs);
        return exportRowOf(r, { serviceName: v.serviceName, windowName: v.window.name }, v.status);
      });
    const hallName = this.calendar.config.hall.name['zh-CN'];
    if (format === 'csv') {
      return ok({ date, format, contentType: 'text/csv; charset=utf-8; header=present', filename: `bookings-${date}.csv`, count: rows.length, content: toCsv(rows) });
    }
    return ok({
      date,
      format,
      contentType: 'text/calendar; charset=utf-8',
      filename: `bookings-${date}.ics`,
      count: rows.length,
      content: toIcs(rows, { hallName, terminalId: this.#terminalId, nowMs }),
    });
  }

  bookingWindow(): { earliest: string; latest: string } {
    const w = this.calendar.bookingWindow(this.#clock.now());
    return { earliest: w.earliest, latest: w.latest };
  }

  /**
   * Whether holiday data covers today up to the horizon and the next 60 days. A missing
   * year is logged once (staff add `<year>.json` to the holiday folder) and flagged here
   * for Common.Status / the staff screen.
   */
  holidayStatus(): HolidayDataStatus {
    const nowMs = this.#clock.now();
    const today = shanghaiDate(nowMs);
    const table = this.calendar.holidayTable();
    const coveredYears = table.coveredYears();
    const horizonEnd = this.calendar.bookingWindow(nowMs).latest;
    const lookahead = addDays(today, HOLIDAY_LOOKAHEAD_DAYS);
    const missingYears = this.calendar.missingYears(today, horizonEnd > lookahead ? horizonEnd : lookahead);
    let through = yearOf(today);
    if (!table.covers(through)) through = Number.NaN;
    else while (table.covers(through + 1)) through += 1;
    const key = missingYears.join(',');
    if (key !== this.#reportedMissing) {
      this.#reportedMissing = key;
      if (missingYears.length > 0) {
        this.#log.warn(
          { missingYears, coveredYears: coveredYears.length > 0 ? `${coveredYears[0]}–${coveredYears[coveredYears.length - 1]}` : 'none' },
          'booking: no holiday data for an upcoming year; dates in it are not bookable until staff add <year>.json to the holiday data folder',
        );
      }
    }
    return {
      coveredYears,
      ...(Number.isNaN(through) ? {} : { coveredThrough: `${through}-12-31` }),
      missingYears,
      warning: missingYears.length > 0 || this.#fileProblems.length > 0,
      fileProblems: [...this.#fileProblems],
    };
  }
}

export interface CreateBookingServiceOptions {
  /**
   * The hall calendar JSON. Default: `<dataDir>/booking/hall-calendar.json` when the hall
   * put one there, else the shipped device-agent/config/booking/hall-calendar.json.
   */
  readonly calendarPath?: string | undefined;
  /** The agent's data folder: the person-key secret, the hall's calendar and holiday files. */
  readonly dataDir: string;
  readonly store: BookingStore;
  readonly clock: Clock;
  readonly log: Logger;
  readonly terminalId: string;
  /** Default: this terminal's own secret in the data folder; a hall database gives the hall's (hall-connection.ts). */
  readonly personSecret?: BookingServiceOptions['personSecret'] | undefined;
}

/** Where a hall keeps its own booking data, outside the software: `<dataDir>/booking/`. */
export function hallBookingDir(dataDir: string): string {
  return join(dataDir, 'booking');
}

/**
 * Loads the calendar, the holiday data and the secret; throws CalendarConfigError on an invalid calendar.
 * Holiday year files are read from the calendar's `holidayDataDir` and then from
 * `<dataDir>/booking/holidays/` (which wins), so staff add a year without touching the software.
 */
export function createBookingService(options: CreateBookingServiceOptions): BookingService {
  const hallCalendar = join(hallBookingDir(options.dataDir), 'hall-calendar.json');
  const calendarPath = options.calendarPath ?? (existsSync(hallCalendar) ? hallCalendar : DEFAULT_CALENDAR_PATH);
  const loaded = loadCalendarConfig(calendarPath);
  const shipped = loadHallHolidayFiles(loaded.holidayDataDir);
  const hallDir = join(hallBookingDir(options.dataDir), 'holidays');
  const hall = hallDir === loaded.holidayDataDir ? { years: [], problems: [] } : loadHallHolidayFiles(hallDir);
  const table = new HolidayTable(loadPackageHolidays(), shipped.years, hall.years);
  const log = options.log.child({ component: 'booking' });
  log.info(
    {
      calendar: loaded.path,
      services: loaded.config.services.length,
      holidayYears: table.coveredYears().length > 0 ? `${table.coveredYears()[0]}–${table.coveredYears().at(-1)}` : 'none',
      hallHolidayYears: [...shipped.years, ...hall.years].map((y) => y.year),
    },
    'booking: calendar loaded',
  );
  return new BookingService({
    calendar: new HallCalendar(loaded.config, table),
    store: options.store,
    clock: options.clock,
    log,
    personSecret: options.personSecret ?? loadOrCreatePersonSecret(options.dataDir),
    terminalId: options.terminalId,
    holidayFileProblems: [...shipped.problems, ...hall.problems.map((p) => `${hallDir}: ${p}`)],
  });
}


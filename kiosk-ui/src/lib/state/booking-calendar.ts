import { addDays, BOOKING_ERROR_CODES, BOOKING_CODE_LENGTH, parseIsoInstant, shanghaiDate, weekdayOf, type BookingErrorCode, type CommandName, type DeclaredErrorCodeIn } from '@onevisit/protocol';

/**
 * Pure helpers of the booking screens: calendar dates (`YYYY-MM-DD`, Asia/Shanghai, no DST), the
 * week grid, what a day cell shows, slot times, and failure codes → what the citizen is told.
 * Dates are plain strings and never go through the browser's time zone (date arithmetic: the
 * protocol's shanghai-time.ts).
 */

/** Booking.ListSlots answers at most 62 days at once. */
export const MAX_RANGE_DAYS = 62;

/** The Monday of the date's week (Chinese calendars start the week on Monday). */
export function mondayOf(date: string): string {
  return addDays(date, -((weekdayOf(date) + 6) % 7));
}

export function sundayOf(date: string): string {
  return addDays(mondayOf(date), 6);
}

/** The agent's calendar date from its clock (`Common.Status` → agent.time, any offset). */
export function shanghaiDateOf(isoInstant: string): string | undefined {
  const ms = parseIsoInstant(isoInstant);
  return ms === undefined ? undefined : shanghaiDate(ms);
}

/** Whole weeks, Monday to Sunday, from today's week through the week of the last bookable day. */
export function calendarRange(today: string, latest: string): { from: string; to: string } {
  const from = mondayOf(today);
  let to = sundayOf(latest < today ? today : latest);
  const last = addDays(from, MAX_RANGE_DAYS - 1);
  if (to > last) to = addDays(mondayOf(last), -1);
  return { from, to };
}

/** Splits consecutive days (starting on a Monday) into rows of seven. */
export function weeksOf<T>(days: readonly T[]): T[][] {
  const weeks: T[][] = [];
  for (let i = 0; i < days.length; i += 7) weeks.push(days.slice(i, i + 7));
  return weeks;
}

/** What a day of Booking.ListSlots needs from it (the protocol's day, structurally). */
export type CalendarDay = {
  date: string;
  workday: boolean;
  holiday?: string | undefined;
  makeupWorkday?: string | undefined;
  holidayDataMissing?: boolean | undefined;
  bookable: boolean;
  remaining: number;
};

/** A cell's status, one colour and one text each (the legend lists them). */
export const DAY_STATUSES = ['free', 'full', 'holiday', 'closed', 'unavailable', 'dataMissing'] as const;
export type DayStatus = (typeof DAY_STATUSES)[number];

export function dayStatus(day: CalendarDay): DayStatus {
  if (day.holiday !== undefined) return 'holiday';
  if (day.bookable) return day.remaining > 0 ? 'free' : 'full';
  if (day.holidayDataMissing === true) return 'dataMissing';
  if (!day.workday) return 'closed';
  return 'unavailable';
}

/** `2026-10-08T09:30:00+08:00` → `09:30`. The agent writes every time with the +08:00 offset. */
export function clockTime(isoInstant: string): string {
  const match = /T(\d{2}:\d{2})/.exec(isoInstant);
  return match?.[1] ?? isoInstant;
}

/** `2026-10-08T09:30:00+08:00` → `2026-10-08`. */
export function dateOfInstant(isoInstant: string): string {
  return isoInstant.slice(0, 10);
}

/** Slots before 12:00 are the morning's. */
export function isMorning(isoInstant: string): boolean {
  return clockTime(isoInstant) < '12:00';
}

/** `k7m-3hx` → `K7M3HX`; anything outside the code's alphabet is dropped by the keypad already. */
export function normalizeCode(input: string): string {
  return input.replace(/[\s-]/g, '').toUpperCase().slice(0, BOOKING_CODE_LENGTH);
}

/**
 * What the booking screens tell the citizen when a command fails: every code the Booking.* commands
 * declare, plus `unavailable` (anything else). The texts (booking.*.ts) are keyed by this type, so a
 * newly declared code does not compile until it has a text in both languages.
 */
export type BookingProblemCode = DeclaredErrorCodeIn<Extract<CommandName, `Booking.${string}`>> | 'unavailable';
export const BOOKING_PROBLEMS = [...BOOKING_ERROR_CODES, 'bookingUnavailable', 'unavailable'] as const satisfies readonly BookingProblemCode[];

export type BookingProblem = {
  code: BookingProblemCode;
  /** `suspended`: the end of the suspension, `YYYY-MM-DD HH:MM`. */
  until?: string;
};

function isBookingErrorCode(code: string): code is BookingErrorCode {
  return (BOOKING_ERROR_CODES as readonly string[]).includes(code);
}

/**
 * A failed Booking.* completion → the problem shown. `bookingUnavailable` is the agent's store not
 * being open; anything unexpected (connection lost, time-out) is `unavailable`: try again.
 */
export function bookingProblemOf(errorCode: string | undefined, errorDescription: string | undefined): BookingProblem {
  if (errorCode === 'bookingUnavailable') return { code: 'bookingUnavailable' };
  if (errorCode === undefined || !isBookingErrorCode(errorCode)) return { code: 'unavailable' };
  if (errorCode === 'suspended') {
    // The agent says "Until 2026-11-30T09:00:00+08:00." (never anything personal).
    const match = /(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(errorDescription ?? '');
    if (match?.[1] !== undefined && match[2] !== undefined) return { code: errorCode, until: `${match[1]} ${match[2]}` };
  }
  return { code: errorCode };
}

import { z } from 'zod';
import { defineCommand } from '../spec.ts';
import { errorsOf } from '../errors.ts';
import { CardTypeSchema, IsoDateSchema } from '../identity.ts';

/**
 * Appointment booking (预约办理). Times are ISO-8601 with the Asia/Shanghai offset
 * (`2026-11-23T09:00:00+08:00`); dates are `YYYY-MM-DD` in Asia/Shanghai.
 * Every rule (notice, horizon, capacity, one booking per service, daily cap,
 * cancel deadline, no-show suspension) is enforced by the agent.
 */

/** Stable error codes of `Booking.*` failures; the UI maps each to a text. */
export const BOOKING_ERROR_CODES = [
  'identityRequired',
  'unknownService',
  'invalidTime',
  'invalidRange',
  'notASlot',
  'holiday',
  'closed',
  'blocked',
  'holidayDataMissing',
  'tooSoon',
  'outsideHorizon',
  'slotFull',
  'alreadyBooked',
  'dailyCapReached',
  'suspended',
  'notFound',
  /** Cancel/Reschedule with a card that is not the card of the person who booked. */
  'notYourBooking',
  'alreadyCancelled',
  'alreadyCheckedIn',
  'noShow',
  'tooLateToCancel',
  'tooLateToReschedule',
  'notToday',
  'checkInNotYetOpen',
  'checkInClosed',
] as const;
export const BookingErrorCodeSchema = z.enum(BOOKING_ERROR_CODES);
export type BookingErrorCode = z.infer<typeof BookingErrorCodeSchema>;

/**
 * Every Booking.* command declares the booking service's codes (one rule set answers them all) and
 * `bookingUnavailable` (the store is not open yet).
 */
const bookingErrors = errorsOf([...BOOKING_ERROR_CODES, 'bookingUnavailable']);

/** ISO-8601 instant with an explicit offset. */
export const IsoInstantSchema = z
  .string()
  .max(40)
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/, 'expected ISO-8601 with an offset, e.g. 2026-11-23T09:00:00+08:00');

/**
 * Booking codes: 6 characters, read aloud at a window or over the phone.
 * Digits 2–9 (0 and 1 pass for O and I/L in print) and ten letters whose English
 * names do not rhyme with each other (no B/D/E/G/P/T/V/Z, no N beside M, no S beside 5).
 * 18 symbols in 6 places: 34 million codes. The kiosk's code keypad offers exactly these.
 */
export const BOOKING_CODE_ALPHABET = '23456789ACFHKMRWXY';
export const BOOKING_CODE_LENGTH = 6;

/** `K7M3HX` → `K7M 3HX`, for reading aloud. */
export function formatBookingCode(code: string): string {
  return code.length === BOOKING_CODE_LENGTH ? `${code.slice(0, 3)} ${code.slice(3)}` : code;
}

/** Booking codes are 6 characters from an alphabet that reads aloud without confusion; input may have spaces or a dash. */
export const BookingCodeSchema = z
  .string()
  .min(4)
  .max(16)
  .transform((s) => s.replace(/[\s-]/g, '').toUpperCase())
  .pipe(z.string().regex(/^[0-9A-Z]{4,12}$/, 'not a booking code'));

export const BookingStatusSchema = z.enum(['booked', 'checkedIn', 'cancelled', 'noShow']);
export type BookingStatus = z.infer<typeof BookingStatusSchema>;

export const BookingWindowSchema = z.object({ id: z.string(), name: z.string(), nameEn: z.string() });

export const BookingMaterialSchema = z.object({
  name: z.string(),
  nameEn: z.string(),
  copies: z.number().int().positive().optional(),
  note: z.string().optional(),
  noteEn: z.string().optional(),
  /** Only for holders of these cards (issue 10); absent: everyone. */
  cardTypes: z.array(CardTypeSchema).min(1).optional(),
});

export const BookingServiceSchema = z.object({
  id: z.string(),
  /** zh-CN. */
  name: z.string(),
  nameEn: z.string(),
  slotMinutes: z.number().int().positive(),
  capacityPerSlot: z.number().int().positive(),
  windows: z.array(BookingWindowSchema),
  /** 一次性告知单: what to bring. */
  materials: z.array(BookingMaterialSchema),
});

export const BookingDaySchema = z.object({
  date: IsoDateSchema,
  /** The hall is open that day. */
  workday: z.boolean(),
  /** Name of the statutory or hall holiday (zh-CN), when it is one. */
  holiday: z.string().optional(),
  holidayEn: z.string().optional(),
  /** 调休上班: a weekend day that is a working day, with its holiday's name (zh-CN). */
  makeupWorkday: z.string().optional(),
  makeupWorkdayEn: z.string().optional(),
  /** No holiday data covers this date yet: not bookable until staff add it. */
  holidayDataMissing: z.boolean().optional(),
  /** Within notice and horizon, with at least one slot. */
  bookable: z.boolean(),
  /** Free seats over the day's bookable slots: 0 on a full day. */
  remaining: z.number().int().nonnegative(),
});

export const BookingSlotSchema = z.object({
  start: z.string(),
  end: z.string(),
  capacity: z.number().int().positive(),
  /** 0 = full (still listed, so the UI can show it as full). */
  remaining: z.number().int().nonnegative(),
});

export const BookingViewSchema = z.object({
  code: z.string(),
  serviceId: z.string(),
  serviceName: z.string(),
  serviceNameEn: z.string(),
  window: BookingWindowSchema,
  date: IsoDateSchema,
  start: z.string(),
  end: z.string(),
  status: BookingStatusSchema,
  /** e.g. `王*明`: the only personal data a booking shows. */
  maskedName: z.string(),
  checkInFrom: z.string(),
  checkInUntil: z.string(),
  /** Cancel or reschedule until then. */
  changeUntil: z.string(),
});
export type BookingView = z.infer<typeof BookingViewSchema>;

/**
 * A printer-neutral receipt: the receipt printer renders each line in order
 * (ESC/POS or anything else). Texts are zh-CN with English second.
 */
export const SlipLineSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('title'), text: z.string(), textEn: z.string().optional() }),
  z.object({ kind: z.literal('text'), text: z.string(), size: z.enum(['normal', 'large']).default('normal'), align: z.enum(['left', 'center']).default('left'), bold: z.boolean().default(false) }),
  z.object({ kind: z.literal('field'), label: z.string(), labelEn: z.string(), value: z.string(), emphasis: z.boolean().default(false) }),
  z.object({ kind: z.literal('qr'), payload: z.string(), caption: z.string().optional() }),
  z.object({ kind: z.literal('list'), title: z.string(), titleEn: z.string(), items: z.array(z.string()) }),
  z.object({ kind: z.literal('rule') }),
]);
export type SlipLine = z.input<typeof SlipLineSchema>;

export const SlipDocumentSchema = z.object({
  /** A booking's slip, or a queue ticket's (排队号) receipt. */
  kind: z.enum(['bookingSlip', 'queueTicket']),
  /** The booking code (what the QR line carries too), or the ticket number. */
  code: z.string(),
  lines: z.array(SlipLineSchema),
});
export type SlipDocument = z.output<typeof SlipDocumentSchema>;

/** A queue ticket (排队号, issue 14): issued at check-in, numbered per service and day across the hall's terminals. */
export const QueueTicketSchema = z.object({
  number: z.number().int().positive(),
  /** `007`: as the hall's display and the window call it. */
  display: z.string(),
  serviceId: z.string(),
  serviceName: z.string(),
  serviceNameEn: z.string(),
  date: IsoDateSchema,
  window: BookingWindowSchema,
  /** Tickets of the same service and day still waiting before this one. */
  peopleAhead: z.number().int().nonnegative(),
  issuedAt: z.string(),
  /** The checked-in booking; absent for a walk-in ticket. */
  bookingCode: z.string().optional(),
  /** The ticket's receipt, for the receipt printer. */
  slip: SlipDocumentSchema,
});


export const HolidayDataStatusSchema = z.object({
  /** Years the holiday data covers (package and hall files). */
  coveredYears: z.array(z.number().int()),
  /** Last date holiday data covers. */
  coveredThrough: IsoDateSchema.optional(),
  /** Years within the booking horizon (or the next 60 days) without data: staff must add them. */
  missingYears: z.array(z.number().int()),
  /** True when staff should act: a missing year is within the horizon or the next 60 days. */
  warning: z.boolean(),
  /** Hall holiday files that could not be used. */
  fileProblems: z.array(z.string()),
});

const ReserveCompletionSchema = z.object({
  code: z.string(),
  window: BookingWindowSchema,
  start: z.string(),
  end: z.string(),
  booking: BookingViewSchema,
  slip: SlipDocumentSchema,
});

export const bookingCommands = {
  'Booking.ListServices': defineCommand({
    role: 'none',
    description: 'The services one can book, with windows, slot length and what to bring.',
    payload: z.object({}).optional(),
    completion: z.object({ services: z.array(BookingServiceSchema) }),
    errors: bookingErrors,
    events: {},
  }),
  'Booking.ListSlots': defineCommand({
    role: 'none',
    description: 'Days from..to (at most 62) with holiday marks, and the bookable slots of a service, honouring notice and horizon.',
    payload: z.object({ serviceId: z.string().min(1).max(64), from: IsoDateSchema, to: IsoDateSchema }),
    completion: z.object({ days: z.array(BookingDaySchema), slots: z.array(BookingSlotSchema) }),
    errors: bookingErrors,
    events: {},
  }),
  'Booking.Reserve': defineCommand({
    role: 'citizen',
    description: 'Book a slot for the person whose ID card was read in this session.',
    payload: z.object({ serviceId: z.string().min(1).max(64), start: IsoInstantSchema }),
    completion: ReserveCompletionSchema,
    errors: bookingErrors,
    events: {},
  }),
  'Booking.Find': defineCommand({
    role: 'citizen',
    description: "A booking by code, or the active bookings of the person whose ID card was read in this session.",
    payload: z.object({ code: BookingCodeSchema.optional() }).optional(),
    completion: z.object({ bookings: z.array(BookingViewSchema) }),
    errors: bookingErrors,
    events: {},
  }),
  'Booking.Cancel': defineCommand({
    role: 'citizen',
    description:
      'Cancel a booking, until the cancel deadline. Needs the ID card of the person who booked, read in this session (identityRequired, notYourBooking): the code alone is printed on a slip and read aloud.',
    payload: z.object({ code: BookingCodeSchema }),
    completion: z.object({ booking: BookingViewSchema }),
    errors: bookingErrors,
    events: {},
  }),
  'Booking.Reschedule': defineCommand({
    role: 'citizen',
    description:
      'Move a booking to another slot of its service, atomically: the old slot is kept when the new one is gone. Needs the ID card of the person who booked, read in this session.',
    payload: z.object({ code: BookingCodeSchema, start: IsoInstantSchema }),
    completion: ReserveCompletionSchema,
    errors: bookingErrors,
    events: {},
  }),
  'Booking.CheckIn': defineCommand({
    role: 'citizen',
    description: 'Check in on the day of the booking, within its check-in window; issues the queue ticket (number, window, people ahead, receipt). The code alone is enough; when a card was read in this session it must be the booker\'s (notYourBooking).',
    payload: z.object({ code: BookingCodeSchema }),
    completion: z.object({ booking: BookingViewSchema, ticket: QueueTicketSchema }),
    errors: bookingErrors,
    events: {},
  }),
  'Booking.Slip': defineCommand({
    role: 'citizen',
    description: 'The printer-neutral slip of a booking, for the receipt printer.',
    payload: z.object({ code: BookingCodeSchema }),
    completion: z.object({ slip: SlipDocumentSchema }),
    errors: bookingErrors,
    events: {},
  }),
  'Booking.Export': defineCommand({
    role: 'staff',
    description: "A day's bookings for the hall's queue system, as CSV or iCalendar (masked names only).",
    payload: z.object({ date: IsoDateSchema, format: z.enum(['csv', 'ics']) }),
    completion: z.object({
      date: IsoDateSchema,
      format: z.enum(['csv', 'ics']),
      contentType: z.string(),
      filename: z.string(),
      count: z.number().int().nonnegative(),
      content: z.string(),
    }),
    errors: bookingErrors,
    events: {},
  }),
  'Booking.CalendarStatus': defineCommand({
    role: 'none',
    description: 'Whether the holiday data covers the booking horizon: staff add next year\'s schedule when it does not.',
    payload: z.object({}).optional(),
    completion: z.object({ holidayData: HolidayDataStatusSchema, earliest: IsoDateSchema, latest: IsoDateSchema }),
    errors: bookingErrors,
    events: {},
  }),
} as const;

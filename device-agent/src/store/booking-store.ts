/**
 * Where bookings live, behind an interface so that a hall with several terminals
 * can move the very same booking logic onto a shared PostgreSQL later.
 *
 * The logic never runs queries itself. For every change it asks the store for a
 * snapshot (the booking, the person's recent bookings, the target slot's bookings),
 * decides with a pure function, and hands back the writes; the store runs
 * read → decide → write as ONE serialised transaction. SQLite does that with
 * BEGIN IMMEDIATE (one writer at a time, across processes); a PostgreSQL store
 * would take `pg_advisory_xact_lock` on the slot and the person (or run
 * SERIALIZABLE and retry) and call the same `plan` function.
 */

export const BOOKING_STATUSES = ['booked', 'checkedIn', 'cancelled'] as const;
/** Stored states. "No-show" is derived: `booked` with the check-in window over. */
export type StoredBookingStatus = (typeof BOOKING_STATUSES)[number];

export interface BookingRecord {
  /** The booking code, unique, the primary key. */
  readonly code: string;
  readonly serviceId: string;
  readonly windowId: string;
  /** HMAC of the ID number with the terminal's secret: never the number itself. */
  readonly personKey: string;
  /** For slip and export only, e.g. `王*明`. */
  readonly maskedName: string;
  readonly startMs: number;
  readonly endMs: number;
  /** Shanghai date of `startMs`, `YYYY-MM-DD`. */
  readonly date: string;
  readonly checkInOpenMs: number;
  readonly checkInCloseMs: number;
  readonly status: StoredBookingStatus;
  readonly createdMs: number;
  readonly updatedMs: number;
  readonly checkedInMs: number | null;
  readonly cancelledMs: number | null;
  readonly rescheduleCount: number;
  /** The terminal that took the booking. */
  readonly terminalId: string;
}

export interface SnapshotQuery {
  /** Load this booking (and, without `personKey`, its person's bookings). */
  readonly code?: string;
  readonly personKey?: string;
  /** Person's bookings starting at or after this instant (not cancelled) are loaded. */
  readonly personSinceMs: number;
  /** Load the bookings (not cancelled) of this slot. */
  readonly slot?: { readonly serviceId: string; readonly startMs: number };
}

export interface BookingSnapshot {
  readonly booking: BookingRecord | undefined;
  /** The person's bookings since `personSinceMs`, any service, cancelled ones left out. */
  readonly person: readonly BookingRecord[];
  /** The target slot's bookings, cancelled ones left out. */
  readonly slot: readonly BookingRecord[];
}

export type BookingChange = Partial<
  Pick<
    BookingRecord,
    'windowId' | 'startMs' | 'endMs' | 'date' | 'checkInOpenMs' | 'checkInCloseMs' | 'status' | 'checkedInMs' | 'cancelledMs' | 'rescheduleCount'
  >
>;

export type BookingWrite =
  | { readonly kind: 'insert'; readonly record: BookingRecord }
  | { readonly kind: 'update'; readonly code: string; readonly change: BookingChange & { readonly updatedMs: number } }
  /** Issue a queue ticket in the same transaction (check-in): read it back with `ticketOf`. */
  | { readonly kind: 'ticket'; readonly request: TicketRequest };

/**
 * A queue ticket (排队号): numbered per service and Shanghai day, unique and increasing across
 * every terminal sharing the store, for a checked-in booking or a walk-in (no booking).
 */
export interface TicketRequest {
  readonly serviceId: string;
  /** Shanghai date, `YYYY-MM-DD`. */
  readonly date: string;
  readonly windowId: string;
  /** The checked-in booking, or null for a walk-in ticket. */
  readonly bookingCode: string | null;
  readonly terminalId: string;
  readonly issuedMs: number;
}

export interface QueueTicket {
  readonly serviceId: string;
  readonly date: string;
  readonly number: number;
  readonly windowId: string;
  readonly bookingCode: string | null;
  readonly issuedMs: number;
  /** Tickets of the same service and day still waiting with a smaller number, now. */
  readonly peopleAhead: number;
}

export interface BookingPlan<T> {
  readonly writes: readonly BookingWrite[];
  readonly result: T;
}

/** Thrown by `atomically` when an inserted code already exists; the caller picks another code. */
export class BookingCodeTakenError extends Error {
  override readonly name = 'BookingCodeTakenError';
}

export interface BookingStore {
  /**
   * Reads the snapshot, calls `plan` (pure, synchronous, may be called again on retry),
   * and applies its writes, all in one serialised transaction. Nothing is written when
   * `plan` throws.
   */
  atomically<T>(query: SnapshotQuery, plan: (snapshot: BookingSnapshot) => BookingPlan<T>): Promise<T>;
  get(code: string): Promise<BookingRecord | undefined>;
  /** A person's bookings starting at or after `sinceMs`, cancelled ones included, by start. */
  listByPerson(personKey: string, sinceMs: number): Promise<BookingRecord[]>;
  /** All bookings on a Shanghai date, cancelled ones included, by start then code. */
  listByDate(date: string): Promise<BookingRecord[]>;
  /** Seats taken (not cancelled) per slot start of a service, for slots starting in [fromMs, toMs). */
  countTaken(serviceId: string, fromMs: number, toMs: number): Promise<Map<number, number>>;
  /**
   * Issues a walk-in ticket (the window comes from `pickWindow(numberOfTicket)`) in its own
   * transaction. Queue tickets live beside the bookings: one queue per service and day.
   */
  takeTicket(request: Omit<TicketRequest, 'windowId' | 'bookingCode'>, pickWindow: (number: number) => string): Promise<QueueTicket>;
  /** The ticket issued for a booking at check-in, with the people ahead now. */
  ticketOf(bookingCode: string): Promise<QueueTicket | undefined>;
}

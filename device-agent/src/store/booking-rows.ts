import type { BookingChange, BookingRecord, QueueTicket, StoredBookingStatus } from './booking-store.ts';

/**
 * The booking and queue-ticket rows as both stores read and write them (the SQLite table in
 * booking-migrations.ts and the PostgreSQL one in hall-migrations.ts have the same columns).
 * PostgreSQL returns bigint and count(*) as text, SQLite as numbers: every number goes through `Number`.
 */
type Num = number | string;

export interface BookingRow {
  code: string;
  service_id: string;
  window_id: string;
  person_key: string;
  masked_name: string;
  start_ms: Num;
  end_ms: Num;
  date: string;
  check_in_open_ms: Num;
  check_in_close_ms: Num;
  status: string;
  created_ms: Num;
  updated_ms: Num;
  checked_in_ms: Num | null;
  cancelled_ms: Num | null;
  reschedule_count: Num;
  terminal_id: string;
}

export interface TicketRow {
  service_id: string;
  day: string;
  number: Num;
  window_id: string;
  booking_code: string | null;
  issued_ms: Num;
  ahead: Num;
}

function statusOf(text: string): StoredBookingStatus {
  if (text === 'booked' || text === 'checkedIn' || text === 'cancelled') return text;
  throw new Error(`unknown booking status in store: ${text}`);
}

const numOrNull = (v: Num | null): number | null => (v === null ? null : Number(v));

export function bookingFromRow(r: BookingRow): BookingRecord {
  return {
    code: r.code,
    serviceId: r.service_id,
    windowId: r.window_id,
    personKey: r.person_key,
    maskedName: r.masked_name,
    startMs: Number(r.start_ms),
    endMs: Number(r.end_ms),
    date: r.date,
    checkInOpenMs: Number(r.check_in_open_ms),
    checkInCloseMs: Number(r.check_in_close_ms),
    status: statusOf(r.status),
    createdMs: Number(r.created_ms),
    updatedMs: Number(r.updated_ms),
    checkedInMs: numOrNull(r.checked_in_ms),
    cancelledMs: numOrNull(r.cancelled_ms),
    rescheduleCount: Number(r.reschedule_count),
    terminalId: r.terminal_id,
  };
}

/** The columns of an insert, in the order of `bookingInsertValues`. */
export const BOOKING_INSERT_COLUMNS = [
  'code',
  'service_id',
  'window_id',
  'person_key',
  'masked_name',
  'start_ms',
  'end_ms',
  'date',
  'check_in_open_ms',
  'check_in_close_ms',
  'status',
  'created_ms',
  'updated_ms',
  'checked_in_ms',
  'cancelled_ms',
  'reschedule_count',
  'terminal_id',
] as const;

export function bookingInsertValues(r: BookingRecord): (string | number | null)[] {
  return [
    r.code,
    r.serviceId,
    r.windowId,
    r.personKey,
    r.maskedName,
    r.startMs,
    r.endMs,
    r.date,
    r.checkInOpenMs,
    r.checkInCloseMs,
    r.status,
    r.createdMs,
    r.updatedMs,
    r.checkedInMs,
    r.cancelledMs,
    r.rescheduleCount,
    r.terminalId,
  ];
}

/** Column of each changeable field; update statements are built from this fixed list only. */
export const CHANGE_COLUMNS: { readonly [K in keyof Required<BookingChange>]: string } & { readonly updatedMs: string } = {
  windowId: 'window_id',
  startMs: 'start_ms',
  endMs: 'end_ms',
  date: 'date',
  checkInOpenMs: 'check_in_open_ms',
  checkInCloseMs: 'check_in_close_ms',
  status: 'status',
  checkedInMs: 'checked_in_ms',
  cancelledMs: 'cancelled_ms',
  rescheduleCount: 'reschedule_count',
  updatedMs: 'updated_ms',
};

/** The fields a change sets, in a stable order (so a statement per set of fields can be cached). */
export function changedKeys(change: BookingChange & { readonly updatedMs: number }): (keyof typeof CHANGE_COLUMNS)[] {
  return (Object.keys(change) as (keyof typeof CHANGE_COLUMNS)[]).filter((k) => change[k] !== undefined).sort();
}

/** A ticket with the tickets still waiting before it (alias `t`), for every query that returns one. */
export const TICKET_SELECT = `SELECT t.service_id, t.day, t.number, t.window_id, t.booking_code, t.issued_ms,
  (SELECT count(*) FROM queue_ticket a WHERE a.service_id = t.service_id AND a.day = t.day AND a.status = 'waiting' AND a.number < t.number) AS ahead
  FROM queue_ticket t`;

export function ticketFromRow(r: TicketRow): QueueTicket {
  return {
    serviceId: r.service_id,
    date: r.day,
    number: Number(r.number),
    windowId: r.window_id,
    bookingCode: r.booking_code,
    issuedMs: Number(r.issued_ms),
    peopleAhead: Number(r.ahead),
  };
}

import type { Database, Statement } from 'better-sqlite3';
import type { BookingChange, BookingPlan, BookingRecord, BookingSnapshot, BookingStore, QueueTicket, SnapshotQuery, TicketRequest } from './booking-store.ts';
import type { BookingRow, TicketRow } from './booking-rows.ts';
import {
  BOOKING_INSERT_COLUMNS,
  bookingFromRow as fromRow,
  bookingInsertValues,
  CHANGE_COLUMNS,
  changedKeys,
  TICKET_SELECT,
  ticketFromRow,
} from './booking-rows.ts';
import { BookingCodeTakenError } from './booking-store.ts';

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && (error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || error.code === 'SQLITE_CONSTRAINT_UNIQUE');
}

/**
 * SQLite bookings (better-sqlite3). The tables come from `bookingMigrations`.
 * Every change runs in `BEGIN IMMEDIATE`: the write lock is taken before the
 * snapshot is read, so two requests (in this process, or another terminal's
 * process on the same file) racing for the last seat are serialised and the
 * second one sees the seat taken. The connection should be in WAL mode with a
 * busy timeout (store/db.ts sets both) so that waiting writers queue instead of failing.
 */
export class SqliteBookingStore implements BookingStore {
  readonly #db: Database;
  readonly #byCode: Statement<[string], BookingRow>;
  readonly #byPerson: Statement<[string, number], BookingRow>;
  readonly #byPersonAll: Statement<[string, number], BookingRow>;
  readonly #bySlot: Statement<[string, number], BookingRow>;
  readonly #byDate: Statement<[string], BookingRow>;
  readonly #countTaken: Statement<[string, number, number], { start_ms: number; taken: number }>;
  readonly #insert: Statement<unknown[]>;
  readonly #updates = new Map<string, Statement<unknown[]>>();
  readonly #nextNumber: Statement<[string, string], { last_number: number }>;
  readonly #insertTicket: Statement<[string, string, number, string | null, string, number, string]>;
  readonly #ticketByCode: Statement<[string], TicketRow>;
  readonly #ticketByNumber: Statement<[string, string, number], TicketRow>;

  constructor(db: Database) {
    this.#db = db;
    this.#byCode = db.prepare<[string], BookingRow>('SELECT * FROM booking WHERE code = ?');
    this.#byPerson = db.prepare<[string, number], BookingRow>(
      "SELECT * FROM booking WHERE person_key = ? AND start_ms >= ? AND status <> 'cancelled' ORDER BY start_ms, code",
    );
    this.#byPersonAll = db.prepare<[string, number], BookingRow>('SELECT * FROM booking WHERE person_key = ? AND start_ms >= ? ORDER BY start_ms, code');
    this.#bySlot = db.prepare<[string, number], BookingRow>(
      "SELECT * FROM booking WHERE service_id = ? AND start_ms = ? AND status <> 'cancelled' ORDER BY created_ms, code",
    );
    this.#byDate = db.prepare<[string], BookingRow>('SELECT * FROM booking WHERE date = ? ORDER BY start_ms, code');
    this.#countTaken = db.prepare<[string, number, number], { start_ms: number; taken: number }>(
      "SELECT start_ms, count(*) AS taken FROM booking WHERE service_id = ? AND start_ms >= ? AND start_ms < ? AND status <> 'cancelled' GROUP BY start_ms",
    );
    this.#insert = db.prepare<unknown[]>(
      `INSERT INTO booking (${BOOKING_INSERT_COLUMNS.join(', ')}) VALUES (${BOOKING_INSERT_COLUMNS.map(() => '?').join(', ')})`,
    );
    this.#nextNumber = db.prepare<[string, string], { last_number: number }>(
      `INSERT INTO queue_counter (service_id, day, last_number) VALUES (?, ?, 1)
       ON CONFLICT (service_id, day) DO UPDATE SET last_number = last_number + 1 RETURNING last_number`,
    );
    this.#insertTicket = db.prepare<[string, string, number, string | null, string, number, string]>(
      'INSERT INTO queue_ticket (service_id, day, number, booking_code, window_id, issued_ms, terminal_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.#ticketByCode = db.prepare<[string], TicketRow>(`${TICKET_SELECT} WHERE t.booking_code = ?`);
    this.#ticketByNumber = db.prepare<[string, string, number], TicketRow>(
      `${TICKET_SELECT} WHERE t.service_id = ? AND t.day = ? AND t.number = ?`,
    );
  }

  /** Next number of the service's day (inside the caller's transaction), then the ticket row. */
  #issue(request: TicketRequest | Omit<TicketRequest, 'windowId'>, pickWindow: (number: number) => string): number {
    const counter = this.#nextNumber.get(request.serviceId, request.date);
    if (!counter) throw new Error('queue counter returned no row');
    const number = counter.last_number;
    const windowId = 'windowId' in request ? request.windowId : pickWindow(number);
    this.#insertTicket.run(request.serviceId, request.date, number, request.bookingCode, windowId, request.issuedMs, request.terminalId);
    return number;
  }

  #snapshot(query: SnapshotQuery): BookingSnapshot {
    const booking = query.code === undefined ? undefined : this.#byCode.get(query.code);
    const personKey = query.personKey ?? booking?.person_key;
    return {
      booking: booking ? fromRow(booking) : undefined,
      person: personKey === undefined ? [] : this.#byPerson.all(personKey, query.personSinceMs).map(fromRow),
      slot: query.slot ? this.#bySlot.all(query.slot.serviceId, query.slot.startMs).map(fromRow) : [],
    };
  }

  #update(code: string, change: BookingChange & { readonly updatedMs: number }): void {
    const keys = changedKeys(change);
    const sqlKey = keys.join(',');
    let stmt = this.#updates.get(sqlKey);
    if (!stmt) {
      stmt = this.#db.prepare<unknown[]>(`UPDATE booking SET ${keys.map((k) => `${CHANGE_COLUMNS[k]} = ?`).join(', ')} WHERE code = ?`);
      this.#updates.set(sqlKey, stmt);
    }
    const result = stmt.run(...keys.map((k) => change[k]), code);
    if (result.changes !== 1) throw new Error('booking update matched no row');
  }

  #insertRecord(r: BookingRecord): void {
    try {
      this.#insert.run(...bookingInsertValues(r));
    } catch (error) {
      if (isUniqueViolation(error)) throw new BookingCodeTakenError('booking code already taken');
      throw error;
    }
  }

  atomically<T>(query: SnapshotQuery, plan: (snapshot: BookingSnapshot) => BookingPlan<T>): Promise<T> {
    try {
      const run = this.#db.transaction((): T => {
        const decided = plan(this.#snapshot(query));
        for (const write of decided.writes) {
          switch (write.kind) {
            case 'insert':
              this.#insertRecord(write.record);
              break;
            case 'update':
              this.#update(write.code, write.change);
              break;
            case 'ticket':
              this.#issue(write.request, () => write.request.windowId);
              break;
            default: {
              const never: never = write;
              throw new Error(`unknown booking write ${String(never)}`);
            }
          }
        }
        return decided.result;
      });
      // BEGIN IMMEDIATE: take the write lock before reading, or two writers could read the same free seat.
      return Promise.resolve(run.immediate());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  get(code: string): Promise<BookingRecord | undefined> {
    const row = this.#byCode.get(code);
    return Promise.resolve(row ? fromRow(row) : undefined);
  }

  listByPerson(personKey: string, sinceMs: number): Promise<BookingRecord[]> {
    return Promise.resolve(this.#byPersonAll.all(personKey, sinceMs).map(fromRow));
  }

  listByDate(date: string): Promise<BookingRecord[]> {
    return Promise.resolve(this.#byDate.all(date).map(fromRow));
  }

  countTaken(serviceId: string, fromMs: number, toMs: number): Promise<Map<number, number>> {
    return Promise.resolve(new Map(this.#countTaken.all(serviceId, fromMs, toMs).map((r) => [r.start_ms, r.taken])));
  }

  takeTicket(request: Omit<TicketRequest, 'windowId' | 'bookingCode'>, pickWindow: (number: number) => string): Promise<QueueTicket> {
    try {
      const number = this.#db.transaction(() => this.#issue({ ...request, bookingCode: null }, pickWindow)).immediate();
      const row = this.#ticketByNumber.get(request.serviceId, request.date, number);
      if (!row) throw new Error('ticket missing after insert');
      return Promise.resolve(ticketFromRow(row));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  ticketOf(bookingCode: string): Promise<QueueTicket | undefined> {
    const row = this.#ticketByCode.get(bookingCode);
    return Promise.resolve(row ? ticketFromRow(row) : undefined);
  }
}

import type { Database, Statement } from 'better-sqlite3';
import type {
  BookingChange,
  BookingPlan,
  BookingRecord,
  BookingSnapshot,
  BookingStore,
  SnapshotQuery,
  StoredBookingStatus,
} from './booking-store.ts';
import { BookingCodeTakenError } from './booking-store.ts';

interface BookingRow {
  code: string;
  service_id: string;
  window_id: string;
  person_key: string;
  masked_name: string;
  start_ms: number;
  end_ms: number;
  date: string;
  check_in_open_ms: number;
  check_in_close_ms: number;
  status: string;
  created_ms: number;
  updated_ms: number;
  checked_in_ms: number | null;
  cancelled_ms: number | null;
  reschedule_count: number;
  terminal_id: string;
}

function statusOf(text: string): StoredBookingStatus {
  if (text === 'booked' || text === 'checkedIn' || text === 'cancelled') return text;
  throw new Error(`unknown booking status in store: ${text}`);
}

function fromRow(r: BookingRow): BookingRecord {
  return {
    code: r.code,
    serviceId: r.service_id,
    windowId: r.window_id,
    personKey: r.person_key,
    maskedName: r.masked_name,
    startMs: r.start_ms,
    endMs: r.end_ms,
    date: r.date,
    checkInOpenMs: r.check_in_open_ms,
    checkInCloseMs: r.check_in_close_ms,
    status: statusOf(r.status),
    createdMs: r.created_ms,
    updatedMs: r.updated_ms,
    checkedInMs: r.checked_in_ms,
    cancelledMs: r.cancelled_ms,
    rescheduleCount: r.reschedule_count,
    terminalId: r.terminal_id,
  };
}

/** Column of each changeable field; the update statement is built from this fixed list only. */
const CHANGE_COLUMNS: { readonly [K in keyof Required<BookingChange>]: string } & { readonly updatedMs: string } = {
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
  readonly #insert: Statement<[BookingRow]>;
  readonly #updates = new Map<string, Statement<unknown[]>>();

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
    this.#insert = db.prepare<[BookingRow]>(
      `INSERT INTO booking (code, service_id, window_id, person_key, masked_name, start_ms, end_ms, date, check_in_open_ms,
         check_in_close_ms, status, created_ms, updated_ms, checked_in_ms, cancelled_ms, reschedule_count, terminal_id)
       VALUES (@code, @service_id, @window_id, @person_key, @masked_name, @start_ms, @end_ms, @date, @check_in_open_ms,
         @check_in_close_ms, @status, @created_ms, @updated_ms, @checked_in_ms, @cancelled_ms, @reschedule_count, @terminal_id)`,
    );
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
    const keys = (Object.keys(change) as (keyof typeof CHANGE_COLUMNS)[]).filter((k) => change[k] !== undefined).sort();
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
      this.#insert.run({
        code: r.code,
        service_id: r.serviceId,
        window_id: r.windowId,
        person_key: r.personKey,
        masked_name: r.maskedName,
        start_ms: r.startMs,
        end_ms: r.endMs,
        date: r.date,
        check_in_open_ms: r.checkInOpenMs,
        check_in_close_ms: r.checkInCloseMs,
        status: r.status,
        created_ms: r.createdMs,
        updated_ms: r.updatedMs,
        checked_in_ms: r.checkedInMs,
        cancelled_ms: r.cancelledMs,
        reschedule_count: r.rescheduleCount,
        terminal_id: r.terminalId,
      });
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
          if (write.kind === 'insert') this.#insertRecord(write.record);
          else this.#update(write.code, write.change);
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
}

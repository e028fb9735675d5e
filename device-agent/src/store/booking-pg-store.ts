import type pg from 'pg';
import type {
  BookingChange,
  BookingPlan,
  BookingRecord,
  BookingSnapshot,
  BookingStore,
  BookingWrite,
  QueueTicket,
  SnapshotQuery,
  TicketRequest,
} from './booking-store.ts';
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
import { advisoryKey, asHallDbError, HallDbUnavailableError, isHallDbUnavailable } from './hall-db.ts';

const UNIQUE_VIOLATION = '23505';

function sqlStateOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

export interface PgBookingStoreOptions {
  readonly pool: pg.Pool;
  /**
   * Enforce one active booking per person and service with the `booking_hold` constraint.
   * Follows the hall calendar's `rules.oneActivePerService` (read at each reservation). Default: always.
   */
  readonly oneActivePerService?: () => boolean;
  /** How long to keep asking, after a commit whose answer was lost, whether it landed. Default 15 s. */
  readonly resolveTimeoutMs?: number;
  readonly resolveIntervalMs?: number;
  /** Tests only: run right before COMMIT (e.g. cut the connection) and right after it (e.g. throw as if the answer was lost). */
  readonly commitHooks?: {
    readonly before?: (client: pg.PoolClient) => Promise<void>;
    readonly after?: () => void;
  };
}

type Outcome<T> = { readonly committed: true; readonly result: T } | { readonly committed: false };

/**
 * Bookings in the hall's PostgreSQL (issue 14): the same snapshot → pure plan → writes as the
 * SQLite store, so every rule is decided by the same functions (rules.ts).
 *
 * Exactness under races from many terminals: each transaction first takes transaction-scoped
 * advisory locks on the person and on the target slot, always in the same (sorted) order so that
 * two transactions never wait on each other in a cycle, then reads the snapshot (READ COMMITTED:
 * each statement sees what every earlier lock holder committed) and locks the booking's row
 * (`FOR UPDATE`) when it changes one. Two reservations of the last seat are serialised on the slot
 * lock and the second one sees the seat taken. The `booking_hold` primary key makes a second
 * active booking of one person for one service impossible even if the code were wrong.
 *
 * A connection lost while COMMIT was in flight leaves the outcome unknown: the store then asks
 * (on a new connection) whether the first write landed, and answers with the decided result if
 * it did, or HallDbUnavailableError if it did not or cannot tell, so a citizen is never told
 * "failed" about a booking that exists, nor "booked" about one that does not.
 */
export class PgBookingStore implements BookingStore {
  readonly #pool: pg.Pool;
  readonly #exclusive: () => boolean;
  readonly #resolveTimeoutMs: number;
  readonly #resolveIntervalMs: number;
  readonly #hooks: PgBookingStoreOptions['commitHooks'];

  constructor(options: PgBookingStoreOptions) {
    this.#pool = options.pool;
    this.#exclusive = options.oneActivePerService ?? (() => true);
    this.#resolveTimeoutMs = options.resolveTimeoutMs ?? 15_000;
    this.#resolveIntervalMs = options.resolveIntervalMs ?? 500;
    this.#hooks = options.commitHooks;
  }

  async #read<R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<R[]> {
    try {
      return (await this.#pool.query<R>(sql, params)).rows;
    } catch (error) {
      throw asHallDbError(error);
    }
  }

  async #lockAndSnapshot(client: pg.PoolClient, query: SnapshotQuery): Promise<BookingSnapshot> {
    // The person of a booking never changes, so it can be read before the locks are taken.
    let personKey = query.personKey;
    if (personKey === undefined && query.code !== undefined) {
      personKey = (await client.query<{ person_key: string }>('SELECT person_key FROM booking WHERE code = $1', [query.code])).rows[0]?.person_key;
    }
    const names: string[] = [];
    if (personKey !== undefined) names.push(`booking:person:${personKey}`);
    if (query.slot) names.push(`booking:slot:${query.slot.serviceId}:${query.slot.startMs}`);
    const keys = names.map(advisoryKey).sort();
    for (const key of keys) await client.query('SELECT pg_advisory_xact_lock($1)', [key]);

    const booking =
      query.code === undefined ? undefined : (await client.query<BookingRow>('SELECT * FROM booking WHERE code = $1 FOR UPDATE', [query.code])).rows[0];
    const person =
      personKey === undefined
        ? []
        : (
            await client.query<BookingRow>(
              "SELECT * FROM booking WHERE person_key = $1 AND start_ms >= $2 AND status <> 'cancelled' ORDER BY start_ms, code",
              [personKey, query.personSinceMs],
            )
          ).rows;
    const slot = query.slot
      ? (
          await client.query<BookingRow>(
            "SELECT * FROM booking WHERE service_id = $1 AND start_ms = $2 AND status <> 'cancelled' ORDER BY created_ms, code",
            [query.slot.serviceId, query.slot.startMs],
          )
        ).rows
      : [];
    return { booking: booking ? fromRow(booking) : undefined, person: person.map(fromRow), slot: slot.map(fromRow) };
  }

  async #insert(client: pg.PoolClient, r: BookingRecord): Promise<void> {
    try {
      await client.query(
        `INSERT INTO booking (${BOOKING_INSERT_COLUMNS.join(', ')}) VALUES (${BOOKING_INSERT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`,
        bookingInsertValues(r),
      );
    } catch (error) {
      if (sqlStateOf(error) === UNIQUE_VIOLATION) throw new BookingCodeTakenError('booking code already taken');
      throw error;
    }
    if (r.status !== 'booked' || !this.#exclusive()) return;
    // Claim (person, service); take it over only from a booking that is no longer active at this instant.
    const claimed = await client.query(
      `INSERT INTO booking_hold AS h (person_key, service_id, code) VALUES ($1, $2, $3)
       ON CONFLICT (person_key, service_id) DO UPDATE SET code = EXCLUDED.code
       WHERE NOT EXISTS (SELECT 1 FROM booking b WHERE b.code = h.code AND b.status = 'booked' AND b.check_in_close_ms >= $4)`,
      [r.personKey, r.serviceId, r.code, r.createdMs],
    );
    if (claimed.rowCount !== 1) throw new Error('booking_hold: this person already holds an active booking of this service');
  }

  async #update(client: pg.PoolClient, code: string, change: BookingChange & { readonly updatedMs: number }): Promise<void> {
    const keys = changedKeys(change);
    const sets = keys.map((k, i) => `${CHANGE_COLUMNS[k]} = $${i + 1}`).join(', ');
    const result = await client.query(`UPDATE booking SET ${sets} WHERE code = $${keys.length + 1}`, [...keys.map((k) => change[k]), code]);
    if (result.rowCount !== 1) throw new Error('booking update matched no row');
    if (change.status === 'cancelled' || change.status === 'checkedIn') await client.query('DELETE FROM booking_hold WHERE code = $1', [code]);
  }

  async #issue(client: pg.PoolClient, request: Omit<TicketRequest, 'windowId'>, pickWindow: (number: number) => string): Promise<number> {
    const counter = await client.query<{ last_number: number }>(
      `INSERT INTO queue_counter AS c (service_id, day, last_number) VALUES ($1, $2, 1)
       ON CONFLICT (service_id, day) DO UPDATE SET last_number = c.last_number + 1 RETURNING last_number`,
      [request.serviceId, request.date],
    );
    const number = counter.rows[0]?.last_number;
    if (number === undefined) throw new Error('queue counter returned no row');
    await client.query(
      'INSERT INTO queue_ticket (service_id, day, number, booking_code, window_id, issued_ms, terminal_id) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [request.serviceId, request.date, number, request.bookingCode, pickWindow(number), request.issuedMs, request.terminalId],
    );
    return number;
  }

  async #apply(client: pg.PoolClient, write: BookingWrite): Promise<void> {
    switch (write.kind) {
      case 'insert':
        return this.#insert(client, write.record);
      case 'update':
        return this.#update(client, write.code, write.change);
      case 'ticket':
        await this.#issue(client, write.request, () => write.request.windowId);
        return;
      default: {
        const never: never = write;
        throw new Error(`unknown booking write ${String(never)}`);
      }
    }
  }

  /** Whether a transaction whose COMMIT answer was lost landed, judged by its first write. */
  async #landed(write: BookingWrite): Promise<boolean> {
    switch (write.kind) {
      case 'insert': {
        const rows = await this.#read<{ created_ms: string; terminal_id: string }>('SELECT created_ms, terminal_id FROM booking WHERE code = $1', [write.record.code]);
        const row = rows[0];
        return row !== undefined && Number(row.created_ms) === write.record.createdMs && row.terminal_id === write.record.terminalId;
      }
      case 'update': {
        const rows = await this.#read<{ updated_ms: string }>('SELECT updated_ms FROM booking WHERE code = $1', [write.code]);
        return rows[0] !== undefined && Number(rows[0].updated_ms) === write.change.updatedMs;
      }
      case 'ticket': {
        if (write.request.bookingCode === null) return false;
        const rows = await this.#read('SELECT 1 FROM queue_ticket WHERE booking_code = $1', [write.request.bookingCode]);
        return rows.length > 0;
      }
      default: {
        const never: never = write;
        throw new Error(`unknown booking write ${String(never)}`);
      }
    }
  }

  async #resolveLostCommit(write: BookingWrite): Promise<boolean> {
    const deadline = Date.now() + this.#resolveTimeoutMs;
    for (;;) {
      try {
        return await this.#landed(write);
      } catch (error) {
        if (!isHallDbUnavailable(error) || Date.now() >= deadline) {
          throw new HallDbUnavailableError('the hall database went away during a commit and could not be asked whether it landed', { cause: error });
        }
        await new Promise((resolve) => setTimeout(resolve, this.#resolveIntervalMs));
      }
    }
  }

  /**
   * A pooled connection. A connection the server drops while it is checked out emits 'error' besides
   * failing its query; the query's failure is what we act on, so the event is only kept from
   * crashing the process (the pool watches idle connections itself).
   */
  async #checkout(): Promise<pg.PoolClient> {
    try {
      const client = await this.#pool.connect();
      if (client.listenerCount('error') === 0) client.on('error', () => undefined);
      return client;
    } catch (error) {
      throw asHallDbError(error);
    }
  }

  async #transaction<T>(query: SnapshotQuery, plan: (snapshot: BookingSnapshot) => BookingPlan<T>): Promise<Outcome<T>> {
    const client = await this.#checkout();
    let broken = false;
    let decided: BookingPlan<T> | undefined;
    try {
      await client.query('BEGIN');
      decided = plan(await this.#lockAndSnapshot(client, query));
      for (const write of decided.writes) await this.#apply(client, write);
      await this.#hooks?.before?.(client);
    } catch (error) {
      broken = isHallDbUnavailable(error);
      if (!broken) await client.query('ROLLBACK').catch(() => undefined);
      client.release(broken);
      // Nothing was committed: a failure before COMMIT rolls the whole transaction back.
      throw asHallDbError(error);
    }
    try {
      await client.query('COMMIT');
      this.#hooks?.after?.();
      client.release();
      return { committed: true, result: decided.result };
    } catch (error) {
      client.release(true);
      if (!isHallDbUnavailable(error)) throw error;
      const first = decided.writes[0];
      if (first === undefined) return { committed: true, result: decided.result };
      return (await this.#resolveLostCommit(first)) ? { committed: true, result: decided.result } : { committed: false };
    }
  }

  async atomically<T>(query: SnapshotQuery, plan: (snapshot: BookingSnapshot) => BookingPlan<T>): Promise<T> {
    const outcome = await this.#transaction(query, plan);
    if (!outcome.committed) throw new HallDbUnavailableError('the hall database went away during a commit; it did not land');
    return outcome.result;
  }

  async get(code: string): Promise<BookingRecord | undefined> {
    const row = (await this.#read<BookingRow>('SELECT * FROM booking WHERE code = $1', [code]))[0];
    return row ? fromRow(row) : undefined;
  }

  async listByPerson(personKey: string, sinceMs: number): Promise<BookingRecord[]> {
    return (await this.#read<BookingRow>('SELECT * FROM booking WHERE person_key = $1 AND start_ms >= $2 ORDER BY start_ms, code', [personKey, sinceMs])).map(fromRow);
  }

  async listByDate(date: string): Promise<BookingRecord[]> {
    return (await this.#read<BookingRow>('SELECT * FROM booking WHERE date = $1 ORDER BY start_ms, code', [date])).map(fromRow);
  }

  async countTaken(serviceId: string, fromMs: number, toMs: number): Promise<Map<number, number>> {
    const rows = await this.#read<{ start_ms: string; taken: string }>(
      "SELECT start_ms, count(*) AS taken FROM booking WHERE service_id = $1 AND start_ms >= $2 AND start_ms < $3 AND status <> 'cancelled' GROUP BY start_ms",
      [serviceId, fromMs, toMs],
    );
    return new Map(rows.map((r) => [Number(r.start_ms), Number(r.taken)]));
  }

  async takeTicket(request: Omit<TicketRequest, 'windowId' | 'bookingCode'>, pickWindow: (number: number) => string): Promise<QueueTicket> {
    const client = await this.#checkout();
    let number: number;
    try {
      await client.query('BEGIN');
      number = await this.#issue(client, { ...request, bookingCode: null }, pickWindow);
      await client.query('COMMIT');
      client.release();
    } catch (error) {
      const broken = isHallDbUnavailable(error);
      if (!broken) await client.query('ROLLBACK').catch(() => undefined);
      client.release(broken);
      // A walk-in ticket whose commit answer was lost is simply not handed out: the citizen takes another.
      throw asHallDbError(error);
    }
    const row = (await this.#read<TicketRow>(`${TICKET_SELECT} WHERE t.service_id = $1 AND t.day = $2 AND t.number = $3`, [
      request.serviceId,
      request.date,
      number,
    ]))[0];
    if (!row) throw new Error('ticket missing after insert');
    return ticketFromRow(row);
  }

  async ticketOf(bookingCode: string): Promise<QueueTicket | undefined> {
    const row = (await this.#read<TicketRow>(`${TICKET_SELECT} WHERE t.booking_code = $1`, [bookingCode]))[0];
    return row ? ticketFromRow(row) : undefined;
  }
}

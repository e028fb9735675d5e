import type pg from 'pg';
import type { Logger } from 'pino';
import { PgBookingStore } from './booking-pg-store.ts';
import type { PgBookingStoreOptions } from './booking-pg-store.ts';
import type { BookingPlan, BookingSnapshot, BookingStore, SnapshotQuery } from './booking-store.ts';
import { asHallDbError, createHallPool, HallDbUnavailableError, loadOrCreateHallSecret, migrateHallDb } from './hall-db.ts';

/** A booking store reached through `open()`: each call first waits for it (or fails as `open()` fails). */
export class GatedBookingStore implements BookingStore {
  readonly #open: () => Promise<BookingStore>;
  constructor(open: () => Promise<BookingStore>) {
    this.#open = open;
  }
  async atomically<T>(query: SnapshotQuery, plan: (snapshot: BookingSnapshot) => BookingPlan<T>): Promise<T> {
    return (await this.#open()).atomically(query, plan);
  }
  async get(code: string) {
    return (await this.#open()).get(code);
  }
  async listByPerson(personKey: string, sinceMs: number) {
    return (await this.#open()).listByPerson(personKey, sinceMs);
  }
  async listByDate(date: string) {
    return (await this.#open()).listByDate(date);
  }
  async countTaken(serviceId: string, fromMs: number, toMs: number) {
    return (await this.#open()).countTaken(serviceId, fromMs, toMs);
  }
  async takeTicket(...args: Parameters<BookingStore['takeTicket']>) {
    return (await this.#open()).takeTicket(...args);
  }
  async ticketOf(bookingCode: string) {
    return (await this.#open()).ticketOf(bookingCode);
  }
}

export interface HallConnectionOptions {
  readonly connectionString: string;
  readonly log: Logger;
  readonly schema?: string | undefined;
  /** Between attempts to reach the hall database the first time. Default 5000. */
  readonly retryMs?: number;
}

/**
 * The terminal's link to the hall database (`--hall-db`). The agent starts whether or not the
 * server is reachable: applications and pickup are local and keep working. Until the migrations
 * have run and the hall's person-key secret is read, every booking call answers
 * HallDbUnavailableError (and tries once more right then); after that the pool reconnects by itself
 * whenever the server comes back, and a call made while it is away answers the same error.
 */
export class HallConnection {
  readonly pool: pg.Pool;
  readonly #log: Logger;
  readonly #schema: string | undefined;
  readonly #retryMs: number;
  #secret: Buffer | undefined;
  #attempt: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: HallConnectionOptions) {
    this.pool = createHallPool({ connectionString: options.connectionString, schema: options.schema });
    this.#log = options.log.child({ component: 'hall-db' });
    this.#schema = options.schema;
    this.#retryMs = options.retryMs ?? 5000;
    // A connection the server drops (restart, network) must not crash the agent: the pool opens a new one.
    this.pool.on('error', (error) => this.#log.warn({ err: { message: error.message } }, 'hall database: idle connection lost'));
  }

  get ready(): boolean {
    return this.#secret !== undefined;
  }

  /** Tries to reach the database now; on failure keeps trying every `retryMs` in the background. */
  connect(): Promise<void> {
    this.#attempt ??= (async () => {
      try {
        const applied = await migrateHallDb(this.pool, { schema: this.#schema });
        if (applied.length > 0) this.#log.info({ applied }, 'hall database: migrations applied');
        this.#secret = await loadOrCreateHallSecret(this.pool);
        this.#log.info('hall database: connected');
      } catch (error) {
        const failure = asHallDbError(error);
        this.#log.warn({ err: { message: failure.message } }, 'hall database: unreachable; booking is unavailable until it answers');
        if (!this.#closed) {
          clearTimeout(this.#timer);
          this.#timer = setTimeout(() => void this.connect().catch(() => undefined), this.#retryMs);
          this.#timer.unref();
        }
        throw failure;
      } finally {
        this.#attempt = undefined;
      }
    })();
    return this.#attempt;
  }

  /** The hall-wide person-key secret; HallDbUnavailableError before the database first answered. */
  personSecret(): Buffer {
    if (this.#secret === undefined) throw new HallDbUnavailableError('the hall database has not answered yet');
    return this.#secret;
  }

  /** Resolves once the migrations have run and the secret is read; tries to connect now if not yet (HallDbUnavailableError when it cannot). */
  async whenReady(): Promise<void> {
    if (!this.ready) await this.connect();
  }

  bookingStore(options: Omit<PgBookingStoreOptions, 'pool'> = {}): BookingStore {
    const store = new PgBookingStore({ ...options, pool: this.pool });
    return new GatedBookingStore(async () => {
      await this.whenReady();
      return store;
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.pool.end().catch(() => undefined);
  }
}

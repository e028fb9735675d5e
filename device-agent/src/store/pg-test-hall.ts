/**
 * PostgreSQL booking stores for tests and the bench: one private cluster (pg-test-cluster.ts),
 * one schema per store, so that every test starts from an empty hall database.
 */
import type pg from 'pg';
import { PgBookingStore } from './booking-pg-store.ts';
import type { PgBookingStoreOptions } from './booking-pg-store.ts';
import type { BookingStore } from './booking-store.ts';
import { GatedBookingStore } from './hall-connection.ts';
import { createHallPool, migrateHallDb } from './hall-db.ts';
import { startPgTestCluster } from './pg-test-cluster.ts';
import type { PgTestCluster } from './pg-test-cluster.ts';

export class PgTestHall {
  readonly cluster: PgTestCluster;
  readonly #pools: pg.Pool[] = [];

  private constructor(cluster: PgTestCluster) {
    this.cluster = cluster;
  }

  static async start(): Promise<PgTestHall> {
    return new PgTestHall(await startPgTestCluster());
  }

  /** A pool on `schema` (closed by `close()`). */
  pool(schema: string, options: { maxConnections?: number; connectTimeoutMs?: number } = {}): pg.Pool {
    const pool = createHallPool({ connectionString: this.cluster.url, schema, maxConnections: options.maxConnections ?? 4, connectTimeoutMs: options.connectTimeoutMs ?? 5000 });
    pool.on('error', () => undefined);
    this.#pools.push(pool);
    return pool;
  }

  /** A store on a new schema (or `schema`), usable at once: its first call waits for the migrations. */
  store(schema = this.cluster.newSchema(), options: Omit<PgBookingStoreOptions, 'pool'> = {}): BookingStore {
    const pool = this.pool(schema);
    const ready = migrateHallDb(pool, { schema }).then(() => new PgBookingStore({ ...options, pool }));
    ready.catch(() => undefined); // surfaced by the first call, never an unhandled rejection
    return new GatedBookingStore(() => ready);
  }

  /** A migrated store with its pool, for tests that need the real class. */
  async pgStore(schema = this.cluster.newSchema(), options: Omit<PgBookingStoreOptions, 'pool'> = {}): Promise<{ store: PgBookingStore; pool: pg.Pool; schema: string }> {
    const pool = this.pool(schema);
    await migrateHallDb(pool, { schema });
    return { store: new PgBookingStore({ ...options, pool }), pool, schema };
  }

  async close(): Promise<void> {
    await Promise.all(this.#pools.splice(0).map((p) => p.end().catch(() => undefined)));
    await this.cluster.destroy();
  }
}

/**
 * The hall database (issue 14): one PostgreSQL shared by every terminal of a hall, for
 * what the terminals must agree on (bookings, queue tickets, the person-key secret; later
 * the staff register and terminal heartbeats). Per-terminal things stay in SQLite (db.ts).
 *
 * - `createHallPool` makes a pool (node-postgres); `migrateHallDb` runs the hall's migrations.
 *   Every terminal runs them when it first reaches the database (hall-connection.ts); `pg_advisory_lock` makes the first one do the work while the others
 *   wait, then find nothing left to do. Ids are ordered and never change once shipped.
 * - A failure to reach the server (refused, reset, terminated, timed out, shut down) is
 *   `HallDbUnavailableError`: the callers say "booking is unavailable right now" instead of
 *   crashing, and the pool reconnects by itself on the next query.
 */
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { hallMigrations } from './hall-migrations.ts';

export type HallMigration = { readonly id: string; readonly sql: string };

export interface HallDbOptions {
  /** `postgres://user@host:port/db?sslmode=verify-full` */
  readonly connectionString: string;
  /**
   * Tables live in this schema (created if missing) instead of the connection's default.
   * Tests give each store its own schema in one private cluster.
   */
  readonly schema?: string | undefined;
  /** Connections per terminal. Default 4. */
  readonly maxConnections?: number;
  /** How long to wait for a connection before the command is answered "unavailable". Default 3000. */
  readonly connectTimeoutMs?: number;
  /** Server-side limit per statement, so that a hung server does not hang a citizen. Default 10000. */
  readonly statementTimeoutMs?: number;
  /** Shown in pg_stat_activity. Default `onevisit-agent`. */
  readonly applicationName?: string;
}

/** The hall database cannot be reached right now (or the answer to a commit was lost and could not be resolved). */
export class HallDbUnavailableError extends Error {
  override readonly name = 'HallDbUnavailableError';
}

/** SQLSTATE classes that mean "the server is gone or refuses work", not "our SQL is wrong" (PostgreSQL appendix A). */
function isUnavailableSqlState(code: string): boolean {
  return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300' || code === '57014';
}

const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ENOENT']);

/** Whether an error from node-postgres means the server could not be reached or the connection broke. */
export function isHallDbUnavailable(error: unknown): boolean {
  if (error instanceof HallDbUnavailableError) return true;
  if (typeof error !== 'object' || error === null) return false;
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  if (code !== undefined && /^[0-9A-Z]{5}$/.test(code)) return isUnavailableSqlState(code);
  if (code !== undefined && SOCKET_CODES.has(code)) return true;
  const message = error instanceof Error ? error.message : '';
  // node-postgres reports a dropped socket and a connect timeout without a code.
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is closed/i.test(message);
}

/** Rethrows a connection failure as HallDbUnavailableError; anything else unchanged. */
export function asHallDbError(error: unknown): Error {
  if (error instanceof HallDbUnavailableError) return error;
  if (isHallDbUnavailable(error)) return new HallDbUnavailableError('the hall database is unreachable', { cause: error });
  return error instanceof Error ? error : new Error(String(error));
}

/** A 64-bit advisory lock key from a name (first 8 bytes of SHA-256, signed, as PostgreSQL's bigint). */
export function advisoryKey(name: string): string {
  return createHash('sha256').update(name).digest().readBigInt64BE(0).toString();
}

const MIGRATION_LOCK = advisoryKey('onevisit:hall-migrations');

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a plain schema name: ${name}`);
  return `"${name}"`;
}

/** Creates the pool. Nothing connects until the first query. */
export function createHallPool(options: HallDbOptions): pg.Pool {
  const schema = options.schema === undefined ? undefined : quoteIdent(options.schema);
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 4,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 3000,
    idleTimeoutMillis: 30_000,
    statement_timeout: options.statementTimeoutMs ?? 10_000,
    application_name: options.applicationName ?? 'onevisit-agent',
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  return pool;
}

/**
 * Applies the migrations not yet recorded in `hall_migration`, each in its own transaction with
 * its record, under a session advisory lock: terminals starting together run them once.
 * Returns the ids this call applied.
 */
export async function migrateHallDb(
  pool: pg.Pool,
  options: {
    readonly schema?: string | undefined;
    readonly migrations?: readonly HallMigration[];
    /**
     * Another database's migrations through the same code (the back office's intake, issue 15):
     * its own record table and advisory lock, so that its ids never mix with the hall's.
     */
    readonly ledger?: { readonly table: string; readonly lockName: string } | undefined;
  } = {},
): Promise<string[]> {
  const migrations = options.migrations ?? hallMigrations;
  const table = options.ledger === undefined ? 'hall_migration' : quoteIdent(options.ledger.table);
  const lock = options.ledger === undefined ? MIGRATION_LOCK : advisoryKey(options.ledger.lockName);
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [lock]);
    try {
      if (options.schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(options.schema)}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${table} (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
      const done = new Set((await client.query<{ id: string }>(`SELECT id FROM ${table}`)).rows.map((r) => r.id));
      for (const migration of migrations) {
        if (done.has(migration.id)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query(`INSERT INTO ${table} (id) VALUES ($1)`, [migration.id]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
        applied.push(migration.id);
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [lock]).catch(() => undefined);
    }
  } finally {
    client.release();
  }
  return applied;
}

const PERSON_SECRET = 'booking-person-key';

/** The hall's person-key secret: created by the first terminal (32 random bytes), read by every other. */
export async function loadOrCreateHallSecret(pool: pg.Pool, name = PERSON_SECRET): Promise<Buffer> {
  await pool.query('INSERT INTO hall_secret (name, secret) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, randomBytes(32)]);
  const row = (await pool.query<{ secret: Buffer }>('SELECT secret FROM hall_secret WHERE name = $1', [name])).rows[0];
  if (!row) throw new Error('hall secret missing after insert');
  return row.secret;
}

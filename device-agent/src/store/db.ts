/**
 * The agent's one SQLite store (better-sqlite3), kept in the data folder.
 *
 * Usage:
 *
 *   import { openStore } from './store/db.ts';
 *   import { outboxMigrations } from './outbox/outbox.ts';
 *   const store = openStore({ dataDir, migrations: [auditMigrations, outboxMigrations, bookingMigrations] });
 *   store.db.prepare('select 1').get();
 *   store.close();
 *
 * - One file, `<dataDir>/onevisit.sqlite` (`STORE_FILE_NAME`), in WAL mode with
 *   `synchronous = FULL`: a transaction that returned is on disk (the WAL is fsynced
 *   at every commit), and a kill -9 or power cut never leaves half of one.
 * - Foreign keys on, a busy timeout (another process such as `verify-audit` may read).
 * - Migrations: each module registers a `MigrationSet` = `{ module, migrations: [{ id, sql }] }`.
 *   Ids are ordered within a module and never change once shipped; a new change is a new id.
 *   Every migration not yet recorded in `schema_migrations` runs in its own transaction
 *   together with the row that records it, so a crash during a migration leaves it unapplied.
 *   Modules are independent of each other (booking does not depend on the outbox), so the
 *   order of sets only matters for sets that reference each other's tables.
 * - Failures of the disk surface as `StoreError` with a closed `code`
 *   (`diskFull`, `readOnly`, `ioError`, `busy`, `corrupt`, `other`): use `toStoreError(e)`.
 */
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;

export const STORE_FILE_NAME = 'onevisit.sqlite';

export type Migration = {
  /** Ordered within its module, e.g. `001-outbox`. Never renamed once shipped. */
  readonly id: string;
  /** SQL to run (may hold several statements), or a function for changes SQL alone cannot express. */
  readonly sql: string | ((db: SqliteDatabase) => void);
};

export type MigrationSet = {
  /** e.g. `audit`, `outbox`, `booking`. */
  readonly module: string;
  readonly migrations: readonly Migration[];
};

export type StoreOptions = {
  dataDir: string;
  migrations: readonly MigrationSet[];
  /** Default `STORE_FILE_NAME`. */
  fileName?: string;
  /** ms to wait for a lock held by another connection. Default 5000. */
  busyTimeoutMs?: number;
};

export type Store = {
  readonly db: SqliteDatabase;
  readonly dataDir: string;
  /** Absolute path of the database file. */
  readonly file: string;
  close(): void;
};

export const STORE_ERROR_CODES = ['diskFull', 'readOnly', 'ioError', 'busy', 'corrupt', 'other'] as const;
export type StoreErrorCode = (typeof STORE_ERROR_CODES)[number];

/** A failure of the store that is not a bug in our SQL: the disk is full, read-only, broken, or locked. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly code: StoreErrorCode;
  /** SQLite's own code, e.g. `SQLITE_FULL`, `SQLITE_IOERR_WRITE`. */
  readonly sqliteCode: string | undefined;
  constructor(code: StoreErrorCode, message: string, sqliteCode: string | undefined, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.sqliteCode = sqliteCode;
  }
}

function sqliteCodeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** The store code for an error thrown by better-sqlite3 or the file system (ENOSPC, EROFS). */
export function classifyStoreError(error: unknown): StoreErrorCode {
  if (error instanceof StoreError) return error.code;
  const code = sqliteCodeOf(error);
  if (code === undefined) return 'other';
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') return 'diskFull';
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return 'readOnly';
  if (code.startsWith('SQLITE_IOERR') || code === 'EIO' || code === 'SQLITE_CANTOPEN') return 'ioError';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'busy';
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return 'corrupt';
  return 'other';
}

/** Wraps a disk-level failure in a `StoreError`; returns anything else (a bug) unchanged. */
export function toStoreError(error: unknown): unknown {
  if (error instanceof StoreError) return error;
  const code = classifyStoreError(error);
  if (code === 'other') return error;
  const sqliteCode = sqliteCodeOf(error);
  const messages: Record<Exclude<StoreErrorCode, 'other'>, string> = {
    diskFull: 'the data disk is full',
    readOnly: 'the data disk or database is read-only',
    ioError: 'the data disk reported an I/O error',
    busy: 'the database is locked by another process',
    corrupt: 'the database file is damaged',
  };
  return new StoreError(code, `${messages[code]} (${sqliteCode ?? 'unknown'})`, sqliteCode, { cause: error });
}

const MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  module     TEXT NOT NULL,
  id         TEXT NOT NULL,
  applied_at INTEGER NOT NULL,
  PRIMARY KEY (module, id)
) STRICT;`;

/** Applies the migrations not yet recorded; returns the `module/id` of each one applied. */
export function runMigrations(db: SqliteDatabase, sets: readonly MigrationSet[], nowMs: () => number = Date.now): string[] {
  db.exec(MIGRATIONS_TABLE);
  const seen = new Set<string>();
  for (const set of sets) {
    if (seen.has(set.module)) throw new Error(`migration module ${set.module} registered twice`);
    seen.add(set.module);
    const ids = new Set<string>();
    for (const m of set.migrations) {
      if (ids.has(m.id)) throw new Error(`migration ${set.module}/${m.id} listed twice`);
      ids.add(m.id);
    }
  }
  const isApplied = db.prepare<[string, string], { one: number }>('SELECT 1 AS one FROM schema_migrations WHERE module = ? AND id = ?');
  const record = db.prepare<[string, string, number]>('INSERT INTO schema_migrations (module, id, applied_at) VALUES (?, ?, ?)');
  const applied: string[] = [];
  for (const set of sets) {
    for (const migration of set.migrations) {
      const apply = db.transaction(() => {
        // Checked inside the (immediate) transaction: two processes starting at once apply it once.
        if (isApplied.get(set.module, migration.id)) return false;
        if (typeof migration.sql === 'string') db.exec(migration.sql);
        else migration.sql(db);
        record.run(set.module, migration.id, nowMs());
        return true;
      });
      if (apply.immediate()) applied.push(`${set.module}/${migration.id}`);
    }
  }
  return applied;
}

/** Sets the durability pragmas on a connection (also used by tests that open raw connections). */
export function configureConnection(db: SqliteDatabase, busyTimeoutMs = 5000): void {
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal') throw new StoreError('other', `could not switch the database to WAL (got ${String(mode)})`, undefined);
  // FULL in WAL mode: every commit fsyncs the WAL, so a commit that returned survives a power cut.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // Temporary tables and indices stay in memory: nothing goes to files outside the data folder.
  db.pragma('temp_store = MEMORY');
}

/** Opens (creating if needed) the store in `dataDir` and applies pending migrations. Throws `StoreError` on disk failures. */
export function openStore(options: StoreOptions): Store {
  const dataDir = path.resolve(options.dataDir);
  const file = path.join(dataDir, options.fileName ?? STORE_FILE_NAME);
  let db: SqliteDatabase | undefined;
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // Personal data lives here (issue 11): the folder is the agent user's alone, even when it existed
    // before; the database is created 0600 first, and SQLite gives its -wal and -shm the same mode.
    chmodSync(dataDir, 0o700);
    closeSync(openSync(file, 'a', 0o600));
    chmodSync(file, 0o600);
    db = new Database(file);
    configureConnection(db, options.busyTimeoutMs);
    runMigrations(db, options.migrations);
  } catch (error) {
    db?.close();
    throw toStoreError(error);
  }
  const opened = db;
  return {
    db: opened,
    dataDir,
    file,
    close: () => {
      if (opened.open) opened.close();
    },
  };
}

import type pg from 'pg';
import { TerminalReportSchema, type TerminalReport } from '@onevisit/protocol';
import type { MigrationSet, SqliteDatabase } from './db.ts';
import { asHallDbError } from './hall-db.ts';

/** One terminal's last heartbeat (issue 14). */
export interface HeartbeatRecord {
  readonly terminalId: string;
  readonly reportedMs: number;
  /** Stable per installation (data directory): another machine reporting under the same terminal id shows up as a different instance. */
  readonly instanceId: string;
  readonly report: TerminalReport;
}

/**
 * Where heartbeats live: the hall database's `terminal_heartbeat` (every terminal of the hall) or,
 * without `--hall-db`, the terminal's own SQLite (one row: itself).
 */
export interface HeartbeatStore {
  write(record: HeartbeatRecord): Promise<void>;
  /**
   * Writes the heartbeat unless another instance holds the terminal id: its row was written by a
   * different instance less than `silentAfterMs` before `record.reportedMs`. One statement (an upsert
   * whose update has a WHERE), so two terminals claiming one id at the same moment cannot both win.
   * False: the id belongs to another live terminal; nothing was written.
   */
  claim(record: HeartbeatRecord, silentAfterMs: number): Promise<boolean>;
  list(): Promise<HeartbeatRecord[]>;
}

/** The upsert of `claim`, the same text on SQLite (3.35+: RETURNING) and PostgreSQL; $1..$5 = id, ms, instance, report, oldest live ms. */
const CLAIM_SQL = `INSERT INTO terminal_heartbeat (terminal_id, reported_ms, instance_id, report) VALUES ($1, $2, $3, $4)
  ON CONFLICT (terminal_id) DO UPDATE SET reported_ms = excluded.reported_ms, instance_id = excluded.instance_id, report = excluded.report
  WHERE terminal_heartbeat.instance_id = excluded.instance_id OR terminal_heartbeat.reported_ms < $5
  RETURNING terminal_id`;

function parseReport(json: unknown): TerminalReport {
  // Written by other terminals (maybe another version): validated like any message at a boundary.
  return TerminalReportSchema.parse(typeof json === 'string' ? JSON.parse(json) : json);
}

export const heartbeatMigrations: MigrationSet = {
  module: 'heartbeat',
  migrations: [
    {
      id: '001-terminal-heartbeat',
      sql: `
CREATE TABLE terminal_heartbeat (
  terminal_id TEXT PRIMARY KEY,
  reported_ms INTEGER NOT NULL,
  instance_id TEXT NOT NULL,
  report      TEXT NOT NULL
) STRICT;`,
    },
  ],
};

type Row = { terminal_id: string; reported_ms: number | string; instance_id: string; report: unknown };

function toRecord(row: Row): HeartbeatRecord {
  return { terminalId: row.terminal_id, reportedMs: Number(row.reported_ms), instanceId: row.instance_id, report: parseReport(row.report) };
}

export class SqliteHeartbeatStore implements HeartbeatStore {
  readonly #db: SqliteDatabase;
  constructor(db: SqliteDatabase) {
    this.#db = db;
  }
  write(record: HeartbeatRecord): Promise<void> {
    this.#db
      .prepare(
        `INSERT INTO terminal_heartbeat (terminal_id, reported_ms, instance_id, report) VALUES (?, ?, ?, ?)
         ON CONFLICT (terminal_id) DO UPDATE SET reported_ms = excluded.reported_ms, instance_id = excluded.instance_id, report = excluded.report`,
      )
      .run(record.terminalId, record.reportedMs, record.instanceId, JSON.stringify(record.report));
    return Promise.resolve();
  }
  claim(record: HeartbeatRecord, silentAfterMs: number): Promise<boolean> {
    // better-sqlite3 binds $1… by name: the same numbered parameters as PostgreSQL, from an object.
    const row = this.#db
      .prepare(CLAIM_SQL)
      .get({ 1: record.terminalId, 2: record.reportedMs, 3: record.instanceId, 4: JSON.stringify(record.report), 5: record.reportedMs - silentAfterMs });
    return Promise.resolve(row !== undefined);
  }
  list(): Promise<HeartbeatRecord[]> {
    const rows = this.#db.prepare<[], Row>('SELECT terminal_id, reported_ms, instance_id, report FROM terminal_heartbeat ORDER BY terminal_id').all();
    return Promise.resolve(rows.map(toRecord));
  }
}

/** The hall's table (hall-migrations.ts `hall-002-terminal`); a lost connection answers HallDbUnavailableError. */
export class PgHeartbeatStore implements HeartbeatStore {
  readonly #pool: pg.Pool;
  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }
  async write(record: HeartbeatRecord): Promise<void> {
    try {
      await this.#pool.query(
        `INSERT INTO terminal_heartbeat (terminal_id, reported_ms, instance_id, report) VALUES ($1, $2, $3, $4)
         ON CONFLICT (terminal_id) DO UPDATE SET reported_ms = excluded.reported_ms, instance_id = excluded.instance_id, report = excluded.report`,
        [record.terminalId, record.reportedMs, record.instanceId, JSON.stringify(record.report)],
      );
    } catch (error) {
      throw asHallDbError(error);
    }
  }
  async claim(record: HeartbeatRecord, silentAfterMs: number): Promise<boolean> {
    try {
      const result = await this.#pool.query(CLAIM_SQL, [record.terminalId, record.reportedMs, record.instanceId, JSON.stringify(record.report), record.reportedMs - silentAfterMs]);
      return result.rowCount === 1;
    } catch (error) {
      throw asHallDbError(error);
    }
  }
  async list(): Promise<HeartbeatRecord[]> {
    try {
      const result = await this.#pool.query<Row>('SELECT terminal_id, reported_ms, instance_id, report FROM terminal_heartbeat ORDER BY terminal_id');
      return result.rows.map(toRecord);
    } catch (error) {
      throw asHallDbError(error);
    }
  }
}

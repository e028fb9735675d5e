// The fill watch after a form update's activation (issue 16), kept in the terminal's SQLite store: the
// counts survive a restart (a crash, Staff.RestartAgent, a power cut), so a version whose fills fail
// is still rolled back after the threshold when the failures straddle the restart. One row per watched
// form; the updater (updater.ts) writes it at each counted fill, synchronously (better-sqlite3, WAL,
// synchronous=FULL: a fill counted is on disk).
import { z } from 'zod';
import type { MigrationSet, SqliteDatabase } from '../../store/db.ts';

/** A form watched since its activation: which archive, and its fills and failures so far. */
export interface WatchedFills {
  readonly formId: string;
  readonly version: string;
  readonly archiveSha256: string;
  readonly fills: number;
  readonly failures: number;
  /** The code of the last failed fill (a FillError code): the rollback's reason names it. */
  readonly lastCode: string | undefined;
}

export interface FillWatchStore {
  /** Every form watched now (at start: what the last run left). */
  load(): WatchedFills[];
  /** Starts or updates the watch of `watched.formId`. */
  save(watched: WatchedFills): void;
  /** Ends the watch of `formId` (passed, rolled back, or replaced). */
  remove(formId: string): void;
}

export const fillWatchMigrations: MigrationSet = {
  module: 'forms-update',
  migrations: [
    {
      id: '001-fill-watch',
      sql: `
CREATE TABLE forms_fill_watch (
  form_id        TEXT PRIMARY KEY,
  version        TEXT NOT NULL,
  archive_sha256 TEXT NOT NULL,
  fills          INTEGER NOT NULL CHECK (fills >= 0),
  failures       INTEGER NOT NULL CHECK (failures >= 0 AND failures <= fills),
  last_code      TEXT
) STRICT;`,
    },
  ],
};

const RowSchema = z.strictObject({
  form_id: z.string().min(1),
  version: z.string().min(1),
  archive_sha256: z.string().regex(/^[0-9a-f]{64}$/),
  fills: z.number().int().min(0),
  failures: z.number().int().min(0),
  last_code: z.string().max(64).nullable(),
});

export class SqliteFillWatchStore implements FillWatchStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  load(): WatchedFills[] {
    const rows: unknown[] = this.#db.prepare('SELECT form_id, version, archive_sha256, fills, failures, last_code FROM forms_fill_watch ORDER BY form_id').all();
    // A row that does not read is dropped: the watch of that form ends, the version stays.
    return rows.flatMap((raw) => {
      const row = RowSchema.safeParse(raw);
      if (!row.success) return [];
      const { form_id: formId, version, archive_sha256: archiveSha256, fills, failures, last_code: lastCode } = row.data;
      return [{ formId, version, archiveSha256, fills, failures, lastCode: lastCode ?? undefined }];
    });
  }

  save(w: WatchedFills): void {
    this.#db
      .prepare(
        `INSERT INTO forms_fill_watch (form_id, version, archive_sha256, fills, failures, last_code) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (form_id) DO UPDATE SET version = excluded.version, archive_sha256 = excluded.archive_sha256, fills = excluded.fills, failures = excluded.failures, last_code = excluded.last_code`,
      )
      .run(w.formId, w.version, w.archiveSha256, w.fills, w.failures, w.lastCode?.slice(0, 64) ?? null);
  }

  remove(formId: string): void {
    this.#db.prepare('DELETE FROM forms_fill_watch WHERE form_id = ?').run(formId);
  }
}

/** In memory: a restart ends the watch. For updaters built without a store (unit tests). */
export class MemoryFillWatchStore implements FillWatchStore {
  readonly #rows = new Map<string, WatchedFills>();

  load(): WatchedFills[] {
    return [...this.#rows.values()];
  }

  save(w: WatchedFills): void {
    this.#rows.set(w.formId, { ...w });
  }

  remove(formId: string): void {
    this.#rows.delete(formId);
  }
}

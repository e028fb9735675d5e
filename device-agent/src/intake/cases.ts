/**
 * The reference back office's cases (issue 15): the case model as provincial platforms show it, kept
 * in `<out>/intake.sqlite` (SQLite; `pg-store.ts` keeps the same in PostgreSQL, `store.ts` is the interface).
 *
 * A case has a status, a timeline of steps (each status change ends the open step and starts one),
 * the missing materials while `needMaterial`, a reason when `rejected`, and where to collect it when
 * `readyForPickup`. The person key (the hall HMAC of the ID number, never the number) links a case to
 * "all my cases".
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { CaseSchema, type CasePickupSchema, type CaseStatus, type CaseMaterialSchema } from '@onevisit/protocol';
import type { z } from 'zod';

// The case model is the protocol's (messages/progress.ts): the terminal shows what the intake answers.
export { CASE_STATUSES, CaseSchema } from '@onevisit/protocol';
export type { CaseStatus };
export type BackOfficeCase = z.infer<typeof CaseSchema>;
export type CaseMaterial = z.infer<typeof CaseMaterialSchema>;
export type CasePickup = z.infer<typeof CasePickupSchema>;

export const PERSON_KEY = /^[0-9a-f]{64}$/;

export type CaseUpdate = {
  status: CaseStatus;
  materials?: readonly string[];
  reason?: string;
  pickup?: CasePickup;
  personKey?: string;
  note?: string;
};

/**
 * The case after `update` at `nowMs` (both stores, SQLite and PostgreSQL, keep cases this way): a change
 * of status closes the open step and opens a new one; the materials, reason and pickup belong to their status.
 */
export function nextCase(reference: string, previous: BackOfficeCase | undefined, update: CaseUpdate, nowMs: number): BackOfficeCase {
  const at = new Date(nowMs).toISOString();
  const steps = previous ? previous.steps.map((s) => ({ ...s })) : [];
  const open = steps.at(-1);
  if (!open || open.name !== update.status) {
    if (open && open.endedAt === undefined) open.endedAt = at;
    steps.push(update.note === undefined ? { name: update.status, startedAt: at } : { name: update.status, startedAt: at, note: update.note });
  } else if (update.note !== undefined) {
    open.note = update.note;
  }
  const next: BackOfficeCase = { reference, status: update.status, steps, updatedAt: at };
  if (update.status === 'needMaterial') {
    next.materials = (update.materials ?? []).map((description, i) => ({ id: `m${i + 1}`, description }));
  }
  if (update.status === 'rejected' && update.reason !== undefined) next.reason = update.reason;
  if (update.status === 'readyForPickup' && update.pickup) next.pickup = update.pickup;
  return CaseSchema.parse(next);
}

type Row = { reference: string; person_key: string | null; json: string; updated_ms: number };

/**
 * The intake's SQLite file in `outDir` (cases, supplements, ratings): WAL, and a busy timeout, since
 * the case and record stores write to it on connections of their own.
 */
export function openIntakeSqlite(outDir: string): Database.Database {
  mkdirSync(outDir, { recursive: true });
  const db = new Database(path.join(outDir, 'intake.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  return db;
}

export class CaseStore {
  readonly #db: Database.Database;
  readonly #now: () => number;

  constructor(outDir: string, now: () => number = Date.now) {
    this.#db = openIntakeSqlite(outDir);
    this.#db.exec(`CREATE TABLE IF NOT EXISTS cases (
      reference TEXT PRIMARY KEY, person_key TEXT, json TEXT NOT NULL, updated_ms INTEGER NOT NULL)`);
    this.#db.exec('CREATE INDEX IF NOT EXISTS cases_person ON cases (person_key, updated_ms)');
    this.#now = now;
  }

  close(): void {
    this.#db.close();
  }

  get(reference: string): BackOfficeCase | undefined {
    const row = this.#db.prepare<[string], Row>('SELECT * FROM cases WHERE reference = ?').get(reference);
    return row ? CaseSchema.parse(JSON.parse(row.json)) : undefined;
  }

  /** "All my cases", newest first. */
  byPerson(personKey: string): BackOfficeCase[] {
    if (!PERSON_KEY.test(personKey)) return [];
    return this.#db
      .prepare<[string], Row>('SELECT * FROM cases WHERE person_key = ? ORDER BY updated_ms DESC, reference DESC')
      .all(personKey)
      .map((row) => CaseSchema.parse(JSON.parse(row.json)));
  }

  /** Sets the status; a change of status closes the open step and opens a new one. */
  set(reference: string, update: CaseUpdate): BackOfficeCase {
    const nowMs = this.#now();
    const parsed = nextCase(reference, this.get(reference), update, nowMs);
    const personKey = update.personKey ?? this.#personKeyOf(reference);
    this.#db
      .prepare<[string, string | null, string, number]>(
        `INSERT INTO cases (reference, person_key, json, updated_ms) VALUES (?, ?, ?, ?)
         ON CONFLICT (reference) DO UPDATE SET person_key = excluded.person_key, json = excluded.json, updated_ms = excluded.updated_ms`,
      )
      .run(reference, personKey ?? null, JSON.stringify(parsed), nowMs);
    return parsed;
  }

  /**
   * A submission came with the hall person key (issue 15): the case is `received` with that key when the
   * back office has none yet for it; a case it already has keeps its status and gets the key if it had none.
   */
  receive(reference: string, personKey: string): BackOfficeCase {
    const nowMs = this.#now();
    const found = this.get(reference);
    if (found) {
      this.#db.prepare<[string, string]>('UPDATE cases SET person_key = ? WHERE reference = ? AND person_key IS NULL').run(personKey, reference);
      return found;
    }
    const created = nextCase(reference, undefined, { status: 'received' }, nowMs);
    this.#db
      .prepare<[string, string, string, number]>('INSERT INTO cases (reference, person_key, json, updated_ms) VALUES (?, ?, ?, ?) ON CONFLICT (reference) DO NOTHING')
      .run(reference, personKey, JSON.stringify(created), nowMs);
    return created;
  }

  #personKeyOf(reference: string): string | undefined {
    return this.#db.prepare<[string], { person_key: string | null }>('SELECT person_key FROM cases WHERE reference = ?').get(reference)?.person_key ?? undefined;
  }
}

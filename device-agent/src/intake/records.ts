/**
 * What the reference back office keeps besides cases (issue 15): supplements (补正) handed in at a
 * terminal, and 好差评 ratings, in the same `<out>/intake.sqlite` as the cases. Both are idempotent
 * by the terminal's own reference for the item (the outbox reference = the Idempotency-Key).
 * `pg-store.ts` keeps the same in PostgreSQL (`--db`); `store.ts` is the interface the server uses.
 */
import Database from 'better-sqlite3';
import { z } from 'zod';
import { openIntakeSqlite } from './cases.ts';
import { BAD_RATING_MAX_LEVEL, MaterialIdSchema, RATING_SERVICES, RatingLevelSchema, RatingReasonIdSchema } from '@onevisit/protocol';

/** What a terminal seals into a supplement (formId `supplement`): the case and the material; the scans are its parts. */
export const SUPPLEMENT_FORM_ID = 'supplement';
export const SupplementAnswersSchema = z.object({ caseReference: z.string().min(1).max(64), materialId: MaterialIdSchema });

/** What a terminal seals into a rating (formId `rating`): no personal data beyond the reference and the service. */
export const RATING_FORM_ID = 'rating';
export const RatingRecordSchema = z.object({
  reference: z.string().max(64).optional(),
  service: z.enum(RATING_SERVICES),
  level: RatingLevelSchema,
  reasons: z.array(RatingReasonIdSchema).max(10),
  /** The version of the hall's reasons list the reasons come from. */
  reasonsVersion: z.string().max(32),
  comment: z.string().max(200).optional(),
  /** ISO-8601 UTC. */
  ratedAt: z.string().max(40),
  /** For levels 1–2: YYYY-MM-DD (Asia/Shanghai), the terminal's hall calendar's working days. */
  followUpBy: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
});
export type RatingRecord = z.infer<typeof RatingRecordSchema>;

export type SupplementRow = { id: string; caseReference: string; materialId: string; terminalId: string; sha256: string; receivedAt: string };
export type FollowUp = { note: string; at: string };
export type RatingRow = RatingRecord & { id: string; terminalId: string; receivedAt: string; bad: boolean; followUps: FollowUp[] };

export type PutResult = { kind: 'stored' } | { kind: 'duplicate' } | { kind: 'conflict'; sha256: string };

const FollowUpsSchema = z.array(z.object({ note: z.string(), at: z.string() }));

/** A stored rating as `ratings list` prints it (both stores, SQLite and PostgreSQL); `record` and `followUps` are validated here. */
export function ratingRowOf(r: { id: string; terminalId: string; receivedMs: number; record: unknown; followUps: unknown }): RatingRow {
  const record = RatingRecordSchema.parse(r.record);
  const followUps = FollowUpsSchema.parse(r.followUps);
  return { ...record, id: r.id, terminalId: r.terminalId, receivedAt: new Date(r.receivedMs).toISOString(), bad: record.level <= BAD_RATING_MAX_LEVEL, followUps };
}

type SupplementDb = { id: string; case_reference: string; material_id: string; terminal_id: string; sha256: string; received_ms: number };
type RatingDb = { id: string; terminal_id: string; sha256: string; json: string; level: number; received_ms: number; follow_ups: string };

export class RecordStore {
  readonly #db: Database.Database;
  readonly #now: () => number;

  constructor(outDir: string, now: () => number = Date.now) {
    this.#db = openIntakeSqlite(outDir);
    this.#db.exec(`CREATE TABLE IF NOT EXISTS supplements (
      id TEXT PRIMARY KEY, case_reference TEXT NOT NULL, material_id TEXT NOT NULL, terminal_id TEXT NOT NULL,
      sha256 TEXT NOT NULL, received_ms INTEGER NOT NULL);
    CREATE INDEX IF NOT EXISTS supplements_case ON supplements (case_reference, received_ms);
    CREATE TABLE IF NOT EXISTS ratings (
      id TEXT PRIMARY KEY, terminal_id TEXT NOT NULL, sha256 TEXT NOT NULL, json TEXT NOT NULL, level INTEGER NOT NULL,
      received_ms INTEGER NOT NULL, follow_ups TEXT NOT NULL DEFAULT '[]');`);
    this.#now = now;
  }

  close(): void {
    this.#db.close();
  }

  /** Records a supplement once; the same id with the same bytes is a duplicate, with other bytes a conflict. */
  putSupplement(row: Omit<SupplementRow, 'receivedAt'>): PutResult {
    const existing = this.#db.prepare<[string], SupplementDb>('SELECT * FROM supplements WHERE id = ?').get(row.id);
    if (existing) return existing.sha256 === row.sha256 ? { kind: 'duplicate' } : { kind: 'conflict', sha256: existing.sha256 };
    this.#db
      .prepare<[string, string, string, string, string, number]>('INSERT INTO supplements (id, case_reference, material_id, terminal_id, sha256, received_ms) VALUES (?, ?, ?, ?, ?, ?)')
      .run(row.id, row.caseReference, row.materialId, row.terminalId, row.sha256, this.#now());
    return { kind: 'stored' };
  }

  supplementsOf(caseReference: string): SupplementRow[] {
    return this.#db
      .prepare<[string], SupplementDb>('SELECT * FROM supplements WHERE case_reference = ? ORDER BY received_ms, id')
      .all(caseReference)
      .map((r) => ({ id: r.id, caseReference: r.case_reference, materialId: r.material_id, terminalId: r.terminal_id, sha256: r.sha256, receivedAt: new Date(r.received_ms).toISOString() }));
  }

  putRating(id: string, terminalId: string, sha256: string, record: RatingRecord): PutResult {
    const existing = this.#db.prepare<[string], RatingDb>('SELECT * FROM ratings WHERE id = ?').get(id);
    if (existing) return existing.sha256 === sha256 ? { kind: 'duplicate' } : { kind: 'conflict', sha256: existing.sha256 };
    this.#db
      .prepare<[string, string, string, string, number, number]>('INSERT INTO ratings (id, terminal_id, sha256, json, level, received_ms) VALUES (?, ?, ?, ?, ?, ?)')
      .run(id, terminalId, sha256, JSON.stringify(RatingRecordSchema.parse(record)), record.level, this.#now());
    return { kind: 'stored' };
  }

  /** Every rating, oldest first; `bad` = levels 1–2 only. */
  ratings(options: { bad?: boolean } = {}): RatingRow[] {
    return this.#db
      .prepare<[number], RatingDb>('SELECT * FROM ratings WHERE level <= ? ORDER BY received_ms, id')
      .all(options.bad ? BAD_RATING_MAX_LEVEL : 5)
      .map((r) => this.#rating(r));
  }

  rating(id: string): RatingRow | undefined {
    const r = this.#db.prepare<[string], RatingDb>('SELECT * FROM ratings WHERE id = ?').get(id);
    return r ? this.#rating(r) : undefined;
  }

  /** Notes a follow-up of a rating (staff called the citizen back, …); false when the id is unknown. */
  followUp(id: string, note: string): RatingRow | undefined {
    const current = this.rating(id);
    if (!current) return undefined;
    const followUps = [...current.followUps, { note, at: new Date(this.#now()).toISOString() }];
    this.#db.prepare<[string, string]>('UPDATE ratings SET follow_ups = ? WHERE id = ?').run(JSON.stringify(followUps), id);
    return { ...current, followUps };
  }

  #rating(r: RatingDb): RatingRow {
    return ratingRowOf({ id: r.id, terminalId: r.terminal_id, receivedMs: r.received_ms, record: JSON.parse(r.json), followUps: JSON.parse(r.follow_ups) });
  }
}

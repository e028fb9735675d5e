/**
 * The intake's state in PostgreSQL (`--db postgres://…`, issue 15): cases with their timeline and
 * materials, supplements and ratings with their sealed bytes, the terminal register, and received
 * submissions (sealed bytes + SHA-256). Nothing is written to disk.
 *
 * The pool and the versioned migrations under an advisory lock are the hall database's code
 * (store/hall-db.ts), with the intake's own ledger table and lock, so an intake may share a
 * database (in another schema) with a hall without their migrations mixing. Idempotency is the
 * primary key's (`INSERT … ON CONFLICT DO NOTHING`, then compare the stored SHA-256); a case update
 * runs under a transaction-scoped advisory lock on its reference, so two updates of one case never
 * lose a timeline step.
 */
import type { KeyObject } from 'node:crypto';
import type pg from 'pg';
import { parseTerminalPublicKey } from '../crypto/request-signing.ts';
import { sealedSha256 } from '../outbox/delivery.ts';
import { advisoryKey, createHallPool, migrateHallDb, type HallMigration } from '../store/hall-db.ts';
import { BAD_RATING_MAX_LEVEL } from '@onevisit/protocol';
import { CaseSchema, nextCase, PERSON_KEY, type BackOfficeCase, type CaseUpdate } from './cases.ts';
import { ratingRowOf, RatingRecordSchema, type PutResult, type RatingRecord, type RatingRow, type SupplementRow } from './records.ts';
import { redactDbUrl, type AddTerminalOutcome, type IntakeStore, type SubmissionIn } from './store.ts';
import { isTerminalId } from './terminals.ts';

/** Never edit an applied migration; add one. */
export const intakeMigrations: readonly HallMigration[] = [
  {
    id: 'intake-001',
    sql: `
CREATE TABLE intake_submission (
  reference   text   PRIMARY KEY,
  terminal_id text   NOT NULL,
  sha256      text   NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  sealed      bytea  NOT NULL,
  received_ms bigint NOT NULL
);
CREATE TABLE intake_case (
  reference  text   PRIMARY KEY,
  person_key text   CHECK (person_key ~ '^[0-9a-f]{64}$'),
  body       jsonb  NOT NULL,
  updated_ms bigint NOT NULL
);
CREATE INDEX intake_case_person ON intake_case (person_key, updated_ms);
CREATE TABLE intake_supplement (
  id             text   PRIMARY KEY,
  case_reference text   NOT NULL,
  material_id    text   NOT NULL,
  terminal_id    text   NOT NULL,
  sha256         text   NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  sealed         bytea  NOT NULL,
  received_ms    bigint NOT NULL
);
CREATE INDEX intake_supplement_case ON intake_supplement (case_reference, received_ms);
CREATE TABLE intake_rating (
  id          text     PRIMARY KEY,
  terminal_id text     NOT NULL,
  sha256      text     NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  sealed      bytea    NOT NULL,
  record      jsonb    NOT NULL,
  level       smallint NOT NULL CHECK (level BETWEEN 1 AND 5),
  received_ms bigint   NOT NULL,
  follow_ups  jsonb    NOT NULL DEFAULT '[]'
);
CREATE INDEX intake_rating_level ON intake_rating (level, received_ms);
CREATE TABLE intake_terminal (
  id         text   PRIMARY KEY,
  public_pem text   NOT NULL,
  added_ms   bigint NOT NULL
);`,
  },
];

const LEDGER = { table: 'intake_migration', lockName: 'onevisit:intake-migrations' } as const;

export type PgIntakeStoreOptions = {
  /** Tables in this schema (created if missing) instead of the connection's default; tests use one per store. */
  schema?: string | undefined;
  now?: () => number;
};

type CaseDb = { reference: string; person_key: string | null; body: unknown };
type SupplementDb = { id: string; case_reference: string; material_id: string; terminal_id: string; sha256: string; received_ms: string };
type RatingDb = { id: string; terminal_id: string; record: unknown; received_ms: string; follow_ups: unknown };

export class PgIntakeStore implements IntakeStore {
  readonly kind = 'postgres';
  readonly where: string;
  readonly #pool: pg.Pool;
  readonly #now: () => number;

  private constructor(pool: pg.Pool, where: string, now: () => number) {
    this.#pool = pool;
    this.where = where;
    this.#now = now;
  }

  /** Connects and runs the migrations not yet applied (once, under the intake's advisory lock). */
  static async open(connectionString: string, options: PgIntakeStoreOptions = {}): Promise<PgIntakeStore> {
    const pool = createHallPool({ connectionString, schema: options.schema, applicationName: 'onevisit-intake', maxConnections: 8 });
    // A connection the server drops must not crash the intake: the pool opens a new one for the next query.
    pool.on('error', () => undefined);
    try {
      await migrateHallDb(pool, { schema: options.schema, migrations: intakeMigrations, ledger: LEDGER });
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return new PgIntakeStore(pool, redactDbUrl(connectionString), options.now ?? Date.now);
  }

  async #putSealed(sql: string, values: unknown[], table: 'intake_submission' | 'intake_supplement' | 'intake_rating', key: string, sha256: string): Promise<PutResult> {
    const inserted = await this.#pool.query(sql, values);
    if (inserted.rowCount === 1) return { kind: 'stored' };
    const keyColumn = table === 'intake_submission' ? 'reference' : 'id';
    const existing = (await this.#pool.query<{ sha256: string }>(`SELECT sha256 FROM ${table} WHERE ${keyColumn} = $1`, [key])).rows[0];
    if (!existing) throw new Error(`${table}: a row that conflicted is gone`);
    return existing.sha256 === sha256 ? { kind: 'duplicate' } : { kind: 'conflict', sha256: existing.sha256 };
  }

  putSubmission(s: SubmissionIn): Promise<PutResult> {
    const sha256 = sealedSha256(s.bytes);
    return this.#putSealed(
      'INSERT INTO intake_submission (reference, terminal_id, sha256, sealed, received_ms) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (reference) DO NOTHING',
      [s.reference, s.terminalId, sha256, s.bytes, this.#now()],
      'intake_submission',
      s.reference,
      sha256,
    );
  }

  async submission(reference: string): Promise<Buffer | undefined> {
    return (await this.#pool.query<{ sealed: Buffer }>('SELECT sealed FROM intake_submission WHERE reference = $1', [reference])).rows[0]?.sealed;
  }

  async submissionReferences(): Promise<string[]> {
    return (await this.#pool.query<{ reference: string }>('SELECT reference FROM intake_submission ORDER BY received_ms, reference')).rows.map((r) => r.reference);
  }

  async getCase(reference: string): Promise<BackOfficeCase | undefined> {
    const row = (await this.#pool.query<CaseDb>('SELECT body FROM intake_case WHERE reference = $1', [reference])).rows[0];
    return row ? CaseSchema.parse(row.body) : undefined;
  }

  async casesByPerson(personKey: string): Promise<BackOfficeCase[]> {
    if (!PERSON_KEY.test(personKey)) return [];
    const rows = (await this.#pool.query<CaseDb>('SELECT body FROM intake_case WHERE person_key = $1 ORDER BY updated_ms DESC, reference DESC', [personKey])).rows;
    return rows.map((r) => CaseSchema.parse(r.body));
  }

  /** Runs `work` in a transaction holding the case's advisory lock. */
  async #withCase<T>(reference: string, work: (client: pg.PoolClient, previous: CaseDb | undefined) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      try {
        await client.query('SELECT pg_advisory_xact_lock($1)', [advisoryKey(`onevisit:intake-case:${reference}`)]);
        const previous = (await client.query<CaseDb>('SELECT reference, person_key, body FROM intake_case WHERE reference = $1', [reference])).rows[0];
        const result = await work(client, previous);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } finally {
      client.release();
    }
  }

  setCase(reference: string, update: CaseUpdate): Promise<BackOfficeCase> {
    return this.#withCase(reference, async (client, previous) => {
      const nowMs = this.#now();
      const next = nextCase(reference, previous ? CaseSchema.parse(previous.body) : undefined, update, nowMs);
      await client.query(
        `INSERT INTO intake_case (reference, person_key, body, updated_ms) VALUES ($1, $2, $3, $4)
         ON CONFLICT (reference) DO UPDATE SET person_key = excluded.person_key, body = excluded.body, updated_ms = excluded.updated_ms`,
        [reference, update.personKey ?? previous?.person_key ?? null, JSON.stringify(next), nowMs],
      );
      return next;
    });
  }

  receiveCase(reference: string, personKey: string): Promise<BackOfficeCase> {
    return this.#withCase(reference, async (client, previous) => {
      if (previous) {
        if (previous.person_key === null) await client.query('UPDATE intake_case SET person_key = $2 WHERE reference = $1', [reference, personKey]);
        return CaseSchema.parse(previous.body);
      }
      const nowMs = this.#now();
      const created = nextCase(reference, undefined, { status: 'received' }, nowMs);
      await client.query('INSERT INTO intake_case (reference, person_key, body, updated_ms) VALUES ($1, $2, $3, $4)', [reference, personKey, JSON.stringify(created), nowMs]);
      return created;
    });
  }

  putSupplement(row: Omit<SupplementRow, 'receivedAt' | 'sha256'>, bytes: Buffer): Promise<PutResult> {
    const sha256 = sealedSha256(bytes);
    return this.#putSealed(
      `INSERT INTO intake_supplement (id, case_reference, material_id, terminal_id, sha256, sealed, received_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
      [row.id, row.caseReference, row.materialId, row.terminalId, sha256, bytes, this.#now()],
      'intake_supplement',
      row.id,
      sha256,
    );
  }

  async supplementsOf(caseReference: string): Promise<SupplementRow[]> {
    const rows = (
      await this.#pool.query<SupplementDb>(
        'SELECT id, case_reference, material_id, terminal_id, sha256, received_ms FROM intake_supplement WHERE case_reference = $1 ORDER BY received_ms, id',
        [caseReference],
      )
    ).rows;
    return rows.map((r) => ({ id: r.id, caseReference: r.case_reference, materialId: r.material_id, terminalId: r.terminal_id, sha256: r.sha256, receivedAt: new Date(Number(r.received_ms)).toISOString() }));
  }

  putRating(id: string, terminalId: string, record: RatingRecord, bytes: Buffer): Promise<PutResult> {
    const sha256 = sealedSha256(bytes);
    const parsed = RatingRecordSchema.parse(record);
    return this.#putSealed(
      `INSERT INTO intake_rating (id, terminal_id, sha256, sealed, record, level, received_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
      [id, terminalId, sha256, bytes, JSON.stringify(parsed), parsed.level, this.#now()],
      'intake_rating',
      id,
      sha256,
    );
  }

  #rating(r: RatingDb): RatingRow {
    return ratingRowOf({ id: r.id, terminalId: r.terminal_id, receivedMs: Number(r.received_ms), record: r.record, followUps: r.follow_ups });
  }

  async ratings(options: { bad?: boolean } = {}): Promise<RatingRow[]> {
    const rows = (
      await this.#pool.query<RatingDb>('SELECT id, terminal_id, record, received_ms, follow_ups FROM intake_rating WHERE level <= $1 ORDER BY received_ms, id', [
        options.bad === true ? BAD_RATING_MAX_LEVEL : 5,
      ])
    ).rows;
    return rows.map((r) => this.#rating(r));
  }

  async rating(id: string): Promise<RatingRow | undefined> {
    const row = (await this.#pool.query<RatingDb>('SELECT id, terminal_id, record, received_ms, follow_ups FROM intake_rating WHERE id = $1', [id])).rows[0];
    return row ? this.#rating(row) : undefined;
  }

  async followUp(id: string, note: string): Promise<RatingRow | undefined> {
    // Appended in one statement: two follow-ups noted at once both stay.
    const entry = JSON.stringify([{ note, at: new Date(this.#now()).toISOString() }]);
    const row = (
      await this.#pool.query<RatingDb>(
        'UPDATE intake_rating SET follow_ups = follow_ups || $2::jsonb WHERE id = $1 RETURNING id, terminal_id, record, received_ms, follow_ups',
        [id, entry],
      )
    ).rows[0];
    return row ? this.#rating(row) : undefined;
  }

  async addTerminal(terminalId: string, publicPem: string): Promise<AddTerminalOutcome> {
    if (!isTerminalId(terminalId)) return { ok: false, reason: 'badId' };
    const key = parseTerminalPublicKey(publicPem);
    if (!key) return { ok: false, reason: 'notEd25519' };
    await this.#pool.query(
      `INSERT INTO intake_terminal (id, public_pem, added_ms) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET public_pem = excluded.public_pem, added_ms = excluded.added_ms`,
      [terminalId, key.export({ type: 'spki', format: 'pem' }).toString(), this.#now()],
    );
    return { ok: true, where: `${this.where} (intake_terminal ${terminalId})` };
  }

  async terminalKey(terminalId: string): Promise<KeyObject | undefined> {
    if (!isTerminalId(terminalId)) return undefined;
    const row = (await this.#pool.query<{ public_pem: string }>('SELECT public_pem FROM intake_terminal WHERE id = $1', [terminalId])).rows[0];
    return row ? parseTerminalPublicKey(row.public_pem) : undefined;
  }

  async hasTerminals(): Promise<boolean> {
    return (await this.#pool.query('SELECT 1 FROM intake_terminal LIMIT 1')).rowCount === 1;
  }

  async close(): Promise<void> {
    await this.#pool.end().catch(() => undefined);
  }
}

/**
 * The audit log: an append-only, hash-chained table of every event that matters
 * (submission accepted, delivered, rejected, purged; device faults; staff actions).
 *
 * - Row n holds `prev_hash` = hash of row n-1 (64 zeros for the first row) and
 *   `hash` = SHA-256(prev_hash + "\n" + canonical JSON of [seq, at, kind, details]).
 *   Editing any field of any row breaks its hash; deleting a row in the middle breaks
 *   the sequence and the chain.
 * - `audit_head` keeps the seq and hash of the last row, written in the same
 *   transaction as the row. Deleting the last rows leaves the head pointing past the
 *   end, which `verifyAudit` reports.
 * - Triggers refuse UPDATE and DELETE on the log and any step back of the head.
 *   Someone with raw write access can drop them: then the chain and head still tell.
 *   (Someone who recomputes the whole chain and the head cannot be caught on the
 *   terminal alone; anchoring the head at the back office is the next step.)
 * - Details are non-personal by contract: references, form ids, states, codes.
 *   Never a name, ID number, phone or address.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { MigrationSet, SqliteDatabase } from './db.ts';

export const AUDIT_KINDS = [
  'submissionAccepted',
  'submissionDelivered',
  'submissionRejected',
  'submissionRetried',
  'submissionPurged',
  'deliveryFailed',
  'storeFault',
  'deviceFault',
  'staffAction',
  // The certificate pickup cabinet (issue 13): slot, item id, reference, outcome; never a person.
  'cabinetUnlocked',
  'cabinetDoorClosed',
  'pickupDeposited',
  'pickupCollected',
  'pickupRecovered',
  'pickupFailed',
  'pickupReconciled',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

/** Non-personal details only. */
export type AuditDetails = Readonly<Record<string, string | number | boolean | null>>;

export const GENESIS_HASH = '0'.repeat(64);

export const auditMigrations: MigrationSet = {
  module: 'audit',
  migrations: [
    {
      id: '001-audit-log',
      sql: `
CREATE TABLE audit_log (
  seq       INTEGER PRIMARY KEY,
  at        INTEGER NOT NULL,
  kind      TEXT NOT NULL,
  details   TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash      TEXT NOT NULL
) STRICT;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TABLE audit_head (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  seq  INTEGER NOT NULL,
  hash TEXT NOT NULL
) STRICT;
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '${GENESIS_HASH}');
CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head
WHEN NEW.seq <= OLD.seq OR NEW.id <> OLD.id
BEGIN SELECT RAISE(ABORT, 'audit_head only moves forward'); END;
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN SELECT RAISE(ABORT, 'audit_head cannot be deleted'); END;
`,
    },
  ],
};

/** JSON with keys sorted at every level: the same value always gives the same bytes. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function auditRowHash(prevHash: string, seq: number, atMs: number, kind: string, detailsJson: string): string {
  return createHash('sha256').update(`${prevHash}\n${canonicalJson([seq, atMs, kind, detailsJson])}`).digest('hex');
}

export type AuditRow = { seq: number; at: number; kind: string; details: string; prev_hash: string; hash: string };

/**
 * Appends one event. Runs in the caller's transaction when there is one (so that an
 * outbox change and its audit row commit together), else in its own.
 */
export class AuditLog {
  readonly #db: SqliteDatabase;
  readonly #clock: Clock;
  readonly #head;
  readonly #insert;
  readonly #moveHead;
  readonly #append;

  constructor(db: SqliteDatabase, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
    this.#head = db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM audit_head WHERE id = 1');
    this.#insert = db.prepare<[number, number, string, string, string, string]>(
      'INSERT INTO audit_log (seq, at, kind, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.#moveHead = db.prepare<[number, string]>('UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1');
    this.#append = db.transaction((kind: AuditKind, details: AuditDetails): number => {
      const head = this.#head.get();
      if (!head) throw new Error('audit_head is missing');
      const seq = head.seq + 1;
      const at = this.#clock.now();
      const json = canonicalJson(details);
      const hash = auditRowHash(head.hash, seq, at, kind, json);
      this.#insert.run(seq, at, kind, json, head.hash, hash);
      this.#moveHead.run(seq, hash);
      return seq;
    });
  }

  /** Appends an event and returns its seq. Details must be non-personal. */
  append(kind: AuditKind, details: AuditDetails): number {
    return this.#append(kind, details);
  }

  /** The newest rows first; for staff screens and tests. */
  recent(limit = 50): AuditRow[] {
    return this.#db.prepare<[number], AuditRow>('SELECT * FROM audit_log ORDER BY seq DESC LIMIT ?').all(limit);
  }

  verify(): AuditVerifyResult {
    return verifyAudit(this.#db);
  }
}

export type AuditProblem =
  | { kind: 'hashMismatch'; seq: number }
  | { kind: 'chainBroken'; seq: number }
  | { kind: 'gap'; expectedSeq: number; foundSeq: number }
  | { kind: 'headMismatch'; headSeq: number; lastSeq: number }
  | { kind: 'headMissing' };

export type AuditVerifyResult = { ok: true; count: number; headHash: string } | { ok: false; problem: AuditProblem; message: string };

function describe(problem: AuditProblem): string {
  switch (problem.kind) {
    case 'hashMismatch':
      return `audit row ${problem.seq} was changed (its hash does not match its content)`;
    case 'chainBroken':
      return `audit row ${problem.seq} does not follow the row before it (a row was changed or removed)`;
    case 'gap':
      return `audit rows are missing: expected seq ${problem.expectedSeq}, found ${problem.foundSeq}`;
    case 'headMismatch':
      return `the audit head says ${problem.headSeq} rows but the log ends at ${problem.lastSeq} (rows were removed or added outside the log)`;
    case 'headMissing':
      return 'the audit head is missing';
    default: {
      const unreachable: never = problem;
      return String(unreachable);
    }
  }
}

/** Walks the whole chain. Works on any connection, read-only included. */
export function verifyAudit(db: SqliteDatabase): AuditVerifyResult {
  const fail = (problem: AuditProblem): AuditVerifyResult => ({ ok: false, problem, message: describe(problem) });
  const head = db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM audit_head WHERE id = 1').get();
  if (!head) return fail({ kind: 'headMissing' });
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  for (const row of db.prepare<[], AuditRow>('SELECT seq, at, kind, details, prev_hash, hash FROM audit_log ORDER BY seq').iterate()) {
    if (row.seq !== expectedSeq) return fail({ kind: 'gap', expectedSeq, foundSeq: row.seq });
    if (row.prev_hash !== prevHash) return fail({ kind: 'chainBroken', seq: row.seq });
    if (auditRowHash(row.prev_hash, row.seq, row.at, row.kind, row.details) !== row.hash) return fail({ kind: 'hashMismatch', seq: row.seq });
    prevHash = row.hash;
    expectedSeq += 1;
  }
  const lastSeq = expectedSeq - 1;
  if (head.seq !== lastSeq || head.hash !== prevHash) return fail({ kind: 'headMismatch', headSeq: head.seq, lastSeq });
  return { ok: true, count: lastSeq, headHash: prevHash };
}

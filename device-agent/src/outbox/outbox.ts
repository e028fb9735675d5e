/**
 * The outbox: where an accepted submission waits, sealed, until the back office has it.
 *
 * The promise (issue 5): `accept()` returns a reference only after the sealed blob and
 * its metadata are committed with full sync. In one synchronous SQLite transaction it
 * allocates the day's sequence number, seals the submission in memory (the reference is
 * part of the authenticated data), and inserts the blob, the metadata and the audit
 * event. A crash anywhere before the commit leaves no trace and no number promised; after
 * it, everything. Personal data never reaches SQLite, the WAL or any file in plain:
 * only the sealed blob and non-personal metadata (reference, form id and version,
 * terminal id, times, state, attempts, error codes), and until delivery the hall person key
 * (a keyed HMAC of the ID number, as bookings keep it; issue 15), cleared with the purge.
 *
 * Idempotent: the client's `submissionId` (a UUID it makes per submission) is unique;
 * a retry after a lost answer returns the reference already promised.
 */
import { accessSync, constants as fsConstants, statfsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { seal, type PublicKeyEntry, type SealedPart } from '../crypto/seal.ts';
import { AuditLog } from '../store/audit.ts';
import { classifyStoreError, type MigrationSet, type SqliteDatabase, type StoreErrorCode } from '../store/db.ts';
import { chinaDay, formatReference, nextReadableSequence } from './reference.ts';

export const OUTBOX_STATES = ['pending', 'delivered', 'deadLetter'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

export const outboxMigrations: MigrationSet = {
  module: 'outbox',
  migrations: [
    {
      id: '001-outbox',
      sql: `
CREATE TABLE outbox (
  reference        TEXT PRIMARY KEY,
  submission_id    TEXT NOT NULL UNIQUE,
  form_id          TEXT NOT NULL,
  form_version     TEXT NOT NULL,
  terminal_id      TEXT NOT NULL,
  key_id           TEXT NOT NULL,
  accepted_at      INTEGER NOT NULL,
  size_bytes       INTEGER NOT NULL,
  state            TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'deadLetter')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER NOT NULL,
  last_error_code  TEXT,
  last_http_status INTEGER,
  delivered_at     INTEGER,
  purged_at        INTEGER
) STRICT;
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE TABLE outbox_blob (
  reference TEXT PRIMARY KEY REFERENCES outbox (reference),
  blob      BLOB NOT NULL
) STRICT;
CREATE TABLE reference_counter (
  day      TEXT PRIMARY KEY,
  last_seq INTEGER NOT NULL
) STRICT;
CREATE TABLE store_probe (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  at INTEGER NOT NULL
) STRICT;
`,
    },
    {
      // Issue 15: supplements and ratings go to their own endpoints of the back office's API
      // (a path such as /v1/ratings, on the intake URL's origin); NULL = the submission intake URL.
      id: '002-outbox-route',
      sql: 'ALTER TABLE outbox ADD COLUMN route TEXT;',
    },
    {
      // Issue 15: the hall person key (HMAC of the ID number, never the number) sent, signed, with
      // a submission or supplement so that the back office's "all my cases" finds it. Cleared
      // when the delivered blob is purged. NULL for rows from before and for items without a card.
      id: '003-outbox-person-key',
      sql: 'ALTER TABLE outbox ADD COLUMN person_key TEXT;',
    },
  ],
};

export type ScanImage = { mediaType: 'image/png' | 'image/jpeg'; bytes: Uint8Array };

/** One submission as the citizen made it. Lives in memory only until sealed. */
export type Submission = {
  /** Made by the client per submission (a UUID); a retry with the same id is the same submission. */
  submissionId: string;
  formId: string;
  formVersion: string;
  answers: unknown;
  /** The filled application form. */
  pdf?: Uint8Array | undefined;
  signaturePng?: Uint8Array | undefined;
  scans?: readonly ScanImage[] | undefined;
  /**
   * A reference taken earlier with `reserveReference()` (so that it could be printed on the
   * PDF before sealing); undefined = allocate one in the accepting transaction.
   */
  reference?: string | undefined;
  /**
   * Where an HTTP intake takes it (issue 15): an absolute path on the intake URL's origin, e.g.
   * `/v1/ratings`; undefined = the intake URL itself (submissions). A folder intake ignores it.
   */
  route?: string | undefined;
  /** The hall person key of the citizen (64 hex), sent signed with the delivery (issue 15); never the ID number. */
  personKey?: string | undefined;
};

export type ReserveResult = { ok: true; reference: string; atMs: number } | { ok: false; reason: AcceptBlockReason };

export const ACCEPT_BLOCK_REASONS = ['diskFull', 'readOnly', 'ioError', 'storeError', 'noKey'] as const;
export type AcceptBlockReason = (typeof ACCEPT_BLOCK_REASONS)[number];

export type CanAccept = { ok: true } | { ok: false; reason: AcceptBlockReason };

export type AcceptResult =
  | { ok: true; reference: string; acceptedAtMs: number; duplicate: boolean }
  | { ok: false; reason: AcceptBlockReason | 'submissionIdConflict' };

export type OutboxRow = {
  reference: string;
  submissionId: string;
  formId: string;
  formVersion: string;
  terminalId: string;
  keyId: string;
  acceptedAtMs: number;
  sizeBytes: number;
  state: OutboxState;
  attempts: number;
  nextAttemptAtMs: number;
  lastErrorCode: string | null;
  lastHttpStatus: number | null;
  deliveredAtMs: number | null;
  purgedAtMs: number | null;
  /** See `Submission.route`; null = the intake URL. */
  route: string | null;
  /** See `Submission.personKey`; null = none (or purged). */
  personKey: string | null;
};

type DbRow = {
  reference: string;
  submission_id: string;
  form_id: string;
  form_version: string;
  terminal_id: string;
  key_id: string;
  accepted_at: number;
  size_bytes: number;
  state: OutboxState;
  attempts: number;
  next_attempt_at: number;
  last_error_code: string | null;
  last_http_status: number | null;
  delivered_at: number | null;
  purged_at: number | null;
  route: string | null;
  person_key: string | null;
};

function fromDb(r: DbRow): OutboxRow {
  return {
    reference: r.reference,
    submissionId: r.submission_id,
    formId: r.form_id,
    formVersion: r.form_version,
    terminalId: r.terminal_id,
    keyId: r.key_id,
    acceptedAtMs: r.accepted_at,
    sizeBytes: r.size_bytes,
    state: r.state,
    attempts: r.attempts,
    nextAttemptAtMs: r.next_attempt_at,
    lastErrorCode: r.last_error_code,
    lastHttpStatus: r.last_http_status,
    deliveredAtMs: r.delivered_at,
    purgedAtMs: r.purged_at,
    route: r.route,
    personKey: r.person_key,
  };
}

/** Free bytes available to us on the file system holding `dir`. */
export function statfsFreeBytes(dir: string): number {
  const s = statfsSync(dir);
  return Number(s.bavail) * Number(s.bsize);
}

export type OutboxOptions = {
  db: SqliteDatabase;
  /** The data folder, for the free-space and writability checks. */
  dataDir: string;
  clock: Clock;
  terminalId: string;
  /** The back office's public keys; the first is the current one. Empty = not configured (accept refuses). */
  keys: readonly PublicKeyEntry[];
  audit?: AuditLog;
  /** Stop accepting below this much free space in the data folder. Default 64 MiB. */
  minFreeBytes?: number;
  /** Injected for tests; default `statfsFreeBytes`. */
  freeBytes?: (dir: string) => number;
  /** After a write failure, how long before a test write is tried again. Default 10 s. */
  reprobeAfterMs?: number;
};

export const DEFAULT_MIN_FREE_BYTES = 64 * 1024 * 1024;

function partsOf(s: Submission): SealedPart[] {
  const parts: SealedPart[] = [];
  if (s.pdf) parts.push({ name: 'application.pdf', mediaType: 'application/pdf', bytes: s.pdf });
  if (s.signaturePng) parts.push({ name: 'signature.png', mediaType: 'image/png', bytes: s.signaturePng });
  (s.scans ?? []).forEach((scan, i) => {
    const ext = scan.mediaType === 'image/png' ? 'png' : 'jpg';
    parts.push({ name: `scan-${String(i + 1).padStart(2, '0')}.${ext}`, mediaType: scan.mediaType, bytes: scan.bytes });
  });
  return parts;
}

function blockReasonOf(code: StoreErrorCode): AcceptBlockReason {
  switch (code) {
    case 'diskFull':
      return 'diskFull';
    case 'readOnly':
      return 'readOnly';
    case 'ioError':
      return 'ioError';
    case 'busy':
    case 'corrupt':
    case 'other':
      return 'storeError';
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

export class Outbox {
  readonly #db: SqliteDatabase;
  readonly #dataDir: string;
  readonly #clock: Clock;
  readonly #terminalId: string;
  readonly #keys: readonly PublicKeyEntry[];
  readonly #audit: AuditLog;
  readonly #minFreeBytes: number;
  readonly #freeBytes: (dir: string) => number;
  readonly #reprobeAfterMs: number;
  /** Set when a write failed; cleared by a successful test write. */
  #fault: { reason: AcceptBlockReason; atMs: number } | undefined;
  readonly #stmts;
  readonly #acceptTx;
  readonly #reserveTx;
  /** References reserved by this process and not yet used or released. */
  readonly #reserved = new Set<string>();

  constructor(options: OutboxOptions) {
    this.#db = options.db;
    this.#dataDir = options.dataDir;
    this.#clock = options.clock;
    this.#terminalId = options.terminalId;
    this.#keys = options.keys;
    this.#audit = options.audit ?? new AuditLog(options.db, options.clock);
    this.#minFreeBytes = options.minFreeBytes ?? DEFAULT_MIN_FREE_BYTES;
    this.#freeBytes = options.freeBytes ?? statfsFreeBytes;
    this.#reprobeAfterMs = options.reprobeAfterMs ?? 10_000;
    const db = this.#db;
    this.#stmts = {
      bySubmission: db.prepare<[string], DbRow>('SELECT * FROM outbox WHERE submission_id = ?'),
      byReference: db.prepare<[string], DbRow>('SELECT * FROM outbox WHERE reference = ?'),
      counter: db.prepare<[string], { last_seq: number }>('SELECT last_seq FROM reference_counter WHERE day = ?'),
      setCounter: db.prepare<[string, number]>(
        'INSERT INTO reference_counter (day, last_seq) VALUES (?, ?) ON CONFLICT (day) DO UPDATE SET last_seq = excluded.last_seq',
      ),
      insert: db.prepare<[string, string, string, string, string, string, number, number, number, string | null, string | null]>(
        `INSERT INTO outbox (reference, submission_id, form_id, form_version, terminal_id, key_id, accepted_at, size_bytes, state, next_attempt_at, route, person_key)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
      ),
      insertBlob: db.prepare<[string, Buffer]>('INSERT INTO outbox_blob (reference, blob) VALUES (?, ?)'),
      blob: db.prepare<[string], { blob: Buffer }>('SELECT blob FROM outbox_blob WHERE reference = ?'),
      due: db.prepare<[number, number], DbRow>(
        "SELECT * FROM outbox WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, accepted_at LIMIT ?",
      ),
      nextDue: db.prepare<[], { at: number | null }>("SELECT MIN(next_attempt_at) AS at FROM outbox WHERE state = 'pending'"),
      counts: db.prepare<[], { state: OutboxState; n: number }>('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state'),
      oldestPending: db.prepare<[], { at: number | null }>("SELECT MIN(accepted_at) AS at FROM outbox WHERE state = 'pending'"),
      deadLetters: db.prepare<[number], DbRow>("SELECT * FROM outbox WHERE state = 'deadLetter' ORDER BY accepted_at LIMIT ?"),
      delivered: db.prepare<[number, string]>(
        "UPDATE outbox SET state = 'delivered', attempts = attempts + 1, delivered_at = ?, last_error_code = NULL WHERE reference = ? AND state = 'pending'",
      ),
      failed: db.prepare<[number, string, number | null, string]>(
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error_code = ?, last_http_status = ? WHERE reference = ? AND state = 'pending'",
      ),
      rejected: db.prepare<[string, number | null, string]>(
        "UPDATE outbox SET state = 'deadLetter', attempts = attempts + 1, last_error_code = ?, last_http_status = ? WHERE reference = ? AND state = 'pending'",
      ),
      retry: db.prepare<[number, string]>("UPDATE outbox SET state = 'pending', next_attempt_at = ? WHERE reference = ? AND state = 'deadLetter'"),
      purgeable: db.prepare<[number], { reference: string }>(
        "SELECT o.reference FROM outbox o JOIN outbox_blob b ON b.reference = o.reference WHERE o.state = 'delivered' AND o.delivered_at <= ?",
      ),
      deleteBlob: db.prepare<[string]>('DELETE FROM outbox_blob WHERE reference = ?'),
      markPurged: db.prepare<[number, string]>('UPDATE outbox SET purged_at = ?, person_key = NULL WHERE reference = ?'),
      probe: db.prepare<[number]>('INSERT INTO store_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at'),
      all: db.prepare<[], DbRow>('SELECT * FROM outbox ORDER BY accepted_at, reference'),
    };
    this.#acceptTx = db.transaction((s: Submission, key: PublicKeyEntry, nowMs: number): AcceptResult => {
      const existing = this.#stmts.bySubmission.get(s.submissionId);
      if (existing) {
        if (existing.form_id !== s.formId) return { ok: false, reason: 'submissionIdConflict' };
        return { ok: true, reference: existing.reference, acceptedAtMs: existing.accepted_at, duplicate: true };
      }
      let reference = s.reference;
      if (reference === undefined) {
        const day = chinaDay(nowMs);
        const lastSeq = this.#stmts.counter.get(day)?.last_seq ?? 0;
        const seq = nextReadableSequence(this.#terminalId, day, lastSeq);
        reference = formatReference(this.#terminalId, day, seq);
        this.#stmts.setCounter.run(day, seq);
      }
      const blob = seal(
        key,
        { reference, formId: s.formId, formVersion: s.formVersion, terminalId: this.#terminalId, createdAt: new Date(nowMs).toISOString() },
        { answers: s.answers, parts: partsOf(s) },
      );
      this.#stmts.insert.run(reference, s.submissionId, s.formId, s.formVersion, this.#terminalId, key.kid, nowMs, blob.byteLength, nowMs, s.route ?? null, s.personKey ?? null);
      this.#stmts.insertBlob.run(reference, blob);
      this.#audit.append('submissionAccepted', { reference, formId: s.formId, formVersion: s.formVersion, keyId: key.kid, sizeBytes: blob.byteLength });
      return { ok: true, reference, acceptedAtMs: nowMs, duplicate: false };
    });
    // The counter is committed (full sync) before the reference is used, so a crash while the
    // PDF is being filled leaves a gap in the day's sequence, never a number handed out twice.
    this.#reserveTx = db.transaction((nowMs: number): string => {
      const day = chinaDay(nowMs);
      const lastSeq = this.#stmts.counter.get(day)?.last_seq ?? 0;
      const seq = nextReadableSequence(this.#terminalId, day, lastSeq);
      this.#stmts.setCounter.run(day, seq);
      return formatReference(this.#terminalId, day, seq);
    });
  }

  /**
   * Takes the next reference number for a submission that needs it before it is sealed (the
   * filled PDF carries it). Pass it to `accept()` as `submission.reference`, or `release()` it
   * when the submission is abandoned; either way the number is never handed out again.
   */
  reserveReference(): ReserveResult {
    const can = this.canAccept();
    if (!can.ok) return can;
    const nowMs = this.#clock.now();
    try {
      const reference = this.#reserveTx.immediate(nowMs);
      this.#reserved.add(reference);
      return { ok: true, reference, atMs: nowMs };
    } catch (error) {
      const code = classifyStoreError(error);
      if (code === 'other') throw error;
      this.#fault = { reason: blockReasonOf(code), atMs: this.#clock.now() };
      return { ok: false, reason: this.#fault.reason };
    }
  }

  /** Gives up a reserved reference (the submission was not accepted); the number stays unused. */
  release(reference: string): void {
    this.#reserved.delete(reference);
  }

  get audit(): AuditLog {
    return this.#audit;
  }

  get terminalId(): string {
    return this.#terminalId;
  }

  /**
   * Whether a new submission may be taken now. Checks the key, the free space in the data
   * folder, that the folder and database are writable, and any write failure seen since
   * (cleared by a successful test write after `reprobeAfterMs`).
   */
  canAccept(): CanAccept {
    if (this.#keys.length === 0) return { ok: false, reason: 'noKey' };
    try {
      if (this.#freeBytes(this.#dataDir) < this.#minFreeBytes) return { ok: false, reason: 'diskFull' };
      accessSync(this.#dataDir, fsConstants.W_OK);
      if (this.#db.name !== ':memory:') accessSync(this.#db.name, fsConstants.W_OK);
    } catch (error) {
      return { ok: false, reason: blockReasonOf(classifyStoreError(error)) };
    }
    if (this.#db.readonly) return { ok: false, reason: 'readOnly' };
    if (this.#fault) {
      if (this.#clock.now() - this.#fault.atMs < this.#reprobeAfterMs) return { ok: false, reason: this.#fault.reason };
      try {
        this.#stmts.probe.run(this.#clock.now());
        this.#fault = undefined;
      } catch (error) {
        this.#fault = { reason: blockReasonOf(classifyStoreError(error)), atMs: this.#clock.now() };
        return { ok: false, reason: this.#fault.reason };
      }
    }
    return { ok: true };
  }

  /**
   * Seals and commits a submission; resolves with the reference only once it is on disk.
   * Expected failures (disk full, read-only, no key) are values; a bug throws.
   */
  accept(submission: Submission): AcceptResult {
    if (submission.personKey !== undefined && !/^[0-9a-f]{64}$/.test(submission.personKey)) throw new Error('a person key is 64 lower-case hex characters (the hall HMAC)');
    const existing = this.#stmts.bySubmission.get(submission.submissionId);
    if (existing) {
      if (existing.form_id !== submission.formId) return { ok: false, reason: 'submissionIdConflict' };
      return { ok: true, reference: existing.reference, acceptedAtMs: existing.accepted_at, duplicate: true };
    }
    const can = this.canAccept();
    if (!can.ok) return can;
    const key = this.#keys[0];
    if (!key) return { ok: false, reason: 'noKey' };
    // A bug, not an expected failure: only references this outbox reserved may be used.
    if (submission.reference !== undefined && !this.#reserved.has(submission.reference)) throw new Error('accept: reference was not reserved by this outbox');
    try {
      const result = this.#acceptTx.immediate(submission, key, this.#clock.now());
      if (submission.reference !== undefined) this.#reserved.delete(submission.reference);
      return result;
    } catch (error) {
      const code = classifyStoreError(error);
      if (code === 'other') throw error;
      this.#fault = { reason: blockReasonOf(code), atMs: this.#clock.now() };
      return { ok: false, reason: this.#fault.reason };
    }
  }

  get(reference: string): OutboxRow | undefined {
    const row = this.#stmts.byReference.get(reference);
    return row ? fromDb(row) : undefined;
  }

  bySubmissionId(submissionId: string): OutboxRow | undefined {
    const row = this.#stmts.bySubmission.get(submissionId);
    return row ? fromDb(row) : undefined;
  }

  all(): OutboxRow[] {
    return this.#stmts.all.all().map(fromDb);
  }

  /** The sealed bytes, until retention purges them. */
  blob(reference: string): Buffer | undefined {
    return this.#stmts.blob.get(reference)?.blob;
  }

  /** Pending submissions whose next attempt is due, oldest first. */
  due(nowMs: number, limit = 16): OutboxRow[] {
    return this.#stmts.due.all(nowMs, limit).map(fromDb);
  }

  /** When the next pending submission is due (epoch ms), or undefined when none is pending. */
  nextDueAt(): number | undefined {
    return this.#stmts.nextDue.get()?.at ?? undefined;
  }

  markDelivered(reference: string, details: { httpStatus?: number; target: string }): void {
    this.#db.transaction(() => {
      const changed = this.#stmts.delivered.run(this.#clock.now(), reference).changes;
      if (changed > 0) {
        this.#audit.append('submissionDelivered', { reference, target: details.target, httpStatus: details.httpStatus ?? null });
      }
    }).immediate();
  }

  /** A failure worth retrying: stays pending until `nextAttemptAtMs`. Not audited per attempt (would flood the log). */
  markFailed(reference: string, nextAttemptAtMs: number, errorCode: string, httpStatus: number | null): void {
    this.#stmts.failed.run(nextAttemptAtMs, errorCode, httpStatus, reference);
  }

  /** The intake refused it for good: dead-letter, for staff to see. */
  markRejected(reference: string, errorCode: string, httpStatus: number | null): void {
    this.#db.transaction(() => {
      const changed = this.#stmts.rejected.run(errorCode, httpStatus, reference).changes;
      if (changed > 0) this.#audit.append('submissionRejected', { reference, errorCode, httpStatus });
    }).immediate();
  }

  /** Staff: put a dead-lettered submission back in the queue. Returns false when it is not dead-lettered. */
  retry(reference: string, staff: string | null = null): boolean {
    return this.#db.transaction(() => {
      const changed = this.#stmts.retry.run(this.#clock.now(), reference).changes;
      if (changed > 0) this.#audit.append('submissionRetried', { reference, staff });
      return changed > 0;
    }).immediate();
  }

  /** Deletes the sealed bytes of submissions delivered at least `retentionMs` ago; the metadata stays. */
  purgeDelivered(retentionMs: number): string[] {
    const cutoff = this.#clock.now() - retentionMs;
    return this.#db.transaction(() => {
      const refs = this.#stmts.purgeable.all(cutoff).map((r) => r.reference);
      for (const reference of refs) {
        this.#stmts.deleteBlob.run(reference);
        this.#stmts.markPurged.run(this.#clock.now(), reference);
        this.#audit.append('submissionPurged', { reference });
      }
      return refs;
    }).immediate();
  }

  /** Counts by state and the dead letters staff should see: no personal data. */
  status(deadLetterLimit = 50): {
    counts: Record<OutboxState, number>;
    oldestPendingAtMs: number | undefined;
    deadLetters: OutboxRow[];
  } {
    const counts: Record<OutboxState, number> = { pending: 0, delivered: 0, deadLetter: 0 };
    for (const r of this.#stmts.counts.all()) counts[r.state] = r.n;
    return {
      counts,
      oldestPendingAtMs: this.#stmts.oldestPending.get()?.at ?? undefined,
      deadLetters: this.#stmts.deadLetters.all(deadLetterLimit).map(fromDb),
    };
  }
}

/** A fresh submission id, for callers that have none (the protocol lets the UI send its own). */
export function newSubmissionId(): string {
  return randomUUID();
}

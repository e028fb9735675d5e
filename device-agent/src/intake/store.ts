/**
 * Everything the reference intake keeps (issue 15), behind one interface with two implementations:
 * - `SqliteIntakeStore` (sqlite-store.ts): `--out DIR`, as before: `DIR/intake.sqlite` (cases,
 *   supplements, ratings) plus files (`DIR/<reference>.ovsl`, `DIR/supplements|ratings/<id>.ovsl`,
 *   `DIR/terminals/<ID>.pub`);
 * - `PgIntakeStore` (pg-store.ts): `--db postgres://…`: all of it in PostgreSQL, the sealed bytes
 *   (bytea) with their SHA-256 included; nothing on disk.
 * The HTTP server (server.ts, case-api.ts) and the command (main.ts) see only this interface.
 * Every method is async because PostgreSQL is; the SQLite one answers at once.
 */
import type { KeyObject } from 'node:crypto';
import type { BackOfficeCase, CaseUpdate } from './cases.ts';
import type { PutResult, RatingRecord, RatingRow, SupplementRow } from './records.ts';

export type IntakeStoreKind = 'sqlite' | 'postgres';

export type AddTerminalOutcome = { ok: true; where: string } | { ok: false; reason: 'badId' | 'notEd25519' };

export type SubmissionIn = { reference: string; terminalId: string; bytes: Buffer };

export interface IntakeStore {
  readonly kind: IntakeStoreKind;
  /** Where the state is, for people: the folder, or the database URL without its password. */
  readonly where: string;

  /** Sealed submissions, idempotent by reference: same bytes again = duplicate, other bytes = conflict (with the stored SHA-256). */
  putSubmission(submission: SubmissionIn): Promise<PutResult>;
  /** The stored sealed bytes of a submission. */
  submission(reference: string): Promise<Buffer | undefined>;
  /** References of every stored submission, oldest first (for `open --db`). */
  submissionReferences(): Promise<string[]>;

  getCase(reference: string): Promise<BackOfficeCase | undefined>;
  /** "All my cases", newest first. */
  casesByPerson(personKey: string): Promise<BackOfficeCase[]>;
  setCase(reference: string, update: CaseUpdate): Promise<BackOfficeCase>;
  /** A submission arrived with the hall person key: see `CaseStore.receive`. */
  receiveCase(reference: string, personKey: string): Promise<BackOfficeCase>;

  /** Supplements, idempotent by their own id like submissions; the sealed bytes are kept with the row. */
  putSupplement(row: Omit<SupplementRow, 'receivedAt' | 'sha256'>, bytes: Buffer): Promise<PutResult>;
  supplementsOf(caseReference: string): Promise<SupplementRow[]>;

  putRating(id: string, terminalId: string, record: RatingRecord, bytes: Buffer): Promise<PutResult>;
  /** Every rating, oldest first; `bad` = levels 1–2 only. */
  ratings(options?: { bad?: boolean }): Promise<RatingRow[]>;
  rating(id: string): Promise<RatingRow | undefined>;
  /** Notes a follow-up of a rating; undefined when the id is unknown. */
  followUp(id: string, note: string): Promise<RatingRow | undefined>;

  /** Registers (or replaces) a terminal's Ed25519 public key (SPKI PEM). */
  addTerminal(terminalId: string, publicPem: string): Promise<AddTerminalOutcome>;
  /** Read at each request, so that `terminals add` takes effect on a running `serve`. */
  terminalKey(terminalId: string): Promise<KeyObject | undefined>;
  /** Whether any terminal is registered: an intake with a register refuses unsigned requests. */
  hasTerminals(): Promise<boolean>;

  close(): Promise<void>;
}

/** The URL without its password, for log lines and messages. */
export function redactDbUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://…';
  }
}

export type IntakeStoreLocation = { out: string; db?: undefined } | { db: string; out?: undefined };

/** Opens the store that `--out DIR` or `--db postgres://…` names (see the module comment). */
export async function openIntakeStore(location: IntakeStoreLocation, now: () => number = Date.now): Promise<IntakeStore> {
  // Loaded on demand: the SQLite command never loads pg, nor the PostgreSQL one better-sqlite3.
  if (location.db !== undefined) return (await import('./pg-store.ts')).PgIntakeStore.open(location.db, { now });
  return new (await import('./sqlite-store.ts')).SqliteIntakeStore(location.out, now);
}

/**
 * What the crash tests (crash.test.ts) require of the data folder after every kill -9:
 * checked by each restarted child right after it opened the store (so on the state that
 * SQLite's recovery left, before anything new is written), and by the test at the end.
 *
 * - every promised submission (a line the child printed) is there, with its reference;
 * - no submission twice, no reference twice, every reference well formed (check character);
 * - no half-written submission: each row has its sealed blob, of the recorded size, and no blob
 *   is without its row; the audit log has exactly one `submissionAccepted` per row;
 * - the day's counter is at or past every sequence used (a number is never handed out again);
 * - delivery: a row marked delivered has its complete `<reference>.ovsl` at the intake and exactly
 *   one `submissionDelivered` event; a file at the intake belongs to a row and is complete (it may
 *   be there while its row is still pending: killed between the rename and the commit, it is
 *   delivered again, harmlessly); nothing else is in the intake folder but hidden temporary files.
 *
 * Reads metadata only (lengths, not blobs), so that it stays cheap with thousands of rows.
 * Opening the sealed blobs is the test's part at the end (it holds the back office key).
 */
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { SqliteDatabase } from '../../store/db.ts';
import { sealedFileName } from '../delivery.ts';
import { formatReference, parseReference } from '../reference.ts';

/** Promises so far: submission id → reference. */
export type Promised = ReadonlyMap<string, string>;

/** The file through which the test tells a restarted child what was promised: `submissionId reference` lines. */
export function readPromisedFile(file: string): Map<string, string> {
  const promised = new Map<string, string>();
  if (!existsSync(file)) return promised;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [submissionId, reference] = line.split(' ');
    if (submissionId && reference) promised.set(submissionId, reference);
  }
  return promised;
}

export function appendPromisedFile(file: string, entries: Iterable<readonly [string, string]>): void {
  let text = '';
  for (const [submissionId, reference] of entries) text += `${submissionId} ${reference}\n`;
  appendFileSync(file, text);
}

export type CrashStateSummary = {
  promised: number;
  rows: number;
  pending: number;
  delivered: number;
  /** Committed, but the child died before it could print the promise. */
  unpromised: string[];
  /** `.ovsl` files at the intake. */
  intakeFiles: number;
  /** Rows still pending whose file is already at the intake (killed between the rename and the commit). */
  deliveredNotRecorded: number;
  /** Hidden temporary files left at the intake by a delivery killed mid-write. */
  strayTemporaryFiles: number;
};

export type CrashStateCheck = { ok: true; summary: CrashStateSummary } | { ok: false; problems: string[] };

type Row = { reference: string; submission_id: string; state: string; size_bytes: number; purged_at: number | null; blob_bytes: number | null };

const TEMPORARY_FILE = /^\.[A-Z0-9-]+\.[0-9a-f]+\.tmp$/;

export function checkCrashState(db: SqliteDatabase, intakeDir: string, promised: Promised): CrashStateCheck {
  const problems: string[] = [];
  const problem = (text: string): void => {
    if (problems.length < 20) problems.push(text);
  };
  // length() of a BLOB is read from the record header: the blobs themselves are not loaded.
  const rows = db
    .prepare<[], Row>(
      `SELECT o.reference, o.submission_id, o.state, o.size_bytes, o.purged_at, length(b.blob) AS blob_bytes
       FROM outbox o LEFT JOIN outbox_blob b ON b.reference = o.reference`,
    )
    .all();
  const byReference = new Map<string, Row>();
  const bySubmission = new Map<string, Row>();
  const maxSeqByDay = new Map<string, number>();
  let pending = 0;
  let delivered = 0;
  for (const row of rows) {
    if (byReference.has(row.reference)) problem(`reference ${row.reference} twice`);
    if (bySubmission.has(row.submission_id)) problem(`submission ${row.submission_id} twice`);
    byReference.set(row.reference, row);
    bySubmission.set(row.submission_id, row);
    const parsed = parseReference(row.reference);
    if (parsed?.terminalId !== 'T0001' || formatReference(parsed.terminalId, parsed.day, parsed.seq) !== row.reference) problem(`malformed reference ${row.reference}`);
    else maxSeqByDay.set(parsed.day, Math.max(maxSeqByDay.get(parsed.day) ?? 0, parsed.seq));
    if (row.purged_at === null && row.blob_bytes !== row.size_bytes) {
      problem(`${row.reference}: sealed blob of ${String(row.blob_bytes)} bytes, ${row.size_bytes} recorded (half-written?)`);
    }
    if (row.state === 'pending') pending += 1;
    else if (row.state === 'delivered') delivered += 1;
    else problem(`${row.reference}: unexpected state ${row.state}`);
  }
  const orphans = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM outbox_blob WHERE reference NOT IN (SELECT reference FROM outbox)').get();
  if (orphans && orphans.n > 0) problem(`${orphans.n} sealed blobs without their submission`);

  for (const [submissionId, reference] of promised) {
    const row = bySubmission.get(submissionId);
    if (!row) problem(`promised ${submissionId} (${reference}) is missing`);
    else if (row.reference !== reference) problem(`promised ${submissionId} as ${reference}, stored as ${row.reference}`);
  }
  const unpromised = rows.filter((r) => !promised.has(r.submission_id)).map((r) => r.submission_id);

  for (const { day, last_seq: lastSeq } of db.prepare<[], { day: string; last_seq: number }>('SELECT day, last_seq FROM reference_counter').all()) {
    const used = maxSeqByDay.get(day);
    if (used !== undefined && used > lastSeq) problem(`day ${day}: sequence ${used} used, but the counter says ${lastSeq} (would be reused)`);
    maxSeqByDay.delete(day);
  }
  for (const day of maxSeqByDay.keys()) problem(`day ${day}: sequences used without a counter`);

  // The audit log commits with the change it records: one accept per row, one delivery per delivered row.
  const events = db
    .prepare<[], { kind: string; reference: string | null; n: number }>(
      `SELECT kind, json_extract(details, '$.reference') AS reference, COUNT(*) AS n FROM audit_log
       WHERE kind IN ('submissionAccepted', 'submissionDelivered') GROUP BY kind, reference`,
    )
    .all();
  const accepted = new Map<string, number>();
  const deliveredEvents = new Map<string, number>();
  for (const e of events) {
    if (e.reference === null || !byReference.has(e.reference)) problem(`audit ${e.kind} for unknown reference ${String(e.reference)}`);
    else (e.kind === 'submissionAccepted' ? accepted : deliveredEvents).set(e.reference, e.n);
  }
  for (const row of rows) {
    if (accepted.get(row.reference) !== 1) problem(`${row.reference}: ${accepted.get(row.reference) ?? 0} submissionAccepted events`);
    const want = row.state === 'delivered' ? 1 : 0;
    if ((deliveredEvents.get(row.reference) ?? 0) !== want) problem(`${row.reference} (${row.state}): ${deliveredEvents.get(row.reference) ?? 0} submissionDelivered events`);
  }
  const head = db.prepare<[], { seq: number; last: number | null }>('SELECT h.seq, (SELECT MAX(seq) FROM audit_log) AS last FROM audit_head h WHERE h.id = 1').get();
  if (!head || head.seq !== (head.last ?? 0)) problem(`audit head at ${String(head?.seq)} but the log ends at ${String(head?.last)}`);

  let intakeFiles = 0;
  let deliveredNotRecorded = 0;
  let strayTemporaryFiles = 0;
  const names = new Set(existsSync(intakeDir) ? readdirSync(intakeDir) : []);
  for (const name of names) {
    if (TEMPORARY_FILE.test(name)) {
      strayTemporaryFiles += 1;
      continue;
    }
    const reference = name.endsWith('.ovsl') ? name.slice(0, -'.ovsl'.length) : undefined;
    const row = reference === undefined ? undefined : byReference.get(reference);
    if (!row) {
      problem(`intake holds ${name}, which is no submission of ours`);
      continue;
    }
    intakeFiles += 1;
    const sizeBytes = statSync(path.join(intakeDir, name)).size;
    if (sizeBytes !== row.size_bytes) problem(`intake ${name}: ${sizeBytes} bytes, ${row.size_bytes} sealed (half-written?)`);
    if (row.state === 'pending') deliveredNotRecorded += 1;
  }
  for (const row of rows) {
    if (row.state === 'delivered' && !names.has(sealedFileName(row.reference))) problem(`${row.reference} is marked delivered but is not at the intake`);
  }

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    summary: { promised: promised.size, rows: rows.length, pending, delivered, unpromised, intakeFiles, deliveredNotRecorded, strayTemporaryFiles },
  };
}

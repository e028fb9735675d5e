/**
 * The intake's state in a folder (`--out DIR`, issue 15), as it has been kept since issue 5:
 * cases, supplements and ratings in `DIR/intake.sqlite` (cases.ts, records.ts), the sealed bytes as
 * files (`DIR/<reference>.ovsl`, `DIR/supplements/<id>.ovsl`, `DIR/ratings/<id>.ovsl`, each written
 * atomically), and the terminal register as `DIR/terminals/<ID>.pub` (terminals.ts).
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { SEALED_FILE_EXTENSION } from '../crypto/seal.ts';
import { sealedFileName, sealedSha256 } from '../outbox/delivery.ts';
import { CaseStore, type BackOfficeCase, type CaseUpdate } from './cases.ts';
import { RecordStore, type PutResult, type RatingRecord, type RatingRow, type SupplementRow } from './records.ts';
import type { AddTerminalOutcome, IntakeStore, SubmissionIn } from './store.ts';
import { addTerminal, hasTerminalRegister, terminalKeys } from './terminals.ts';

/** Writes `name` in `dir` whole or not at all (temporary file, fsync, rename, fsync of the folder). */
export async function writeAtomic(dir: string, name: string, bytes: Buffer): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${name}.${randomBytes(4).toString('hex')}.tmp`);
  const file = await open(tmp, 'wx', 0o640);
  try {
    await file.writeFile(bytes);
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await rename(tmp, path.join(dir, name));
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

async function readIfThere(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch {
    return undefined;
  }
}

export class SqliteIntakeStore implements IntakeStore {
  readonly kind = 'sqlite';
  readonly where: string;
  /** The SQLite classes themselves, for tests and tools that read them synchronously. */
  readonly cases: CaseStore;
  readonly records: RecordStore;
  readonly #keys: (terminalId: string) => KeyObject | undefined;

  constructor(outDir: string, now: () => number = Date.now) {
    this.where = path.resolve(outDir);
    this.cases = new CaseStore(this.where, now);
    this.records = new RecordStore(this.where, now);
    this.#keys = terminalKeys(this.where);
  }

  async putSubmission(s: SubmissionIn): Promise<PutResult> {
    const name = sealedFileName(s.reference);
    const existing = await readIfThere(path.join(this.where, name));
    if (existing) return existing.equals(s.bytes) ? { kind: 'duplicate' } : { kind: 'conflict', sha256: sealedSha256(existing) };
    await writeAtomic(this.where, name, s.bytes);
    return { kind: 'stored' };
  }

  submission(reference: string): Promise<Buffer | undefined> {
    return readIfThere(path.join(this.where, sealedFileName(reference)));
  }

  async submissionReferences(): Promise<string[]> {
    const names = (await readdir(this.where)).filter((n) => n.endsWith(SEALED_FILE_EXTENSION) && !n.startsWith('.'));
    const withTimes = await Promise.all(names.map(async (n) => ({ n, ms: (await stat(path.join(this.where, n))).mtimeMs })));
    return withTimes.sort((a, b) => a.ms - b.ms || a.n.localeCompare(b.n)).map((x) => x.n.slice(0, -SEALED_FILE_EXTENSION.length));
  }

  getCase(reference: string): Promise<BackOfficeCase | undefined> {
    return Promise.resolve(this.cases.get(reference));
  }

  casesByPerson(personKey: string): Promise<BackOfficeCase[]> {
    return Promise.resolve(this.cases.byPerson(personKey));
  }

  setCase(reference: string, update: CaseUpdate): Promise<BackOfficeCase> {
    return Promise.resolve(this.cases.set(reference, update));
  }

  receiveCase(reference: string, personKey: string): Promise<BackOfficeCase> {
    return Promise.resolve(this.cases.receive(reference, personKey));
  }

  async putSupplement(row: Omit<SupplementRow, 'receivedAt' | 'sha256'>, bytes: Buffer): Promise<PutResult> {
    const put = this.records.putSupplement({ ...row, sha256: sealedSha256(bytes) });
    if (put.kind === 'stored') await writeAtomic(path.join(this.where, 'supplements'), sealedFileName(row.id), bytes);
    return put;
  }

  supplementsOf(caseReference: string): Promise<SupplementRow[]> {
    return Promise.resolve(this.records.supplementsOf(caseReference));
  }

  async putRating(id: string, terminalId: string, record: RatingRecord, bytes: Buffer): Promise<PutResult> {
    const put = this.records.putRating(id, terminalId, sealedSha256(bytes), record);
    if (put.kind === 'stored') await writeAtomic(path.join(this.where, 'ratings'), sealedFileName(id), bytes);
    return put;
  }

  ratings(options: { bad?: boolean } = {}): Promise<RatingRow[]> {
    return Promise.resolve(this.records.ratings(options));
  }

  rating(id: string): Promise<RatingRow | undefined> {
    return Promise.resolve(this.records.rating(id));
  }

  followUp(id: string, note: string): Promise<RatingRow | undefined> {
    return Promise.resolve(this.records.followUp(id, note));
  }

  addTerminal(terminalId: string, publicPem: string): Promise<AddTerminalOutcome> {
    const r = addTerminal(this.where, terminalId, publicPem);
    return Promise.resolve(r.ok ? { ok: true, where: r.file } : r);
  }

  terminalKey(terminalId: string): Promise<KeyObject | undefined> {
    return Promise.resolve(this.#keys(terminalId));
  }

  hasTerminals(): Promise<boolean> {
    return Promise.resolve(hasTerminalRegister(this.where));
  }

  close(): Promise<void> {
    this.cases.close();
    this.records.close();
    return Promise.resolve();
  }
}

/**
 * The submission service behind `Forms.Submit` and `Outbox.*`: validates (through the
 * forms library, injected), fills the PDF itself from those answers (injected filler; never a
 * PDF from outside, so what is sealed cannot differ from the answers), then hands everything to
 * the outbox, which seals and commits it before a reference exists.
 *
 * `createSubmissionRuntime` builds the whole thing from the agent's options:
 *
 *   const store = openStore({ dataDir, migrations: [...submissionMigrations, bookingSet] });
 *   const submissions = createSubmissionRuntime({ db: store.db, dataDir, terminalId, clock, log,
 *     backofficeKeyFile: config.backofficeKeyFile, intakeDir: config.intakeDir, intakeUrl: config.intakeUrl,
 *     forms: { formVersion, validate, fillPdf } });
 *   submissions.start();            // the delivery worker
 *   ...
 *   await submissions.stop();       // before store.close()
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadOrCreateTerminalKey } from '../crypto/request-signing.ts';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import { parsePublicKeys, type PublicKeyEntry } from '../crypto/seal.ts';
import type { FieldError } from '@onevisit/protocol';
import { AuditLog, auditMigrations } from '../store/audit.ts';
import type { MigrationSet, SqliteDatabase } from '../store/db.ts';
import { DeliveryWorker, FolderTarget, HttpTarget, type DeliveryTarget } from './delivery.ts';
import { newSubmissionId, Outbox, outboxMigrations, type AcceptBlockReason, type CanAccept, type OutboxState, type ScanImage } from './outbox.ts';

/** The migrations the submission service needs; booking and others add theirs beside. */
export const submissionMigrations: readonly MigrationSet[] = [auditMigrations, outboxMigrations];

/** What the service needs from the forms library (forms/); injected so that neither waits for the other. */
export type SubmissionFormsPort = {
  /** The active version of a form, or undefined when the form is unknown. */
  formVersion(formId: string): string | undefined | Promise<string | undefined>;
  /** Problems with the answers; empty when they are fine. */
  validate?(formId: string, answers: Readonly<Record<string, unknown>>): FieldError[] | Promise<FieldError[]>;
  /**
   * The filled application PDF. Called after the reference number was reserved (and before the
   * commit), so that the PDF can carry it; `extras` says what goes on the paper besides the answers.
   */
  fillPdf?(formId: string, answers: Readonly<Record<string, unknown>>, extras: FillPdfExtras): Promise<Uint8Array>;
};

/** What `fillPdf` gets besides the answers. */
export type FillPdfExtras = {
  /** Reserved for this submission; committed with it, or never used again. */
  reference: string;
  terminalId: string;
  /** When the reference was taken (epoch ms): the application's date. */
  atMs: number;
  signaturePng?: Uint8Array | undefined;
};

export type SubmitInput = {
  formId: string;
  answers: Readonly<Record<string, unknown>>;
  submissionId?: string | undefined;
  signaturePng?: Uint8Array | undefined;
  scans?: readonly (Uint8Array | { mediaType?: ScanImage['mediaType'] | undefined; bytes: Uint8Array })[] | undefined;
  /** The citizen's hall person key, sent signed with the delivery (issue 15). */
  personKey?: string | undefined;
};

export type SubmitFailureCode =
  | 'diskFull'
  | 'storeReadOnly'
  | 'storeError'
  | 'noBackofficeKey'
  | 'unknownForm'
  | 'invalidAnswers'
  | 'fillFailed'
  | 'submissionIdConflict';

export type SubmitResult =
  /** `pdf`: the PDF sealed with a new submission (memory only, e.g. for printing); absent on a duplicate. */
  | { ok: true; reference: string; acceptedAtMs: number; duplicate: boolean; pdf?: Uint8Array | undefined }
  | { ok: false; code: SubmitFailureCode; errors?: FieldError[] };

export function failureCodeOf(reason: AcceptBlockReason): SubmitFailureCode {
  switch (reason) {
    case 'diskFull':
      return 'diskFull';
    case 'readOnly':
      return 'storeReadOnly';
    case 'ioError':
    case 'storeError':
      return 'storeError';
    case 'noKey':
      return 'noBackofficeKey';
    default: {
      const unreachable: never = reason;
      return unreachable;
    }
  }
}

/** PNG or JPEG from the first bytes; JPEG when unsure (scanners mostly give JPEG). */
export function sniffImageType(bytes: Uint8Array): ScanImage['mediaType'] {
  return bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47 ? 'image/png' : 'image/jpeg';
}

export type SubmissionServiceOptions = {
  outbox: Outbox;
  forms?: SubmissionFormsPort | undefined;
  /** Woken after each accept so delivery starts at once. */
  worker?: DeliveryWorker | undefined;
  delivery: 'folder' | 'http' | 'none';
  log?: Logger | undefined;
};

export type OutboxStatus = {
  canAccept: CanAccept;
  delivery: 'folder' | 'http' | 'none';
  counts: Record<OutboxState, number>;
  oldestPendingAtMs: number | undefined;
  deadLetters: { reference: string; formId: string; acceptedAtMs: number; attempts: number; httpStatus: number | null; errorCode: string | null }[];
};

export class SubmissionService {
  readonly outbox: Outbox;
  readonly #forms: SubmissionFormsPort | undefined;
  readonly #worker: DeliveryWorker | undefined;
  readonly #delivery: 'folder' | 'http' | 'none';
  readonly #log: Logger | undefined;

  constructor(options: SubmissionServiceOptions) {
    this.outbox = options.outbox;
    this.#forms = options.forms;
    this.#worker = options.worker;
    this.#delivery = options.delivery;
    this.#log = options.log;
  }

  canAccept(): CanAccept {
    return this.outbox.canAccept();
  }

  /** Validates, fills, seals and commits. Resolves with the reference only once it is on disk. */
  async submit(input: SubmitInput): Promise<SubmitResult> {
    const submissionId = input.submissionId ?? newSubmissionId();
    // A retry of a submission already accepted gets its reference back, even when out of service now.
    const existing = this.outbox.bySubmissionId(submissionId);
    if (existing) {
      if (existing.formId !== input.formId) return { ok: false, code: 'submissionIdConflict' };
      return { ok: true, reference: existing.reference, acceptedAtMs: existing.acceptedAtMs, duplicate: true };
    }
    const can = this.outbox.canAccept();
    if (!can.ok) return { ok: false, code: failureCodeOf(can.reason) };

    let formVersion: string | undefined = 'unversioned';
    if (this.#forms) formVersion = await this.#forms.formVersion(input.formId);
    if (formVersion === undefined) return { ok: false, code: 'unknownForm' };
    const errors = this.#forms?.validate ? await this.#forms.validate(input.formId, input.answers) : [];
    if (errors.length > 0) return { ok: false, code: 'invalidAnswers', errors };

    let pdf: Uint8Array | undefined;
    let reference: string | undefined;
    if (this.#forms?.fillPdf) {
      // The PDF carries the reference number: take it first (committed, never reused), fill,
      // then seal and commit with it below. A crash in between leaves only a gap in the sequence.
      const reserved = this.outbox.reserveReference();
      if (!reserved.ok) return { ok: false, code: failureCodeOf(reserved.reason) };
      reference = reserved.reference;
      try {
        pdf = await this.#forms.fillPdf(input.formId, input.answers, {
          reference,
          terminalId: this.outbox.terminalId,
          atMs: reserved.atMs,
          signaturePng: input.signaturePng,
        });
      } catch (error) {
        this.outbox.release(reference);
        // The error may quote answers: log only its type.
        this.#log?.error({ formId: input.formId, errorType: error instanceof Error ? error.name : typeof error }, 'submission: filling the PDF failed');
        return { ok: false, code: 'fillFailed' };
      }
    }
    const scans: ScanImage[] = (input.scans ?? []).map((s) =>
      s instanceof Uint8Array ? { mediaType: sniffImageType(s), bytes: s } : { mediaType: s.mediaType ?? sniffImageType(s.bytes), bytes: s.bytes },
    );
    const result = this.outbox.accept({
      submissionId,
      formId: input.formId,
      formVersion,
      answers: input.answers,
      pdf,
      signaturePng: input.signaturePng,
      scans,
      reference,
      personKey: input.personKey,
    });
    if (reference !== undefined && (!result.ok || result.reference !== reference)) this.outbox.release(reference);
    if (!result.ok) {
      if (result.reason === 'submissionIdConflict') return { ok: false, code: 'submissionIdConflict' };
      this.#log?.error({ reason: result.reason }, 'submission: not accepted, store unavailable');
      return { ok: false, code: failureCodeOf(result.reason) };
    }
    if (!result.duplicate) {
      this.#log?.info({ reference: result.reference, formId: input.formId }, 'submission accepted');
      this.#worker?.kick();
    }
    return { ok: true, reference: result.reference, acceptedAtMs: result.acceptedAtMs, duplicate: result.duplicate, pdf: result.duplicate ? undefined : pdf };
  }

  status(): OutboxStatus {
    const s = this.outbox.status();
    return {
      canAccept: this.outbox.canAccept(),
      delivery: this.#delivery,
      counts: s.counts,
      oldestPendingAtMs: s.oldestPendingAtMs,
      deadLetters: s.deadLetters.map((r) => ({
        reference: r.reference,
        formId: r.formId,
        acceptedAtMs: r.acceptedAtMs,
        attempts: r.attempts,
        httpStatus: r.lastHttpStatus,
        errorCode: r.lastErrorCode,
      })),
    };
  }

  /** Staff: retry a dead letter. */
  retry(reference: string, staff: string | null = null): { ok: true; state: OutboxState } | { ok: false; code: 'notFound' | 'notDeadLettered' } {
    const row = this.outbox.get(reference);
    if (!row) return { ok: false, code: 'notFound' };
    if (row.state !== 'deadLetter') return { ok: false, code: 'notDeadLettered' };
    this.outbox.retry(reference, staff);
    this.#worker?.kick();
    return { ok: true, state: this.outbox.get(reference)?.state ?? 'pending' };
  }
}

export type SubmissionRuntimeOptions = {
  db: SqliteDatabase;
  dataDir: string;
  terminalId: string;
  clock: Clock;
  log?: Logger | undefined;
  /** PEM file with one or more X25519 public keys; the first is current. Undefined = out of service for submissions. */
  backofficeKeyFile?: string | undefined;
  /** Or the keys themselves (tests). */
  keys?: readonly PublicKeyEntry[] | undefined;
  intakeDir?: string | undefined;
  intakeUrl?: string | undefined;
  forms?: SubmissionFormsPort | undefined;
  retentionMs?: number | undefined;
  minFreeBytes?: number | undefined;
  freeBytes?: ((dir: string) => number) | undefined;
  baseDelayMs?: number | undefined;
  maxDelayMs?: number | undefined;
  random?: (() => number) | undefined;
};

export type SubmissionRuntime = {
  service: SubmissionService;
  outbox: Outbox;
  audit: AuditLog;
  worker: DeliveryWorker;
  start(): void;
  stop(): Promise<void>;
};

/** Reads the back office key file; throws an Error with a clear message (no key material in it). */
export function loadBackofficeKeys(file: string): PublicKeyEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new Error(`cannot read the back office key ${file}${typeof code === 'string' ? ` (${code})` : ''}`, { cause: error });
  }
  const keys = parsePublicKeys(text);
  if (keys.length === 0) throw new Error(`${file} holds no public key (expected PEM "BEGIN PUBLIC KEY", X25519)`);
  return keys;
}

export function createSubmissionRuntime(options: SubmissionRuntimeOptions): SubmissionRuntime {
  const keys = options.keys ?? (options.backofficeKeyFile !== undefined ? loadBackofficeKeys(options.backofficeKeyFile) : []);
  const audit = new AuditLog(options.db, options.clock);
  const outboxOptions: ConstructorParameters<typeof Outbox>[0] = {
    db: options.db,
    dataDir: options.dataDir,
    clock: options.clock,
    terminalId: options.terminalId,
    keys,
    audit,
  };
  if (options.minFreeBytes !== undefined) outboxOptions.minFreeBytes = options.minFreeBytes;
  if (options.freeBytes !== undefined) outboxOptions.freeBytes = options.freeBytes;
  const outbox = new Outbox(outboxOptions);
  let target: DeliveryTarget;
  // The terminal's own key pair (issue 15), made at first start: it signs every request to the intake.
  const terminalKey = loadOrCreateTerminalKey(options.dataDir);
  if (options.intakeUrl !== undefined) {
    target = new HttpTarget({ url: options.intakeUrl, signer: { terminalId: options.terminalId, privateKey: terminalKey.privateKey, now: () => options.clock.now() } });
  }
  else target = new FolderTarget(options.intakeDir ?? path.join(options.dataDir, 'intake'));
  const workerOptions: ConstructorParameters<typeof DeliveryWorker>[0] = { outbox, target, clock: options.clock };
  if (options.log) workerOptions.log = options.log;
  if (options.retentionMs !== undefined) workerOptions.retentionMs = options.retentionMs;
  if (options.baseDelayMs !== undefined) workerOptions.baseDelayMs = options.baseDelayMs;
  if (options.maxDelayMs !== undefined) workerOptions.maxDelayMs = options.maxDelayMs;
  if (options.random !== undefined) workerOptions.random = options.random;
  const worker = new DeliveryWorker(workerOptions);
  if (keys.length === 0) options.log?.warn('submissions: no back office key configured (--backoffice-key); Forms.Submit is out of service');
  const service = new SubmissionService({ outbox, forms: options.forms, worker, delivery: target.kind, log: options.log });
  return {
    service,
    outbox,
    audit,
    worker,
    start: () => worker.start(),
    stop: () => worker.stop(),
  };
}

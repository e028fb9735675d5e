import { z } from 'zod';
import { defineCommand } from '../spec.ts';
import { AnswerErrorsPayloadSchema, errorsOf } from '../errors.ts';

/**
 * After-hours submission (issue 5): `Forms.Submit` seals the application to the back
 * office's key and commits it to the outbox before it answers with a reference number;
 * `Outbox.*` lets staff see and retry what the intake refused. Nothing here carries
 * personal data back out: references, form ids, counts, states and codes only.
 */

/** Why `Forms.Submit` took nothing: the first four put the terminal out of service for applications. */
export const SUBMIT_ERROR_CODES = [
  /** Out of service: the data disk is (nearly) full. */
  'diskFull',
  /** Out of service: the data disk or database is read-only. */
  'storeReadOnly',
  /** Out of service: the store failed (I/O error, damaged file). */
  'storeError',
  /** Out of service: no back office key is configured, so nothing can be sealed. */
  'noBackofficeKey',
  'unknownForm',
  /** The form prefills from the ID card and no card was read in this session. */
  'identityRequired',
  'fillFailed',
  /** The same submissionId was used for a different form. */
  'submissionIdConflict',
] as const;
export type SubmitErrorCode = (typeof SUBMIT_ERROR_CODES)[number] | 'invalidAnswers';

/** Why the terminal takes no new submissions right now. */
export const OUT_OF_SERVICE_REASONS = ['diskFull', 'readOnly', 'ioError', 'storeError', 'noKey'] as const;
export const OutOfServiceReasonSchema = z.enum(OUT_OF_SERVICE_REASONS);

/** `T0001-260123-0042-K`: terminal, date (Asia/Shanghai), sequence of the day, ISO 7064 MOD 37-2 check. */
export const ReferenceSchema = z.string().regex(/^[A-Z0-9]{2,12}-\d{6}-\d{4,9}-[0-9A-Z*]$/, 'expected a reference such as T0001-260123-0042-K');

/** A client-made id per submission (a UUID is best); a retry with the same id returns the same reference. */
export const SubmissionIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'expected 8 to 64 of A-Z a-z 0-9 _ -');

const MiB = 1024 * 1024;
/** base64 text of at most `maxBytes` decoded bytes. */
const base64Of = (maxBytes: number) => z.base64().max(Math.ceil(maxBytes / 3) * 4);

export const ScanSchema = z.union([
  base64Of(10 * MiB),
  z.object({
    mediaType: z.enum(['image/png', 'image/jpeg']).optional(),
    data: base64Of(10 * MiB),
  }),
]);

export const SubmissionAnswersSchema = z.record(z.string().min(1).max(128), z.json());

/** A submission the intake refused (Outbox.Status for staff, Outbox.DeadLetters): references, form ids and codes only. */
export const DeadLetterSchema = z.object({
  reference: ReferenceSchema,
  formId: z.string(),
  acceptedAt: z.string(),
  attempts: z.number().int(),
  httpStatus: z.number().int().nullable(),
  errorCode: z.string().nullable(),
});

export const submissionCommands = {
  'Forms.Submit': defineCommand({
    role: 'citizen',
    description:
      'Submit an application: the agent validates the answers, fills the application PDF from them with the reference number on it, seals everything to the back office key, commits it to the outbox with full sync, and only then answers with the reference number.',
    // Strict: the page sends answers, never a document. A PDF (or anything else) beside them is
    // refused, so a page cannot seal a paper that says something other than the answers.
    payload: z.strictObject({
      formId: z.string().min(1).max(128),
      answers: SubmissionAnswersSchema,
      submissionId: SubmissionIdSchema.optional(),
      /** The handwritten signature, PNG, base64. */
      signaturePng: base64Of(2 * MiB).optional(),
      /** Scanned pages, base64 PNG or JPEG (or `{ mediaType, data }`). */
      scans: z.array(ScanSchema).max(20).optional(),
    }),
    completion: z.object({
      reference: ReferenceSchema,
      /** When it was committed, ISO-8601 with +08:00. */
      acceptedAt: z.string(),
      /** True when this submissionId had been accepted before (a retry). */
      duplicate: z.boolean(),
    }),
    errors: { ...errorsOf(SUBMIT_ERROR_CODES), invalidAnswers: AnswerErrorsPayloadSchema },
    events: {},
    defaultTimeoutMs: 60_000,
  }),
  'Outbox.Status': defineCommand({
    role: 'none',
    description:
      'Whether the terminal takes submissions now, how many wait, were delivered or were refused. No personal data. The refused ones themselves (deadLetters) only for a signed-in staff member (also Outbox.DeadLetters); anyone else gets an empty list and the count.',
    payload: z.object({}).optional(),
    completion: z.object({
      canAccept: z.boolean(),
      outOfServiceReason: OutOfServiceReasonSchema.nullable(),
      delivery: z.enum(['folder', 'http', 'none']),
      counts: z.object({ pending: z.number().int(), delivered: z.number().int(), deadLetter: z.number().int() }),
      oldestPendingAt: z.string().nullable(),
      deadLetters: z.array(DeadLetterSchema),
    }),
    errors: errorsOf(['storeError']),
    events: {},
  }),
  'Outbox.Retry': defineCommand({
    role: 'staff',
    description: 'Staff: queue a dead-lettered submission for delivery again.',
    payload: z.object({ reference: ReferenceSchema }),
    completion: z.object({ reference: ReferenceSchema, state: z.enum(['pending', 'delivered', 'deadLetter']) }),
    errors: errorsOf(['storeError', 'notFound', 'notDeadLettered']),
    events: {},
  }),
} as const;

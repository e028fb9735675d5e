import { z } from 'zod';
import { FieldTypeSchema, FormDefinitionSchema, I18nTextSchema, NoticeSchema } from '../form-definition.ts';
import { defineCommand } from '../spec.ts';
import { AnswerErrorsPayloadSchema, errorsOf } from '../errors.ts';
import { printErrors } from './printer.ts';
import { ReferenceSchema, SubmissionAnswersSchema } from './submission.ts';

/**
 * One-form applications (issue 4): the form catalogue, prefill from the ID card and from
 * answers given earlier in this visit (一表申请, 信息复用), the filled PDF for review, and, once
 * `Forms.Submit` (messages/submission.ts) has accepted an application, printing it on A4 and
 * printing the citizen's receipt from the agent's in-memory copy (`Application.*`).
 *
 * The form definition travels as `FormDefinitionSchema` (form-definition.ts): the package format
 * itself, without its PDF mapping. Every visible text carries both languages, zh-CN first.
 */

// Error codes of `Forms.*` and `Application.*` are declared with each command (`errors`):
// unknownForm, identityRequired (no card read in this session), validationFailed (`payload.errors`,
// one per field), fillFailed (not the citizen's fault), applicationNotFound (not submitted in this
// session), formsNotReady (still loading at boot); Application.Print* add the print codes.

// Per-field codes in `payload.errors[].code` of a `validationFailed` completion (and of
// Forms.Submit's `invalidAnswers`): FIELD_ERROR_CODES in form-validation.ts.

/** One form of `Forms.List`. The first four properties are the contract of issue 4. */
export const FormListItemSchema = z.object({
  id: z.string(),
  version: z.string(),
  /** zh-CN */
  title: z.string(),
  /** Every top-level field in order; `required` = required whenever shown (conditions aside). */
  fields: z.array(z.object({ id: z.string(), type: FieldTypeSchema, required: z.boolean() })),
  titleEn: z.string(),
  /** residence | socialInsurance | medicalInsurance | publicSecurity | realEstate | civilAffairs | other */
  category: z.string(),
  description: I18nTextSchema.optional(),
  department: I18nTextSchema.optional(),
  /** The form prefills from the ID card: read the card (IdCard.Read) before Forms.Prefill / Forms.Fill. */
  requiresIdentity: z.boolean(),
  /** Field ids filled from the card; the citizen cannot change them (they must match the card). */
  identityFields: z.array(z.string()),
  /** The 一次性告知单, to show (and print) before starting. */
  notice: NoticeSchema,
  /** Sections, fields, conditions and texts in both languages. */
  definition: FormDefinitionSchema,
});
export type FormListItem = z.infer<typeof FormListItemSchema>;

// ---------------------------------------------------------------- commands

const FormIdSchema = z.string().min(1).max(128);
const MiB = 1024 * 1024;
const base64Of = (maxBytes: number) => z.base64().max(Math.ceil(maxBytes / 3) * 4);

/** Where a prefilled answer came from: the ID card read in this session, or an earlier form of this visit. */
export const PREFILL_SOURCES = ['card', 'visit'] as const;

export const formsCommands = {
  'Forms.List': defineCommand({
    role: 'none',
    description: 'The forms this terminal offers, with their definitions (both languages) and 一次性告知单.',
    payload: z.object({}).optional(),
    completion: z.object({ forms: z.array(FormListItemSchema) }),
    errors: errorsOf(['formsNotReady']),
    events: {},
  }),
  'Forms.Get': defineCommand({
    role: 'none',
    description: 'One form, as in Forms.List.',
    payload: z.object({ formId: FormIdSchema }),
    completion: z.object({ form: FormListItemSchema }),
    errors: errorsOf(['formsNotReady', 'unknownForm']),
    events: {},
  }),
  'Forms.Prefill': defineCommand({
    role: 'citizen',
    description:
      'Answers to start a form with: identity fields from the ID card read in this session, and answers given to fields of the same meaning earlier in this visit (一表申请, 信息复用).',
    payload: z.object({ formId: FormIdSchema }),
    completion: z.object({
      formId: z.string(),
      version: z.string(),
      /** Keyed by field id; only values that are valid for this form. */
      answers: SubmissionAnswersSchema,
      /** Field id → where its value came from. */
      sources: z.record(z.string(), z.enum(PREFILL_SOURCES)),
      /** Field ids backed by the card: show read-only; Forms.Fill / Forms.Submit refuse another value. */
      lockedFields: z.array(z.string()),
    }),
    errors: errorsOf(['formsNotReady', 'unknownForm', 'identityRequired']),
    events: {},
  }),
  'Forms.Fill': defineCommand({
    role: 'citizen',
    description:
      'Validate the answers and fill the PDF for review. Identity fields missing from `answers` are taken from the card read in this session; a value that differs from the card is an error (`mismatchesCard`). The answers are remembered for the other forms of this visit.',
    payload: z.object({
      formId: FormIdSchema,
      answers: SubmissionAnswersSchema,
      /** Language of choice labels, yes/no and the date on the paper form. Default zh-CN. */
      language: z.enum(['zh-CN', 'en']).optional(),
      /** The signature, PNG base64, to show it on the preview. */
      signaturePng: base64Of(2 * MiB).optional(),
    }),
    completion: z.object({
      formId: z.string(),
      version: z.string(),
      pdfBase64: z.string(),
      pages: z.number().int().positive(),
      sizeBytes: z.number().int().positive(),
      /** The answers as they went onto the paper: normalised, identity fields included, hidden fields dropped. Submit these. */
      answers: SubmissionAnswersSchema,
    }),
    errors: { ...errorsOf(['formsNotReady', 'unknownForm', 'identityRequired', 'fillFailed']), validationFailed: AnswerErrorsPayloadSchema },
    events: {},
    defaultTimeoutMs: 30_000,
  }),
} as const;

/** What `Application.List` says about one application submitted in this session. */
export const SessionApplicationSchema = z.object({
  reference: ReferenceSchema,
  formId: z.string(),
  /** zh-CN */
  title: z.string(),
  titleEn: z.string(),
  /** ISO-8601 with +08:00. */
  acceptedAt: z.string(),
  /** The A4 application came out whole at least once. */
  formPrinted: z.boolean(),
  receiptPrinted: z.boolean(),
  /** The agent still holds the PDF in memory (false after a duplicate Forms.Submit from another session). */
  pdfAvailable: z.boolean(),
});
export type SessionApplication = z.infer<typeof SessionApplicationSchema>;

export const applicationCommands = {
  'Application.List': defineCommand({
    role: 'citizen',
    description: 'The applications submitted in this session (memory only, wiped with it), and what has been printed.',
    payload: z.object({}).optional(),
    completion: z.object({ applications: z.array(SessionApplicationSchema) }),
    errors: errorsOf(['formsNotReady']),
    events: {},
  }),
  'Application.PrintForm': defineCommand({
    role: 'citizen',
    description:
      'Print the application submitted in this session (Forms.Submit) on the A4 printer, from the copy the agent holds in memory. Safe to retry after a failure: the application is already in the outbox.',
    payload: z.object({ reference: ReferenceSchema, copies: z.number().int().min(1).max(3).optional() }),
    completion: z.object({ reference: ReferenceSchema, jobId: z.string(), pages: z.number().int().nonnegative().optional() }),
    errors: { ...printErrors, ...errorsOf(['formsNotReady', 'applicationNotFound']) },
    events: {
      'Application.PrintQueuedEvent': z.object({ jobId: z.string() }),
      'Application.PrintingEvent': z.object({ jobId: z.string() }),
    },
    defaultTimeoutMs: 180_000,
  }),
  'Application.PrintReceipt': defineCommand({
    role: 'citizen',
    description:
      'Print the receipt of an application submitted in this session: reference number (and QR code), form title, date, terminal id, what happens next. Safe to retry.',
    payload: z.object({ reference: ReferenceSchema }),
    completion: z.object({ reference: ReferenceSchema }),
    errors: { ...printErrors, ...errorsOf(['formsNotReady', 'applicationNotFound']) },
    events: {},
    defaultTimeoutMs: 30_000,
  }),
} as const;

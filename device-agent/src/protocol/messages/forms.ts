import { z } from 'zod';
import { defineCommand } from '../spec.ts';
import { PRINT_ERROR_CODES } from './printer.ts';
import { ReferenceSchema, SubmissionAnswersSchema } from './submission.ts';

/**
 * One-form applications (issue 4): the form catalogue, prefill from the ID card and from
 * answers given earlier in this visit (一表申请, 信息复用), the filled PDF for review, and, once
 * `Forms.Submit` (messages/submission.ts) has accepted an application, printing it on A4 and
 * printing the citizen's receipt from the agent's in-memory copy (`Application.*`).
 *
 * The form definition travels as a *view* of the package format (forms/src/format.ts): the
 * protocol does not import the forms library (the UI imports the protocol); the agent checks at
 * compile time that a package definition fits this view (services/application/form-catalog.ts).
 * Every visible text carries both languages, zh-CN first.
 */

/** Stable error codes of `Forms.*` (besides Forms.Submit's) and `Application.*`; the UI maps each to a text. */
export const FORMS_ERROR_CODES = [
  /** No active form with this id. */
  'unknownForm',
  /** The form prefills from the ID card and no card was read in this session (userError). */
  'identityRequired',
  /** Some answers are missing or invalid: `payload.errors` has one entry per field (invalidData). */
  'validationFailed',
  /** The form could not be filled for a reason that is not the citizen's (internalError). */
  'fillFailed',
  /** No application with this reference was submitted in this session (or the session ended). */
  'applicationNotFound',
  /** The forms are still loading at boot (deviceNotReady). */
  'formsNotReady',
] as const;
export type FormsErrorCode = (typeof FORMS_ERROR_CODES)[number];

/**
 * Per-field codes in `payload.errors[].code` of a `validationFailed` completion (and of
 * Forms.Submit's `invalidAnswers`): the forms library's validation codes, plus
 * `mismatchesCard` (an identity-backed field differs from the card read in this session),
 * `unprintableCharacter` (no installed font has a character of this answer) and
 * `textOverflow` (the answer does not fit its box on the paper form).
 */
export const FIELD_ERROR_CODES = [
  'required',
  'tooLong',
  'tooShort',
  'pattern',
  'invalidPhone',
  'invalidIdNumber',
  'invalidDate',
  'outOfRange',
  'notANumber',
  'notAnInteger',
  'notAnOption',
  'tooFewSelected',
  'tooManySelected',
  'groupTooFew',
  'groupTooMany',
  'wrongType',
  'unknownField',
  'mismatchesCard',
  'unprintableCharacter',
  'textOverflow',
] as const;
export type FieldErrorCode = (typeof FIELD_ERROR_CODES)[number];

// ---------------------------------------------------------------- the form definition (view)

export const I18nTextViewSchema = z.object({ 'zh-CN': z.string(), en: z.string() });
export type I18nTextView = z.infer<typeof I18nTextViewSchema>;

export type ConditionView =
  | { equals: { field: string; value: string | number | boolean } }
  | { in: { field: string; values: (string | number | boolean)[] } }
  | { notEmpty: { field: string } }
  | { and: ConditionView[] }
  | { or: ConditionView[] }
  | { not: ConditionView };

const ScalarViewSchema = z.union([z.string(), z.number(), z.boolean()]);

/** Show/hide/require conditions over other answers (a hidden field reads as empty). */
export const ConditionViewSchema: z.ZodType<ConditionView> = z.lazy(() =>
  z.union([
    z.object({ equals: z.object({ field: z.string(), value: ScalarViewSchema }) }),
    z.object({ in: z.object({ field: z.string(), values: z.array(ScalarViewSchema) }) }),
    z.object({ notEmpty: z.object({ field: z.string() }) }),
    z.object({ and: z.array(ConditionViewSchema) }),
    z.object({ or: z.array(ConditionViewSchema) }),
    z.object({ not: ConditionViewSchema }),
  ]),
);

export const FORM_FIELD_TYPES = ['text', 'number', 'date', 'choice', 'multiChoice', 'yesNo', 'phone', 'idNumber', 'address', 'group'] as const;
export const FormFieldTypeSchema = z.enum(FORM_FIELD_TYPES);
export type FormFieldType = z.infer<typeof FormFieldTypeSchema>;

const fieldViewShape = {
  id: z.string(),
  type: FormFieldTypeSchema,
  label: I18nTextViewSchema,
  help: I18nTextViewSchema.optional(),
  placeholder: I18nTextViewSchema.optional(),
  /** Required whenever shown. */
  required: z.boolean().optional(),
  showWhen: ConditionViewSchema.optional(),
  hideWhen: ConditionViewSchema.optional(),
  /** Required (when shown) if this holds. */
  requiredWhen: ConditionViewSchema.optional(),
  /** choice / multiChoice */
  options: z.array(z.object({ value: z.string(), label: I18nTextViewSchema })).optional(),
  /** text / address: characters (code points) */
  minLength: z.number().optional(),
  maxLength: z.number().optional(),
  /** text: ECMAScript regular expression the whole value must match (flag `u`) */
  pattern: z.string().optional(),
  multiline: z.boolean().optional(),
  /** number */
  min: z.number().optional(),
  max: z.number().optional(),
  integer: z.boolean().optional(),
  unit: I18nTextViewSchema.optional(),
  /** date: `YYYY-MM-DD`, `today`, `today-18y`, `today+30d` */
  minDate: z.string().optional(),
  maxDate: z.string().optional(),
  /** multiChoice */
  minSelected: z.number().optional(),
  maxSelected: z.number().optional(),
  /** phone: mobile | landline | any */
  kind: z.enum(['mobile', 'landline', 'any']).optional(),
  /** group: label of one row, row limits */
  itemLabel: I18nTextViewSchema.optional(),
  minItems: z.number().optional(),
  maxItems: z.number().optional(),
};

/** One field of a group row (never a group itself). */
export const SubFieldViewSchema = z.looseObject(fieldViewShape);
export type SubFieldView = z.infer<typeof SubFieldViewSchema>;

/**
 * One field. Flat on purpose: `type` says which of the optional properties apply (see the
 * comments above); a `group` (repeating rows, e.g. family members) has `fields`, and its
 * answer is an array of objects keyed by sub-field id.
 */
export const FieldViewSchema = z.looseObject({ ...fieldViewShape, fields: z.array(SubFieldViewSchema).optional() });
export type FieldView = z.infer<typeof FieldViewSchema>;

export const SectionViewSchema = z.looseObject({
  id: z.string(),
  title: I18nTextViewSchema,
  description: I18nTextViewSchema.optional(),
  showWhen: ConditionViewSchema.optional(),
  hideWhen: ConditionViewSchema.optional(),
  fields: z.array(FieldViewSchema),
});
export type SectionView = z.infer<typeof SectionViewSchema>;

/** 一次性告知单: what to bring, the legal basis, time limit, fees, collection. */
export const NoticeViewSchema = z.looseObject({
  materials: z.array(
    z.looseObject({
      name: I18nTextViewSchema,
      copies: z.number(),
      /** 原件 / 复印件 / 原件及复印件 */
      form: z.enum(['original', 'copy', 'originalAndCopy']),
      /** Default true. */
      required: z.boolean().optional(),
      notes: I18nTextViewSchema.optional(),
    }),
  ),
  legalBasis: z.array(I18nTextViewSchema),
  timeLimit: I18nTextViewSchema,
  fees: I18nTextViewSchema,
  collection: I18nTextViewSchema,
  contact: I18nTextViewSchema.optional(),
});
export type NoticeView = z.infer<typeof NoticeViewSchema>;

/** The whole form as the UI renders it (the package without its PDF mapping). */
export const FormDefinitionViewSchema = z.looseObject({
  id: z.string(),
  version: z.string(),
  title: I18nTextViewSchema,
  description: I18nTextViewSchema.optional(),
  category: z.string(),
  department: I18nTextViewSchema.optional(),
  sections: z.array(SectionViewSchema),
  notice: NoticeViewSchema,
});
export type FormDefinitionView = z.infer<typeof FormDefinitionViewSchema>;

/** One form of `Forms.List`. The first four properties are the contract of issue 4. */
export const FormListItemSchema = z.object({
  id: z.string(),
  version: z.string(),
  /** zh-CN */
  title: z.string(),
  /** Every top-level field in order; `required` = required whenever shown (conditions aside). */
  fields: z.array(z.object({ id: z.string(), type: FormFieldTypeSchema, required: z.boolean() })),
  titleEn: z.string(),
  /** residence | socialInsurance | medicalInsurance | publicSecurity | realEstate | civilAffairs | other */
  category: z.string(),
  description: I18nTextViewSchema.optional(),
  department: I18nTextViewSchema.optional(),
  /** The form prefills from the ID card: read the card (IdCard.Read) before Forms.Prefill / Forms.Fill. */
  requiresIdentity: z.boolean(),
  /** Field ids filled from the card; the citizen cannot change them (they must match the card). */
  identityFields: z.array(z.string()),
  /** The 一次性告知单, to show (and print) before starting. */
  notice: NoticeViewSchema,
  /** Sections, fields, conditions and texts in both languages. */
  definition: FormDefinitionViewSchema,
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
    description: 'The forms this terminal offers, with their definitions (both languages) and 一次性告知单.',
    payload: z.object({}).optional(),
    completion: z.object({ forms: z.array(FormListItemSchema) }),
    events: {},
  }),
  'Forms.Get': defineCommand({
    description: 'One form, as in Forms.List.',
    payload: z.object({ formId: FormIdSchema }),
    completion: z.object({ form: FormListItemSchema }),
    events: {},
  }),
  'Forms.Prefill': defineCommand({
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
    events: {},
  }),
  'Forms.Fill': defineCommand({
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

/** Print failures reuse the printers' codes (messages/printer.ts); `partial: true` in the payload when part of it came out. */
export const APPLICATION_PRINT_ERROR_CODES = PRINT_ERROR_CODES;

export const applicationCommands = {
  'Application.List': defineCommand({
    description: 'The applications submitted in this session (memory only, wiped with it), and what has been printed.',
    payload: z.object({}).optional(),
    completion: z.object({ applications: z.array(SessionApplicationSchema) }),
    events: {},
  }),
  'Application.PrintForm': defineCommand({
    description:
      'Print the application submitted in this session (Forms.Submit) on the A4 printer, from the copy the agent holds in memory. Safe to retry after a failure: the application is already in the outbox.',
    payload: z.object({ reference: ReferenceSchema, copies: z.number().int().min(1).max(3).optional() }),
    completion: z.object({ reference: ReferenceSchema, jobId: z.string(), pages: z.number().int().nonnegative().optional() }),
    events: {
      'Application.PrintQueuedEvent': z.object({ jobId: z.string() }),
      'Application.PrintingEvent': z.object({ jobId: z.string() }),
    },
    defaultTimeoutMs: 180_000,
  }),
  'Application.PrintReceipt': defineCommand({
    description:
      'Print the receipt of an application submitted in this session: reference number (and QR code), form title, date, terminal id, what happens next. Safe to retry.',
    payload: z.object({ reference: ReferenceSchema }),
    completion: z.object({ reference: ReferenceSchema }),
    events: {},
    defaultTimeoutMs: 30_000,
  }),
} as const;

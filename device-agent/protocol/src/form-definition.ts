import { z } from 'zod';
import { CardTypeSchema, type CardType } from './identity.ts';
import { unsafePatternReason } from './safe-pattern.ts';

/**
 * The form package definition (definition.json), defined once: ops write it, the forms library
 * checks and fills it (forms/), the agent loads it, and the UI renders the part of it that
 * `Forms.List` carries (`FormDefinitionSchema`: the package without its PDF mapping and its
 * card-prefill map). Every visible text carries both languages, zh-CN first.
 * forms/schema/form-package.schema.json is generated from `FormPackageSchema`
 * (`npm run publish-schema -w forms`) and gives editors completion and checking.
 *
 * Coordinates on the PDF are millimetres from the TOP-LEFT corner of the page (as a person
 * measures a paper form), pages numbered from 1.
 */

export const LANGUAGES = ['zh-CN', 'en'] as const;
export const LanguageSchema = z.enum(LANGUAGES);
export type Language = z.infer<typeof LanguageSchema>;

export const I18nTextSchema = z
  .object({
    'zh-CN': z.string().min(1).describe('Simplified Chinese text'),
    en: z.string().min(1).describe('English text'),
  })
  .strict()
  .describe('A visible text in both languages');
export type I18nText = z.infer<typeof I18nTextSchema>;

/** Field and section ids: usable as a JS identifier and in paths like `family[1].idNumber`. */
export const ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
export const FieldIdSchema = z.string().regex(ID_PATTERN, 'ids are letters, digits and _ (not starting with a digit)');

/** A date bound: a fixed `YYYY-MM-DD`, `today`, or today shifted, e.g. `today-18y`, `today+30d`. */
export const DateBoundSchema = z
  .string()
  .regex(/^(\d{4}-\d{2}-\d{2}|today([+-]\d{1,4}[dmy])?)$/, 'expected YYYY-MM-DD, today, or today±N(d|m|y)');

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

// ---------------------------------------------------------------------------------------------
// Conditions

export type AnswerScalar = string | number | boolean;

export type Condition =
  | { equals: { field: string; value: AnswerScalar } }
  | { in: { field: string; values: AnswerScalar[] } }
  | { notEmpty: { field: string } }
  | { and: Condition[] }
  | { or: Condition[] }
  | { not: Condition };

const ScalarSchema = z.union([z.string(), z.number(), z.boolean()]);

export const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.object({ equals: z.object({ field: FieldIdSchema, value: ScalarSchema }).strict() }).strict(),
    z.object({ in: z.object({ field: FieldIdSchema, values: z.array(ScalarSchema).min(1) }).strict() }).strict(),
    z.object({ notEmpty: z.object({ field: FieldIdSchema }).strict() }).strict(),
    z.object({ and: z.array(ConditionSchema).min(1) }).strict(),
    z.object({ or: z.array(ConditionSchema).min(1) }).strict(),
    z.object({ not: ConditionSchema }).strict(),
  ]),
);

// ---------------------------------------------------------------------------------------------
// Fields

const fieldBase = {
  id: FieldIdSchema,
  label: I18nTextSchema,
  help: I18nTextSchema.optional(),
  placeholder: I18nTextSchema.optional(),
  required: z.boolean().optional().describe('Required whenever the field is shown'),
  showWhen: ConditionSchema.optional().describe('Show the field only when this holds'),
  hideWhen: ConditionSchema.optional().describe('Hide the field when this holds'),
  requiredWhen: ConditionSchema.optional().describe('Required (when shown) if this holds'),
};

export const OptionSchema = z.object({ value: z.string().min(1).max(64), label: I18nTextSchema }).strict();
export type Option = z.infer<typeof OptionSchema>;

export const TextFieldSchema = z
  .object({
    ...fieldBase,
    type: z.literal('text'),
    minLength: z.number().int().min(0).optional(),
    maxLength: z.number().int().min(1).optional(),
    pattern: z
      .string()
      .superRefine((pattern, ctx) => {
        const reason = unsafePatternReason(pattern);
        if (reason !== undefined) ctx.addIssue({ code: 'custom', message: `pattern refused: ${reason}` });
      })
      .optional()
      .describe('ECMAScript regular expression the whole value must match (no nested or alternated repetition, no backreferences)'),
    multiline: z.boolean().optional(),
  })
  .strict();
export const NumberFieldSchema = z
  .object({
    ...fieldBase,
    type: z.literal('number'),
    min: z.number().optional(),
    max: z.number().optional(),
    integer: z.boolean().optional(),
    unit: I18nTextSchema.optional(),
  })
  .strict();
export const DateFieldSchema = z
  .object({ ...fieldBase, type: z.literal('date'), minDate: DateBoundSchema.optional(), maxDate: DateBoundSchema.optional() })
  .strict();
export const ChoiceFieldSchema = z
  .object({ ...fieldBase, type: z.literal('choice'), options: z.array(OptionSchema).min(1) })
  .strict();
export const MultiChoiceFieldSchema = z
  .object({
    ...fieldBase,
    type: z.literal('multiChoice'),
    options: z.array(OptionSchema).min(1),
    minSelected: z.number().int().min(0).optional(),
    maxSelected: z.number().int().min(1).optional(),
  })
  .strict();
export const YesNoFieldSchema = z.object({ ...fieldBase, type: z.literal('yesNo') }).strict();
export const PhoneFieldSchema = z
  .object({
    ...fieldBase,
    type: z.literal('phone'),
    kind: z.enum(['mobile', 'landline', 'any']).optional().describe('Default: any'),
  })
  .strict();
export const IdNumberFieldSchema = z.object({ ...fieldBase, type: z.literal('idNumber') }).strict();
export const AddressFieldSchema = z
  .object({
    ...fieldBase,
    type: z.literal('address'),
    minLength: z.number().int().min(0).optional(),
    maxLength: z.number().int().min(1).optional(),
  })
  .strict();

export const ScalarFieldSchema = z.discriminatedUnion('type', [
  TextFieldSchema,
  NumberFieldSchema,
  DateFieldSchema,
  ChoiceFieldSchema,
  MultiChoiceFieldSchema,
  YesNoFieldSchema,
  PhoneFieldSchema,
  IdNumberFieldSchema,
  AddressFieldSchema,
]);
export type ScalarField = z.infer<typeof ScalarFieldSchema>;

export const GroupFieldSchema = z
  .object({
    ...fieldBase,
    type: z.literal('group'),
    itemLabel: I18nTextSchema.describe('Label of one entry, e.g. 家庭成员 / Family member'),
    minItems: z.number().int().min(0).optional(),
    maxItems: z.number().int().min(1).optional(),
    fields: z.array(ScalarFieldSchema).min(1),
  })
  .strict();
export type GroupField = z.infer<typeof GroupFieldSchema>;

export const FieldSchema = z.discriminatedUnion('type', [...ScalarFieldSchema.options, GroupFieldSchema]);
export type Field = z.infer<typeof FieldSchema>;
export type FieldType = Field['type'];
export const FIELD_TYPES = [
  'text',
  'number',
  'date',
  'choice',
  'multiChoice',
  'yesNo',
  'phone',
  'idNumber',
  'address',
  'group',
] as const satisfies readonly FieldType[];
export const FieldTypeSchema = z.enum(FIELD_TYPES);

export const SectionSchema = z
  .object({
    id: FieldIdSchema,
    title: I18nTextSchema,
    description: I18nTextSchema.optional(),
    showWhen: ConditionSchema.optional(),
    hideWhen: ConditionSchema.optional(),
    fields: z.array(FieldSchema).min(1),
  })
  .strict();
export type Section = z.infer<typeof SectionSchema>;

// ---------------------------------------------------------------------------------------------
// Prefill from the ID card

export const IDENTITY_FIELDS = [
  'name',
  'sex',
  'nation',
  'birthDate',
  'address',
  'idNumber',
  'authority',
  'validFrom',
  'validTo',
  'cardType',
  'englishName',
  /**
   * Foreign permanent-residence cards only (GA/T 490 foreign variant): the nationality in words
   * (GB/T 2659 short name, from the card's alpha-3 code) and the card's number. Such a card has no
   * 民族, no 户籍地址 and no 公民身份号码, so `nation`, `address` and `idNumber` stay empty for it
   * and a form maps these two to fields of their own (issue 10).
   */
  'nationality',
  'permanentResidenceNumber',
] as const;
export const IdentityFieldSchema = z.enum(IDENTITY_FIELDS);
export type IdentityField = z.infer<typeof IdentityFieldSchema>;

export const PrefillTargetSchema = z.union([
  FieldIdSchema,
  z
    .object({
      field: FieldIdSchema,
      map: z.record(z.string(), z.string()).optional().describe('Card value → form value, e.g. {"男": "male"}'),
    })
    .strict(),
]);
export type PrefillTarget = z.infer<typeof PrefillTargetSchema>;
export const PrefillSchema = z.partialRecord(IdentityFieldSchema, PrefillTargetSchema);

// ---------------------------------------------------------------------------------------------
// 一次性告知单 (materials list)

export const MaterialSchema = z
  .object({
    name: I18nTextSchema,
    copies: z.number().int().min(1),
    form: z.enum(['original', 'copy', 'originalAndCopy']).describe('原件 / 复印件 / 原件及复印件'),
    required: z.boolean().optional().describe('Default true'),
    notes: I18nTextSchema.optional(),
    cardTypes: z
      .array(CardTypeSchema)
      .min(1)
      .optional()
      .describe('Only for holders of these cards (resident, foreignPermanent); default: everyone'),
  })
  .strict();
export type Material = z.infer<typeof MaterialSchema>;

/** Whether a material applies to the holder of `cardType` (unknown card: every material is listed). */
export function materialApplies(material: Pick<Material, 'cardTypes'>, cardType: CardType | undefined): boolean {
  return cardType === undefined || material.cardTypes === undefined || material.cardTypes.includes(cardType);
}

export const NoticeSchema = z
  .object({
    materials: z.array(MaterialSchema),
    legalBasis: z.array(I18nTextSchema).min(1),
    timeLimit: I18nTextSchema.describe('承诺时限'),
    fees: I18nTextSchema,
    collection: I18nTextSchema.describe('Where and how to collect the result'),
    contact: I18nTextSchema.optional(),
  })
  .strict();
export type Notice = z.infer<typeof NoticeSchema>;

// ---------------------------------------------------------------------------------------------
// PDF mapping

export const PositionSchema = z
  .object({
    page: z.number().int().min(1),
    xMm: z.number().min(0),
    yMm: z.number().min(0).describe('From the top edge of the page'),
    widthMm: z.number().positive(),
    heightMm: z.number().positive().optional().describe('Default: one line'),
    fontSizePt: z.number().min(4).max(72).optional().describe('Default 10'),
  })
  .strict();
export type Position = z.infer<typeof PositionSchema>;

export const BoxSchema = z
  .object({
    page: z.number().int().min(1),
    xMm: z.number().min(0),
    yMm: z.number().min(0),
    widthMm: z.number().positive(),
    heightMm: z.number().positive(),
  })
  .strict();
export type Box = z.infer<typeof BoxSchema>;

export const QrBoxSchema = z
  .object({ page: z.number().int().min(1), xMm: z.number().min(0), yMm: z.number().min(0), sizeMm: z.number().positive() })
  .strict();
export type QrBox = z.infer<typeof QrBoxSchema>;

/**
 * Where one field's answer goes. For group sub-fields (key `group.sub`), `{n}` in an AcroForm
 * name is replaced by the 1-based row, and positions move down by `rowStepMm` per row.
 */
export const FieldTargetSchema = z.union([
  z.object({ acroField: z.string().min(1).describe('AcroForm field name (text field; checkbox for yesNo)') }).strict(),
  z
    .object({
      acroCheckboxes: z.record(z.string(), z.string().min(1)).describe('Option value → AcroForm checkbox name'),
    })
    .strict(),
  z.object({ text: PositionSchema, rowStepMm: z.number().positive().optional() }).strict(),
]);
export type FieldTarget = z.infer<typeof FieldTargetSchema>;

export const PdfMappingSchema = z
  .object({
    // A plain file name: a path could leave the package folder (issue 11).
    template: z
      .string()
      .min(1)
      .regex(/^(?!\.\.?$)[^/\\\0]+$/, 'a file name in the package folder, without / or \\')
      .optional()
      .describe('Template file in the package folder; default template.pdf'),
    fields: z.record(z.string(), FieldTargetSchema).describe('Field id (or group.sub) → where it goes'),
    signature: BoxSchema.optional(),
    reference: PositionSchema.optional(),
    qrCode: QrBoxSchema.optional(),
    date: PositionSchema.optional(),
    terminalId: PositionSchema.optional(),
  })
  .strict();
export type PdfMapping = z.infer<typeof PdfMappingSchema>;

// ---------------------------------------------------------------------------------------------
// The package

export const CATEGORIES = [
  'residence',
  'socialInsurance',
  'medicalInsurance',
  'publicSecurity',
  'realEstate',
  'civilAffairs',
  'other',
] as const;
export const CategorySchema = z.enum(CATEGORIES);
export type Category = z.infer<typeof CategorySchema>;

export const FormPackageSchema = z
  .object({
    $schema: z.string().optional(),
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,63}$/, 'form ids are lowercase kebab-case'),
    version: z.string().regex(SEMVER, 'expected a semantic version like 1.2.0'),
    title: I18nTextSchema,
    description: I18nTextSchema.optional(),
    category: CategorySchema,
    department: I18nTextSchema.optional().describe('The authority that handles the application'),
    sections: z.array(SectionSchema).min(1),
    prefill: PrefillSchema.optional(),
    notice: NoticeSchema,
    pdf: PdfMappingSchema,
  })
  .strict();
export type FormPackageDefinition = z.infer<typeof FormPackageSchema>;

/**
 * The form as `Forms.List` carries it and the UI renders it: the package without its PDF mapping,
 * its card-prefill map (the list item says which fields the card fills) and the editor's
 * `$schema` link.
 */
export const FormDefinitionSchema = FormPackageSchema.omit({ $schema: true, prefill: true, pdf: true });
export type FormDefinition = z.infer<typeof FormDefinitionSchema>;

// ---------------------------------------------------------------------------------------------
// Answers

export type GroupItem = Record<string, AnswerValue | undefined>;
export type AnswerValue = string | number | boolean | string[] | GroupItem[] | null;
export type Answers = Record<string, AnswerValue | undefined>;

const AnswerScalarValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())]);
export const AnswersSchema = z.record(
  z.string(),
  z.union([AnswerScalarValueSchema, z.array(z.record(z.string(), AnswerScalarValueSchema))]),
);

/** The identity fields the prefill map can read (same shape as the agent's ID card read). */
export type IdentityInput = Partial<Record<IdentityField, string | undefined>>;

/** All fields of a package, in order, with their section. */
export function allFields(def: Pick<FormDefinition, 'sections'>): { section: Section; field: Field }[] {
  return def.sections.flatMap((section) => section.fields.map((field) => ({ section, field })));
}

export function findField(def: Pick<FormDefinition, 'sections'>, id: string): Field | undefined {
  for (const s of def.sections) {
    for (const f of s.fields) if (f.id === id) return f;
  }
  return undefined;
}

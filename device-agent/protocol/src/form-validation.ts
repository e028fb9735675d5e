import { PATTERN_ANSWER_MAX_CHARS } from './safe-pattern.ts';
import type {
  AnswerValue,
  Answers,
  Condition,
  Field,
  FormDefinition,
  FormPackageDefinition,
  GroupField,
  GroupItem,
  IdentityInput,
  ScalarField,
  Section,
} from './form-definition.ts';
import { IDENTITY_FIELDS } from './form-definition.ts';
import { isValidIdNumber } from './id-number.ts';
import { isValidDate, shanghaiDate } from './shanghai-time.ts';

/**
 * Validation of a citizen's answers against a form definition: conditions, visibility, and one
 * stable code per problem. The UI runs it as the citizen types, the agent runs it again before it
 * fills or seals anything, and the forms command runs it on sample answers: the same code
 * everywhere, so the three never disagree.
 */

/**
 * Per-field problem codes, one list for every place that reports one: `validateAnswers` here, the
 * agent's `Forms.Fill` / `Forms.Submit` (`payload.errors[].code` of `validationFailed` /
 * `invalidAnswers`), and the UI's texts. The last three come from the agent only.
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
  /** An identity-backed field differs from the card read in this session. */
  'mismatchesCard',
  /** No installed font has a character of this answer. */
  'unprintableCharacter',
  /** The answer does not fit its box on the paper form. */
  'textOverflow',
] as const;
export type FieldErrorCode = (typeof FIELD_ERROR_CODES)[number];

export interface FieldValidationError {
  /** Where: `phone`, `family[1].idNumber` (rows counted from 0). */
  readonly path: string;
  /** The field id (for a group row, the sub-field id). */
  readonly fieldId: string;
  readonly code: FieldErrorCode;
  /** The limit that was broken, e.g. `{ max: 30 }`; never the citizen's value. */
  readonly params?: Readonly<Record<string, string | number>>;
}

export interface ValidationResult {
  readonly ok: boolean;
  readonly errors: readonly FieldValidationError[];
  /** The answers of visible fields only, trimmed and normalised (numbers as numbers, ID numbers upper case). */
  readonly answers: Answers;
}

export interface ValidateOptions {
  /** Today as YYYY-MM-DD, for bounds like `today-18y`. Default: the system date (UTC+8 calendar day). */
  readonly todayIso?: string;
}

type Definition = FormDefinition;
/** A definition, or a loaded package that holds one (the forms library's `FormPackage`). */
type DefinitionOrPackage<D extends Definition> = D | { readonly definition: D };
function defOf<D extends Definition>(pkg: DefinitionOrPackage<D>): D {
  return 'definition' in pkg ? pkg.definition : pkg;
}

// ---------------------------------------------------------------------------------------------
// Conditions and visibility

export function isEmptyAnswer(v: AnswerValue | undefined): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v === 'string') return v.trim() === '';
  if (Array.isArray(v)) return v.length === 0;
  return false;
}

function scalarEquals(a: AnswerValue | undefined, b: string | number | boolean): boolean {
  if (Array.isArray(a)) return a.some((x) => x === b);
  if (typeof a === 'string' && typeof b === 'string') return a.trim() === b;
  return a === b;
}

export function evaluateCondition(cond: Condition, lookup: (fieldId: string) => AnswerValue | undefined): boolean {
  if ('equals' in cond) return scalarEquals(lookup(cond.equals.field), cond.equals.value);
  if ('in' in cond) {
    const v = lookup(cond.in.field);
    return cond.in.values.some((x) => scalarEquals(v, x));
  }
  if ('notEmpty' in cond) return !isEmptyAnswer(lookup(cond.notEmpty.field));
  if ('and' in cond) return cond.and.every((c) => evaluateCondition(c, lookup));
  if ('or' in cond) return cond.or.some((c) => evaluateCondition(c, lookup));
  return !evaluateCondition(cond.not, lookup);
}

/** Field ids a condition reads. */
export function conditionFields(cond: Condition): string[] {
  if ('equals' in cond) return [cond.equals.field];
  if ('in' in cond) return [cond.in.field];
  if ('notEmpty' in cond) return [cond.notEmpty.field];
  if ('and' in cond) return cond.and.flatMap(conditionFields);
  if ('or' in cond) return cond.or.flatMap(conditionFields);
  return conditionFields(cond.not);
}

interface Shown {
  showWhen?: Condition | undefined;
  hideWhen?: Condition | undefined;
}
function shownBy(item: Shown, lookup: (id: string) => AnswerValue | undefined): boolean {
  if (item.showWhen !== undefined && !evaluateCondition(item.showWhen, lookup)) return false;
  if (item.hideWhen !== undefined && evaluateCondition(item.hideWhen, lookup)) return false;
  return true;
}

/**
 * Resolves which top-level fields are visible. A condition that reads a hidden field sees it
 * as empty, so chains (A hides B, B shows C) behave as a person expects.
 */
export class Visibility {
  private readonly memo = new Map<string, boolean>();
  private readonly sectionOf = new Map<string, Section>();
  private readonly fieldById = new Map<string, Field>();

  constructor(
    private readonly def: Definition,
    private readonly answers: Answers,
  ) {
    for (const s of def.sections) {
      for (const f of s.fields) {
        this.sectionOf.set(f.id, s);
        this.fieldById.set(f.id, f);
      }
    }
  }

  readonly lookup = (id: string): AnswerValue | undefined => (this.isFieldVisible(id) ? this.answers[id] : undefined);

  isSectionVisible(section: Section): boolean {
    return shownBy(section, this.lookup);
  }

  isFieldVisible(id: string): boolean {
    const known = this.memo.get(id);
    if (known !== undefined) return known;
    const field = this.fieldById.get(id);
    const section = this.sectionOf.get(id);
    if (field === undefined || section === undefined) return false;
    this.memo.set(id, true); // a cycle reads the field as visible instead of recursing forever
    const visible = this.isSectionVisible(section) && shownBy(field, this.lookup);
    this.memo.set(id, visible);
    return visible;
  }

  isRequired(field: Field | ScalarField, lookup: (id: string) => AnswerValue | undefined = this.lookup): boolean {
    if (field.required === true) return true;
    return field.requiredWhen !== undefined && evaluateCondition(field.requiredWhen, lookup);
  }
}

// ---------------------------------------------------------------------------------------------
// Dates

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Resolves `today`, `today-18y`, `today+30d` or a fixed date to YYYY-MM-DD. */
export function resolveDateBound(bound: string, todayIso: string): string {
  const m = /^today(?:([+-])(\d{1,4})([dmy]))?$/.exec(bound);
  if (m === null) return bound;
  const t = ISO_DATE.exec(todayIso);
  if (t === null) return todayIso;
  const date = new Date(Date.UTC(Number(t[1]), Number(t[2]) - 1, Number(t[3])));
  if (m[1] !== undefined && m[2] !== undefined) {
    const n = Number(m[2]) * (m[1] === '-' ? -1 : 1);
    if (m[3] === 'd') date.setUTCDate(date.getUTCDate() + n);
    else if (m[3] === 'm') date.setUTCMonth(date.getUTCMonth() + n);
    else date.setUTCFullYear(date.getUTCFullYear() + n);
  }
  return date.toISOString().slice(0, 10);
}


// ---------------------------------------------------------------------------------------------
// Phones

const MOBILE = /^1[3-9]\d{9}$/;
/** Landline: area code 0xx/0xxx, 7–8 digit number, optional extension; e.g. 010-12345678, 0755-1234567-123. */
const LANDLINE = /^0\d{2,3}-?[1-9]\d{6,7}(-\d{1,6})?$/;

export function isValidPhone(value: string, kind: 'mobile' | 'landline' | 'any' = 'any'): boolean {
  const v = value.replace(/[\s()（）]/g, '').replace(/^\+?86(?=1)/, '');
  switch (kind) {
    case 'mobile':
      return MOBILE.test(v);
    case 'landline':
      return LANDLINE.test(v);
    case 'any':
      return MOBILE.test(v) || LANDLINE.test(v);
    default: {
      const never: never = kind;
      return never;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Validation

interface Ctx {
  readonly errors: FieldValidationError[];
  readonly todayIso: string;
}

function charLength(s: string): number {
  return [...s].length; // code points: 𠮷 is one character to a citizen
}

/** Validates one non-empty scalar value; returns the normalised value, or undefined after an error. */
function validateScalar(
  field: ScalarField,
  raw: AnswerValue,
  path: string,
  ctx: Ctx,
): AnswerValue | undefined {
  const err = (code: FieldErrorCode, params?: Record<string, string | number>): undefined => {
    ctx.errors.push(params === undefined ? { path, fieldId: field.id, code } : { path, fieldId: field.id, code, params });
    return undefined;
  };
  switch (field.type) {
    case 'text':
    case 'address': {
      if (typeof raw !== 'string') return err('wrongType');
      const v = raw.trim();
      const len = charLength(v);
      if (field.maxLength !== undefined && len > field.maxLength) return err('tooLong', { max: field.maxLength });
      if (field.minLength !== undefined && len < field.minLength) return err('tooShort', { min: field.minLength });
      // Patterns run only on short answers (safe-pattern.ts), whatever maxLength the package gives.
      if (field.type === 'text' && field.pattern !== undefined && len > PATTERN_ANSWER_MAX_CHARS) return err('tooLong', { max: PATTERN_ANSWER_MAX_CHARS });
      if (field.type === 'text' && field.pattern !== undefined && !new RegExp(`^(?:${field.pattern})$`, 'u').test(v)) {
        return err('pattern');
      }
      return v;
    }
    case 'number': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : NaN;
      if (!Number.isFinite(n)) return err('notANumber');
      if (field.integer === true && !Number.isInteger(n)) return err('notAnInteger');
      if (field.min !== undefined && n < field.min) return err('outOfRange', { min: field.min });
      if (field.max !== undefined && n > field.max) return err('outOfRange', { max: field.max });
      return n;
    }
    case 'date': {
      if (typeof raw !== 'string') return err('wrongType');
      const v = raw.trim();
      if (!isValidDate(v)) return err('invalidDate');
      if (field.minDate !== undefined) {
        const min = resolveDateBound(field.minDate, ctx.todayIso);
        if (v < min) return err('outOfRange', { min });
      }
      if (field.maxDate !== undefined) {
        const max = resolveDateBound(field.maxDate, ctx.todayIso);
        if (v > max) return err('outOfRange', { max });
      }
      return v;
    }
    case 'choice': {
      if (typeof raw !== 'string') return err('wrongType');
      if (!field.options.some((o) => o.value === raw)) return err('notAnOption');
      return raw;
    }
    case 'multiChoice': {
      if (!Array.isArray(raw) || raw.some((x) => typeof x !== 'string')) return err('wrongType');
      const values = [...new Set(raw as string[])];
      if (values.some((x) => !field.options.some((o) => o.value === x))) return err('notAnOption');
      if (field.minSelected !== undefined && values.length < field.minSelected) {
        return err('tooFewSelected', { min: field.minSelected });
      }
      if (field.maxSelected !== undefined && values.length > field.maxSelected) {
        return err('tooManySelected', { max: field.maxSelected });
      }
      return values;
    }
    case 'yesNo':
      if (typeof raw !== 'boolean') return err('wrongType');
      return raw;
    case 'phone': {
      if (typeof raw !== 'string') return err('wrongType');
      const v = raw.trim();
      if (!isValidPhone(v, field.kind)) return err('invalidPhone');
      return v;
    }
    case 'idNumber': {
      if (typeof raw !== 'string') return err('wrongType');
      const v = raw.trim().toUpperCase();
      if (!isValidIdNumber(v)) return err('invalidIdNumber');
      return v;
    }
    default: {
      const never: never = field;
      return never;
    }
  }
}

function validateField(
  field: ScalarField,
  raw: AnswerValue | undefined,
  required: boolean,
  path: string,
  ctx: Ctx,
): AnswerValue | undefined {
  if (isEmptyAnswer(raw) || raw === undefined) {
    if (required) ctx.errors.push({ path, fieldId: field.id, code: 'required' });
    return undefined;
  }
  return validateScalar(field, raw, path, ctx);
}

function validateGroup(
  field: GroupField,
  raw: AnswerValue | undefined,
  vis: Visibility,
  ctx: Ctx,
): GroupItem[] | undefined {
  const rows = raw === undefined || raw === null ? [] : raw;
  if (!Array.isArray(rows) || rows.some((r) => typeof r !== 'object' || r === null || Array.isArray(r))) {
    ctx.errors.push({ path: field.id, fieldId: field.id, code: 'wrongType' });
    return undefined;
  }
  const items = rows as GroupItem[];
  const minItems = field.minItems ?? (vis.isRequired(field) ? 1 : 0);
  if (items.length < minItems) {
    ctx.errors.push({
      path: field.id,
      fieldId: field.id,
      code: items.length === 0 && vis.isRequired(field) ? 'required' : 'groupTooFew',
      params: { min: minItems },
    });
  }
  if (field.maxItems !== undefined && items.length > field.maxItems) {
    ctx.errors.push({ path: field.id, fieldId: field.id, code: 'groupTooMany', params: { max: field.maxItems } });
  }
  const out: GroupItem[] = [];
  items.forEach((item, index) => {
    // Inside a row, conditions read the row's own sub-fields first, then the form's fields.
    const rowLookup = (id: string): AnswerValue | undefined =>
      field.fields.some((f) => f.id === id) ? item[id] : vis.lookup(id);
    const row: GroupItem = {};
    for (const sub of field.fields) {
      const path = `${field.id}[${index}].${sub.id}`;
      if (!shownBy(sub, rowLookup)) continue;
      const v = validateField(sub, item[sub.id], vis.isRequired(sub, rowLookup), path, ctx);
      if (v !== undefined) row[sub.id] = v;
    }
    for (const key of Object.keys(item)) {
      if (!field.fields.some((f) => f.id === key)) {
        ctx.errors.push({ path: `${field.id}[${index}].${key}`, fieldId: key, code: 'unknownField' });
      }
    }
    out.push(row);
  });
  return out;
}

/**
 * Validates answers (keyed by field id) against a package. Pure apart from the default "today".
 * Hidden fields are neither validated nor kept.
 */
export function validateAnswers(
  pkg: DefinitionOrPackage<Definition>,
  answers: Answers,
  options: ValidateOptions = {},
): ValidationResult {
  const def = defOf(pkg);
  const ctx: Ctx = { errors: [], todayIso: options.todayIso ?? shanghaiDate(Date.now()) };
  const vis = new Visibility(def, answers);
  const out: Answers = {};
  const known = new Set<string>();
  for (const section of def.sections) {
    for (const field of section.fields) {
      known.add(field.id);
      if (!vis.isFieldVisible(field.id)) continue;
      const raw = answers[field.id];
      const v =
        field.type === 'group'
          ? validateGroup(field, raw, vis, ctx)
          : validateField(field, raw, vis.isRequired(field), field.id, ctx);
      if (v !== undefined) out[field.id] = v;
    }
  }
  for (const key of Object.keys(answers)) {
    if (!known.has(key)) ctx.errors.push({ path: key, fieldId: key, code: 'unknownField' });
  }
  return { ok: ctx.errors.length === 0, errors: ctx.errors, answers: out };
}

// ---------------------------------------------------------------------------------------------
// Prefill

/**
 * Fills form fields from the ID card read in this session, as the package's prefill map says.
 * Answers the citizen already gave win over the card. Returns a new object.
 */
export function prefillAnswers(
  pkg: DefinitionOrPackage<FormPackageDefinition>,
  identity: IdentityInput,
  answers: Answers = {},
): Answers {
  const def = defOf(pkg);
  const out: Answers = {};
  const prefill = def.prefill ?? {};
  for (const key of IDENTITY_FIELDS) {
    const target = prefill[key];
    const value = identity[key];
    if (target === undefined || value === undefined || value.trim() === '') continue;
    const fieldId = typeof target === 'string' ? target : target.field;
    const mapped = typeof target === 'string' ? value : (target.map?.[value] ?? value);
    out[fieldId] = mapped;
  }
  for (const [k, v] of Object.entries(answers)) {
    if (!isEmptyAnswer(v)) out[k] = v;
    else if (!(k in out)) out[k] = v;
  }
  return out;
}

import {
  evaluateCondition,
  FormDefinitionSchema,
  isEmptyAnswer,
  validateAnswers,
  Visibility,
  type AnswerValue,
  type Answers,
  type CommandPayload,
  type DeclaredErrorCodeIn,
  type DeclaredErrorCodeOf,
  type Field,
  type FieldErrorCode,
  type FieldValidationError,
  type FormDefinition,
  type FormListItem,
  type GroupItem,
  type ScalarField,
  type Section,
} from '@onevisit/protocol';
import type { KeyboardKind } from '../keyboard.ts';
import type { FailureCode } from '../agent/client.ts';
import type { ApplyPrintError, ApplySubmitError } from './application-types.ts';

/**
 * Pure helpers of the application screens over the protocol's form definition and validation
 * (device-agent/protocol/src/form-definition.ts, form-validation.ts): the UI shows, hides, requires
 * and checks fields exactly as the agent will when it re-validates. No state, no I/O.
 */

export type { AnswerValue, Answers, Field, FormDefinition, GroupItem, ScalarField, Section };

/**
 * The form definition of a `Forms.List` item, checked once more against the very schema the
 * message was validated with (a definition this UI cannot render shows as "cannot be opened").
 */
export function parseDefinition(item: FormListItem): FormDefinition | undefined {
  const parsed = FormDefinitionSchema.safeParse(item.definition);
  return parsed.success ? parsed.data : undefined;
}

/** Where an answer lives: a top-level field, or a sub-field of one row of a group. */
export type FieldPath = { readonly field: string; readonly row?: number; readonly sub?: string };

/** The path as the forms library and the agent write it: `phone`, `members[1].idNumber`. */
export function pathKey(path: FieldPath): string {
  return path.row === undefined || path.sub === undefined ? path.field : `${path.field}[${path.row}].${path.sub}`;
}

export function readAnswer(answers: Answers, path: FieldPath): AnswerValue | undefined {
  const top = answers[path.field];
  if (path.row === undefined || path.sub === undefined) return top;
  if (!Array.isArray(top)) return undefined;
  const row = top[path.row];
  return typeof row === 'object' && row !== null && !Array.isArray(row) ? row[path.sub] : undefined;
}

export function isShown(item: { showWhen?: Section['showWhen']; hideWhen?: Section['hideWhen'] }, lookup: (id: string) => AnswerValue | undefined): boolean {
  if (item.showWhen !== undefined && !evaluateCondition(item.showWhen, lookup)) return false;
  if (item.hideWhen !== undefined && evaluateCondition(item.hideWhen, lookup)) return false;
  return true;
}

/** What the screens need to know about the answers right now: visibility, requiredness, errors. */
export class FormView {
  readonly def: FormDefinition;
  readonly answers: Answers;
  readonly #visibility: Visibility;
  /** Errors by path key; at most one per path (the first). */
  readonly errors: ReadonlyMap<string, FieldValidationError>;

  constructor(def: FormDefinition, answers: Answers, todayIso: string) {
    this.def = def;
    this.answers = answers;
    this.#visibility = new Visibility(def, answers);
    const errors = new Map<string, FieldValidationError>();
    for (const e of validateAnswers(def, answers, { todayIso }).errors) if (!errors.has(e.path)) errors.set(e.path, e);
    this.errors = errors;
  }

  sectionVisible(section: Section): boolean {
    return this.#visibility.isSectionVisible(section);
  }

  visibleSections(): Section[] {
    return this.def.sections.filter((s) => this.sectionVisible(s));
  }

  fieldVisible(id: string): boolean {
    return this.#visibility.isFieldVisible(id);
  }

  visibleFields(section: Section): Field[] {
    return section.fields.filter((f) => this.fieldVisible(f.id));
  }

  /** Sub-fields of one group row shown by the row's own answers (and the form's). */
  visibleSubFields(group: Extract<Field, { type: 'group' }>, row: number): ScalarField[] {
    const lookup = this.#rowLookup(group, row);
    return group.fields.filter((f) => isShown(f, lookup));
  }

  required(field: Field): boolean {
    return this.#visibility.isRequired(field);
  }

  subRequired(group: Extract<Field, { type: 'group' }>, row: number, sub: ScalarField): boolean {
    return this.#visibility.isRequired(sub, this.#rowLookup(group, row));
  }

  #rowLookup(group: Extract<Field, { type: 'group' }>, row: number): (id: string) => AnswerValue | undefined {
    const rows = this.answers[group.id];
    const item = Array.isArray(rows) ? (rows[row] as GroupItem | undefined) : undefined;
    return (id) => (group.fields.some((f) => f.id === id) ? item?.[id] : this.#visibility.lookup(id));
  }

  /** Errors of the fields of one section (visible ones only: hidden fields are not validated). */
  sectionErrors(section: Section): FieldValidationError[] {
    const ids = new Set(section.fields.map((f) => f.id));
    return [...this.errors.values()].filter((e) => ids.has(topField(e.path)));
  }

  /** The section a path belongs to. */
  sectionOf(path: string): Section | undefined {
    const id = topField(path);
    return this.def.sections.find((s) => s.fields.some((f) => f.id === id));
  }
}

/** `members[1].idNumber` → `members`. */
export function topField(path: string): string {
  const bracket = path.indexOf('[');
  return bracket < 0 ? path : path.slice(0, bracket);
}

export function isAnswered(value: AnswerValue | undefined): boolean {
  return !isEmptyAnswer(value);
}

/** A text message for a field problem: key and params, for `t`. */
export type FieldProblem = { readonly code: FieldErrorCode; readonly params?: Readonly<Record<string, string | number>> | undefined };

/** The answers as the protocol carries them (JSON): `undefined` entries dropped. */
export type WireAnswers = CommandPayload<'Forms.Submit'>['answers'];

export function answersForWire(answers: Answers): WireAnswers {
  // The answers are plain JSON values (strings, numbers, booleans, lists, rows of them).
  return JSON.parse(JSON.stringify(answers)) as WireAnswers;
}

/** An immutable set for `$state.raw` fields: replaced whole, never changed in place. */
export function setOf<T>(items: Iterable<T> = []): ReadonlySet<T> {
  return new Set(items);
}

/** Which on-screen keyboard a field takes (undefined: touch buttons, no keyboard). */
export function keyboardKind(field: ScalarField): KeyboardKind | undefined {
  switch (field.type) {
    case 'text':
      if (field.pattern !== undefined && /^\\d/.test(field.pattern)) return 'digits';
      return field.pattern !== undefined ? 'latin' : 'text';
    case 'address':
      return 'text';
    case 'number':
      return field.integer === true ? 'digits' : 'decimal';
    case 'phone':
      return 'phone';
    case 'idNumber':
      return 'idNumber';
    case 'date':
      return 'date';
    case 'choice':
    case 'multiChoice':
    case 'yesNo':
      return undefined;
    default: {
      const unreachable: never = field;
      return unreachable;
    }
  }
}

/** A DOM id (and test id) for a path: `members[1].idNumber` → `f-members-1--idNumber`. */
export function domId(prefix: string, key: string): string {
  return `${prefix}-${key.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

/**
 * Every code the print commands of the apply journey declare → what the citizen is told; `byCompletion`:
 * by the completion code (deviceNotReady → offline). A new code does not compile until it is placed here.
 */
export const PRINT_ERROR_OF = {
  paperOut: 'paperOut',
  coverOpen: 'coverOpen',
  paperJam: 'paperJam',
  offline: 'offline',
  busy: 'byCompletion',
  formsNotReady: 'byCompletion',
  cutterError: 'failed',
  hardwareFault: 'failed',
  printFailed: 'failed',
  unsupportedCharacter: 'failed',
  documentTooLarge: 'failed',
  invalidDocument: 'failed',
  invalidPdf: 'failed',
  documentNotFound: 'failed',
  applicationNotFound: 'failed',
} as const satisfies Record<DeclaredErrorCodeIn<'Application.PrintForm' | 'Application.PrintReceipt' | 'ReceiptPrinter.Print'>, ApplyPrintError | 'byCompletion'>;

/** Every code Forms.Submit declares → what the citizen is told. A new code does not compile until it is placed here. */
export const SUBMIT_ERROR_OF = {
  diskFull: 'outOfService',
  storeReadOnly: 'outOfService',
  storeError: 'outOfService',
  noBackofficeKey: 'outOfService',
  invalidAnswers: 'invalid',
  identityRequired: 'needsCard',
  unknownForm: 'failed',
  fillFailed: 'failed',
  submissionIdConflict: 'failed',
} as const satisfies Record<DeclaredErrorCodeOf<'Forms.Submit'>, ApplySubmitError>;

export function printErrorOf(completionCode: FailureCode, errorCode: string | undefined): ApplyPrintError {
  const mapped = errorCode !== undefined && Object.hasOwn(PRINT_ERROR_OF, errorCode) ? PRINT_ERROR_OF[errorCode as keyof typeof PRINT_ERROR_OF] : 'byCompletion';
  if (mapped !== 'byCompletion') return mapped;
  return completionCode === 'deviceNotReady' ? 'offline' : 'failed';
}

export function submitErrorOf(completionCode: FailureCode, errorCode: string | undefined): ApplySubmitError {
  if (errorCode !== undefined && Object.hasOwn(SUBMIT_ERROR_OF, errorCode)) return SUBMIT_ERROR_OF[errorCode as keyof typeof SUBMIT_ERROR_OF];
  if (completionCode === 'notEnoughSpace') return 'outOfService';
  // Forms.Fill's refusal of the answers, when a caller maps it with the same texts.
  if (errorCode === 'validationFailed') return 'invalid';
  return 'failed';
}

import { FormPackageSchema, type AnswerValue, type Answers, type Field, type FormPackageDefinition, type GroupItem, type ScalarField, type Section } from '@onevisit/forms/format';
import { evaluateCondition, isEmptyAnswer, validateAnswers, Visibility, type FieldError } from '@onevisit/forms/validate';
import type { CommandPayload, FieldErrorCode, FormListItem } from '@onevisit/device-agent/protocol';
import type { KeyboardKind } from '../keyboard.ts';
import type { FailureCode } from '../agent/client.ts';
import type { ApplyPrintError, ApplySubmitError } from './application-types.ts';

/**
 * Pure helpers of the application screens over the forms library's own format and validation
 * (forms/src/format.ts, validate.ts): the UI shows, hides, requires and checks fields exactly as
 * the agent will when it re-validates. No state, no I/O.
 */

export type { AnswerValue, Answers, Field, FormPackageDefinition, GroupItem, ScalarField, Section };

/**
 * The form definition of a `Forms.List` item, checked against the package schema. The protocol
 * carries a loose view of it; parsing gives the library's exact types (and refuses a definition
 * this UI cannot render, which then shows as "cannot be opened").
 */
export function parseDefinition(item: FormListItem): FormPackageDefinition | undefined {
  const parsed = FormPackageSchema.safeParse({ ...item.definition, pdf: { fields: {} } });
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
  readonly def: FormPackageDefinition;
  readonly answers: Answers;
  readonly #visibility: Visibility;
  /** Errors by path key; at most one per path (the first). */
  readonly errors: ReadonlyMap<string, FieldError>;

  constructor(def: FormPackageDefinition, answers: Answers, todayIso: string) {
    this.def = def;
    this.answers = answers;
    this.#visibility = new Visibility(def, answers);
    const errors = new Map<string, FieldError>();
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
  sectionErrors(section: Section): FieldError[] {
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

/** Today in China (UTC+8), `YYYY-MM-DD`, as the agent computes it. */
export function chinaTodayIso(nowMs: number = Date.now()): string {
  return new Date(nowMs + 8 * 3_600_000).toISOString().slice(0, 10);
}

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

const OUT_OF_SERVICE_CODES: ReadonlySet<string> = setOf(['diskFull', 'storeReadOnly', 'storeError', 'noBackofficeKey']);

export function printErrorOf(completionCode: FailureCode, errorCode: string | undefined): ApplyPrintError {
  if (errorCode === 'paperOut' || errorCode === 'coverOpen' || errorCode === 'paperJam' || errorCode === 'offline') return errorCode;
  return completionCode === 'deviceNotReady' ? 'offline' : 'failed';
}

export function submitErrorOf(completionCode: FailureCode, errorCode: string | undefined): ApplySubmitError {
  if (errorCode !== undefined && OUT_OF_SERVICE_CODES.has(errorCode)) return 'outOfService';
  if (completionCode === 'notEnoughSpace') return 'outOfService';
  if (errorCode === 'invalidAnswers' || errorCode === 'validationFailed') return 'invalid';
  if (errorCode === 'identityRequired') return 'needsCard';
  return 'failed';
}

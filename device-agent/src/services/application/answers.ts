import type { FormPackage } from '@onevisit/forms';
import {
  findField,
  isEmptyAnswer,
  prefillAnswers,
  validateAnswers,
  type AnswerValue,
  type Answers,
  type FieldErrorCode,
  type FieldValidationError,
  type Identity,
  type IdentityInput,
} from '@onevisit/protocol';
import { nationalityName } from './nationality.ts';
import type { VisitMemory } from './visit-memory.ts';

/**
 * Pure steps of the application flow: reading untyped answers, merging the card's identity
 * fields, recalling answers given earlier in the visit. No I/O, no clock (today is passed in).
 */

/** A per-field problem as the protocol carries it (`payload.errors`), plus the limit that was broken. */
export type AnswerError = { field: string; code: FieldErrorCode; params?: Readonly<Record<string, string | number>> };

export function fromFormsError(e: FieldValidationError): AnswerError {
  return e.params === undefined ? { field: e.path, code: e.code } : { field: e.path, code: e.code, params: e.params };
}

/**
 * The card as the forms library reads it (same field names; the photo stays out). A foreign
 * permanent-residence card has no 民族, 户籍地址 or 公民身份号码: its nationality (in words, GB/T 2659)
 * and its number go to fields of their own, so that a form never shows `CAN` as an ethnic group or
 * calls the number a citizen's (issue 10).
 */
export function identityInput(identity: Identity): IdentityInput {
  const common: IdentityInput = {
    name: identity.name,
    sex: identity.sex,
    birthDate: identity.birthDate,
    authority: identity.authority,
    validFrom: identity.validFrom,
    validTo: identity.validTo,
    cardType: identity.cardType,
  };
  if (identity.englishName !== undefined) common.englishName = identity.englishName;
  switch (identity.cardType) {
    case 'resident':
      return { ...common, nation: identity.nation, address: identity.address, idNumber: identity.idNumber };
    case 'foreignPermanent':
      // The Chinese short name: the A4 form is a Chinese paper (an unknown code stays as the card has it).
      return { ...common, nationality: nationalityName(identity.nation)?.['zh-CN'] ?? identity.nation, permanentResidenceNumber: identity.idNumber };
    default: {
      const unreachable: never = identity.cardType;
      return unreachable;
    }
  }
}

function isScalar(v: unknown): v is string | number | boolean | null {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}
function isScalarOrList(v: unknown): v is string | number | boolean | null | string[] {
  return isScalar(v) || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
}

/**
 * JSON answers from the wire → the forms library's `Answers`. A value of a shape no field
 * can take (an object, an array of numbers) is a `wrongType` error for that field.
 */
export function readAnswers(raw: Readonly<Record<string, unknown>>): { answers: Answers; errors: AnswerError[] } {
  const answers: Answers = {};
  const errors: AnswerError[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (isScalarOrList(value)) {
      answers[key] = value;
    } else if (Array.isArray(value) && value.every((row) => typeof row === 'object' && row !== null && !Array.isArray(row))) {
      const rows: Record<string, AnswerValue | undefined>[] = [];
      let ok = true;
      for (const row of value as Record<string, unknown>[]) {
        const out: Record<string, AnswerValue | undefined> = {};
        for (const [k, v] of Object.entries(row)) {
          if (isScalarOrList(v)) out[k] = v;
          else ok = false;
        }
        rows.push(out);
      }
      if (ok) answers[key] = rows;
      else errors.push({ field: key, code: 'wrongType' });
    } else {
      errors.push({ field: key, code: 'wrongType' });
    }
  }
  return { answers, errors };
}

function comparable(v: AnswerValue | undefined): string {
  return typeof v === 'string' ? v.trim().toUpperCase() : JSON.stringify(v ?? null);
}

/**
 * Puts the card's identity fields into the answers. A field the citizen left empty takes the
 * card's value; a field they filled with something else is an error (`mismatchesCard`): we never
 * change what they typed, and never let the paper disagree with the card.
 */
export function mergeCard(pkg: FormPackage, identity: Identity | undefined, answers: Answers): { answers: Answers; errors: AnswerError[] } {
  if (identity === undefined) return { answers: { ...answers }, errors: [] };
  const card = prefillAnswers(pkg, identityInput(identity), {});
  const out: Answers = { ...answers };
  const errors: AnswerError[] = [];
  for (const [fieldId, cardValue] of Object.entries(card)) {
    const given = answers[fieldId];
    if (isEmptyAnswer(given)) out[fieldId] = cardValue;
    else if (comparable(given) !== comparable(cardValue)) errors.push({ field: fieldId, code: 'mismatchesCard' });
  }
  return { answers: out, errors };
}

/** Whether a validation error concerns `fieldId` (itself or one of its group rows). */
function concerns(e: FieldValidationError, fieldId: string): boolean {
  return e.path === fieldId || e.path.startsWith(`${fieldId}[`);
}

/**
 * Answers to start a form with: the card's identity fields, then answers given to fields of the
 * same meaning earlier in this visit, kept only where they are valid on this form (an option
 * this form lacks, a length it does not allow, a field hidden by the other answers: left out).
 */
export function prefillFor(
  pkg: FormPackage,
  identity: Identity | undefined,
  memory: VisitMemory,
  todayIso: string,
): { answers: Answers; sources: Record<string, 'card' | 'visit'> } {
  const card: Answers = identity === undefined ? {} : prefillAnswers(pkg, identityInput(identity), {});
  const sources: Record<string, 'card' | 'visit'> = {};
  for (const k of Object.keys(card)) sources[k] = 'card';
  const candidates: Answers = { ...card };
  for (const section of pkg.definition.sections) {
    for (const field of section.fields) {
      if (field.id in card) continue;
      const recalled = memory.recall(field.id, field.type);
      if (recalled === undefined || isEmptyAnswer(recalled)) continue;
      candidates[field.id] = recalled;
      sources[field.id] = 'visit';
    }
  }
  const result = validateAnswers(pkg, candidates, { todayIso });
  const answers: Answers = {};
  for (const [fieldId, source] of Object.entries(sources)) {
    const value = result.answers[fieldId];
    const bad = result.errors.some((e) => e.code !== 'required' && e.code !== 'groupTooFew' && concerns(e, fieldId));
    // Card values are kept even when this form would refuse them: the citizen must see them (locked) and the error.
    if (source === 'card') answers[fieldId] = card[fieldId];
    else if (value !== undefined && !bad) answers[fieldId] = value;
    else delete sources[fieldId];
  }
  return { answers, sources };
}

/** Keeps the valid answers of this form for the next forms of the visit (card-backed ones come from the card anyway). */
export function rememberAnswers(pkg: FormPackage, valid: Answers, lockedFields: ReadonlySet<string>, memory: VisitMemory): void {
  for (const [fieldId, value] of Object.entries(valid)) {
    if (value === undefined || lockedFields.has(fieldId) || isEmptyAnswer(value)) continue;
    const field = findField(pkg.definition, fieldId);
    if (field !== undefined) memory.remember(fieldId, field.type, value);
  }
}

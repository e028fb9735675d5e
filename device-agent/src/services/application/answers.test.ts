import { beforeAll, describe, expect, it } from 'vitest';
import { findSampleIdentity } from '../../devices/id-card/sample-identities.ts';
import type { Identity } from '@onevisit/protocol';
import { mergeCard, prefillFor, readAnswers, rememberAnswers } from './answers.ts';
import { DEFAULT_FORMS_DIR, FormCatalog, type CatalogEntry } from './form-catalog.ts';
import { VisitMemory } from './visit-memory.ts';

const TODAY = '2026-11-23';
let catalog: FormCatalog;
let identity: Identity;

function entry(id: string): CatalogEntry {
  const e = catalog.get(id);
  if (!e) throw new Error(`no form ${id}`);
  return e;
}

beforeAll(async () => {
  catalog = await FormCatalog.load(DEFAULT_FORMS_DIR);
  const sample = findSampleIdentity('standard');
  if (!sample) throw new Error('sample identity missing');
  identity = sample.identity;
});

describe('readAnswers', () => {
  it('takes scalars, string lists and group rows, and refuses other shapes per field', () => {
    const r = readAnswers({ a: 'x', b: 3, c: true, d: null, e: ['x', 'y'], rows: [{ name: 'x', lowIncome: false }], bad: { nested: 1 }, badList: [1, 2] });
    expect(Object.keys(r.answers).sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'rows']);
    expect(r.errors).toEqual([
      { field: 'bad', code: 'wrongType' },
      { field: 'badList', code: 'wrongType' },
    ]);
  });
});

describe('mergeCard', () => {
  it('fills identity fields the citizen left empty, maps the card’s sex to the option, and flags a different value', () => {
    const pkg = entry('residence-permit').pkg;
    const merged = mergeCard(pkg, identity, { name: '', idNumber: identity.idNumber.toLowerCase(), hukouAddress: '别处' });
    expect(merged.answers).toMatchObject({ name: identity.name, sex: 'male', birthDate: identity.birthDate });
    expect(merged.errors).toEqual([{ field: 'hukouAddress', code: 'mismatchesCard' }]);
  });

  it('changes nothing without a card', () => {
    const pkg = entry('residence-permit').pkg;
    expect(mergeCard(pkg, undefined, { phone: '13812345678' })).toEqual({ answers: { phone: '13812345678' }, errors: [] });
  });
});

describe('prefillFor (一表申请, 信息复用)', () => {
  it('reuses answers of the same meaning from earlier in the visit, only where this form accepts them', () => {
    const memory = new VisitMemory();
    const noRecord = entry('no-criminal-record');
    // Given on the first form: a phone, and `purpose` as a choice.
    rememberAnswers(noRecord.pkg, { phone: '13812345678', purpose: 'visa', receivingOrg: '某国驻华使馆' }, noRecord.identityFields, memory);
    const estate = entry('real-estate-record-inquiry');
    const { answers, sources } = prefillFor(estate.pkg, identity, memory, TODAY);
    expect(answers.phone).toBe('13812345678');
    expect(sources.phone).toBe('visit');
    // `purpose` is free text on this form: a different meaning, not reused.
    expect(answers.purpose).toBeUndefined();
    expect(answers.name).toBe(identity.name);
    expect(sources.name).toBe('card');
  });

  it('leaves out a remembered value this form would refuse', () => {
    const memory = new VisitMemory();
    memory.remember('bankAccount', 'text', 'x'.repeat(200));
    memory.remember('phone', 'phone', '13812345678');
    const flexible = entry('flexible-employment-insurance');
    const { answers } = prefillFor(flexible.pkg, identity, memory, TODAY);
    expect(answers.phone).toBe('13812345678');
    expect(answers.bankAccount).toBeUndefined();
  });

  it('does not remember identity-backed fields (the card is the source for those)', () => {
    const memory = new VisitMemory();
    const permit = entry('residence-permit');
    rememberAnswers(permit.pkg, { name: identity.name, phone: '13812345678' }, permit.identityFields, memory);
    expect(memory.recall('name', 'text')).toBeUndefined();
    expect(memory.recall('phone', 'phone')).toBe('13812345678');
  });
});

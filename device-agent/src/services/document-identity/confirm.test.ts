import { describe, expect, it } from 'vitest';
import { SAMPLE_PEOPLE } from '../../devices/scanner/sample-pages.ts';
import { IdentitySchema } from '@onevisit/protocol';
import { findValidityInText, type CheckDocumentPayload } from '../document-check/check-document.ts';
import { confirmDocumentIdentity, type DocumentLookup } from './confirm.ts';

const WANG = SAMPLE_PEOPLE.wangXiaoming;
const ZHAO = SAMPLE_PEOPLE.zhaoJing;

function lookup(payload: CheckDocumentPayload, seen: { name: string; idNumber: string }[] = []): DocumentLookup {
  return (expected) => {
    seen.push(expected);
    return Promise.resolve({ ok: true, payload });
  };
}

const FOUND: CheckDocumentPayload = { name: { found: true, exact: true }, idNumber: { found: true, exact: true }, found: true, problems: [] };

describe('confirmDocumentIdentity', () => {
  it('makes a card-like identity from the confirmed values, with birth date and sex from the number', async () => {
    const outcome = await confirmDocumentIdentity({ name: ` ${WANG.name} `, idNumber: WANG.idNumber }, lookup(FOUND), '2026-12-03');
    expect(outcome).toEqual({
      kind: 'confirmed',
      identity: {
        name: WANG.name,
        sex: '男',
        nation: '',
        birthDate: '1990-03-07',
        address: '',
        idNumber: WANG.idNumber,
        authority: '',
        validFrom: '',
        validTo: '',
        cardType: 'resident',
        photo: '',
        source: 'document',
      },
    });
    // It is a valid protocol identity (what IdCard.Read would return).
    if (outcome.kind === 'confirmed') expect(IdentitySchema.safeParse(outcome.identity).success).toBe(true);
  });

  it('takes a lower-case x as X and derives female from an even sequence', async () => {
    expect(ZHAO.idNumber.endsWith('X')).toBe(true);
    const seen: { name: string; idNumber: string }[] = [];
    const outcome = await confirmDocumentIdentity({ name: ZHAO.name, idNumber: ZHAO.idNumber.toLowerCase() }, lookup(FOUND, seen), '2026-12-03');
    expect(outcome).toMatchObject({ kind: 'confirmed', identity: { idNumber: ZHAO.idNumber, sex: '女', birthDate: '1978-08-01' } });
    expect(seen).toEqual([{ name: ZHAO.name, idNumber: ZHAO.idNumber }]);
  });

  it('refuses a number that fails GB 11643 without looking at the page', async () => {
    const wrongCheck = `${WANG.idNumber.slice(0, 17)}${WANG.idNumber.endsWith('0') ? '1' : '0'}`;
    const seen: { name: string; idNumber: string }[] = [];
    expect(await confirmDocumentIdentity({ name: WANG.name, idNumber: wrongCheck }, lookup(FOUND, seen), '2026-12-03')).toEqual({
      kind: 'refused',
      problems: [{ field: 'idNumber', code: 'idNumberInvalid' }],
    });
    expect(await confirmDocumentIdentity({ name: '  ', idNumber: '110101199013070610' }, lookup(FOUND, seen), '2026-12-03')).toEqual({
      kind: 'refused',
      problems: [
        { field: 'name', code: 'nameNotFound' },
        { field: 'idNumber', code: 'idNumberInvalid' },
      ],
    });
    expect(seen).toEqual([]);
  });

  it('refuses values that the scanned page does not carry, naming each', async () => {
    const notFound: CheckDocumentPayload = { name: { found: false, exact: false }, idNumber: { found: false, exact: false }, found: false, problems: ['nameNotFound', 'idNumberNotFound'] };
    expect(await confirmDocumentIdentity({ name: WANG.name, idNumber: WANG.idNumber }, lookup(notFound), '2026-12-03')).toEqual({
      kind: 'refused',
      problems: [
        { field: 'name', code: 'nameNotFound' },
        { field: 'idNumber', code: 'idNumberNotFound' },
      ],
    });
    const nameOnly: CheckDocumentPayload = { ...notFound, name: { found: true, exact: false }, problems: ['idNumberNotFound'] };
    expect(await confirmDocumentIdentity({ name: WANG.name, idNumber: WANG.idNumber }, lookup(nameOnly), '2026-12-03')).toEqual({
      kind: 'refused',
      problems: [{ field: 'idNumber', code: 'idNumberNotFound' }],
    });
    const blank: CheckDocumentPayload = { ...notFound, problems: ['noTextFound', 'nameNotFound', 'idNumberNotFound'] };
    expect(await confirmDocumentIdentity({ name: WANG.name, idNumber: WANG.idNumber }, lookup(blank), '2026-12-03')).toEqual({
      kind: 'refused',
      problems: [{ field: 'document', code: 'noTextFound' }],
    });
  });

  it('accepts a name found with one misread character (the citizen confirmed it)', async () => {
    const fuzzy: CheckDocumentPayload = { ...FOUND, name: { found: true, exact: false } };
    expect((await confirmDocumentIdentity({ name: ZHAO.name, idNumber: ZHAO.idNumber }, lookup(fuzzy), '2026-12-03')).kind).toBe('confirmed');
  });

  it('passes an OCR failure through', async () => {
    const failing: DocumentLookup = () => Promise.resolve({ ok: false, failure: 'timeOut' });
    expect(await confirmDocumentIdentity({ name: WANG.name, idNumber: WANG.idNumber }, failing, '2026-12-03')).toEqual({ kind: 'ocrFailed', failure: 'timeOut' });
  });

  it('refuses an expired temporary ID certificate with the card rule, and carries a current validity', async () => {
    const expired: DocumentLookup = () => Promise.resolve({ ok: true, payload: FOUND, validity: { validFrom: '2026-01-05', validTo: '2026-04-05' } });
    expect(await confirmDocumentIdentity({ name: WANG.name, idNumber: WANG.idNumber }, expired, '2026-12-03')).toEqual({
      kind: 'refused',
      problems: [{ field: 'document', code: 'documentExpired' }],
    });
    // Valid through its end date, like a card.
    expect((await confirmDocumentIdentity({ name: WANG.name, idNumber: WANG.idNumber }, expired, '2026-04-05')).kind).toBe('confirmed');
    expect(await confirmDocumentIdentity({ name: WANG.name, idNumber: WANG.idNumber }, expired, '2026-01-04')).toEqual({
      kind: 'refused',
      problems: [{ field: 'document', code: 'documentNotYetValid' }],
    });
    const current = await confirmDocumentIdentity({ name: WANG.name, idNumber: WANG.idNumber }, expired, '2026-02-01');
    expect(current).toMatchObject({ kind: 'confirmed', identity: { validFrom: '2026-01-05', validTo: '2026-04-05' } });
    if (current.kind === 'confirmed') expect(IdentitySchema.safeParse(current.identity).success).toBe(true);
  });
});

describe('findValidityInText', () => {
  it('reads the 有效期限 line of a temporary ID certificate as OCR gives it', () => {
    expect(findValidityInText('姓名：王小明有效期限：2026.01.05-2026.04.05本证明仅在有效期内使用')).toEqual({ validFrom: '2026-01-05', validTo: '2026-04-05' });
    expect(findValidityInText('有效期限 2026年1月5日 至 2026年4月5日')).toEqual({ validFrom: '2026-01-05', validTo: '2026-04-05' });
    expect(findValidityInText('有效期限:2020.01.05-长期')).toEqual({ validFrom: '2020-01-05', validTo: '长期' });
    expect(findValidityInText('本证明仅在有效期内使用')).toBeUndefined();
    expect(findValidityInText('有效期限：2026.02.30-2026.04.05')).toBeUndefined();
  });
});

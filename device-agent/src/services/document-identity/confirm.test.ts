import { describe, expect, it } from 'vitest';
import { SAMPLE_PEOPLE } from '../../devices/scanner/sample-pages.ts';
import { IdentitySchema } from '../../protocol/identity.ts';
import type { CheckDocumentPayload } from '../document-check/check-document.ts';
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
    const outcome = await confirmDocumentIdentity({ name: ` ${WANG.name} `, idNumber: WANG.idNumber }, lookup(FOUND));
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
    const outcome = await confirmDocumentIdentity({ name: ZHAO.name, idNumber: ZHAO.idNumber.toLowerCase() }, lookup(FOUND, seen));
    expect(outcome).toMatchObject({ kind: 'confirmed', identity: { idNumber: ZHAO.idNumber, sex: '女', birthDate: '1978-08-01' } });
    expect(seen).toEqual([{ name: ZHAO.name, idNumber: ZHAO.idNumber }]);
  });

  it('refuses a number that fails GB 11643 without looking at the page', async () => {
    const wrongCheck = `${WANG.idNumber.slice(0, 17)}${WANG.idNumber.endsWith('0') ? '1' : '0'}`;
    const seen: { name: string; idNumber: string }[] = [];
    expect(await confirmDocumentIdentity({ name: WANG.name, idNumber: wrongCheck }, lookup(FOUND, seen))).toEqual({
      kind: 'refused',
      problems: [{ field: 'idNumber', code: 'idNumberInvalid' }],
    });
    expect(await confirmDocumentIdentity({ name: '  ', idNumber: '110101199013070610' }, lookup(FOUND, seen))).toEqual({
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
    expect(await confirmDocumentIdentity({ name: WANG.name, idNumber: WANG.idNumber }, lookup(notFound))).toEqual({
      kind: 'refused',
      problems: [
        { field: 'name', code: 'nameNotFound' },
        { field: 'idNumber', code: 'idNumberNotFound' },
      ],
    });
    const nameOnly: CheckDocumentPayload = { ...notFound, name: { found: true, exact: false }, problems: ['idNumberNotFound'] };
    expect(await confirmDocumentIdentity({ name: WANG.name, idNumber: WANG.idNumber }, lookup(nameOnly))).toEqual({
      kind: 'refused',
      problems: [{ field: 'idNumber', code: 'idNumberNotFound' }],
    });
    const blank: CheckDocumentPayload = { ...notFound, problems: ['noTextFound', 'nameNotFound', 'idNumberNotFound'] };
    expect(await confirmDocumentIdentity({ name: WANG.name, idNumber: WANG.idNumber }, lookup(blank))).toEqual({
      kind: 'refused',
      problems: [{ field: 'document', code: 'noTextFound' }],
    });
  });

  it('accepts a name found with one misread character (the citizen confirmed it)', async () => {
    const fuzzy: CheckDocumentPayload = { ...FOUND, name: { found: true, exact: false } };
    expect((await confirmDocumentIdentity({ name: ZHAO.name, idNumber: ZHAO.idNumber }, lookup(fuzzy))).kind).toBe('confirmed');
  });

  it('passes an OCR failure through', async () => {
    const failing: DocumentLookup = () => Promise.resolve({ ok: false, failure: 'timeOut' });
    expect(await confirmDocumentIdentity({ name: WANG.name, idNumber: WANG.idNumber }, failing)).toEqual({ kind: 'ocrFailed', failure: 'timeOut' });
  });
});

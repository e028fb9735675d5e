import { checkIdNumber } from '@onevisit/protocol';
import type { Identity } from '@onevisit/protocol';
import type { ConfirmDocumentIdentityProblem } from '@onevisit/protocol';
import type { OcrFailure } from '../../ocr/types.ts';
import type { CheckDocumentPayload, DocumentValidity } from '../document-check/check-document.ts';
import { checkValidity } from '../../devices/id-card/validate.ts';

/**
 * Looks for the values on the scanned page (Ocr.CheckDocument's matching rules) and the validity it
 * prints; injected so tests need no OCR.
 */
export type DocumentLookup = (expected: {
  name: string;
  idNumber: string;
}) => Promise<{ ok: true; payload: CheckDocumentPayload; validity?: DocumentValidity } | { ok: false; failure: OcrFailure }>;

/** A problem with the field it concerns, in the order the UI shows them. */
export type ConfirmProblem = { field: 'name' | 'idNumber' | 'document'; code: ConfirmDocumentIdentityProblem };

export type ConfirmOutcome =
  | { kind: 'confirmed'; identity: Identity }
  | { kind: 'refused'; problems: ConfirmProblem[] }
  | { kind: 'ocrFailed'; failure: OcrFailure };

/** GB/T 2261.1 sex names as the card gives them: the document identity reads like a card's. */
const SEX_NAMES = { male: '男', female: '女' } as const;

/**
 * Use (a) of issue 3, last step: the citizen confirmed (or typed) the name and ID number read
 * from a scanned paper document. Nothing typed becomes an identity unless the paper supports it:
 * the number must pass GB 11643 (check character, real birth date), and both values must be
 * found on the scanned page (one misread character tolerated, see check-document.ts). Birth date
 * and sex follow from the number; what a paper does not carry stays empty. A validity the paper
 * prints is checked against `today` (`YYYY-MM-DD`, Asia/Shanghai) with the card's rule: an expired
 * temporary ID certificate is refused like an expired card.
 */
export async function confirmDocumentIdentity(values: { name: string; idNumber: string }, lookup: DocumentLookup, today: string): Promise<ConfirmOutcome> {
  const name = values.name.trim();
  const idNumber = values.idNumber.trim().toUpperCase();
  const number = checkIdNumber(idNumber);
  if (!number.ok || name === '') {
    const problems: ConfirmProblem[] = [];
    if (name === '') problems.push({ field: 'name', code: 'nameNotFound' });
    if (!number.ok) problems.push({ field: 'idNumber', code: 'idNumberInvalid' });
    return { kind: 'refused', problems };
  }
  const found = await lookup({ name, idNumber });
  if (!found.ok) return { kind: 'ocrFailed', failure: found.failure };
  const { payload } = found;
  if (payload.problems.includes('noTextFound')) return { kind: 'refused', problems: [{ field: 'document', code: 'noTextFound' }] };
  const problems: ConfirmProblem[] = [];
  if (!payload.name.found) problems.push({ field: 'name', code: 'nameNotFound' });
  if (!payload.idNumber.found) problems.push({ field: 'idNumber', code: 'idNumberNotFound' });
  if (problems.length > 0) return { kind: 'refused', problems };
  const validity = found.validity ?? { validFrom: '', validTo: '' };
  switch (checkValidity(validity, today)) {
    case 'expired':
      return { kind: 'refused', problems: [{ field: 'document', code: 'documentExpired' }] };
    case 'notYetValid':
      return { kind: 'refused', problems: [{ field: 'document', code: 'documentNotYetValid' }] };
    case 'valid':
      break;
  }
  return {
    kind: 'confirmed',
    identity: {
      name,
      sex: SEX_NAMES[number.sex],
      nation: '',
      birthDate: number.birthDate,
      address: '',
      idNumber,
      authority: '',
      validFrom: validity.validFrom,
      validTo: validity.validTo,
      // A paper that carries an 18-character GB 11643 number is a resident's document.
      cardType: 'resident',
      photo: '',
      source: 'document',
    },
  };
}

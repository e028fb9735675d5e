/**
 * What may never be read aloud (issue 17; DESIGN.md's personal-data rules): a hall is a public place.
 * The agent checks every text before it reaches the engine; the page is not trusted to filter.
 *
 * Refused: an ID number (18 or 15 characters, GB 11643), a mainland mobile number, any run of 8 or
 * more digits (bank cards, other numbers), and the session holder's own name, English name, address
 * and ID number wherever they appear (also split by spaces, as a page may lay them out).
 */
const ID_NUMBER = /\d{17}[\dXx]|\d{15}/;
const MOBILE = /(?<!\d)1[3-9]\d-?\d{4}-?\d{4}(?!\d)/;
const LONG_DIGITS = /\d{8,}/;

export type SessionFacts = {
  name?: string | undefined;
  englishName?: string | undefined;
  address?: string | undefined;
  idNumber?: string | undefined;
};

export type PersonalDataKind = 'idNumber' | 'phoneNumber' | 'longNumber' | 'holderName' | 'holderAddress';

function compact(text: string): string {
  return text.replace(/[\s\u00b7·.,，。:：-]+/g, '').toLowerCase();
}

/** The first kind of personal data found in `text`, or undefined when it may be read aloud. */
export function findPersonalData(text: string, facts: SessionFacts = {}): PersonalDataKind | undefined {
  // Spaces are how a number is laid out on screen; dashes stay, so that dates and references
  // (2026-12-04, T0001-260123-0042-K) are not read as one long number.
  const digits = text.replace(/\s+/g, '');
  if (ID_NUMBER.test(digits)) return 'idNumber';
  if (MOBILE.test(digits)) return 'phoneNumber';
  if (LONG_DIGITS.test(digits)) return 'longNumber';
  const flat = compact(text);
  const names = [facts.name, facts.englishName].filter((n): n is string => n !== undefined && compact(n).length >= 2);
  if (names.some((n) => flat.includes(compact(n)))) return 'holderName';
  // An address is read as a whole or in parts: any 4 characters of it in a row count.
  const address = facts.address === undefined ? '' : compact(facts.address);
  for (let i = 0; i + 4 <= address.length; i += 1) {
    if (flat.includes(address.slice(i, i + 4))) return 'holderAddress';
  }
  if (facts.idNumber !== undefined && facts.idNumber.length >= 6 && flat.includes(facts.idNumber.toLowerCase().slice(-6))) return 'idNumber';
  return undefined;
}

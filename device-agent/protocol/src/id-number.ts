import { isValidDate } from './shanghai-time.ts';

/**
 * GB 11643-1999 citizen identity numbers: 6-digit area code, 8-digit birth date
 * (YYYYMMDD), 3-digit sequence (odd = male, even = female) and a check character
 * computed by ISO 7064 MOD 11-2 (§ 5.5 / appendix of GB 11643-1999).
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';

/** The check character for the first 17 digits, or undefined when they are not 17 digits. */
export function gb11643CheckChar(first17: string): string | undefined {
  if (!/^\d{17}$/.test(first17)) return undefined;
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(first17.charCodeAt(i) - 48) * (WEIGHTS[i] ?? 0);
  return CHECK_CHARS[sum % 11];
}

export type IdNumberProblem = 'format' | 'checkDigit' | 'birthDate';

export type IdNumberCheck =
  | { ok: true; birthDate: string; sex: 'male' | 'female' }
  | { ok: false; problem: IdNumberProblem };

/**
 * The earliest birth year taken as real. GB 11643-1999 writes the year in full (4 digits), and the
 * 18-character number replaced the 15-digit one for every resident from 1999, the oldest born in the
 * 1880s (the resident cards of China's recognised supercentenarians carry such years). A floor of
 * 1900, as the forms library's copy had, would refuse a genuine card of a living person; 1800
 * still refuses a misread century such as `0990`. (No upper bound here: the check has no clock.)
 */
const EARLIEST_BIRTH_YEAR = 1800;

/** Validates an 18-character number: format, real birth date, check character. `x` is taken as `X`. */
export function checkIdNumber(raw: string): IdNumberCheck {
  const value = raw.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(value)) return { ok: false, problem: 'format' };
  const birthDate = `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`;
  if (Number(value.slice(6, 10)) < EARLIEST_BIRTH_YEAR || !isValidDate(birthDate)) return { ok: false, problem: 'birthDate' };
  if (gb11643CheckChar(value.slice(0, 17)) !== value[17]) return { ok: false, problem: 'checkDigit' };
  const sequence = Number(value.slice(14, 17));
  return { ok: true, birthDate, sex: sequence % 2 === 1 ? 'male' : 'female' };
}

export function isValidIdNumber(raw: string): boolean {
  return checkIdNumber(raw).ok;
}

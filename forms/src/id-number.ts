/**
 * GB 11643-1999 citizen identity number check (a copy kept here: forms/ never imports the agent).
 * 18 characters: 6-digit area code, 8-digit birth date, 3-digit sequence, check character.
 * Check character (GB 11643-1999 §8.2, ISO 7064 MOD 11-2): weights 2^(17-i) mod 11 over the
 * first 17 digits; check = (12 - (sum mod 11)) mod 11, with 10 written as `X`.
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;

export function idNumberCheckChar(first17: string): string | undefined {
  if (!/^\d{17}$/.test(first17)) return undefined;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17.charAt(i)) * (WEIGHTS[i] ?? 0);
  const check = (12 - (sum % 11)) % 11;
  return check === 10 ? 'X' : String(check);
}

/** True for a well-formed 18-character number with a valid birth date and check character. */
export function isValidIdNumber(value: string): boolean {
  const v = value.toUpperCase();
  if (!/^\d{17}[\dX]$/.test(v)) return false;
  const y = Number(v.slice(6, 10));
  const m = Number(v.slice(10, 12));
  const d = Number(v.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return false;
  return idNumberCheckChar(v.slice(0, 17)) === v.charAt(17);
}

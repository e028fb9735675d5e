/**
 * Reference numbers: `T0001-260123-0042-K`
 *   terminal id (config: 2-12 of A-Z 0-9, unique in the fleet)
 *   - date in China Standard Time (Asia/Shanghai, UTC+8 all year: no DST), YYMMDD
 *   - sequence of the day on this terminal, at least 4 digits
 *   - check character, ISO/IEC 7064 MOD 37-2 over the alphanumerics.
 *
 * Unique in the fleet without coordination: the terminal id is unique, and the
 * sequence is allocated in the same SQLite transaction that commits the submission
 * (`outbox.ts`): a crash before the commit leaves nothing promised; after it the number
 * is taken for good. If the clock steps back, the day's counter continues where it was.
 *
 * Read aloud: the date and sequence are digits, groups are short, and sequence numbers
 * whose check character would be `*` or a confusable letter (I O Z S B: 1 0 2 5 8) are
 * skipped, so the check is always a digit or an unambiguous letter.
 * MOD 37-2 detects every single-character substitution and every transposition of
 * two adjacent characters (tested in reference.test.ts).
 */
import { shanghaiDate } from '@onevisit/protocol';

const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** ISO/IEC 7064 MOD 37-2 uses 37 check values: the 36 alphanumerics and `*`. */
const CHECK_CHARS = `${ALPHANUMERIC}*`;
const MODULUS = 37;

/** Check characters we never hand out: `*`, and letters that read aloud like 1 0 2 5 8. */
export const CONFUSABLE_CHECK_CHARS: ReadonlySet<string> = new Set(['*', 'I', 'O', 'Z', 'S', 'B']);

function valueOf(ch: string, alphabet: string): number {
  const v = alphabet.indexOf(ch);
  if (v < 0 || ch.length !== 1) throw new RangeError(`not an alphanumeric character: ${JSON.stringify(ch)}`);
  return v;
}

/**
 * ISO/IEC 7064 MOD 37-2 (pure system): the weighted sum of data and check, weights
 * 2^k mod 37 from the right, is 1 mod 37. 37 is prime and 2 generates all of Z/37*,
 * so every single substitution and every adjacent transposition changes the sum.
 */
export function mod372Check(data: string): string {
  let p = 0;
  for (const ch of data) p = (p * 2 + valueOf(ch, ALPHANUMERIC)) % MODULUS;
  const check = (((1 - 2 * p) % MODULUS) + MODULUS) % MODULUS;
  return CHECK_CHARS.charAt(check);
}

/** True when the last character of `dataWithCheck` is the right MOD 37-2 check. */
export function mod372Valid(dataWithCheck: string): boolean {
  if (dataWithCheck.length < 2 || !/^[0-9A-Z]+[0-9A-Z*]$/.test(dataWithCheck)) return false;
  let p = 0;
  const data = dataWithCheck.slice(0, -1);
  for (const ch of data) p = (p * 2 + valueOf(ch, ALPHANUMERIC)) % MODULUS;
  p = (p * 2 + valueOf(dataWithCheck.slice(-1), CHECK_CHARS)) % MODULUS;
  return p === 1;
}

/** YYMMDD of an instant in China Standard Time. */
export function chinaDay(epochMs: number): string {
  return shanghaiDate(epochMs).slice(2).replaceAll('-', '');
}

export const TERMINAL_ID_PATTERN = /^[A-Z0-9]{2,12}$/;

export function formatReference(terminalId: string, day: string, seq: number): string {
  if (!TERMINAL_ID_PATTERN.test(terminalId)) throw new RangeError('terminal id must be 2 to 12 of A-Z, 0-9');
  if (!/^\d{6}$/.test(day)) throw new RangeError('day must be YYMMDD');
  if (!Number.isSafeInteger(seq) || seq < 1) throw new RangeError('sequence must be a positive integer');
  const seqText = String(seq).padStart(4, '0');
  const check = mod372Check(`${terminalId}${day}${seqText}`);
  return `${terminalId}-${day}-${seqText}-${check}`;
}

/**
 * The reference a form update's test fill prints (issue 16): the real format and width of a
 * reference this terminal files today (its id, the day, four digits of sequence, a valid check
 * character), but sequence 0000, which no application ever gets (sequences start at 1), so the test
 * PDF cannot be taken for a case. A package whose reference box is too narrow for the terminal's real
 * references fails its test fill, not a citizen's application. Four digits: the width of every
 * reference up to the day's 9 999th.
 */
export function testFillReference(terminalId: string, epochMs: number): string {
  if (!TERMINAL_ID_PATTERN.test(terminalId)) throw new RangeError('terminal id must be 2 to 12 of A-Z, 0-9');
  const day = chinaDay(epochMs);
  return `${terminalId}-${day}-0000-${mod372Check(`${terminalId}${day}0000`)}`;
}

/** Whether the reference for this sequence number has a check character we hand out. */
export function isReadableSequence(terminalId: string, day: string, seq: number): boolean {
  const check = formatReference(terminalId, day, seq).slice(-1);
  return !CONFUSABLE_CHECK_CHARS.has(check);
}

/** The next sequence number after `lastSeq` whose reference reads unambiguously. */
export function nextReadableSequence(terminalId: string, day: string, lastSeq: number): number {
  let seq = lastSeq + 1;
  while (!isReadableSequence(terminalId, day, seq)) seq += 1;
  return seq;
}

export const REFERENCE_PATTERN = /^([A-Z0-9]{2,12})-(\d{6})-(\d{4,})-([0-9A-Z*])$/;

export type ParsedReference = { terminalId: string; day: string; seq: number; check: string };

/**
 * Reads a reference as typed or read back by a person: case, spaces and hyphens are
 * forgiven when the groups can be told apart; returns undefined when the check fails.
 */
export function parseReference(text: string): ParsedReference | undefined {
  const normalized = text.trim().toUpperCase().replace(/[\s_]+/g, '-').replace(/-+/g, '-');
  const m = REFERENCE_PATTERN.exec(normalized);
  if (!m) return undefined;
  const [, terminalId = '', day = '', seqText = '', check = ''] = m;
  if (!mod372Valid(`${terminalId}${day}${seqText}${check}`)) return undefined;
  return { terminalId, day, seq: Number(seqText), check };
}

export function isValidReference(text: string): boolean {
  return REFERENCE_PATTERN.test(text) && parseReference(text) !== undefined;
}

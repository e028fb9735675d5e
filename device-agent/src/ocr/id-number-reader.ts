import { checkIdNumber } from '@onevisit/protocol';

/**
 * Turning OCR reads of a GB 11643 citizen ID number into one verified value.
 *
 * We have up to two reads of the same 18 characters: chi_sim's read of the page line, and
 * an eng-only re-read of the upscaled, sharpened crop with the whitelist `0123456789Xx`
 * (STACK-NOTES.md: `0123456789X` alone made eng drop a final X). The check character
 * (ISO 7064 MOD 11-2) catches any single wrong character, so a read is accepted only when it
 * passes `checkIdNumber` (format, real birth date, check character).
 */

export const ID_NUMBER_WHITELIST = '0123456789Xx';

/** One read: its characters and, when known, a 0–1 confidence per character. */
export interface IdNumberRead {
  text: string;
  confidences?: readonly number[];
  source: 'eng' | 'chi_sim';
}

export type IdNumberDecision =
  | { ok: true; value: string; confidence: number; source: 'eng' | 'chi_sim'; corrected: boolean }
  | { ok: false; problem: 'unreadable' | 'ambiguous' };

/**
 * Normalises a read: uppercase, letters OCR commonly confuses with digits mapped
 * (O/o/D→0, I/l/|/!→1, Z→2, S→5, B→8), everything else but digits and X dropped.
 */
export function normaliseIdRead(text: string): string {
  const mapped = text
    .toUpperCase()
    .replace(/[\uff10-\uff19]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0))
    .replace(/[OD]/g, '0')
    .replace(/[IL|!]/g, '1')
    .replace(/Z/g, '2')
    .replace(/S/g, '5')
    .replace(/B/g, '8')
    .replace(/[×ⅹ]/g, 'X');
  return mapped.replace(/[^0-9X]/g, '');
}

/** The 18-character ID numbers in a text, in order (anywhere an 18-run of digits+X occurs). */
export function findIdNumbers(text: string): string[] {
  const compactText = text.replace(/\s+/g, '').toUpperCase();
  return Array.from(compactText.matchAll(/(?<!\d)\d{17}[\dX](?![\dX])/g), (m) => m[0]);
}

/** Digits each digit is commonly misread as (shape neighbours in printed sans and serif faces). */
const CONFUSIONS: Readonly<Record<string, string>> = {
  '0': '689',
  '1': '74',
  '2': '7',
  '3': '89',
  '4': '19',
  '5': '6',
  '6': '058',
  '7': '12',
  '8': '0369',
  '9': '0348',
  X: '',
};

/** Below this 0–1 confidence a character may be corrected. */
const DOUBTFUL_CONFIDENCE = 0.8;

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

function readConfidence(read: IdNumberRead): number {
  return read.confidences && read.confidences.length > 0 ? mean(read.confidences) : 0.5;
}

/**
 * Decides the ID number from the reads, in order of trust:
 * 1. the first read that is 18 characters and valid (eng crop first, then chi_sim line);
 * 2. otherwise single-character substitutions at the positions where the two reads differ
 *    or that were read with the lowest confidence (below 0.8), with the other read's character or a
 *    common confusion; accepted only when exactly one candidate is valid (the check
 *    character would accept roughly one in eleven random substitutions, so the search is
 *    kept narrow and an ambiguous result is refused, not guessed).
 */
export function decideIdNumber(reads: readonly IdNumberRead[]): IdNumberDecision {
  const cleaned = reads.map((read) => ({ ...read, text: normaliseIdRead(read.text) }));
  for (const read of cleaned) {
    if (read.text.length === 18 && checkIdNumber(read.text).ok) {
      return { ok: true, value: read.text, confidence: readConfidence(read), source: read.source, corrected: false };
    }
  }
  const full = cleaned.filter((read) => read.text.length === 18);
  if (full.length === 0) return { ok: false, problem: 'unreadable' };
  const candidates = new Map<string, 'eng' | 'chi_sim'>();
  for (const base of full) {
    const positions = new Set<number>();
    for (const other of full) {
      if (other === base) continue;
      for (let i = 0; i < 18; i += 1) if (other.text[i] !== base.text[i]) positions.add(i);
    }
    if (base.confidences && base.confidences.length === 18) {
      const ranked = base.confidences.map((c, i) => ({ c, i })).sort((a, b) => a.c - b.c);
      // Only characters Tesseract itself doubted: a confident character is left alone.
      for (const { i } of ranked.slice(0, 3).filter(({ c }) => c < DOUBTFUL_CONFIDENCE)) positions.add(i);
    } else if (positions.size === 0) {
      // No second opinion and no confidences: we cannot narrow it down safely.
      continue;
    }
    for (const i of positions) {
      const current = base.text[i] ?? '';
      const options = new Set<string>(CONFUSIONS[current] ?? '');
      for (const other of full) if (other.text[i] !== undefined) options.add(other.text[i] ?? '');
      if (i === 17) options.add('X');
      options.delete(current);
      for (const replacement of options) {
        const candidate = base.text.slice(0, i) + replacement + base.text.slice(i + 1);
        if (/^\d{17}[\dX]$/.test(candidate) && checkIdNumber(candidate).ok && !candidates.has(candidate)) candidates.set(candidate, base.source);
      }
    }
  }
  if (candidates.size !== 1) return { ok: false, problem: candidates.size === 0 ? 'unreadable' : 'ambiguous' };
  const [[value, source]] = Array.from(candidates.entries()) as [[string, 'eng' | 'chi_sim']];
  // A corrected value is a guess the citizen must look at closely: say so with the confidence.
  return { ok: true, value, confidence: Math.min(0.5, mean(full.map(readConfidence))), source, corrected: true };
}

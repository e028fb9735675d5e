import { checkIdNumber, LONG_TERM } from '@onevisit/protocol';
import type { z } from 'zod';
import type { ocrCommands } from '@onevisit/protocol';
import { normaliseIdRead } from '../../ocr/id-number-reader.ts';
import { findIdNumberCandidates } from '../../ocr/locate.ts';
import type { OcrPage, OcrService } from '../../ocr/service.ts';
import { compact } from '../../ocr/text.ts';
import type { OcrFailure } from '../../ocr/types.ts';

export type CheckDocumentPayload = z.output<(typeof ocrCommands)['Ocr.CheckDocument']['completion']>;

/** The validity a paper document prints (`YYYY-MM-DD`, or `长期` for the end). */
export type DocumentValidity = { validFrom: string; validTo: string };

const DATE = String.raw`(\d{4})\s*[.\-/年]\s*(\d{1,2})\s*[.\-/月]\s*(\d{1,2})\s*日?`;
/** 有效期限：2026.01.05-2026.04.05 (the layout of a 临时身份证明, like the card's back: GA 450 / GA/T 490 dates). */
const VALIDITY = new RegExp(String.raw`有效期[限至]?[:：]?${DATE}\s*[-—–~至到]+\s*(?:(长期)|${DATE})`, 'u');

function isoDate(year: string, month: string, day: string): string | undefined {
  const iso = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  const date = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== iso ? undefined : iso;
}

/**
 * The validity printed on a page (OCR text, line breaks removed); undefined when the page prints
 * none or a date is not a real date. Checked with the card's rule (devices/id-card/validate.ts).
 */
export function findValidityInText(pageText: string): DocumentValidity | undefined {
  const match = VALIDITY.exec(compact(pageText).replace(/[。，]/gu, '.'));
  if (!match) return undefined;
  const [, y1 = '', m1 = '', d1 = '', longTerm, y2 = '', m2 = '', d2 = ''] = match;
  const validFrom = isoDate(y1, m1, d1);
  const validTo = longTerm !== undefined ? LONG_TERM : isoDate(y2, m2, d2);
  return validFrom !== undefined && validTo !== undefined ? { validFrom, validTo } : undefined;
}

interface Match {
  found: boolean;
  exact: boolean;
}

const NOT_FOUND: Match = { found: false, exact: false };

/** `·` of minority names comes out of OCR as several look-alikes. */
function normaliseName(text: string): string {
  return compact(text).replace(/[•・．.]/g, '·');
}

function hamming(a: string, b: string): number {
  let d = 0;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) d += 1;
  return d;
}

/**
 * The name on a page: as a substring of the page's text with line breaks removed (a name
 * can be split across lines); or, for names of three or more characters, with one character
 * misread (reported as not exact).
 */
export function findNameInText(pageText: string, name: string): Match {
  const haystack = Array.from(normaliseName(pageText));
  const needle = Array.from(normaliseName(name));
  if (needle.length === 0) return NOT_FOUND;
  if (haystack.join('').includes(needle.join(''))) return { found: true, exact: true };
  if (needle.length < 3) return NOT_FOUND;
  for (let i = 0; i + needle.length <= haystack.length; i += 1) {
    let d = 0;
    for (let j = 0; j < needle.length && d <= 1; j += 1) if (haystack[i + j] !== needle[j]) d += 1;
    if (d <= 1) return { found: true, exact: false };
  }
  return NOT_FOUND;
}

/**
 * An ID number matches a read when equal, or when the read differs in one character AND
 * fails the check character: then it is our misread of this number, not another valid number.
 */
export function idNumberMatches(read: string, idNumber: string): Match {
  const value = normaliseIdRead(read);
  const target = idNumber.trim().toUpperCase();
  if (value === target) return { found: true, exact: true };
  if (value.length === target.length && hamming(value, target) === 1 && !checkIdNumber(value).ok) return { found: true, exact: false };
  return NOT_FOUND;
}

/**
 * Use (b) of issue 3: does a scanned supporting document mention this citizen? Every page is
 * read (chi_sim) until both values are found; ID-number lines are re-read with the eng crop.
 * The values are compared here and never logged or returned.
 */
export async function checkDocumentPages(
  ocr: OcrService,
  pages: readonly OcrPage[],
  expected: { name: string; idNumber: string },
  signal?: AbortSignal,
): Promise<{ ok: true; payload: CheckDocumentPayload; validity?: DocumentValidity } | { ok: false; failure: OcrFailure }> {
  let validity: DocumentValidity | undefined;
  let name: Match = NOT_FOUND;
  let idNumber: Match = NOT_FOUND;
  let anyText = false;
  for (const page of pages) {
    if (name.exact && idNumber.exact) break;
    const read = await ocr.recognize(page, { language: 'chi_sim', pageSegMode: 'auto', ...(signal ? { signal } : {}) });
    if (!read.ok) return read;
    const pageText = read.result.lines.map((line) => line.text).join('');
    if (compact(pageText).length > 0) anyText = true;
    validity ??= findValidityInText(pageText);
    if (!name.exact) name = better(name, findNameInText(pageText, expected.name));
    if (!idNumber.exact) {
      for (const run of compact(pageText).toUpperCase().match(/[0-9X]{15,}/g) ?? []) {
        for (let i = 0; i + 18 <= run.length; i += 1) idNumber = better(idNumber, idNumberMatches(run.slice(i, i + 18), expected.idNumber));
      }
    }
    if (!idNumber.exact) {
      for (const candidate of findIdNumberCandidates(read.result.lines).slice(0, 4)) {
        idNumber = better(idNumber, idNumberMatches(candidate.text, expected.idNumber));
        if (idNumber.exact) break;
        const reread = await ocr.readIdNumber(page, candidate.box, { text: candidate.text, confidences: candidate.confidences, source: 'chi_sim' }, signal);
        if (!reread.ok) return reread;
        idNumber = better(idNumber, idNumberMatches(reread.engRead, expected.idNumber));
        if (reread.decision.ok) idNumber = better(idNumber, idNumberMatches(reread.decision.value, expected.idNumber));
        if (idNumber.exact) break;
      }
    }
  }
  const problems: CheckDocumentPayload['problems'] = [];
  if (!anyText) problems.push('noTextFound');
  if (!name.found) problems.push('nameNotFound');
  if (!idNumber.found) problems.push('idNumberNotFound');
  return { ok: true, payload: { name, idNumber, found: name.found && idNumber.found, problems }, ...(validity ? { validity } : {}) };
}

function better(a: Match, b: Match): Match {
  if (a.exact) return a;
  if (b.exact) return b;
  return a.found ? a : b;
}

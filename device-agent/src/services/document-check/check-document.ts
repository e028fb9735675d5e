import { checkIdNumber } from '../../protocol/id-number.ts';
import type { z } from 'zod';
import type { ocrCommands } from '../../protocol/messages/ocr.ts';
import { normaliseIdRead } from '../../ocr/id-number-reader.ts';
import { findIdNumberCandidates } from '../../ocr/locate.ts';
import type { OcrPage, OcrService } from '../../ocr/service.ts';
import { compact } from '../../ocr/text.ts';
import type { OcrFailure } from '../../ocr/types.ts';

export type CheckDocumentPayload = z.output<(typeof ocrCommands)['Ocr.CheckDocument']['completion']>;

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
): Promise<{ ok: true; payload: CheckDocumentPayload } | { ok: false; failure: OcrFailure }> {
  let name: Match = NOT_FOUND;
  let idNumber: Match = NOT_FOUND;
  let anyText = false;
  for (const page of pages) {
    if (name.exact && idNumber.exact) break;
    const read = await ocr.recognize(page, { language: 'chi_sim', pageSegMode: 'auto', ...(signal ? { signal } : {}) });
    if (!read.ok) return read;
    const pageText = read.result.lines.map((line) => line.text).join('');
    if (compact(pageText).length > 0) anyText = true;
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
  return { ok: true, payload: { name, idNumber, found: name.found && idNumber.found, problems } };
}

function better(a: Match, b: Match): Match {
  if (a.exact) return a;
  if (b.exact) return b;
  return a.found ? a : b;
}

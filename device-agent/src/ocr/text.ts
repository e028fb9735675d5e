/**
 * Text helpers for OCR output: Tesseract's chi_sim model puts spaces between Chinese
 * characters and mixes full-width and ASCII punctuation; comparisons work on a compact form.
 */

const CJK = '\\p{Script=Han}\\u3000-\\u303f\\uff00-\\uffef';
const SPACE_BETWEEN_CJK = new RegExp(`(?<=[${CJK}])\\s+|\\s+(?=[${CJK}])`, 'gu');

/** Drops the spaces Tesseract puts around Chinese characters, keeps those between Latin words. */
export function tidyChineseSpacing(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(SPACE_BETWEEN_CJK, '').trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Full-width ASCII (Ｆ，１：) to half-width; the ideographic space to a space. */
export function toHalfWidth(text: string): string {
  return text.replace(/[\uff01-\uff5e]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}

/** For matching: half-width, no whitespace at all. */
export function compact(text: string): string {
  return toHalfWidth(text).replace(/\s+/gu, '');
}

/** Levenshtein distance over code points (so a character outside the BMP counts once). */
export function editDistance(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  if (x.length === 0) return y.length;
  if (y.length === 0) return x.length;
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= y.length; j += 1) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = current;
  }
  return previous[y.length] ?? 0;
}

/**
 * Character accuracy of OCR output against the source text: 1 − edit distance / source length,
 * both compared in compact form (whitespace and full/half width do not count). Can go below 0
 * for garbage; clamped to 0.
 */
export function characterAccuracy(source: string, recognised: string): number {
  const expected = compact(source);
  if (expected.length === 0) return compact(recognised).length === 0 ? 1 : 0;
  return Math.max(0, 1 - editDistance(expected, compact(recognised)) / Array.from(expected).length);
}

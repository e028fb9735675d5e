import type { PixelRect } from './image.ts';
import { compact } from './text.ts';
import type { OcrLine, OcrSymbol } from './types.ts';

/**
 * Finding the name and the ID number on a recognised page (a temporary ID certificate,
 * a household register page, a residence certificate): regular expressions over the lines,
 * guided by the labels such documents print.
 */

/** Labels printed before the ID number (GB 11643 calls it 公民身份号码). */
export const ID_NUMBER_LABELS = ['公民身份号码', '公民身份证号码', '身份证号码', '身份证号', '身份号码', '证件号码'] as const;
export const NAME_LABELS = ['姓名', '名字'] as const;
/** Labels that may follow the name on the same line. */
const FIELD_LABELS = ['性别', '民族', '出生', '住址', '公民', '身份', '证件', '籍贯'];

/** Characters a digit in an ID number is often read as, besides digits themselves. */
const DIGITISH = /^[0-9XxOoIl|SZB０-９]$/u;

export interface IdNumberCandidate {
  line: OcrLine;
  lineIndex: number;
  /** The digit run as chi_sim read it (not yet normalised). */
  text: string;
  confidences: number[];
  /** Page pixels of the digit run. */
  box: PixelRect;
  labelled: boolean;
}

function union(boxes: readonly PixelRect[]): PixelRect | undefined {
  if (boxes.length === 0) return undefined;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const b of boxes) {
    x0 = Math.min(x0, b.x);
    y0 = Math.min(y0, b.y);
    x1 = Math.max(x1, b.x + b.width);
    y1 = Math.max(y1, b.y + b.height);
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

function symbolsOf(line: OcrLine): OcrSymbol[] {
  return line.words.flatMap((word) => word.symbols);
}

/**
 * Lines that hold an ID number: the longest run of digit-like symbols with at least 15 of
 * them (a digit or two may be misread as something else, and the re-read fixes it).
 * Labelled lines first, then by run length.
 */
export function findIdNumberCandidates(lines: readonly OcrLine[]): IdNumberCandidate[] {
  const found: IdNumberCandidate[] = [];
  lines.forEach((line, lineIndex) => {
    const symbols = symbolsOf(line);
    let best: OcrSymbol[] = [];
    let run: OcrSymbol[] = [];
    for (const symbol of symbols) {
      if (DIGITISH.test(symbol.text)) {
        run.push(symbol);
        if (run.length > best.length) best = run.slice();
      } else {
        run = [];
      }
    }
    const digits = best.filter((s) => /[0-9０-９]/u.test(s.text)).length;
    if (best.length < 15 || digits < 14) return;
    const box = union(best.map((s) => s.box));
    if (!box) return;
    const lineText = compact(line.text);
    found.push({
      line,
      lineIndex,
      text: best.map((s) => s.text).join(''),
      confidences: best.map((s) => s.confidence),
      box,
      labelled: ID_NUMBER_LABELS.some((label) => lineText.includes(label)) || (lineIndex > 0 && ID_NUMBER_LABELS.some((label) => compact(lines[lineIndex - 1]?.text ?? '').endsWith(label))),
    });
  });
  return found.sort((a, b) => Number(b.labelled) - Number(a.labelled) || Math.abs(18 - a.text.length) - Math.abs(18 - b.text.length));
}

export interface NameCandidate {
  value: string;
  confidence: number;
  box: PixelRect | undefined;
}

/**
 * The name after a 姓名 label: Chinese characters (and the `·` of minority names),
 * 2 to 20 of them, up to the next field label on the same line. If the label stands alone
 * the name is taken from the next line.
 */
export function findName(lines: readonly OcrLine[]): NameCandidate | undefined {
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i];
    if (!line) continue;
    const symbols = symbolsOf(line);
    const joined = symbols.map((s) => s.text).join('');
    for (const label of NAME_LABELS) {
      const at = joined.indexOf(label);
      if (at < 0) continue;
      // Symbols are single characters, so string positions map to symbol indexes.
      let rest = symbols.slice(Array.from(joined.slice(0, at + label.length)).length);
      while (rest[0] && /^[:：;；\s.,，]$/u.test(rest[0].text)) rest = rest.slice(1);
      if (rest.length === 0) rest = symbolsOf(lines[i + 1] ?? { text: '', confidence: 0, box: { x: 0, y: 0, width: 0, height: 0 }, words: [] });
      const taken: OcrSymbol[] = [];
      for (const symbol of rest) {
        if (!/^[\p{Script=Han}·•・]$/u.test(symbol.text)) break;
        taken.push(symbol);
        const sofar = taken.map((s) => s.text).join('');
        const label2 = FIELD_LABELS.find((l) => sofar.endsWith(l));
        if (label2) {
          taken.splice(taken.length - Array.from(label2).length);
          break;
        }
      }
      const value = taken.map((s) => s.text).join('').replace(/[•・]/g, '·');
      if (Array.from(value).length >= 2 && Array.from(value).length <= 20) {
        const confidences = taken.map((s) => s.confidence);
        return { value, confidence: confidences.reduce((a, b) => a + b, 0) / confidences.length, box: union(taken.map((s) => s.box)) };
      }
    }
  }
  return undefined;
}

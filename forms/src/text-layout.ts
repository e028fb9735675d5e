/**
 * Line breaking for Chinese (and mixed Latin) text at a fixed size, by measured width.
 * pdf-lib breaks only at spaces, so a Chinese answer would run past its box.
 *
 * Rules (after the common 禁则 practice in GB/T 15834 punctuation use and JIS X 4051):
 * a line never starts with closing punctuation (，。、；：？！）》」 …) and never ends with an
 * opening one (（《「 …). When a closing mark would start a line, the last character of the
 * line before moves down with it; Latin words and digit runs are not split unless longer than a line.
 */

/** Must not start a line. */
export const NO_LINE_START = new Set([...'，。、；：？！）》」』】〕〉〗〙〛”’…‥·・—～%‰℃°′″,.;:?!)]}>']);
/** Must not end a line. */
export const NO_LINE_END = new Set([...'（《「『【〔〈〖〘〚“‘([{<￥$']);

const WORD_CHAR = /^[A-Za-z0-9@#&_\-+.'/]$/u;

/** Splits a paragraph into break units: one CJK character, one mark, one Latin word, or one space. */
export function tokenize(paragraph: string): string[] {
  const out: string[] = [];
  let word = '';
  for (const ch of paragraph) {
    if (WORD_CHAR.test(ch)) {
      word += ch;
      continue;
    }
    if (word !== '') {
      out.push(word);
      word = '';
    }
    out.push(ch);
  }
  if (word !== '') out.push(word);
  return out;
}

function isSpace(token: string): boolean {
  return /^\s+$/u.test(token);
}

/**
 * Wraps `text` so that every line measures at most `maxWidth` (explicit newlines kept).
 * `widthOf` measures a string in the same unit as `maxWidth`.
 */
export function wrapText(text: string, widthOf: (s: string) => number, maxWidth: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.replace(/\r\n?/g, '\n').split('\n')) {
    lines.push(...wrapParagraph(paragraph, widthOf, maxWidth));
  }
  return lines;
}

function wrapParagraph(paragraph: string, widthOf: (s: string) => number, maxWidth: number): string[] {
  const queue = tokenize(paragraph);
  const lines: string[] = [];
  let cur: string[] = [];
  let curWidth = 0;
  const flush = (): void => {
    while (cur.length > 0 && isSpace(cur[cur.length - 1] ?? '')) cur.pop();
    lines.push(cur.join(''));
    cur = [];
    curWidth = 0;
  };
  for (let i = 0; i < queue.length; i++) {
    const tok = queue[i] ?? '';
    const w = widthOf(tok);
    if (cur.length === 0 && isSpace(tok)) continue;
    if (curWidth + w <= maxWidth) {
      cur.push(tok);
      curWidth += w;
      continue;
    }
    if (isSpace(tok)) {
      flush();
      continue;
    }
    if (w > maxWidth && [...tok].length > 1) {
      // A word longer than a line: break it into characters.
      queue.splice(i, 1, ...[...tok]);
      i--;
      continue;
    }
    if (cur.length === 0) {
      // A single unit wider than the line: it stands alone.
      cur.push(tok);
      curWidth += w;
      flush();
      continue;
    }
    // Carry characters down so the new line does not start with a closing mark and the old
    // one does not end with an opening mark.
    const carried: string[] = [];
    if (NO_LINE_START.has(tok.charAt(0))) {
      while (cur.length > 1 && NO_LINE_START.has((cur[cur.length - 1] ?? '').charAt(0))) {
        carried.unshift(cur.pop() ?? '');
      }
      if (cur.length > 1) carried.unshift(cur.pop() ?? '');
      else {
        // Nothing can move down: hang the mark at the end of this line instead.
        cur.push(...carried, tok);
        flush();
        continue;
      }
    }
    while (cur.length > 1 && NO_LINE_END.has((cur[cur.length - 1] ?? '').slice(-1))) {
      carried.unshift(cur.pop() ?? '');
    }
    flush();
    cur = [...carried, tok];
    curWidth = cur.reduce((sum, t) => sum + widthOf(t), 0);
  }
  if (cur.length > 0 || lines.length === 0) flush();
  return lines;
}

/** A stretch of text drawn with one font. */
export interface TextRun {
  readonly text: string;
  readonly fontIndex: number;
}

/**
 * Splits text into runs by the first font (in order) that has a glyph for each character.
 * Returns the first uncovered code point instead when no font has it.
 */
export function splitRuns(
  text: string,
  covers: readonly ((codePoint: number) => boolean)[],
): { runs: TextRun[] } | { missing: number } {
  const runs: TextRun[] = [];
  let curText = '';
  let curFont = -1;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    let idx: number;
    if (/\s/u.test(ch)) idx = curFont >= 0 ? curFont : 0;
    else {
      idx = covers.findIndex((c) => c(cp));
      if (idx < 0) return { missing: cp };
    }
    if (idx !== curFont && curText !== '') {
      runs.push({ text: curText, fontIndex: curFont });
      curText = '';
    }
    curFont = idx;
    curText += ch;
  }
  if (curText !== '') runs.push({ text: curText, fontIndex: curFont });
  return { runs };
}

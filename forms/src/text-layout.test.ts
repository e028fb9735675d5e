import { describe, expect, it } from 'vitest';
import { NO_LINE_START, splitRuns, tokenize, wrapText } from './text-layout.ts';

// Every character one unit wide: easy to reason about.
const w = (s: string): number => [...s].length;

describe('wrapText', () => {
  it('breaks Chinese by width', () => {
    expect(wrapText('一二三四五六七', w, 3)).toEqual(['一二三', '四五六', '七']);
  });
  it('never starts a line with closing punctuation', () => {
    const lines = wrapText('一二三，四五六。七八', w, 3);
    for (const l of lines) expect(NO_LINE_START.has(l.charAt(0))).toBe(false);
    expect(lines.join('')).toBe('一二三，四五六。七八');
    expect(lines[0]).toBe('一二');
    expect(lines[1]).toBe('三，四');
  });
  it('keeps several closing marks together and does not end a line with an opening one', () => {
    const lines = wrapText('甲乙丙）。丁（戊己', w, 3);
    for (const l of lines) {
      expect(NO_LINE_START.has(l.charAt(0))).toBe(false);
      expect(l.endsWith('（')).toBe(false);
    }
    expect(lines.join('')).toBe('甲乙丙）。丁（戊己');
  });
  it('keeps Latin words and numbers whole, splits only words longer than a line', () => {
    expect(wrapText('地址 Room 1203', w, 6)).toEqual(['地址', 'Room', '1203']);
    expect(wrapText('6222020200112233445', w, 8)).toEqual(['62220202', '00112233', '445']);
    expect(tokenize('京(2021)号')).toEqual(['京', '(', '2021', ')', '号']);
  });
  it('keeps explicit newlines', () => {
    expect(wrapText('甲\n乙', w, 5)).toEqual(['甲', '乙']);
  });
});

describe('splitRuns', () => {
  it('falls back per run, non-BMP characters included', () => {
    const main = (cp: number): boolean => cp !== 0x20bb7;
    const fallback = (cp: number): boolean => cp === 0x20bb7;
    const r = splitRuns('张𠮷三', [main, fallback]);
    expect(r).toEqual({ runs: [{ text: '张', fontIndex: 0 }, { text: '𠮷', fontIndex: 1 }, { text: '三', fontIndex: 0 }] });
  });
  it('names the first uncovered code point', () => {
    expect(splitRuns('张𠀀', [(cp) => cp < 0x10000])).toEqual({ missing: 0x20000 });
  });
});

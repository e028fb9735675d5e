import { describe, expect, it } from 'vitest';
import { characterAccuracy, compact, editDistance, tidyChineseSpacing } from './text.ts';

describe('OCR text helpers', () => {
  it('removes the spaces Tesseract puts between Chinese characters but keeps Latin word spaces', () => {
    expect(tidyChineseSpacing('公民 身份 号 码 : 110101\nhello world 你 好')).toBe('公民身份号码: 110101\nhello world你好');
  });

  it('measures edit distance in code points', () => {
    expect(editDistance('王小明', '王小朋')).toBe(1);
    expect(editDistance('𠮷野家', '吉野家')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('scores character accuracy ignoring whitespace and full/half width', () => {
    expect(characterAccuracy('姓名：王小明', '姓 名 : 王 小 明')).toBe(1);
    expect(characterAccuracy('一二三四五六七八九十', '一二三四五六七八九')).toBeCloseTo(0.9);
    expect(compact('Ａ１　b')).toBe('A1b');
  });
});

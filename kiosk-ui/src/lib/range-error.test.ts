import { describe, expect, it } from 'vitest';
import { en } from './i18n/en.ts';
import { zhCN } from './i18n/zh-cn.ts';
import { rangeErrorKey } from './range-error.ts';

describe('rangeErrorKey', () => {
  it('says "after" for a date and "above" for a number, never both', () => {
    expect(zhCN[rangeErrorKey('max', 5)].replace('{max}', '5')).toBe('不能大于 5');
    expect(zhCN[rangeErrorKey('max', '2026-06-04')]).toContain('晚于');
    expect(en[rangeErrorKey('max', '2026-06-04')]).toBe('Must be on or before {max}');
    expect(en[rangeErrorKey('min', 1)]).toBe('Must be at least {min}');
    for (const key of [rangeErrorKey('min', 1), rangeErrorKey('max', 1), rangeErrorKey('min', '2026-01-01'), rangeErrorKey('max', '2026-01-01')]) {
      expect(zhCN[key]).not.toMatch(/或/u);
      expect(en[key]).not.toMatch(/ or (above|below)/u);
    }
  });
});

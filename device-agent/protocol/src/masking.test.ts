import { describe, expect, it } from 'vitest';
import { maskAddress, maskIdNumber, maskName, maskPhone } from './masking.ts';

describe('masking', () => {
  it('masks an 18-character ID number as 6 + 8 stars + 4', () => {
    expect(maskIdNumber('11010519491231002X')).toBe('110105********002X');
  });

  it('masks a 15-digit legacy number', () => {
    expect(maskIdNumber('110105491231002')).toBe('110105*****1002');
  });

  it('masks other identifiers keeping at most a third', () => {
    const masked = maskIdNumber('CAN110079070101');
    expect(masked).toHaveLength(15);
    expect(masked.replace(/\*/g, '').length).toBeLessThanOrEqual(5);
  });

  it('masks names by code point, keeping the shape of minority names', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskName('王小明')).toBe('王*明');
    expect(maskName('阿依古丽·买买提')).toBe('阿***·**提');
    expect(maskName('𠮷祥')).toBe('𠮷*');
    expect(maskName('李')).toBe('*');
  });

  it('masks phones and addresses', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskAddress('北京市东城区景山前街4号')).toBe('北京市东城区****');
  });
});

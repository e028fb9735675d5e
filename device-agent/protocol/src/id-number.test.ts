import { describe, expect, it } from 'vitest';
import { checkIdNumber, gb11643CheckChar, isValidIdNumber } from './id-number.ts';

describe('GB 11643 check character', () => {
  it('computes the published example 11010519491231002X', () => {
    // The example number of GB 11643-1999, appendix: check character X.
    expect(gb11643CheckChar('11010519491231002')).toBe('X');
  });

  it('computes digit check characters', () => {
    // 4·7+4·9+0·10+5·5+2·8+4·4+1·2+8·1+8·6+0·3+0·7+1·9+0·10+1·5+0·8+0·4+1·2 = 195; 195 mod 11 = 8 → '4'
    expect(gb11643CheckChar('44052418800101001')).toBe('4');
    // sum 222; 222 mod 11 = 2 → 'X'
    expect(gb11643CheckChar('11010119900307803')).toBe('X');
    // sum 122; 122 mod 11 = 1 → '0'
    expect(gb11643CheckChar('11010519900101001')).toBe('0');
  });

  it('refuses anything but 17 digits', () => {
    expect(gb11643CheckChar('1101051949123100')).toBeUndefined();
    expect(gb11643CheckChar('1101051949123100A')).toBeUndefined();
  });
});

describe('checkIdNumber', () => {
  it('accepts a valid number and derives birth date and sex', () => {
    expect(checkIdNumber('11010519491231002X')).toEqual({ ok: true, birthDate: '1949-12-31', sex: 'female' });
    expect(checkIdNumber('440524188001010014')).toEqual({ ok: true, birthDate: '1880-01-01', sex: 'male' });
  });

  it('takes a lower-case x', () => {
    expect(isValidIdNumber('11010519491231002x')).toBe(true);
  });

  it('detects a wrong check character, a single changed digit and a swap', () => {
    expect(checkIdNumber('110105194912310021')).toEqual({ ok: false, problem: 'checkDigit' });
    expect(checkIdNumber('11010519491231003X').ok).toBe(false);
    expect(checkIdNumber('11001519491231002X').ok).toBe(false);
  });

  it('detects an impossible birth date', () => {
    expect(checkIdNumber('110105194902300021')).toEqual({ ok: false, problem: 'birthDate' });
  });

  it('detects a bad format', () => {
    expect(checkIdNumber('1101051949123100')).toEqual({ ok: false, problem: 'format' });
    expect(checkIdNumber('11010519491231002Y')).toEqual({ ok: false, problem: 'format' });
  });
});

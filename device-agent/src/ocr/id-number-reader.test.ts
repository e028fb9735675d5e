import { describe, expect, it } from 'vitest';
import { checkIdNumber } from '@onevisit/protocol';
import { decideIdNumber, findIdNumbers, normaliseIdRead } from './id-number-reader.ts';

const VALID = '11010119900307061X';
const VALID_DIGIT = '440305198511220846';

describe('ID number decision', () => {
  it('fixtures are valid GB 11643 numbers', () => {
    expect(checkIdNumber(VALID).ok).toBe(true);
    expect(checkIdNumber(VALID_DIGIT).ok).toBe(true);
  });

  it('takes the eng read when it verifies, uppercasing a final x', () => {
    expect(decideIdNumber([{ text: '11010119900307061x', source: 'eng' }, { text: VALID, source: 'chi_sim' }])).toMatchObject({ ok: true, value: VALID, source: 'eng', corrected: false });
  });

  it('falls back to the chi_sim read when the eng read fails the check character', () => {
    const wrong = `${VALID_DIGIT.slice(0, 5)}8${VALID_DIGIT.slice(6)}`;
    expect(decideIdNumber([{ text: wrong, source: 'eng' }, { text: VALID_DIGIT, source: 'chi_sim' }])).toMatchObject({ ok: true, value: VALID_DIGIT, source: 'chi_sim' });
  });

  it('corrects one misread digit when exactly one candidate verifies, and marks it corrected', () => {
    // Position 16 (a 1) misread as 7 by one read and as 4 by the other: only 1 verifies there
    // (one substitution always changes the MOD 11-2 sum, so at most one digit per position fits).
    const a = `${VALID.slice(0, 16)}7X`;
    const b = `${VALID.slice(0, 16)}4X`;
    const decision = decideIdNumber([{ text: a, source: 'eng' }, { text: b, source: 'chi_sim' }]);
    expect(decision).toMatchObject({ ok: true, value: VALID, corrected: true });
    if (decision.ok) expect(decision.confidence).toBeLessThanOrEqual(0.5);
  });

  it('refuses to guess when a single read without confidences fails', () => {
    expect(decideIdNumber([{ text: `${VALID.slice(0, 16)}5X`, source: 'eng' }])).toEqual({ ok: false, problem: 'unreadable' });
  });

  it('uses per-character confidences to pick where to correct a single read', () => {
    const read = `${VALID_DIGIT.slice(0, 16)}1${VALID_DIGIT.slice(17)}`; // a 4 read as 1
    const confidences = Array.from({ length: 18 }, (_, i) => (i === 16 ? 0.2 : 0.95));
    expect(decideIdNumber([{ text: read, source: 'eng', confidences }])).toMatchObject({ ok: true, value: VALID_DIGIT, corrected: true });
  });

  it('rejects reads of the wrong length', () => {
    expect(decideIdNumber([{ text: '1101011990030706', source: 'eng' }])).toEqual({ ok: false, problem: 'unreadable' });
  });
});

describe('ID number text helpers', () => {
  it('maps letters OCR confuses with digits and drops the rest', () => {
    expect(normaliseIdRead(' 11O1Ol 1990 0307 061x ')).toBe('1101011990030706 1X'.replace(' ', ''));
  });

  it('finds 18-character numbers in running text, not in longer digit runs', () => {
    expect(findIdNumbers(`号码：${VALID}，电话 1234567890123456789012`)).toEqual([VALID]);
  });
});

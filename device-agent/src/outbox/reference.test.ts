import { describe, expect, it } from 'vitest';
import {
  chinaDay,
  CONFUSABLE_CHECK_CHARS,
  formatReference,
  isValidReference,
  mod372Check,
  mod372Valid,
  nextReadableSequence,
  parseReference,
  testFillReference,
} from './reference.ts';

const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function references(): string[] {
  const out: string[] = [];
  for (const terminal of ['T0001', 'SZFT12', 'AB', 'Z9Y8X7W6V5U4']) {
    for (const day of ['260123', '261231', '270101']) {
      for (let seq = 0; out.length < 400 && seq < 40; seq = nextReadableSequence(terminal, day, seq)) if (seq > 0) out.push(formatReference(terminal, day, seq));
    }
  }
  return out;
}

describe('reference numbers', () => {
  it('look like terminal-date-sequence-check and verify', () => {
    const ref = formatReference('T0001', '260123', 42);
    expect(ref).toMatch(/^T0001-260123-0042-[0-9A-Z]$/);
    expect(isValidReference(ref)).toBe(true);
    expect(parseReference(ref.toLowerCase().replace(/-/g, ' '))).toEqual({ terminalId: 'T0001', day: '260123', seq: 42, check: ref.slice(-1) });
  });

  it('catch every single-character substitution', () => {
    const missed: string[] = [];
    for (const ref of references()) {
      const compact = ref.replace(/-/g, '');
      for (let i = 0; i < compact.length; i += 1) {
        for (const c of ALNUM) {
          if (c === compact[i]) continue;
          if (mod372Valid(compact.slice(0, i) + c + compact.slice(i + 1))) missed.push(`${ref} @${i}=${c}`);
        }
      }
    }
    expect(missed).toEqual([]);
  });

  it('catch every swap of two adjacent characters (the check character included)', () => {
    const missed: string[] = [];
    let swaps = 0;
    for (const ref of references()) {
      const compact = ref.replace(/-/g, '');
      for (let i = 0; i + 1 < compact.length; i += 1) {
        const a = compact[i] ?? '';
        const b = compact[i + 1] ?? '';
        if (a === b) continue;
        swaps += 1;
        if (mod372Valid(compact.slice(0, i) + b + a + compact.slice(i + 2))) missed.push(`${ref} swap @${i}`);
      }
    }
    expect(swaps).toBeGreaterThan(1000);
    expect(missed).toEqual([]);
  });

  it('never hand out a confusable check character', () => {
    for (const ref of references()) expect(CONFUSABLE_CHECK_CHARS.has(ref.slice(-1))).toBe(false);
    // And the skipping really happens: some raw sequence numbers would have had one.
    const raw = Array.from({ length: 200 }, (_, i) => mod372Check(`T0001260123${String(i + 1).padStart(4, '0')}`));
    expect(raw.some((c) => CONFUSABLE_CHECK_CHARS.has(c))).toBe(true);
  });

  it('use the China date whatever the machine zone', () => {
    expect(chinaDay(Date.parse('2026-01-23T15:59:59Z'))).toBe('260123');
    expect(chinaDay(Date.parse('2026-01-23T16:00:00Z'))).toBe('260124');
  });

  it('grow past four digits rather than wrap', () => {
    expect(formatReference('T0001', '260123', 12345)).toMatch(/^T0001-260123-12345-.$/);
  });

  it('a form update\'s test fill prints one of the real format and width, with sequence 0000, which no application gets (issue 16)', () => {
    const nowMs = Date.parse('2026-12-04T23:30:00+08:00');
    const test = testFillReference('SZFT0012', nowMs);
    const real = formatReference('SZFT0012', chinaDay(nowMs), 1);
    expect(test).toMatch(/^SZFT0012-261204-0000-[0-9A-Z*]$/);
    expect(test).toHaveLength(real.length);
    expect(parseReference(test)).toEqual({ terminalId: 'SZFT0012', day: '261204', seq: 0, check: test.slice(-1) });
    expect(testFillReference('Z9Y8X7W6V5U4', nowMs)).toHaveLength(26); // the longest terminal id: the longest reference
    expect(() => testFillReference('t1', nowMs)).toThrow(RangeError);
  });
});

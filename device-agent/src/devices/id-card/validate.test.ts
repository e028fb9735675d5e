import { describe, expect, it } from 'vitest';
import type { Identity } from '@onevisit/protocol';
import { findSampleIdentity } from './sample-identities.ts';
import { checkCard } from './validate.ts';

function sample(key: string): Identity {
  const s = findSampleIdentity(key);
  if (!s) throw new Error(`no sample ${key}`);
  return structuredClone(s.identity);
}

describe('checkCard', () => {
  it('accepts valid cards, long-term and foreign included', () => {
    for (const key of ['standard', 'checkX', 'minority', 'longAddress', 'longTerm', 'foreign']) {
      expect(checkCard(sample(key), '2026-11-23'), key).toBeUndefined();
    }
  });

  it('rejects an expired card, valid through its last day', () => {
    expect(checkCard(sample('expired'), '2026-11-23')?.errorCode).toBe('cardExpired');
    expect(checkCard(sample('expired'), '2014-06-20')).toBeUndefined();
    expect(checkCard(sample('expired'), '2014-06-21')?.errorCode).toBe('cardExpired');
  });

  it('rejects a wrong check character or a birth date that disagrees with the number', () => {
    const bad = sample('standard');
    bad.idNumber = '110105199003070018';
    expect(checkCard(bad, '2026-11-23')?.errorCode).toBe('invalidIdNumber');
    const mismatch = sample('standard');
    mismatch.birthDate = '1990-03-08';
    expect(checkCard(mismatch, '2026-11-23')?.errorCode).toBe('invalidIdNumber');
  });

  it('rejects a card that is not valid yet', () => {
    expect(checkCard(sample('foreign'), '2023-11-30')?.errorCode).toBe('cardNotYetValid');
  });

  it('never puts personal data in the description', () => {
    const problem = checkCard(sample('expired'), '2026-11-23');
    expect(problem?.errorDescription).not.toMatch(/\d{6}|张伟/);
  });
});

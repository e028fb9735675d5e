import { describe, expect, it } from 'vitest';
import { checkIdNumber, gb11643CheckChar, IdentitySchema, LONG_TERM } from '@onevisit/protocol';
import { SAMPLE_IDENTITIES } from './sample-identities.ts';

describe('sample identities', () => {
  it('all match the identity schema and have distinct keys', () => {
    for (const s of SAMPLE_IDENTITIES) expect(IdentitySchema.safeParse(s.identity).success, s.key).toBe(true);
    expect(new Set(SAMPLE_IDENTITIES.map((s) => s.key)).size).toBe(SAMPLE_IDENTITIES.length);
  });

  it('have valid GB 11643 check characters, matching birth dates and sexes on resident cards', () => {
    for (const { key, identity } of SAMPLE_IDENTITIES) {
      expect(gb11643CheckChar(identity.idNumber.slice(0, 17)), key).toBe(identity.idNumber[17]);
      if (identity.cardType !== 'resident') continue;
      const check = checkIdNumber(identity.idNumber);
      expect(check.ok, key).toBe(true);
      if (!check.ok) continue;
      expect(check.birthDate, key).toBe(identity.birthDate);
      expect(check.sex === 'male' ? '男' : '女', key).toBe(identity.sex);
    }
  });

  it('cover the cases the kiosk must handle', () => {
    const ids = SAMPLE_IDENTITIES.map((s) => s.identity);
    expect(ids.some((i) => i.idNumber.endsWith('X'))).toBe(true);
    expect(ids.some((i) => i.name.includes('·'))).toBe(true);
    expect(ids.some((i) => i.validTo === LONG_TERM)).toBe(true);
    expect(ids.some((i) => i.validTo !== LONG_TERM && i.validTo < '2020-01-01')).toBe(true);
    const foreign = ids.find((i) => i.cardType === 'foreignPermanent');
    expect(foreign?.englishName).toBeTruthy();
    expect(foreign?.address).toBe('');
    expect(foreign?.nation).toMatch(/^[A-Z]{3}$/);
    // GA/T 490: the address field is 70 bytes of UTF-16LE; the long one fills it.
    expect(Math.max(...ids.map((i) => Buffer.byteLength(i.address, 'utf16le')))).toBe(70);
    for (const i of ids) expect(Buffer.from(i.photo, 'base64').length).toBe(1024);
  });
});

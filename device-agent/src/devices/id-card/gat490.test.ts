import { describe, expect, it } from 'vitest';
import { IdentitySchema, type Identity } from '@onevisit/protocol';
import {
  CARD_TYPE_OFFSET,
  decodeCardText,
  encodeCardText,
  FOREIGN_LAYOUT,
  isoDateOf,
  NATION_CODES,
  RESIDENT_LAYOUT,
  SEX_CODES,
} from './gat490.ts';
import { dummyPhoto, findSampleIdentity } from './sample-identities.ts';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const SP = (chars: number): string => '2000'.repeat(chars); // UTF-16LE spaces
const digits = (s: string): string => [...s].map((c) => `3${c}00`).join(''); // ASCII digits in UTF-16LE

/*
 * A resident card's 256 bytes, written by hand from GA/T 490 (UTF-16LE, space padded):
 *   姓名 王小明 (30) | 性别 1 (2) | 民族 01 (4) | 出生 19900307 (16) | 住址 北京市朝阳区建国路88号 (70)
 *   | 公民身份号码 110105199003070017 (36) | 签发机关 北京市公安局朝阳分局 (30)
 *   | 有效期 20160815 (16) - 20360815 (16) | 预留 (36)
 */
const RESIDENT_TEXT_HEX =
  '8b73 0f5c 0e66' + SP(12) + // 王 738B, 小 5C0F, 明 660E
  '3100' + // sex 1 = 男
  '3000 3100' + // nation 01 = 汉
  digits('19900307') +
  '1753 ac4e 025e 1d67 3396 3a53 fa5e fd56 ef8d 3800 3800 f753' + SP(23) + // 北京市朝阳区建国路88号
  digits('110105199003070017') +
  '1753 ac4e 025e 6c51 895b 405c 1d67 3396 0652 405c' + SP(5) + // 北京市公安局朝阳分局
  digits('20160815') +
  digits('20360815') +
  SP(18);

const PHOTO = new Uint8Array(Buffer.from(dummyPhoto(1), 'base64'));

const RESIDENT: Identity = {
  name: '王小明',
  sex: '男',
  nation: '汉',
  birthDate: '1990-03-07',
  address: '北京市朝阳区建国路88号',
  idNumber: '110105199003070017',
  authority: '北京市公安局朝阳分局',
  validFrom: '2016-08-15',
  validTo: '2036-08-15',
  cardType: 'resident',
  photo: dummyPhoto(1),
};

/*
 * A 2017-edition foreign permanent-residence card, by hand from its layout:
 *   英文姓名 (120) | 性别 (2) | 永久居留证号码 (30) | 国籍 (6) | 中文姓名 (30) | 签发 (16) | 终止 (16)
 *   | 出生 (16) | 版本 (4) | 受理机关代码 (8) | 证件类型 I (2) at byte 248 | 预留 (6)
 */
const ascii = (s: string): string => [...s].map((c) => `${c.charCodeAt(0).toString(16).padStart(2, '0')}00`).join('');
const FOREIGN_TEXT_HEX =
  ascii('JOHNSON MARK DAVID') + SP(60 - 18) +
  '3100' + // 男
  ascii('CAN110085031215') + // 15 characters
  ascii('CAN') +
  '6c9a 4b51' + SP(13) + // 马 9A6C, 克 514B
  digits('20170601') +
  digits('20270601') +
  digits('19850312') +
  digits('01') +
  digits('1500') +
  '4900' + // I
  SP(3);

const FOREIGN: Identity = {
  name: '马克',
  englishName: 'JOHNSON MARK DAVID',
  sex: '男',
  nation: 'CAN',
  birthDate: '1985-03-12',
  address: '',
  idNumber: 'CAN110085031215',
  authority: '1500',
  validFrom: '2017-06-01',
  validTo: '2027-06-01',
  cardType: 'foreignPermanent',
  photo: dummyPhoto(7),
};

function sample(key: string): Identity {
  const s = findSampleIdentity(key);
  if (s === undefined) throw new Error(`no sample ${key}`);
  return structuredClone(s.identity);
}

describe('GA/T 490 layouts', () => {
  it('add up to 256 bytes with the flag at byte 248 in both', () => {
    expect(RESIDENT_LAYOUT.reserved.offset + RESIDENT_LAYOUT.reserved.sizeBytes).toBe(256);
    expect(RESIDENT_LAYOUT.address).toEqual({ key: 'address', sizeBytes: 70, offset: 52 });
    expect(RESIDENT_LAYOUT.idNumber.offset).toBe(122);
    expect(CARD_TYPE_OFFSET).toBe(248);
    expect(FOREIGN_LAYOUT.chineseName.offset).toBe(158);
  });

  it('decodes every sex code of GB/T 2261.1', () => {
    expect(SEX_CODES).toEqual({ '0': '未知', '1': '男', '2': '女', '9': '未说明' });
  });

  it('lists the 56 groups of GB 3304, 穿青人, 其他 and 外国血统, without duplicates', () => {
    const codes = Object.keys(NATION_CODES);
    for (let i = 1; i <= 56; i += 1) expect(NATION_CODES[String(i).padStart(2, '0')], String(i)).toBeTruthy();
    expect(codes).toHaveLength(59);
    expect(NATION_CODES['01']).toBe('汉');
    expect(NATION_CODES['56']).toBe('基诺');
    expect(NATION_CODES['59']).toBe('穿青人');
    expect(NATION_CODES['97']).toBe('其他');
    expect(NATION_CODES['98']).toBe('外国血统');
    expect(new Set(Object.values(NATION_CODES)).size).toBe(codes.length);
  });

  it('converts YYYYMMDD to YYYY-MM-DD and rejects non-dates', () => {
    expect(isoDateOf('20000229')).toBe('2000-02-29');
    expect(isoDateOf('19000229')).toBeUndefined();
    expect(isoDateOf('2000022')).toBeUndefined();
  });
});

describe('resident card text', () => {
  it('decodes the hand-written golden bytes', () => {
    const text = hex(RESIDENT_TEXT_HEX);
    expect(text.length).toBe(256);
    expect(decodeCardText(text, PHOTO)).toEqual({ ok: true, identity: RESIDENT });
  });

  it('encodes to the same bytes', () => {
    expect(Buffer.from(encodeCardText(RESIDENT)).toString('hex')).toBe(RESIDENT_TEXT_HEX.replace(/\s+/g, ''));
  });

  it('round-trips a name with ·, a 35-character address, 长期 and an ID ending in X', () => {
    const cases: Identity[] = [sample('minority'), sample('longAddress'), sample('longTerm'), sample('checkX')];
    expect(cases[0]?.name).toContain('·');
    expect(cases[1]?.address).toHaveLength(35);
    expect(cases[2]?.validTo).toBe('长期');
    expect(cases[3]?.idNumber.endsWith('X')).toBe(true);
    for (const identity of cases) {
      const decoded = decodeCardText(encodeCardText(identity), new Uint8Array(Buffer.from(identity.photo, 'base64')));
      expect(decoded).toEqual({ ok: true, identity });
    }
  });

  it('writes 长期 as two characters padded with spaces', () => {
    const text = encodeCardText(sample('longTerm'));
    const validTo = text.subarray(RESIDENT_LAYOUT.validTo.offset, RESIDENT_LAYOUT.validTo.offset + 16);
    expect(Buffer.from(validTo).toString('hex')).toBe('7f951f67' + SP(6));
  });

  it('keeps the photo bytes as they are, in base64', () => {
    const photo = new Uint8Array(1024).map((_, i) => (i * 7) & 0xff);
    const decoded = decodeCardText(hex(RESIDENT_TEXT_HEX), photo);
    expect(decoded.ok && Buffer.from(decoded.identity.photo, 'base64')).toEqual(Buffer.from(photo));
  });

  it('trims NUL padding as well as spaces', () => {
    const text = hex(RESIDENT_TEXT_HEX);
    text.fill(0, 6, 30); // name padded with NULs
    const decoded = decodeCardText(text, PHOTO);
    expect(decoded.ok && decoded.identity.name).toBe('王小明');
  });

  it('decodes an unlisted nation code as 其他, and 穿青人 by its code', () => {
    const text = hex(RESIDENT_TEXT_HEX);
    text.set(hex(digits('59')), RESIDENT_LAYOUT.nation.offset);
    const chuanqing = decodeCardText(text, PHOTO);
    expect(chuanqing.ok && chuanqing.identity.nation).toBe('穿青人');
    text.set(hex(digits('77')), RESIDENT_LAYOUT.nation.offset);
    const other = decodeCardText(text, PHOTO);
    expect(other.ok && other.identity.nation).toBe('其他');
  });

  it('refuses fields that are not what the layout says', () => {
    const badSex = hex(RESIDENT_TEXT_HEX);
    badSex.set(hex(digits('5')), RESIDENT_LAYOUT.sex.offset);
    expect(decodeCardText(badSex, PHOTO)).toEqual({ ok: false, problem: { kind: 'badField', field: 'sex' } });
    const badDate = hex(RESIDENT_TEXT_HEX);
    badDate.set(hex(digits('19901307')), RESIDENT_LAYOUT.birthDate.offset);
    expect(decodeCardText(badDate, PHOTO)).toEqual({ ok: false, problem: { kind: 'badField', field: 'birthDate' } });
    const noName = hex(RESIDENT_TEXT_HEX);
    noName.set(hex(SP(15)), 0);
    expect(decodeCardText(noName, PHOTO)).toEqual({ ok: false, problem: { kind: 'badField', field: 'name' } });
    expect(decodeCardText(hex(RESIDENT_TEXT_HEX).subarray(0, 200), PHOTO)).toEqual({ ok: false, problem: { kind: 'length' } });
  });

  it('refuses to encode what does not fit', () => {
    expect(() => encodeCardText({ ...RESIDENT, address: '一'.repeat(36) })).toThrow(RangeError);
    expect(() => encodeCardText({ ...RESIDENT, nation: '汉族' })).toThrow(RangeError);
    expect(() => encodeCardText({ ...RESIDENT, address: '一'.repeat(35) })).not.toThrow();
  });
});

describe('foreign permanent-residence card text', () => {
  it('decodes the hand-written golden bytes: flag I, English name, nationality as nation', () => {
    const text = hex(FOREIGN_TEXT_HEX);
    expect(text.length).toBe(256);
    expect(text[248]).toBe(0x49);
    const decoded = decodeCardText(text, new Uint8Array(Buffer.from(dummyPhoto(7), 'base64')));
    expect(decoded).toEqual({ ok: true, identity: FOREIGN });
    expect(decoded.ok && IdentitySchema.safeParse(decoded.identity).success).toBe(true);
  });

  it('encodes to the same bytes and round-trips', () => {
    expect(Buffer.from(encodeCardText(FOREIGN)).toString('hex')).toBe(FOREIGN_TEXT_HEX.replace(/\s+/g, ''));
  });

  it('uses the English name when the card has no Chinese name', () => {
    const text = hex(FOREIGN_TEXT_HEX);
    text.set(hex(SP(15)), FOREIGN_LAYOUT.chineseName.offset);
    const decoded = decodeCardText(text, PHOTO);
    expect(decoded.ok && decoded.identity.name).toBe('JOHNSON MARK DAVID');
  });

  it('refuses card types it does not decode (J: residence permit)', () => {
    const text = hex(RESIDENT_TEXT_HEX);
    text.set(hex('4a00'), CARD_TYPE_OFFSET);
    expect(decodeCardText(text, PHOTO)).toEqual({ ok: false, problem: { kind: 'unsupportedCard', flag: 'J' } });
  });
});

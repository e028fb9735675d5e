/**
 * GA/T 490 (居民身份证机读信息规范): the 256 bytes of machine-readable text on a second-generation
 * resident ID card, and the layout of the foreign permanent-residence card (外国人永久居留身份证)
 * that the same readers return in the same 256 bytes. Pure: no I/O.
 *
 * The text is UTF-16LE in fixed-width fields, padded with spaces (20 00). Dates are YYYYMMDD;
 * a resident card's end of validity may instead be `长期` (long-term). Codes (sex, nation) are
 * digits and decoded here to the names printed on the card.
 */
import { Buffer } from 'node:buffer';
import { IdentitySchema, isValidDate, LONG_TERM, type Identity } from '@onevisit/protocol';
import { PHOTO_BYTES, TEXT_BYTES } from './gat467.ts';

interface FieldSpec<K extends string> {
  key: K;
  sizeBytes: number;
}

interface Field<K extends string> extends FieldSpec<K> {
  offset: number;
}

function layout<K extends string>(specs: readonly FieldSpec<K>[]): Record<K, Field<K>> {
  const out = {} as Record<K, Field<K>>;
  let offset = 0;
  for (const spec of specs) {
    out[spec.key] = { ...spec, offset };
    offset += spec.sizeBytes;
  }
  if (offset !== TEXT_BYTES) throw new Error(`GA/T 490 layout adds up to ${offset}, not ${TEXT_BYTES}`);
  return out;
}

/** GA/T 490 resident card (居民身份证) text, in order. */
export const RESIDENT_LAYOUT = layout([
  { key: 'name', sizeBytes: 30 }, // 姓名, 15 characters
  { key: 'sex', sizeBytes: 2 }, // 性别代码, GB/T 2261.1
  { key: 'nation', sizeBytes: 4 }, // 民族代码, GB 3304
  { key: 'birthDate', sizeBytes: 16 }, // 出生日期 YYYYMMDD
  { key: 'address', sizeBytes: 70 }, // 住址, 35 characters
  { key: 'idNumber', sizeBytes: 36 }, // 公民身份号码, GB 11643
  { key: 'authority', sizeBytes: 30 }, // 签发机关
  { key: 'validFrom', sizeBytes: 16 }, // 有效期起始日期 YYYYMMDD
  { key: 'validTo', sizeBytes: 16 }, // 有效期截止日期 YYYYMMDD or 长期
  { key: 'reserved', sizeBytes: 36 }, // 最新住址 / 预留; byte 248 holds the card type flag
] as const);

/**
 * Foreign permanent-residence card (外国人永久居留身份证, 2017 edition) text, as readers return it
 * from 30 01 (公安部《外国人永久居留身份证》机读信息 layout). Its card type flag sits at the same
 * place as in the resident layout (byte 248), which is how a reader tells the two apart.
 */
export const FOREIGN_LAYOUT = layout([
  { key: 'englishName', sizeBytes: 120 }, // 英文姓名, 60 characters
  { key: 'sex', sizeBytes: 2 }, // 性别代码
  { key: 'permitNumber', sizeBytes: 30 }, // 永久居留证号码, 15 characters
  { key: 'nationality', sizeBytes: 6 }, // 国籍代码, GB/T 2659 three letters
  { key: 'chineseName', sizeBytes: 30 }, // 中文姓名
  { key: 'validFrom', sizeBytes: 16 }, // 证件签发日期
  { key: 'validTo', sizeBytes: 16 }, // 证件终止日期
  { key: 'birthDate', sizeBytes: 16 }, // 出生日期
  { key: 'version', sizeBytes: 4 }, // 证件版本号
  { key: 'authorityCode', sizeBytes: 8 }, // 当次申请受理机关代码
  { key: 'cardType', sizeBytes: 2 }, // 证件类型标识 'I'
  { key: 'reserved', sizeBytes: 6 }, // 预留项
] as const);

/** Byte offset of the card type flag (one UTF-16LE character) in both layouts. */
export const CARD_TYPE_OFFSET = FOREIGN_LAYOUT.cardType.offset;
/** `I`: foreign permanent-residence card. A resident card has a space (or NUL) there. */
export const FOREIGN_PERMANENT_FLAG = 'I';
/** `J`: Hong Kong / Macao / Taiwan residents' residence permit (港澳台居民居住证); not supported yet. */
export const HMT_RESIDENCE_PERMIT_FLAG = 'J';

/** GB/T 2261.1 人的性别代码. */
export const SEX_CODES: Readonly<Record<string, string>> = {
  '0': '未知',
  '1': '男',
  '2': '女',
  '9': '未说明',
};

/**
 * GB 3304-1991 中国各民族名称的罗马字母拼写法和代码, with the names as printed on the card
 * (without 族), current names (毛南, not 毛难; 德昂, not 崩龙), plus the codes reader SDKs decode
 * beyond the 56: 59 穿青人 (recorded on Guizhou cards), 97 其他, 98 外国血统 (外国血统中国籍人士).
 */
export const NATION_CODES: Readonly<Record<string, string>> = {
  '01': '汉',
  '02': '蒙古',
  '03': '回',
  '04': '藏',
  '05': '维吾尔',
  '06': '苗',
  '07': '彝',
  '08': '壮',
  '09': '布依',
  '10': '朝鲜',
  '11': '满',
  '12': '侗',
  '13': '瑶',
  '14': '白',
  '15': '土家',
  '16': '哈尼',
  '17': '哈萨克',
  '18': '傣',
  '19': '黎',
  '20': '傈僳',
  '21': '佤',
  '22': '畲',
  '23': '高山',
  '24': '拉祜',
  '25': '水',
  '26': '东乡',
  '27': '纳西',
  '28': '景颇',
  '29': '柯尔克孜',
  '30': '土',
  '31': '达斡尔',
  '32': '仫佬',
  '33': '羌',
  '34': '布朗',
  '35': '撒拉',
  '36': '毛南',
  '37': '仡佬',
  '38': '锡伯',
  '39': '阿昌',
  '40': '普米',
  '41': '塔吉克',
  '42': '怒',
  '43': '乌孜别克',
  '44': '俄罗斯',
  '45': '鄂温克',
  '46': '德昂',
  '47': '保安',
  '48': '裕固',
  '49': '京',
  '50': '塔塔尔',
  '51': '独龙',
  '52': '鄂伦春',
  '53': '赫哲',
  '54': '门巴',
  '55': '珞巴',
  '56': '基诺',
  '59': '穿青人',
  '97': '其他',
  '98': '外国血统',
};

/** What an unlisted (but well-formed) nation code decodes to, as reader SDKs do. */
export const OTHER_NATION = '其他';

const CODE_BY_NATION: ReadonlyMap<string, string> = new Map(Object.entries(NATION_CODES).map(([c, n]) => [n, c]));
const CODE_BY_SEX: ReadonlyMap<string, string> = new Map(Object.entries(SEX_CODES).map(([c, n]) => [n, c]));

// ---------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------

export type TextProblem =
  /** Not 256 bytes of text, or a photo that is not 1024 bytes. */
  | { kind: 'length' }
  /** A card type flag we do not decode (e.g. `J`, a residence permit). */
  | { kind: 'unsupportedCard'; flag: string }
  /** A field that does not hold what the layout says (bad date, unknown sex code...). */
  | { kind: 'badField'; field: string };

export type TextDecode = { ok: true; identity: Identity } | { ok: false; problem: TextProblem };

function readField(text: Uint8Array, field: { offset: number; sizeBytes: number }): string {
  const raw = Buffer.from(text.buffer, text.byteOffset + field.offset, field.sizeBytes).toString('utf16le');
  // Padding is spaces per GA/T 490; some readers (and blank fields) give NULs.
  // eslint-disable-next-line no-control-regex -- NUL padding is what we strip
  return raw.replace(/^[\s\u0000]+|[\s\u0000]+$/g, '');
}

/** YYYYMMDD → YYYY-MM-DD, checking the calendar; undefined when it is not a date. */
export function isoDateOf(yyyymmdd: string): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(yyyymmdd);
  if (m === null) return undefined;
  const iso = `${m[1]}-${m[2]}-${m[3]}`;
  return isValidDate(iso) ? iso : undefined;
}

/** The card type flag at byte 248. */
export function cardTypeFlag(text: Uint8Array): string {
  return readField(text, { offset: CARD_TYPE_OFFSET, sizeBytes: 2 });
}

type Fail = { ok: false; problem: TextProblem };
const bad = (field: string): Fail => ({ ok: false, problem: { kind: 'badField', field } });

/** Decodes the 256 text bytes and keeps the 1024 photo bytes as they are (base64). */
export function decodeCardText(text: Uint8Array, photo: Uint8Array): TextDecode {
  if (text.length !== TEXT_BYTES || photo.length !== PHOTO_BYTES) return { ok: false, problem: { kind: 'length' } };
  const flag = cardTypeFlag(text);
  if (flag === '') return decodeResident(text, photo);
  if (flag === FOREIGN_PERMANENT_FLAG) return decodeForeign(text, photo);
  return { ok: false, problem: { kind: 'unsupportedCard', flag } };
}

function finish(candidate: Identity): TextDecode {
  // Bytes from a device are validated at the boundary (STYLE.md) with the protocol's own schema.
  const parsed = IdentitySchema.safeParse(candidate);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path[0];
    return bad(typeof field === 'string' ? field : 'identity');
  }
  return { ok: true, identity: parsed.data };
}

function decodeResident(text: Uint8Array, photo: Uint8Array): TextDecode {
  const f = (key: keyof typeof RESIDENT_LAYOUT): string => readField(text, RESIDENT_LAYOUT[key]);
  const sex = SEX_CODES[f('sex')];
  if (sex === undefined) return bad('sex');
  const nationCode = f('nation');
  if (!/^\d{2}$/.test(nationCode)) return bad('nation');
  const birthDate = isoDateOf(f('birthDate'));
  if (birthDate === undefined) return bad('birthDate');
  const validFrom = isoDateOf(f('validFrom'));
  if (validFrom === undefined) return bad('validFrom');
  const rawValidTo = f('validTo');
  const validTo = rawValidTo === LONG_TERM ? LONG_TERM : isoDateOf(rawValidTo);
  if (validTo === undefined) return bad('validTo');
  return finish({
    name: f('name'),
    sex,
    nation: NATION_CODES[nationCode] ?? OTHER_NATION,
    birthDate,
    address: f('address'),
    idNumber: f('idNumber').toUpperCase(),
    authority: f('authority'),
    validFrom,
    validTo,
    cardType: 'resident',
    photo: Buffer.from(photo).toString('base64'),
  });
}

function decodeForeign(text: Uint8Array, photo: Uint8Array): TextDecode {
  const f = (key: keyof typeof FOREIGN_LAYOUT): string => readField(text, FOREIGN_LAYOUT[key]);
  const sex = SEX_CODES[f('sex')];
  if (sex === undefined) return bad('sex');
  const nationality = f('nationality');
  if (!/^[A-Z]{3}$/.test(nationality)) return bad('nationality');
  const birthDate = isoDateOf(f('birthDate'));
  if (birthDate === undefined) return bad('birthDate');
  const validFrom = isoDateOf(f('validFrom'));
  if (validFrom === undefined) return bad('validFrom');
  const validTo = isoDateOf(f('validTo'));
  if (validTo === undefined) return bad('validTo');
  const englishName = f('englishName');
  const chineseName = f('chineseName');
  return finish({
    // Not every holder has a Chinese name; the English one is then the name on the card.
    name: chineseName === '' ? englishName : chineseName,
    englishName,
    sex,
    nation: nationality,
    birthDate,
    address: '',
    idNumber: f('permitNumber').toUpperCase(),
    // The card holds the code of the accepting authority (e.g. 1500 = 公安部), not a name.
    authority: f('authorityCode'),
    validFrom,
    validTo,
    cardType: 'foreignPermanent',
    photo: Buffer.from(photo).toString('base64'),
  });
}

// ---------------------------------------------------------------------------------------------
// Encoding (for the emulator and test fixtures). Throws on what it cannot encode (STYLE.md).
// ---------------------------------------------------------------------------------------------

function writeField(out: Uint8Array, field: { key: string; offset: number; sizeBytes: number }, value: string): void {
  const bytes = Buffer.from(value, 'utf16le');
  if (bytes.length > field.sizeBytes) {
    throw new RangeError(`GA/T 490 field ${field.key} holds ${field.sizeBytes / 2} characters, got ${value.length}`);
  }
  out.set(bytes, field.offset);
  for (let i = field.offset + bytes.length; i < field.offset + field.sizeBytes; i += 2) {
    out[i] = 0x20;
    out[i + 1] = 0x00;
  }
}

const compact = (iso: string): string => iso.replaceAll('-', '');

function codeOf(map: ReadonlyMap<string, string>, value: string, what: string): string {
  const code = map.get(value);
  if (code === undefined) throw new RangeError(`GA/T 490: no ${what} code for this value`);
  return code;
}

/** 1024 photo bytes from an identity's base64 (zero-filled when empty). */
export function photoBytesOf(identity: Identity): Uint8Array {
  const bytes = Buffer.from(identity.photo, 'base64');
  if (bytes.length === 0) return new Uint8Array(PHOTO_BYTES);
  if (bytes.length !== PHOTO_BYTES) throw new RangeError(`photo must be ${PHOTO_BYTES} bytes, got ${bytes.length}`);
  return new Uint8Array(bytes);
}

/** The 256 text bytes of a card holding this identity. */
export function encodeCardText(identity: Identity): Uint8Array {
  const out = new Uint8Array(TEXT_BYTES);
  if (identity.cardType === 'resident') {
    const L = RESIDENT_LAYOUT;
    writeField(out, L.name, identity.name);
    writeField(out, L.sex, codeOf(CODE_BY_SEX, identity.sex, 'sex'));
    writeField(out, L.nation, codeOf(CODE_BY_NATION, identity.nation, 'nation'));
    writeField(out, L.birthDate, compact(identity.birthDate));
    writeField(out, L.address, identity.address);
    writeField(out, L.idNumber, identity.idNumber);
    writeField(out, L.authority, identity.authority);
    writeField(out, L.validFrom, compact(identity.validFrom));
    writeField(out, L.validTo, identity.validTo === LONG_TERM ? LONG_TERM : compact(identity.validTo));
    writeField(out, L.reserved, '');
    return out;
  }
  const L = FOREIGN_LAYOUT;
  const englishName = identity.englishName ?? '';
  writeField(out, L.englishName, englishName);
  writeField(out, L.sex, codeOf(CODE_BY_SEX, identity.sex, 'sex'));
  writeField(out, L.permitNumber, identity.idNumber);
  writeField(out, L.nationality, identity.nation);
  writeField(out, L.chineseName, identity.name === englishName ? '' : identity.name);
  writeField(out, L.validFrom, compact(identity.validFrom));
  if (identity.validTo === LONG_TERM) throw new RangeError('a foreign permanent-residence card has an end date');
  writeField(out, L.validTo, compact(identity.validTo));
  writeField(out, L.birthDate, compact(identity.birthDate));
  writeField(out, L.version, '01');
  writeField(out, L.authorityCode, identity.authority);
  writeField(out, L.cardType, FOREIGN_PERMANENT_FLAG);
  writeField(out, L.reserved, '');
  return out;
}

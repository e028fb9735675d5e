import type { DivisionLevel } from '../address-divisions.ts';

/** Keys the address picker builds from closed sets: each must have a text. */
type AddressComputedKeys = `address.level.${DivisionLevel}`;

/**
 * Texts of the address picker (issue 10, 选择省市区), zh-CN: the source of the `address.*` keys;
 * address.en.ts must have the same keys. Loaded with the application chunk (address-texts.ts).
 */
export const addressZhCN = {
  'address.pick': '选择省市区',
  'address.for': '{field}：选择省市区',
  'address.level.province': '请选择省、自治区、直辖市',
  'address.level.city': '请选择城市',
  'address.level.district': '请选择区、县',
  'address.level.street': '请选择街道、乡镇（也可不选）',
  'address.then': '选好后，用键盘接着填写路名和门牌号。',
  'address.chosen': '已选择：',
  'address.noneChosen': '尚未选择',
  'address.choices': '可选地区',
  'address.back': '上一步',
  'address.cancel': '取消',
  'address.noStreet': '不选街道，继续填写',
  'address.loading': '正在打开地区列表…',
  'address.unavailable': '地区列表暂时无法打开，请直接用键盘填写地址。',
} as const satisfies Record<AddressComputedKeys, string> & Record<`address.${string}`, string>;

export type AddressDictionary = { readonly [K in keyof typeof addressZhCN]: string };

import type { TextSize, Theme } from '../state/accessibility.svelte.ts';

/** Keys the accessibility controls build from closed sets: each must have a text. */
type A11yComputedKeys = `a11y.size.${TextSize}` | `a11y.theme.${Theme}`;

/** Elder mode, text size, contrast and read-aloud (issue 17). */
export const a11yZhCN = {
  'a11y.elder': '长辈模式',
  'a11y.readAloud': '朗读',
  'a11y.elderOn': '长辈模式已开启',
  'a11y.settings': '显示设置',
  'a11y.settingsTitle': '显示设置',
  'a11y.sizeLabel': '文字大小',
  'a11y.size.standard': '标准',
  'a11y.size.large': '大',
  'a11y.size.xlarge': '特大',
  'a11y.themeLabel': '对比度',
  'a11y.theme.standard': '标准配色',
  'a11y.theme.darkOnLight': '白底黑字',
  'a11y.theme.lightOnDark': '黑底白字',
  'a11y.close': '完成',
  'a11y.moreTime': '我需要更多时间',
  'a11y.elder.homeTitle': '您想办什么事？请点一下',
  'a11y.elder.moreServices': '更多业务',
  'a11y.elder.mainServices': '常用业务',
} as const satisfies Record<A11yComputedKeys, string> & Record<string, string>;

export type A11yMessageKey = keyof typeof a11yZhCN;
export type A11yDictionary = { readonly [K in A11yMessageKey]: string };

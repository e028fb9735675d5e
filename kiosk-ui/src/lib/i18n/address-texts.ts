import { addTexts } from './i18n.svelte.ts';
import { addressEn } from './address.en.ts';
import { addressZhCN } from './address.zh-cn.ts';

/** Imported by the application's address fields and picker: their texts load with the application chunk. */
addTexts({ 'zh-CN': addressZhCN, en: addressEn });

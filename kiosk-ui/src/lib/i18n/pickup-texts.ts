import { addTexts } from './i18n.svelte.ts';
import { pickupEn } from './pickup.en.ts';
import { pickupZhCN } from './pickup.zh-cn.ts';

/** Imported by the pickup screens (citizen, staff cabinet, dev dock section): their texts load with their chunk. */
addTexts({ 'zh-CN': pickupZhCN, en: pickupEn });

import { addTexts } from './i18n.svelte.ts';
import { staffEn } from './staff.en.ts';
import { staffZhCN } from './staff.zh-cn.ts';

/** Imported by the staff screens: their texts load with their chunk, not with the citizen's first screen. */
addTexts({ 'zh-CN': staffZhCN, en: staffEn });

import { addTexts } from './i18n.svelte.ts';
import { progressEn } from './progress.en.ts';
import { progressZhCN } from './progress.zh-cn.ts';

/** Imported by the progress screens: their texts load with their chunk, not with the first screen. */
addTexts({ 'zh-CN': progressZhCN, en: progressEn });

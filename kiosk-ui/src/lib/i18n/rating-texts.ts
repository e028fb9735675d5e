import { addTexts } from './i18n.svelte.ts';
import { ratingEn } from './rating.en.ts';
import { ratingZhCN } from './rating.zh-cn.ts';

/** Imported by the rating screens: their texts load with the chunk of the journey that offers a rating. */
addTexts({ 'zh-CN': ratingZhCN, en: ratingEn });

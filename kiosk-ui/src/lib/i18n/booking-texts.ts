import { addTexts } from './i18n.svelte.ts';
import { bookingEn } from './booking.en.ts';
import { bookingZhCN } from './booking.zh-cn.ts';

/** Imported by the booking screens: their texts load with their chunk, not with the first screen. */
addTexts({ 'zh-CN': bookingZhCN, en: bookingEn });

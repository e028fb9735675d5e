import { en } from './en.ts';
import { zhCN, type Dictionary, type MessageKey } from './zh-cn.ts';
import { format, type MessageParams } from './format.ts';

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/** A part of the texts loaded later with its screens, in both languages. */
export type TextPart = Readonly<Record<Locale, Readonly<Partial<Record<MessageKey, string>>>>>;

/**
 * The core texts ship with the first screen; parts (staff mode) are added by their screens' chunks before
 * they render, so the citizen's first load carries none of them.
 */
const dictionaries: Record<Locale, Partial<Record<MessageKey, string>>> = { 'zh-CN': { ...zhCN }, en: { ...en } };

/** Adds a part's texts; called once by the module that holds them, before any of its screens renders. */
export function addTexts(part: TextPart): void {
  for (const locale of LOCALES) Object.assign(dictionaries[locale], part[locale]);
}

/**
 * The one i18n system of the kiosk. Chinese first; English by the switch on every screen.
 * `t` reads `locale`, so every template that calls it re-renders when the language changes.
 * A key whose part has not loaded shows as the key itself: a visible bug, never a blank or a crash.
 */
export class I18n {
  locale = $state<Locale>('zh-CN');

  readonly t = (key: MessageKey, params?: MessageParams): string => format(dictionaries[this.locale][key] ?? key, params);

  toggle(): void {
    this.locale = this.locale === 'zh-CN' ? 'en' : 'zh-CN';
  }

  /** Each citizen starts in Chinese. */
  reset(): void {
    this.locale = 'zh-CN';
  }
}

export type { Dictionary, MessageKey, MessageParams };

import { en } from './en.ts';
import { zhCN, type Dictionary, type MessageKey } from './zh-cn.ts';
import { format, type MessageParams } from './format.ts';

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

const dictionaries: Readonly<Record<Locale, Dictionary>> = { 'zh-CN': zhCN, en };

/**
 * The one i18n system of the kiosk. Chinese first; English by the switch on every screen.
 * `t` reads `locale`, so every template that calls it re-renders when the language changes.
 */
export class I18n {
  locale = $state<Locale>('zh-CN');

  readonly t = (key: MessageKey, params?: MessageParams): string => format(dictionaries[this.locale][key], params);

  toggle(): void {
    this.locale = this.locale === 'zh-CN' ? 'en' : 'zh-CN';
  }

  /** Each citizen starts in Chinese. */
  reset(): void {
    this.locale = 'zh-CN';
  }
}

export type { MessageKey, MessageParams };

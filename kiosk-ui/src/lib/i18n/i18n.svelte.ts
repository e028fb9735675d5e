import { en } from './en.ts';
import { zhCN, type Dictionary, type MessageKey } from './zh-cn.ts';

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

const dictionaries: Readonly<Record<Locale, Dictionary>> = { 'zh-CN': zhCN, en };

export type MessageParams = Readonly<Record<string, string | number>>;

/** Fills `{name}` placeholders; an unknown placeholder stays visible so a missing param is noticed. */
export function format(template: string, params?: MessageParams): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

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

export type { MessageKey };

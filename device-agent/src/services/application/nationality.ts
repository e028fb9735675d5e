import countries from 'i18n-iso-countries';
import zh from 'i18n-iso-countries/langs/zh.json' with { type: 'json' };
import en from 'i18n-iso-countries/langs/en.json' with { type: 'json' };

/**
 * A foreign permanent-residence card carries the holder's nationality as a three-letter code
 * (GA/T 490 foreign variant). GB/T 2659-2000 is the national adoption of ISO 3166-1, so its
 * alpha-3 codes and Chinese short names are those of ISO 3166-1, which i18n-iso-countries
 * maintains in both languages.
 */
countries.registerLocale(zh);
countries.registerLocale(en);

export type NationalityName = { 'zh-CN': string; en: string };

/** `CAN` → 加拿大 / Canada; undefined for a code that is not a country of GB/T 2659. */
export function nationalityName(alpha3: string): NationalityName | undefined {
  const code = alpha3.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(code) || !countries.isValid(code)) return undefined;
  const zhName = countries.getName(code, 'zh');
  const enName = countries.getName(code, 'en');
  if (zhName === undefined || enName === undefined) return undefined;
  return { 'zh-CN': zhName, en: enName };
}

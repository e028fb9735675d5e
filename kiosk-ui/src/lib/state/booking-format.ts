import type { Locale } from '../i18n/i18n.svelte.ts';
import { clockTime } from './booking-calendar.ts';

/**
 * Dates and times of the booking screens in the citizen's language. Dates are `YYYY-MM-DD` of
 * Asia/Shanghai; they are formatted as UTC midnights so the browser's own zone never shifts a day.
 */

type DateStyle = 'short' | 'long' | 'full';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: Locale, style: DateStyle): Intl.DateTimeFormat {
  const key = `${locale}|${style}`;
  let found = formatters.get(key);
  if (!found) {
    const options: Intl.DateTimeFormatOptions =
      style === 'short'
        ? { timeZone: 'UTC', month: 'short', day: 'numeric' }
        : style === 'long'
          ? { timeZone: 'UTC', month: 'long', day: 'numeric', weekday: 'short' }
          : { timeZone: 'UTC', year: 'numeric', month: 'long', day: 'numeric', weekday: 'long' };
    found = new Intl.DateTimeFormat(locale === 'zh-CN' ? 'zh-CN' : 'en-GB', options);
    formatters.set(key, found);
  }
  return found;
}

/** `2026-10-08` → `10月8日周四` / `Thu 8 October` (long), with the year (full), or `10月8日` / `8 Oct` (short). */
export function formatDate(locale: Locale, date: string, style: DateStyle = 'long'): string {
  const ms = Date.parse(`${date}T00:00:00Z`);
  return Number.isNaN(ms) ? date : formatter(locale, style).format(ms);
}

const monthFormatters = new Map<Locale, Intl.DateTimeFormat>();

/** `2026-11-30` → `11月` / `Nov`: the month shown above a calendar's day number. */
export function formatMonth(locale: Locale, date: string): string {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms)) return date;
  let found = monthFormatters.get(locale);
  if (!found) {
    found = new Intl.DateTimeFormat(locale === 'zh-CN' ? 'zh-CN' : 'en-GB', { timeZone: 'UTC', month: 'short' });
    monthFormatters.set(locale, found);
  }
  return found.format(ms);
}

/** `09:00–09:30`. */
export function formatTimeRange(start: string, end: string): string {
  return `${clockTime(start)}–${clockTime(end)}`;
}

/** `2026-10-08T07:00:00+08:00` → `10月8日周四 07:00`. */
export function formatMoment(locale: Locale, isoInstant: string): string {
  return `${formatDate(locale, isoInstant.slice(0, 10))} ${clockTime(isoInstant)}`;
}

/**
 * Date and time arithmetic in Asia/Shanghai (UTC+08:00, no daylight saving since 1991): the one
 * place the agent, the forms library and the UI compute calendar days and write instants.
 *
 * Everything works on epoch milliseconds and on `YYYY-MM-DD` strings with UTC
 * methods only, shifted by a fixed +8 h, so the result never depends on the
 * process's (or the browser's) time zone. Nothing here calls `Date.now()`: "now" is
 * the agent's clock (`--clock` in dev), and the UI derives it from `agent.time`.
 */

export const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date `YYYY-MM-DD` that really exists (2026-02-30 does not). */
export function isValidDate(date: string): boolean {
  const m = DATE_RE.exec(date);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(y, mo - 1, d));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === mo - 1 && probe.getUTCDate() === d;
}

function parseDate(date: string): { y: number; m: number; d: number } {
  const m = DATE_RE.exec(date);
  if (!m || !isValidDate(date)) throw new Error(`not a calendar date: ${date}`);
  return { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) };
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function formatUtcDate(d: Date): string {
  return `${String(d.getUTCFullYear()).padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
}

/** The Shanghai calendar date of an instant. */
export function shanghaiDate(ms: number): string {
  return formatUtcDate(new Date(ms + SHANGHAI_OFFSET_MS));
}

/** Minutes since Shanghai midnight of an instant (0..1439). */
export function shanghaiMinuteOfDay(ms: number): number {
  const shifted = new Date(ms + SHANGHAI_OFFSET_MS);
  return shifted.getUTCHours() * 60 + shifted.getUTCMinutes();
}

/** The instant of `date` at `minutes` after Shanghai midnight. */
export function shanghaiInstant(date: string, minutes = 0): number {
  const { y, m, d } = parseDate(date);
  return Date.UTC(y, m - 1, d) - SHANGHAI_OFFSET_MS + minutes * MINUTE_MS;
}

/** `date` plus `days` calendar days (negative goes back); month and year boundaries included. */
export function addDays(date: string, days: number): string {
  const { y, m, d } = parseDate(date);
  return formatUtcDate(new Date(Date.UTC(y, m - 1, d + days)));
}

/** Whole calendar days from `a` to `b` (b − a). */
export function daysBetween(a: string, b: string): number {
  const pa = parseDate(a);
  const pb = parseDate(b);
  return Math.round((Date.UTC(pb.y, pb.m - 1, pb.d) - Date.UTC(pa.y, pa.m - 1, pa.d)) / DAY_MS);
}

/** 0 = Sunday … 6 = Saturday, as in `Date#getDay`, but of the calendar date itself. */
export function weekdayOf(date: string): number {
  const { y, m, d } = parseDate(date);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

export function yearOf(date: string): number {
  return parseDate(date).y;
}

/** ISO-8601 with the Shanghai offset: `2026-11-23T09:00:00+08:00`. */
export function formatShanghaiIso(ms: number): string {
  const s = new Date(ms + SHANGHAI_OFFSET_MS);
  return `${formatUtcDate(s)}T${pad2(s.getUTCHours())}:${pad2(s.getUTCMinutes())}:${pad2(s.getUTCSeconds())}+08:00`;
}

/** ISO-8601 with milliseconds and the Shanghai offset: `2026-11-23T09:00:00.000+08:00`. */
export function formatShanghaiIsoMs(ms: number): string {
  return `${new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, -1)}+08:00`;
}

/** `HH:MM` of an instant in Shanghai. */
export function formatShanghaiTime(ms: number): string {
  const minutes = shanghaiMinuteOfDay(ms);
  return `${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}`;
}

const ISO_RE = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses an ISO-8601 instant that carries an explicit offset (`+08:00`, `Z`, …).
 * A string without an offset is refused: it would mean the process's TZ.
 */
export function parseIsoInstant(text: string): number | undefined {
  const m = ISO_RE.exec(text);
  if (!m) return undefined;
  const [, date, hh, mm, ss, frac, zone] = m;
  if (date === undefined || !isValidDate(date) || zone === undefined) return undefined;
  const hours = Number(hh);
  const minutes = Number(mm);
  const seconds = ss === undefined ? 0 : Number(ss);
  if (hours > 23 || minutes > 59 || seconds > 59) return undefined;
  const millis = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 14 || om > 59) return undefined;
    offsetMinutes = sign * (oh * 60 + om);
  }
  const { y, m: mo, d } = parseDate(date);
  return Date.UTC(y, mo - 1, d, hours, minutes, seconds, millis) - offsetMinutes * MINUTE_MS;
}

/** `HH:MM` → minutes after midnight. */
export function parseClockTime(text: string): number {
  const m = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(text);
  if (!m) throw new Error(`not a clock time: ${text}`);
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  if (minutes > 24 * 60) throw new Error(`not a clock time: ${text}`);
  return minutes;
}

/** UTC basic format for iCalendar: `20261123T010000Z`. */
export function formatIcsUtc(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getUTCFullYear()).padStart(4, '0')}${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}T${pad2(d.getUTCHours())}${pad2(d.getUTCMinutes())}${pad2(d.getUTCSeconds())}Z`;
}

/** Shanghai local basic format for iCalendar with TZID: `20261123T090000`. */
export function formatIcsLocal(ms: number): string {
  const s = new Date(ms + SHANGHAI_OFFSET_MS);
  return `${String(s.getUTCFullYear()).padStart(4, '0')}${pad2(s.getUTCMonth() + 1)}${pad2(s.getUTCDate())}T${pad2(s.getUTCHours())}${pad2(s.getUTCMinutes())}${pad2(s.getUTCSeconds())}`;
}

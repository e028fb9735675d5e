import type { BookingRecord } from '../../store/booking-store.ts';
import type { BookingViewStatus } from './rules.ts';
import { formatIcsLocal, formatIcsUtc, formatShanghaiIso } from '@onevisit/protocol';

/** One booking as the hall's queue system sees it: masked name only, no person key. */
export interface ExportRow {
  readonly code: string;
  readonly date: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly serviceId: string;
  readonly serviceName: string;
  readonly windowId: string;
  readonly windowName: string;
  readonly maskedName: string;
  readonly status: BookingViewStatus;
  readonly updatedMs: number;
}

export function exportRowOf(
  record: BookingRecord,
  names: { serviceName: string; windowName: string },
  status: BookingViewStatus,
): ExportRow {
  return {
    code: record.code,
    date: record.date,
    startMs: record.startMs,
    endMs: record.endMs,
    serviceId: record.serviceId,
    serviceName: names.serviceName,
    windowId: record.windowId,
    windowName: names.windowName,
    maskedName: record.maskedName,
    status,
    updatedMs: record.updatedMs,
  };
}

/** RFC 4180: a field is quoted when it holds a comma, quote, CR or LF; quotes double. */
function csvField(value: string): string {
  // A leading =, +, - or @ would run as a formula in a spreadsheet: quote it with a leading apostrophe.
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const CSV_HEADER = ['code', 'date', 'start', 'end', 'service_id', 'service_name', 'window_id', 'window_name', 'masked_name', 'status'] as const;

/** RFC 4180 CSV, UTF-8, CRLF line ends, a header row; times ISO-8601 with +08:00. */
export function toCsv(rows: readonly ExportRow[]): string {
  const lines = [CSV_HEADER.join(',')];
  for (const r of rows) {
    lines.push(
      [r.code, r.date, formatShanghaiIso(r.startMs), formatShanghaiIso(r.endMs), r.serviceId, r.serviceName, r.windowId, r.windowName, r.maskedName, r.status]
        .map(csvField)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** RFC 5545 §3.3.11 TEXT escaping. */
function icsText(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r\n|\r|\n/g, '\\n');
}

/**
 * RFC 5545 §3.1 folding: lines longer than 75 octets are split with CRLF and one space,
 * never inside a UTF-8 sequence (a Chinese character is 3 octets, some 4).
 */
export function foldIcsLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch, 'utf8');
    // The first line holds 75 octets; continuation lines 74 plus the leading space.
    const limit = out.length === 0 ? 75 : 74;
    if (octets + size > limit) {
      out.push(current);
      current = '';
      octets = 0;
    }
    current += ch;
    octets += size;
  }
  out.push(current);
  return out.join('\r\n ');
}

export interface IcsOptions {
  readonly hallName: string;
  readonly terminalId: string;
  readonly nowMs: number;
}

const ICS_STATUS: Record<BookingViewStatus, string> = {
  booked: 'CONFIRMED',
  checkedIn: 'CONFIRMED',
  noShow: 'CONFIRMED',
  cancelled: 'CANCELLED',
};

/**
 * RFC 5545 iCalendar: one VEVENT per booking, times with TZID=Asia/Shanghai and a
 * VTIMEZONE for it (fixed +08:00, no daylight saving), UID stable per booking code.
 */
export function toIcs(rows: readonly ExportRow[], options: IcsOptions): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//OneVisit//Booking export//ZH',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${icsText(options.hallName)}`,
    'BEGIN:VTIMEZONE',
    'TZID:Asia/Shanghai',
    'BEGIN:STANDARD',
    'DTSTART:19700101T000000',
    'TZOFFSETFROM:+0800',
    'TZOFFSETTO:+0800',
    'TZNAME:CST',
    'END:STANDARD',
    'END:VTIMEZONE',
  ];
  const stamp = formatIcsUtc(options.nowMs);
  for (const r of rows) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:${r.code}@${icsText(options.terminalId)}.onevisit`,
      `DTSTAMP:${stamp}`,
      `LAST-MODIFIED:${formatIcsUtc(r.updatedMs)}`,
      `DTSTART;TZID=Asia/Shanghai:${formatIcsLocal(r.startMs)}`,
      `DTEND;TZID=Asia/Shanghai:${formatIcsLocal(r.endMs)}`,
      `SUMMARY:${icsText(`${r.serviceName} ${r.code} ${r.maskedName}`)}`,
      `LOCATION:${icsText(r.windowName)}`,
      `DESCRIPTION:${icsText(`预约码 ${r.code}；办理事项 ${r.serviceName}；窗口 ${r.windowName}；姓名 ${r.maskedName}；状态 ${r.status}`)}`,
      `CATEGORIES:${icsText(r.serviceId)}`,
      `STATUS:${ICS_STATUS[r.status]}`,
      `X-ONEVISIT-STATUS:${r.status}`,
      `X-ONEVISIT-WINDOW:${icsText(r.windowId)}`,
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return `${lines.map(foldIcsLine).join('\r\n')}\r\n`;
}

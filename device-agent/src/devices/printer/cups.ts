import type { DeviceStatus } from '@onevisit/protocol';

/**
 * Pure parts of the CUPS driver: reading what `lp` and `ipptool -c` print, and turning IPP
 * printer and job states into our status and results. No I/O.
 *
 * IPP references: RFC 8011 5.4.11 printer-state (idle 3, processing 4, stopped 5),
 * 5.4.12 printer-state-reasons (keywords with -report/-warning/-error suffixes),
 * 5.3.7 job-state (pending 3, pending-held 4, processing 5, processing-stopped 6, canceled 7,
 * aborted 8, completed 9). ipptool prints the keyword names.
 */

/** `request id is OneVisitPDF-12 (1 file(s))` → `OneVisitPDF-12`. */
export function parseLpJobId(stdout: string): string | undefined {
  return /request id is (\S+-\d+)/.exec(stdout)?.[1];
}

/** The numeric part of a CUPS job id `QUEUE-N`. */
export function jobNumber(jobId: string): number | undefined {
  const m = /-(\d+)$/.exec(jobId);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/** Parses ipptool's `-c` output: a header row and one row per response, RFC 4180 quoting. */
export function parseIpptoolCsv(text: string): Record<string, string>[] {
  const rows = text
    .split(/\r?\n/)
    .filter((l) => l.length > 0)
    .map(parseCsvLine);
  const [header, ...data] = rows;
  if (!header) return [];
  return data.map((row) => Object.fromEntries(header.map((h, i) => [h, row[i] ?? ''])));
}

function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i] ?? '';
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

export const JOB_STATES = ['pending', 'pending-held', 'processing', 'processing-stopped', 'canceled', 'aborted', 'completed'] as const;
export type JobState = (typeof JOB_STATES)[number];

export type JobInfo = { state: JobState; reasons: string[]; impressionsCompleted: number | undefined };

export function parseJobInfo(row: Record<string, string> | undefined): JobInfo | undefined {
  const state = row?.['job-state'];
  if (row === undefined || !isJobState(state)) return undefined;
  const impressions = Number.parseInt(row['job-impressions-completed'] ?? '', 10);
  return { state, reasons: splitReasons(row['job-state-reasons']), impressionsCompleted: Number.isFinite(impressions) ? impressions : undefined };
}

function isJobState(value: string | undefined): value is JobState {
  return (JOB_STATES as readonly string[]).includes(value ?? '');
}

export type PrinterInfo = { state: 'idle' | 'processing' | 'stopped'; reasons: string[]; accepting: boolean };

export function parsePrinterInfo(row: Record<string, string> | undefined): PrinterInfo | undefined {
  const state = row?.['printer-state'];
  if (row === undefined || (state !== 'idle' && state !== 'processing' && state !== 'stopped')) return undefined;
  return { state, reasons: splitReasons(row['printer-state-reasons']), accepting: row['printer-is-accepting-jobs'] === 'true' };
}

function splitReasons(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r.length > 0 && r !== 'none');
}

/** The condition we care about, from printer-state-reasons (suffix stripped), worst first. */
export type A4Condition = 'online' | 'busy' | 'paperLow' | 'paperOut' | 'coverOpen' | 'paperJam' | 'offline' | 'paused' | 'hardwareFault' | 'notFound';

const REASON_CONDITIONS: readonly [RegExp, A4Condition][] = [
  [/^media-jam$/, 'paperJam'],
  [/^(cover-open|door-open|interlock-open)$/, 'coverOpen'],
  [/^(media-empty|media-needed|input-tray-missing)$/, 'paperOut'],
  [/^(offline-report|offline|connecting-to-device|shutdown|timed-out|other)$/, 'offline'],
  [/^(toner-empty|marker-supply-empty|fuser-over-temp|fuser-under-temp|cups-missing-filter|cups-insecure-filter)$/, 'hardwareFault'],
  [/^(media-low|toner-low|marker-supply-low)$/, 'paperLow'],
];

export function printerCondition(info: PrinterInfo | undefined): A4Condition {
  if (info === undefined) return 'notFound';
  const severe = new Set<A4Condition>();
  for (const raw of info.reasons) {
    const severity = /-(error|warning|report)$/.exec(raw)?.[1] ?? 'error';
    const reason = raw.replace(/-(error|warning|report)$/, '');
    for (const [re, condition] of REASON_CONDITIONS) {
      if (!re.test(reason)) continue;
      // A low supply is a warning at most; anything else counts when it is an error, or when the
      // printer has stopped because of it.
      if (condition === 'paperLow' || severity === 'error' || info.state === 'stopped') severe.add(condition);
    }
  }
  for (const c of ['paperJam', 'coverOpen', 'paperOut', 'hardwareFault', 'offline'] as const) if (severe.has(c)) return c;
  if (info.state === 'stopped' || !info.accepting) return info.reasons.includes('paused') || !info.accepting ? 'paused' : 'offline';
  if (severe.has('paperLow')) return 'paperLow';
  return info.state === 'processing' ? 'busy' : 'online';
}

export function a4Status(condition: A4Condition, since: string): DeviceStatus {
  const base = { device: 'printer' as const, driver: 'cups', since };
  switch (condition) {
    case 'online':
      return { ...base, state: 'online', attention: 'none', reason: 'ok' };
    case 'busy':
      return { ...base, state: 'busy', attention: 'none', reason: 'ok' };
    case 'paperLow':
      return { ...base, state: 'online', attention: 'clear', reason: 'paperLow' };
    case 'paperOut':
      return { ...base, state: 'fault', attention: 'clear', reason: 'paperOut' };
    case 'coverOpen':
      return { ...base, state: 'fault', attention: 'clear', reason: 'coverOpen' };
    case 'paperJam':
      return { ...base, state: 'fault', attention: 'clear', reason: 'paperJam' };
    case 'hardwareFault':
      return { ...base, state: 'fault', attention: 'maintenance', reason: 'hardwareFault' };
    case 'offline':
      return { ...base, state: 'offline', attention: 'maintenance', reason: 'noResponse' };
    case 'paused':
      // Stopped by an administrator (cupsdisable / reject): staff re-enable the queue.
      return { ...base, state: 'offline', attention: 'maintenance', reason: 'disconnected' };
    case 'notFound':
      return { ...base, state: 'offline', attention: 'maintenance', reason: 'notConfigured' };
    default: {
      const unreachable: never = condition;
      return unreachable;
    }
  }
}

/** Whether a job may be submitted: we do not park a citizen's PDF in a stopped queue. */
export function canAcceptJob(condition: A4Condition): boolean {
  return condition === 'online' || condition === 'busy' || condition === 'paperLow';
}

import { createHash } from 'node:crypto';
import { readFileSync, statfsSync } from 'node:fs';
import {
  formatShanghaiIsoMs,
  type DiagnosticCheck,
  type DiagnosticCheckId,
  type DiagnosticsReport,
  type ReceiptBlock,
  type ReceiptDocument,
} from '@onevisit/protocol';
import type { Clock } from '../../clock.ts';
import type { Device } from '../../devices/device.ts';
import type { A4Printer } from '../../devices/printer/driver.ts';
import type { ReceiptPrinter } from '../../devices/receipt-printer/driver.ts';
import type { OutboxStatus } from '../../outbox/service.ts';
import type { HolidayDataStatus } from '../booking/booking-service.ts';
import type { SqliteDatabase } from '../../store/db.ts';
import { verifyAudit } from '../../store/audit.ts';
import { AGENT_VERSION } from '../../version.ts';

/**
 * The readiness report (issue 12; vxsuite's diagnostics report as the model): every check says pass,
 * warn, fail or skipped with a message for people, never personal data. The agent runs it for
 * Staff.Diagnostics; `npm run staff -- report` runs the checks that need no device in its own process.
 */
export type DiagnosticsDeps = {
  clock: Clock;
  terminalId: string;
  dataDir: string;
  db: SqliteDatabase;
  /** The real drivers (not the counting wrappers); absent in `npm run staff -- report`. */
  devices?: { all(): readonly Device[]; printer: A4Printer; receiptPrinter: ReceiptPrinter } | undefined;
  ocrState?: (() => string) | undefined;
  outbox?: (() => OutboxStatus) | undefined;
  holidays?: (() => HolidayDataStatus) | undefined;
  forms: () => { id: string; version: string; hash: string }[];
  /** undefined: no hall database configured. */
  hallDbReady?: (() => boolean) | undefined;
  /** A technician asked: the receipt test page prints. */
  technician: boolean;
};

const MiB = 1024 * 1024;

export function shortHash(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 12);
}

/** A short hash of the running program (the agent bundle, or the entry script under tsx). */
export function softwareHash(): string {
  try {
    return shortHash(readFileSync(process.argv[1] ?? ''));
  } catch {
    return 'unknown';
  }
}

const DEVICE_CHECK: Record<string, DiagnosticCheckId> = {
  idCard: 'idCardReader',
  scanner: 'scanner',
  receiptPrinter: 'receiptPrinter',
  printer: 'printer',
  dispenser: 'dispenser',
};

export const TEST_RECEIPT: ReceiptDocument = {
  title: '打印测试 Test print',
  blocks: [
    { kind: 'text', text: '中文 GB18030 汉字 ABC 0123456789' },
    { kind: 'separator' },
    { kind: 'qr', data: 'ONEVISIT-TEST', caption: 'QR' },
  ],
};

export async function runDiagnostics(deps: DiagnosticsDeps): Promise<DiagnosticsReport> {
  const checks: DiagnosticCheck[] = [];
  const add = (id: DiagnosticCheckId, result: DiagnosticCheck['result'], message: string): void => {
    checks.push({ id, result, message: message.slice(0, 500) });
  };
  const devices = deps.devices;

  // Devices: their driver's own state (the reader's SAM answers its status query, printers are asked now).
  if (devices) {
    await Promise.all([devices.printer.refreshStatus().catch(() => undefined), devices.receiptPrinter.refreshStatus().catch(() => undefined)]);
    for (const device of devices.all()) {
      const s = device.status();
      const id = DEVICE_CHECK[s.device];
      if (id === undefined) continue;
      const ok = s.state === 'online' || s.state === 'busy';
      const detail = s.device === 'idCard' ? `SAM ${s.reason === 'samError' ? 'error' : ok ? 'ok' : 'not reachable'}` : s.reason;
      add(id, ok ? (s.reason === 'paperLow' ? 'warn' : 'pass') : 'fail', `${s.driver}: ${s.state}, ${detail}`);
    }
    if (deps.technician) {
      const printed = await devices.receiptPrinter.print(TEST_RECEIPT);
      add('receiptTestPage', printed.kind === 'printed' ? 'pass' : 'fail', printed.kind === 'printed' ? 'test page printed' : `not printed: ${printed.kind}`);
    } else {
      add('receiptTestPage', 'skipped', 'a technician prints the test page');
    }
    const a4 = devices.printer.status();
    if (a4.driver === 'cups') add('cupsQueue', a4.state === 'online' || a4.state === 'busy' ? 'pass' : 'fail', `queue ${a4.state}, ${a4.reason}`);
    else add('cupsQueue', 'skipped', `the A4 printer is ${a4.driver === 'sim' ? 'simulated' : a4.driver}`);
  } else {
    for (const id of ['idCardReader', 'scanner', 'receiptPrinter', 'printer', 'receiptTestPage', 'cupsQueue'] as const) add(id, 'skipped', 'devices are checked by the running agent (staff screen)');
  }

  if (deps.ocrState) {
    const state = deps.ocrState();
    add('ocrPool', state === 'ready' ? 'pass' : state === 'unavailable' ? 'fail' : 'warn', `OCR pool ${state}`);
  } else add('ocrPool', 'skipped', 'checked by the running agent');

  try {
    const rows = deps.db.prepare<[], { quick_check: string }>('PRAGMA quick_check').all();
    const ok = rows.length === 1 && rows[0]?.quick_check === 'ok';
    add('storeIntegrity', ok ? 'pass' : 'fail', ok ? 'SQLite quick_check ok' : `SQLite quick_check: ${rows.length} problems`);
  } catch (error) {
    add('storeIntegrity', 'fail', `the store cannot be checked (${(error as { code?: string }).code ?? 'error'})`);
  }

  try {
    const audit = verifyAudit(deps.db);
    add('auditChain', audit.ok ? 'pass' : 'fail', audit.ok ? `${audit.count} events, chain intact` : audit.message);
  } catch {
    add('auditChain', 'fail', 'the audit log cannot be read');
  }

  if (deps.outbox) {
    const o = deps.outbox();
    const nowMs = deps.clock.now();
    const ageMin = o.oldestPendingAtMs === undefined ? 0 : Math.floor((nowMs - o.oldestPendingAtMs) / 60_000);
    const result = o.counts.deadLetter > 0 ? 'fail' : ageMin >= 60 ? 'warn' : 'pass';
    add('outbox', result, `${o.counts.pending} waiting (oldest ${ageMin} min), ${o.counts.deadLetter} refused by the intake, delivery: ${o.delivery}`);
  } else add('outbox', 'skipped', 'checked by the running agent');

  if (deps.holidays) {
    const h = deps.holidays();
    add('holidayData', h.missingYears.length > 0 ? 'warn' : 'pass', h.missingYears.length > 0 ? `missing years: ${h.missingYears.join(', ')}` : `covered: ${h.coveredYears.join(', ')}`);
  } else add('holidayData', 'skipped', 'checked by the running agent');

  try {
    const fs = statfsSync(deps.dataDir);
    const freeMiB = Math.floor((fs.bavail * fs.bsize) / MiB);
    add('diskSpace', freeMiB < 200 ? 'fail' : freeMiB < 1024 ? 'warn' : 'pass', `${freeMiB} MiB free in the data folder`);
  } catch {
    add('diskSpace', 'fail', 'the data folder cannot be read');
  }

  const nowMs = deps.clock.now();
  // A kiosk whose real-time clock lost its battery boots in 1970 or at the firmware's date.
  const year = new Date(nowMs).getUTCFullYear();
  add('clock', year >= 2025 && year < 2100 ? 'pass' : 'fail', formatShanghaiIsoMs(nowMs));

  if (deps.hallDbReady) add('hallDatabase', deps.hallDbReady() ? 'pass' : 'fail', deps.hallDbReady() ? 'hall database reachable' : 'hall database not reachable');
  else add('hallDatabase', 'skipped', 'no hall database configured (bookings kept on this terminal)');

  return {
    generatedAt: formatShanghaiIsoMs(nowMs),
    terminalId: deps.terminalId,
    ready: checks.every((c) => c.result !== 'fail'),
    software: { version: AGENT_VERSION, hash: softwareHash() },
    formPackages: deps.forms(),
    devices: devices ? devices.all().map((d) => ({ device: d.status().device, driver: d.status().driver, state: d.status().state, reason: d.status().reason })) : [],
    checks,
  };
}

/** Marks the receipt font surely has. */
const MARK = { pass: '+', warn: '!', fail: 'X', skipped: '-' } as const;

/** The report as a receipt (ASCII marks; codes and messages are English, for the technician). */
export function reportReceipt(report: DiagnosticsReport): ReceiptDocument {
  const blocks: ReceiptBlock[] = [
    { kind: 'row', label: 'Terminal', value: report.terminalId },
    { kind: 'row', label: 'Time', value: report.generatedAt },
    { kind: 'row', label: 'Software', value: `${report.software.version} ${report.software.hash}` },
    { kind: 'text', text: report.ready ? '就绪 READY' : '未就绪 NOT READY', bold: true, size: 'double' },
    { kind: 'separator' },
    ...report.checks.map((c): ReceiptBlock => ({ kind: 'row', label: `${MARK[c.result]} ${c.id}`, value: c.message })),
    { kind: 'separator' },
    ...report.formPackages.map((f): ReceiptBlock => ({ kind: 'row', label: f.id, value: `${f.version} ${f.hash}` })),
  ];
  return { title: '诊断报告 Diagnostics', blocks };
}

// Certificate cabinet on the production serial path (issue 13): PickupService → BoardDriver on
// serialport → a socat pty pair → the CU16 board emulator. Measures, per pickup,
//   collect → unlocked: from the service's collect (the driver's unlock call) to the board's
//                       reply saying the door is open (the slotOpened event);
//   door closed → done: from the door latching (the emulator's model) to the service's completion
//                       (bounded below by the driver's fast poll interval while a door is open);
//   door closed → receipt: the same, then the 领取凭证 printed as Pickup.Collect prints it, by the
//                       ESC/POS driver over TCP to a port-9100 test printer (status checks + data).
// Needs Debian `socat`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BoardDriver, DEFAULT_FAST_POLL_MS } from '../../device-agent/src/devices/cabinet/board-driver.ts';
import { CU16 } from '../../device-agent/src/devices/cabinet/cu16.ts';
import { CabinetEmulator } from '../../device-agent/src/devices/cabinet/emulator.ts';
import { defaultLayout } from '../../device-agent/src/devices/cabinet/layout.ts';
import { CabinetModel } from '../../device-agent/src/devices/cabinet/model.ts';
import { openPtyPair } from '../../device-agent/src/devices/testing/pty-pair.ts';
import { serialTransport } from '../../device-agent/src/devices/transport/serial.ts';
import { ManualClock } from '../../device-agent/src/clock.ts';
import { EscPosReceiptPrinter } from '../../device-agent/src/devices/receipt-printer/driver.ts';
import { TcpTestPrinter } from '../../device-agent/src/devices/receipt-printer/tcp-test-printer.ts';
import { tcpTransport } from '../../device-agent/src/devices/transport/tcp.ts';
import { buildPickupReceipt } from '../../device-agent/src/services/pickup/pickup-receipt.ts';
import { PickupService } from '../../device-agent/src/services/pickup/pickup-service.ts';
import { AuditLog, auditMigrations } from '../../device-agent/src/store/audit.ts';
import { openStore } from '../../device-agent/src/store/db.ts';
import { PickupStore, pickupMigrations } from '../../device-agent/src/store/pickup-store.ts';

const PICKUPS = 20;
const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function summary(label: string, samplesMs: number[]): string {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
  return `   ${label}: p50 ${at(50).toFixed(1)} ms, p95 ${at(95).toFixed(1)} ms, max ${(sorted.at(-1) ?? Number.NaN).toFixed(1)} ms (n=${sorted.length})\n`;
}

export async function run(): Promise<void> {
  const layout = defaultLayout('cu16');
  const model = new CabinetModel(layout.compartments);
  const pty = await openPtyPair();
  const boardEnd = await serialTransport({ path: pty.b, baudRate: CU16.defaultBaudRate }).open();
  if (!boardEnd.ok) throw new Error(`cannot open the board end: ${boardEnd.problem}`);
  const emulator = new CabinetEmulator(boardEnd.transport, model, { protocol: 'cu16' });
  const driver = new BoardDriver({ protocol: 'cu16', locks: layout.compartments, open: serialTransport({ path: pty.a, baudRate: CU16.defaultBaudRate }) });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'onevisit-cabinet-bench-'));
  const store = openStore({ dataDir, migrations: [auditMigrations, pickupMigrations] });
  const clock = { now: () => Date.now() };
  const service = new PickupService({ driver, layout, store: new PickupStore(store.db), audit: new AuditLog(store.db, clock), clock, personSecret: Buffer.alloc(32, 1) });
  const unlockMs: number[] = [];
  const closedToDoneMs: number[] = [];
  const closedToReceiptMs: number[] = [];
  const receiptPrinter = new TcpTestPrinter();
  const printerPort = await receiptPrinter.listen();
  const printer = new EscPosReceiptPrinter(tcpTransport({ host: '127.0.0.1', port: printerPort }), { clock: new ManualClock(0), pollIntervalMs: 0 });
  try {
    await driver.start();
    await service.start();
    for (let i = 0; i < PICKUPS; i += 1) {
      const deposited = await service.deposit({ reference: `B-${i}`, idNumber: '11010519491231002X', title: 'bench' }, (e) => {
        if (e.kind !== 'slotOpened') return;
        const a = layout.compartments.find((c) => c.slot === e.slot);
        if (a === undefined) return;
        void sleep(20).then(() => {
          model.placeItem(a);
          return sleep(20 + DEFAULT_FAST_POLL_MS);
        }).then(() => model.closeDoor(a));
      });
      if (deposited.kind !== 'deposited') throw new Error(`deposit ${i}: ${deposited.kind}`);
      const a = layout.compartments.find((c) => c.slot === deposited.slot);
      if (a === undefined) throw new Error('no slot');
      let closedAt = Number.NaN;
      const started = nowMs();
      const result = await service.collect(deposited.itemId, (e) => {
        if (e.kind !== 'slotOpened') return;
        unlockMs.push(nowMs() - started);
        // The citizen takes the certificate and closes the door somewhere in a poll interval.
        void sleep(30).then(() => {
          model.takeItem(a);
          return sleep(DEFAULT_FAST_POLL_MS + ((i * 37) % DEFAULT_FAST_POLL_MS));
        }).then(() => {
          closedAt = nowMs();
          model.closeDoor(a);
        });
      });
      if (result.kind !== 'done') throw new Error(`collect ${i}: ${result.kind}`);
      closedToDoneMs.push(nowMs() - closedAt);
      const printed = await printer.print(buildPickupReceipt({ reference: `B-${i}`, title: 'bench', slot: deposited.slot }, Date.now(), 'T0001'));
      if (printed.kind !== 'printed') throw new Error(`receipt ${i}: ${printed.kind}`);
      closedToReceiptMs.push(nowMs() - closedAt);
    }
    process.stdout.write(`   CU16 at ${CU16.defaultBaudRate} baud over a socat pty, fast poll ${DEFAULT_FAST_POLL_MS} ms while a door is open\n`);
    process.stdout.write(summary('collect → door unlocked (unlock reply)', unlockMs));
    process.stdout.write(summary('door closed → collect completed', closedToDoneMs));
    process.stdout.write(summary('door closed → 领取凭证 printed (ESC/POS over TCP 9100)', closedToReceiptMs));
  } finally {
    await printer.dispose();
    await receiptPrinter.close();
    service.stop();
    await driver.stop();
    emulator.stop();
    await boardEnd.transport.close();
    await pty.close();
    store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

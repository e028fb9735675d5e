// Printers: ESC/POS encoding of an application receipt, a whole receipt job over TCP 9100 on
// loopback (status before/after included), and an A4 job through a private cupsd with the
// CUPS-PDF printer (lp → job completed), when cupsd can run (root, Debian cups packages).
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ManualClock } from '../../device-agent/src/clock.ts';
import { CliCupsClient } from '../../device-agent/src/devices/printer/cups-client.ts';
import { CupsPrinter } from '../../device-agent/src/devices/printer/cups-driver.ts';
import { isUnavailable, startCupsTestServer } from '../../device-agent/src/devices/printer/cups-test-server.ts';
import { minimalPdf } from '../../device-agent/src/devices/printer/test-pdf.ts';
import { EscPosReceiptPrinter } from '../../device-agent/src/devices/receipt-printer/driver.ts';
import { encodeReceipt } from '../../device-agent/src/devices/receipt-printer/escpos.ts';
import { TcpTestPrinter } from '../../device-agent/src/devices/receipt-printer/tcp-test-printer.ts';
import { tcpTransport } from '../../device-agent/src/devices/transport/tcp.ts';
import type { ReceiptDocument } from '@onevisit/protocol';

const RECEIPT: ReceiptDocument = {
  title: '受理回执',
  blocks: [
    { kind: 'row', label: '受理编号', value: 'OV-20261124-0042' },
    { kind: 'row', label: '事项', value: '城乡居民医保参保登记' },
    { kind: 'row', label: '日期', value: '2026-11-24 21:15' },
    { kind: 'row', label: '终端', value: 'T0001' },
    { kind: 'separator' },
    { kind: 'text', text: '请于三个工作日内凭受理编号查询办理进度。如需补充材料，工作人员将电话联系您。' },
    { kind: 'qr', data: 'https://example.invalid/q/OV-20261124-0042', caption: '扫码查询进度' },
  ],
};

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

function summary(label: string, samplesMs: number[]): string {
  const s = [...samplesMs].sort((a, b) => a - b);
  const p = (q: number): number => s[Math.min(s.length - 1, Math.max(0, Math.ceil((q / 100) * s.length) - 1))] ?? Number.NaN;
  return `   ${label}: p50 ${p(50).toFixed(2)} ms, p95 ${p(95).toFixed(2)} ms, max ${(s.at(-1) ?? Number.NaN).toFixed(2)} ms (n=${s.length})\n`;
}

export async function run(): Promise<void> {
  const encodes: number[] = [];
  let size = 0;
  for (let i = 0; i < 2000; i += 1) {
    const t = nowMs();
    size = encodeReceipt(RECEIPT).length;
    encodes.push(nowMs() - t);
  }
  process.stdout.write(summary(`encode application receipt (${size} bytes)`, encodes));

  const fake = new TcpTestPrinter();
  const port = await fake.listen();
  const driver = new EscPosReceiptPrinter(tcpTransport({ host: '127.0.0.1', port }), { clock: new ManualClock(0), pollIntervalMs: 0 });
  const jobs: number[] = [];
  for (let i = 0; i < 50; i += 1) {
    const t = nowMs();
    const r = await driver.print(RECEIPT);
    if (r.kind !== 'printed') throw new Error(`receipt job: ${r.kind}`);
    jobs.push(nowMs() - t);
  }
  process.stdout.write(summary('receipt job over TCP loopback (DLE EOT ×8 + data)', jobs));
  await driver.dispose();
  await fake.close();

  const cups = await startCupsTestServer('OneVisitBench');
  if (isUnavailable(cups)) {
    process.stdout.write(`   A4 via CUPS: skipped (${cups.unavailable})\n`);
    return;
  }
  try {
    const printer = new CupsPrinter({ queue: cups.queue, client: new CliCupsClient({ server: cups.server }), clock: new ManualClock(0), jobPollIntervalMs: 50, pollIntervalMs: 0 });
    const a4: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const t = nowMs();
      const r = await printer.printPdf(minimalPdf(2), { title: `onevisit-bench-${process.pid}-${i}` });
      if (r.kind !== 'printed') throw new Error(`A4 job: ${r.kind}`);
      a4.push(nowMs() - t);
    }
    process.stdout.write(summary('A4 2-page PDF via private cupsd + CUPS-PDF (lp → completed)', a4));
  } finally {
    await cups.stop();
    // CUPS-PDF's output lands outside our temp folder (see cups-test-server.ts): remove ours.
    for (const dir of cups.outputDirs.filter((d) => existsSync(d))) {
      for (const f of readdirSync(dir).filter((n) => n.startsWith(`onevisit-bench-${process.pid}-`))) rmSync(path.join(dir, f));
    }
  }
}

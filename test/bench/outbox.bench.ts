// Outbox figures (issue 5): accepted submissions per second with full sync (seal + commit +
// fsync), and the delivery rate to a folder intake and to the HTTP intake.
// Run: npm run bench -- outbox
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { systemClock } from '../../device-agent/src/clock.ts';
import { generateBackofficeKeyPair, parsePublicKeys } from '../../device-agent/src/crypto/seal.ts';
import { startIntakeServer } from '../../device-agent/src/intake/server.ts';
import { DeliveryWorker, FolderTarget, HttpTarget, type DeliveryTarget } from '../../device-agent/src/outbox/delivery.ts';
import { Outbox } from '../../device-agent/src/outbox/outbox.ts';
import { submissionMigrations } from '../../device-agent/src/outbox/service.ts';
import { openStore } from '../../device-agent/src/store/db.ts';

const COUNT = Number(process.env.ONEVISIT_BENCH_OUTBOX_COUNT ?? 200);
const PDF_BYTES = 120 * 1024;
const SCAN_BYTES = 300 * 1024;

function line(label: string, value: string): void {
  process.stdout.write(`   ${label.padEnd(54)}${value}\n`);
}

async function deliverAll(outbox: Outbox, target: DeliveryTarget): Promise<number> {
  const worker = new DeliveryWorker({ outbox, target, clock: systemClock, concurrency: 4 });
  const t0 = performance.now();
  for (let i = 0; i < 10 && outbox.status().counts.pending > 0; i += 1) await worker.tick();
  return performance.now() - t0;
}

export async function run(): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), 'onevisit-bench-outbox-'));
  try {
    const keys = parsePublicKeys(generateBackofficeKeyPair().publicPem);
    const pdf = randomBytes(PDF_BYTES);
    const scan = randomBytes(SCAN_BYTES);
    const answers = { name: '测试', idNumber: '11010519491231002X', address: '北京市朝阳区测试路88号', phone: '13912345678' };
    const stores = [];
    const outboxes: Outbox[] = [];
    for (const name of ['folder', 'http']) {
      const dataDir = path.join(root, name);
      const store = openStore({ dataDir, migrations: submissionMigrations });
      stores.push(store);
      const outbox = new Outbox({ db: store.db, dataDir, clock: systemClock, terminalId: 'T0001', keys, minFreeBytes: 0 });
      outboxes.push(outbox);
      const t0 = performance.now();
      for (let i = 0; i < COUNT; i += 1) {
        const r = outbox.accept({ submissionId: `bench-${name}-${i}`, formId: 'bench', formVersion: '1', answers, pdf, scans: [{ mediaType: 'image/jpeg', bytes: scan }] });
        if (!r.ok) throw new Error(`accept failed: ${r.reason}`);
      }
      const ms = performance.now() - t0;
      line(`accept (seal+commit, synchronous=FULL) [${name}]`, `${((COUNT * 1000) / ms).toFixed(1)} /s  (${(ms / COUNT).toFixed(2)} ms each, ${((PDF_BYTES + SCAN_BYTES) / 1024).toFixed(0)} KiB)`);
    }
    const [folderOutbox, httpOutbox] = outboxes;
    if (!folderOutbox || !httpOutbox) throw new Error('setup');
    const folderMs = await deliverAll(folderOutbox, new FolderTarget(path.join(root, 'intake-folder')));
    line('deliver to folder (write, fsync, rename, fsync dir)', `${((COUNT * 1000) / folderMs).toFixed(1)} /s`);
    const server = await startIntakeServer({ port: 0, outDir: path.join(root, 'intake-http') });
    try {
      const httpMs = await deliverAll(httpOutbox, new HttpTarget({ url: server.url }));
      line('deliver to HTTP intake (POST, stored with fsync)', `${((COUNT * 1000) / httpMs).toFixed(1)} /s  (${server.stats.stored} stored)`);
    } finally {
      await server.close();
    }
    for (const s of stores) s.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

// Back-office link (issue 15): query latency of the terminal's adapter (HttpBackOffice, signed
// requests) against the local reference intake over loopback HTTP, by reference and by person key;
// and the supplement accept rate (each against an intake on SQLite, --out, and on PostgreSQL, --db): supplements sealed into a terminal outbox, delivered by the
// delivery worker to POST /v1/cases/{ref}/supplements, counted as stored by the intake.
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { systemClock } from '../../device-agent/src/clock.ts';
import { loadOrCreateTerminalKey, RequestVerifier } from '../../device-agent/src/crypto/request-signing.ts';
import { PgIntakeStore } from '../../device-agent/src/intake/pg-store.ts';
import { SqliteIntakeStore } from '../../device-agent/src/intake/sqlite-store.ts';
import { startIntakeServer } from '../../device-agent/src/intake/server.ts';
import type { IntakeStore } from '../../device-agent/src/intake/store.ts';
import { DeliveryWorker, HttpTarget } from '../../device-agent/src/outbox/delivery.ts';
import { Outbox } from '../../device-agent/src/outbox/outbox.ts';
import { formatReference } from '../../device-agent/src/outbox/reference.ts';
import { submissionMigrations } from '../../device-agent/src/outbox/service.ts';
import { makeKeys } from '../../device-agent/src/outbox/testing/fixtures.ts';
import { HttpBackOffice } from '../../device-agent/src/services/progress/back-office.ts';
import { SupplementService } from '../../device-agent/src/services/progress/supplement-service.ts';
import { openStore } from '../../device-agent/src/store/db.ts';
import { findPgBin, startPgTestCluster } from '../../device-agent/src/store/pg-test-cluster.ts';

const QUERIES = 300;
const SUPPLEMENTS = 100;
const CASES = 50;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function summary(ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  return `median ${percentile(sorted, 50).toFixed(1)} ms, p95 ${percentile(sorted, 95).toFixed(1)} ms, max ${(sorted.at(-1) ?? Number.NaN).toFixed(1)} ms`;
}

/** Both measurements against one intake store; `label` names its backend in the output. */
async function measure(label: string, intakeStore: IntakeStore, root: string): Promise<void> {
  const dataDir = mkdtempSync(path.join(root, 'data-'));
  const key = loadOrCreateTerminalKey(dataDir);
  await intakeStore.addTerminal('T0001', key.publicPem);
  const keys = makeKeys();
  const person = createHmac('sha256', 'bench').update('resident:110105199003070017').digest('hex');
  const refs = Array.from({ length: CASES }, (_, i) => formatReference('T0001', '261204', i + 1));
  for (const ref of refs) {
    await intakeStore.setCase(ref, { status: 'received', personKey: person });
    await intakeStore.setCase(ref, { status: 'needMaterial', materials: ['户口簿复印件'] });
  }
  const intake = await startIntakeServer({ port: 0, store: intakeStore, privateKeys: [keys.priv], verifier: new RequestVerifier({ keys: (id) => intakeStore.terminalKey(id) }) });
  const store = openStore({ dataDir, migrations: submissionMigrations });
  try {
    const backOffice = new HttpBackOffice({ baseUrl: intake.url, terminalId: 'T0001', privateKey: key.privateKey, now: Date.now });
    for (let i = 0; i < 20; i += 1) await backOffice.getCase(refs[0] ?? '');
    const byRef: number[] = [];
    for (let i = 0; i < QUERIES; i += 1) {
      const t0 = performance.now();
      const r = await backOffice.getCase(refs[i % refs.length] ?? '');
      byRef.push(performance.now() - t0);
      if (!r.ok) throw new Error(`query failed: ${r.reason}`);
    }
    const byPerson: number[] = [];
    for (let i = 0; i < QUERIES / 3; i += 1) {
      const t0 = performance.now();
      const r = await backOffice.lookup(person);
      byPerson.push(performance.now() - t0);
      if (!r.ok || r.cases.length !== CASES) throw new Error('lookup failed');
    }
    process.stdout.write(`   ${label}: query by reference (${QUERIES}, signed, loopback): ${summary(byRef)}\n`);
    process.stdout.write(`   ${label}: query by person key (${QUERIES / 3}, ${CASES} cases each): ${summary(byPerson)}\n`);

    const outbox = new Outbox({ db: store.db, dataDir, clock: systemClock, terminalId: 'T0001', keys: [keys.pub], freeBytes: () => 1e12 });
    const page = { index: 0, png: Buffer.alloc(200 * 1024, 7), width: 2480, height: 3508, resolutionDpi: 300 };
    const scans = { get: () => ({ scanId: 's', createdMs: 0, pages: [page] }), delete: () => true };
    const supplements = new SupplementService({ outbox, scans });
    let accepted = 0;
    const t0 = performance.now();
    for (let i = 0; i < SUPPLEMENTS; i += 1) if (supplements.submit({ caseReference: refs[i % refs.length] ?? '', materialId: 'm1', scanIds: ['s'] }).ok) accepted += 1;
    const acceptMs = performance.now() - t0;
    const worker = new DeliveryWorker({
      outbox,
      target: new HttpTarget({ url: intake.url, signer: { terminalId: 'T0001', privateKey: key.privateKey, now: Date.now } }),
      clock: systemClock,
      concurrency: 2,
    });
    const t1 = performance.now();
    const tick = await worker.tick();
    const deliverMs = performance.now() - t1;
    let stored = 0;
    for (const ref of refs) stored += (await intakeStore.supplementsOf(ref)).length;
    process.stdout.write(
      `   ${label}: supplements (200 KiB scan each): ${accepted}/${SUPPLEMENTS} accepted into the outbox (${(acceptMs / SUPPLEMENTS).toFixed(1)} ms each, sealed + committed), ` +
        `${tick.delivered} delivered, ${tick.rejected} rejected, ${tick.retried} retried in one round (${(deliverMs / SUPPLEMENTS).toFixed(1)} ms each); ` +
        `intake stored ${stored}: accept rate ${((100 * stored) / SUPPLEMENTS).toFixed(1)} %\n`,
    );
  } finally {
    store.close();
    await intake.close();
    await intakeStore.close();
  }
}

export async function run(): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), 'onevisit-bench-progress-'));
  try {
    await measure('intake --out (SQLite)', new SqliteIntakeStore(path.join(root, 'intake')), root);
    // The same against `--db` on a private PostgreSQL cluster, where Debian's server is installed.
    if (findPgBin() === undefined) {
      process.stdout.write('   intake --db (PostgreSQL): skipped, no PostgreSQL server binaries\n');
      return;
    }
    const cluster = await startPgTestCluster();
    try {
      await measure('intake --db (PostgreSQL)', await PgIntakeStore.open(await cluster.newDatabase('bench_intake')), root);
    } finally {
      await cluster.destroy();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

// Booking.Reserve through whole agents over the WebSocket API (issue 14): one agent on its own
// SQLite, one agent on the hall's PostgreSQL (a private cluster), and three agents on that PostgreSQL
// at once, each with its own page; for comparison three agents each on its own SQLite (three
// calendars, nothing shared). Every reservation is a citizen at the terminal: place the card,
// IdCard.Read, Booking.Reserve, lift the card, Session.End. Reported: Booking.Reserve completed per
// second over the whole run (the card steps included, since a terminal serves one citizen at a time)
// and the p50/p95 of the Booking.Reserve round trip alone. The agents run in this one Node process
// (one event loop for all three); the PostgreSQL cluster runs with fsync off.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createAgent, type Agent } from '../../device-agent/src/app.ts';
import { ManualClock } from '../../device-agent/src/clock.ts';
import { defaultConfig } from '../../device-agent/src/config.ts';
import { silentLogger } from '../../device-agent/src/log.ts';
import { testPerson } from '../../device-agent/src/services/booking/booking-test-support.ts';
import { findPgBin, startPgTestCluster } from '../../device-agent/src/store/pg-test-cluster.ts';
import { successPayload, TestClient } from '../integration/client.ts';

const NOW_MS = Date.parse('2026-11-21T12:00:00+08:00'); // Saturday: bookable Mon 23 – Fri 27 November
const RESERVATIONS = 240;
const SERVICE = 'household-registration';

type Terminal = { agent: Agent; client: TestClient };

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function startTerminals(count: number, hallDb: string | undefined, dirs: string[], prefix: string): Promise<Terminal[]> {
  const clock = new ManualClock(NOW_MS);
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'onevisit-bench-agent-'));
      const distDir = mkdtempSync(path.join(tmpdir(), 'onevisit-bench-dist-'));
      dirs.push(dataDir, distDir);
      const agent = createAgent(defaultConfig({ port: 0, dev: true, dataDir, terminalId: `${prefix}${i + 1}`, hallDb }), { log: silentLogger(), distDir, clock });
      const started = await agent.start();
      return { agent, client: await TestClient.authenticated(started.url, started.token) };
    }),
  );
}

async function stopTerminals(terminals: readonly Terminal[]): Promise<void> {
  for (const t of terminals) await t.client.close();
  await Promise.all(terminals.map((t) => t.agent.stop()));
}

/** Every slot start of the horizon, four times (household registration has 4 seats): wins and slotFull alike for every setup. */
async function targets(client: TestClient): Promise<string[]> {
  const listed = successPayload('Booking.ListSlots', await client.send('Booking.ListSlots', { serviceId: SERVICE, from: '2026-11-23', to: '2026-11-27' }));
  return listed.slots.flatMap((s) => [s.start, s.start, s.start, s.start]);
}

async function reserveRun(terminals: readonly Terminal[], personOffset: number): Promise<{ perS: number; p50: number; p95: number; won: number }> {
  const first = terminals[0];
  if (!first) throw new Error('no terminal');
  const starts = await targets(first.client);
  const samples: number[] = [];
  let won = 0;
  const t0 = performance.now();
  await Promise.all(
    terminals.map(async ({ client }, k) => {
      for (let i = k; i < RESERVATIONS; i += terminals.length) {
        const start = starts[i % starts.length];
        if (start === undefined) continue;
        await client.send('Dev.InsertCard', { identity: testPerson(personOffset + i + 1) });
        const read = await client.send('IdCard.Read', {}, { timeout: 10_000 });
        if (read.completion.header.completionCode !== 'success') throw new Error(`IdCard.Read: ${read.completion.header.errorCode ?? ''}`);
        const t = performance.now();
        const r = await client.send('Booking.Reserve', { serviceId: SERVICE, start });
        samples.push(performance.now() - t);
        if (r.completion.header.completionCode === 'success') won += 1;
        await client.send('Dev.RemoveCard', {});
        await client.send('Session.End', {});
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  samples.sort((a, b) => a - b);
  return { perS: RESERVATIONS / seconds, p50: percentile(samples, 50), p95: percentile(samples, 95), won };
}

function line(label: string, r: { perS: number; p50: number; p95: number; won: number }): void {
  process.stdout.write(
    `   ${label.padEnd(46)} ${r.perS.toFixed(1).padStart(6)} Reserve/s   Reserve p50 ${r.p50.toFixed(1)} ms  p95 ${r.p95.toFixed(1)} ms   (${RESERVATIONS}: ${r.won} booked, the rest slotFull)\n`,
  );
}

async function measure(label: string, count: number, hallDb: string | undefined, prefix: string, personOffset: number): Promise<void> {
  const dirs: string[] = [];
  let terminals: Terminal[] = [];
  try {
    terminals = await startTerminals(count, hallDb, dirs, prefix);
    line(label, await reserveRun(terminals, personOffset));
  } finally {
    await stopTerminals(terminals);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  await measure('SQLite, one agent', 1, undefined, 'S', 0);
  await measure('SQLite, three agents (own calendars) at once', 3, undefined, 'S', 0);
  if (findPgBin() === undefined) {
    process.stdout.write('   PostgreSQL: server binaries not found (Debian `postgresql`); skipped\n');
    return;
  }
  const cluster = await startPgTestCluster();
  try {
    // An empty hall database for each run, so that both book the same slots as the SQLite runs.
    await measure('PostgreSQL, one agent', 1, await cluster.newDatabase('bench_one'), 'P', 0);
    await measure('PostgreSQL, three agents (one calendar) at once', 3, await cluster.newDatabase('bench_three'), 'Q', 0);
  } finally {
    await cluster.destroy();
  }
}

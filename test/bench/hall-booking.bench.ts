// Booking.Reserve on the terminal's SQLite (the agent's store settings: WAL, synchronous FULL) beside
// the hall's PostgreSQL (a private cluster, issue 14) on the same work: reservations per second and
// p95 latency of BookingService.reserve, one terminal in sequence, then three terminals (separate
// pools / connections) at once. The PostgreSQL cluster runs with fsync off (a throwaway test
// cluster): its figures leave out the disk flush a real server pays at every commit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ManualClock } from '../../device-agent/src/clock.ts';
import { BookingService } from '../../device-agent/src/services/booking/booking-service.ts';
import { at, silentLog, testCalendar, testPerson } from '../../device-agent/src/services/booking/booking-test-support.ts';
import { bookingMigrationSet } from '../../device-agent/src/store/booking-migrations.ts';
import { SqliteBookingStore } from '../../device-agent/src/store/booking-sqlite-store.ts';
import type { BookingStore } from '../../device-agent/src/store/booking-store.ts';
import { openStore } from '../../device-agent/src/store/db.ts';
import { PgTestHall } from '../../device-agent/src/store/pg-test-hall.ts';
import { findPgBin } from '../../device-agent/src/store/pg-test-cluster.ts';

const NOW = '2026-11-21T12:00:00+08:00'; // Saturday: horizon Mon 23 – Fri 27 November
const RESERVATIONS = 600;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Every bookable slot start of the horizon, three times (hukou has 3 seats): the same mix of wins and slotFull for every store. */
async function targets(service: BookingService): Promise<string[]> {
  const { earliest, latest } = service.bookingWindow();
  const r = await service.listSlots('hukou', earliest, latest);
  if (!r.ok) throw new Error(r.error);
  return r.value.slots.flatMap((s) => [s.start, s.start, s.start]);
}

function terminalOn(store: BookingStore, id: string): BookingService {
  return new BookingService({
    calendar: testCalendar({}),
    store,
    clock: new ManualClock(at(NOW)),
    log: silentLog,
    personSecret: Buffer.alloc(32, 7),
    terminalId: id,
  });
}

/** `terminals` reserve at once, each its share of the people in sequence; returns per-second and p95. */
async function reserveRun(terminals: readonly BookingService[], count: number): Promise<{ perS: number; p95: number; won: number }> {
  const first = terminals[0];
  if (!first) throw new Error('no terminal');
  const starts = await targets(first);
  const samples: number[] = [];
  let won = 0;
  const t0 = performance.now();
  await Promise.all(
    terminals.map(async (terminal, k) => {
      for (let i = k; i < count; i += terminals.length) {
        const start = starts[i % starts.length];
        if (start === undefined) continue;
        const t = performance.now();
        // Person i: two services' daily cap and one-per-service allow one hukou booking each.
        const r = await terminal.reserve(testPerson(i + 1), 'hukou', start);
        samples.push(performance.now() - t);
        if (r.ok) won += 1;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  samples.sort((a, b) => a - b);
  return { perS: count / seconds, p95: percentile(samples, 95), won };
}

function line(label: string, r: { perS: number; p95: number; won: number }, count: number): void {
  process.stdout.write(`   ${label.padEnd(44)} ${r.perS.toFixed(0).padStart(5)} reservations/s   p95 ${r.p95.toFixed(2)} ms   (${count} attempts: ${r.won} booked, the rest slotFull)\n`);
}

export async function run(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'onevisit-hall-bench-'));
  try {
    const one = openStore({ dataDir: path.join(dataDir, 'one'), migrations: [bookingMigrationSet] });
    line('SQLite, one terminal', await reserveRun([terminalOn(new SqliteBookingStore(one.db), 'A')], RESERVATIONS), RESERVATIONS);
    one.close();
    // Three connections to one SQLite file stand in for three agents on one machine (SQLite cannot be shared over a network).
    const shared = openStore({ dataDir: path.join(dataDir, 'three'), migrations: [bookingMigrationSet] });
    const more = [1, 2].map(() => openStore({ dataDir: path.join(dataDir, 'three'), migrations: [bookingMigrationSet] }));
    const sqliteTerminals = [shared, ...more].map((s, i) => terminalOn(new SqliteBookingStore(s.db), `S${i}`));
    line('SQLite, three connections at once', await reserveRun(sqliteTerminals, RESERVATIONS), RESERVATIONS);
    for (const s of [shared, ...more]) s.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }

  if (findPgBin() === undefined) {
    process.stdout.write('   PostgreSQL: server binaries not found (Debian `postgresql`); skipped\n');
    return;
  }
  const hall = await PgTestHall.start();
  try {
    line('PostgreSQL, one terminal', await reserveRun([terminalOn(hall.store(), 'A')], RESERVATIONS), RESERVATIONS);
    const schema = hall.cluster.newSchema();
    const pgTerminals = [0, 1, 2].map((i) => terminalOn(hall.store(schema), `P${i}`));
    line('PostgreSQL, three terminals (pools) at once', await reserveRun(pgTerminals, RESERVATIONS), RESERVATIONS);
  } finally {
    await hall.close();
  }
}

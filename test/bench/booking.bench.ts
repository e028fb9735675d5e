// Booking: Booking.ListSlots over a 5-working-day horizon across 20 services, and
// reservations per second, on a real file in the agent's store settings (WAL, synchronous FULL).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ManualClock } from '../../device-agent/src/clock.ts';
import { BookingService } from '../../device-agent/src/services/booking/booking-service.ts';
import { HallCalendar } from '../../device-agent/src/services/booking/calendar.ts';
import { HallCalendarSchema } from '../../device-agent/src/services/booking/calendar-config.ts';
import { HolidayTable, loadPackageHolidays } from '../../device-agent/src/services/booking/holiday-data.ts';
import { at, silentLog, testCalendarInput, testPerson } from '../../device-agent/src/services/booking/booking-test-support.ts';
import { bookingMigrationSet } from '../../device-agent/src/store/booking-migrations.ts';
import { SqliteBookingStore } from '../../device-agent/src/store/booking-sqlite-store.ts';
import { openStore } from '../../device-agent/src/store/db.ts';

const SERVICES = 20;
const NOW = '2026-11-21T12:00:00+08:00'; // Saturday: horizon Mon 23 – Fri 27 November

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function hall(): HallCalendar {
  const base = testCalendarInput();
  const services = Array.from({ length: SERVICES }, (_, i) => ({
    id: `svc-${i}`,
    name: { 'zh-CN': `事项${i}`, en: `Service ${i}` },
    windows: ['w1', 'w2'],
    slotMinutes: [15, 20, 30, 60][i % 4] ?? 30,
    capacityPerSlot: 4,
    materials: [{ name: { 'zh-CN': '居民身份证原件', en: 'ID card' } }],
  }));
  return new HallCalendar(HallCalendarSchema.parse({ ...base, services }), new HolidayTable(loadPackageHolidays()));
}

export async function run(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'onevisit-booking-bench-'));
  const store = openStore({ dataDir, migrations: [bookingMigrationSet] });
  try {
    const clock = new ManualClock(at(NOW));
    const calendar = hall();
    const service = new BookingService({
      calendar,
      store: new SqliteBookingStore(store.db),
      clock,
      log: silentLog,
      personSecret: Buffer.alloc(32, 7),
      terminalId: 'BENCH',
    });
    const { earliest, latest } = service.bookingWindow();

    // Reservations per second: distinct people, spread over every service's slots of the horizon.
    const targets: { serviceId: string; start: string }[] = [];
    for (let s = 0; s < SERVICES; s += 1) {
      const r = await service.listSlots(`svc-${s}`, earliest, latest);
      if (!r.ok) throw new Error(r.error);
      for (const slot of r.value.slots) for (let k = 0; k < 2; k += 1) targets.push({ serviceId: `svc-${s}`, start: slot.start });
    }
    const count = Math.min(2000, targets.length);
    let won = 0;
    const t0 = performance.now();
    for (let i = 0; i < count; i += 1) {
      const t = targets[(i * 7919) % targets.length];
      if (!t) continue;
      const r = await service.reserve(testPerson(i + 1), t.serviceId, t.start);
      if (r.ok) won += 1;
    }
    const reserveS = (performance.now() - t0) / 1000;

    // Booking.ListSlots with those bookings in place: each call is one service over the 5 working days.
    const samples: number[] = [];
    for (let round = 0; round < 30; round += 1) {
      for (let s = 0; s < SERVICES; s += 1) {
        const t = performance.now();
        const r = await service.listSlots(`svc-${s}`, earliest, latest);
        samples.push(performance.now() - t);
        if (!r.ok) throw new Error(r.error);
      }
    }
    const sorted = [...samples].sort((a, b) => a - b);
    const sweeps: number[] = [];
    for (let i = 0; i + SERVICES <= samples.length; i += SERVICES) sweeps.push(samples.slice(i, i + SERVICES).reduce((a, b) => a + b, 0));
    sweeps.sort((a, b) => a - b);

    const slotCount = targets.length / 2;
    process.stdout.write(`   horizon ${earliest} … ${latest}, ${SERVICES} services, ${slotCount} slots, ${won} of ${count} reservations won\n`);
    process.stdout.write(
      `   Booking.ListSlots (one service, 5 working days): p50 ${percentile(sorted, 50).toFixed(2)} ms, p95 ${percentile(sorted, 95).toFixed(2)} ms (${samples.length} calls)\n`,
    );
    process.stdout.write(`   all ${SERVICES} services: p50 ${percentile(sweeps, 50).toFixed(1)} ms, p95 ${percentile(sweeps, 95).toFixed(1)} ms\n`);
    process.stdout.write(`   Booking.Reserve: ${(count / reserveS).toFixed(0)} reservations/s (sequential, one connection, synchronous FULL)\n`);
  } finally {
    store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * One "terminal" of the concurrency test (booking-sqlite-store.test.ts): opens its own
 * connection to the shared database file, waits for `go` on stdin so that every
 * process starts at once, then fires its reservations at one slot and prints the
 * outcome as one JSON line. Args: dbPath workerIndex count nowIso startIso.
 */
import { createInterface } from 'node:readline';
import { testBookingService, testPerson } from '../services/booking/booking-test-support.ts';

async function main(): Promise<void> {
  const [dbPath, indexText, countText, nowIso, startIso] = process.argv.slice(2);
  if (dbPath === undefined || indexText === undefined || countText === undefined || nowIso === undefined || startIso === undefined) {
    throw new Error('usage: booking-race-worker dbPath index count nowIso startIso');
  }
  const index = Number(indexText);
  const count = Number(countText);
  const { service } = testBookingService(nowIso, { dbPath, migrate: false });
  process.stdout.write('ready\n');
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) if (line.trim() === 'go') break;
  lines.close();
  const outcomes = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const r = await service.reserve(testPerson(index * 100 + i + 1), 'hukou', startIso);
      return r.ok ? `won:${r.value.code}` : r.error;
    }),
  );
  process.stdout.write(`${JSON.stringify({ index, outcomes })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

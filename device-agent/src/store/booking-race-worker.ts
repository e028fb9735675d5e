/**
 * One "terminal" of the concurrency tests (booking-store-suite.ts): opens its own connection to
 * the shared store, waits for `go` on stdin so that every process starts at once, then fires its
 * reservations and prints the outcome as one JSON line.
 * Args: targetJson index count nowIso startIso[,startIso…] people
 *   targetJson: {"kind":"sqlite","path":…} or {"kind":"postgres","url":…,"schema":…}
 *     (a PostgreSQL worker runs the hall migrations itself: six starting together test the lock)
 *   start: one slot, or several separated by commas (request i goes to slot i mod n)
 *   people: `distinct` (person index*100+i+1) or `shared` (person i+1 in every process)
 */
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { testBookingService, testPerson } from '../services/booking/booking-test-support.ts';
import { PgBookingStore } from './booking-pg-store.ts';
import { createHallPool, migrateHallDb } from './hall-db.ts';

const TargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sqlite'), path: z.string() }),
  z.object({ kind: z.literal('postgres'), url: z.string(), schema: z.string() }),
]);
export type RaceTarget = z.infer<typeof TargetSchema>;

async function main(): Promise<void> {
  const [targetJson, indexText, countText, nowIso, startsText, people] = process.argv.slice(2);
  if (targetJson === undefined || indexText === undefined || countText === undefined || nowIso === undefined || startsText === undefined) {
    throw new Error('usage: booking-race-worker targetJson index count nowIso startIso[,startIso…] [distinct|shared]');
  }
  const target = TargetSchema.parse(JSON.parse(targetJson));
  const index = Number(indexText);
  const count = Number(countText);
  const starts = startsText.split(',');
  let close = (): Promise<void> => Promise.resolve();
  let service;
  if (target.kind === 'sqlite') {
    service = testBookingService(nowIso, { dbPath: target.path, migrate: false }).service;
  } else {
    const pool = createHallPool({ connectionString: target.url, schema: target.schema, maxConnections: 8, connectTimeoutMs: 20_000 });
    await migrateHallDb(pool, { schema: target.schema });
    service = testBookingService(nowIso, { store: new PgBookingStore({ pool }) }).service;
    close = () => pool.end();
  }
  process.stdout.write('ready\n');
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) if (line.trim() === 'go') break;
  lines.close();
  const outcomes = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const person = people === 'shared' ? i + 1 : index * 100 + i + 1;
      const r = await service.reserve(testPerson(person), 'hukou', starts[i % starts.length] ?? startsText);
      return r.ok ? `won:${r.value.code}` : r.error;
    }),
  );
  await close();
  process.stdout.write(`${JSON.stringify({ index, outcomes })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

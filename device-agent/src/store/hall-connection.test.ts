import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, silentLog, testBookingService, testPerson } from '../services/booking/booking-test-support.ts';
import { BookingService, isBookingUnavailable } from '../services/booking/booking-service.ts';
import { bookingRecord } from './booking-store-suite.ts';
import { HallConnection } from './hall-connection.ts';
import { HallDbUnavailableError } from './hall-db.ts';
import { PgTestHall } from './pg-test-hall.ts';

/** The hall database going away and coming back (issue 14), on a private cluster stopped and started mid-run. */
const NOW = '2026-11-21T12:00:00+08:00';
const SLOT = '2026-11-23T09:00:00+08:00';

let hall: PgTestHall | undefined;
const connections: HallConnection[] = [];
beforeAll(async () => {
  hall = await PgTestHall.start();
});
afterAll(async () => {
  await Promise.all(connections.map((c) => c.close()));
  await hall?.close();
});
function started(): PgTestHall {
  if (!hall) throw new Error('the test cluster is not started');
  return hall;
}

function terminal(connection: HallConnection): BookingService {
  const { service } = testBookingService(NOW);
  return new BookingService({
    calendar: service.calendar,
    store: connection.bookingStore(),
    clock: { now: () => at(NOW) },
    log: silentLog,
    personSecret: () => connection.personSecret(),
    terminalId: 'T1',
  });
}

function connect(schema: string): HallConnection {
  const connection = new HallConnection({ connectionString: started().cluster.url, schema, log: silentLog, retryMs: 200 });
  connections.push(connection);
  return connection;
}

describe('HallConnection', () => {
  it('answers "unavailable" while the server is down, and works again when it is back, with nothing lost or doubled', async () => {
    const connection = connect(started().cluster.newSchema());
    await connection.connect();
    const service = terminal(connection);
    const before = await service.reserve(testPerson(1), 'hukou', SLOT);
    expect(before.ok).toBe(true);

    await started().cluster.stopServer();
    const during = await service.reserve(testPerson(2), 'hukou', SLOT).then(
      () => 'answered',
      (error: unknown) => (isBookingUnavailable(error) ? 'unavailable' : String(error)),
    );
    expect(during).toBe('unavailable');
    await expect(service.findByCode(before.ok ? before.value.code : '')).rejects.toBeInstanceOf(HallDbUnavailableError);

    await started().cluster.startServer();
    const after = await service.reserve(testPerson(3), 'hukou', SLOT);
    expect(after.ok).toBe(true);
    const found = await service.findByIdentity(testPerson(1));
    expect(found.ok && found.value.map((b) => b.code)).toEqual([before.ok && before.value.code]);
    const day = await connection.bookingStore().listByDate('2026-11-23');
    expect(day.map((r) => r.personKey).length).toBe(2);
  }, 60_000);

  it('starts without the server, keys nobody until it answered, then connects by itself', async () => {
    const schema = started().cluster.newSchema();
    await started().cluster.stopServer();
    const connection = connect(schema);
    await expect(connection.connect()).rejects.toBeInstanceOf(HallDbUnavailableError);
    expect(() => connection.personSecret()).toThrow(HallDbUnavailableError);
    const service = terminal(connection);
    await expect(service.reserve(testPerson(1), 'hukou', SLOT)).rejects.toBeInstanceOf(HallDbUnavailableError);
    await started().cluster.startServer();
    // The next call tries again at once (the background retry may also have got there first).
    const r = await connection.bookingStore().get('NOSUCH').catch(() => connection.bookingStore().get('NOSUCH'));
    expect(r).toBeUndefined();
    expect(connection.ready).toBe(true);
    expect((await service.reserve(testPerson(1), 'hukou', SLOT)).ok).toBe(true);
  }, 60_000);

  it('gives two terminals of one hall the same person-key secret, so a booking made at one is found by the card at the other', async () => {
    const schema = started().cluster.newSchema();
    const a = connect(schema);
    const b = connect(schema);
    await Promise.all([a.connect(), b.connect()]);
    expect(a.personSecret().equals(b.personSecret())).toBe(true);
    const booked = await terminal(a).reserve(testPerson(7), 'hukou', SLOT);
    const found = await terminal(b).findByIdentity(testPerson(7));
    expect(found.ok && found.value.map((v) => v.code)).toEqual([booked.ok && booked.value.code]);
  }, 60_000);
});

describe('PgBookingStore after a lost commit answer', () => {
  it('answers success when the commit landed', async () => {
    const { store } = await started().pgStore(undefined, {
      commitHooks: {
        after: () => {
          throw new Error('Connection terminated unexpectedly');
        },
      },
    });
    const result = await store.atomically({ personSinceMs: 0 }, () => ({ writes: [{ kind: 'insert', record: bookingRecord('AAAAAA') }], result: 'booked' }));
    expect(result).toBe('booked');
    expect((await store.get('AAAAAA'))?.code).toBe('AAAAAA');
  }, 60_000);

  it('answers "unavailable" when it did not land, and nothing exists', async () => {
    const schema = started().cluster.newSchema();
    const killer = started().pool(schema);
    const { store } = await started().pgStore(schema, {
      resolveTimeoutMs: 20_000,
      resolveIntervalMs: 100,
      commitHooks: {
        before: async (client) => {
          const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
          await killer.query('SELECT pg_terminate_backend($1)', [pid]);
        },
      },
    });
    await expect(
      store.atomically({ personSinceMs: 0 }, () => ({ writes: [{ kind: 'insert', record: bookingRecord('CCCCCC') }], result: 'booked' })),
    ).rejects.toBeInstanceOf(HallDbUnavailableError);
    expect(await store.get('CCCCCC')).toBeUndefined();
  }, 60_000);
});

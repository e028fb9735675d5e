import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookingRecord, describeBookingStore } from './booking-store-suite.ts';
import { PgTestHall } from './pg-test-hall.ts';

/** The booking store suite on the hall's PostgreSQL: a private cluster for this file, a schema per test. */
let hall: PgTestHall | undefined;
beforeAll(async () => {
  hall = await PgTestHall.start();
});
afterAll(async () => {
  await hall?.close();
});

function started(): PgTestHall {
  if (!hall) throw new Error('the test cluster is not started');
  return hall;
}

describeBookingStore('PgBookingStore', () => ({
  fresh: () => started().store(),
  shared: () => {
    const schema = started().cluster.newSchema();
    return Promise.resolve({
      open: () => started().store(schema),
      worker: { kind: 'postgres', url: started().cluster.url, schema },
    });
  },
}));

describe('PgBookingStore constraints', () => {
  it('refuses a second active booking of one person for one service even when the plan allows it', async () => {
    const store = started().store();
    await store.atomically({ personSinceMs: 0 }, () => ({ writes: [{ kind: 'insert', record: bookingRecord('AAAAAA', { createdMs: 10 }) }], result: 1 }));
    const second = bookingRecord('CCCCCC', { createdMs: 10, startMs: bookingRecord('X').startMs + 1_800_000 });
    await expect(store.atomically({ personSinceMs: 0 }, () => ({ writes: [{ kind: 'insert', record: second }], result: 1 }))).rejects.toThrow('booking_hold');
    // Once the first is over (check-in window closed), the hold passes to a new booking.
    const later = bookingRecord('HHHHHH', { createdMs: bookingRecord('X').checkInCloseMs + 1 });
    await store.atomically({ personSinceMs: 0 }, () => ({ writes: [{ kind: 'insert', record: later }], result: 1 }));
    expect((await store.listByPerson('k', 0)).map((r) => r.code)).toEqual(['AAAAAA', 'HHHHHH']);
  });
});

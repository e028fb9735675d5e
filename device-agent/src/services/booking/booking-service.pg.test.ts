/**
 * The booking service's whole behaviour suite (booking-service.test.ts), run once more with
 * every booking kept in the hall's PostgreSQL instead of SQLite (issue 14): one private cluster
 * for this file, a fresh schema for each service under test.
 */
import { afterAll, beforeAll } from 'vitest';
import { PgTestHall } from '../../store/pg-test-hall.ts';
import { setDefaultTestBookingStore } from './booking-test-support.ts';
import './booking-service.test.ts';
import './queue-ticket.test.ts';

let hall: PgTestHall | undefined;
let restoreStore: (() => void) | undefined;

beforeAll(async () => {
  const started = await PgTestHall.start();
  hall = started;
  restoreStore = setDefaultTestBookingStore(() => started.store());
});

// Whatever runs after this file in its process gets the SQLite default again.
afterAll(async () => {
  restoreStore?.();
  await hall?.close();
});

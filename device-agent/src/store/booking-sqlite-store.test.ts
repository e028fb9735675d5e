import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { openBookingTestDatabase } from './booking-test-db.ts';
import { SqliteBookingStore } from './booking-sqlite-store.ts';
import { describeBookingStore } from './booking-store-suite.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'booking-race-'));
  dirs.push(dir);
  return join(dir, 'agent.db');
}

describeBookingStore('SqliteBookingStore', () => ({
  fresh: () => new SqliteBookingStore(openBookingTestDatabase()),
  shared: () => {
    const path = tempDb();
    openBookingTestDatabase(path).close();
    return Promise.resolve({
      open: () => new SqliteBookingStore(openBookingTestDatabase(path, { migrate: false })),
      worker: { kind: 'sqlite', path },
    });
  },
}));

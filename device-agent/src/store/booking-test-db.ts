import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { bookingMigrations } from './booking-migrations.ts';

/**
 * A connection with the booking tables, for tests and the bench only. The agent
 * opens its database through store/db.ts, whose migrations runner applies
 * `bookingMigrations` together with everybody else's.
 */
export function openBookingTestDatabase(path = ':memory:', options: { migrate?: boolean } = {}): Database {
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 10000');
  db.pragma('synchronous = NORMAL');
  if (options.migrate ?? true) {
    db.transaction(() => {
      for (const m of bookingMigrations) db.exec(m.sql);
    }).immediate();
  }
  return db;
}

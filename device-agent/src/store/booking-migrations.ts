import type { MigrationSet } from './db.ts';

/**
 * Schema of the booking tables, as an ordered list of migrations for the store's
 * migrations runner (store/db.ts). Ids are stable: never edit an applied migration, add one.
 */
export interface BookingMigration {
  readonly id: string;
  readonly sql: string;
}

export const bookingMigrations: readonly BookingMigration[] = [
  {
    id: 'booking-001-create',
    sql: `
CREATE TABLE booking (
  code              TEXT    PRIMARY KEY,
  service_id        TEXT    NOT NULL,
  window_id         TEXT    NOT NULL,
  person_key        TEXT    NOT NULL,
  masked_name       TEXT    NOT NULL,
  start_ms          INTEGER NOT NULL,
  end_ms            INTEGER NOT NULL,
  date              TEXT    NOT NULL,
  check_in_open_ms  INTEGER NOT NULL,
  check_in_close_ms INTEGER NOT NULL,
  status            TEXT    NOT NULL CHECK (status IN ('booked', 'checkedIn', 'cancelled')),
  created_ms        INTEGER NOT NULL,
  updated_ms        INTEGER NOT NULL,
  checked_in_ms     INTEGER,
  cancelled_ms      INTEGER,
  reschedule_count  INTEGER NOT NULL DEFAULT 0,
  terminal_id       TEXT    NOT NULL
) STRICT;
CREATE INDEX booking_slot   ON booking (service_id, start_ms) WHERE status <> 'cancelled';
CREATE INDEX booking_person ON booking (person_key, start_ms);
CREATE INDEX booking_date   ON booking (date, start_ms);
`,
  },
  {
    // Queue tickets (排队号), as in the hall database (hall-migrations.ts): one counter per service and day.
    id: 'booking-002-queue',
    sql: `
CREATE TABLE queue_counter (
  service_id  TEXT    NOT NULL,
  day         TEXT    NOT NULL,
  last_number INTEGER NOT NULL,
  PRIMARY KEY (service_id, day)
) STRICT;
CREATE TABLE queue_ticket (
  service_id   TEXT    NOT NULL,
  day          TEXT    NOT NULL,
  number       INTEGER NOT NULL,
  booking_code TEXT    UNIQUE REFERENCES booking (code),
  window_id    TEXT    NOT NULL,
  status       TEXT    NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'called', 'done', 'skipped')),
  issued_ms    INTEGER NOT NULL,
  called_ms    INTEGER,
  terminal_id  TEXT    NOT NULL,
  PRIMARY KEY (service_id, day, number)
) STRICT;
CREATE INDEX queue_ticket_waiting ON queue_ticket (service_id, day, number) WHERE status = 'waiting';
`,
  },
];

/** The booking module's set for the store's migrations runner (store/db.ts `openStore`). */
export const bookingMigrationSet = { module: 'booking', migrations: bookingMigrations } as const satisfies MigrationSet;

import type { HallMigration } from './hall-db.ts';

/**
 * The hall database's schema (PostgreSQL), in order. Ids are stable: never edit an applied
 * migration, add one. The booking columns mirror the terminal's SQLite table
 * (booking-migrations.ts) so that both stores hold the same record.
 */
export const hallMigrations: readonly HallMigration[] = [
  {
    id: 'hall-001-booking',
    sql: `
CREATE TABLE hall_secret (
  name       text        PRIMARY KEY,
  secret     bytea       NOT NULL CHECK (length(secret) >= 16),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE booking (
  code              text    PRIMARY KEY,
  service_id        text    NOT NULL,
  window_id         text    NOT NULL,
  person_key        text    NOT NULL,
  masked_name       text    NOT NULL,
  start_ms          bigint  NOT NULL,
  end_ms            bigint  NOT NULL,
  date              text    NOT NULL CHECK (date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  check_in_open_ms  bigint  NOT NULL,
  check_in_close_ms bigint  NOT NULL,
  status            text    NOT NULL CHECK (status IN ('booked', 'checkedIn', 'cancelled')),
  created_ms        bigint  NOT NULL,
  updated_ms        bigint  NOT NULL,
  checked_in_ms     bigint,
  cancelled_ms      bigint,
  reschedule_count  integer NOT NULL DEFAULT 0,
  terminal_id       text    NOT NULL
);
CREATE INDEX booking_slot   ON booking (service_id, start_ms) WHERE status <> 'cancelled';
CREATE INDEX booking_person ON booking (person_key, start_ms);
CREATE INDEX booking_date   ON booking (date, start_ms);

-- One person, one active booking per service, as a constraint and not only a check: the row of
-- (person, service) names the booking that holds it. Reserve claims it (taking it over only from a
-- booking that is no longer active); cancel and check-in release it. Two terminals racing for the
-- same person therefore cannot both commit, whatever the application code decides.
CREATE TABLE booking_hold (
  person_key text NOT NULL,
  service_id text NOT NULL,
  code       text NOT NULL REFERENCES booking (code),
  PRIMARY KEY (person_key, service_id)
);

-- Queue tickets (排队号), one sequence per service and day. The counter row is locked by the
-- increment, so numbers are unique and increasing (and gap-free) across every terminal.
CREATE TABLE queue_counter (
  service_id  text    NOT NULL,
  day         text    NOT NULL,
  last_number integer NOT NULL,
  PRIMARY KEY (service_id, day)
);
-- A hall calling system takes the next ticket with
--   SELECT … FROM queue_ticket WHERE service_id = $1 AND day = $2 AND status = 'waiting'
--   ORDER BY number LIMIT 1 FOR UPDATE SKIP LOCKED
-- so two windows calling at once never get the same ticket (queue_ticket_waiting serves it).
CREATE TABLE queue_ticket (
  service_id   text    NOT NULL,
  day          text    NOT NULL,
  number       integer NOT NULL,
  booking_code text    UNIQUE REFERENCES booking (code),
  window_id    text    NOT NULL,
  status       text    NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'called', 'done', 'skipped')),
  issued_ms    bigint  NOT NULL,
  called_ms    bigint,
  terminal_id  text    NOT NULL,
  PRIMARY KEY (service_id, day, number)
);
CREATE INDEX queue_ticket_waiting ON queue_ticket (service_id, day, number) WHERE status = 'waiting';
`,
  },
  {
    id: 'hall-002-terminal-heartbeat',
    sql: `
-- Each terminal's last heartbeat (every 15 s; issue 14): Hall.Status shows a terminal silent after 60 s.
-- One row per terminal id; instance_id is stable per installation, so a second machine reporting
-- under an id already in use is seen (its instance differs from the one that wrote recently).
CREATE TABLE terminal_heartbeat (
  terminal_id text   PRIMARY KEY,
  reported_ms bigint NOT NULL,
  instance_id text   NOT NULL,
  report      jsonb  NOT NULL
);
`,
  },
  {
    id: 'hall-003-staff-register',
    sql: `
-- The hall's staff register (issue 14; services/staff/pg-register.ts): one register for every terminal,
-- the same columns as the terminal's SQLite staff_member (services/staff/register.ts). key is the
-- HMAC of the ID number under the hall's secret (hall_secret 'booking-person-key', staff-key.ts), so
-- a card registered once is recognised at every terminal. No ID number and no PIN in clear.
CREATE TABLE staff_member (
  key             text    PRIMARY KEY,
  name            text    NOT NULL,
  role            text    NOT NULL CHECK (role IN ('staff', 'technician')),
  pin_hash        text    NOT NULL,
  failed_attempts integer NOT NULL DEFAULT 0,
  lockouts        integer NOT NULL DEFAULT 0,
  locked_until    bigint  NOT NULL DEFAULT 0,
  created_at      bigint  NOT NULL
);
`,
  },
];

import type { StaffRole } from '@onevisit/protocol';
import type { MigrationSet, SqliteDatabase } from '../../store/db.ts';
import { NO_LOCKOUT, type LockoutState } from './lockout.ts';

/**
 * The staff register: who may sign in as staff on this hall's terminals. It holds no ID number and
 * no PIN in clear: the HMAC of the ID number (staff-key.ts), the scrypt hash of the PIN (pin.ts),
 * the name (shown on the staff screen only), the role and the lockout counters.
 *
 * An interface: the terminal's SQLite store holds it (SqliteStaffRegister), or with `--hall-db` the
 * hall database for every terminal of the hall (PgStaffRegister, pg-register.ts, migration hall-003).
 */
export type StaffMember = {
  readonly key: string;
  readonly name: string;
  readonly role: StaffRole;
  readonly pinHash: string;
  readonly lockout: LockoutState;
  readonly createdAtMs: number;
};

export interface StaffRegister {
  find(key: string): Promise<StaffMember | undefined>;
  list(): Promise<StaffMember[]>;
  /** False when the key is already registered. */
  add(member: Omit<StaffMember, 'lockout'>): Promise<boolean>;
  /** False when there was no such member. */
  remove(key: string): Promise<boolean>;
  /** New PIN hash; clears the lockout. False when there was no such member. */
  setPin(key: string, pinHash: string): Promise<boolean>;
  setLockout(key: string, lockout: LockoutState): Promise<boolean>;
  count(): Promise<number>;
}

export const staffMigrations: MigrationSet = {
  module: 'staff',
  migrations: [
    {
      id: '001-staff-register',
      sql: `
CREATE TABLE staff_member (
  key             TEXT PRIMARY KEY,
  name            TEXT NOT NULL,
  role            TEXT NOT NULL CHECK (role IN ('staff', 'technician')),
  pin_hash        TEXT NOT NULL,
  failed_attempts INTEGER NOT NULL DEFAULT 0,
  lockouts        INTEGER NOT NULL DEFAULT 0,
  locked_until    INTEGER NOT NULL DEFAULT 0,
  created_at      INTEGER NOT NULL
) STRICT;`,
    },
  ],
};

export type StaffRow = { key: string; name: string; role: string; pin_hash: string; failed_attempts: number; lockouts: number; locked_until: number; created_at: number };

export function toMember(row: StaffRow): StaffMember {
  return {
    key: row.key,
    name: row.name,
    role: row.role === 'technician' ? 'technician' : 'staff',
    pinHash: row.pin_hash,
    lockout: { failedAttempts: row.failed_attempts, lockouts: row.lockouts, lockedUntilMs: row.locked_until },
    createdAtMs: row.created_at,
  };
}

/** The register in the terminal's SQLite store (store/db.ts, `staffMigrations`). */
export class SqliteStaffRegister implements StaffRegister {
  readonly #db: SqliteDatabase;
  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  find(key: string): Promise<StaffMember | undefined> {
    const row = this.#db.prepare<[string], StaffRow>('SELECT * FROM staff_member WHERE key = ?').get(key);
    return Promise.resolve(row ? toMember(row) : undefined);
  }

  list(): Promise<StaffMember[]> {
    return Promise.resolve(this.#db.prepare<[], StaffRow>('SELECT * FROM staff_member ORDER BY created_at, name').all().map(toMember));
  }

  add(member: Omit<StaffMember, 'lockout'>): Promise<boolean> {
    const result = this.#db
      .prepare<[string, string, string, string, number]>('INSERT OR IGNORE INTO staff_member (key, name, role, pin_hash, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(member.key, member.name, member.role, member.pinHash, member.createdAtMs);
    return Promise.resolve(result.changes === 1);
  }

  remove(key: string): Promise<boolean> {
    return Promise.resolve(this.#db.prepare<[string]>('DELETE FROM staff_member WHERE key = ?').run(key).changes === 1);
  }

  setPin(key: string, pinHash: string): Promise<boolean> {
    const result = this.#db
      .prepare<[string, number, number, number, string]>('UPDATE staff_member SET pin_hash = ?, failed_attempts = ?, lockouts = ?, locked_until = ? WHERE key = ?')
      .run(pinHash, NO_LOCKOUT.failedAttempts, NO_LOCKOUT.lockouts, NO_LOCKOUT.lockedUntilMs, key);
    return Promise.resolve(result.changes === 1);
  }

  setLockout(key: string, lockout: LockoutState): Promise<boolean> {
    const result = this.#db
      .prepare<[number, number, number, string]>('UPDATE staff_member SET failed_attempts = ?, lockouts = ?, locked_until = ? WHERE key = ?')
      .run(lockout.failedAttempts, lockout.lockouts, lockout.lockedUntilMs, key);
    return Promise.resolve(result.changes === 1);
  }

  count(): Promise<number> {
    return Promise.resolve(this.#db.prepare<[], { n: number }>('SELECT count(*) AS n FROM staff_member').get()?.n ?? 0);
  }
}

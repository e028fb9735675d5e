import type pg from 'pg';
import { asHallDbError } from '../../store/hall-db.ts';
import { NO_LOCKOUT, type LockoutState } from './lockout.ts';
import { toMember, type StaffMember, type StaffRegister, type StaffRow } from './register.ts';

/** node-postgres returns bigint columns as strings: the same row as SQLite's, in numbers. */
type PgStaffRow = { [K in keyof StaffRow]: StaffRow[K] extends number ? number | string : StaffRow[K] };

function fromPg(row: PgStaffRow): StaffMember {
  return toMember({
    ...row,
    failed_attempts: Number(row.failed_attempts),
    lockouts: Number(row.lockouts),
    locked_until: Number(row.locked_until),
    created_at: Number(row.created_at),
  });
}

/**
 * The hall's staff register in PostgreSQL (`--hall-db`, issue 14; table from hall-003): one register
 * for every terminal, so a staff member registered once signs in anywhere in the hall, and a lockout
 * earned at one terminal holds at the others. `ready` waits until the hall's migrations have run
 * (hall-connection.ts); a lost connection answers HallDbUnavailableError, which the staff service
 * treats as "register unavailable" (the card is a citizen's card meanwhile).
 */
export class PgStaffRegister implements StaffRegister {
  readonly #pool: pg.Pool;
  readonly #ready: () => Promise<void>;

  constructor(pool: pg.Pool, ready: () => Promise<void> = () => Promise.resolve()) {
    this.#pool = pool;
    this.#ready = ready;
  }

  async #query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    try {
      await this.#ready();
      return await this.#pool.query<R>(sql, params);
    } catch (error) {
      throw asHallDbError(error);
    }
  }

  async find(key: string): Promise<StaffMember | undefined> {
    const row = (await this.#query<PgStaffRow>('SELECT * FROM staff_member WHERE key = $1', [key])).rows[0];
    return row ? fromPg(row) : undefined;
  }

  async list(): Promise<StaffMember[]> {
    return (await this.#query<PgStaffRow>('SELECT * FROM staff_member ORDER BY created_at, name')).rows.map(fromPg);
  }

  async add(member: Omit<StaffMember, 'lockout'>): Promise<boolean> {
    const result = await this.#query('INSERT INTO staff_member (key, name, role, pin_hash, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO NOTHING', [
      member.key,
      member.name,
      member.role,
      member.pinHash,
      member.createdAtMs,
    ]);
    return result.rowCount === 1;
  }

  async remove(key: string): Promise<boolean> {
    return (await this.#query('DELETE FROM staff_member WHERE key = $1', [key])).rowCount === 1;
  }

  async setPin(key: string, pinHash: string): Promise<boolean> {
    const result = await this.#query('UPDATE staff_member SET pin_hash = $1, failed_attempts = $2, lockouts = $3, locked_until = $4 WHERE key = $5', [
      pinHash,
      NO_LOCKOUT.failedAttempts,
      NO_LOCKOUT.lockouts,
      NO_LOCKOUT.lockedUntilMs,
      key,
    ]);
    return result.rowCount === 1;
  }

  async setLockout(key: string, lockout: LockoutState): Promise<boolean> {
    const result = await this.#query('UPDATE staff_member SET failed_attempts = $1, lockouts = $2, locked_until = $3 WHERE key = $4', [
      lockout.failedAttempts,
      lockout.lockouts,
      lockout.lockedUntilMs,
      key,
    ]);
    return result.rowCount === 1;
  }

  async count(): Promise<number> {
    return Number((await this.#query<{ n: string }>('SELECT count(*) AS n FROM staff_member')).rows[0]?.n ?? 0);
  }
}

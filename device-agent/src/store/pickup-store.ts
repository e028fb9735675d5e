/**
 * The certificate cabinet's contents (issue 13) in the terminal's SQLite store: compartments as
 * the layout names them, and the items in them. Personal data is never stored: the holder is
 * the hall's HMAC of the ID number (services/booking/person-key.ts), the pickup code only as an
 * HMAC. One active item per compartment is enforced by the schema (a partial unique index), so
 * two deposits can never share a compartment and an item is never in two.
 *
 * Item states (the service's state machine, persisted before each unlock so a crash is
 * reconciled from the board's sensors, see pickup-service.ts):
 *   depositing → waiting → collecting → collected
 *                        ↘ recovering → recovered
 *   collecting/recovering → waiting (door closed with the item inside)
 *   any active → check (the sensors cannot settle it: staff look)
 * A deposit whose door closes empty is deleted: nothing was recorded.
 */
import type { MigrationSet, SqliteDatabase } from './db.ts';

export const ITEM_STATES = ['depositing', 'waiting', 'collecting', 'recovering', 'check', 'collected', 'recovered'] as const;
export type ItemState = (typeof ITEM_STATES)[number];
export const ACTIVE_ITEM_STATES: readonly ItemState[] = ['depositing', 'waiting', 'collecting', 'recovering', 'check'];

const ACTIVE_SQL = `('depositing', 'waiting', 'collecting', 'recovering', 'check')`;

export const pickupMigrations: MigrationSet = {
  module: 'pickup',
  migrations: [
    {
      id: '001-cabinet',
      sql: `
CREATE TABLE pickup_compartment (
  slot      TEXT    PRIMARY KEY,
  board     INTEGER NOT NULL,
  lock      INTEGER NOT NULL,
  size      TEXT    NOT NULL CHECK (size IN ('S', 'M', 'L')),
  fault     INTEGER NOT NULL DEFAULT 0 CHECK (fault IN (0, 1)),
  in_layout INTEGER NOT NULL DEFAULT 1 CHECK (in_layout IN (0, 1))
) STRICT;
CREATE TABLE pickup_item (
  id           TEXT    PRIMARY KEY,
  reference    TEXT    NOT NULL,
  person_key   TEXT    NOT NULL,
  title        TEXT    NOT NULL,
  slot         TEXT    NOT NULL REFERENCES pickup_compartment (slot),
  code_hash    TEXT    NOT NULL,
  state        TEXT    NOT NULL CHECK (state IN ('depositing', 'waiting', 'collecting', 'recovering', 'check', 'collected', 'recovered')),
  created_at   INTEGER NOT NULL,
  deposited_at INTEGER,
  ended_at     INTEGER
) STRICT;
CREATE UNIQUE INDEX pickup_item_one_per_slot ON pickup_item (slot) WHERE state IN ${ACTIVE_SQL};
CREATE INDEX pickup_item_person ON pickup_item (person_key, state);
CREATE INDEX pickup_item_code ON pickup_item (code_hash, state);
CREATE TABLE pickup_code_guard (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  failures     INTEGER NOT NULL,
  locked_until INTEGER NOT NULL
) STRICT;
INSERT INTO pickup_code_guard (id, failures, locked_until) VALUES (1, 0, 0);
`,
    },
    {
      // XFS4IoT `manipulated` for a compartment: its door was opened, or its sensors disagreed with
      // the record, outside a storage exchange; cleared when staff end an exchange on it and the
      // sensors agree (issue 13, loading inside an exchange).
      id: '002-compartment-manipulated',
      sql: `ALTER TABLE pickup_compartment ADD COLUMN manipulated INTEGER NOT NULL DEFAULT 0 CHECK (manipulated IN (0, 1));`,
    },
  ],
};

export interface CompartmentRow {
  slot: string;
  board: number;
  lock: number;
  size: 'S' | 'M' | 'L';
  fault: boolean;
  /** Touched outside a storage exchange: the record cannot be trusted until an exchange ends on it. */
  manipulated: boolean;
  inLayout: boolean;
}

export interface ItemRow {
  id: string;
  reference: string;
  personKey: string;
  title: string;
  slot: string;
  codeHash: string;
  state: ItemState;
  createdAt: number;
  depositedAt: number | null;
  endedAt: number | null;
}

type RawCompartment = { slot: string; board: number; lock: number; size: 'S' | 'M' | 'L'; fault: number; in_layout: number; manipulated: number };
type RawItem = {
  id: string;
  reference: string;
  person_key: string;
  title: string;
  slot: string;
  code_hash: string;
  state: ItemState;
  created_at: number;
  deposited_at: number | null;
  ended_at: number | null;
};

const toCompartment = (r: RawCompartment): CompartmentRow => ({
  slot: r.slot,
  board: r.board,
  lock: r.lock,
  size: r.size,
  fault: r.fault === 1,
  inLayout: r.in_layout === 1,
  manipulated: r.manipulated === 1,
});
const toItem = (r: RawItem): ItemRow => ({
  id: r.id,
  reference: r.reference,
  personKey: r.person_key,
  title: r.title,
  slot: r.slot,
  codeHash: r.code_hash,
  state: r.state,
  createdAt: r.created_at,
  depositedAt: r.deposited_at,
  endedAt: r.ended_at,
});

export type NewItem = Pick<ItemRow, 'id' | 'reference' | 'personKey' | 'title' | 'slot' | 'codeHash'>;

export class PickupStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  /** Runs `fn` in one transaction (with the audit rows it appends). */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  /**
   * Makes the table follow the layout: new slots are added, changed ones updated, slots no longer
   * in the layout are kept (an item may still be recorded in them) but marked out of the layout.
   */
  syncLayout(compartments: readonly { slot: string; board: number; lock: number; size: 'S' | 'M' | 'L' }[]): void {
    this.transaction(() => {
      this.#db.prepare('UPDATE pickup_compartment SET in_layout = 0').run();
      const upsert = this.#db.prepare<[string, number, number, string]>(
        `INSERT INTO pickup_compartment (slot, board, lock, size, fault, in_layout) VALUES (?, ?, ?, ?, 0, 1)
         ON CONFLICT (slot) DO UPDATE SET board = excluded.board, lock = excluded.lock, size = excluded.size, in_layout = 1`,
      );
      for (const c of compartments) upsert.run(c.slot, c.board, c.lock, c.size);
    });
  }

  compartments(): CompartmentRow[] {
    return this.#db.prepare<[], RawCompartment>('SELECT * FROM pickup_compartment ORDER BY slot').all().map(toCompartment);
  }

  compartment(slot: string): CompartmentRow | undefined {
    const row = this.#db.prepare<[string], RawCompartment>('SELECT * FROM pickup_compartment WHERE slot = ?').get(slot);
    return row === undefined ? undefined : toCompartment(row);
  }

  setFault(slot: string, fault: boolean): void {
    this.#db.prepare<[number, string]>('UPDATE pickup_compartment SET fault = ? WHERE slot = ?').run(fault ? 1 : 0, slot);
  }

  /** Touched outside a storage exchange (set), or checked at the end of one (cleared). */
  setManipulated(slot: string, manipulated: boolean): void {
    this.#db.prepare<[number, string]>('UPDATE pickup_compartment SET manipulated = ? WHERE slot = ?').run(manipulated ? 1 : 0, slot);
  }

  /** Free compartments (in the layout, no fault, no active item) of at least `minRank`, smallest first. */
  freeCompartments(): CompartmentRow[] {
    return this.#db
      .prepare<[], RawCompartment>(
        `SELECT c.* FROM pickup_compartment c
         WHERE c.in_layout = 1 AND c.fault = 0
           AND NOT EXISTS (SELECT 1 FROM pickup_item i WHERE i.slot = c.slot AND i.state IN ${ACTIVE_SQL})
         ORDER BY CASE c.size WHEN 'S' THEN 0 WHEN 'M' THEN 1 ELSE 2 END, c.slot`,
      )
      .all()
      .map(toCompartment);
  }

  /** Inserts a `depositing` item; false if the slot holds an active item already (the index says so). */
  beginDeposit(item: NewItem, nowMs: number): boolean {
    try {
      this.#db
        .prepare<[string, string, string, string, string, string, number]>(
          `INSERT INTO pickup_item (id, reference, person_key, title, slot, code_hash, state, created_at) VALUES (?, ?, ?, ?, ?, ?, 'depositing', ?)`,
        )
        .run(item.id, item.reference, item.personKey, item.title, item.slot, item.codeHash, nowMs);
      return true;
    } catch (error) {
      if (typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE') return false;
      throw error;
    }
  }

  /** Deletes a deposit that never held anything. */
  dropDeposit(id: string): void {
    this.#db.prepare<[string]>(`DELETE FROM pickup_item WHERE id = ? AND state = 'depositing'`).run(id);
  }

  item(id: string): ItemRow | undefined {
    const row = this.#db.prepare<[string], RawItem>('SELECT * FROM pickup_item WHERE id = ?').get(id);
    return row === undefined ? undefined : toItem(row);
  }

  activeItemIn(slot: string): ItemRow | undefined {
    const row = this.#db.prepare<[string], RawItem>(`SELECT * FROM pickup_item WHERE slot = ? AND state IN ${ACTIVE_SQL}`).get(slot);
    return row === undefined ? undefined : toItem(row);
  }

  /**
   * Moves an item from one state to another, only if it is in `from` (compare-and-set): two
   * terminals or two taps can never both start collecting the same item. Returns whether it moved.
   */
  transition(id: string, from: readonly ItemState[], to: ItemState, nowMs: number): boolean {
    const ended = to === 'collected' || to === 'recovered';
    const placeholders = from.map(() => '?').join(', ');
    const result = this.#db
      .prepare(
        `UPDATE pickup_item SET state = ?,
           deposited_at = CASE WHEN ? = 'waiting' AND deposited_at IS NULL THEN ? ELSE deposited_at END,
           ended_at = CASE WHEN ? THEN ? ELSE ended_at END
         WHERE id = ? AND state IN (${placeholders})`,
      )
      .run(to, to, nowMs, ended ? 1 : 0, nowMs, id, ...from);
    return result.changes === 1;
  }

  itemsOfPerson(personKey: string): ItemRow[] {
    return this.#db.prepare<[string], RawItem>(`SELECT * FROM pickup_item WHERE person_key = ? AND state = 'waiting' ORDER BY deposited_at`).all(personKey).map(toItem);
  }

  itemsWithCode(codeHash: string): ItemRow[] {
    return this.#db.prepare<[string], RawItem>(`SELECT * FROM pickup_item WHERE code_hash = ? AND state = 'waiting'`).all(codeHash).map(toItem);
  }

  /** Whether any active item already uses this code (codes must be unique while they can be used). */
  codeInUse(codeHash: string): boolean {
    return this.#db.prepare<[string], { one: number }>(`SELECT 1 AS one FROM pickup_item WHERE code_hash = ? AND state IN ${ACTIVE_SQL}`).get(codeHash) !== undefined;
  }

  itemsInState(states: readonly ItemState[]): ItemRow[] {
    const placeholders = states.map(() => '?').join(', ');
    return this.#db.prepare<string[], RawItem>(`SELECT * FROM pickup_item WHERE state IN (${placeholders}) ORDER BY created_at`).all(...states).map(toItem);
  }

  waitingDepositedBefore(cutoffMs: number): ItemRow[] {
    return this.#db.prepare<[number], RawItem>(`SELECT * FROM pickup_item WHERE state = 'waiting' AND deposited_at < ? ORDER BY deposited_at`).all(cutoffMs).map(toItem);
  }

  codeGuard(): { failures: number; lockedUntilMs: number } {
    const row = this.#db.prepare<[], { failures: number; locked_until: number }>('SELECT failures, locked_until FROM pickup_code_guard WHERE id = 1').get();
    return { failures: row?.failures ?? 0, lockedUntilMs: row?.locked_until ?? 0 };
  }

  setCodeGuard(failures: number, lockedUntilMs: number): void {
    this.#db.prepare<[number, number]>('UPDATE pickup_code_guard SET failures = ?, locked_until = ? WHERE id = 1').run(failures, lockedUntilMs);
  }
}

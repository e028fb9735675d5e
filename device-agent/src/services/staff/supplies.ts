import type { Logger } from 'pino';
import {
  formatShanghaiIsoMs,
  type DeviceId,
  type DeviceStatus,
  type Printing,
  type PrintAvailability,
  type ReceiptBlock,
  type ReceiptDocument,
  type StorageUnit,
  type StorageUnitState,
  type SupplySensorState,
  type SupplySummary,
} from '@onevisit/protocol';
import type { Clock } from '../../clock.ts';
import type { MigrationSet, SqliteDatabase } from '../../store/db.ts';
import type { HallSettings } from './hall-settings.ts';

/**
 * Supplies as storage units (XFS4IoT Storage, issue 12): the receipt roll in millimetres and the A4
 * tray in sheets. A count is an estimate — what staff entered at the last exchange, less what the
 * agent printed since — checked against the printer's own sensor (ESC/POS paper near-end / end,
 * CUPS media-low / media-empty). A sensor that reported "out" and then cleared without an exchange
 * means someone opened the printer: the unit is `manipulated` until staff end an exchange on it.
 */
export const SUPPLY_UNIT_IDS = ['receiptPaper', 'a4Paper'] as const;
export type SupplyUnitId = (typeof SUPPLY_UNIT_IDS)[number];

const UNIT_DEVICE = { receiptPaper: 'receiptPrinter', a4Paper: 'printer' } as const satisfies Record<SupplyUnitId, DeviceId>;

export const supplyMigrations: MigrationSet = {
  module: 'supplies',
  migrations: [
    {
      id: '001-supply-unit',
      sql: `
CREATE TABLE supply_unit (
  id               TEXT PRIMARY KEY,
  count            INTEGER,
  initial_count    INTEGER,
  last_exchange_at INTEGER,
  out_seen         INTEGER NOT NULL DEFAULT 0,
  manipulated      INTEGER NOT NULL DEFAULT 0
) STRICT;`,
    },
  ],
};

type Row = { id: string; count: number | null; initial_count: number | null; last_exchange_at: number | null; out_seen: number; manipulated: number };

// ---------------------------------------------------------------- receipt length estimate

/** Font A on 80 mm paper: 48 columns; ESC 2 default line spacing 1/6 inch = 4.23 mm (ESC/POS command reference, ESC 2). */
const COLUMNS = 48;
const LINE_MM = 4.23;
/** QR: about 29 modules (version 3) × default module 6 dots at 8 dots/mm, plus quiet zone. */
const QR_MM_PER_MODULE_DOT = 29 / 8;
/** The feed before the cut (PROFILE_80MM feedBeforeCutLines = 4) and the margin the cutter leaves. */
const CUT_MM = 4 * LINE_MM + 10;

function widthOf(text: string): number {
  let width = 0;
  for (const ch of text) width += (ch.codePointAt(0) ?? 0) > 0x7f ? 2 : 1;
  return width;
}

function linesOf(text: string, columns: number): number {
  return text.split('\n').reduce((n, line) => n + Math.max(1, Math.ceil(widthOf(line) / columns)), 0);
}

function blockMm(block: ReceiptBlock): number {
  switch (block.kind) {
    case 'text': {
      const wide = block.size === 'double' || block.size === 'wide';
      const tall = block.size === 'double' || block.size === 'tall';
      return linesOf(block.text, wide ? COLUMNS / 2 : COLUMNS) * LINE_MM * (tall ? 2 : 1);
    }
    case 'row':
      return linesOf(`${block.label}  ${block.value}`, COLUMNS) * LINE_MM;
    case 'qr':
      return (block.moduleSize ?? 6) * QR_MM_PER_MODULE_DOT + LINE_MM + (block.caption === undefined ? 0 : linesOf(block.caption, COLUMNS) * LINE_MM);
    case 'separator':
      return LINE_MM;
    case 'feed':
      return block.lines * LINE_MM;
    default: {
      const unreachable: never = block;
      return unreachable;
    }
  }
}

/** About how many millimetres of roll a receipt takes (a conservative estimate; the sensor corrects it). */
export function estimateReceiptMm(receipt: ReceiptDocument): number {
  const title = receipt.title === undefined ? 0 : linesOf(receipt.title, COLUMNS / 2) * LINE_MM * 2;
  return Math.ceil(title + receipt.blocks.reduce((mm, b) => mm + blockMm(b), 0) + CUT_MM);
}

// ---------------------------------------------------------------- the service

export type SupplyNotice = { kind: 'unitsChanged'; units: StorageUnit[] };

export type StartExchangeOutcome = { kind: 'started'; units: StorageUnit[] } | { kind: 'transactionActive' } | { kind: 'exchangeActive' } | { kind: 'unknownUnit' };
/**
 * Units another service owns that an exchange may cover too: the cabinet's compartments
 * (`cabinet.A01`, issue 13). This service only keeps them in the one open exchange; their state and
 * the check at the end belong to their owner.
 */
export interface ExchangeUnits {
  owns(id: string): boolean;
  /** The device they belong to: out of service for citizens while any of them is in the exchange. */
  readonly device: DeviceId;
  /** The largest count staff may enter for one of them. */
  readonly maxCount: number;
}
type Exchange = { units: string[]; startedAtMs: number; other: ExchangeUnits | undefined };
export type EndExchangeOutcome =
  | { kind: 'ended'; units: StorageUnit[] }
  | { kind: 'noExchange' }
  | { kind: 'unknownUnit' }
  | { kind: 'notInExchange' }
  | { kind: 'invalidCount'; unit: string; maxCount: number };

export type SupplyServiceOptions = {
  db: SqliteDatabase;
  clock: Clock;
  settings: () => HallSettings;
  log?: Logger | undefined;
};

export function isSupplyUnitId(id: string): id is SupplyUnitId {
  return (SUPPLY_UNIT_IDS as readonly string[]).includes(id);
}

export class SupplyService {
  readonly #db: SqliteDatabase;
  readonly #clock: Clock;
  readonly #settings: () => HallSettings;
  readonly #log: Logger | undefined;
  readonly #sensors = new Map<SupplyUnitId, SupplySensorState>(SUPPLY_UNIT_IDS.map((id) => [id, 'unknown']));
  readonly #deviceReady = new Map<SupplyUnitId, boolean>(SUPPLY_UNIT_IDS.map((id) => [id, true]));
  readonly #listeners = new Set<(notice: SupplyNotice) => void>();
  #exchange: Exchange | undefined;
  /** Set by the page (Common.SetTransactionState): a citizen transaction is running. */
  #transactionActive = false;

  constructor(options: SupplyServiceOptions) {
    this.#db = options.db;
    this.#clock = options.clock;
    this.#settings = options.settings;
    this.#log = options.log;
    const insert = this.#db.prepare<[string]>('INSERT OR IGNORE INTO supply_unit (id) VALUES (?)');
    for (const id of SUPPLY_UNIT_IDS) insert.run(id);
  }

  onNotice(listener: (notice: SupplyNotice) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get transactionActive(): boolean {
    return this.#transactionActive;
  }

  setTransactionActive(active: boolean): void {
    this.#transactionActive = active;
  }

  get exchange(): { units: string[]; startedAtMs: number } | undefined {
    const exchange = this.#exchange;
    return exchange ? { units: exchange.units, startedAtMs: exchange.startedAtMs } : undefined;
  }

  /** True while the device is in an open exchange: out of service for citizens. */
  inExchange(device: DeviceId): boolean {
    const exchange = this.#exchange;
    return exchange?.units.some((u) => (isSupplyUnitId(u) ? UNIT_DEVICE[u] : exchange.other?.device) === device) ?? false;
  }

  /** True while the unit (a supply or another service's unit) is in the open exchange. */
  unitInExchange(id: string): boolean {
    return this.#exchange?.units.includes(id) ?? false;
  }

  units(): StorageUnit[] {
    return SUPPLY_UNIT_IDS.map((id) => this.unit(id));
  }

  unit(id: SupplyUnitId): StorageUnit {
    const row = this.#row(id);
    const { low, empty, max } = this.#thresholds(id);
    return {
      id,
      kind: id,
      device: UNIT_DEVICE[id],
      countUnit: id === 'receiptPaper' ? 'mm' : 'sheets',
      count: row.count,
      initialCount: row.initial_count,
      thresholds: { low, empty },
      maxCount: max,
      state: this.#stateOf(id, row),
      sensor: this.#sensors.get(id) ?? 'unknown',
      inExchange: this.#exchange?.units.includes(id) ?? false,
      lastExchangeAt: row.last_exchange_at === null ? null : formatShanghaiIsoMs(row.last_exchange_at),
    };
  }

  summaries(): SupplySummary[] {
    return this.units().map((u) => ({ id: u.id, kind: u.kind, state: u.state, inExchange: u.inExchange }));
  }

  /** What citizens get from the printers now (Common.Status `printing`). */
  printing(): Printing {
    return { receipt: this.#availability('receiptPaper'), a4: this.#availability('a4Paper') };
  }

  /** A device's status changed: its paper sensor, and whether it can print at all. */
  deviceStatus(status: DeviceStatus): void {
    const id = (Object.keys(UNIT_DEVICE) as SupplyUnitId[]).find((u) => UNIT_DEVICE[u] === status.device);
    if (id === undefined) return;
    const before = this.#sensors.get(id) ?? 'unknown';
    const sensor: SupplySensorState =
      status.reason === 'paperOut' ? 'out' : status.reason === 'paperLow' ? 'low' : status.state === 'online' || status.state === 'busy' ? 'ok' : before === 'unknown' ? 'unknown' : before;
    this.#deviceReady.set(id, status.state === 'online' || status.state === 'busy');
    if (sensor === before) return;
    this.#sensors.set(id, sensor);
    const inExchange = this.#exchange?.units.includes(id) ?? false;
    if (sensor === 'out' && !inExchange) {
      this.#db.prepare<[string]>('UPDATE supply_unit SET out_seen = 1 WHERE id = ?').run(id);
    } else if (before === 'out' && sensor !== 'out' && !inExchange && this.#row(id).out_seen === 1) {
      // Out, then back without an exchange: someone opened the printer and put paper in (or pulled it).
      this.#db.prepare<[string]>('UPDATE supply_unit SET manipulated = 1, out_seen = 0 WHERE id = ?').run(id);
      this.#log?.warn({ unit: id }, 'supply unit manipulated outside an exchange');
    }
    this.#notify();
  }

  /** A receipt was printed: its estimated length comes off the roll. */
  receiptPrinted(receipt: ReceiptDocument): void {
    this.#consume('receiptPaper', estimateReceiptMm(receipt));
  }

  /** A4 pages came out. */
  a4Printed(sheets: number): void {
    this.#consume('a4Paper', sheets);
  }

  /**
   * `citizenActive`: a citizen session is open (a card was read) — XFS4IoT refuses an exchange during
   * a transaction. `other`: the owner of any non-supply ids (the cabinet's compartments).
   */
  startExchange(ids: readonly string[], citizenActive: boolean, other?: ExchangeUnits): StartExchangeOutcome {
    if (this.#transactionActive || citizenActive) return { kind: 'transactionActive' };
    if (this.#exchange) return { kind: 'exchangeActive' };
    if (!ids.every((id) => isSupplyUnitId(id) || other?.owns(id) === true)) return { kind: 'unknownUnit' };
    this.#exchange = { units: [...new Set(ids)], startedAtMs: this.#clock.now(), other: ids.some((id) => !isSupplyUnitId(id)) ? other : undefined };
    this.#notify();
    return { kind: 'started', units: this.units() };
  }

  endExchange(ids: readonly string[], counts: Readonly<Record<string, number>>, other?: ExchangeUnits): EndExchangeOutcome {
    const exchange = this.#exchange;
    if (!exchange) return { kind: 'noExchange' };
    const known = (id: string): boolean => isSupplyUnitId(id) || other?.owns(id) === true;
    if (!ids.every(known) || !Object.keys(counts).every(known)) return { kind: 'unknownUnit' };
    const ending = [...new Set(ids)];
    if (!ending.every((id) => exchange.units.includes(id)) || !Object.keys(counts).every((id) => ending.includes(id))) return { kind: 'notInExchange' };
    for (const id of ending) {
      const count = counts[id];
      const max = isSupplyUnitId(id) ? this.#thresholds(id).max : (other?.maxCount ?? 0);
      if (count !== undefined && count > max) return { kind: 'invalidCount', unit: id, maxCount: max };
    }
    const nowMs = this.#clock.now();
    const update = this.#db.prepare<[number | null, number | null, number, string]>(
      'UPDATE supply_unit SET count = coalesce(?, count), initial_count = coalesce(?, initial_count), last_exchange_at = ?, out_seen = 0, manipulated = 0 WHERE id = ?',
    );
    this.#db.transaction(() => {
      for (const id of ending) {
        if (!isSupplyUnitId(id)) continue; // the owner keeps its units' state
        const count = counts[id];
        update.run(count ?? null, count ?? null, nowMs, id);
      }
    })();
    this.#keepOnly(exchange.units.filter((u) => !ending.includes(u)));
    this.#notify();
    return { kind: 'ended', units: this.units() };
  }

  /**
   * Drops another service's units from the open exchange without a count (the staff member who
   * loaded the cabinet signed out, or a deposit's own exchange is over); returns the ids dropped.
   */
  leaveExchange(device: DeviceId): string[] {
    const exchange = this.#exchange;
    if (!exchange?.other || exchange.other.device !== device) return [];
    const dropped = exchange.units.filter((u) => !isSupplyUnitId(u));
    this.#keepOnly(exchange.units.filter(isSupplyUnitId));
    this.#notify();
    return dropped;
  }

  #keepOnly(left: string[]): void {
    const exchange = this.#exchange;
    if (!exchange) return;
    this.#exchange = left.length > 0 ? { ...exchange, units: left, other: left.every(isSupplyUnitId) ? undefined : exchange.other } : undefined;
  }

  #consume(id: SupplyUnitId, amount: number): void {
    if (amount <= 0) return;
    this.#db.prepare<[number, string]>('UPDATE supply_unit SET count = max(0, count - ?) WHERE id = ? AND count IS NOT NULL').run(Math.round(amount), id);
    this.#notify();
  }

  #availability(id: SupplyUnitId): PrintAvailability {
    if (this.#exchange?.units.includes(id)) return { available: false, reason: 'exchange' };
    if (this.unit(id).state === 'empty') return { available: false, reason: 'paperEmpty' };
    if (this.#deviceReady.get(id) === false) return { available: false, reason: 'deviceNotReady' };
    return { available: true, reason: 'ok' };
  }

  #thresholds(id: SupplyUnitId): { low: number; empty: number; max: number } {
    const s = this.#settings().supplies;
    return id === 'receiptPaper'
      ? { low: s.receiptPaper.lowMm, empty: s.receiptPaper.emptyMm, max: s.receiptPaper.fullMm }
      : { low: s.a4Paper.lowSheets, empty: s.a4Paper.emptySheets, max: s.a4Paper.fullSheets };
  }

  #stateOf(id: SupplyUnitId, row: Row): StorageUnitState {
    const sensor = this.#sensors.get(id) ?? 'unknown';
    if (sensor === 'out') return 'empty';
    if (row.manipulated === 1) return 'manipulated';
    const { low, empty } = this.#thresholds(id);
    if (row.count === null) return sensor === 'low' ? 'low' : 'unknown';
    if (row.count <= empty) return 'empty';
    if (row.count <= low || sensor === 'low') return 'low';
    return 'ok';
  }

  #row(id: SupplyUnitId): Row {
    const row = this.#db.prepare<[string], Row>('SELECT * FROM supply_unit WHERE id = ?').get(id);
    return row ?? { id, count: null, initial_count: null, last_exchange_at: null, out_seen: 0, manipulated: 0 };
  }

  #notify(): void {
    if (this.#listeners.size === 0) return;
    const units = this.units();
    for (const listener of [...this.#listeners]) listener({ kind: 'unitsChanged', units });
  }
}

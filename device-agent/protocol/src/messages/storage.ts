import { z } from 'zod';
import { defineCommand } from '../spec.ts';
import { errorsOf } from '../errors.ts';
import { DeviceIdSchema } from '../devices.ts';

/**
 * Supplies as storage units, after XFS4IoT's Storage service (XFS4IoT API spec, "Storage
 * Interface": `Storage.GetStorage`, `Storage.StartExchange`, `Storage.EndExchange`, and the
 * Common service's `Common.SetTransactionState`). A unit is something staff refill: the receipt
 * roll, the A4 tray, later the certificate cabinet's compartments (issue 13). Counts are what
 * the agent estimates from what it printed since the last exchange, checked against the device's
 * own sensors; staff enter the real counts when they end an exchange.
 */

/** `receiptPaper`, `a4Paper`; later `cabinet.A01` for a compartment (issue 13). */
export const StorageUnitIdSchema = z.string().regex(/^[a-z][A-Za-z0-9]*(\.[A-Za-z0-9-]{1,16})?$/, 'expected a unit id such as receiptPaper').max(40);
export type StorageUnitId = z.infer<typeof StorageUnitIdSchema>;

/**
 * A cabinet compartment as a storage unit (issue 13): `cabinet.A01`. Staff load and recover
 * certificates inside an exchange on these units, as XFS4IoT has cash units replenished inside one.
 */
const CABINET_UNIT_PREFIX = 'cabinet.';
export function cabinetUnitId(slot: string): StorageUnitId {
  return `${CABINET_UNIT_PREFIX}${slot}`;
}
/** The compartment a `cabinet.<slot>` unit id names; undefined for any other unit. */
export function slotOfCabinetUnit(id: string): string | undefined {
  return id.startsWith(CABINET_UNIT_PREFIX) ? id.slice(CABINET_UNIT_PREFIX.length) : undefined;
}

export const STORAGE_UNIT_KINDS = ['receiptPaper', 'a4Paper', 'cabinetSlot'] as const;
export const StorageUnitKindSchema = z.enum(STORAGE_UNIT_KINDS);
export type StorageUnitKind = z.infer<typeof StorageUnitKindSchema>;

/**
 * ok: enough; low: at or below the unit's low threshold, staff should refill soon; empty: at or
 * below the empty threshold or the device's sensor says out: the services that need it degrade;
 * manipulated: the device reported it out and it came back without an exchange (someone opened
 * it), so the count cannot be trusted until staff end an exchange on it (XFS4IoT `manipulated`);
 * unknown: never counted (no exchange yet) and the sensor says nothing.
 */
export const STORAGE_UNIT_STATES = ['ok', 'low', 'empty', 'manipulated', 'unknown'] as const;
export const StorageUnitStateSchema = z.enum(STORAGE_UNIT_STATES);
export type StorageUnitState = z.infer<typeof StorageUnitStateSchema>;

/** What the device's own sensor says about the unit (ESC/POS paper-near-end/end sensors, CUPS `media-empty`/`media-low`). */
export const SUPPLY_SENSOR_STATES = ['ok', 'low', 'out', 'unknown'] as const;
export const SupplySensorStateSchema = z.enum(SUPPLY_SENSOR_STATES);
export type SupplySensorState = z.infer<typeof SupplySensorStateSchema>;

/** The unit a count is in: millimetres of receipt roll, A4 sheets, items in a compartment. */
export const STORAGE_COUNT_UNITS = ['mm', 'sheets', 'items'] as const;
export const StorageCountUnitSchema = z.enum(STORAGE_COUNT_UNITS);

export const StorageUnitSchema = z.object({
  id: StorageUnitIdSchema,
  kind: StorageUnitKindSchema,
  /** The device the unit feeds; an exchange takes this device out of service for citizens. */
  device: DeviceIdSchema,
  countUnit: StorageCountUnitSchema,
  /** The estimated count left; null when unknown (never counted). */
  count: z.number().int().nonnegative().nullable(),
  /** What staff entered at the last exchange (the full roll or tray); null before the first. */
  initialCount: z.number().int().nonnegative().nullable(),
  /** From the hall config: at or below `low` the state is `low`, at or below `empty` it is `empty`. */
  thresholds: z.object({ low: z.number().int().nonnegative(), empty: z.number().int().nonnegative() }),
  /** The largest count staff may enter (a full roll, a full tray). */
  maxCount: z.number().int().positive(),
  state: StorageUnitStateSchema,
  sensor: SupplySensorStateSchema,
  /** True while an exchange is open on this unit. */
  inExchange: z.boolean(),
  /** When the last exchange ended, ISO-8601 with +08:00; null before the first. */
  lastExchangeAt: z.string().nullable(),
  /**
   * Only for a cabinet compartment (`cabinet.A01`, kind `cabinetSlot`, issue 13): what the
   * cabinet's sensors and store say of it. free: no item; occupied: an item waits in it; open: a
   * door cycle runs now; fault: its lock failed to open (a technician must look).
   */
  compartment: z.object({ slot: z.string().max(8), size: z.enum(['S', 'M', 'L']), state: z.enum(['free', 'occupied', 'open', 'fault']) }).optional(),
});
export type StorageUnit = z.infer<typeof StorageUnitSchema>;

/** What the citizen gets from a printing service now (Common.Status `printing`), so the UI can say it honestly. */
export const PRINT_AVAILABILITY_REASONS = ['ok', 'paperEmpty', 'exchange', 'deviceNotReady'] as const;
export const PrintAvailabilitySchema = z.object({
  available: z.boolean(),
  reason: z.enum(PRINT_AVAILABILITY_REASONS),
});
export type PrintAvailability = z.infer<typeof PrintAvailabilitySchema>;
/**
 * receipt unavailable: the reference stays on screen with a QR code to photograph;
 * a4 unavailable: the application form is not printed, the application is still accepted.
 */
export const PrintingSchema = z.object({ receipt: PrintAvailabilitySchema, a4: PrintAvailabilitySchema });
export type Printing = z.infer<typeof PrintingSchema>;

/** A unit's short state for Common.Status (citizen screens and the staff dashboard). */
export const SupplySummarySchema = z.object({
  id: StorageUnitIdSchema,
  kind: StorageUnitKindSchema,
  state: StorageUnitStateSchema,
  inExchange: z.boolean(),
});
export type SupplySummary = z.infer<typeof SupplySummarySchema>;

/** The test the agent ran when an exchange ended (a test print on the receipt printer). */
export const ExchangeTestSchema = z.object({
  device: DeviceIdSchema,
  /** ok: printed; failed: the device refused, `code` says why (`paperOut`, `offline`, …); skipped: the device has no test. */
  result: z.enum(['ok', 'failed', 'skipped']),
  code: z.string().max(64).optional(),
});
export type ExchangeTest = z.infer<typeof ExchangeTestSchema>;

export const UnitsPayloadSchema = z.object({ units: z.array(StorageUnitIdSchema).min(1).max(64) });

export const storageCommands = {
  'Storage.Status': defineCommand({
    role: 'staff',
    description: 'Staff: every supply unit with its count, thresholds, sensor and state (XFS4IoT Storage.GetStorage).',
    payload: z.object({}).optional(),
    completion: z.object({ units: z.array(StorageUnitSchema), exchange: z.object({ units: z.array(StorageUnitIdSchema), startedAt: z.string() }).nullable() }),
    errors: {},
    events: {},
  }),
  'Storage.StartExchange': defineCommand({
    role: 'staff',
    description:
      'Staff: open an exchange on units before refilling them (XFS4IoT Storage.StartExchange). The devices they feed are out of service for citizens until Storage.EndExchange. Refused while a citizen transaction runs or another exchange is open. Cabinet compartments (`cabinet.A01`) are loaded and recovered inside one; their part of the exchange also ends when the staff session ends.',
    payload: UnitsPayloadSchema,
    completion: z.object({ units: z.array(StorageUnitSchema) }),
    errors: errorsOf(['transactionActive', 'exchangeActive', 'unknownUnit']),
    events: {},
  }),
  'Storage.EndExchange': defineCommand({
    role: 'staff',
    description:
      'Staff: close the open exchange with the counts staff put in (XFS4IoT Storage.EndExchange); runs each device\'s test (a test print on the receipt printer; for cabinet compartments, their doors and presence sensors read against the record, which clears `manipulated` where they agree) and pushes Storage.StatusChangedEvent. Units left out of `counts` keep their estimate; a compartment\'s count (0 or 1) is only checked against its maximum, the sensors and the record decide.',
    payload: z.object({
      units: z.array(StorageUnitIdSchema).min(1).max(64),
      /** unit id → the count now in it (mm of receipt roll, A4 sheets). */
      counts: z.record(StorageUnitIdSchema, z.number().int().nonnegative().max(1_000_000)),
    }),
    completion: z.object({ units: z.array(StorageUnitSchema), tests: z.array(ExchangeTestSchema) }),
    errors: {
      ...errorsOf(['noExchange', 'unknownUnit', 'notInExchange']),
      /** A count above the unit's `maxCount`. */
      invalidCount: z.object({ unit: StorageUnitIdSchema, maxCount: z.number().int() }),
    },
    events: {},
  }),
  'Common.SetTransactionState': defineCommand({
    role: 'citizen',
    description:
      'The page says a citizen transaction started or ended (XFS4IoT Common.SetTransactionState). While one is active staff cannot start an exchange; a citizen session (a card read) counts as active too. Session.End ends it.',
    payload: z.object({ state: z.enum(['active', 'inactive']), transactionId: z.string().max(64).optional() }),
    completion: z.object({}),
    errors: {},
    events: {},
  }),
} as const;

export const storageUnsolicited = {
  /** A unit's count, state or exchange changed (after an exchange, a print, a sensor change). Staff screens only: no personal data. */
  'Storage.StatusChangedEvent': z.object({ units: z.array(StorageUnitSchema) }),
} as const;

import type { DeviceStatus } from '@onevisit/protocol';

/**
 * Decoding of the real-time status replies (ESC/POS Command Reference, "DLE EOT n"). Pure.
 *
 * Every reply is one byte with bit 1 and bit 4 fixed on and bits 0 and 7 fixed off
 * (pattern 0xx1xx10), which is how a reply is told apart from other data (ASB, garbage).
 *
 * n = 1 printer status:      bit 3 offline.
 * n = 2 offline cause:       bit 2 cover open; bit 3 paper being fed by the FEED button;
 *                            bit 5 printing stopped at paper end; bit 6 an error occurred.
 * n = 3 error cause:         bit 2 mechanical error (on models that define it: paper jam or
 *                            head position; "undefined" on the TM-T88, where it reads 0);
 *                            bit 3 auto-cutter error; bit 5 unrecoverable error;
 *                            bit 6 auto-recoverable error (head too hot, recovers by itself).
 * n = 4 roll paper sensor:   bits 2,3 near-end sensor (both on = paper low);
 *                            bits 5,6 end sensor (both on = paper out).
 * Some clones set only one of each pair of sensor bits: we treat either bit as set.
 */

export const STATUS_FIXED_MASK = 0b1001_0011;
export const STATUS_FIXED_BITS = 0b0001_0010;

export function isStatusByte(byte: number): boolean {
  return (byte & STATUS_FIXED_MASK) === STATUS_FIXED_BITS;
}

export type RealtimeStatusBytes = {
  /** DLE EOT 1 */
  printer: number;
  /** DLE EOT 2 */
  offlineCause: number;
  /** DLE EOT 3 */
  errorCause: number;
  /** DLE EOT 4 */
  paperSensor: number;
};

/**
 * The closed set of conditions a receipt printer can be in, worst first.
 * `noResponse`: no (valid) reply at all: unplugged, powered off, wrong port.
 */
export const RECEIPT_CONDITIONS = [
  'noResponse',
  'unrecoverableError',
  'cutterError',
  'paperJam',
  'coverOpen',
  'paperOut',
  'offline',
  'headHot',
  'paperLow',
  'online',
] as const;
export type ReceiptCondition = (typeof RECEIPT_CONDITIONS)[number];

export type DecodedStatus =
  | { ok: true; condition: ReceiptCondition; paperLow: boolean }
  | { ok: false; reason: 'notAStatusByte'; which: keyof RealtimeStatusBytes };

const bit = (byte: number, n: number): boolean => (byte & (1 << n)) !== 0;

export function decodeRealtimeStatus(bytes: RealtimeStatusBytes): DecodedStatus {
  for (const which of ['printer', 'offlineCause', 'errorCause', 'paperSensor'] as const) {
    if (!isStatusByte(bytes[which])) return { ok: false, reason: 'notAStatusByte', which };
  }
  const offline = bit(bytes.printer, 3);
  const coverOpen = bit(bytes.offlineCause, 2);
  const paperEndStop = bit(bytes.offlineCause, 5);
  const mechanical = bit(bytes.errorCause, 2);
  const cutter = bit(bytes.errorCause, 3);
  const unrecoverable = bit(bytes.errorCause, 5);
  const headHot = bit(bytes.errorCause, 6);
  const paperOut = bit(bytes.paperSensor, 5) || bit(bytes.paperSensor, 6) || paperEndStop;
  const paperLow = bit(bytes.paperSensor, 2) || bit(bytes.paperSensor, 3);

  const condition: ReceiptCondition = unrecoverable
    ? 'unrecoverableError'
    : cutter
      ? 'cutterError'
      : mechanical
        ? 'paperJam'
        : coverOpen
          ? 'coverOpen'
          : paperOut
            ? 'paperOut'
            : headHot
              ? 'headHot'
              : offline
                ? 'offline'
                : paperLow
                  ? 'paperLow'
                  : 'online';
  return { ok: true, condition, paperLow };
}

/**
 * Whether a job can be sent in this condition: paper low still prints, and a hot head only
 * pauses (the printer keeps the data and goes on when it has cooled).
 */
export function canPrint(condition: ReceiptCondition): boolean {
  return condition === 'online' || condition === 'paperLow' || condition === 'headHot';
}

/**
 * The DeviceStatus for a condition: what the terminal shows and what staff must do.
 * clear: load paper, close the cover, clear the jam (staff can do it);
 * maintenance: a cutter or unrecoverable error, or no answer at all (call a technician);
 * a hot head recovers by itself (busy, nothing to do).
 */
export function conditionStatus(condition: ReceiptCondition, driver: string, since: string): DeviceStatus {
  const base = { device: 'receiptPrinter' as const, driver, since };
  switch (condition) {
    case 'online':
      return { ...base, state: 'online', attention: 'none', reason: 'ok' };
    case 'paperLow':
      return { ...base, state: 'online', attention: 'clear', reason: 'paperLow' };
    case 'paperOut':
      return { ...base, state: 'fault', attention: 'clear', reason: 'paperOut' };
    case 'coverOpen':
      return { ...base, state: 'fault', attention: 'clear', reason: 'coverOpen' };
    case 'paperJam':
      return { ...base, state: 'fault', attention: 'clear', reason: 'paperJam' };
    case 'headHot':
      return { ...base, state: 'busy', attention: 'none', reason: 'ok' };
    case 'cutterError':
    case 'unrecoverableError':
      return { ...base, state: 'fault', attention: 'maintenance', reason: 'hardwareFault' };
    case 'offline':
      return { ...base, state: 'offline', attention: 'maintenance', reason: 'noResponse' };
    case 'noResponse':
      return { ...base, state: 'offline', attention: 'maintenance', reason: 'disconnected' };
    default: {
      const unreachable: never = condition;
      return unreachable;
    }
  }
}

/** The reply bytes a printer in `condition` sends: used by the simulator and the test printer. */
export function statusBytesFor(condition: ReceiptCondition, paperLow = condition === 'paperLow'): RealtimeStatusBytes {
  const fixed = STATUS_FIXED_BITS;
  const offline = condition !== 'online' && condition !== 'paperLow' && condition !== 'noResponse';
  return {
    printer: fixed | (offline ? 1 << 3 : 0),
    offlineCause:
      fixed |
      (condition === 'coverOpen' ? 1 << 2 : 0) |
      (condition === 'paperOut' ? 1 << 5 : 0) |
      (offline && condition !== 'offline' ? 1 << 6 : 0),
    errorCause:
      fixed |
      (condition === 'paperJam' ? 1 << 2 : 0) |
      (condition === 'cutterError' ? 1 << 3 : 0) |
      (condition === 'unrecoverableError' ? 1 << 5 : 0) |
      (condition === 'headHot' ? 1 << 6 : 0),
    paperSensor: fixed | (paperLow || condition === 'paperOut' ? 0b1100 : 0) | (condition === 'paperOut' ? 0b110_0000 : 0),
  };
}

import { z } from 'zod';

/** Every device class the terminal knows. Simulators and drivers report under these ids. */
export const DEVICE_IDS = ['idCard', 'scanner', 'printer', 'receiptPrinter', 'dispenser'] as const;
export const DeviceIdSchema = z.enum(DEVICE_IDS);
export type DeviceId = z.infer<typeof DeviceIdSchema>;

/**
 * online: ready; busy: working on a job; offline: not reachable (unplugged, powered off);
 * fault: reachable but cannot work (jam, paper out, cover open, SAM error).
 */
export const DEVICE_STATES = ['online', 'offline', 'busy', 'fault'] as const;
export const DeviceStateSchema = z.enum(DEVICE_STATES);
export type DeviceState = z.infer<typeof DeviceStateSchema>;

/**
 * What a person must do about it:
 * none: nothing; clear: hall staff (or the citizen) can clear it themselves
 * (load paper, close the cover, take the card); maintenance: call a technician.
 */
export const ATTENTION = ['none', 'clear', 'maintenance'] as const;
export const AttentionSchema = z.enum(ATTENTION);
export type Attention = z.infer<typeof AttentionSchema>;

/**
 * Stable reason codes. The UI and the staff screen map each to a text.
 * Closed set: add here, then to every translation.
 */
export const DEVICE_REASONS = [
  'ok',
  'notConfigured',
  'disconnected',
  'noResponse',
  'samError',
  'paperLow',
  'paperOut',
  'coverOpen',
  'paperJam',
  'cardJammed',
  'doorOpen',
  'stockLow',
  'stockEmpty',
  'hardwareFault',
  'simulatedOffline',
  'simulatedFault',
] as const;
export const DeviceReasonSchema = z.enum(DEVICE_REASONS);
export type DeviceReason = z.infer<typeof DeviceReasonSchema>;

export const DeviceStatusSchema = z.object({
  device: DeviceIdSchema,
  state: DeviceStateSchema,
  attention: AttentionSchema,
  reason: DeviceReasonSchema,
  /** `sim` for a simulator, otherwise the transport, e.g. `serial`, `hid`, `tcp`, `cups`, `sane`. */
  driver: z.string().max(32),
  /** ISO-8601 time of the last change. */
  since: z.string(),
});
export type DeviceStatus = z.infer<typeof DeviceStatusSchema>;

/** The attention a state needs by default; drivers may say more. */
export function defaultAttention(state: DeviceState, reason: DeviceReason): Attention {
  switch (reason) {
    case 'paperOut':
    case 'paperLow':
    case 'coverOpen':
    case 'paperJam':
    case 'doorOpen':
    case 'stockLow':
    case 'stockEmpty':
    case 'cardJammed':
      return 'clear';
    case 'ok':
    case 'notConfigured':
    case 'disconnected':
    case 'noResponse':
    case 'samError':
    case 'hardwareFault':
    case 'simulatedOffline':
    case 'simulatedFault':
      return state === 'online' || state === 'busy' ? 'none' : 'maintenance';
    default: {
      const unreachable: never = reason;
      return unreachable;
    }
  }
}

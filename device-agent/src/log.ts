import pino, { type DestinationStream, type Logger } from 'pino';
import { maskIdNumber, maskPhone } from '@onevisit/protocol';

/**
 * The agent's one logger (pino). It never writes personal data (DESIGN.md, "Personal data"):
 * - values under keys that hold personal data are replaced by `[redacted]`, at any depth;
 * - any string that contains something shaped like an 18-character ID number or an
 *   11-digit mainland mobile number is masked (`110105********002X`, `138****5678`),
 *   in the message, in fields and in errors.
 * Log command names under `command`, never under `name` (which is redacted).
 */

export const REDACTED = '[redacted]';

/** Keys whose values are personal (or secret) whatever they hold. Compared case-insensitively. */
const SENSITIVE_KEY_LIST = [
  'name',
  'englishName',
  'idNumber',
  'address',
  'phone',
  'mobile',
  'email',
  'identity',
  'answers',
  'fields',
  'values',
  'photo',
  'image',
  'signature',
  'token',
  'password',
  'secret',
  'authorization',
  'cookie',
  'birthDate',
  'applicant',
  'contact',
] as const;
export const SENSITIVE_KEYS: ReadonlySet<string> = new Set(SENSITIVE_KEY_LIST.map((k) => k.toLowerCase()));

// An 18-character GB 11643 number (17 digits + digit or X) standing on its own.
const ID_NUMBER = /(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/g;
// A mainland mobile number: 1, then 3-9, then 9 digits, not part of a longer number.
const MOBILE = /(?<!\d)1[3-9]\d{9}(?!\d)/g;

/** Masks ID numbers and mobile numbers inside free text. */
export function maskText(text: string): string {
  return text.replace(ID_NUMBER, (m) => maskIdNumber(m.toUpperCase())).replace(MOBILE, (m) => maskPhone(m));
}

const MAX_DEPTH = 8;

/** A copy of `value` with sensitive keys redacted and strings masked. Errors become plain objects. */
export function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (value instanceof Error) {
    const out: Record<string, unknown> = { type: value.name, message: maskText(value.message) };
    if (value.stack !== undefined) out.stack = maskText(value.stack);
    const code = (value as { code?: unknown }).code;
    if (typeof code === 'string' || typeof code === 'number') out.code = code;
    if (value.cause !== undefined) out.cause = scrub(value.cause, depth + 1);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SENSITIVE_KEYS.has(key.toLowerCase()) ? REDACTED : scrub(v, depth + 1);
  }
  return out;
}

export type LoggerOptions = {
  level?: string;
  /** Where to write; default stdout. Tests pass a stream to read the lines back. */
  destination?: DestinationStream;
};

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'device-agent' },
      // Errors are scrubbed into plain objects by formatters.log; keep pino from re-serialising them.
      // Serializers also apply to child bindings (which formatters.log never sees): redact those keys there too.
      serializers: {
        ...Object.fromEntries(SENSITIVE_KEY_LIST.map((k) => [k, () => REDACTED])),
        err: (e: unknown) => e,
      },
      formatters: {
        log: (object) => scrub(object) as Record<string, unknown>,
        bindings: (bindings) => scrub(bindings) as Record<string, unknown>,
      },
      hooks: {
        // Mask the message and any printf-style arguments.
        logMethod(args, method) {
          const [first, ...rest] = args as unknown[];
          const masked: unknown[] = rest.map((a) => (typeof a === 'string' ? maskText(a) : scrub(a)));
          if (first instanceof Error) {
            // pino would take the message from the error unmasked: give it one.
            if (typeof masked[0] !== 'string') masked.unshift(maskText(first.message));
            masked.unshift({ err: scrub(first) });
          } else {
            masked.unshift(typeof first === 'string' ? maskText(first) : first);
          }
          method.apply(this, masked as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? pino.destination({ fd: 1, sync: false }),
  );
}

/** A logger that writes nothing: for tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

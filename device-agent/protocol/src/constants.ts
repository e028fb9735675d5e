/**
 * Constants and closed sets that need no schema. This module (like id-number.ts, masking.ts and the
 * other helpers) imports nothing from zod, so the UI's first screen can use them without loading the
 * schemas: the UI loads those later, with `import()` (kiosk-ui/src/lib/agent/validator.ts; issue 9,
 * initial JS under 60 KB gzip). Keep it free of zod.
 */

/** The protocol version every command in this release speaks. */
export const PROTOCOL_VERSION = '1.0';

/** Why a value was not read from a document (Ocr.ReadIdentity `problems`); the UI maps each to a text. */
export const READ_IDENTITY_PROBLEMS = ['nameNotFound', 'idNumberNotFound', 'idNumberUnreadable', 'idNumberAmbiguous'] as const;

/** Staff PINs have six digits (StaffPinSchema); here so that the PIN pad needs no schema. */
export const STAFF_PIN_LENGTH = 6;
/** Wrong PINs in a row that lock the card. */
export const STAFF_PIN_ATTEMPTS = 5;

import { z } from 'zod';

/**
 * The XFS4IoT-style envelope (XFS4IoT API spec, "Message types"):
 * the UI sends a `command`; the agent answers with one `acknowledge`, zero or more
 * `event`s with the same requestId and exactly one `completion`. `unsolicited`
 * messages push state that nobody asked for (card placed, paper low, shutting down).
 */
export const MESSAGE_TYPES = ['command', 'acknowledge', 'event', 'completion', 'unsolicited'] as const;
export const MessageTypeSchema = z.enum(MESSAGE_TYPES);
export type MessageType = z.infer<typeof MessageTypeSchema>;

/**
 * Completion codes (XFS4IoT "completionCode"), plus `unauthorized` and `busy`
 * for the agent's own connection rules. Closed set: the UI maps each to a text.
 */
export const COMPLETION_CODES = [
  'success',
  'canceled',
  'timeOut',
  'deviceNotReady',
  'hardwareError',
  'userError',
  'invalidData',
  'invalidCommand',
  'invalidRequestID',
  'unsupportedCommand',
  'unsupportedData',
  'sequenceError',
  'internalError',
  'commandErrorCode',
  'notEnoughSpace',
  'unauthorized',
  'busy',
] as const;
export const CompletionCodeSchema = z.enum(COMPLETION_CODES);
export type CompletionCode = z.infer<typeof CompletionCodeSchema>;

/** XFS4IoT uses integers; we echo whatever the client chose, an integer or a short string. */
export const RequestIdSchema = z.union([z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER), z.string().min(1).max(64)]);
export type RequestId = z.infer<typeof RequestIdSchema>;

export const NameSchema = z.string().regex(/^[A-Z][A-Za-z0-9]*\.[A-Z][A-Za-z0-9]*$/, 'name must be Service.Command');

export const HeaderSchema = z.object({
  type: MessageTypeSchema,
  name: NameSchema,
  requestId: RequestIdSchema,
  version: z.string().regex(/^\d+\.\d+$/).optional(),
  /** Milliseconds; 0 or absent means the command's own default. */
  timeout: z.number().int().nonnegative().max(24 * 3600 * 1000).optional(),
  completionCode: CompletionCodeSchema.optional(),
  /** For people (and logs): never holds personal data. */
  errorDescription: z.string().max(2000).optional(),
  /** Stable machine code the UI maps to a translated text, e.g. `cardExpired`. */
  errorCode: z.string().regex(/^[a-z][A-Za-z0-9]*$/).max(64).optional(),
});
export type Header = z.infer<typeof HeaderSchema>;

export const EnvelopeSchema = z.object({
  header: HeaderSchema,
  payload: z.unknown().optional(),
});
export type Envelope = z.infer<typeof EnvelopeSchema>;

/** A per-field problem in a failed completion's payload (`{ errors: FieldError[] }`); the commands that send these narrow `code`. */
export const FieldErrorSchema = z.object({
  field: z.string(),
  code: z.string(),
  message: z.string().optional(),
});
export type FieldError = z.infer<typeof FieldErrorSchema>;

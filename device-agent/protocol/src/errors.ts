import { z } from 'zod';
import { FieldErrorSchema } from './envelope.ts';
import { FIELD_ERROR_CODES } from './form-validation.ts';

/**
 * Error codes: every command declares the closed set of `errorCode`s its failed completions may
 * carry, each with the schema of its payload (`defineCommand({ errors })`, spec.ts). The codes
 * below are the ones any command may get, from the agent's connection and dispatch rather than
 * from the command's handler; they are declared here once and belong to every command.
 */
export const COMMON_ERROR_CODES = [
  // The message itself (parse.ts, the connection).
  'binaryFrame',
  'malformedJson',
  'malformedEnvelope',
  'notACommand',
  'unknownCommand',
  'unsupportedVersion',
  'invalidPayload',
  // Nested too deep or too many values, refused before any schema runs (parse.ts checkJsonShape).
  'messageTooComplex',
  // The connection's rules.
  'notAuthenticated',
  'devOnly',
  // Roles (spec.ts `role`, issue 12; enforced by the agent's dispatch, device-agent/src/server/roles.ts): a staff command without a signed-in staff member, a technician
  // command with a staff member who is not one, a citizen command while staff mode is on.
  'staffOnly',
  'roleRequired',
  'staffSessionActive',
  // A citizen command from a connection other than the one that owns the open citizen session (issue 11).
  'sessionElsewhere',
  // Outside the demo: a citizen, staff or technician command from a connection that did not present
  // the per-boot launch secret of the terminal's own kiosk browser (issue 11).
  'launchSecretRequired',
  'duplicateRequestId',
  'tooManyRequests',
  'shuttingDown',
  // A command in flight that did not finish (handler.ts `abortedOutcome`, a handler that threw).
  'canceled',
  'timeOut',
  'shutdown',
  'disconnected',
  // The terminal's own data disk failed under a command that had to write (issue 11): full
  // (completion notEnoughSpace) or read-only / failing (hardwareError); nothing of the command was kept.
  'dataDiskFull',
  'dataDiskFailed',
  'internalError',
] as const;
export type CommonErrorCode = (typeof COMMON_ERROR_CODES)[number];

/** The payload of a failure that carries nothing beyond its code. */
export const NoErrorPayloadSchema = z.object({});

/**
 * Declares codes that share one payload schema (default: none):
 * `errors: { ...errorsOf(['notFound', 'tooLate']), ...errorsOf(['paperOut'], PrintFailurePayloadSchema) }`.
 */
export function errorsOf<const C extends readonly string[], S extends z.ZodType = typeof NoErrorPayloadSchema>(codes: C, schema?: S): { readonly [K in C[number]]: S } {
  const payload = schema ?? NoErrorPayloadSchema;
  return Object.fromEntries(codes.map((code) => [code, payload])) as { readonly [K in C[number]]: S };
}

/** The common codes, each without payload. */
export const commonErrors = errorsOf(COMMON_ERROR_CODES);

/**
 * Answers the agent refused (Forms.Fill `validationFailed`, Forms.Submit `invalidAnswers`): one entry
 * per field, by path (`members[1].idNumber`), and by path the limits its text needs (`{ max: 20 }`).
 */
export const AnswerErrorsPayloadSchema = z.object({
  errors: z.array(FieldErrorSchema.extend({ code: z.enum(FIELD_ERROR_CODES) })),
  params: z.record(z.string(), z.record(z.string(), z.union([z.string(), z.number()]))).default({}),
});
export type AnswerErrorsPayload = z.infer<typeof AnswerErrorsPayloadSchema>;

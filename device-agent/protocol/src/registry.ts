import type { z } from 'zod';
import { commonErrors, type CommonErrorCode } from './errors.ts';
import type { CommandRole } from './spec.ts';
import { commonCommands, commonUnsolicited } from './messages/common.ts';
import { idCardCommands, idCardUnsolicited } from './messages/id-card.ts';
import { devCommands } from './messages/dev.ts';
import { printerCommands, receiptPrinterCommands } from './messages/printer.ts';
import { sessionCommands } from './messages/session.ts';
import { submissionCommands } from './messages/submission.ts';
import { bookingCommands } from './messages/booking.ts';
import { queueCommands } from './messages/queue.ts';
import { applicationCommands, formsCommands } from './messages/forms.ts';
import { scannerCommands } from './messages/scanner.ts';
import { ocrCommands } from './messages/ocr.ts';
import { documentIdentityCommands } from './messages/document-identity.ts';
import { staffCommands, staffUnsolicited } from './messages/staff.ts';
import { storageCommands, storageUnsolicited } from './messages/storage.ts';
import { pickupCommands } from './messages/pickup.ts';
import { progressCommands, ratingCommands, supplementCommands } from './messages/progress.ts';
import { hallCommands } from './messages/hall.ts';
import { speechCommands } from './messages/speech.ts';
import { formUpdateCommands } from './messages/form-updates.ts';

/**
 * Every command the agent accepts. Later services add their own
 * `messages/<service>.ts` and spread it in here; the agent's dispatch table
 * is typed against this object, so a command without a handler does not compile.
 */
export const commands = {
  ...commonCommands,
  ...idCardCommands,
  ...devCommands,
  ...printerCommands,
  ...receiptPrinterCommands,
  ...sessionCommands,
  ...submissionCommands,
  ...bookingCommands,
  ...queueCommands,
  ...scannerCommands,
  ...ocrCommands,
  ...documentIdentityCommands,
  ...formsCommands,
  ...applicationCommands,
  ...staffCommands,
  ...storageCommands,
  ...pickupCommands,
  ...progressCommands,
  ...supplementCommands,
  ...ratingCommands,
  ...hallCommands,
  ...speechCommands,
  ...formUpdateCommands,
} as const;

/** Every unsolicited message the agent may push. */
export const unsolicited = {
  ...commonUnsolicited,
  ...idCardUnsolicited,
  ...staffUnsolicited,
  ...storageUnsolicited,
} as const;

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export type UnsolicitedName = keyof typeof unsolicited;

export type CommandPayload<N extends CommandName> = z.input<Commands[N]['payload']>;
export type ParsedCommandPayload<N extends CommandName> = z.output<Commands[N]['payload']>;
export type CompletionPayload<N extends CommandName> = z.output<Commands[N]['completion']>;
export type EventName<N extends CommandName> = keyof Commands[N]['events'] & string;
export type EventPayload<N extends CommandName, E extends EventName<N>> = Commands[N]['events'][E] extends z.ZodType
  ? z.output<Commands[N]['events'][E]>
  : never;
export type UnsolicitedPayload<N extends UnsolicitedName> = z.output<(typeof unsolicited)[N]>;

/** The codes a command's own handler may fail with (its `errors`), without the common ones. */
export type DeclaredErrorCodeOf<N extends CommandName> = keyof Commands[N]['errors'] & string;
/** The codes declared by any of the commands N (a union): for the UI's tables over a journey's commands. */
export type DeclaredErrorCodeIn<N extends CommandName> = N extends CommandName ? DeclaredErrorCodeOf<N> : never;
/** Every `errorCode` a failed completion of N may carry: its own codes and the common ones (errors.ts). */
export type ErrorCodeOf<N extends CommandName> = DeclaredErrorCodeOf<N> | CommonErrorCode;
type ErrorSchemaOf<N extends CommandName, C extends ErrorCodeOf<N>> = C extends DeclaredErrorCodeOf<N> ? Commands[N]['errors'][C] : (typeof commonErrors)[C & CommonErrorCode];
/** The payload of a failed completion of N with code C, as the client reads it (schema output). */
export type ErrorPayloadOf<N extends CommandName, C extends ErrorCodeOf<N> = ErrorCodeOf<N>> = C extends ErrorCodeOf<N> ? z.output<ErrorSchemaOf<N, C>> : never;
/** The payload a handler gives for code C (schema input). */
export type ErrorPayloadInputOf<N extends CommandName, C extends ErrorCodeOf<N> = ErrorCodeOf<N>> = C extends ErrorCodeOf<N> ? z.input<ErrorSchemaOf<N, C>> : never;

/** The schema of the payload of a failed completion of `name` with `errorCode`; undefined when the code is not declared for it. */
export function errorPayloadSchema(name: string, errorCode: string): z.ZodType | undefined {
  if (Object.hasOwn(commonErrors, errorCode)) return commonErrors[errorCode as CommonErrorCode];
  if (!isCommandName(name)) return undefined;
  const errors: Readonly<Record<string, z.ZodType>> = commands[name].errors;
  return Object.hasOwn(errors, errorCode) ? errors[errorCode] : undefined;
}

/** True when `errorCode` may come in a failed completion of `name`: declared by the command, or common. */
export function isErrorCodeOf<N extends CommandName>(name: N, errorCode: string): errorCode is ErrorCodeOf<N> {
  return errorPayloadSchema(name, errorCode) !== undefined;
}

/** Every code a failed completion of `name` may carry: its own, then the common ones. */
export function errorCodesOf<N extends CommandName>(name: N): ErrorCodeOf<N>[] {
  return [...Object.keys(commands[name].errors), ...Object.keys(commonErrors)] as ErrorCodeOf<N>[];
}

/** The commands that need role R (spec.ts `role`), e.g. `CommandNameWithRole<'staff' | 'technician'>`. */
export type CommandNameWithRole<R extends CommandRole> = { [N in CommandName]: Commands[N]['role'] extends R ? N : never }[CommandName];

/** The role command `name` needs; the agent's dispatch enforces it (device-agent/src/server/roles.ts). */
export function roleOf(name: CommandName): CommandRole {
  return commands[name].role;
}

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(commands, name);
}

export function isUnsolicitedName(name: string): name is UnsolicitedName {
  return Object.hasOwn(unsolicited, name);
}

/** Every event name of every command, for the client's validation of incoming events. */
export function findEventSchema(name: string): z.ZodType | undefined {
  for (const spec of Object.values(commands)) {
    const events: Readonly<Record<string, z.ZodType>> = spec.events;
    const schema = events[name];
    if (schema) return schema;
  }
  return undefined;
}

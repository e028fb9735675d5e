import type { z } from 'zod';
import { commonCommands, commonUnsolicited } from './messages/common.ts';
import { idCardCommands, idCardUnsolicited } from './messages/id-card.ts';
import { devCommands } from './messages/dev.ts';
import { printerCommands, receiptPrinterCommands } from './messages/printer.ts';
import { sessionCommands } from './messages/session.ts';
import { submissionCommands } from './messages/submission.ts';
import { bookingCommands } from './messages/booking.ts';
import { applicationCommands, formsCommands } from './messages/forms.ts';
import { scannerCommands } from './messages/scanner.ts';
import { ocrCommands } from './messages/ocr.ts';
import { documentIdentityCommands } from './messages/document-identity.ts';

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
  ...scannerCommands,
  ...ocrCommands,
  ...documentIdentityCommands,
  ...formsCommands,
  ...applicationCommands,
} as const;

/** Every unsolicited message the agent may push. */
export const unsolicited = {
  ...commonUnsolicited,
  ...idCardUnsolicited,
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

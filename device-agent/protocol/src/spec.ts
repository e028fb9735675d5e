import type { z } from 'zod';

/**
 * Who may send a command (DESIGN.md "Who may do what"); the agent's dispatch enforces it
 * (device-agent/src/server/roles.ts), never the UI:
 * - `none`: any authenticated page (status, lists, ending a session);
 * - `citizen`: the citizen's own flow; refused while a staff member is signed in or a staff card waits for its PIN;
 * - `staff`: a signed-in staff member (`Staff.SignIn`), either role;
 * - `technician`: a signed-in technician only (device tests that print, device settings);
 * - `dev`: only an agent started with `--dev` (demo and tests).
 */
export const COMMAND_ROLES = ['none', 'citizen', 'staff', 'technician', 'dev'] as const;
export type CommandRole = (typeof COMMAND_ROLES)[number];

/** errorCode → the schema of the payload of a failed completion with that code. */
export type ErrorSpecs = Readonly<Record<string, z.ZodType>>;

/**
 * How one command is described: its version, the schema of the command's payload,
 * of its success completion's payload, of the events it may emit while it runs, and the
 * closed set of error codes its handler may fail with, each with its payload's schema (the
 * codes every command may get are declared once in errors.ts, not here).
 * Every command names the `role` it needs, with no default, so a command without one does not
 * compile; `devOnly` is `role === 'dev'`, kept for Common.Capabilities.
 */
export type CommandSpec<
  P extends z.ZodType = z.ZodType,
  C extends z.ZodType = z.ZodType,
  E extends Readonly<Record<string, z.ZodType>> = Readonly<Record<string, z.ZodType>>,
  X extends ErrorSpecs = ErrorSpecs,
  R extends CommandRole = CommandRole,
> = {
  readonly version: string;
  readonly payload: P;
  readonly completion: C;
  readonly events: E;
  readonly errors: X;
  readonly role: R;
  readonly devOnly: boolean;
  /** Default timeout when the header gives none; 0 = none. */
  readonly defaultTimeoutMs: number;
  /** A short English description for Common.Capabilities and the docs. */
  readonly description: string;
};

export function defineCommand<P extends z.ZodType, C extends z.ZodType, E extends Readonly<Record<string, z.ZodType>>, X extends ErrorSpecs, R extends CommandRole>(spec: {
  version?: string;
  payload: P;
  completion: C;
  events: E;
  errors: X;
  role: R;
  defaultTimeoutMs?: number;
  description: string;
}): CommandSpec<P, C, E, X, R> {
  return {
    version: spec.version ?? '1.0',
    payload: spec.payload,
    completion: spec.completion,
    events: spec.events,
    errors: spec.errors,
    role: spec.role,
    devOnly: spec.role === 'dev',
    defaultTimeoutMs: spec.defaultTimeoutMs ?? 0,
    description: spec.description,
  };
}

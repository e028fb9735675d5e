import type { z } from 'zod';

/**
 * How one command is described: its version, the schema of the command's payload,
 * of its success completion's payload, and of the events it may emit while it runs.
 * `devOnly` commands are accepted only by an agent started with `--dev`.
 */
export type CommandSpec<
  P extends z.ZodType = z.ZodType,
  C extends z.ZodType = z.ZodType,
  E extends Readonly<Record<string, z.ZodType>> = Readonly<Record<string, z.ZodType>>,
> = {
  readonly version: string;
  readonly payload: P;
  readonly completion: C;
  readonly events: E;
  readonly devOnly: boolean;
  /** Default timeout when the header gives none; 0 = none. */
  readonly defaultTimeoutMs: number;
  /** A short English description for Common.Capabilities and the docs. */
  readonly description: string;
};

export function defineCommand<P extends z.ZodType, C extends z.ZodType, E extends Readonly<Record<string, z.ZodType>>>(spec: {
  version?: string;
  payload: P;
  completion: C;
  events: E;
  devOnly?: boolean;
  defaultTimeoutMs?: number;
  description: string;
}): CommandSpec<P, C, E> {
  return {
    version: spec.version ?? '1.0',
    payload: spec.payload,
    completion: spec.completion,
    events: spec.events,
    devOnly: spec.devOnly ?? false,
    defaultTimeoutMs: spec.defaultTimeoutMs ?? 0,
    description: spec.description,
  };
}

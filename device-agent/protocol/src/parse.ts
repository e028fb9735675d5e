import type { z } from 'zod';
import { EnvelopeSchema, type Envelope, type Header, type RequestId } from './envelope.ts';
import { commands, errorPayloadSchema, findEventSchema, isCommandName, isUnsolicitedName, unsolicited, type CommandName } from './registry.ts';

/** A problem found while reading a message; `errorDescription` is safe to show and log. */
export type ParseProblem = {
  ok: false;
  /** What the error completion should carry. */
  completionCode: 'invalidData' | 'invalidCommand' | 'unsupportedCommand';
  errorCode: 'malformedJson' | 'malformedEnvelope' | 'unknownCommand' | 'invalidPayload' | 'unsupportedVersion' | 'notACommand' | 'messageTooComplex';
  errorDescription: string;
  /** The request id when the header got that far, so the error can be correlated. */
  requestId?: RequestId;
  name?: string;
};

export type ParsedCommand = {
  ok: true;
  name: CommandName;
  header: Header;
  payload: unknown;
};

/** Summarise zod issues without echoing values (they may be personal data). */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

export function parseJson(text: string): { ok: true; value: unknown } | ParseProblem {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, completionCode: 'invalidData', errorCode: 'malformedJson', errorDescription: 'The message is not valid JSON.' };
  }
}

function peekRequestId(value: unknown): { requestId?: RequestId; name?: string } {
  if (typeof value !== 'object' || value === null) return {};
  const header = (value as { header?: unknown }).header;
  if (typeof header !== 'object' || header === null) return {};
  const { requestId, name } = header as { requestId?: unknown; name?: unknown };
  const out: { requestId?: RequestId; name?: string } = {};
  if ((typeof requestId === 'number' && Number.isSafeInteger(requestId) && requestId >= 0) || (typeof requestId === 'string' && requestId.length > 0 && requestId.length <= 64)) {
    out.requestId = requestId;
  }
  if (typeof name === 'string' && name.length <= 100) out.name = name;
  return out;
}

/**
 * Shape limits checked before any schema runs (issue 11): zod walks nested values recursively, so
 * about 2,000 levels of nested `answers` overflowed the stack inside the check and the message was
 * never answered. No command needs more than a few levels (a form's groups of members of fields).
 */
export const MESSAGE_SHAPE_LIMITS = { maxDepth: 32, maxNodes: 20_000 } as const;

/** Walks a parsed JSON value without recursion; undefined when it fits the limits. */
export function checkJsonShape(value: unknown, limits: { maxDepth: number; maxNodes: number } = MESSAGE_SHAPE_LIMITS): string | undefined {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  let nodes = 0;
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    nodes += 1;
    if (nodes > limits.maxNodes) return `more than ${limits.maxNodes} values`;
    if (typeof item.value !== 'object' || item.value === null) continue;
    if (item.depth >= limits.maxDepth) return `nested deeper than ${limits.maxDepth} levels`;
    const children = Array.isArray(item.value) ? (item.value as unknown[]) : Object.values(item.value);
    if (nodes + children.length > limits.maxNodes) return `more than ${limits.maxNodes} values`;
    for (const child of children) stack.push({ value: child, depth: item.depth + 1 });
  }
  return undefined;
}

/** A command whose header has been read and checked; its payload not yet. */
export type ParsedHeader = { ok: true; name: CommandName; header: Header; rawPayload: unknown };

/**
 * Agent side, first step: JSON, shape limits, envelope and name. The payload is left unread, so a
 * connection that has not authenticated costs the agent no payload validation (issue 11).
 */
export function parseCommandHeader(text: string): ParsedHeader | ParseProblem {
  const json = parseJson(text);
  if (!json.ok) return json;
  const peek = peekRequestId(json.value);
  const shape = checkJsonShape(json.value);
  if (shape !== undefined) {
    return { ok: false, completionCode: 'invalidData', errorCode: 'messageTooComplex', errorDescription: `The message is too complex: ${shape}.`, ...peek };
  }
  const envelope = EnvelopeSchema.safeParse(json.value);
  if (!envelope.success) {
    return { ok: false, completionCode: 'invalidData', errorCode: 'malformedEnvelope', errorDescription: `Malformed envelope: ${describeIssues(envelope.error)}`, ...peek };
  }
  const { header, payload } = envelope.data;
  const base = { requestId: header.requestId, name: header.name };
  if (header.type !== 'command') {
    return { ok: false, completionCode: 'invalidCommand', errorCode: 'notACommand', errorDescription: `Only messages of type "command" are accepted, got "${header.type}".`, ...base };
  }
  if (!isCommandName(header.name)) {
    return { ok: false, completionCode: 'unsupportedCommand', errorCode: 'unknownCommand', errorDescription: `Unknown command "${header.name}".`, ...base };
  }
  const spec = commands[header.name];
  if (header.version !== undefined && header.version.split('.')[0] !== spec.version.split('.')[0]) {
    return { ok: false, completionCode: 'unsupportedCommand', errorCode: 'unsupportedVersion', errorDescription: `${header.name} supports version ${spec.version}, not ${header.version}.`, ...base };
  }
  return { ok: true, name: header.name, header, rawPayload: payload };
}

/** Agent side, second step: the payload against its command's schema. */
export function parseCommandPayload(parsed: ParsedHeader): ParsedCommand | ParseProblem {
  const { name, header } = parsed;
  const result = commands[name].payload.safeParse(parsed.rawPayload ?? {});
  if (!result.success) {
    return { ok: false, completionCode: 'invalidData', errorCode: 'invalidPayload', errorDescription: `Invalid payload for ${name}: ${describeIssues(result.error)}`, requestId: header.requestId, name };
  }
  return { ok: true, name, header, payload: result.data };
}

/** Agent side: read one incoming text frame as a command, validating header and payload. */
export function parseCommand(text: string): ParsedCommand | ParseProblem {
  const header = parseCommandHeader(text);
  return header.ok ? parseCommandPayload(header) : header;
}

/** Client side: validate a message from the agent against its schema. */
export function parseAgentMessage(text: string, commandOf: (requestId: RequestId) => CommandName | undefined): { ok: true; message: Envelope } | { ok: false; errorDescription: string } {
  const json = parseJson(text);
  if (!json.ok) return { ok: false, errorDescription: json.errorDescription };
  const envelope = EnvelopeSchema.safeParse(json.value);
  if (!envelope.success) return { ok: false, errorDescription: `Malformed envelope: ${describeIssues(envelope.error)}` };
  const { header } = envelope.data;
  let schema: z.ZodType | undefined;
  switch (header.type) {
    case 'unsolicited':
      schema = isUnsolicitedName(header.name) ? unsolicited[header.name] : undefined;
      if (!schema) return { ok: false, errorDescription: `Unknown unsolicited message "${header.name}".` };
      break;
    case 'event':
      schema = findEventSchema(header.name);
      if (!schema) return { ok: false, errorDescription: `Unknown event "${header.name}".` };
      break;
    case 'completion': {
      if (header.completionCode === undefined) return { ok: false, errorDescription: 'A completion without completionCode.' };
      const name = commandOf(header.requestId) ?? (isCommandName(header.name) ? header.name : undefined);
      if (header.completionCode === 'success') {
        if (name) schema = commands[name].completion;
        break;
      }
      // A failure carries a code declared for its command (or a common one), with that code's payload.
      if (header.errorCode === undefined) return { ok: false, errorDescription: `A failed completion of ${header.name} without errorCode.` };
      schema = errorPayloadSchema(name ?? header.name, header.errorCode);
      if (!schema) return { ok: false, errorDescription: `${name ?? header.name} does not declare errorCode "${header.errorCode}".` };
      break;
    }
    case 'acknowledge':
    case 'command':
      break;
    default: {
      const unreachable: never = header.type;
      return unreachable;
    }
  }
  if (schema) {
    const parsed = schema.safeParse(envelope.data.payload ?? {});
    if (!parsed.success) return { ok: false, errorDescription: `Invalid payload of ${header.name}: ${describeIssues(parsed.error)}` };
    return { ok: true, message: { header, payload: parsed.data } };
  }
  return { ok: true, message: envelope.data };
}

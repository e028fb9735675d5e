import type { Logger } from 'pino';
import type {
  CommandName,
  CompletionCode,
  CompletionPayload,
  ErrorPayload,
  EventName,
  EventPayload,
  Identity,
  ParsedCommandPayload,
  RequestId,
} from '../protocol/index.ts';
import type { AgentServices } from '../services.ts';
import type { VisitMemory } from '../services/application/visit-memory.ts';

/**
 * What one connection remembers about the citizen in front of the terminal.
 * Memory only, wiped by `Session.End`, card removal handling in the UI, and disconnect.
 */
export interface Session {
  /** The identity read from the card in this session, for prefill and booking. */
  identity: Identity | undefined;
  /** Answers given and applications submitted in this visit (一表申请, 信息复用); wiped with the session. */
  readonly application: VisitMemory;
  /** Wipes everything personal this session holds. */
  wipe(): void;
}

/** What a handler may do with its own connection (Common.Authenticate, Common.Cancel). */
export interface ConnectionControl {
  /** A small number for logs; not a secret. */
  readonly id: number;
  readonly authenticated: boolean;
  /** Checks the per-boot token; on a match the connection is authenticated. */
  authenticate(token: string): boolean;
  /**
   * Aborts commands in flight on this connection with reason `canceled`:
   * those named, or every other one when none are named. Returns the ones aborted.
   */
  cancel(requestIds: readonly RequestId[] | undefined, except: RequestId): RequestId[];
}

export type CommandContext<N extends CommandName> = {
  readonly name: N;
  readonly requestId: RequestId;
  readonly payload: ParsedCommandPayload<N>;
  /** Effective timeout (header.timeout, else the command's default); 0 = none. */
  readonly timeoutMs: number;
  /** Aborted on Common.Cancel, on timeout and when the connection closes; `signal.reason` says which. */
  readonly signal: AbortSignal;
  /** Sends an `event` message with this command's requestId. */
  emit<E extends EventName<N>>(event: E, payload: EventPayload<N, E>): void;
  readonly session: Session;
  readonly services: AgentServices;
  readonly connection: ConnectionControl;
  /** Bound to this command (command name and requestId); log no personal data. */
  readonly log: Logger;
};

/** Why a signal was aborted; handlers map these to `canceled` / `timeOut`. */
export type AbortReason = 'canceled' | 'timeOut' | 'disconnected' | 'shutdown';

export type CommandOutcome<N extends CommandName> =
  | { completionCode: 'success'; payload: CompletionPayload<N> }
  | {
      completionCode: Exclude<CompletionCode, 'success'>;
      /** Stable code the UI maps to a text, e.g. `cardExpired`. */
      errorCode: string;
      /** For people and logs. Never personal data. */
      errorDescription: string;
      payload?: ErrorPayload;
    };

export type Handler<N extends CommandName> = (ctx: CommandContext<N>) => Promise<CommandOutcome<N>>;

/** The handlers of one service, e.g. `HandlersFor<'IdCard'>` covers every `IdCard.*` command. */
export type HandlersFor<S extends string> = {
  [N in CommandName as N extends `${S}.${string}` ? N : never]: Handler<N>;
};

/** The whole dispatch table: a command without a handler does not compile. */
export type HandlerTable = { [N in CommandName]: Handler<N> };

export function success<N extends CommandName>(payload: CompletionPayload<N>): CommandOutcome<N> {
  return { completionCode: 'success', payload };
}

export function failure<N extends CommandName>(
  completionCode: Exclude<CompletionCode, 'success'>,
  errorCode: string,
  errorDescription: string,
  payload?: ErrorPayload,
): CommandOutcome<N> {
  return payload === undefined ? { completionCode, errorCode, errorDescription } : { completionCode, errorCode, errorDescription, payload };
}

/** The outcome for a command whose signal fired: `timeOut` for a timeout, else `canceled`. */
export function abortedOutcome<N extends CommandName>(signal: AbortSignal): CommandOutcome<N> {
  const reason: unknown = signal.reason;
  switch (reason) {
    case 'timeOut':
      return failure('timeOut', 'timeOut', 'The command timed out.');
    case 'shutdown':
      return failure('canceled', 'shutdown', 'The agent is shutting down.');
    case 'disconnected':
      return failure('canceled', 'disconnected', 'The connection closed.');
    default:
      return failure('canceled', 'canceled', 'The command was canceled.');
  }
}

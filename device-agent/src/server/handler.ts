import type { Logger } from 'pino';
import type {
  CommandName,
  CompletionCode,
  CompletionPayload,
  ErrorCodeOf,
  ErrorPayloadInputOf,
  EventName,
  EventPayload,
  Identity,
  ParsedCommandPayload,
  RequestId,
  SlipDocument,
} from '@onevisit/protocol';
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
  /** The items this session's Pickup.Find returned, by id: Pickup.Collect opens only these (issue 13). */
  readonly pickupItems: Map<string, { reference: string; title: string; slot: string }>;
  /** Cases this session's Progress.Query showed as needMaterial, with the ids asked for: Supplement.Submit hands in only these (issue 15). */
  readonly progressCases: Map<string, ReadonlySet<string>>;
  /**
   * The slips and queue tickets the agent gave this session, by `kind:code` (session.ts
   * `rememberSlip`): ReceiptPrinter.Print prints only these, never a receipt the page lays out (issue 11).
   */
  readonly slips: Map<string, SlipDocument>;
  /** Wipes everything personal this session holds. */
  wipe(): void;
}

/** What a handler may do with its own connection (Common.Authenticate, Common.Cancel). */
export interface ConnectionControl {
  /** A small number for logs; not a secret. */
  readonly id: number;
  readonly authenticated: boolean;
  /**
   * Checks the per-boot token (and the launch secret, when given); on a match the connection is
   * authenticated. A wrong launch secret fails like a wrong token.
   */
  authenticate(token: string, launchSecret?: string): boolean;
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

/** A failed outcome of N: one of the codes N declares (or a common one), with that code's payload. */
export type FailureOutcome<N extends CommandName> = {
  [C in ErrorCodeOf<N>]: {
    completionCode: Exclude<CompletionCode, 'success'>;
    /** Stable code the UI maps to a text, e.g. `cardExpired`: declared by the command (protocol `errors`). */
    errorCode: C;
    /** For people and logs. Never personal data. */
    errorDescription: string;
    payload?: ErrorPayloadInputOf<N, C>;
  };
}[ErrorCodeOf<N>];

export type CommandOutcome<N extends CommandName> = { completionCode: 'success'; payload: CompletionPayload<N> } | FailureOutcome<N>;

/** Any command's outcome, as the connection sends it (it checks the payload against the command's schema). */
export type AnyOutcome =
  | { completionCode: 'success'; payload: unknown }
  | { completionCode: Exclude<CompletionCode, 'success'>; errorCode: string; errorDescription: string; payload?: unknown };

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

/**
 * A failed outcome. `errorCode` must be one N declares (or a common one): an undeclared code does not
 * compile. The payload is checked against the code's schema when the completion is sent.
 */
export function failure<N extends CommandName, C extends ErrorCodeOf<N> = ErrorCodeOf<N>>(
  completionCode: Exclude<CompletionCode, 'success'>,
  errorCode: C,
  errorDescription: string,
  payload?: ErrorPayloadInputOf<N, C>,
): CommandOutcome<N> {
  const outcome = payload === undefined ? { completionCode, errorCode, errorDescription } : { completionCode, errorCode, errorDescription, payload };
  // The mapped union cannot be built from a generic code; the parameters above carry the check.
  return outcome as unknown as CommandOutcome<N>;
}

/** The outcome for a command whose signal fired: `timeOut` for a timeout, else `canceled`. */
export function abortedOutcome<N extends CommandName>(signal: AbortSignal): CommandOutcome<N> {
  const reason: unknown = signal.reason;
  switch (reason) {
    case 'timeOut':
      return failure<N>('timeOut', 'timeOut', 'The command timed out.');
    case 'shutdown':
      return failure<N>('canceled', 'shutdown', 'The agent is shutting down.');
    case 'disconnected':
      return failure<N>('canceled', 'disconnected', 'The connection closed.');
    default:
      return failure<N>('canceled', 'canceled', 'The command was canceled.');
  }
}

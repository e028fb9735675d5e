import {
  PROTOCOL_VERSION,
  type AgentInfo,
  type CommandName,
  type CommandPayload,
  type CompletionCode,
  type CompletionPayload,
  type Envelope,
  type ErrorCodeOf,
  type ErrorPayloadOf,
  type EventName,
  type EventPayload,
  type RequestId,
  type UnsolicitedName,
  type UnsolicitedPayload,
} from '@onevisit/protocol';

/** The schemas, loaded on start (validator.ts): only types and constants of the protocol are in the first screen's JS. */
type Validator = typeof import('./validator.ts');
const loadValidator = (): Promise<Validator> => import('./validator.ts');

/**
 * The typed client of the device agent (DESIGN.md, "The WebSocket API").
 *
 * - connects to the agent that served the page, authenticates with the per-boot token from
 *   `<meta name="onevisit-token">` (read at each connect, never kept);
 * - sends typed commands with fresh requestIds and resolves each with its typed completion,
 *   calling back for its events;
 * - validates every incoming frame with the protocol's `parseAgentMessage` and drops what fails; the
 *   schemas load with `import()` when the client starts, and frames that come before they are
 *   there wait for them, so none goes unvalidated;
 * - types a failure by its command: `errorCode` is one the command declares (or a common one), and
 *   `payload` is that code's payload, parsed with its schema;
 * - reconnects by itself with exponential backoff and reports its phase.
 */

export type ConnectionPhase =
  /** Opening the socket (first time or after a loss). */
  | 'connecting'
  /** Socket open, Common.Authenticate in flight. */
  | 'authenticating'
  /** Authenticated: commands may be sent. */
  | 'ready'
  /** Socket closed; a reconnect is scheduled. */
  | 'disconnected'
  /** The agent refused our token (it restarted with a new one, or the page was not served by it). */
  | 'unauthorized';

export type CommandEvent<N extends CommandName> = {
  [E in EventName<N>]: { name: E; payload: EventPayload<N, E> };
}[EventName<N>];

export type UnsolicitedMessage = {
  [N in UnsolicitedName]: { name: N; payload: UnsolicitedPayload<N> };
}[UnsolicitedName];

/** `connectionLost`: the socket closed before the completion came; the agent abandons the command. */
export type FailureCode = Exclude<CompletionCode, 'success'> | 'connectionLost';

/** A failed completion of N: narrowing `errorCode` narrows `payload` to that code's payload. */
export type CommandFailure<N extends CommandName> = {
  [C in ErrorCodeOf<N>]: { ok: false; completionCode: Exclude<CompletionCode, 'success'>; errorCode: C; errorDescription: string | undefined; payload: ErrorPayloadOf<N, C> };
}[ErrorCodeOf<N>];

/** The socket closed before the completion came. */
export type ConnectionLost = { ok: false; completionCode: 'connectionLost'; errorCode: undefined; errorDescription: undefined; payload: undefined };

export type CommandResult<N extends CommandName> = { ok: true; payload: CompletionPayload<N> } | CommandFailure<N> | ConnectionLost;

export type SendOptions<N extends CommandName> = {
  /** header.timeout in milliseconds; absent = the command's default. */
  timeoutMs?: number;
  onEvent?: (event: CommandEvent<N>) => void;
};

export type PendingCommand<N extends CommandName> = {
  readonly requestId: number;
  readonly result: Promise<CommandResult<N>>;
};

/** The part of the browser WebSocket the client uses; tests inject a fake. */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((this: SocketLike, ev: Event) => unknown) | null;
  onclose: ((this: SocketLike, ev: CloseEvent) => unknown) | null;
  onerror: ((this: SocketLike, ev: Event) => unknown) | null;
  onmessage: ((this: SocketLike, ev: MessageEvent) => unknown) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type AgentClientOptions = {
  url: string;
  /** Returns the token at connect time; the client never stores it. */
  readToken: () => string;
  /**
   * The launch secret the kiosk launcher put in the URL fragment (issue 11); undefined in the demo.
   * Default: `readLaunchSecret()` of the page's own location (none outside a browser).
   */
  readLaunchSecret?: () => string | undefined;
  createSocket?: (url: string) => SocketLike;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  onPhase?: (phase: ConnectionPhase) => void;
  onReady?: (agent: AgentInfo) => void;
  onUnsolicited?: (message: UnsolicitedMessage) => void;
};

type Entry = {
  readonly name: CommandName;
  readonly onEvent: ((event: { name: string; payload: unknown }) => void) | undefined;
  readonly resolve: (result: unknown) => void;
};

const OPEN = 1;

/** The page's own token, from the meta tag the agent fills in. Empty when absent (e.g. `vite dev`). */
export function readPageToken(doc: Document = document): string {
  return doc.querySelector<HTMLMetaElement>('meta[name="onevisit-token"]')?.content ?? '';
}

/**
 * The launch secret from the URL fragment (`#launch=…`) that the kiosk launcher (scripts/kiosk.mjs) opens: a
 * fragment never reaches a server, a log or the Referer. Undefined when the page was opened without one.
 */
export function readLaunchSecret(loc: Pick<Location, 'hash'> = location): string | undefined {
  const value = new URLSearchParams(loc.hash.replace(/^#/, '')).get('launch');
  return value === null || value === '' ? undefined : value;
}

function pageLaunchSecret(): string | undefined {
  return typeof location === 'undefined' ? undefined : readLaunchSecret(location);
}

/** `ws://host/xfs4iot/v1.0` of the origin that served the page. */
export function agentUrl(loc: Location = location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/xfs4iot/v${PROTOCOL_VERSION}`;
}

export class AgentClient {
  readonly #options: AgentClientOptions;
  readonly #pending = new Map<RequestId, Entry>();
  #socket: SocketLike | undefined;
  #phase: ConnectionPhase = 'disconnected';
  #nextRequestId = 1;
  #backoffMs: number;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #stopped = true;
  #validator: Validator | undefined;
  #loading: Promise<void> | undefined;
  /** Frames that came before the validator was loaded, in order. */
  #held: string[] = [];

  constructor(options: AgentClientOptions) {
    this.#options = options;
    this.#backoffMs = options.initialBackoffMs ?? 250;
  }

  get phase(): ConnectionPhase {
    return this.#phase;
  }

  /** Starts connecting; keeps reconnecting until `stop()`. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#loadValidator();
    this.#connect();
  }

  /** Starts loading the schemas now, while the socket connects; a failed load is tried again on the next frame. */
  #loadValidator(): void {
    if (this.#validator !== undefined || this.#loading !== undefined) return;
    this.#loading = loadValidator().then(
      (validator) => {
        this.#validator = validator;
        this.#loading = undefined;
        const held = this.#held;
        this.#held = [];
        for (const text of held) this.#receive(text);
      },
      () => {
        this.#loading = undefined;
      },
    );
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.close(1000, 'stopped');
    this.#failAll();
    this.#setPhase('disconnected');
  }

  /** Sends a command once authenticated; before that it fails at once with `connectionLost`. */
  send<N extends CommandName>(name: N, payload: CommandPayload<N>, options: SendOptions<N> = {}): PendingCommand<N> {
    const requestId = this.#nextRequestId++;
    if (this.#phase !== 'ready') {
      return { requestId, result: Promise.resolve(lost()) };
    }
    return { requestId, result: this.#transmit(name, requestId, payload, options) };
  }

  /** Asks the agent to cancel one command; its own completion (`canceled`) settles it. */
  cancel(requestId: number): void {
    if (!this.#pending.has(requestId)) return;
    void this.send('Common.Cancel', { requestId }).result;
  }

  #transmit<N extends CommandName>(name: N, requestId: number, payload: CommandPayload<N>, options: SendOptions<N>): Promise<CommandResult<N>> {
    const socket = this.#socket;
    if (!socket || socket.readyState !== OPEN) return Promise.resolve(lost());
    return new Promise<CommandResult<N>>((resolve) => {
      const onEvent = options.onEvent;
      this.#pending.set(requestId, {
        name,
        // Events were validated against their schema before they reach here.
        onEvent: onEvent ? (event) => onEvent(event as CommandEvent<N>) : undefined,
        resolve: resolve as (result: unknown) => void,
      });
      const header: Envelope['header'] = { type: 'command', name, requestId, version: PROTOCOL_VERSION };
      if (options.timeoutMs !== undefined) header.timeout = options.timeoutMs;
      socket.send(JSON.stringify({ header, payload: payload ?? {} }));
    });
  }

  #connect(): void {
    if (this.#stopped) return;
    this.#setPhase('connecting');
    const create = this.#options.createSocket ?? ((url: string) => new WebSocket(url) as SocketLike);
    let socket: SocketLike;
    try {
      socket = create(this.#options.url);
    } catch {
      this.#scheduleReconnect();
      return;
    }
    this.#socket = socket;
    socket.onopen = () => {
      if (this.#socket !== socket) return;
      void this.#authenticate();
    };
    socket.onmessage = (ev: MessageEvent) => {
      if (this.#socket !== socket || typeof ev.data !== 'string') return;
      this.#receive(ev.data);
    };
    socket.onerror = () => {
      // A close event always follows; reconnecting happens there.
    };
    socket.onclose = () => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      this.#failAll();
      if (this.#phase !== 'unauthorized') this.#setPhase('disconnected');
      this.#scheduleReconnect();
    };
  }

  async #authenticate(): Promise<void> {
    this.#setPhase('authenticating');
    const requestId = this.#nextRequestId++;
    const launchSecret = (this.#options.readLaunchSecret ?? pageLaunchSecret)();
    const credentials = launchSecret === undefined ? { token: this.#options.readToken() } : { token: this.#options.readToken(), launchSecret };
    const result = await this.#transmit('Common.Authenticate', requestId, credentials, {});
    if (result.ok) {
      this.#backoffMs = this.#options.initialBackoffMs ?? 250;
      this.#setPhase('ready');
      this.#options.onReady?.(result.payload.agent);
      return;
    }
    if (result.completionCode === 'unauthorized') {
      this.#setPhase('unauthorized');
      this.#socket?.close(1000, 'unauthorized');
    }
  }

  #scheduleReconnect(): void {
    if (this.#stopped) return;
    clearTimeout(this.#reconnectTimer);
    const delayMs = this.#backoffMs;
    this.#backoffMs = Math.min(this.#backoffMs * 2, this.#options.maxBackoffMs ?? 4000);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.#connect();
    }, delayMs);
  }

  #receive(text: string): void {
    const validator = this.#validator;
    if (validator === undefined) {
      this.#held.push(text);
      this.#loadValidator();
      return;
    }
    const parsed = validator.parseAgentMessage(text, (requestId) => this.#pending.get(requestId)?.name);
    // A frame that fails validation is dropped: the UI acts only on messages it understands.
    if (!parsed.ok) return;
    const { header, payload } = parsed.message;
    switch (header.type) {
      case 'unsolicited':
        // parseAgentMessage checked the name is an unsolicited one and the payload fits its schema.
        this.#options.onUnsolicited?.({ name: header.name, payload } as UnsolicitedMessage);
        return;
      case 'event':
        this.#pending.get(header.requestId)?.onEvent?.({ name: header.name, payload });
        return;
      case 'completion': {
        const entry = this.#pending.get(header.requestId);
        if (!entry) return;
        this.#pending.delete(header.requestId);
        // parseAgentMessage checked the payload against the command's completion schema, or, for a
        // failure, that errorCode is declared for the command and the payload fits that code's schema.
        if (header.completionCode === 'success') {
          entry.resolve({ ok: true, payload });
        } else {
          entry.resolve({
            ok: false,
            completionCode: header.completionCode ?? 'internalError',
            errorCode: header.errorCode,
            errorDescription: header.errorDescription,
            payload,
          });
        }
        return;
      }
      case 'acknowledge':
      case 'command':
        return;
      default: {
        const unreachable: never = header.type;
        return unreachable;
      }
    }
  }

  #failAll(): void {
    // Held frames belong to the socket that closed.
    this.#held = [];
    const entries = [...this.#pending.values()];
    this.#pending.clear();
    for (const entry of entries) entry.resolve(lost());
  }

  #setPhase(phase: ConnectionPhase): void {
    if (this.#phase === phase) return;
    this.#phase = phase;
    this.#options.onPhase?.(phase);
  }
}

function lost(): ConnectionLost {
  return { ok: false, completionCode: 'connectionLost', errorCode: undefined, errorDescription: undefined, payload: undefined };
}

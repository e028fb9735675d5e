import { createHash, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import {
  commands,
  describeIssues,
  NameSchema,
  parseCommand,
  type CommandName,
  type CompletionCode,
  type Envelope,
  type EventName,
  type EventPayload,
  type ParsedCommandPayload,
  type RequestId,
  type UnsolicitedName,
  type UnsolicitedPayload,
} from '../protocol/index.ts';
import type { AgentServices } from '../services.ts';
import {
  abortedOutcome,
  failure,
  type AbortReason,
  type CommandContext,
  type CommandOutcome,
  type ConnectionControl,
  type HandlerTable,
  type Session,
} from './handler.ts';
import { createSession } from './session.ts';

/**
 * One WebSocket connection: authentication, limits, dispatch and the envelope rules.
 *
 * Wire rules (DESIGN.md, "The WebSocket API"):
 * - A command that is accepted gets one `acknowledge`, then zero or more `event`s, then exactly one `completion`.
 * - A message that is refused before it runs (malformed JSON or envelope, unknown name, bad payload,
 *   not authenticated, dev-only without --dev, duplicate requestId, too many in flight, shutting down)
 *   gets exactly one `completion` with an error code and no `acknowledge`. When the request id or name
 *   could not be read, the completion carries requestId 0 and name `Common.Error`: clients number
 *   their requests from 1.
 * - `unsolicited` messages carry requestId 0.
 */

export type ConnectionLimits = {
  /** Commands in flight at once per connection; more complete `busy` (Common.Cancel is exempt). */
  maxInFlight: number;
  /** After a command's signal fires, how long its handler has to finish before the agent completes it anyway. */
  abortGraceMs: number;
  /** Failed Common.Authenticate attempts before the connection is closed. */
  maxAuthFailures: number;
};

export type ConnectionDeps = {
  services: AgentServices;
  handlers: HandlerTable;
  token: string;
  log: Logger;
  limits: ConnectionLimits;
  /** True once the agent is shutting down: new commands are refused. */
  shuttingDown: () => boolean;
};

type InFlight = {
  readonly requestId: RequestId;
  readonly name: CommandName;
  readonly controller: AbortController;
  timer: NodeJS.Timeout | undefined;
  graceTimer: NodeJS.Timeout | undefined;
  done: boolean;
  /** Resolves when the completion has been sent. */
  readonly finished: Promise<void>;
  markFinished: () => void;
  /** Resolves with a forced outcome when the handler overstays its abort. */
  force: (outcome: CommandOutcome<CommandName>) => void;
  readonly forced: Promise<CommandOutcome<CommandName>>;
};

const ERROR_NAME = 'Common.Error';

function requestKey(requestId: RequestId): string {
  return `${typeof requestId}:${String(requestId)}`;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

let nextConnectionId = 1;

export class Connection {
  readonly id = nextConnectionId++;
  readonly #ws: WebSocket;
  readonly #deps: ConnectionDeps;
  readonly #log: Logger;
  readonly #session: Session = createSession();
  readonly #inFlight = new Map<string, InFlight>();
  readonly #control: ConnectionControl;
  #authenticated = false;
  #authFailures = 0;
  /** Heartbeat: set on pong, cleared on each ping. */
  alive = true;

  constructor(ws: WebSocket, deps: ConnectionDeps) {
    this.#ws = ws;
    this.#deps = deps;
    this.#log = deps.log.child({ connection: this.id });
    const isAuthenticated = (): boolean => this.#authenticated;
    this.#control = {
      id: this.id,
      get authenticated() {
        return isAuthenticated();
      },
      authenticate: (token) => this.#authenticate(token),
      cancel: (requestIds, except) => this.#cancel(requestIds, except),
    };
    ws.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    ws.on('pong', () => {
      this.alive = true;
    });
    ws.on('error', (error) => this.#log.warn({ err: error }, 'websocket error'));
    ws.on('close', (code) => this.#onClose(code));
  }

  get authenticated(): boolean {
    return this.#authenticated;
  }

  get inFlightCount(): number {
    return this.#inFlight.size;
  }

  /** Pushes an unsolicited message, to authenticated connections only. */
  push<N extends UnsolicitedName>(name: N, payload: UnsolicitedPayload<N>): void {
    if (!this.#authenticated) return;
    this.#send({ header: { type: 'unsolicited', name, requestId: 0, version: '1.0' }, payload });
  }

  ping(): void {
    this.alive = false;
    try {
      this.#ws.ping();
    } catch (error) {
      this.#log.debug({ err: error }, 'ping failed');
    }
  }

  /** Calls `listener` once the socket has closed (at once if it already has). */
  onClosed(listener: () => void): void {
    if (this.#ws.readyState === this.#ws.CLOSED) listener();
    else this.#ws.once('close', () => listener());
  }

  terminate(): void {
    this.#ws.terminate();
  }

  close(code: number, reason: string): void {
    this.#ws.close(code, reason);
  }

  /** Aborts every command in flight with `reason`. */
  abortAll(reason: AbortReason): void {
    for (const request of this.#inFlight.values()) this.#abort(request, reason);
  }

  /** Resolves when every command now in flight has completed. */
  async drained(): Promise<void> {
    await Promise.all([...this.#inFlight.values()].map((r) => r.finished));
  }

  /** Completes every command still in flight now, with the outcome its abort reason implies. */
  forceFinishAll(): void {
    for (const request of [...this.#inFlight.values()]) {
      if (!request.controller.signal.aborted) request.controller.abort('shutdown' satisfies AbortReason);
      this.#finish(request, abortedOutcome(request.controller.signal));
    }
  }

  // ------------------------------------------------------------ incoming

  #onMessage(data: RawData, isBinary: boolean): void {
    try {
      if (isBinary) {
        this.#reject(0, ERROR_NAME, 'invalidData', 'binaryFrame', 'Binary frames are not accepted; send JSON text.');
        return;
      }
      const text = (Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? Buffer.from(new Uint8Array(data)) : data).toString('utf8');
      const parsed = parseCommand(text);
      if (!parsed.ok) {
        const name = parsed.name !== undefined && NameSchema.safeParse(parsed.name).success ? parsed.name : ERROR_NAME;
        this.#log.debug({ errorCode: parsed.errorCode }, 'message refused');
        this.#reject(parsed.requestId ?? 0, name, parsed.completionCode, parsed.errorCode, parsed.errorDescription);
        return;
      }
      const { name, header } = parsed;
      const spec = commands[name];
      if (this.#deps.shuttingDown()) {
        this.#reject(header.requestId, name, 'canceled', 'shuttingDown', 'The agent is shutting down.');
        return;
      }
      if (!this.#authenticated && name !== 'Common.Authenticate') {
        this.#reject(header.requestId, name, 'unauthorized', 'notAuthenticated', 'Send Common.Authenticate with the token from the page first.');
        return;
      }
      if (spec.devOnly && !this.#deps.services.dev) {
        this.#reject(header.requestId, name, 'unsupportedCommand', 'devOnly', `${name} is available only when the agent runs with --dev.`);
        return;
      }
      if (this.#inFlight.has(requestKey(header.requestId))) {
        this.#reject(header.requestId, name, 'invalidRequestID', 'duplicateRequestId', 'A command with this requestId is still in flight.');
        return;
      }
      if (this.#inFlight.size >= this.#deps.limits.maxInFlight && name !== 'Common.Cancel') {
        this.#reject(header.requestId, name, 'busy', 'tooManyRequests', `At most ${this.#deps.limits.maxInFlight} commands may be in flight per connection.`);
        return;
      }
      const timeoutMs = header.timeout !== undefined && header.timeout > 0 ? header.timeout : spec.defaultTimeoutMs;
      this.#run(name, header.requestId, parsed.payload, timeoutMs);
    } catch (error) {
      // A bug in the dispatch itself: log it (scrubbed) and keep the connection.
      this.#log.error({ err: error }, 'message handling failed');
    }
  }

  #run<N extends CommandName>(name: N, requestId: RequestId, payload: unknown, timeoutMs: number): void {
    const controller = new AbortController();
    let markFinished: () => void = () => undefined;
    let force: (outcome: CommandOutcome<CommandName>) => void = () => undefined;
    const request: InFlight = {
      requestId,
      name,
      controller,
      timer: undefined,
      graceTimer: undefined,
      done: false,
      finished: new Promise<void>((resolve) => (markFinished = resolve)),
      markFinished: () => markFinished(),
      forced: new Promise<CommandOutcome<CommandName>>((resolve) => (force = resolve)),
      force: (outcome) => force(outcome),
    };
    this.#inFlight.set(requestKey(requestId), request);
    if (timeoutMs > 0) request.timer = setTimeout(() => this.#abort(request, 'timeOut'), timeoutMs);

    const spec = commands[name];
    this.#send({ header: { type: 'acknowledge', name, requestId, version: spec.version } });

    const log = this.#log.child({ command: name, requestId });
    const ctx: CommandContext<N> = {
      name,
      requestId,
      // parseCommand validated it against this command's schema.
      payload: payload as ParsedCommandPayload<N>,
      timeoutMs,
      signal: controller.signal,
      emit: <E extends EventName<N>>(event: E, eventPayload: EventPayload<N, E>) => {
        if (request.done) return;
        this.#send({ header: { type: 'event', name: event, requestId, version: spec.version }, payload: eventPayload });
      },
      session: this.#session,
      services: this.#deps.services,
      connection: this.#control,
      log,
    };

    const handler = this.#deps.handlers[name];
    const running = (async (): Promise<CommandOutcome<N>> => handler(ctx))();
    Promise.race([running, request.forced as Promise<CommandOutcome<N>>])
      .catch((error: unknown) => {
        log.error({ err: error }, 'handler threw');
        return failure<N>('internalError', 'internalError', 'The agent failed to run this command. It has been logged.');
      })
      .then((outcome) => this.#finish(request, outcome))
      .catch((error: unknown) => log.error({ err: error }, 'completion failed'));
  }

  #finish(request: InFlight, outcome: CommandOutcome<CommandName>): void {
    if (request.done) return;
    request.done = true;
    clearTimeout(request.timer);
    clearTimeout(request.graceTimer);
    this.#inFlight.delete(requestKey(request.requestId));
    const spec = commands[request.name];
    if (outcome.completionCode === 'success') {
      const checked = spec.completion.safeParse(outcome.payload);
      if (checked.success) {
        this.#send({
          header: { type: 'completion', name: request.name, requestId: request.requestId, version: spec.version, completionCode: 'success' },
          payload: checked.data,
        });
      } else {
        this.#log.error({ command: request.name, issues: describeIssues(checked.error) }, 'handler returned a payload that does not match its schema');
        this.#completeError(request.requestId, request.name, 'internalError', 'internalError', 'The agent produced an invalid answer. It has been logged.');
      }
    } else {
      this.#send({
        header: {
          type: 'completion',
          name: request.name,
          requestId: request.requestId,
          version: spec.version,
          completionCode: outcome.completionCode,
          errorCode: outcome.errorCode,
          errorDescription: outcome.errorDescription,
        },
        payload: outcome.payload ?? {},
      });
    }
    request.markFinished();
  }

  #abort(request: InFlight, reason: AbortReason): void {
    if (request.done || request.controller.signal.aborted) return;
    clearTimeout(request.timer);
    request.controller.abort(reason);
    // The handler should now return promptly; if it does not, complete for it.
    request.graceTimer = setTimeout(() => {
      this.#log.warn({ command: request.name, reason }, 'handler did not finish after abort; completing it');
      request.force(abortedOutcome(request.controller.signal));
    }, this.#deps.limits.abortGraceMs);
  }

  #cancel(requestIds: readonly RequestId[] | undefined, except: RequestId): RequestId[] {
    const canceled: RequestId[] = [];
    const wanted = requestIds === undefined ? undefined : new Set(requestIds.map(requestKey));
    for (const [key, request] of this.#inFlight) {
      if (key === requestKey(except) || request.done || request.controller.signal.aborted) continue;
      if (wanted && !wanted.has(key)) continue;
      this.#abort(request, 'canceled');
      canceled.push(request.requestId);
    }
    return canceled;
  }

  #authenticate(token: string): boolean {
    if (timingSafeEqual(digest(token), digest(this.#deps.token))) {
      this.#authenticated = true;
      this.#log.info('connection authenticated');
      return true;
    }
    this.#authFailures += 1;
    this.#log.warn({ failures: this.#authFailures }, 'wrong token');
    if (this.#authFailures >= this.#deps.limits.maxAuthFailures) {
      // Let the completion go out first, then hang up.
      setImmediate(() => this.#ws.close(1008, 'Too many failed authentications'));
    }
    return false;
  }

  #onClose(code: number): void {
    this.#log.info({ code }, 'connection closed');
    for (const request of this.#inFlight.values()) this.#abort(request, 'disconnected');
    this.#session.wipe();
  }

  // ------------------------------------------------------------ outgoing

  #reject(requestId: RequestId, name: string, completionCode: Exclude<CompletionCode, 'success'>, errorCode: string, errorDescription: string): void {
    this.#completeError(requestId, name, completionCode, errorCode, errorDescription);
  }

  #completeError(requestId: RequestId, name: string, completionCode: Exclude<CompletionCode, 'success'>, errorCode: string, errorDescription: string): void {
    this.#send({ header: { type: 'completion', name, requestId, completionCode, errorCode, errorDescription }, payload: {} });
  }

  #send(message: Envelope): void {
    if (this.#ws.readyState !== this.#ws.OPEN) return;
    this.#ws.send(JSON.stringify(message), (error) => {
      if (error) this.#log.debug({ err: error }, 'send failed');
    });
  }
}

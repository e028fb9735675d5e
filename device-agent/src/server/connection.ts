import { createHash, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import {
  commands,
  describeIssues,
  errorPayloadSchema,
  NameSchema,
  parseCommandHeader,
  parseCommandPayload,
  type CommandName,
  type CompletionCode,
  type Envelope,
  type EventName,
  type EventPayload,
  type ParsedCommandPayload,
  type RequestId,
  type UnsolicitedName,
  type UnsolicitedPayload,
} from '@onevisit/protocol';
import type { AgentServices } from '../services.ts';
import { classifyStoreError } from '../store/db.ts';
import {
  abortedOutcome,
  failure,
  type AbortReason,
  type AnyOutcome,
  type CommandContext,
  type CommandOutcome,
  type ConnectionControl,
  type HandlerTable,
  type Session,
} from './handler.ts';
import { createSession } from './session.ts';
import type { CitizenSessionOwner } from './citizen-session.ts';
import { checkRole, type RoleRefusal } from './roles.ts';

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
  /** A connection that has not authenticated this long after opening is closed (1008). */
  authDeadlineMs: number;
  /** Largest frame read before authentication (Common.Authenticate is far smaller). */
  maxUnauthenticatedMessageBytes: number;
};

export type ConnectionDeps = {
  services: AgentServices;
  handlers: HandlerTable;
  token: string;
  /** Undefined: no launch secret needed (the demo, tests). */
  launchSecret: string | undefined;
  log: Logger;
  limits: ConnectionLimits;
  /** True once the agent is shutting down: new commands are refused. */
  shuttingDown: () => boolean;
  /** Which connection owns the citizen session (one per agent). */
  citizenSession: CitizenSessionOwner;
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
  force: (outcome: AnyOutcome) => void;
  readonly forced: Promise<AnyOutcome>;
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
  /** Presented the launch secret, or none is needed (launch-secret.ts). */
  #launched = false;
  #authFailures = 0;
  readonly #authDeadline: NodeJS.Timeout;
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
      authenticate: (token, launchSecret) => this.#authenticate(token, launchSecret),
      cancel: (requestIds, except) => this.#cancel(requestIds, except),
    };
    // Unauthenticated connections must not hold their slot: the kiosk page authenticates at once.
    this.#authDeadline = setTimeout(() => {
      if (!this.#authenticated) this.#ws.close(1008, 'Authentication deadline passed');
    }, deps.limits.authDeadlineMs);
    this.#authDeadline.unref();
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
    // Without the launch secret: the agent's and devices' status only (card and staff events are not for it).
    if (!this.#launched && name !== 'Common.StatusChangedEvent' && name !== 'Common.ShutdownEvent') return;
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
      const bytes = Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? Buffer.from(new Uint8Array(data)) : data;
      // Before authentication only Common.Authenticate is useful, and it is small: a bigger frame is
      // refused unread, so an unauthenticated client cannot make the agent parse large payloads.
      if (!this.#authenticated && bytes.length > this.#deps.limits.maxUnauthenticatedMessageBytes) {
        this.#reject(0, ERROR_NAME, 'unauthorized', 'notAuthenticated', 'Send Common.Authenticate with the token from the page first.');
        return;
      }
      const head = parseCommandHeader(bytes.toString('utf8'));
      if (!head.ok) {
        const name = head.name !== undefined && NameSchema.safeParse(head.name).success ? head.name : ERROR_NAME;
        if (this.#authenticated) this.#log.debug({ errorCode: head.errorCode }, 'message refused');
        this.#reject(head.requestId ?? 0, name, head.completionCode, head.errorCode, head.errorDescription);
        return;
      }
      const { name, header } = head;
      const spec = commands[name];
      if (this.#deps.shuttingDown()) {
        this.#reject(header.requestId, name, 'canceled', 'shuttingDown', 'The agent is shutting down.');
        return;
      }
      // Checked on the header alone: the payload of an unauthenticated command is never validated.
      if (!this.#authenticated && name !== 'Common.Authenticate') {
        this.#reject(header.requestId, name, 'unauthorized', 'notAuthenticated', 'Send Common.Authenticate with the token from the page first.');
        return;
      }
      const parsed = parseCommandPayload(head);
      if (!parsed.ok) {
        this.#log.debug({ errorCode: parsed.errorCode }, 'message refused');
        this.#reject(header.requestId, name, parsed.completionCode, parsed.errorCode, parsed.errorDescription);
        return;
      }
      const refusal = this.#checkRole(name);
      if (refusal) {
        this.#reject(header.requestId, name, refusal.completionCode, refusal.errorCode, refusal.errorDescription);
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
      // A bug in the dispatch itself: log it (scrubbed), still answer the message, and keep the connection.
      this.#log.error({ err: error }, 'message handling failed');
      this.#reject(0, ERROR_NAME, 'internalError', 'internalError', 'The agent failed to read this message. It has been logged.');
    }
  }

  #run<N extends CommandName>(name: N, requestId: RequestId, payload: unknown, timeoutMs: number): void {
    const controller = new AbortController();
    let markFinished: () => void = () => undefined;
    let force: (outcome: AnyOutcome) => void = () => undefined;
    const request: InFlight = {
      requestId,
      name,
      controller,
      timer: undefined,
      graceTimer: undefined,
      done: false,
      finished: new Promise<void>((resolve) => (markFinished = resolve)),
      markFinished: () => markFinished(),
      forced: new Promise<AnyOutcome>((resolve) => (force = resolve)),
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
    Promise.race<AnyOutcome>([running, request.forced])
      .catch((error: unknown): AnyOutcome => {
        // A disk-level failure of the terminal's store is a fault of the terminal, not a bug: say which.
        const store = classifyStoreError(error);
        if (store === 'diskFull') {
          log.error({ store }, 'the data disk is full');
          return failure<N>('notEnoughSpace', 'dataDiskFull', 'Out of service: the data disk is full; nothing of this command was kept.');
        }
        if (store === 'readOnly' || store === 'ioError' || store === 'corrupt') {
          log.error({ store }, 'the data store failed');
          return failure<N>('hardwareError', 'dataDiskFailed', `Out of service: the data store failed (${store}); nothing of this command was kept.`);
        }
        log.error({ err: error }, 'handler threw');
        return failure<N>('internalError', 'internalError', 'The agent failed to run this command. It has been logged.');
      })
      .then((outcome) => this.#finish(request, outcome))
      .catch((error: unknown) => log.error({ err: error }, 'completion failed'));
  }

  #finish(request: InFlight, outcome: AnyOutcome): void {
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
      // The handler's types allow only the codes its command declares; the payload must fit the code's schema.
      const schema = errorPayloadSchema(request.name, outcome.errorCode);
      if (!schema) this.#log.error({ command: request.name, errorCode: outcome.errorCode }, 'handler failed with an error code its command does not declare');
      const checked = schema ? schema.safeParse(outcome.payload ?? {}) : { success: true as const, data: outcome.payload ?? {} };
      if (checked.success) {
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
          payload: checked.data,
        });
      } else {
        this.#log.error({ command: request.name, errorCode: outcome.errorCode, issues: describeIssues(checked.error) }, 'handler returned an error payload that does not match its schema');
        this.#completeError(request.requestId, request.name, 'internalError', 'internalError', 'The agent produced an invalid answer. It has been logged.');
      }
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

  #authenticate(token: string, launchSecret: string | undefined): boolean {
    const expected = this.#deps.launchSecret;
    // A secret is checked only when the agent has one; presenting none is allowed and gives role-none commands only.
    const secretOk = expected === undefined || launchSecret === undefined || timingSafeEqual(digest(launchSecret), digest(expected));
    if (timingSafeEqual(digest(token), digest(this.#deps.token)) && secretOk) {
      this.#authenticated = true;
      this.#launched = expected === undefined || launchSecret !== undefined;
      clearTimeout(this.#authDeadline);
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

  /** Roles (server/roles.ts): the command's role against this connection; a staff command from the signed-in page keeps the staff session alive. */
  #checkRole(name: CommandName): RoleRefusal | undefined {
    const { services } = this.#deps;
    const role = commands[name].role;
    const citizenSession = this.#deps.citizenSession;
    const refusal = checkRole(role, name, {
      dev: services.dev,
      staffRole: services.staff.roleOf(this.id),
      staffModeActive: services.staff.active,
      citizenSession: citizenSession.standing(this.id),
      launched: this.#launched,
    });
    // XFS4IoT: a storage exchange cannot start while a transaction runs. A citizen session and a staff
    // session never exist at once, so the caller is not signed in as staff then; the answer says why
    // the exchange cannot start now (transactionActive) rather than who may start one.
    if (name === 'Storage.StartExchange' && refusal?.errorCode === 'staffOnly' && (citizenSession.standing(this.id) !== 'free' || services.staffMode.citizenActive())) {
      return { completionCode: 'sequenceError', errorCode: 'transactionActive', errorDescription: 'A citizen is using the terminal; start the exchange when they are done.' };
    }
    if (!refusal && role === 'citizen') citizenSession.claim(this.id);
    // Session.End is for everyone (role none) but ends only the sender's ownership.
    if (name === 'Session.End') citizenSession.release(this.id);
    if (!refusal && (role === 'staff' || role === 'technician' || name === 'Staff.Session')) services.staff.touch(this.id);
    return refusal;
  }

  #onClose(code: number): void {
    clearTimeout(this.#authDeadline);
    this.#log.info({ code }, 'connection closed');
    for (const request of this.#inFlight.values()) this.#abort(request, 'disconnected');
    this.#session.wipe();
    // A citizen transaction the page declared (Common.SetTransactionState) ends with the page that owned
    // the citizen session; left on, it would keep staff cards from being recognised until a restart.
    if (this.#deps.citizenSession.standing(this.id) === 'owner') {
      this.#deps.services.staffMode.supplies.setTransactionActive(false);
      void this.#deps.services.simulators.printer?.clearSpool().catch((error: unknown) => this.#log.error({ err: error }, 'could not clear the simulated printer spool'));
    }
    this.#deps.citizenSession.release(this.id);
    this.#deps.services.staff.connectionClosed(this.id);
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

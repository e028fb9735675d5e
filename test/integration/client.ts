import WebSocket from 'ws';
import {
  commands,
  parseAgentMessage,
  type CommandName,
  type CommandPayload,
  type CompletionPayload,
  type Envelope,
  type RequestId,
  type UnsolicitedName,
} from '@onevisit/protocol';

/**
 * A tiny typed WebSocket client for integration tests and benchmarks: a plain `ws`
 * socket, every received message kept in `messages`, helpers to send a command and
 * collect its acknowledge, events and completion.
 */

export const WS_PATH = '/xfs4iot/v1.0';

/** `http://127.0.0.1:5846/` → `ws://127.0.0.1:5846/xfs4iot/v1.0`. */
export function wsUrlOf(httpUrl: string): string {
  const url = new URL(httpUrl);
  return `ws://${url.host}${WS_PATH}`;
}

export function originOf(httpUrl: string): string {
  return new URL(httpUrl).origin;
}

/**
 * Messages from the agent that the UI's validation (the protocol's parseAgentMessage) refuses: e.g. a
 * failed completion whose errorCode its command does not declare, or whose payload does not fit
 * that code's schema. Integration tests assert that none came (declared-errors.ts).
 */
const refusedByClient: string[] = [];

/** The refusals since the last call, emptied. */
export function takeRefusedByClient(): string[] {
  return refusedByClient.splice(0);
}

export type CommandResult = {
  ack: Envelope | undefined;
  events: Envelope[];
  completion: Envelope;
};

export type ConnectOptions = {
  /** Default: the agent's own origin. `null` sends no Origin header. */
  origin?: string | null;
  /** Default 1 MiB+; raise to test the agent's limit. */
  maxPayload?: number;
  /** Default true; false plays a dead peer that never answers pings. */
  autoPong?: boolean;
};

export type ConnectFailure = { ok: false; status: number | undefined; message: string };

export class TestClient {
  readonly messages: Envelope[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly #ws: WebSocket;
  readonly #listeners = new Set<(message: Envelope) => void>();
  #nextRequestId = 1;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })));
    ws.on('message', (data: WebSocket.RawData) => {
      const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as Buffer).toString('utf8');
      const message = JSON.parse(text) as Envelope;
      const checked = parseAgentMessage(text, () => undefined);
      if (!checked.ok) refusedByClient.push(checked.errorDescription);
      this.messages.push(message);
      for (const listener of [...this.#listeners]) listener(message);
    });
  }

  /** Connects to the agent at `httpUrl` (the URL it printed). Rejects when the upgrade is refused. */
  static async connect(httpUrl: string, options: ConnectOptions = {}): Promise<TestClient> {
    const result = await TestClient.tryConnect(httpUrl, options);
    if (result instanceof TestClient) return result;
    throw new Error(`connection refused (${result.status ?? 'no status'}): ${result.message}`);
  }

  /** Like connect, but returns the HTTP status of a refused upgrade instead of throwing. */
  static tryConnect(httpUrl: string, options: ConnectOptions = {}): Promise<TestClient | ConnectFailure> {
    const origin = options.origin === undefined ? originOf(httpUrl) : options.origin;
    const ws = new WebSocket(wsUrlOf(httpUrl), {
      ...(origin === null ? {} : { origin }),
      maxPayload: options.maxPayload ?? 8 * 1024 * 1024,
      autoPong: options.autoPong ?? true,
    });
    return new Promise((resolve) => {
      ws.once('open', () => resolve(new TestClient(ws)));
      ws.once('unexpected-response', (_req, res) => {
        resolve({ ok: false, status: res.statusCode, message: res.statusMessage ?? '' });
        res.resume();
        ws.terminate();
      });
      ws.once('error', (error) => resolve({ ok: false, status: undefined, message: error.message }));
    });
  }

  /** Connects and authenticates with `token` (from the served page or `agent.token`). */
  static async authenticated(httpUrl: string, token: string): Promise<TestClient> {
    const client = await TestClient.connect(httpUrl);
    const result = await client.send('Common.Authenticate', { token });
    if (result.completion.header.completionCode !== 'success') throw new Error(`authentication failed: ${result.completion.header.errorCode ?? ''}`);
    return client;
  }

  /** Sends a command and resolves with everything that answered it, once its completion has arrived. */
  send<N extends CommandName>(name: N, payload?: CommandPayload<N>, options: { timeout?: number; requestId?: RequestId } = {}): Promise<CommandResult> {
    const requestId = options.requestId ?? this.#nextRequestId++;
    const result = this.#collect(requestId);
    this.#ws.send(
      JSON.stringify({
        header: { type: 'command', name, requestId, version: commands[name].version, ...(options.timeout !== undefined ? { timeout: options.timeout } : {}) },
        ...(payload !== undefined ? { payload } : {}),
      }),
    );
    return result;
  }

  /** Sends any text (malformed messages, unknown names). */
  sendRaw(text: string | Buffer): void {
    this.#ws.send(text);
  }

  /** Resolves with the completion (plus ack and events) of `requestId`. */
  #collect(requestId: RequestId): Promise<CommandResult> {
    return new Promise((resolve) => {
      let ack: Envelope | undefined;
      const events: Envelope[] = [];
      const listener = (message: Envelope): void => {
        if (message.header.requestId !== requestId || message.header.type === 'unsolicited') return;
        if (message.header.type === 'acknowledge') ack = message;
        else if (message.header.type === 'event') events.push(message);
        else if (message.header.type === 'completion') {
          this.#listeners.delete(listener);
          resolve({ ack, events, completion: message });
        }
      };
      this.#listeners.add(listener);
    });
  }

  /** The next completion of `requestId` (for commands sent with sendRaw). */
  completionOf(requestId: RequestId): Promise<Envelope> {
    return this.waitFor((m) => m.header.type === 'completion' && m.header.requestId === requestId);
  }

  /** The first message (already received, or arriving within `timeoutMs`) that matches. */
  waitFor(predicate: (message: Envelope) => boolean, timeoutMs = 10_000): Promise<Envelope> {
    const seen = this.messages.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#listeners.delete(listener);
        reject(new Error('no matching message arrived'));
      }, timeoutMs);
      const listener = (message: Envelope): void => {
        if (!predicate(message)) return;
        clearTimeout(timer);
        this.#listeners.delete(listener);
        resolve(message);
      };
      this.#listeners.add(listener);
    });
  }

  /** The first unsolicited message of this name (already received or arriving). */
  unsolicited(name: UnsolicitedName, timeoutMs?: number): Promise<Envelope> {
    return this.waitFor((m) => m.header.type === 'unsolicited' && m.header.name === name, timeoutMs);
  }

  /** Forgets received messages (so waitFor only sees new ones). */
  clear(): void {
    this.messages.length = 0;
  }

  async close(): Promise<void> {
    if (this.#ws.readyState === WebSocket.CLOSED) return;
    this.#ws.close(1000);
    await this.closed;
  }
}

/** The success payload of a result, typed; throws with the error code otherwise. */
export function successPayload<N extends CommandName>(name: N, result: CommandResult): CompletionPayload<N> {
  const { header, payload } = result.completion;
  if (header.completionCode !== 'success') {
    throw new Error(`${name} completed ${header.completionCode ?? '?'} (${header.errorCode ?? ''}): ${header.errorDescription ?? ''}`);
  }
  return commands[name].completion.parse(payload) as CompletionPayload<N>;
}

/** Reads the per-boot token from the page the agent serves. */
export async function fetchToken(httpUrl: string): Promise<string> {
  const html = await (await fetch(httpUrl)).text();
  const match = /<meta name="onevisit-token" content="([^"]+)">/.exec(html);
  if (!match?.[1]) throw new Error('no token in the served page');
  return match[1];
}

import { parseAgentMessage, type AgentInfo, type CommandName, type CommandPayload, type CompletionCode, type CompletionPayload, type UnsolicitedName, type UnsolicitedPayload } from '@onevisit/protocol';
import { AgentClient, type SocketLike } from './client.ts';

/**
 * Test support: plays the device agent on the far side of a fake WebSocket, so UI state is
 * tested through the real typed client (envelopes, validation, requestIds, cancel) with scripted
 * answers. Every frame the fake sends goes through the client's schema check, as the agent's do.
 */

export type Reply<N extends CommandName> =
  | { readonly payload: CompletionPayload<N> }
  | { readonly completionCode: Exclude<CompletionCode, 'success'>; readonly errorCode?: string; readonly errorDescription?: string; readonly payload?: unknown };

export type Answer<N extends CommandName> = (payload: CommandPayload<N>) => Reply<N> | Promise<Reply<N>>;

type SentCommand = { readonly name: string; readonly requestId: number; readonly payload: unknown };

/** The agent's self-description at Common.Authenticate. */
export const FAKE_AGENT_INFO: AgentInfo = {
  version: '0.1.0',
  terminalId: 'T0001',
  dev: true,
  demo: true,
  time: '2026-03-02T10:00:00+08:00',
  idleTimeoutMs: 60_000,
  idleCountdownMs: 15_000,
};

class FakeSocket implements SocketLike {
  readyState = 0;
  onopen: SocketLike['onopen'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  onmessage: SocketLike['onmessage'] = null;

  constructor(private readonly agent: FakeAgent) {}

  send(data: string): void {
    this.agent.receive(data);
  }
  close(): void {
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.call(this, new Event('open'));
  }
  deliver(message: unknown): void {
    this.onmessage?.call(this, new MessageEvent('message', { data: JSON.stringify(message) }));
  }
}

export class FakeAgent {
  readonly client: AgentClient;
  /** Every command the UI sent, in order (Common.Authenticate included). */
  readonly sent: SentCommand[] = [];
  readonly #answers = new Map<string, (payload: unknown) => Reply<CommandName> | Promise<Reply<CommandName>>>();
  #socket: FakeSocket | undefined;
  /** Counts frames both ways: `settle()` waits until it stops changing. */
  #activity = 0;

  readonly #ready: Promise<void>;

  constructor() {
    let ready: () => void = () => undefined;
    this.#ready = new Promise((resolve) => {
      ready = resolve;
    });
    this.client = new AgentClient({
      url: 'ws://127.0.0.1:1/xfs4iot/v1.0',
      readToken: () => 'test-token',
      // The client loads its schemas with import(): ready means they are there.
      onReady: () => ready(),
      createSocket: this.createSocket,
    });
    this.answer('Common.Authenticate', () => ({ payload: { agent: FAKE_AGENT_INFO } }));
  }

  /** For a client the test does not own (the Kiosk's): its sockets reach this fake. */
  readonly createSocket = (): SocketLike => {
    this.#socket = new FakeSocket(this);
    return this.#socket;
  };

  /** Opens the socket a client created with `createSocket`, and lets it authenticate. */
  async open(): Promise<void> {
    this.#socket?.open();
    await this.settle();
  }

  /** Connects and authenticates the fake's own client. */
  async connect(): Promise<void> {
    this.client.start();
    this.#socket?.open();
    await this.#ready;
    await this.settle();
  }

  /** How the agent answers `name` from now on (the latest answer wins). */
  answer<N extends CommandName>(name: N, answer: Answer<N>): void {
    this.#answers.set(name, answer as (payload: unknown) => Reply<CommandName> | Promise<Reply<CommandName>>);
  }

  /** The next `name` waits until the test releases it (what the UI shows while it waits). */
  hold<N extends CommandName>(name: N): { release: (reply: Reply<N>) => Promise<void> } {
    let release: (reply: Reply<N>) => void = () => undefined;
    const held = new Promise<Reply<N>>((resolve) => {
      release = resolve;
    });
    const previous = this.#answers.get(name);
    this.answer(name, () => {
      if (previous !== undefined) this.#answers.set(name, previous);
      return held;
    });
    return {
      release: async (reply) => {
        release(reply);
        await this.settle();
      },
    };
  }

  /** Pushes an unsolicited message (a device changed, the card was lifted). */
  push<N extends UnsolicitedName>(name: N, payload: UnsolicitedPayload<N>): void {
    this.#activity += 1;
    this.#deliver({ header: { type: 'unsolicited', name, requestId: 0 }, payload }, undefined);
  }

  /** The names of the commands sent so far, without authentication. */
  names(): string[] {
    return this.sent.map((c) => c.name).filter((n) => n !== 'Common.Authenticate');
  }

  /** The payloads sent with `name`, in order. */
  payloads<N extends CommandName>(name: N): CommandPayload<N>[] {
    return this.sent.filter((c) => c.name === name).map((c) => c.payload as CommandPayload<N>);
  }

  /**
   * Resolves once the UI and the fake have nothing left to say to each other: answered commands
   * are delivered and the UI's reactions (which may send more) have run. Held answers wait.
   */
  async settle(): Promise<void> {
    let before: number;
    do {
      before = this.#activity;
      // One turn of the event loop: every microtask the UI queued has run (not a timed wait).
      await new Promise<void>((resolve) => setImmediate(resolve));
    } while (this.#activity !== before);
  }

  /** A scripted frame the client would drop as invalid is a mistake in the test: it says so instead of hanging. */
  #deliver(message: unknown, command: string | undefined): void {
    const checked = parseAgentMessage(JSON.stringify(message), () => command as CommandName | undefined);
    if (!checked.ok) throw new Error(`the fake agent's frame does not fit the protocol: ${checked.errorDescription}`);
    this.#socket?.deliver(message);
  }

  /** @internal the fake socket hands over what the client sent. */
  receive(data: string): void {
    const frame = JSON.parse(data) as { header: { name: string; requestId: number }; payload: unknown };
    const { name, requestId } = frame.header;
    this.sent.push({ name, requestId, payload: frame.payload });
    const answer = this.#answers.get(name);
    this.#activity += 1;
    void (async () => {
      const reply: Reply<CommandName> = answer === undefined ? { completionCode: 'unsupportedCommand', errorCode: 'unknownCommand', errorDescription: `no scripted answer for ${name}` } : await answer(frame.payload);
      const header =
        'completionCode' in reply
          ? { type: 'completion', name, requestId, completionCode: reply.completionCode, errorCode: reply.errorCode, errorDescription: reply.errorDescription }
          : { type: 'completion', name, requestId, completionCode: 'success' };
      this.#activity += 1;
      this.#deliver({ header, payload: reply.payload ?? {} }, name);
    })();
  }
}

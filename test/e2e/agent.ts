import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import { test } from '@playwright/test';
import WebSocket from 'ws';
import {
  parseAgentMessage,
  type CommandName,
  type CommandPayload,
  type CompletionPayload,
} from '@onevisit/protocol';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const URL_LINE = /OneVisit kiosk: (http:\/\/127\.0\.0\.1:(\d+)\/)/;
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

export type AgentOptions = {
  /** 0 = a free port. */
  port?: number;
  /** Extra flags after `--dev`, e.g. `['--idle-timeout', '60']`. */
  args?: readonly string[];
  /** Reuse a data directory (a restart); otherwise a fresh temporary one. */
  dataDir?: string;
  /** Files written into the data directory before the agent starts, e.g. `{ 'hall-settings.json': '…' }`. */
  files?: Readonly<Record<string, string>>;
  /** Default true. false: no `--dev`, so with nothing configured the agent runs the demo itself. */
  dev?: boolean;
  /**
   * Default true: the bundle (device-agent/dist/main.js, made by `npm run build`, which `npm run test:e2e`
   * runs first) on plain node, as `npm start` runs it: what ships is what is tested, and it starts on
   * about 3 s of CPU instead of 5 (the sources through tsx, `built: false`).
   */
  built?: boolean;
};

/**
 * One agent process started from its bundle (or source), as `npm start` would, in dev mode. Like a terminal's own
 * launcher (scripts/kiosk-launch.sh), the helper gives it a launch-secret file and opens the kiosk
 * with the secret in the URL fragment (issue 11): `url` is `http://127.0.0.1:PORT/#launch=…`.
 */
export class RunningAgent {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly #launchSecret: string | undefined;
  readonly #child: ChildProcess;
  readonly #output: string[];

  constructor(child: ChildProcess, url: string, port: number, dataDir: string, output: string[], launchSecret: string | undefined) {
    this.#child = child;
    this.url = launchSecret === undefined ? url : `${url}#launch=${launchSecret}`;
    this.port = port;
    this.dataDir = dataDir;
    this.#launchSecret = launchSecret;
    this.#output = output;
  }

  get origin(): string {
    return new URL(this.url).origin;
  }

  /** What the agent printed, for failure messages. */
  output(): string {
    return this.#output.join('');
  }

  /** Graceful stop (SIGTERM: the agent tells the UI it is shutting down). */
  async stop(): Promise<void> {
    await this.#end('SIGTERM');
  }

  /** The agent going away without a word (SIGKILL). */
  async kill(): Promise<void> {
    await this.#end('SIGKILL');
  }

  async #end(signal: NodeJS.Signals): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = once(this.#child, 'exit');
    this.#child.kill(signal);
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  /**
   * Sends one command as a second client would (own connection, token from the served page,
   * the agent's own Origin) and returns the success payload; throws on anything else.
   */
  async command<N extends CommandName>(name: N, payload: CommandPayload<N>): Promise<CompletionPayload<N>> {
    const page = await fetch(this.url);
    const html = await page.text();
    const token = /<meta name="onevisit-token" content="([^"]+)"/.exec(html)?.[1];
    if (!token) throw new Error('the served page has no token');
    const socket = new WebSocket(`ws://127.0.0.1:${this.port}/xfs4iot/v1.0`, { origin: this.origin });
    try {
      await once(socket, 'open');
      const call = async (requestId: number, commandName: CommandName, body: unknown): Promise<unknown> => {
        const done = new Promise<unknown>((resolveCall, rejectCall) => {
          const onMessage = (data: WebSocket.RawData): void => {
            const parsed = parseAgentMessage(rawText(data), () => commandName);
            if (!parsed.ok || parsed.message.header.requestId !== requestId || parsed.message.header.type !== 'completion') return;
            socket.off('message', onMessage);
            const { completionCode, errorCode } = parsed.message.header;
            if (completionCode === 'success') resolveCall(parsed.message.payload);
            else rejectCall(new Error(`${commandName}: ${completionCode ?? '?'} ${errorCode ?? ''}`));
          };
          socket.on('message', onMessage);
        });
        socket.send(JSON.stringify({ header: { type: 'command', name: commandName, requestId, version: '1.0' }, payload: body }));
        return done;
      };
      await call(1, 'Common.Authenticate', this.#launchSecret === undefined ? { token } : { token, launchSecret: this.#launchSecret });
      return (await call(2, name, payload ?? {})) as CompletionPayload<N>;
    } finally {
      socket.close();
    }
  }
}

function rawText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(new Uint8Array(data)).toString('utf8');
  return data.toString('utf8');
}

const SECRET_FILES = new Map<string, string>();

/** Starts `node device-agent/dist/main.js --port P --dev …` (or the sources through tsx) and waits for its URL line. */
export async function startAgent(options: AgentOptions = {}): Promise<RunningAgent> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'onevisit-e2e-')));
  for (const [name, text] of Object.entries(options.files ?? {})) await writeFile(join(dataDir, name), text);
  const entry = options.built === false ? ['--import', 'tsx', 'device-agent/src/main.ts'] : ['device-agent/dist/main.js'];
  const ownSecretFile = options.args?.includes('--launch-secret-file') !== true;
  // One terminal, one secret for the boot: an agent restarted on the same data folder finds the same file
  // (as on /run), so the page the launcher opened keeps working (agent-restart.spec.ts).
  const secretFile = ownSecretFile ? (SECRET_FILES.get(dataDir) ?? join(await mkdtemp(join(tmpdir(), 'onevisit-e2e-run-')), 'launch-secret')) : undefined;
  if (secretFile !== undefined) SECRET_FILES.set(dataDir, secretFile);
  const args = [
    ...entry,
    '--port',
    String(options.port ?? 0),
    ...(options.dev === false ? [] : ['--dev']),
    '--data-dir',
    dataDir,
    ...(secretFile === undefined ? [] : ['--launch-secret-file', secretFile]),
    ...(options.args ?? []),
  ];
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'test' } });
  const output: string[] = [];
  const found = await new Promise<{ url: string; port: number }>((resolveStart, rejectStart) => {
    let seen = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rejectStart(new Error(`agent did not print its URL within ${START_TIMEOUT_MS} ms:\n${output.join('')}`));
    }, START_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString();
      output.push(text);
      seen += text;
      const match = URL_LINE.exec(seen);
      if (match?.[1] && match[2]) {
        clearTimeout(timer);
        resolveStart({ url: match[1], port: Number(match[2]) });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      rejectStart(new Error(`agent exited early (${String(code ?? signal)}):\n${output.join('')}`));
    });
  });
  const launchSecret = secretFile === undefined ? undefined : (await readFile(secretFile, 'utf8')).trim();
  return new RunningAgent(child, found.url, found.port, dataDir, output, launchSecret);
}

/**
 * One agent per test file: started before the file's first test, stopped after its last.
 * Returns a getter, since the agent exists only once `beforeAll` has run.
 */
export function useAgent(options: AgentOptions = {}): () => RunningAgent {
  let agent: RunningAgent | undefined;
  test.beforeAll(async () => {
    agent = await startAgent(options);
  });
  test.afterAll(async () => {
    await agent?.stop();
    if (agent && options.dataDir === undefined) await rm(agent.dataDir, { recursive: true, force: true });
    agent = undefined;
  });
  return () => {
    if (!agent) throw new Error('the agent is not running');
    return agent;
  };
}

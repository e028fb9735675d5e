import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { agentPath } from '../../paths.ts';

/**
 * The CUPS transport: runs the CUPS command-line clients (`lp`, `cancel`, `ipptool`) and returns
 * their output. Knows no printer semantics. `server` selects a CUPS server other than the
 * default (CUPS_SERVER: a domain socket path or host[:port]), e.g. the tests' private cupsd.
 */
export type CommandResult = { code: number; stdout: string; stderr: string };

export interface CupsClient {
  /** `lp -d QUEUE … -` with the PDF on stdin. */
  submit(queue: string, pdf: Uint8Array, options: { copies: number; title: string; timeoutMs: number }): Promise<CommandResult>;
  cancel(jobId: string, timeoutMs: number): Promise<CommandResult>;
  /** ipptool -c with one of our .ipptest files, against the queue's URI. */
  ipp(queue: string, test: 'get-job' | 'get-printer', vars: Record<string, string>, timeoutMs: number): Promise<CommandResult>;
}

const IPP_DIR = agentPath('src', 'devices', 'printer', 'ipp');

export class CliCupsClient implements CupsClient {
  readonly #server: string | undefined;
  readonly #env: NodeJS.ProcessEnv;

  constructor(options: { server?: string } = {}) {
    this.#server = options.server ?? process.env['CUPS_SERVER'];
    this.#env = this.#server === undefined ? { ...process.env } : { ...process.env, CUPS_SERVER: this.#server };
  }

  /** ipp:// URI of a queue; a domain socket path is percent-encoded into the host part, as CUPS does. */
  queueUri(queue: string): string {
    const server = this.#server;
    const host = server === undefined || server.length === 0 ? 'localhost:631' : server.startsWith('/') ? encodeURIComponent(server) : server;
    return `ipp://${host}/printers/${encodeURIComponent(queue)}`;
  }

  submit(queue: string, pdf: Uint8Array, options: { copies: number; title: string; timeoutMs: number }): Promise<CommandResult> {
    const args = ['-d', queue, '-n', String(options.copies), '-t', options.title, '-o', 'job-sheets=none', '-o', 'document-format=application/pdf', '-'];
    return run('lp', args, this.#env, options.timeoutMs, pdf);
  }

  cancel(jobId: string, timeoutMs: number): Promise<CommandResult> {
    return run('cancel', [jobId], this.#env, timeoutMs);
  }

  ipp(queue: string, test: 'get-job' | 'get-printer', vars: Record<string, string>, timeoutMs: number): Promise<CommandResult> {
    const args = ['-c', '-T', String(Math.max(1, Math.ceil(timeoutMs / 1000)))];
    for (const [k, v] of Object.entries(vars)) args.push('-d', `${k}=${v}`);
    args.push(this.queueUri(queue), path.join(IPP_DIR, `${test}.ipptest`));
    return run('ipptool', args, this.#env, timeoutMs);
  }
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number, stdin?: Uint8Array): Promise<CommandResult> {
  if (stdin === undefined) {
    return new Promise((resolve) => {
      execFile(command, args, { env, timeout: timeoutMs, encoding: 'utf8', maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr: error !== null && stderr.length === 0 ? error.message : stderr });
      });
    });
  }
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.on('error', () => undefined);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: error.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(Buffer.from(stdin));
  });
}

import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

/**
 * The reference back office (`npm run intake`) for end-to-end tests: one `serve` process on a free
 * port with a fresh key pair and folder, and its command line for `case set`, `ratings list`, ….
 */
const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const run = promisify(execFile);

export type Intake = { url: string; outDir: string; keyDir: string; child: ChildProcess };

export async function intakeCli(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'device-agent/src/intake/main.ts', ...args], { cwd: REPO_ROOT });
  return stdout;
}

export async function startIntake(): Promise<Intake> {
  const root = await mkdtemp(join(tmpdir(), 'onevisit-e2e-intake-'));
  const keyDir = join(root, 'keys');
  const outDir = join(root, 'received');
  await intakeCli(['keygen', '--out', keyDir]);
  const child = spawn(process.execPath, ['--import', 'tsx', 'device-agent/src/intake/main.ts', 'serve', '--port', '0', '--out', outDir, '--key', join(keyDir, 'backoffice.key')], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let seen = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`intake did not start: ${seen}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const m = /intake listening on (http:\/\/\S+)/.exec(seen);
      if (m?.[1]) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    });
  });
  return { url, outDir, keyDir, child };
}

export async function stopIntake(intake: Intake | undefined): Promise<void> {
  if (!intake || intake.child.exitCode !== null) return;
  const exited = once(intake.child, 'exit');
  intake.child.kill('SIGTERM');
  await exited;
}

/** The agent flags that point a terminal at this intake. */
export function intakeArgs(intake: Intake): string[] {
  return ['--intake-url', intake.url, '--backoffice-key', join(intake.keyDir, 'backoffice.pub')];
}

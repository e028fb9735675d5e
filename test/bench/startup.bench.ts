// The agent's start-up: from spawning the process to ready, i.e. listening (its URL printed) AND the
// OCR pool warm (the pino line "OCR pool ready"), so that the first citizen who scans does not wait.
// Runs the built agent (device-agent/dist/main.js, as `npm start` does) when it exists, otherwise
// the sources through tsx, and says which.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const BUILT = path.join(ROOT, 'device-agent', 'dist', 'main.js');
const RUNS = 5;
const GIVE_UP_MS = 120_000;

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

type Sample = { listeningMs: number; readyMs: number };

async function startOnce(args: readonly string[]): Promise<Sample> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'onevisit-startup-'));
  const started = nowMs();
  const child = spawn(process.execPath, [...args, '--port', '0', '--data-dir', dataDir, '--log-level', 'info'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    return await new Promise<Sample>((resolve, reject) => {
      let seen = '';
      let listeningMs: number | undefined;
      const timer = setTimeout(() => reject(new Error(`not ready within ${GIVE_UP_MS} ms`)), GIVE_UP_MS);
      const onData = (chunk: Buffer): void => {
        seen += chunk.toString();
        if (listeningMs === undefined && /OneVisit kiosk: http:\/\/127\.0\.0\.1:\d+\//.test(seen)) listeningMs = nowMs() - started;
        if (listeningMs !== undefined && seen.includes('"msg":"OCR pool ready"')) {
          clearTimeout(timer);
          resolve({ listeningMs, readyMs: nowMs() - started });
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`agent exited (${String(code ?? signal)}) before ready:\n${seen.slice(-2000)}`));
      });
    });
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  }
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

export async function run(): Promise<void> {
  const built = existsSync(BUILT);
  const args = built ? [BUILT] : ['--import', 'tsx', path.join(ROOT, 'device-agent', 'src', 'main.ts')];
  const samples: Sample[] = [];
  for (let i = 0; i < RUNS; i += 1) samples.push(await startOnce(args));
  const listening = samples.map((s) => s.listeningMs);
  const ready = samples.map((s) => s.readyMs);
  const fmt = (xs: number[]): string => `median ${median(xs).toFixed(0)} ms, min ${Math.min(...xs).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms`;
  process.stdout.write(
    `   agent start-up over ${RUNS} runs, ${built ? 'built agent on plain node (device-agent/dist/main.js)' : 'from source through tsx (no build found)'}:\n` +
      `   process start → listening (URL printed): ${fmt(listening)}\n` +
      `   process start → ready (listening and OCR pool warm): ${fmt(ready)}\n`,
  );
}

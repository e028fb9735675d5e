/**
 * The crash tests' side of the child process (crash-child.ts): build it once, start it, kill it.
 *
 * Speed is what lets the test kill hundreds of times: under `tsx` every restart compiled the
 * TypeScript again (0.5 to 2 s under load). Here esbuild bundles the child once per test run into
 * one ES module in a temporary folder, with the native `better-sqlite3` left outside (imported
 * from its absolute path, so the bundle runs from anywhere), and each restart is a plain
 * `node child.mjs`: about 0.1 s.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const CHILD_SOURCE = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
/** Packages with a native addon: they must load from node_modules, not from the bundle. */
const NATIVE_PACKAGES = ['better-sqlite3'];

/** Bundles crash-child.ts (or another child, e.g. the pickup cabinet's) into `outDir`; returns the path of the script to run with `node`. */
export async function bundleCrashChild(outDir: string, source: string = CHILD_SOURCE): Promise<string> {
  const outfile = path.join(outDir, 'crash-child.mjs');
  const requireFromChild = createRequire(source);
  await build({
    entryPoints: [source],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node.split('.')[0] ?? '20'}`,
    logLevel: 'warning',
    plugins: [
      {
        name: 'native-packages-stay-outside',
        setup(b) {
          const filter = new RegExp(`^(${NATIVE_PACKAGES.join('|')})$`);
          b.onResolve({ filter }, (args) => ({ path: pathToFileURL(requireFromChild.resolve(args.path)).href, external: true }));
        },
      },
    ],
  });
  return outfile;
}

/**
 * When to kill: on the `count`-th line starting with `after`, at once (`immediate`: from the stdout
 * handler) or `delayMs` later (a timer of 0 still lets the child run a little further).
 */
export type KillPlan = { after: 'OPEN' | 'READY' | 'BEGIN' | 'OK' | 'DELIVERED'; count: number; delayMs: number; immediate: boolean };

export type ChildRun = {
  lines: string[];
  /** ms from spawn to READY, when it got there. */
  readyMs: number | undefined;
  /** `idle`: a delivering child had nothing left to do; `safety`: the plan's line never came (a hang). */
  killedBy: 'plan' | 'idle' | 'safety';
};

export type ChildOptions = { script: string; args: readonly string[]; plan: KillPlan; safetyTimeoutMs?: number };

/**
 * Starts the child and kills it with SIGKILL as the plan says (or at once when it says IDLE). Rejects
 * when the child ends on its own (a crash, `BROKEN`, a refused submission): only SIGKILL is expected.
 */
export function runChildUntilKilled(options: ChildOptions): Promise<ChildRun> {
  const { plan } = options;
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const child = spawn(process.execPath, [options.script, ...options.args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let partial = '';
    let err = '';
    let seen = 0;
    let triggered = false;
    let killedBy: ChildRun['killedBy'] = 'safety';
    let readyMs: number | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const kill = (): void => {
      child.kill('SIGKILL');
    };
    const safety = setTimeout(kill, options.safetyTimeoutMs ?? 20_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (line === 'READY') readyMs = performance.now() - startedAt;
        if (line === 'IDLE' && !triggered) {
          triggered = true;
          killedBy = 'idle';
          kill();
        }
        if (triggered || !(line === plan.after || line.startsWith(`${plan.after} `))) continue;
        seen += 1;
        if (seen < plan.count) continue;
        triggered = true;
        killedBy = 'plan';
        if (plan.immediate) kill();
        else killTimer = setTimeout(kill, plan.delayMs);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(safety);
      if (killTimer) clearTimeout(killTimer);
      // A line cut by the kill is not a promise: the child writes each whole line in one write().
      if (signal !== 'SIGKILL') {
        reject(new Error(`crash child ended on its own (code ${String(code)}): ${lines.slice(-3).join(' | ')} ${err.slice(-2000)}`));
      } else resolve({ lines, readyMs, killedBy });
    });
  });
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

/** scripts/ci-watchdog.mjs, which bounds `npm test` in .ci/run: run as CI runs it, on real processes. */
const WATCHDOG = fileURLToPath(new URL('../../scripts/ci-watchdog.mjs', import.meta.url));
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function watchdog(...args: string[]) {
  return spawnSync(process.execPath, [WATCHDOG, ...args], { encoding: 'utf8', timeout: 60_000 });
}

/** Running, as opposed to gone or killed and not yet reaped by init (a zombie: state Z). */
function running(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').charAt(0) !== 'Z';
  } catch {
    return false;
  }
}

describe('ci-watchdog', () => {
  it('passes the command through and ends with its status', () => {
    const run = watchdog('5', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3');
    expect(run.status).toBe(3);
    expect(run.stdout).toBe('out\n');
    expect(run.stderr).toMatch(/^err\nci-watchdog: sh -c .* ended after \d+ s\n$/);
  });

  it('past its bound lists the processes, kills everything the command started, background jobs too, and exits 124', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'onevisit-watchdog-'));
    dirs.push(dir);
    const pids = path.join(dir, 'pids');
    // A shell with a background job, both waiting far longer than the bound (0.02 min = 1.2 s).
    const run = watchdog('0.02', '--', 'sh', '-c', `sleep 300 & echo $! > ${pids}; echo $$ >> ${pids}; sleep 300`);
    expect(run.status).toBe(124);
    expect(run.stderr).toContain('still running after 0.02 min; the processes:');
    expect(run.stderr).toMatch(/PID +PPID +PGID +SID +STAT +WCHAN/);
    expect(run.stderr).toContain('sleep 300');
    expect(run.stderr).toContain('ci-watchdog: killed; exit 124');
    const started = readFileSync(pids, 'utf8').trim().split('\n').map(Number);
    expect(started).toHaveLength(2);
    for (const pid of started) expect(running(pid)).toBe(false);
  });

  it('refuses a call without a bound or a command', () => {
    for (const args of [[], ['x', '--', 'true'], ['5', 'true'], ['5', '--']]) {
      const run = watchdog(...args);
      expect(run.status).toBe(2);
      expect(run.stderr).toContain('usage: node scripts/ci-watchdog.mjs MINUTES -- COMMAND');
    }
  });
});

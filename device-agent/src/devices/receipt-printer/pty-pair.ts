import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A pair of connected pseudo-terminals made by socat, for serial tests: what is written to
 * `a` comes out of `b`. Unique paths in a fresh temp folder (no fixed /tmp names).
 */
export type PtyPair = { a: string; b: string; close(): Promise<void> };

export async function openPtyPair(): Promise<PtyPair> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'onevisit-pty-'));
  const a = path.join(dir, 'a');
  const b = path.join(dir, 'b');
  const child: ChildProcess = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; i < 200 && !(existsSync(a) && existsSync(b)); i += 1) {
    await new Promise((r) => setTimeout(r, 10));
  }
  if (!(existsSync(a) && existsSync(b))) {
    child.kill();
    throw new Error('socat did not create the pty pair');
  }
  return {
    a,
    b,
    close: async () => {
      child.kill();
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

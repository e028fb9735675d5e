import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A pseudo-terminal pair made by socat (Debian `socat`), for tests and benchmarks of the serial
 * path of any serial device: the driver opens `a` with serialport exactly as it opens /dev/ttyUSB0, the device
 * emulator (card reader, receipt printer) opens `b`. Each pair lives in its own temporary folder, so tests never share paths.
 */
export interface PtyPair {
  /** The terminal's end (give it to the driver). */
  readonly a: string;
  /** The reader's end (give it to the emulator). */
  readonly b: string;
  /** Kills socat: both ends hang up, as when a USB-serial reader is unplugged. */
  unplug(): Promise<void>;
  /** Starts socat again on the same paths: the reader is plugged back in. */
  replug(): Promise<void>;
  /** Kills socat and removes the folder. */
  close(): Promise<void>;
}

const START_TIMEOUT_MS = 5_000;

function startSocat(a: string, b: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    let settled = false;
    const timer = setTimeout(() => fail(new Error(`socat did not start in ${START_TIMEOUT_MS} ms: ${log}`)), START_TIMEOUT_MS);
    function fail(error: Error): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    }
    child.on('error', (error) => fail(error));
    child.on('exit', (code) => fail(new Error(`socat exited (${String(code)}): ${log}`)));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      log += text;
      // With -d -d socat says so once both ptys exist and it relays; the links are made before.
      if (!settled && log.includes('starting data transfer loop') && existsSync(a) && existsSync(b)) {
        settled = true;
        clearTimeout(timer);
        child.stderr?.removeAllListeners('data');
        child.stderr?.resume();
        resolve(child);
      }
    });
  });
}

function stopSocat(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export async function openPtyPair(): Promise<PtyPair> {
  const dir = await mkdtemp(path.join(tmpdir(), 'onevisit-pty-'));
  const a = path.join(dir, 'a');
  const b = path.join(dir, 'b');
  let child: ChildProcess | undefined = await startSocat(a, b);
  const unplug = async (): Promise<void> => {
    if (child === undefined) return;
    const running = child;
    child = undefined;
    await stopSocat(running);
  };
  return {
    a,
    b,
    unplug,
    async replug() {
      if (child === undefined) child = await startSocat(a, b);
    },
    async close() {
      await unplug();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import './declared-errors.ts';
import { fetchToken, TestClient } from './client.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** Starts main.ts as a child on a free port; resolves with the URL it prints. */
function startChild(args: string[]): Promise<{ child: ChildProcess; url: string; exit: Promise<number | null> }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'onevisit-child-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'device-agent/src/main.ts', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /OneVisit kiosk: (http:\/\/127\.0\.0\.1:(\d+)\/)/.exec(out);
      if (match?.[1] && match[2] !== '0') resolve({ child, url: match[1], exit });
    });
    void exit.then((code) => reject(new Error(`agent exited with ${String(code)} before printing its URL: ${err}`)));
  });
}

describe('main.ts as a process', () => {
  it('prints its real URL, and on SIGTERM tells the UI, completes commands in flight, closes 1001 and exits 0', async () => {
    const { child, url, exit } = await startChild(['--dev']);
    const token = await fetchToken(url);
    const client = await TestClient.authenticated(url, token);
    const read = client.send('IdCard.Read', {}, { requestId: 5 });
    await client.waitFor((m) => m.header.name === 'IdCard.WaitingForCardEvent');

    child.kill('SIGTERM');

    const shutdown = await client.unsolicited('Common.ShutdownEvent');
    expect(shutdown.payload).toMatchObject({ reason: 'shutdown' });
    const completion = (await read).completion;
    expect(completion.header).toMatchObject({ completionCode: 'canceled', errorCode: 'shutdown' });
    expect((await client.closed).code).toBe(1001);
    expect(await exit).toBe(0);
  });

  it('exits 2 with a clear message on a bad option, and prints --help', async () => {
    const bad = spawn(process.execPath, ['--import', 'tsx', 'device-agent/src/main.ts', '--clock', '2026-11-23'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(bad);
    let err = '';
    bad.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    expect(await new Promise((resolve) => bad.once('exit', resolve))).toBe(2);
    expect(err).toContain('--clock: only allowed together with --dev');

    const help = spawn(process.execPath, ['--import', 'tsx', 'device-agent/src/main.ts', '--help'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(help);
    let out = '';
    help.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    expect(await new Promise((resolve) => help.once('exit', resolve))).toBe(0);
    expect(out).toContain('--receipt-printer');
  });
});

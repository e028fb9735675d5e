import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fetchToken, successPayload, TestClient } from './client.ts';

/**
 * The built agent (npm run build → device-agent/dist/main.js) on plain node, as `npm start` runs it:
 * it finds its run-time files from anywhere, runs the demo when nothing is configured and refuses
 * Dev.* otherwise, and never outlives `npm start`.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUNDLE = path.join(ROOT, 'device-agent', 'dist', 'main.js');
const URL_LINE = /OneVisit kiosk: (http:\/\/127\.0\.0\.1:(\d+)\/)/;
const children: ChildProcess[] = [];
const clients: TestClient[] = [];

/** No ONEVISIT_* options and no loader (tsx) from the test runner: what a plain shell would give. */
function plainEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('ONEVISIT_') && !key.startsWith('VITEST') && key !== 'NODE_OPTIONS') env[key] = value;
  return env;
}

type Started = { child: ChildProcess; url: string; output: () => string; exited: Promise<number | null> };

/** Spawns a command, resolves once it prints the agent's URL; `output()` is everything it printed. */
function start(command: string, args: string[], options: { cwd: string }): Promise<Started> {
  // Its own process group, so that cleaning up can end whatever it started even when a test fails.
  const child = spawn(command, args, { cwd: options.cwd, env: plainEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.push(child);
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      out += chunk.toString('utf8');
      const match = URL_LINE.exec(out);
      if (match?.[1] && match[2] !== '0') resolve({ child, url: match[1], output: () => out, exited });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => reject(new Error(`exited with ${String(code)} before the agent printed its URL:\n${out}`)));
  });
}

/** Resolves once `text` has been printed (the agent logs "agent stopped" as its last act). */
function printed(started: Started, text: string): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (!started.output().includes(text)) return;
      started.child.stdout?.off('data', check);
      resolve();
    };
    started.child.stdout?.on('data', check);
    check();
  });
}

async function connect(url: string): Promise<TestClient> {
  const client = await TestClient.authenticated(url, await fetchToken(url));
  clients.push(client);
  return client;
}

function freshDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

beforeAll(() => {
  const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build-agent.mjs'), '--if-stale'], { cwd: ROOT, env: plainEnv(), encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`the agent build failed:\n${build.stderr}`);
}, 120_000);

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const child of children.splice(0)) {
    if (child.pid === undefined) continue;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // the group is gone already
    }
  }
});

describe('the built agent on plain node', () => {
  it('starts from another folder with nothing configured: serves the page, answers Common.Status, runs the demo', async () => {
    const cwd = freshDir('onevisit-cwd-');
    const dataDir = freshDir('onevisit-data-');
    const agent = await start(process.execPath, [BUNDLE, '--port', '0', '--data-dir', dataDir], { cwd });
    const page = await fetch(agent.url);
    expect([200, 503]).toContain(page.status); // 503: the UI is not built yet; the page still carries the token
    expect(await page.text()).toMatch(/<meta name="onevisit-token" content="[^"]+">/);

    const client = await connect(agent.url);
    const status = successPayload('Common.Status', await client.send('Common.Status'));
    expect(status.agent).toMatchObject({ dev: true, demo: true });
    expect(status.devices.map((d) => d.device)).toContain('idCard');
    expect(agent.output()).toContain('Demo: every device simulated');
    // Dev.* works, and submissions have the demo back-office key.
    successPayload('Dev.RemoveCard', await client.send('Dev.RemoveCard', {}));
    expect(existsSync(path.join(dataDir, 'demo-backoffice'))).toBe(true);
  });

  it('with a config file: no demo, Dev.* refused, no demo key', async () => {
    const cwd = freshDir('onevisit-cwd-');
    const dataDir = freshDir('onevisit-data-');
    // The launch secret goes to a folder of the test's own (default /run/onevisit, README "OS accounts").
    writeFileSync(path.join(cwd, 'onevisit.config.json'), JSON.stringify({ terminalId: 'T0042', launchSecretFile: path.join(freshDir('onevisit-run-'), 'launch-secret') }));
    const agent = await start(process.execPath, [BUNDLE, '--port', '0', '--data-dir', dataDir], { cwd });
    const client = await connect(agent.url);
    const status = successPayload('Common.Status', await client.send('Common.Status'));
    expect(status.agent).toMatchObject({ dev: false, demo: false, terminalId: 'T0042' });
    const dev = await client.send('Dev.RemoveCard', {});
    expect(dev.completion.header.completionCode).not.toBe('success');
    expect(existsSync(path.join(dataDir, 'demo-backoffice'))).toBe(false);
  });

  it('with a real device: no demo, Dev.* refused, no demo key; --dev brings them back', async () => {
    const cwd = freshDir('onevisit-cwd-');
    const dataDir = freshDir('onevisit-data-');
    // Outside the demo a terminal needs its own id (refused with T0001: the test below).
    const real = ['--receipt-printer', 'tcp:127.0.0.1:9', '--terminal-id', 'T0042', '--launch-secret-file', path.join(freshDir('onevisit-run-'), 'launch-secret')];
    const agent = await start(process.execPath, [BUNDLE, '--port', '0', '--data-dir', dataDir, ...real], { cwd });
    const client = await connect(agent.url);
    expect(successPayload('Common.Status', await client.send('Common.Status')).agent).toMatchObject({ dev: false, demo: false });
    expect((await client.send('Dev.RemoveCard', {})).completion.header.completionCode).not.toBe('success');
    expect(existsSync(path.join(dataDir, 'demo-backoffice'))).toBe(false);

    const devDataDir = freshDir('onevisit-data-');
    const withDev = await start(process.execPath, [BUNDLE, '--port', '0', '--data-dir', devDataDir, ...real, '--dev'], { cwd });
    const devClient = await connect(withDev.url);
    expect(successPayload('Common.Status', await devClient.send('Common.Status')).agent).toMatchObject({ dev: true, demo: false });
    successPayload('Dev.RemoveCard', await devClient.send('Dev.RemoveCard', {}));
  });
});

describe('terminal ids (issue 11)', () => {
  it('outside the demo refuses to start with the demo id T0001, exit 2, naming the option', async () => {
    const cwd = freshDir('onevisit-cwd-');
    writeFileSync(path.join(cwd, 'onevisit.config.json'), JSON.stringify({ idleTimeout: 90 }));
    const child = spawn(process.execPath, [BUNDLE, '--port', '0', '--data-dir', freshDir('onevisit-data-')], { cwd, env: plainEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    children.push(child);
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.stdout.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(2);
    expect(err).toContain("--terminal-id (default): T0001 is the demo's terminal id");
    expect(err).not.toContain('OneVisit kiosk:');
  });
});

describe('npm start', () => {
  it('stops the agent when npm is stopped (npm forwards SIGTERM to its shell, which does not pass it on)', async () => {
    const started = await start('npm', ['start', '--', '--port', '0', '--data-dir', freshDir('onevisit-data-')], { cwd: ROOT });
    const stopped = printed(started, '"msg":"agent stopped"');
    started.child.kill('SIGTERM'); // npm only, not its process group
    await stopped;
    await expect(fetch(started.url)).rejects.toThrow();
  }, 180_000);

  it('stops the agent when scripts/start.mjs is killed outright (SIGKILL)', async () => {
    const started = await start(process.execPath, [path.join(ROOT, 'scripts', 'start.mjs'), '--port', '0', '--data-dir', freshDir('onevisit-data-')], { cwd: ROOT });
    const stopped = printed(started, '"msg":"agent stopped"');
    started.child.kill('SIGKILL');
    await stopped;
    await expect(fetch(started.url)).rejects.toThrow();
  }, 180_000);
});

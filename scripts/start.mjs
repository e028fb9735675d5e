// `npm start [-- agent options]`: builds the kiosk UI and the device agent when they are missing or
// older than their sources, then runs the built agent (device-agent/dist/main.js) with plain node and
// the options passed through. Without options and without ./onevisit.config.json the agent runs the
// demo (every device simulated, dev dock on; see device-agent/src/config.ts).
//
// The agent never outlives `npm start`:
// - SIGTERM, SIGINT and SIGHUP are forwarded, so the agent shuts down gracefully;
// - npm runs this script under `sh -c`, and when npm forwards SIGTERM the shell dies without passing
//   it on: this script then has a new parent, notices it, and stops the agent;
// - the agent holds an IPC channel to this script and stops when the channel closes, i.e. when this
//   script dies in any way, SIGKILL included (device-agent/src/main.ts).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENT_MAIN, agentNeedsBuild, newestMtimeMs } from './build-agent.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const distIndex = path.join(root, 'kiosk-ui', 'dist', 'index.html');
const uiSources = [
  path.join(root, 'kiosk-ui', 'src'),
  path.join(root, 'kiosk-ui', 'index.html'),
  path.join(root, 'kiosk-ui', 'public'),
  path.join(root, 'kiosk-ui', 'package.json'),
  path.join(root, 'kiosk-ui', 'vite.config.ts'),
  path.join(root, 'kiosk-ui', 'svelte.config.js'),
  path.join(root, 'device-agent', 'protocol', 'src'),
  path.join(root, 'assets'),
];
/** How often to check that whoever started this script is still there. */
const PARENT_CHECK_MS = 500;

function uiNeedsBuild() {
  if (!existsSync(distIndex)) return 'kiosk-ui/dist is missing';
  const built = statSync(distIndex).mtimeMs;
  return Math.max(...uiSources.map(newestMtimeMs)) > built ? 'kiosk-ui sources changed since the last build' : undefined;
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const wantsHelp = process.argv.slice(2).some((a) => a === '--help' || a === '-h');

const uiReason = wantsHelp ? undefined : uiNeedsBuild();
if (uiReason) {
  process.stdout.write(`Building the kiosk UI (${uiReason})…\n`);
  const build = spawnSync(npm, ['run', 'build', '-w', 'kiosk-ui'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) {
    process.stderr.write(
      existsSync(distIndex)
        ? 'The UI build failed; starting with the previous build.\n'
        : 'The UI build failed; the agent will start and explain that the UI is missing.\n',
    );
  }
}

const agentReason = agentNeedsBuild();
if (agentReason) {
  process.stdout.write(`Building the device agent (${agentReason})…\n`);
  const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-agent.mjs')], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) {
    if (!existsSync(AGENT_MAIN)) {
      process.stderr.write('The agent build failed and there is no previous build to start.\n');
      process.exit(1);
    }
    process.stderr.write('The agent build failed; starting with the previous build.\n');
  }
}

/** The agent's exit code for Staff.RestartAgent (device-agent/src/services/staff/staff-mode.ts): start it again. */
const RESTART_EXIT_CODE = 75;
let stopRequested = false;
let child = startAgent();

function startAgent() {
  const started = spawn(process.execPath, [AGENT_MAIN, ...process.argv.slice(2)], {
    cwd: root,
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  });
  started.on('exit', (code, signal) => {
    if (code === RESTART_EXIT_CODE && !stopRequested) {
      process.stdout.write('The agent asked to be restarted (Staff.RestartAgent); starting it again.\n');
      child = startAgent();
      return;
    }
    process.exit(code ?? (signal ? 1 : 0));
  });
  return started;
}

function stopAgent(signal) {
  stopRequested = true;
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
}

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => stopAgent(signal));

const parentPid = process.ppid;
const parentWatch = setInterval(() => {
  if (process.ppid === parentPid) return;
  clearInterval(parentWatch);
  stopAgent('SIGTERM');
}, PARENT_CHECK_MS);
parentWatch.unref();


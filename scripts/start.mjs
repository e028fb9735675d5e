// `npm start [-- agent options]`: builds the kiosk UI when it is missing or older than
// its sources (or the shared protocol), then runs the device agent with the options
// passed through, forwarding SIGTERM/SIGINT so the agent can shut down gracefully.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const distIndex = path.join(root, 'kiosk-ui', 'dist', 'index.html');
const sources = [
  path.join(root, 'kiosk-ui', 'src'),
  path.join(root, 'kiosk-ui', 'index.html'),
  path.join(root, 'kiosk-ui', 'public'),
  path.join(root, 'kiosk-ui', 'package.json'),
  path.join(root, 'kiosk-ui', 'vite.config.ts'),
  path.join(root, 'kiosk-ui', 'svelte.config.js'),
  path.join(root, 'device-agent', 'src', 'protocol'),
  path.join(root, 'assets'),
];

/** Newest modification time (ms) of a file or anything under a folder; 0 when absent. */
function newestMtimeMs(target) {
  let info;
  try {
    info = statSync(target);
  } catch {
    return 0;
  }
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(target)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    newest = Math.max(newest, newestMtimeMs(path.join(target, entry)));
  }
  return newest;
}

function uiNeedsBuild() {
  if (!existsSync(distIndex)) return 'kiosk-ui/dist is missing';
  const built = statSync(distIndex).mtimeMs;
  const newest = Math.max(...sources.map(newestMtimeMs));
  return newest > built ? 'kiosk-ui sources changed since the last build' : undefined;
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const wantsHelp = process.argv.slice(2).some((a) => a === '--help' || a === '-h');
const reason = wantsHelp ? undefined : uiNeedsBuild();
if (reason) {
  process.stdout.write(`Building the kiosk UI (${reason})…\n`);
  const build = spawnSync(npm, ['run', 'build', '-w', 'kiosk-ui'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) {
    process.stderr.write(
      existsSync(distIndex)
        ? 'The UI build failed; starting with the previous build.\n'
        : 'The UI build failed; the agent will start and explain that the UI is missing.\n',
    );
  }
}

const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'device-agent', 'src', 'main.ts'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}

child.on('exit', (code, signal) => {
  process.exit(code ?? (signal ? 1 : 0));
});

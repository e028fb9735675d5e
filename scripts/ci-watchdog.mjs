// Runs a command (CI: `npm test`) with a bound on its time: `node scripts/ci-watchdog.mjs MINUTES -- CMD [ARGS...]`.
// A run that hangs would otherwise meet CI's own limit and end with nothing said about where it
// stopped. This one ends first: it prints every process with its state and what it waits in, then
// kills the command's whole session (it runs in one of its own) and exits 124, as timeout(1) does.
// Otherwise it exits with the command's own status. Signals it receives go on to the command.
import { execFileSync, spawn } from 'node:child_process';
import { constants } from 'node:os';

const [minutesArg, separator, command, ...args] = process.argv.slice(2);
const minutes = Number(minutesArg);
if (!(minutes > 0) || separator !== '--' || command === undefined) {
  process.stderr.write('usage: node scripts/ci-watchdog.mjs MINUTES -- COMMAND [ARGS...]\n');
  process.exit(2);
}

const startedAt = Date.now();
// detached: a session and process group of its own, so that everything it started can be ended together.
const child = spawn(command, args, { stdio: 'inherit', detached: true });

function snapshot() {
  try {
    return execFileSync('ps', ['-eo', 'pid,ppid,pgid,sid,stat,wchan:22,etimes,pcpu,rss,args', '--forest'], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => !/\[[^\]]+\]$/.test(line)) // kernel threads
      .map((line) => (line.length > 240 ? `${line.slice(0, 240)}…` : line))
      .join('\n');
  } catch (e) {
    return `(ps failed: ${e instanceof Error ? e.message : String(e)})`;
  }
}

function killSession(signal) {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
  try {
    // Whatever left the group but not the session (a shell's background jobs).
    execFileSync('pkill', [`-${signal.replace(/^SIG/, '')}`, '-s', String(child.pid)], { stdio: 'ignore' });
  } catch {
    // nothing left
  }
}

const timer = setTimeout(() => {
  process.stderr.write(`\nci-watchdog: "${[command, ...args].join(' ')}" still running after ${minutes} min; the processes:\n${snapshot()}\n`);
  killSession('SIGKILL');
  process.stderr.write('ci-watchdog: killed; exit 124\n');
  process.exit(124);
}, minutes * 60_000);

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => killSession(signal));

child.on('error', (error) => {
  clearTimeout(timer);
  process.stderr.write(`ci-watchdog: cannot run ${command}: ${error.message}\n`);
  process.exit(127);
});
child.on('exit', (code, signal) => {
  clearTimeout(timer);
  process.stderr.write(`ci-watchdog: ${[command, ...args].join(' ')} ended after ${Math.round((Date.now() - startedAt) / 1000)} s\n`);
  process.exit(code ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0)));
});

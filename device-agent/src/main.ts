import { createAgent } from './app.ts';
import { loadConfig } from './config.ts';
import { dispenserProblem } from './devices/cabinet/create.ts';
import { createLogger } from './log.ts';
import { RESTART_EXIT_CODE } from './services/staff/staff-mode.ts';

/**
 * CLI entry: `npm start -- [options]`, which runs the bundle of this file (device-agent/dist/main.js,
 * scripts/build-agent.mjs); in development also `node --import tsx device-agent/src/main.ts`.
 * Exit codes: 0 stopped by a signal, by its supervisor going away, or --help; 1 could not start;
 * 2 invalid configuration; 75 (RESTART_EXIT_CODE) Staff.RestartAgent: scripts/start.mjs starts it again.
 */
async function main(): Promise<void> {
  const result = loadConfig({ argv: process.argv.slice(2), env: process.env, cwd: process.cwd(), demoWhenUnconfigured: true });
  switch (result.kind) {
    case 'help':
      process.stdout.write(result.text);
      return;
    case 'error':
      process.stderr.write(`${result.message}\n`);
      process.exitCode = 2;
      return;
    case 'config':
      break;
    default: {
      const unreachable: never = result;
      return unreachable;
    }
  }
  const config = result.config;
  const dispenser = dispenserProblem(config.dispenser, config.dispenserLayout);
  if (dispenser !== undefined) {
    process.stderr.write(`Invalid configuration:\n  ${dispenser}\n`);
    process.exitCode = 2;
    return;
  }
  const log = createLogger({ level: config.logLevel });
  process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled rejection'));
  process.on('uncaughtException', (error) => {
    log.fatal({ err: error }, 'uncaught exception; exiting');
    process.exit(1);
  });

  // Staff.RestartAgent: only under scripts/start.mjs (an IPC channel), which starts the agent again
  // when it exits with RESTART_EXIT_CODE; bound once the signal handling below exists.
  let restart: () => void = () => undefined;
  const agent = createAgent(config, { log, warmOcr: true, ...(process.channel !== undefined ? { onRestartRequested: () => restart() } : {}) });
  let started;
  try {
    started = await agent.start();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message =
      code === 'EADDRINUSE'
        ? `Port ${config.port} on 127.0.0.1 is in use. Stop the other program or choose another port with --port.`
        : code === 'EACCES'
          ? `Not allowed to listen on port ${config.port}. Choose a port above 1023 with --port.`
          : `The agent could not start: ${error instanceof Error ? error.message : String(error)}`;
    process.stderr.write(`${message}\n`);
    await agent.stop();
    process.exitCode = 1;
    return;
  }

  const simulatedOnly = [config.idCard, config.scanner, config.printer, config.receiptPrinter].every((spec) => spec.kind === 'sim');
  const hint = config.demo
    ? 'Demo: every device simulated, dev dock on, applications sealed to a demo back-office key. A config file or a real device turns the demo off.\n'
    : config.dev
      ? 'Developer mode: dev dock and Dev.* commands enabled.\n'
      : simulatedOnly
        ? 'All devices are simulated: start with --dev (npm start -- --dev) for the dev dock that places a card.\n'
        : '';
  process.stdout.write(`\nOneVisit kiosk: ${started.url}\n${hint}\n`);

  let stopping = false;
  const onSignal = (signal: NodeJS.Signals | 'supervisorGone' | 'restart'): void => {
    // A second signal (npm start forwards what the terminal already sent) must not cut the shutdown short.
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    setTimeout(() => {
      process.stderr.write('Shutdown took too long; exiting.\n');
      process.exit(1);
    }, 15_000).unref();
    agent.stop().then(
      () => process.exit(signal === 'restart' ? RESTART_EXIT_CODE : 0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  restart = () => onSignal('restart');
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGHUP', onSignal);
  // Started by `npm start` (scripts/start.mjs) with an IPC channel: the channel closes when the
  // supervisor dies in any way, SIGKILL included, and the agent must not outlive it.
  if (process.channel !== undefined) {
    process.channel.unref();
    process.once('disconnect', () => onSignal('supervisorGone'));
    if (!process.connected) onSignal('supervisorGone');
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

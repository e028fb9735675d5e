import { createAgent } from './app.ts';
import { loadConfig } from './config.ts';
import { createLogger } from './log.ts';

/**
 * CLI entry: `node --import tsx device-agent/src/main.ts [options]` (or `npm start -- [options]`).
 * Exit codes: 0 stopped by a signal or --help; 1 could not start; 2 invalid configuration.
 */
async function main(): Promise<void> {
  const result = loadConfig({ argv: process.argv.slice(2), env: process.env, cwd: process.cwd() });
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
  const log = createLogger({ level: config.logLevel });
  process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled rejection'));
  process.on('uncaughtException', (error) => {
    log.fatal({ err: error }, 'uncaught exception; exiting');
    process.exit(1);
  });

  const agent = createAgent(config, { log, warmOcr: true });
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
  const hint = config.dev
    ? 'Developer mode: dev dock and Dev.* commands enabled.\n'
    : simulatedOnly
      ? 'All devices are simulated: start with --dev (npm start -- --dev) for the dev dock that places a card.\n'
      : '';
  process.stdout.write(`\nOneVisit kiosk: ${started.url}\n${hint}\n`);

  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    // A second signal (npm start forwards what the terminal already sent) must not cut the shutdown short.
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    setTimeout(() => {
      process.stderr.write('Shutdown took too long; exiting.\n');
      process.exit(1);
    }, 15_000).unref();
    agent.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

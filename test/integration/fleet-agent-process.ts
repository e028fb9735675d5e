// One terminal of the simulated fleet (forms-fleet.test.ts, issue 16) as its own process: the agent's
// command line read exactly as main.ts reads it (loadConfig with the demo rules) and the whole agent
// (createAgent: store, devices, services, the forms updater on its own timers). Unlike main.ts it does
// not warm the OCR workers at start (~250 MB of language models each, which ten terminals on a
// two-core test machine cannot afford and no form update uses), and it stops on SIGTERM without
// main.ts's supervisor plumbing. Prints `OneVisit kiosk: URL` as main.ts does.
import { createAgent } from '../../device-agent/src/app.ts';
import { loadConfig } from '../../device-agent/src/config.ts';
import { createLogger } from '../../device-agent/src/log.ts';

const result = loadConfig({ argv: process.argv.slice(2), env: process.env, cwd: process.cwd(), demoWhenUnconfigured: true });
if (result.kind !== 'config') {
  process.stderr.write(`${result.kind === 'error' ? result.message : 'no configuration'}\n`);
  process.exit(2);
}
const agent = createAgent(result.config, { log: createLogger({ level: result.config.logLevel }) });
const started = await agent.start();
process.stdout.write(`\nOneVisit kiosk: ${started.url}\n`);
process.once('SIGTERM', () => {
  agent.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});

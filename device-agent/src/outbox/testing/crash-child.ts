/**
 * Child process of the crash tests (crash.test.ts), killed with SIGKILL at random moments.
 * The test bundles it once per run (crash-harness.ts) and starts it with plain `node`, so that
 * a restart costs a Node start-up and not a TypeScript compile.
 *
 *   node crash-child.mjs --data-dir DIR --key PUBLIC_KEY_FILE --intake-dir DIR
 *        [--mode accept|deliver] [--start N] [--promised FILE]
 *
 * It prints, each line with a synchronous write (what is printed is out before the next step):
 *   OPEN                  about to open the store (recovery of a crashed WAL, migrations)
 *   VERIFIED <json>       the store as recovery left it passes `checkCrashState` against the
 *                         promises in FILE (a `CrashStateSummary`); or `BROKEN <json>` and exit 3
 *   READY                 the delivery worker runs (folder intake)
 *   BEGIN <id>            accept mode: about to submit `<id>` (a kill soon after lands inside the accept)
 *   OK <id> <reference>   accept mode: submission `crash-<i>-xxxx` (i from START on, forever) was
 *                         accepted; printed only after accept returned, so a printed line is a promise
 *   DELIVERED <n>         deliver mode: n submissions are recorded as delivered (polled every 2 ms)
 *   IDLE                  deliver mode: nothing is pending any more
 * Between two submissions it yields to the event loop, as a server between requests does, so
 * that the delivery worker runs alongside and a kill may land in either.
 */
import { randomBytes } from 'node:crypto';
import { writeSync } from 'node:fs';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { systemClock } from '../../clock.ts';
import { openStore } from '../../store/db.ts';
import { createSubmissionRuntime, loadBackofficeKeys, submissionMigrations } from '../service.ts';
import { checkCrashState, readPromisedFile } from './crash-check.ts';

const say = (line: string): void => {
  writeSync(1, `${line}\n`);
};

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    key: { type: 'string' },
    'intake-dir': { type: 'string' },
    mode: { type: 'string', default: 'accept' },
    start: { type: 'string', default: '0' },
    promised: { type: 'string' },
  },
});
const dataDir = values['data-dir'];
const keyFile = values.key;
const intakeDir = values['intake-dir'];
const mode = values.mode;
if (dataDir === undefined || keyFile === undefined || intakeDir === undefined || (mode !== 'accept' && mode !== 'deliver')) {
  process.stderr.write('usage: crash-child --data-dir DIR --key PUBLIC_KEY_FILE --intake-dir DIR [--mode accept|deliver] [--start N] [--promised FILE]\n');
  process.exit(2);
}

say('OPEN');
const store = openStore({ dataDir, migrations: submissionMigrations });
if (values.promised !== undefined) {
  const check = checkCrashState(store.db, intakeDir, readPromisedFile(values.promised));
  if (!check.ok) {
    say(`BROKEN ${JSON.stringify(check.problems)}`);
    process.exit(3);
  }
  say(`VERIFIED ${JSON.stringify(check.summary)}`);
}
const runtime = createSubmissionRuntime({
  db: store.db,
  dataDir,
  terminalId: 'T0001',
  clock: systemClock,
  keys: loadBackofficeKeys(keyFile),
  intakeDir,
  minFreeBytes: 0,
  baseDelayMs: 10,
});
runtime.start();
say('READY');

if (mode === 'deliver') {
  // The worker's timers do not keep a process alive; this does, and tells the test how far it got.
  let delivered = runtime.outbox.status(0).counts.delivered;
  let idle = false;
  setInterval(() => {
    const counts = runtime.outbox.status(0).counts;
    if (counts.delivered !== delivered) {
      delivered = counts.delivered;
      say(`DELIVERED ${delivered}`);
    }
    if (!idle && counts.pending === 0) {
      idle = true;
      say('IDLE');
    }
  }, 2);
} else {
  for (let i = Number(values.start); ; i += 1) {
    await yieldToEventLoop();
    const submissionId = `crash-${i}-xxxx`;
    // From here to OK the child is inside one synchronous accept: seal, insert, commit with fsync.
    say(`BEGIN ${submissionId}`);
    const result = await runtime.service.submit({
      formId: 'crash-form',
      answers: { i, note: '测试' },
      submissionId,
      scans: [randomBytes(8 * 1024 + (i % 7) * 1024)],
    });
    if (!result.ok) {
      say(`FAIL ${submissionId} ${result.code}`);
      process.exit(1);
    }
    say(`OK ${submissionId} ${result.reference}`);
  }
}

/**
 * Child process of the crash test (crash.test.ts): opens the outbox in DATA_DIR and accepts
 * submissions `crash-<i>` from START on, forever, delivering to INTAKE_DIR in the background.
 * Prints `OK <submissionId> <reference>` with a synchronous write only after accept returned:
 * a printed line is a promise. The parent kills it with SIGKILL at random moments.
 *
 *   node --import tsx crash-child.ts DATA_DIR PUBLIC_KEY_FILE INTAKE_DIR START
 */
import { randomBytes } from 'node:crypto';
import { writeSync } from 'node:fs';
import { systemClock } from '../../clock.ts';
import { openStore } from '../../store/db.ts';
import { createSubmissionRuntime, loadBackofficeKeys, submissionMigrations } from '../service.ts';

const [dataDir, keyFile, intakeDir, startText] = process.argv.slice(2);
if (dataDir === undefined || keyFile === undefined || intakeDir === undefined || startText === undefined) {
  process.stderr.write('usage: crash-child DATA_DIR PUBLIC_KEY_FILE INTAKE_DIR START\n');
  process.exit(2);
}
const store = openStore({ dataDir, migrations: submissionMigrations });
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
writeSync(1, 'READY\n');
for (let i = Number(startText); ; i += 1) {
  const submissionId = `crash-${i}-xxxx`;
  const result = await runtime.service.submit({
    formId: 'crash-form',
    answers: { i, note: '测试' },
    submissionId,
    pdf: randomBytes(8 * 1024 + (i % 7) * 1024),
  });
  if (!result.ok) {
    writeSync(1, `FAIL ${submissionId} ${result.code}\n`);
    process.exit(1);
  }
  writeSync(1, `OK ${submissionId} ${result.reference}\n`);
}

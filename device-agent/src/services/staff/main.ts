/** `npm run staff -- …`: the staff register command (cli.ts). */
import { StoreError } from '../../store/db.ts';
import { runStaffCli } from './cli.ts';

runStaffCli(process.argv.slice(2), { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) })
  .then((code) => {
    process.exitCode = code;
  })
  .catch((error: unknown) => {
    const message = error instanceof StoreError ? `the data folder's store cannot be used: ${error.message}` : error instanceof Error ? error.message : String(error);
    process.stderr.write(`staff: ${message}\n`);
    process.exitCode = 1;
  });

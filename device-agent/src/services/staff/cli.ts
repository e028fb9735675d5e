/**
 * The hall's staff register command: `npm run staff -- <subcommand>` (issue 12).
 *
 *   add --id-number N --name NAME --role staff|technician [--pin 123456] [--data-dir DIR]
 *   list [--data-dir DIR]
 *   remove --id-number N [--data-dir DIR]
 *   reset-pin --id-number N [--pin 123456] [--data-dir DIR]
 *   unlock --id-number N [--data-dir DIR]
 *   report [--data-dir DIR]
 *
 * With --hall-db URL (or ONEVISIT_HALL_DB) add/list/remove/reset-pin/unlock work on the hall's register
 * in PostgreSQL (issue 14), the one every terminal started with that --hall-db uses, keyed by the
 * hall's secret; the data folder is not used for them.
 *
 * Without --pin, add and reset-pin print a random 6-digit PIN once; it is not kept anywhere in clear.
 * Exit codes: 0 ok, 1 refused (with a message), 2 usage. Never a stack trace.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { StaffRoleSchema, type StaffRole } from '@onevisit/protocol';
import { systemClock } from '../../clock.ts';
import { hallDbUrlProblem } from '../../config.ts';
import { createHallPool, loadOrCreateHallSecret, migrateHallDb } from '../../store/hall-db.ts';
import { openStore, type Store } from '../../store/db.ts';
import { STORE_MIGRATIONS } from '../../services.ts';
import { loadOrCreatePersonSecret } from '../booking/person-key.ts';
import { silentLogger } from '../../log.ts';
import { reloadAgentCatalog } from '../forms-update/compose.ts';
import { runDiagnostics } from './diagnostics.ts';
import { lockedForSeconds } from './lockout.ts';
import { addStaff, removeStaff, resetStaffPin, unlockStaff, type RegisterAdmin } from './register-admin.ts';
import { PgStaffRegister } from './pg-register.ts';
import { SqliteStaffRegister } from './register.ts';
import { shortStaffKey } from './staff-key.ts';
import { formVersions } from './staff-mode.ts';

const USAGE = `OneVisit staff register

Usage: npm run staff -- <subcommand> [options]   (every subcommand takes --data-dir DIR, default ./data)

  --hall-db URL   (or ONEVISIT_HALL_DB) the hall's register in PostgreSQL, shared by every terminal
                  started with the same --hall-db, instead of this data folder's (not for report)

  add --id-number N --name NAME --role staff|technician [--pin 123456]
      Register a staff member. Without --pin a random 6-digit PIN is printed once.
  list
      Registered staff: short key, name, role, lockout. No ID numbers are kept.
  remove --id-number N
  reset-pin --id-number N [--pin 123456]
      A new PIN (printed once when not given); clears a lockout.
  unlock --id-number N
      Clears the wrong-PIN count and a lockout.
  report
      The readiness report as JSON (store, audit chain, outbox, disk, clock, software); the devices
      are checked by the running agent (staff screen → diagnostics).
`;

type Io = { out: (s: string) => void; err: (s: string) => void };

const OPTIONS = {
  'id-number': { type: 'string' },
  name: { type: 'string' },
  role: { type: 'string' },
  pin: { type: 'string' },
  'data-dir': { type: 'string' },
  'hall-db': { type: 'string' },
} as const;

function openDataDir(dataDir: string): Store {
  return openStore({ dataDir, migrations: STORE_MIGRATIONS });
}

/** The hall's register (issue 14): migrates the hall database if this is its first use, reads or creates the hall secret. */
async function withHallAdmin(hallDb: string, run: (admin: RegisterAdmin) => Promise<number>): Promise<number> {
  const pool = createHallPool({ connectionString: hallDb, maxConnections: 1 });
  try {
    await migrateHallDb(pool);
    return await run({ register: new PgStaffRegister(pool), secret: await loadOrCreateHallSecret(pool), clock: systemClock });
  } finally {
    await pool.end();
  }
}

async function withAdmin(dataDir: string, run: (admin: RegisterAdmin, store: Store) => Promise<number>): Promise<number> {
  const store = openDataDir(dataDir);
  try {
    return await run({ register: new SqliteStaffRegister(store.db), secret: loadOrCreatePersonSecret(dataDir), clock: systemClock }, store);
  } finally {
    store.close();
  }
}

export async function runStaffCli(argv: readonly string[], io: Io, env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.out(USAGE);
    return command === undefined ? 2 : 0;
  }
  let values: {
    'id-number'?: string | undefined;
    name?: string | undefined;
    role?: string | undefined;
    pin?: string | undefined;
    'data-dir'?: string | undefined;
    'hall-db'?: string | undefined;
  };
  try {
    ({ values } = parseArgs({ args: [...rest], options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  const dataDir = path.resolve(values['data-dir'] ?? 'data');
  const hallDb = values['hall-db'] ?? env.ONEVISIT_HALL_DB;
  const hallProblem = hallDb === undefined ? undefined : hallDbUrlProblem(hallDb);
  if (hallProblem !== undefined) {
    io.err(`--hall-db ${hallProblem}\n`);
    return 2;
  }
  // The register's subcommands: the hall's register with --hall-db, else the data folder's.
  const register = (run: (admin: RegisterAdmin) => Promise<number>): Promise<number> =>
    hallDb === undefined ? withAdmin(dataDir, (admin) => run(admin)) : withHallAdmin(hallDb, run);
  const idNumber = values['id-number'];
  const needId = (): number => {
    io.err(`${command} needs --id-number N\n`);
    return 2;
  };
  const fail = (message: string): number => {
    io.err(`${message}\n`);
    return 1;
  };

  switch (command) {
    case 'add': {
      if (idNumber === undefined) return needId();
      if (values.name === undefined) return fail('add needs --name NAME');
      const role = StaffRoleSchema.safeParse(values.role);
      if (!role.success) return fail('add needs --role staff or --role technician');
      const chosenRole: StaffRole = role.data;
      return register(async (admin) => {
        const r = await addStaff(admin, { idNumber, name: values.name ?? '', role: chosenRole, pin: values.pin });
        if (!r.ok) return fail(r.message);
        io.out(`Added ${values.name ?? ''} as ${chosenRole} (staff ${shortStaffKey(r.key)}).\n`);
        if (r.generated) io.out(`PIN: ${r.pin}  (shown once; give it to the staff member)\n`);
        return 0;
      });
    }
    case 'list':
      return register(async (admin) => {
        const members = await admin.register.list();
        if (members.length === 0) io.out('No staff registered.\n');
        const nowMs = admin.clock.now();
        for (const m of members) {
          const locked = lockedForSeconds(m.lockout, nowMs);
          io.out(`${shortStaffKey(m.key)}  ${m.role.padEnd(10)}  ${m.name}${locked > 0 ? `  (locked ${locked} s)` : m.lockout.failedAttempts > 0 ? `  (${m.lockout.failedAttempts} wrong PINs)` : ''}\n`);
        }
        return 0;
      });
    case 'remove':
      if (idNumber === undefined) return needId();
      return register(async (admin) => {
        const r = await removeStaff(admin, idNumber);
        if (!r.ok) return fail(r.message);
        io.out(`Removed staff ${shortStaffKey(r.key)}.\n`);
        return 0;
      });
    case 'reset-pin':
      if (idNumber === undefined) return needId();
      return register(async (admin) => {
        const r = await resetStaffPin(admin, idNumber, values.pin);
        if (!r.ok) return fail(r.message);
        io.out(`New PIN set for staff ${shortStaffKey(r.key)}.\n`);
        if (r.generated) io.out(`PIN: ${r.pin}  (shown once)\n`);
        return 0;
      });
    case 'unlock':
      if (idNumber === undefined) return needId();
      return register(async (admin) => {
        const r = await unlockStaff(admin, idNumber);
        if (!r.ok) return fail(r.message);
        io.out(`Unlocked staff ${shortStaffKey(r.key)}.\n`);
        return 0;
      });
    case 'report':
      return withAdmin(dataDir, async (_admin, store) => {
        const db = store.db;
        const pending = db.prepare<[], { n: number; oldest: number | null }>("SELECT count(*) AS n, min(accepted_at) AS oldest FROM outbox WHERE state = 'pending'").get();
        const counts = Object.fromEntries(
          db
            .prepare<[], { state: string; n: number }>('SELECT state, count(*) AS n FROM outbox GROUP BY state')
            .all()
            .map((r) => [r.state, r.n]),
        );
        // The form packages as the agent serves them: the shipped folder with the active updates (issue 16).
        const catalog = await reloadAgentCatalog({ dataDir, formsDir: undefined }, silentLogger());
        const report = await runDiagnostics({
          clock: systemClock,
          terminalId: 'unknown (report from the data folder)',
          dataDir,
          db,
          outbox: () => ({
            canAccept: { ok: true },
            delivery: 'none',
            counts: { pending: counts.pending ?? 0, delivered: counts.delivered ?? 0, deadLetter: counts.deadLetter ?? 0 },
            oldestPendingAtMs: pending?.oldest ?? undefined,
            deadLetters: [],
          }),
          forms: () => formVersions(catalog),
          technician: false,
        });
        io.out(`${JSON.stringify(report, null, 2)}\n`);
        return report.ready ? 0 : 1;
      });
    default:
      io.err(`unknown subcommand ${command}\n\n${USAGE}`);
      return 2;
  }
}

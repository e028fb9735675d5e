/**
 * The back office's intake command: `npm run intake -- <subcommand>`.
 *
 *   keygen --out DIR [--force]                       DIR/backoffice.pub (give to terminals) + DIR/backoffice.key (keep)
 *   open FILE_OR_DIR --key KEY [--key OLD] --out DIR  open sealed submissions into DIR/<reference>/
 *   open --db URL --key KEY --out DIR                 the same for the submissions an intake keeps in PostgreSQL
 *   serve --port P --out DIR|--db URL [--key KEY] [--host H]   a minimal HTTP intake (Idempotency-Key honoured)
 *   case set|show, ratings list|followup, terminals add  (issue 15; see USAGE), each --out DIR or --db URL
 *   verify-audit --data-dir DIR                       check a terminal's audit chain; exit 1 when broken
 *
 * Exit codes: 0 ok, 1 something refused or broken, 2 usage.
 */
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { generateBackofficeKeyPair } from '../crypto/seal.ts';
import { verifyAudit } from '../store/audit.ts';
import { STORE_FILE_NAME } from '../store/db.ts';
import { loadPrivateKeys, openOne, openSubmissions, type OpenFileResult } from './open.ts';
import { startIntakeServer } from './server.ts';
import { randomBytes } from 'node:crypto';
import { parseOpsToken } from '@onevisit/forms';
import { CasePickupSchema } from '@onevisit/protocol';
import { packagesFolder } from './packages.ts';
import { RequestVerifier } from '../crypto/request-signing.ts';
import { isValidReference } from '../outbox/reference.ts';
import { CASE_STATUSES, PERSON_KEY, type CaseStatus, type CaseUpdate } from './cases.ts';
import { openIntakeStore, type IntakeStore, type IntakeStoreLocation } from './store.ts';
import { terminalKeys } from './terminals.ts';

const USAGE = `OneVisit intake (back office side)

Usage: npm run intake -- <subcommand> [options]

Where the intake keeps its state: every subcommand but keygen and open takes --out DIR (DIR/intake.sqlite
plus the sealed files, DIR/terminals/) or --db postgres://USER@HOST:PORT/DB (PostgreSQL: cases, timeline,
materials, supplements, ratings, terminals and the sealed bytes of what was received; nothing on disk).
Give one of the two, not both: the state lives in one place.

  keygen --out DIR [--force]
      Make a back office key pair: DIR/backoffice.pub (X25519 SPKI PEM, for the terminals' --backoffice-key)
      and DIR/backoffice.key (PKCS#8 PEM, keep it secret; keep old keys after a rotation).
  open FILE_OR_DIR --key PRIVATE_KEY [--key ...] --out DIR
      Open sealed submissions (*.ovsl) into DIR/<reference>/ (answers.json, meta.json, application.pdf,
      signature.png, scan-NN.*). Tampered ones are refused (exit 1); good ones are still opened.
  open --db URL --key PRIVATE_KEY [--key ...] --out DIR
      The same for every submission an intake keeps in PostgreSQL (serve --db).
  serve --port P --out DIR|--db URL [--key PRIVATE_KEY ...] [--host 127.0.0.1] [--packages DIR] [--ops-token-file FILE]
      A minimal HTTP intake: POST the sealed bytes with Idempotency-Key: <reference>. 201 first time,
      200 for the same bytes again, 409 for other bytes under a known key, 400 for refused ones.
      --key: the back office key that opens 好差评 ratings (default DIR/backoffice.key when keygen wrote
      one there); without one, ratings get 503 and the terminals keep and retry them.
      Once a terminal is registered (terminals add), every request must be signed by a
      registered terminal: unsigned, unknown, replayed or changed requests get 401.
      The form-package channel (issue 16) is served under /v1/packages/ from --packages DIR (default
      DIR/packages with --out); --ops-token-file FILE lets ops publish and roll out there
      (npm run forms -- publish FILE.ovpkg --channel http://HOST:P --ops-token-file FILE).
  ops-token --out FILE
      Make a random ops token (0600) for serve --ops-token-file and forms publish|rollout --ops-token-file.
  terminals add --id ID --key FILE --out DIR|--db URL
      Register a terminal's Ed25519 public key (its DATA_DIR/keys/terminal.pub) with the intake in DIR.
  case set REF --status S [--material TEXT]... [--reason TEXT] [--note TEXT] [--person-key HEX]
           [--pickup cabinet|window|post [--where TEXT] [--tracking NUMBER]] --out DIR|--db URL
      Set a case's status (received accepted inReview needMaterial approved rejected readyForPickup closed);
      needMaterial lists the missing materials; readyForPickup says where (this hall's cabinet, a window,
      or posted with a tracking number). Served at GET /v1/cases/REF and POST /v1/cases/lookup.
  case show REF --out DIR|--db URL
      Print a case as JSON, with the supplements handed in for it.
  ratings list [--bad] --out DIR|--db URL
      Print the 好差评 ratings received (serve needs the back office key to read them), oldest first; --bad: levels 1-2
      only, each with its follow-up deadline (followUpBy, working days by the terminal's hall calendar).
  ratings followup ID --note TEXT --out DIR|--db URL
      Note a follow-up of a rating (ID as ratings list prints it).
  verify-audit --data-dir DIR
      Verify the hash chain of a terminal's audit log; exit 1 when a row was changed or removed.
`;

type Out = { out: (s: string) => void; err: (s: string) => void };

function usage(io: Out, message: string): number {
  io.err(`${message}\n\n${USAGE}`);
  return 2;
}

/** The `--out DIR` / `--db URL` options every state-keeping subcommand takes. */
const LOCATION_OPTIONS = { out: { type: 'string' }, db: { type: 'string' } } as const;

/** Where the state is, or the usage message when it is named twice or not at all. */
function locationOf(values: { out?: string | undefined; db?: string | undefined }, what: string): IntakeStoreLocation | string {
  if (values.out !== undefined && values.db !== undefined) return `${what}: give --out DIR or --db URL, not both (the intake's state lives in one place)`;
  if (values.db !== undefined) return /^postgres(?:ql)?:\/\//.test(values.db) ? { db: values.db } : `${what}: --db takes a postgres:// URL`;
  if (values.out !== undefined) return { out: values.out };
  return `${what} needs --out DIR or --db postgres://…`;
}

/** Opens the store named by `values`, runs `work` on it and closes it; exit 2 on a bad location. */
async function withStore(values: { out?: string | undefined; db?: string | undefined }, what: string, io: Out, work: (store: IntakeStore) => Promise<number>): Promise<number> {
  const location = locationOf(values, what);
  if (typeof location === 'string') return usage(io, location);
  const store = await openIntakeStore(location);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

async function keygen(args: string[], io: Out): Promise<number> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' }, force: { type: 'boolean' } }, strict: true });
  if (values.out === undefined) return usage(io, 'keygen needs --out DIR');
  const dir = path.resolve(values.out);
  const pub = path.join(dir, 'backoffice.pub');
  const key = path.join(dir, 'backoffice.key');
  if (!values.force && (existsSync(pub) || existsSync(key))) {
    io.err(`refusing to overwrite ${existsSync(key) ? key : pub} (use --force; keep old private keys to open old submissions)`);
    return 1;
  }
  await mkdir(dir, { recursive: true });
  const pair = generateBackofficeKeyPair();
  await writeFile(key, pair.privatePem, { mode: 0o600 });
  await chmod(key, 0o600);
  await writeFile(pub, pair.publicPem, { mode: 0o644 });
  io.out(`key id ${pair.kid}\npublic key:  ${pub}\nprivate key: ${key}`);
  return 0;
}

async function openCommand(args: string[], io: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { key: { type: 'string', multiple: true }, out: { type: 'string' }, db: { type: 'string' } },
    strict: true,
    allowPositionals: true,
  });
  const input = positionals[0];
  if (values.db === undefined && (input === undefined || positionals.length !== 1)) return usage(io, 'open needs exactly one FILE_OR_DIR (or --db URL)');
  if (values.db !== undefined && positionals.length !== 0) return usage(io, 'open takes FILE_OR_DIR or --db URL, not both');
  if (!values.key || values.key.length === 0) return usage(io, 'open needs --key PRIVATE_KEY');
  if (values.out === undefined) return usage(io, 'open needs --out DIR');
  const keys = await loadPrivateKeys(values.key);
  const outDir = path.resolve(values.out);
  let results: OpenFileResult[];
  if (values.db !== undefined) {
    const location = locationOf({ db: values.db }, 'open');
    if (typeof location === 'string') return usage(io, location);
    const store = await openIntakeStore(location);
    results = [];
    try {
      for (const reference of await store.submissionReferences()) {
        const blob = await store.submission(reference);
        // Named by reference, not as a file: openOne compares a *.ovsl file's name with the sealed reference.
        if (blob) results.push(await openOne(`db:${reference}`, blob, keys, outDir));
      }
    } finally {
      await store.close();
    }
  } else {
    results = await openSubmissions(path.resolve(input ?? ''), keys, outDir);
  }
  let refused = 0;
  for (const r of results) {
    if (r.ok) io.out(`${r.alreadyOpened ? 'already opened' : 'opened'} ${r.reference} -> ${r.folder}`);
    else {
      refused += 1;
      io.err(`REFUSED ${r.file}: ${r.code}: ${r.message}`);
    }
  }
  io.out(`${results.length - refused} opened, ${refused} refused`);
  if (results.length === 0) io.err('no sealed submissions (*.ovsl) found');
  return refused > 0 ? 1 : 0;
}

async function serve(args: string[], io: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      ...LOCATION_OPTIONS,
      key: { type: 'string', multiple: true },
      host: { type: 'string' },
      packages: { type: 'string' },
      'ops-token-file': { type: 'string' },
    },
    strict: true,
  });
  if (values.port === undefined || !/^\d{1,5}$/.test(values.port)) return usage(io, 'serve needs --port P');
  const packages = packagesOptions(values, io);
  if (packages === undefined) return 1;
  // Ratings are sealed like submissions: the intake reads them with the back office key. Without --key,
  // a key that keygen wrote into the same folder (--out DIR) is used.
  const ownKey = values.out === undefined ? undefined : path.join(values.out, 'backoffice.key');
  const keyFiles = values.key && values.key.length > 0 ? values.key : ownKey !== undefined && existsSync(ownKey) ? [ownKey] : [];
  const privateKeys = keyFiles.length > 0 ? await loadPrivateKeys(keyFiles) : undefined;
  if (privateKeys === undefined) io.err('no back office key (serve --key backoffice.key): ratings are answered 503 and stay with the terminals until the intake has one');
  return withStore(values, 'serve', io, async (store) => {
    const options: Parameters<typeof startIntakeServer>[0] = { port: Number(values.port), store, onEvent: (line) => io.out(line) };
    // The folder still names what is not intake state kept by the store (the form-package channel, packages.ts).
    if (values.out !== undefined) options.outDir = values.out;
    if (values.host !== undefined) options.host = values.host;
    if (privateKeys) options.privateKeys = privateKeys;
    Object.assign(options, packages);
    // Asked until the first terminal is registered (terminals add, also while the intake runs): from then on
    // unsigned requests are refused, without a restart. The register only grows, so the answer is kept.
    let registered = false;
    options.verifier = new RequestVerifier({
      keys: values.out !== undefined ? terminalKeys(values.out) : (id) => store.terminalKey(id),
      required: async () => (registered ||= await store.hasTerminals()),
    });
    if (!(await store.hasTerminals())) io.err('no terminal registered yet (terminals add): accepting unsigned requests until one is');
    const server = await startIntakeServer(options);
    io.out(`intake listening on ${server.url} (storing into ${store.where})`);
    await new Promise<void>((resolve) => {
      const stop = (): void => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    return 0;
  });
}

/** The form-package channel (issue 16, packages.ts): `--packages DIR` (default `<out>/packages`) and the ops token. */
function packagesOptions(values: { out?: string | undefined; packages?: string | undefined; 'ops-token-file'?: string | undefined }, io: Out): { packagesDir?: string; opsToken?: string } | undefined {
  const packagesDir = values.packages ?? (values.out === undefined ? undefined : packagesFolder(values.out));
  const result: { packagesDir?: string; opsToken?: string } = packagesDir === undefined ? {} : { packagesDir: path.resolve(packagesDir) };
  const tokenFile = values['ops-token-file'];
  if (tokenFile === undefined) {
    if (packagesDir !== undefined) io.err('no --ops-token-file: the form-package channel is served read-only (npm run forms -- publish cannot reach it)');
    return result;
  }
  let text: string;
  try {
    text = readFileSync(tokenFile, 'utf8');
  } catch {
    io.err(`cannot read ${tokenFile}`);
    return undefined;
  }
  const token = parseOpsToken(text);
  if (token === undefined) {
    io.err(`${tokenFile}: not an ops token (one line of at least 32 characters; make one with: npm run intake -- ops-token --out FILE)`);
    return undefined;
  }
  return { ...result, opsToken: token };
}

/** `ops-token --out FILE`: a new random token for `serve --ops-token-file` and `forms publish --ops-token-file`. */
async function opsTokenCommand(args: string[], io: Out): Promise<number> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' } }, strict: true });
  if (values.out === undefined) return usage(io, 'ops-token needs --out FILE');
  const file = path.resolve(values.out);
  await mkdir(path.dirname(file), { recursive: true });
  try {
    // 'wx': an existing token is never replaced (ops and the intake would stop agreeing).
    await writeFile(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'EEXIST') {
      io.err(`${file}: already exists (a token is never overwritten)`);
      return 1;
    }
    throw error;
  }
  io.out(`wrote ${file} (0600): give it to serve --ops-token-file and keep a copy for npm run forms -- publish --ops-token-file`);
  return 0;
}

async function terminalsCommand(args: string[], io: Out): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'add') return usage(io, 'terminals needs a subcommand: add');
  const { values } = parseArgs({ args: rest, options: { id: { type: 'string' }, key: { type: 'string' }, ...LOCATION_OPTIONS }, strict: true });
  const { id, key } = values;
  if (id === undefined) return usage(io, 'terminals add needs --id ID');
  if (key === undefined) return usage(io, 'terminals add needs --key FILE');
  const location = locationOf(values, 'terminals add');
  if (typeof location === 'string') return usage(io, location);
  let pem: string;
  try {
    pem = readFileSync(key, 'utf8');
  } catch {
    io.err(`cannot read ${key}`);
    return 1;
  }
  return withStore(values, 'terminals add', io, async (store) => {
    const r = await store.addTerminal(id, pem);
    if (!r.ok) {
      io.err(r.reason === 'badId' ? `not a terminal id: ${id}` : `${key} is not an Ed25519 public key (the terminal's DATA_DIR/keys/terminal.pub)`);
      return 1;
    }
    io.out(`terminal ${id} registered (${r.where})`);
    return 0;
  });
}

function isCaseStatus(value: string): value is CaseStatus {
  return (CASE_STATUSES as readonly string[]).includes(value);
}

async function caseCommand(args: string[], io: Out): Promise<number> {
  const [sub, reference, ...rest] = args;
  if ((sub !== 'set' && sub !== 'show') || reference === undefined || !isValidReference(reference)) {
    return usage(io, 'case needs set|show and a valid reference');
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      ...LOCATION_OPTIONS,
      status: { type: 'string' },
      material: { type: 'string', multiple: true },
      reason: { type: 'string' },
      note: { type: 'string' },
      'person-key': { type: 'string' },
      pickup: { type: 'string' },
      where: { type: 'string' },
      tracking: { type: 'string' },
    },
    strict: true,
  });
  const location = locationOf(values, `case ${sub}`);
  if (typeof location === 'string') return usage(io, location);
  if (sub === 'show') {
    return withStore(values, 'case show', io, async (store) => {
      const found = await store.getCase(reference);
      if (!found) {
        io.err(`no case ${reference}`);
        return 1;
      }
      // Supplements only when there are any: the case itself prints as GET /v1/cases/{reference} answers it.
      const supplements = await store.supplementsOf(reference);
      io.out(JSON.stringify(supplements.length > 0 ? { ...found, supplements } : found, null, 2));
      return 0;
    });
  }
  if (values.status === undefined || !isCaseStatus(values.status)) return usage(io, `case set needs --status ${CASE_STATUSES.join('|')}`);
  if (values['person-key'] !== undefined && !PERSON_KEY.test(values['person-key'])) return usage(io, '--person-key must be 64 hex characters (the hall HMAC)');
  const update: CaseUpdate = { status: values.status };
  if (values.material) update.materials = values.material;
  if (values.reason !== undefined) update.reason = values.reason;
  if (values.note !== undefined) update.note = values.note;
  if (values['person-key'] !== undefined) update.personKey = values['person-key'];
  // Where a readyForPickup case is collected: this hall's cabinet, a window, or posted with a tracking number.
  if (values.pickup !== undefined || values.where !== undefined || values.tracking !== undefined) {
    const kind = values.pickup ?? (values.tracking !== undefined ? 'post' : undefined);
    if (values.status !== 'readyForPickup') return usage(io, '--pickup, --where and --tracking go with --status readyForPickup');
    if (kind !== 'cabinet' && kind !== 'window' && kind !== 'post') return usage(io, 'case set needs --pickup cabinet|window|post');
    if (values.tracking !== undefined && kind !== 'post') return usage(io, '--tracking goes with --pickup post');
    const pickup = CasePickupSchema.safeParse({ kind, ...(values.where === undefined ? {} : { where: values.where }), ...(values.tracking === undefined ? {} : { trackingNumber: values.tracking }) });
    if (!pickup.success) return usage(io, '--where is at most 200 characters, --tracking at most 64');
    update.pickup = pickup.data;
  }
  return withStore(values, 'case set', io, async (store) => {
    io.out(JSON.stringify(await store.setCase(reference, update), null, 2));
    return 0;
  });
}

async function ratingsCommand(args: string[], io: Out): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'list') {
    const { values } = parseArgs({ args: rest, options: { ...LOCATION_OPTIONS, bad: { type: 'boolean' } }, strict: true });
    return withStore(values, 'ratings list', io, async (store) => {
      io.out(JSON.stringify(await store.ratings({ bad: values.bad === true }), null, 2));
      return 0;
    });
  }
  if (sub === 'followup') {
    const [id, ...more] = rest;
    if (id === undefined || !isValidReference(id)) return usage(io, 'ratings followup needs a rating ID');
    const { values } = parseArgs({ args: more, options: { ...LOCATION_OPTIONS, note: { type: 'string' } }, strict: true });
    const location = locationOf(values, 'ratings followup');
    if (typeof location === 'string') return usage(io, location);
    const note = values.note?.trim();
    if (note === undefined || note === '') return usage(io, 'ratings followup needs --note TEXT');
    return withStore(values, 'ratings followup', io, async (store) => {
      const updated = await store.followUp(id, note);
      if (!updated) {
        io.err(`no rating ${id}`);
        return 1;
      }
      io.out(JSON.stringify(updated, null, 2));
      return 0;
    });
  }
  return usage(io, 'ratings needs a subcommand: list | followup');
}

function verifyAuditCommand(args: string[], io: Out): number {
  const { values } = parseArgs({ args, options: { 'data-dir': { type: 'string' } }, strict: true });
  const dataDir = values['data-dir'];
  if (dataDir === undefined) return usage(io, 'verify-audit needs --data-dir DIR');
  const file = path.join(path.resolve(dataDir), STORE_FILE_NAME);
  if (!existsSync(file)) {
    io.err(`no store at ${file}`);
    return 1;
  }
  // The data folder is evidence: open it read-only. A read-write connection that is the last to close
  // checkpoints the WAL into the database and deletes it (issue 11); a read-only one reads the rows in
  // the WAL but cannot write either file (test/security/verify-audit-readonly.test.ts).
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const result = verifyAudit(db);
    if (result.ok) {
      io.out(`audit log intact: ${result.count} rows, head ${result.headHash}`);
      return 0;
    }
    io.err(`AUDIT LOG BROKEN: ${result.message}`);
    return 1;
  } finally {
    db.close();
  }
}

export async function runIntake(argv: readonly string[], io: Out): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'keygen':
        return await keygen(rest, io);
      case 'open':
        return await openCommand(rest, io);
      case 'ops-token':
        return await opsTokenCommand(rest, io);
      case 'serve':
        return await serve(rest, io);
      case 'verify-audit':
        return verifyAuditCommand(rest, io);
      case 'terminals':
        return await terminalsCommand(rest, io);
      case 'case':
        return await caseCommand(rest, io);
      case 'ratings':
        return await ratingsCommand(rest, io);
      case undefined:
      case '--help':
      case 'help':
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        return usage(io, `unknown subcommand ${command}`);
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) return usage(io, error instanceof Error ? error.message : String(error));
    io.err(`error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.resolve(import.meta.filename);
if (isMain) {
  const code = await runIntake(process.argv.slice(2), {
    out: (s) => process.stdout.write(`${s}\n`),
    err: (s) => process.stderr.write(`${s}\n`),
  });
  process.exitCode = code;
}

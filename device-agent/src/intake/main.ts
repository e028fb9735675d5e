/**
 * The back office's intake command: `npm run intake -- <subcommand>`.
 *
 *   keygen --out DIR [--force]                       DIR/backoffice.pub (give to terminals) + DIR/backoffice.key (keep)
 *   open FILE_OR_DIR --key KEY [--key OLD] --out DIR  open sealed submissions into DIR/<reference>/
 *   serve --port P --out DIR [--key KEY] [--host H]   a minimal HTTP intake (Idempotency-Key honoured)
 *   verify-audit --data-dir DIR                       check a terminal's audit chain; exit 1 when broken
 *
 * Exit codes: 0 ok, 1 something refused or broken, 2 usage.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { generateBackofficeKeyPair } from '../crypto/seal.ts';
import { verifyAudit } from '../store/audit.ts';
import { STORE_FILE_NAME } from '../store/db.ts';
import { loadPrivateKeys, openSubmissions } from './open.ts';
import { startIntakeServer } from './server.ts';

const USAGE = `OneVisit intake (back office side)

Usage: npm run intake -- <subcommand> [options]

  keygen --out DIR [--force]
      Make a back office key pair: DIR/backoffice.pub (X25519 SPKI PEM, for the terminals' --backoffice-key)
      and DIR/backoffice.key (PKCS#8 PEM, keep it secret; keep old keys after a rotation).
  open FILE_OR_DIR --key PRIVATE_KEY [--key ...] --out DIR
      Open sealed submissions (*.ovsl) into DIR/<reference>/ (answers.json, meta.json, application.pdf,
      signature.png, scan-NN.*). Tampered ones are refused (exit 1); good ones are still opened.
  serve --port P --out DIR [--key PRIVATE_KEY ...] [--host 127.0.0.1]
      A minimal HTTP intake: POST the sealed bytes with Idempotency-Key: <reference>. 201 first time,
      200 for the same bytes again, 409 for other bytes under a known key, 400 for refused ones.
  verify-audit --data-dir DIR
      Verify the hash chain of a terminal's audit log; exit 1 when a row was changed or removed.
`;

type Out = { out: (s: string) => void; err: (s: string) => void };

function usage(io: Out, message: string): number {
  io.err(`${message}\n\n${USAGE}`);
  return 2;
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
    options: { key: { type: 'string', multiple: true }, out: { type: 'string' } },
    strict: true,
    allowPositionals: true,
  });
  const input = positionals[0];
  if (input === undefined || positionals.length !== 1) return usage(io, 'open needs exactly one FILE_OR_DIR');
  if (!values.key || values.key.length === 0) return usage(io, 'open needs --key PRIVATE_KEY');
  if (values.out === undefined) return usage(io, 'open needs --out DIR');
  const keys = await loadPrivateKeys(values.key);
  const results = await openSubmissions(path.resolve(input), keys, path.resolve(values.out));
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
    options: { port: { type: 'string' }, out: { type: 'string' }, key: { type: 'string', multiple: true }, host: { type: 'string' } },
    strict: true,
  });
  if (values.port === undefined || !/^\d{1,5}$/.test(values.port)) return usage(io, 'serve needs --port P');
  if (values.out === undefined) return usage(io, 'serve needs --out DIR');
  const options: Parameters<typeof startIntakeServer>[0] = {
    port: Number(values.port),
    outDir: values.out,
    onEvent: (line) => io.out(line),
  };
  if (values.host !== undefined) options.host = values.host;
  if (values.key && values.key.length > 0) options.privateKeys = await loadPrivateKeys(values.key);
  const server = await startIntakeServer(options);
  io.out(`intake listening on ${server.url} (storing into ${path.resolve(values.out)})`);
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  return 0;
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
  const db = new Database(file, { fileMustExist: true });
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
      case 'serve':
        return await serve(rest, io);
      case 'verify-audit':
        return verifyAuditCommand(rest, io);
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

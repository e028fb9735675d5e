/**
 * A private PostgreSQL cluster for tests and the bench (issue 14): `initdb` in a temporary
 * folder, `pg_ctl` on a free port of 127.0.0.1 with the socket in that folder, torn down after.
 * No system cluster or service is used. As root (CI), the server runs as the `postgres` user
 * (`runuser`), since initdb refuses root. Binaries: `ONEVISIT_PG_BIN`, else the newest
 * /usr/lib/postgresql/<version>/bin (Debian's `postgresql` package).
 */
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export function findPgBin(): string | undefined {
  const fromEnv = process.env.ONEVISIT_PG_BIN;
  if (fromEnv !== undefined && fromEnv !== '') return existsSync(join(fromEnv, 'initdb')) ? fromEnv : undefined;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface PgTestCluster {
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:PORT/onevisit` */
  readonly url: string;
  /** Stops the server (fast shutdown), keeping the data: for "the hall database went away". */
  stopServer(): Promise<void>;
  /** Starts it again on the same port. */
  startServer(): Promise<void>;
  /** A fresh schema name for one store under test. */
  newSchema(): string;
  /** Creates an empty database `name` (default: a fresh name) in the cluster; returns its URL. */
  newDatabase(name?: string): Promise<string>;
  /** Stops the server and removes the folder. */
  destroy(): Promise<void>;
}

let schemaCounter = 0;

export async function startPgTestCluster(): Promise<PgTestCluster> {
  const bin = findPgBin();
  if (bin === undefined) throw new Error('PostgreSQL server binaries not found: install Debian `postgresql` or set ONEVISIT_PG_BIN');
  const dir = mkdtempSync(join(tmpdir(), 'onevisit-pg-'));
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  chmodSync(dir, 0o700);
  const exec = (tool: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]) : run(join(bin, tool), args);
  const data = join(dir, 'data');
  await exec('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-locale', '--no-sync']);
  const port = await freePort();
  // fsync off: a test cluster is thrown away, durability is PostgreSQL's own business.
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200`;
  const startServer = async () => {
    await exec('pg_ctl', ['-D', data, '-l', join(dir, 'pg.log'), '-o', serverOptions, '-w', '-t', '60', 'start']);
  };
  const stopServer = async () => {
    await exec('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
  };
  await startServer();
  const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
  await admin.connect();
  await admin.query('CREATE DATABASE onevisit');
  await admin.end();
  let destroyed = false;
  const newSchema = (): string => {
    schemaCounter += 1;
    return `t_${process.pid}_${schemaCounter}`;
  };
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/onevisit`,
    stopServer,
    startServer,
    newSchema,
    async newDatabase(name = newSchema()) {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      await stopServer().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

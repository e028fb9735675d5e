/**
 * `npm run intake -- … --db postgres://…` (issue 15) on a private PostgreSQL cluster: the commands
 * keep their state there, and `serve --db` (the real command, in a child process) takes a signed
 * submission with the citizen's hall person key, so that "all my cases" finds it at once; an old
 * outbox item without the key still delivers. Also the person-key header's signature.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { loadOrCreateTerminalKey, signRequest } from '../crypto/request-signing.ts';
import { parsePublicKeys } from '../crypto/seal.ts';
import { HttpTarget } from '../outbox/delivery.ts';
import { Outbox } from '../outbox/outbox.ts';
import { formatReference } from '../outbox/reference.ts';
import { citizenSubmission, openTestStore, tempDir } from '../outbox/testing/fixtures.ts';
import { HttpBackOffice } from '../services/progress/back-office.ts';
import { startPgTestCluster, type PgTestCluster } from '../store/pg-test-cluster.ts';
import { intakeCli } from './testing/intake-cli.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const PERSON = 'c'.repeat(64);

let cluster: PgTestCluster;
const cleanup: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  cluster = await startPgTestCluster();
}, 120_000);
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});
afterAll(async () => {
  await cluster.destroy();
});

/** A fresh, empty database of the cluster (one per test), as `--db` takes it. */
function dbUrl(): Promise<string> {
  return cluster.newDatabase();
}

/** `intake serve --db URL` as a child process; resolves with its URL once it listens. */
async function serveDb(db: string, keyFile: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'device-agent/src/intake/main.ts', 'serve', '--port', '0', '--db', db, '--key', keyFile], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanup.push(async () => {
    if (child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  });
  let seen = '';
  child.stderr?.on('data', (chunk: Buffer) => (seen += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`intake exited ${String(code)}: ${seen}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const m = /intake listening on (http:\/\/\S+)/.exec(seen);
      if (m?.[1]) resolve(m[1]);
    });
  });
  return { url, child };
}

describe('intake --db postgres://…', () => {
  it('case set, case show, terminals add, ratings list keep their state in PostgreSQL; --out and --db together are refused', async () => {
    const db = await dbUrl();
    const ref = formatReference('T0001', '261204', 21);
    const set = await intakeCli(['case', 'set', ref, '--status', 'needMaterial', '--material', '户口簿复印件', '--person-key', PERSON, '--db', db]);
    expect(set.code).toBe(0);
    const shown = await intakeCli(['case', 'show', ref, '--db', db]);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.out)).toMatchObject({ reference: ref, status: 'needMaterial', materials: [{ id: 'm1', description: '户口簿复印件' }] });
    // Another database knows nothing of it.
    expect((await intakeCli(['case', 'show', ref, '--db', await dbUrl()])).code).toBe(1);
    const dataDir = tempDir();
    loadOrCreateTerminalKey(dataDir);
    expect((await intakeCli(['terminals', 'add', '--id', 'T0001', '--key', path.join(dataDir, 'keys', 'terminal.pub'), '--db', db])).code).toBe(0);
    expect(JSON.parse((await intakeCli(['ratings', 'list', '--bad', '--db', db])).out)).toEqual([]);
    const out = tempDir();
    expect((await intakeCli(['case', 'show', ref, '--db', db, '--out', out])).code).toBe(2);
    expect((await intakeCli(['case', 'show', ref, '--db', 'mysql://x'])).code).toBe(2);
    expect(existsSync(path.join(out, 'intake.sqlite'))).toBe(false);
  });

  it('serve --db: a signed submission with the person key is found by POST /v1/cases/lookup; one without the key still delivers; open --db opens them', async () => {
    const db = await dbUrl();
    const keyDir = tempDir();
    expect((await intakeCli(['keygen', '--out', keyDir])).code).toBe(0);
    const dataDir = tempDir();
    const terminalKey = loadOrCreateTerminalKey(dataDir);
    expect((await intakeCli(['terminals', 'add', '--id', 'T0001', '--key', path.join(dataDir, 'keys', 'terminal.pub'), '--db', db])).code).toBe(0);
    const intake = await serveDb(db, path.join(keyDir, 'backoffice.key'));

    const store = openTestStore(dataDir);
    cleanup.push(() => store.close());
    const outbox = new Outbox({
      db: store.db,
      dataDir,
      clock: new ManualClock(Date.now()),
      terminalId: 'T0001',
      keys: parsePublicKeys(readFileSync(path.join(keyDir, 'backoffice.pub'), 'utf8')),
      freeBytes: () => 1e12,
    });
    const withKey = outbox.accept(citizenSubmission('db-with-key', { personKey: PERSON }));
    const withoutKey = outbox.accept(citizenSubmission('db-without-key'));
    if (!withKey.ok || !withoutKey.ok) throw new Error('not accepted');
    expect(outbox.get(withKey.reference)?.personKey).toBe(PERSON);
    expect(outbox.get(withoutKey.reference)?.personKey).toBeNull();
    const target = new HttpTarget({ url: intake.url, signer: { terminalId: 'T0001', privateKey: terminalKey.privateKey, now: Date.now } });
    const deliver = (reference: string, personKey?: string) => target.deliver(reference, outbox.blob(reference) ?? Buffer.alloc(0), new AbortController().signal, undefined, personKey);
    expect(await deliver(withKey.reference, PERSON)).toEqual({ kind: 'delivered', httpStatus: 201 });
    expect(await deliver(withoutKey.reference)).toEqual({ kind: 'delivered', httpStatus: 201 });
    // A redelivery is the same submission.
    expect(await deliver(withKey.reference, PERSON)).toEqual({ kind: 'delivered', httpStatus: 200 });

    const backOffice = new HttpBackOffice({ baseUrl: new URL(intake.url).origin, terminalId: 'T0001', privateKey: terminalKey.privateKey, now: Date.now });
    const mine = await backOffice.lookup(PERSON);
    if (!mine.ok) throw new Error(mine.reason);
    expect(mine.cases.map((c) => [c.reference, c.status])).toEqual([[withKey.reference, 'received']]);
    expect(await backOffice.getCase(withoutKey.reference)).toEqual({ ok: false, reason: 'unknownCase' });

    const opened = tempDir();
    const r = await intakeCli(['open', '--db', db, '--key', path.join(keyDir, 'backoffice.key'), '--out', opened]);
    expect(r.code).toBe(0);
    expect(existsSync(path.join(opened, withKey.reference, 'answers.json'))).toBe(true);
    expect(existsSync(path.join(opened, withoutKey.reference, 'answers.json'))).toBe(true);
  }, 60_000);

  it('the person key is signed: added, changed or removed on the way, the request is refused', async () => {
    const db = await dbUrl();
    const keyDir = tempDir();
    await intakeCli(['keygen', '--out', keyDir]);
    const dataDir = tempDir();
    const terminalKey = loadOrCreateTerminalKey(dataDir);
    await intakeCli(['terminals', 'add', '--id', 'T0001', '--key', path.join(dataDir, 'keys', 'terminal.pub'), '--db', db]);
    const intake = await serveDb(db, path.join(keyDir, 'backoffice.key'));
    const body = Buffer.from('{"personKey":"' + PERSON + '"}');
    const post = (headers: Record<string, string>) =>
      fetch(new URL('/v1/cases/lookup', intake.url), { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: Uint8Array.from(body) }).then((res) => res.status);
    const sign = (personKey?: string) => signRequest({ terminalId: 'T0001', privateKey: terminalKey.privateKey, method: 'POST', path: '/v1/cases/lookup', body, nowMs: Date.now(), personKey });
    expect(await post(sign(PERSON))).toBe(200);
    expect(await post({ ...sign(), 'x-onevisit-person-key': PERSON })).toBe(401);
    expect(await post({ ...sign(PERSON), 'x-onevisit-person-key': 'd'.repeat(64) })).toBe(401);
    const { ['x-onevisit-person-key']: _removed, ...stripped } = sign(PERSON);
    expect(await post(stripped)).toBe(401);
  }, 60_000);
});

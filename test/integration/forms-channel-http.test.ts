import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ringBucket } from '@onevisit/forms';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../device-agent/src/config.ts';
import { RequestVerifier } from '../../device-agent/src/crypto/request-signing.ts';
import { runIntake } from '../../device-agent/src/intake/main.ts';
import { packagesFolder } from '../../device-agent/src/intake/packages.ts';
import { startIntakeServer, type IntakeServer } from '../../device-agent/src/intake/server.ts';
import { httpChannel } from '../../device-agent/src/services/forms-update/channel-source.ts';
import { forms, FORM_ID, makeOps, makeTerminal, type Ops, type TestTerminal } from '../../device-agent/src/services/forms-update/test-fleet.ts';
import { runCli } from '../../forms/src/cli/main.ts';
import './declared-errors.ts';
import { successPayload } from './client.ts';
import { formsUpdateAgents } from './forms-update-agent.ts';

/**
 * Issue 16 over the back office's HTTP: the real intake serves /v1/packages/ from its folder; ops
 * publish and roll out with `npm run forms -- … --channel http://… --ops-token-file` (the real CLI,
 * real HTTP); terminals' updaters read it through httpChannel, every request signed with their own
 * key and checked by the intake's register. No mocks: only the terminals' clocks and timers are the
 * test's (the updater is polled by hand).
 */

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

interface BackOffice {
  readonly server: IntakeServer;
  readonly base: string;
  readonly outDir: string;
  readonly tokenFile: string;
  readonly keys: Map<string, { privateKey?: KeyObject; publicKey: KeyObject }>;
  /** Registers a terminal id with a new key pair and returns its updater on the HTTP channel. */
  terminal(ops: Ops, id: string, testFill?: TestTerminalFill): Promise<TestTerminal>;
  /** `forms sign` + `forms publish --channel URL --ops-token-file`. */
  publish(ops: Ops, version: string, ring: string): Promise<string[]>;
}
type TestTerminalFill = (version: string) => string | undefined;

async function startBackOffice(opts: { opsToken?: boolean; now?: () => number } = {}): Promise<BackOffice> {
  const outDir = tempDir('onevisit-intake-');
  const tokenFile = path.join(outDir, 'secrets', 'ops.token');
  const made: string[] = [];
  expect(await runIntake(['ops-token', '--out', tokenFile], { out: (l) => made.push(l), err: (l) => made.push(l) })).toBe(0);
  const keys = new Map<string, { privateKey?: KeyObject; publicKey: KeyObject }>();
  const token = readFileSync(tokenFile, 'utf8').trim();
  const server = await startIntakeServer({
    port: 0,
    outDir,
    verifier: new RequestVerifier({ keys: (id) => keys.get(id)?.publicKey, ...(opts.now === undefined ? {} : { now: opts.now }) }),
    ...(opts.opsToken === false ? {} : { opsToken: token }),
  });
  cleanups.push(() => server.close());
  const base = `http://127.0.0.1:${server.port}`;
  return {
    server,
    base,
    outDir,
    tokenFile,
    keys,
    async terminal(ops, id, testFill) {
      const pair = generateKeyPairSync('ed25519');
      keys.set(id, pair);
      return makeTerminal(ops, {
        terminalId: id,
        dataDir: tempDir('onevisit-terminal-'),
        channel: httpChannel({ baseUrl: base, terminalId: id, privateKey: pair.privateKey, now: Date.now }),
        deps: { testFill: (pkg) => Promise.resolve(testFill?.(pkg.definition.version)) },
      });
    },
    async publish(ops, version, ring) {
      const archive = path.join(ops.dir, 'out', `${FORM_ID}-${version}.ovpkg`);
      await forms('sign', ops.packageAt(version), '--key', ops.keyFile, '--out', archive);
      return forms('publish', archive, '--channel', base, '--ops-token-file', tokenFile, '--ring', ring);
    },
  };
}

const agents = formsUpdateAgents();
/** The agents' clock (forms-update-agent.ts): they sign their requests with it, so the intake checks against it. */
const AGENT_NOW = Date.parse('2026-12-04T02:14:00+08:00');

describe('the form-package channel over HTTP (issue 16)', () => {
  it('a whole agent with --forms-channel URL signs with its own key, takes a release ops published over HTTP and reports it', async () => {
    const ops = await makeOps(tempDir('onevisit-ops-'));
    const office = await startBackOffice({ now: () => AGENT_NOW });
    const dataDir = agents.tempDir('onevisit-data-');
    const config: Config = { ...agents.configFor(ops, dataDir), formsChannel: { kind: 'url', url: office.base } };
    const agent = await agents.start(config);
    // Unregistered, the intake refuses it: nothing changes.
    await office.publish(ops, '1.1.0', 'all');
    expect(await agent.updater.pollOnce()).toMatchObject({ ok: false, reason: expect.stringContaining('401 (unknownTerminal)') as unknown });
    // `intake terminals add` with the key the agent made at its start (DATA_DIR/keys/terminal.pub).
    office.keys.set(config.terminalId, { publicKey: createPublicKey(readFileSync(path.join(dataDir, 'keys', 'terminal.pub'), 'utf8')) });
    expect(await agent.updater.pollOnce()).toMatchObject({ ok: true, staged: [`${FORM_ID}@1.1.0`] });
    const { forms: list } = successPayload('Forms.List', await agent.kiosk.send('Forms.List', {}));
    expect(list.find((f) => f.id === FORM_ID)?.version).toBe('1.1.0');
    const status = await run('rollout', 'status', FORM_ID, '--channel', office.base, '--ops-token-file', office.tokenFile);
    expect(status.out).toContain(`running 1.1.0: 1 (${config.terminalId})`);
  });

  it('a fleet of 10 over HTTP: 30% (3) first, two fail, it halts and the third returns; a fix to 10% widened to all; the next rolled back', async () => {
    const ops = await makeOps(tempDir('onevisit-ops-'));
    const office = await startBackOffice();
    const ids = Array.from({ length: 200 }, (_, i) => `T${String(i).padStart(4, '0')}`);
    const ring = ids.filter((id) => ringBucket(id) < 3000).slice(0, 3);
    const rest = ids.filter((id) => ringBucket(id) >= 3000).slice(0, 7);
    const failing = new Set(ring.slice(0, 2));
    const fleet: TestTerminal[] = [];
    for (const id of [...ring, ...rest]) fleet.push(await office.terminal(ops, id, (v) => (failing.has(id) && v === '1.1.0' ? 'textOverflow in field residenceAddress' : undefined)));
    const served = (): (string | undefined)[] => fleet.map((t) => t.catalog.version(FORM_ID));

    expect((await office.publish(ops, '1.1.0', '30%')).join('\n')).toMatch(new RegExp(`^published ${FORM_ID}@1\\.1\\.0 to 30% \\(sha256 [0-9a-f]{8}\\) in ${office.base}$`));
    // The archive and the index sit in the intake's channel folder, as a folder channel would hold them.
    expect(readdirSync(packagesFolder(office.outDir)).sort()).toEqual(['index.json', `${FORM_ID}-1.1.0.ovpkg`]);

    for (const t of [fleet[2], fleet[0], fleet[1], ...fleet.slice(3)]) expect(await t?.updater.pollOnce()).toMatchObject({ ok: true });
    expect(served()).toEqual(['1.0.0', '1.0.0', '1.1.0', ...Array<string>(7).fill('1.0.0')]);
    // Ops read the terminals' reports over HTTP.
    const status = await run('rollout', 'status', FORM_ID, '--channel', office.base, '--ops-token-file', office.tokenFile);
    expect(status.code).toBe(0);
    expect(status.out).toContain(`running 1.1.0: 1 (${ring[2] ?? ''})`);
    for (const id of failing) expect(status.out).toContain(`failed ${id} 1.1.0: testFillFailed: textOverflow in field residenceAddress`);
    expect(status.out).toContain('pending: 0');
    // The intake wrote the halt into the index as the second failure came, so it outlives the reports.
    expect(status.out).toMatch(new RegExp(`^${FORM_ID}@1\\.1\\.0 withdrawn ring 30% `, 'm'));

    // The healthy one reads it at its next poll and goes back.
    await fleet[2]?.updater.pollOnce();
    expect(served()).toEqual(Array<string>(10).fill('1.0.0'));

    // A fixed release to 10%, watched, then widened to all: the same terminals first, then the rest.
    await office.publish(ops, '1.2.0', '10%');
    for (const t of fleet) await t.updater.pollOnce();
    const inTen = [...ring, ...rest].map((id) => ringBucket(id) < 1000);
    expect(served()).toEqual(inTen.map((inside) => (inside ? '1.2.0' : '1.0.0')));
    const ops10 = ['--channel', office.base, '--ops-token-file', office.tokenFile];
    expect((await run('rollout', 'widen', FORM_ID, '--ring', 'all', ...ops10)).out).toBe(`${FORM_ID}@1.2.0: rolling ring all`);
    for (const t of fleet) await t.updater.pollOnce();
    expect(served()).toEqual(Array<string>(10).fill('1.2.0'));
    expect((await run('rollout', 'status', FORM_ID, ...ops10)).out).toContain('running 1.2.0: 10 (');
    expect((await run('rollout', 'widen', FORM_ID, '--ring', '10%', ...ops10)).err).toContain('does not hold every terminal of all');

    // The next release goes to all, then ops roll it back over HTTP: every terminal returns to its kept 1.2.0.
    await office.publish(ops, '1.3.0', 'all');
    for (const t of fleet) await t.updater.pollOnce();
    expect(served()).toEqual(Array<string>(10).fill('1.3.0'));
    expect((await run('rollout', 'rollback', FORM_ID, ...ops10)).out).toBe(`${FORM_ID}@1.3.0: withdrawn`);
    for (const t of fleet) await t.updater.pollOnce();
    expect(served()).toEqual(Array<string>(10).fill('1.2.0'));
    expect((await run('rollout', 'status', FORM_ID, ...ops10)).out).toMatch(/rolled back: 10 \(/);
  });

  it('who may do what: ops need the token, terminals their registered key and their own report; names cannot leave the folder', async () => {
    const ops = await makeOps(tempDir('onevisit-ops-'));
    const office = await startBackOffice();
    const archive = path.join(ops.dir, 'out', 'p.ovpkg');
    await forms('sign', ops.packageAt('1.1.0'), '--key', ops.keyFile, '--out', archive);

    expect((await run('publish', archive, '--channel', office.base)).code).toBe(2); // no --ops-token-file
    const wrong = path.join(ops.dir, 'wrong.token');
    writeFileSync(wrong, `${'x'.repeat(40)}\n`);
    const refused = await run('publish', archive, '--channel', office.base, '--ops-token-file', wrong);
    expect(refused).toMatchObject({ code: 1 });
    expect(refused.err).toContain('the ops token is wrong');
    const short = path.join(ops.dir, 'short.token');
    writeFileSync(short, 'abc\n');
    expect((await run('publish', archive, '--channel', office.base, '--ops-token-file', short)).err).toContain('not an ops token');
    expect((await run('publish', archive, '--channel', office.base, '--ops-token-file', office.tokenFile, '--ring', 'all', '--halt-after', 'x')).code).toBe(2);
    expect((await run('publish', archive, '--channel', office.base, '--ops-token-file', office.tokenFile, '--ring', 'all', '--halt-after', '3')).code).toBe(0);
    // The same refusals as a folder channel.
    expect((await run('publish', archive, '--channel', office.base, '--ops-token-file', office.tokenFile)).err).toContain('REFUSED notNewer');
    expect((await run('rollout', 'rollback', FORM_ID, '--channel', office.base, '--ops-token-file', office.tokenFile)).err).toContain('no earlier release');
    expect((await run('rollout', 'status', 'other-form', '--channel', office.base, '--ops-token-file', office.tokenFile)).code).toBe(1);

    // Unsigned reads and reads by an unregistered terminal are refused; a terminal writes only its own report.
    expect((await fetch(`${office.base}/v1/packages/index`)).status).toBe(401);
    const stranger = httpChannel({ baseUrl: office.base, terminalId: 'T9999', privateKey: generateKeyPairSync('ed25519').privateKey, now: Date.now });
    expect(await stranger.readIndex()).toMatchObject({ ok: false, reason: expect.stringContaining('401 (unknownTerminal)') as unknown });
    const terminal = await office.terminal(ops, 'T0001');
    const own = httpChannel({ baseUrl: office.base, terminalId: 'T0001', privateKey: office.keys.get('T0001')?.privateKey ?? generateKeyPairSync('ed25519').privateKey, now: Date.now });
    await expect(own.writeReport({ terminalId: 'T0001', at: new Date().toISOString(), forms: {} })).resolves.toBeUndefined();
    // The release keeps the halt limit ops gave it (--halt-after 3): terminals and the intake read it from the index.
    expect(await own.readIndex()).toMatchObject({ ok: true, value: { forms: { [FORM_ID]: { releases: [expect.objectContaining({ version: '1.1.0', haltAfterFailures: 3 })] } } } });
    const impostor = httpChannel({ baseUrl: office.base, terminalId: 'T0001', privateKey: office.keys.get('T0001')?.privateKey ?? generateKeyPairSync('ed25519').privateKey, now: Date.now });
    await expect(impostor.writeReport({ terminalId: 'T0002', at: new Date().toISOString(), forms: {} })).rejects.toThrow(/403 \(wrongTerminal\)/);
    // Terminals cannot change the channel, even signed.
    expect((await fetch(`${office.base}/v1/packages/rollout/${FORM_ID}/halt`, { method: 'POST' })).status).toBe(401);
    // Archive names cannot leave the channel folder.
    expect((await fetch(`${office.base}/v1/packages/archives/..%2Findex.json`, { headers: { Authorization: `Bearer ${readFileSync(office.tokenFile, 'utf8').trim()}` } })).status).toBe(404);
    expect(await own.fetchArchive('../index.json', 1024)).toEqual({ ok: false, reason: 'the index names an unsafe file' });
    // An answer over the limit is refused before it is all read.
    expect(await own.fetchArchive(`${FORM_ID}-1.1.0.ovpkg`, 1024)).toMatchObject({ ok: false, reason: expect.stringContaining('larger than 1024 bytes') as unknown });

    // The same verification path as a folder: bytes changed on the intake are refused, the old version stays.
    writeFileSync(path.join(packagesFolder(office.outDir), `${FORM_ID}-1.1.0.ovpkg`), 'not the signed archive');
    const outcome = await terminal.updater.pollOnce();
    expect(outcome.refused.map((r) => r.reason)).toEqual([expect.stringMatching(/^downloadCorrupt/) as unknown]);
    expect(terminal.catalog.version(FORM_ID)).toBe('1.0.0');
  });

  it('an intake without --ops-token-file serves the channel read-only', async () => {
    const ops = await makeOps(tempDir('onevisit-ops-'));
    const office = await startBackOffice({ opsToken: false });
    const archive = path.join(ops.dir, 'out', 'p.ovpkg');
    await forms('sign', ops.packageAt('1.1.0'), '--key', ops.keyFile, '--out', archive);
    const refused = await run('publish', archive, '--channel', office.base, '--ops-token-file', office.tokenFile);
    expect(refused.err).toContain('the ops token is wrong or the intake has no --ops-token-file');
    const terminal = await office.terminal(ops, 'T0001');
    expect(await terminal.updater.pollOnce()).toMatchObject({ ok: true, staged: [] });
  });
});

/**
 * Terminal authentication over real HTTP (issue 15): the terminal's HttpTarget signs, the intake
 * server verifies against its register; unsigned, unknown-terminal, replayed, stale and tampered
 * requests are refused and nothing is stored.
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { loadOrCreateTerminalKey, RequestVerifier, SIGNATURE_HEADERS, signRequest } from '../crypto/request-signing.ts';
import { HttpTarget } from '../outbox/delivery.ts';
import { Outbox } from '../outbox/outbox.ts';
import { citizenSubmission, makeKeys, openTestStore, tempDir } from '../outbox/testing/fixtures.ts';
import { intakeCli } from './testing/intake-cli.ts';
import { startIntakeServer, type IntakeServer } from './server.ts';
import { hasTerminalRegister, terminalKeys } from './terminals.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const cli = intakeCli;

type Setup = { intake: IntakeServer; outDir: string; dataDir: string; blob: Buffer; reference: string; now: { ms: number } };

/** A terminal T0001 with its key made at first start, registered through the command, and one sealed submission. */
async function setup(): Promise<Setup> {
  const store = openTestStore();
  cleanup.push(() => store.close());
  const dataDir = store.dataDir;
  const key = loadOrCreateTerminalKey(dataDir);
  expect(key.publicKey.asymmetricKeyType).toBe('ed25519');
  const outDir = tempDir('onevisit-intake-');
  const added = await cli(['terminals', 'add', '--id', 'T0001', '--key', path.join(dataDir, 'keys', 'terminal.pub'), '--out', outDir]);
  expect(added.code).toBe(0);
  const now = { ms: Date.parse('2026-01-23T18:30:00Z') };
  const intake = await startIntakeServer({ port: 0, outDir, verifier: new RequestVerifier({ keys: terminalKeys(outDir), now: () => now.ms }) });
  cleanup.push(() => intake.close());
  const outbox = new Outbox({ db: store.db, dataDir, clock: new ManualClock(now.ms), terminalId: 'T0001', keys: [makeKeys().pub], freeBytes: () => 1e12 });
  const r = outbox.accept(citizenSubmission('auth-0001-xxxx'));
  if (!r.ok) throw new Error('accept');
  return { intake, outDir, dataDir, blob: outbox.blob(r.reference) ?? Buffer.alloc(0), reference: r.reference, now };
}

function target(s: Setup, terminalId = 'T0001', privateKey = loadOrCreateTerminalKey(s.dataDir).privateKey): HttpTarget {
  return new HttpTarget({ url: s.intake.url, signer: { terminalId, privateKey, now: () => s.now.ms } });
}

async function post(s: Setup, headers: Record<string, string>, body: Buffer): Promise<{ status: number; error: unknown }> {
  const response = await fetch(s.intake.url, { method: 'POST', headers: { 'Idempotency-Key': s.reference, ...headers }, body: Uint8Array.from(body) });
  const json = (await response.json()) as { error?: unknown };
  return { status: response.status, error: json.error };
}

function stored(s: Setup): string[] {
  return readdirSync(s.outDir).filter((f) => f.endsWith('.ovsl'));
}

describe('terminal authentication (Ed25519-signed requests)', () => {
  it('makes the key pair once at DATA_DIR/keys (PEM, 0600) and keeps it across starts', () => {
    const dir = tempDir();
    const first = loadOrCreateTerminalKey(dir);
    const again = loadOrCreateTerminalKey(dir);
    expect(again.publicPem).toBe(first.publicPem);
    for (const name of ['terminal.key', 'terminal.pub']) {
      expect(statSync(path.join(dir, 'keys', name)).mode & 0o777).toBe(0o600);
    }
    expect(readFileSync(path.join(dir, 'keys', 'terminal.key'), 'utf8')).toMatch(/BEGIN PRIVATE KEY/);
    expect(readFileSync(path.join(dir, 'keys', 'terminal.pub'), 'utf8')).toMatch(/BEGIN PUBLIC KEY/);
  });

  it('a registered terminal delivers; the same signed request sent again is a replay', async () => {
    const s = await setup();
    expect(await target(s).deliver(s.reference, s.blob, new AbortController().signal)).toEqual({ kind: 'delivered', httpStatus: 201 });
    expect(stored(s)).toEqual([`${s.reference}.ovsl`]);
    const headers = signRequest({ terminalId: 'T0001', privateKey: loadOrCreateTerminalKey(s.dataDir).privateKey, method: 'POST', path: '/intake', body: s.blob, nowMs: s.now.ms });
    expect((await post(s, headers, s.blob)).status).toBe(200);
    expect(await post(s, headers, s.blob)).toEqual({ status: 401, error: 'replayed' });
  });

  it('refuses unsigned, unknown-terminal, wrong-key, stale and tampered requests, and stores nothing', async () => {
    const s = await setup();
    const own = loadOrCreateTerminalKey(s.dataDir).privateKey;
    const sign = (over: Partial<Parameters<typeof signRequest>[0]> = {}): Record<string, string> =>
      signRequest({ terminalId: 'T0001', privateKey: own, method: 'POST', path: '/intake', body: s.blob, nowMs: s.now.ms, ...over });

    expect(await post(s, {}, s.blob)).toEqual({ status: 401, error: 'unsigned' });
    expect(await post(s, sign({ terminalId: 'T0009' }), s.blob)).toEqual({ status: 401, error: 'unknownTerminal' });
    // Someone else's key claiming to be T0001.
    expect(await post(s, sign({ privateKey: generateKeyPairSync('ed25519').privateKey }), s.blob)).toEqual({ status: 401, error: 'badSignature' });
    // Signed six minutes ago (a late replay or a wrong clock).
    expect(await post(s, sign({ nowMs: s.now.ms - 6 * 60_000 }), s.blob)).toEqual({ status: 401, error: 'outsideWindow' });
    // The body changed after signing (the header's hash then lies, or is changed too).
    const tampered = Buffer.from(s.blob);
    tampered[tampered.byteLength - 1] = (tampered[tampered.byteLength - 1] ?? 0) ^ 1;
    expect(await post(s, sign(), tampered)).toEqual({ status: 401, error: 'badSignature' });
    const lying = { ...sign(), [SIGNATURE_HEADERS.contentSha256]: 'a'.repeat(64) };
    expect(await post(s, lying, s.blob)).toEqual({ status: 401, error: 'badSignature' });
    // Signed for another path, or another method.
    expect(await post(s, sign({ path: '/other' }), s.blob)).toEqual({ status: 401, error: 'badSignature' });
    expect(await post(s, sign({ method: 'PUT' }), s.blob)).toEqual({ status: 401, error: 'badSignature' });
    expect(stored(s)).toEqual([]);
  });

  it('an intake started before any terminal is registered refuses unsigned requests from the first terminals add on, without a restart', async () => {
    const s = await setup();
    const outDir = tempDir('onevisit-intake-empty-');
    // As `intake serve` wires it: the register is asked on every unsigned request.
    const intake = await startIntakeServer({ port: 0, outDir, verifier: new RequestVerifier({ keys: terminalKeys(outDir), now: () => s.now.ms, required: () => hasTerminalRegister(outDir) }) });
    cleanup.push(() => intake.close());
    const send = async (): Promise<{ status: number; error: unknown }> => post({ ...s, intake }, {}, s.blob);
    expect((await send()).status).toBeLessThan(300);
    expect((await cli(['terminals', 'add', '--id', 'T0001', '--key', path.join(s.dataDir, 'keys', 'terminal.pub'), '--out', outDir])).code).toBe(0);
    expect(await send()).toEqual({ status: 401, error: 'unsigned' });
    // The registered terminal's signed request still goes through.
    const signed = signRequest({ terminalId: 'T0001', privateKey: loadOrCreateTerminalKey(s.dataDir).privateKey, method: 'POST', path: '/intake', body: s.blob, nowMs: s.now.ms });
    expect((await post({ ...s, intake }, signed, s.blob)).status).toBeLessThan(300);
  });

  it('a terminal cannot deliver another terminal’s submission; an unregistered terminal is retried, not dead-lettered', async () => {
    const s = await setup();
    const other = tempDir();
    const t2 = loadOrCreateTerminalKey(other);
    expect((await cli(['terminals', 'add', '--id', 'T0002', '--key', path.join(other, 'keys', 'terminal.pub'), '--out', s.outDir])).code).toBe(0);
    expect(await target(s, 'T0002', t2.privateKey).deliver(s.reference, s.blob, new AbortController().signal)).toEqual({ kind: 'rejected', errorCode: 'http403', httpStatus: 403 });
    expect(await target(s, 'T0003', t2.privateKey).deliver(s.reference, s.blob, new AbortController().signal)).toEqual({ kind: 'retry', errorCode: 'http401', httpStatus: 401 });
    expect(stored(s)).toEqual([]);
  });

  it('terminals add refuses a key that is not Ed25519 and a bad id', async () => {
    const dir = tempDir();
    const x25519 = path.join(dir, 'x.pub');
    writeFileSync(x25519, makeKeys().publicPem);
    const outDir = tempDir();
    expect((await cli(['terminals', 'add', '--id', 'T0001', '--key', x25519, '--out', outDir])).code).toBe(1);
    const good = loadOrCreateTerminalKey(dir);
    writeFileSync(path.join(dir, 'good.pub'), good.publicPem);
    expect((await cli(['terminals', 'add', '--id', '../T0001', '--key', path.join(dir, 'good.pub'), '--out', outDir])).code).toBe(1);
    expect(existsSync(path.join(outDir, 'terminals', 'T0001.pub'))).toBe(false);
    expect((await cli(['terminals', 'add', '--id', 'T0001', '--out', outDir])).code).toBe(2);
  });
});

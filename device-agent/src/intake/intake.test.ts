import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { parsePublicKeys, seal } from '../crypto/seal.ts';
import { Outbox } from '../outbox/outbox.ts';
import { citizenSubmission, fakePdf, openTestStore, TEST_CITIZEN, tempDir, tinyPng } from '../outbox/testing/fixtures.ts';
import { runIntake } from './main.ts';
import { startIntakeServer } from './server.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runIntake(args, { out: (s) => (out += `${s}\n`), err: (s) => (err += `${s}\n`) });
  return { code, out, err };
}

/** keygen through the command, then a terminal outbox sealing to the generated key, delivering into a folder. */
async function sealedFolder(n: number): Promise<{ keyDir: string; inDir: string; refs: string[] }> {
  const keyDir = path.join(tempDir(), 'keys');
  expect((await cli(['keygen', '--out', keyDir])).code).toBe(0);
  const pub = parsePublicKeys(readFileSync(path.join(keyDir, 'backoffice.pub'), 'utf8'));
  const store = openTestStore();
  cleanup.push(() => store.close());
  const outbox = new Outbox({ db: store.db, dataDir: store.dataDir, clock: new ManualClock(Date.parse('2026-01-23T18:30:00Z')), terminalId: 'T0001', keys: pub, freeBytes: () => 1e12 });
  const inDir = tempDir('onevisit-in-');
  const refs: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const r = outbox.accept(citizenSubmission(`intake-${i}-xxxx`));
    if (!r.ok) throw new Error('accept');
    refs.push(r.reference);
    writeFileSync(path.join(inDir, `${r.reference}.ovsl`), outbox.blob(r.reference) ?? Buffer.alloc(0));
  }
  return { keyDir, inDir, refs };
}

describe('npm run intake -- keygen / open', () => {
  it('keygen writes the two PEM files and will not overwrite them', async () => {
    const dir = path.join(tempDir(), 'k');
    expect((await cli(['keygen', '--out', dir])).code).toBe(0);
    expect(readFileSync(path.join(dir, 'backoffice.pub'), 'utf8')).toMatch(/BEGIN PUBLIC KEY/);
    expect(readFileSync(path.join(dir, 'backoffice.key'), 'utf8')).toMatch(/BEGIN PRIVATE KEY/);
    expect((await cli(['keygen', '--out', dir])).code).toBe(1);
  });

  it('opens every submission into a folder named by its reference', async () => {
    const { keyDir, inDir, refs } = await sealedFolder(2);
    const out = path.join(tempDir(), 'opened');
    const r = await cli(['open', inDir, '--key', path.join(keyDir, 'backoffice.key'), '--out', out]);
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual([...refs].sort());
    const folder = path.join(out, refs[0] ?? '');
    expect(readdirSync(folder).sort()).toEqual(['answers.json', 'application.pdf', 'meta.json', 'scan-01.png', 'signature.png']);
    expect(JSON.parse(readFileSync(path.join(folder, 'answers.json'), 'utf8'))).toMatchObject({ name: TEST_CITIZEN.name, idNumber: TEST_CITIZEN.idNumber });
    expect(readFileSync(path.join(folder, 'application.pdf')).equals(fakePdf())).toBe(true);
    expect(readFileSync(path.join(folder, 'signature.png')).equals(tinyPng())).toBe(true);
    expect(JSON.parse(readFileSync(path.join(folder, 'meta.json'), 'utf8'))).toMatchObject({ reference: refs[0], formId: 'residence-permit', formVersion: '1.2.0', terminalId: 'T0001' });
    // A single file works too, and opening again is harmless.
    const again = await cli(['open', path.join(inDir, `${refs[0] ?? ''}.ovsl`), '--key', path.join(keyDir, 'backoffice.key'), '--out', out]);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/already opened/);
  });

  it('opens format-1 blobs sealed before the HPKE upgrade next to format-2 ones (issue 15)', async () => {
    const { keyDir, inDir, refs } = await sealedFolder(1);
    const fixtures = path.join(import.meta.dirname, '..', 'crypto', 'testing');
    writeFileSync(path.join(inDir, 'T0001-260123-0042-8.ovsl'), readFileSync(path.join(fixtures, 'T0001-260123-0042-8.ovsl')));
    // The back office keeps its old private key next to the new one.
    const keyFile = path.join(keyDir, 'both.key');
    writeFileSync(keyFile, `${readFileSync(path.join(keyDir, 'backoffice.key'), 'utf8')}\n${readFileSync(path.join(fixtures, 'format-1.key'), 'utf8')}`);
    const out = path.join(tempDir(), 'opened');
    const r = await cli(['open', inDir, '--key', keyFile, '--out', out]);
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual([...refs, 'T0001-260123-0042-8'].sort());
    expect(readFileSync(path.join(out, 'T0001-260123-0042-8', 'application.pdf'), 'utf8')).toBe('%PDF-1.7 format-1 fixture');
  });

  it('refuses tampered ones with a clear error and exit 1, and still opens the good ones', async () => {
    const { keyDir, inDir, refs } = await sealedFolder(3);
    const [good, flipped, renamed] = refs;
    const flippedFile = path.join(inDir, `${flipped ?? ''}.ovsl`);
    const bytes = readFileSync(flippedFile);
    bytes[bytes.length - 40] = (bytes[bytes.length - 40] ?? 0) ^ 0xff;
    writeFileSync(flippedFile, bytes);
    // Metadata tampering: the file claims another reference than the sealed one.
    const renamedBytes = readFileSync(path.join(inDir, `${renamed ?? ''}.ovsl`));
    writeFileSync(path.join(inDir, 'T0001-260124-9999-X.ovsl'), renamedBytes);
    const out = path.join(tempDir(), 'opened');
    const r = await cli(['open', inDir, '--key', path.join(keyDir, 'backoffice.key'), '--out', out]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`REFUSED .*${flipped ?? ''}\\.ovsl: tampered`));
    expect(r.err).toMatch(/REFUSED .*T0001-260124-9999-X\.ovsl: tampered: the file name does not match/);
    expect(existsSync(path.join(out, good ?? ''))).toBe(true);
    expect(existsSync(path.join(out, renamed ?? ''))).toBe(true);
    expect(existsSync(path.join(out, flipped ?? ''))).toBe(false);
    expect(readdirSync(out).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('refuses a submission sealed to a key it does not have', async () => {
    const { inDir } = await sealedFolder(1);
    const otherKeys = path.join(tempDir(), 'other');
    await cli(['keygen', '--out', otherKeys]);
    const r = await cli(['open', inDir, '--key', path.join(otherKeys, 'backoffice.key'), '--out', path.join(tempDir(), 'o')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/unknownKey/);
  });

  it('prints usage and exits 2 on a bad command line', async () => {
    expect((await cli(['open'])).code).toBe(2);
    expect((await cli(['nonsense'])).code).toBe(2);
  });
});

describe('intake server', () => {
  it('stores once per Idempotency-Key: 201, then 200 for the same bytes, 409 for other bytes; 400 for mismatches', async () => {
    const { inDir, refs, keyDir } = await sealedFolder(2);
    const { loadPrivateKeys } = await import('./open.ts');
    const outDir = tempDir('onevisit-served-');
    const server = await startIntakeServer({ port: 0, outDir, privateKeys: await loadPrivateKeys([path.join(keyDir, 'backoffice.key')]) });
    cleanup.push(() => server.close());
    const [a = '', b = ''] = refs;
    const blobA = readFileSync(path.join(inDir, `${a}.ovsl`));
    const blobB = readFileSync(path.join(inDir, `${b}.ovsl`));
    const post = (key: string | undefined, body: Buffer) =>
      fetch(server.url, { method: 'POST', headers: key === undefined ? {} : { 'Idempotency-Key': key }, body: Uint8Array.from(body) }).then((r) => r.status);
    expect(await post(a, blobA)).toBe(201);
    expect(await post(a, blobA)).toBe(200);
    expect(await post(undefined, blobA)).toBe(400);
    expect(await post(b, blobA)).toBe(400); // the sealed reference is not the key
    const tampered = Buffer.from(blobB);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    expect(await post(b, tampered)).toBe(400);
    expect(await Promise.all([post(b, blobB), post(b, blobB), post(b, blobB)])).toEqual(expect.arrayContaining([201, 200, 200]));
    // Other (validly sealed) bytes under a known key: conflict.
    const pubs = parsePublicKeys(readFileSync(path.join(keyDir, 'backoffice.pub'), 'utf8'));
    const pub = pubs[0];
    if (!pub) throw new Error('no key');
    const other = seal(pub, { reference: a, formId: 'f', formVersion: '1', terminalId: 'T0001', createdAt: new Date().toISOString() }, { answers: {}, parts: [] });
    expect(await post(a, other)).toBe(409);
    expect(readdirSync(outDir).filter((n) => n.endsWith('.ovsl')).sort()).toEqual([a, b].map((r) => `${r}.ovsl`).sort());
  });
});

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { seal, type SealMetadata } from '../../device-agent/src/crypto/seal.ts';
import { runIntake } from '../../device-agent/src/intake/main.ts';
import { startIntakeServer } from '../../device-agent/src/intake/server.ts';
import { FolderTarget, HttpTarget, sealedFileName, sealedSha256 } from '../../device-agent/src/outbox/delivery.ts';
import { formatReference, nextReadableSequence } from '../../device-agent/src/outbox/reference.ts';
import { makeKeys, tempDir } from '../../device-agent/src/outbox/testing/fixtures.ts';

/** Issue 11: a 409 from the intake is not "delivered"; a forged or colliding file never hides a genuine one. */

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

const keys = makeKeys();
const REFERENCE = formatReference('T0001', '260123', nextReadableSequence('T0001', '260123', 0));

function sealed(reference: string, answers: Record<string, string>, terminalId = 'T0001'): Buffer {
  const metadata: SealMetadata = { reference, formId: 'f', formVersion: '1', terminalId, createdAt: '2026-01-23T10:00:00.000Z' };
  return seal(keys.pub, metadata, { answers, parts: [] });
}

async function intake(): Promise<{ url: string; outDir: string }> {
  const outDir = tempDir('onevisit-intake-');
  const server = await startIntakeServer({ port: 0, outDir, privateKeys: [keys.priv] });
  cleanup.push(() => server.close());
  return { url: server.url, outDir };
}

describe('delivery over HTTP', () => {
  it('dead-letters a submission when the intake already holds a forgery under its reference', async () => {
    const { url, outDir } = await intake();
    const forged = sealed(REFERENCE, { name: 'forged' });
    const genuine = sealed(REFERENCE, { name: 'genuine' });
    const target = new HttpTarget({ url });
    expect(await target.deliver(REFERENCE, forged, new AbortController().signal)).toMatchObject({ kind: 'delivered', httpStatus: 201 });
    expect(await target.deliver(REFERENCE, genuine, new AbortController().signal)).toMatchObject({ kind: 'rejected', errorCode: 'intakeConflict', httpStatus: 409 });
    // A redelivery of the same bytes is still a delivery.
    expect(await target.deliver(REFERENCE, forged, new AbortController().signal)).toMatchObject({ kind: 'delivered', httpStatus: 200 });
    expect(readFileSync(path.join(outDir, sealedFileName(REFERENCE))).equals(forged)).toBe(true);
  });

  it('counts a 409 as delivered only when it names the SHA-256 of our bytes', async () => {
    const blob = sealed(REFERENCE, { name: 'x' });
    const answering = (body: Record<string, unknown>): typeof fetch => () => Promise.resolve(new Response(JSON.stringify(body), { status: 409 }));
    const signal = new AbortController().signal;
    expect(await new HttpTarget({ url: 'http://intake.invalid/', fetch: answering({ sha256: sealedSha256(blob) }) }).deliver(REFERENCE, blob, signal)).toMatchObject({ kind: 'delivered' });
    expect(await new HttpTarget({ url: 'http://intake.invalid/', fetch: answering({ status: 'conflict' }) }).deliver(REFERENCE, blob, signal)).toMatchObject({ kind: 'rejected' });
  });

  it('the intake refuses a file whose sealed terminal id is not the one in its reference', async () => {
    const { url } = await intake();
    const target = new HttpTarget({ url });
    expect(await target.deliver(REFERENCE, sealed(REFERENCE, {}, 'T0002'), new AbortController().signal)).toMatchObject({ kind: 'rejected', httpStatus: 400 });
  });
});

describe('delivery into a folder', () => {
  it('never replaces a file already there with other bytes', async () => {
    const dir = tempDir('onevisit-folder-');
    const forged = sealed(REFERENCE, { name: 'forged' });
    const genuine = sealed(REFERENCE, { name: 'genuine' });
    writeFileSync(path.join(dir, sealedFileName(REFERENCE)), forged);
    const target = new FolderTarget(dir);
    expect(await target.deliver(REFERENCE, genuine)).toMatchObject({ kind: 'rejected', errorCode: 'intakeConflict' });
    expect(readFileSync(path.join(dir, sealedFileName(REFERENCE))).equals(forged)).toBe(true);
    expect(await target.deliver(REFERENCE, forged)).toMatchObject({ kind: 'delivered' });
  });
});

describe('intake open', () => {
  async function open(input: string, out: string): Promise<{ code: number; err: string }> {
    const keyFile = path.join(tempDir('onevisit-key-'), 'backoffice.key');
    writeFileSync(keyFile, keys.privatePem);
    let err = '';
    const code = await runIntake(['open', input, '--key', keyFile, '--out', out], { out: () => undefined, err: (s) => (err += `${s}\n`) });
    return { code, err };
  }

  it('reports a conflicting second file for an opened reference as an error', async () => {
    const out = tempDir('onevisit-opened-');
    const first = tempDir('onevisit-in-');
    const second = tempDir('onevisit-in-');
    writeFileSync(path.join(first, sealedFileName(REFERENCE)), sealed(REFERENCE, { name: 'one' }));
    writeFileSync(path.join(second, sealedFileName(REFERENCE)), sealed(REFERENCE, { name: 'two' }));
    expect((await open(first, out)).code).toBe(0);
    expect((await open(first, out)).code).toBe(0); // the same file again: already opened
    const conflict = await open(second, out);
    expect(conflict.code).toBe(1);
    expect(conflict.err).toContain('conflict');
  });

  it('skips a FIFO instead of hanging on it', async () => {
    const input = tempDir('onevisit-in-');
    const fifo = path.join(input, sealedFileName(REFERENCE));
    execFileSync('mkfifo', [fifo]);
    expect(existsSync(fifo)).toBe(true);
    const result = await open(input, tempDir('onevisit-opened-'));
    expect(result.code).toBe(1);
    expect(result.err).toContain('notAFile');
  });
});

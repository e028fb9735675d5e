import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyId, openSealed, parseEnvelope, parsePrivateKeys, parsePublicKeys, seal, SEAL_HPKE_INFO, SealError, type SealMetadata } from './seal.ts';
import { hpkeLibrary } from './testing/hpke-library.ts';
import { makeKeys, tinyPng, TEST_CITIZEN } from '../outbox/testing/fixtures.ts';

const meta: SealMetadata = {
  reference: 'T0001-260123-0042-K',
  formId: 'residence-permit',
  formVersion: '1.2.0',
  terminalId: 'T0001',
  createdAt: '2026-01-23T02:14:05.000Z',
};
const content = {
  answers: { ...TEST_CITIZEN },
  parts: [
    { name: 'application.pdf', mediaType: 'application/pdf', bytes: Buffer.from('%PDF-1.7 test') },
    { name: 'signature.png', mediaType: 'image/png', bytes: tinyPng() },
  ],
};

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof SealError) return error.code;
    throw error;
  }
  return 'opened';
}

/** Rewrites the header JSON (and its length) of an envelope: a forged metadata change. */
function withHeader(blob: Buffer, change: (h: Record<string, unknown>) => void): Buffer {
  const { header, aad } = parseEnvelope(blob);
  const h: Record<string, unknown> = { ...header };
  change(h);
  const json = Buffer.from(JSON.stringify(h), 'utf8');
  const prefix = Buffer.from(aad.subarray(0, 9));
  prefix.writeUInt32BE(json.byteLength, 5);
  return Buffer.concat([prefix, json, blob.subarray(aad.byteLength)]);
}

describe('seal', () => {
  it('round-trips answers and parts, with the metadata in the header', () => {
    const keys = makeKeys();
    const blob = seal(keys.pub, meta, content);
    const opened = openSealed(blob, [keys.priv]);
    expect(opened.header).toMatchObject({ ...meta, kid: keys.pub.kid });
    expect(opened.content.answers).toEqual(content.answers);
    expect(opened.content.parts.map((p) => p.name)).toEqual(['application.pdf', 'signature.png']);
    expect(Buffer.from(opened.content.parts[1]?.bytes ?? []).equals(tinyPng())).toBe(true);
  });

  it('keeps nothing personal readable in the blob', () => {
    const keys = makeKeys();
    const blob = seal(keys.pub, meta, content);
    for (const value of Object.values(TEST_CITIZEN)) {
      expect(blob.includes(Buffer.from(value, 'utf8'))).toBe(false);
      expect(blob.includes(Buffer.from(value, 'utf16le'))).toBe(false);
    }
  });

  it('uses a fresh ephemeral key each time', () => {
    const keys = makeKeys();
    expect(parseEnvelope(seal(keys.pub, meta, content)).header.epk).not.toBe(parseEnvelope(seal(keys.pub, meta, content)).header.epk);
  });

  it('detects a flipped byte anywhere in the ciphertext or tag', () => {
    const keys = makeKeys();
    const blob = seal(keys.pub, meta, content);
    const { aad } = parseEnvelope(blob);
    for (const at of [aad.byteLength, aad.byteLength + 10, blob.byteLength - 20, blob.byteLength - 1]) {
      const bad = Buffer.from(blob);
      bad[at] = (bad[at] ?? 0) ^ 0x01;
      expect(codeOf(() => openSealed(bad, [keys.priv]))).toBe('tampered');
    }
  });

  it('detects changed metadata (reference, form version, terminal, time) in the authenticated header', () => {
    const keys = makeKeys();
    const blob = seal(keys.pub, meta, content);
    expect(codeOf(() => openSealed(withHeader(blob, (h) => (h.reference = 'T0001-260123-0043-7')), [keys.priv]))).toBe('tampered');
    expect(codeOf(() => openSealed(withHeader(blob, (h) => (h.formVersion = '9.9.9')), [keys.priv]))).toBe('tampered');
    expect(codeOf(() => openSealed(withHeader(blob, (h) => (h.terminalId = 'T0002')), [keys.priv]))).toBe('tampered');
    expect(codeOf(() => openSealed(withHeader(blob, (h) => (h.createdAt = '2026-01-24T02:14:05.000Z')), [keys.priv]))).toBe('tampered');
    // Same header, reformatted (whitespace): still a different AAD.
    const { header, aad } = parseEnvelope(blob);
    const spaced = Buffer.from(JSON.stringify(header, null, 1), 'utf8');
    const prefix = Buffer.from(aad.subarray(0, 9));
    prefix.writeUInt32BE(spaced.byteLength, 5);
    expect(codeOf(() => openSealed(Buffer.concat([prefix, spaced, blob.subarray(aad.byteLength)]), [keys.priv]))).toBe('tampered');
  });

  it('refuses truncated and foreign bytes', () => {
    const keys = makeKeys();
    const blob = seal(keys.pub, meta, content);
    expect(codeOf(() => openSealed(blob.subarray(0, 30), [keys.priv]))).toBe('malformed');
    expect(codeOf(() => openSealed(Buffer.from('%PDF-1.7 not sealed at all'), [keys.priv]))).toBe('malformed');
    expect(codeOf(() => openSealed(blob.subarray(0, blob.byteLength - 5), [keys.priv]))).toBe('tampered');
  });

  it('names its key: another key cannot open it, and after a rotation old blobs open with the old key', () => {
    const oldKeys = makeKeys();
    const newKeys = makeKeys();
    const oldBlob = seal(oldKeys.pub, meta, content);
    // A terminal config listing the new key first seals to the new one.
    const ring = parsePublicKeys(`${newKeys.publicPem}\n${oldKeys.publicPem}`);
    expect(ring.map((k) => k.kid)).toEqual([newKeys.pub.kid, oldKeys.pub.kid]);
    const newBlob = seal(ring[0] ?? newKeys.pub, meta, content);
    expect(parseEnvelope(newBlob).header.kid).toBe(keyId(newKeys.pub.key));
    expect(codeOf(() => openSealed(oldBlob, [newKeys.priv]))).toBe('unknownKey');
    expect(openSealed(oldBlob, [newKeys.priv, oldKeys.priv]).header.kid).toBe(oldKeys.pub.kid);
    expect(openSealed(newBlob, [newKeys.priv, oldKeys.priv]).header.kid).toBe(newKeys.pub.kid);
    // Forging the key id to another known key does not help either.
    expect(codeOf(() => openSealed(withHeader(oldBlob, (h) => (h.kid = newKeys.pub.kid)), [newKeys.priv, oldKeys.priv]))).toBe('tampered');
  });
});

describe('sealing by the standard (RFC 9180 HPKE, issue 15)', () => {
  it('an independent HPKE library (@hpke/core) opens a sealed submission with only the suite, the info and the aad the README gives', async () => {
    const keys = makeKeys();
    const blob = seal(keys.pub, meta, content);
    // What a back office in another language does: envelope bytes 0..9+N are the aad, the header's epk is enc.
    expect(blob.subarray(0, 4).toString('ascii')).toBe('OVSL');
    expect(blob.readUInt8(4)).toBe(2);
    const aadEnd = 9 + blob.readUInt32BE(5);
    const header = JSON.parse(blob.subarray(9, aadEnd).toString('utf8')) as { v: number; alg: string; epk: string };
    expect(header).toMatchObject({ v: 2, alg: 'HPKE-X25519-SHA256-AES256GCM' });
    expect(SEAL_HPKE_INFO.toString('utf8')).toBe('onevisit-seal/v2');
    const suite = hpkeLibrary('aes256gcm');
    const skR = Buffer.from(String(keys.priv.key.export({ format: 'jwk' }).d), 'base64url');
    const recipientKey = await suite.kem.deserializePrivateKey(skR);
    const params = { recipientKey, enc: Buffer.from(header.epk, 'base64url'), info: Buffer.from('onevisit-seal/v2', 'utf8') };
    const plain = Buffer.from(await suite.open(params, blob.subarray(aadEnd), blob.subarray(0, aadEnd)));
    const manifestLength = plain.readUInt32BE(0);
    const manifest = JSON.parse(plain.subarray(4, 4 + manifestLength).toString('utf8')) as { reference: string; answers: unknown; parts: { name: string; sizeBytes: number }[] };
    expect(manifest.reference).toBe(meta.reference);
    expect(manifest.answers).toEqual(content.answers);
    expect(manifest.parts.map((p) => p.name)).toEqual(['application.pdf', 'signature.png']);
    expect(plain.subarray(4 + manifestLength, 4 + manifestLength + (manifest.parts[0]?.sizeBytes ?? 0)).toString()).toBe('%PDF-1.7 test');
    // The header is the aad: the library refuses a changed one too.
    const changed = Buffer.from(blob.subarray(0, aadEnd).toString('latin1').replace('T0001"', 'T0002"'), 'latin1');
    await expect(suite.open(params, blob.subarray(aadEnd), changed)).rejects.toThrow();
  });

  it('still opens a format-1 blob sealed before the upgrade (a fixture made with the old code), and still notices tampering with it', () => {
    const dir = path.join(import.meta.dirname, 'testing');
    const blob = readFileSync(path.join(dir, 'T0001-260123-0042-8.ovsl'));
    const keys = parsePrivateKeys(readFileSync(path.join(dir, 'format-1.key'), 'utf8'));
    const opened = openSealed(blob, keys);
    expect(opened.header).toMatchObject({ v: 1, reference: 'T0001-260123-0042-8', terminalId: 'T0001' });
    expect(opened.content.parts[0]?.bytes.toString()).toBe('%PDF-1.7 format-1 fixture');
    expect(codeOf(() => openSealed(withHeader(blob, (h) => (h.formVersion = '9.9.9')), keys))).toBe('tampered');
    // A format-1 header cannot be passed off as format 2 (the version byte is authenticated as well).
    const relabelled = Buffer.from(blob);
    relabelled.writeUInt8(2, 4);
    expect(codeOf(() => openSealed(relabelled, keys))).toBe('tampered');
  });
});

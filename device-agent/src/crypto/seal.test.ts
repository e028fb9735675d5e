import { describe, expect, it } from 'vitest';
import { keyId, openSealed, parseEnvelope, parsePublicKeys, seal, SealError, type SealMetadata } from './seal.ts';
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

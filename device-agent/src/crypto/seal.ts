/**
 * Sealing a submission to the back office's public key.
 *
 * Format 2 (written since issue 15) is RFC 9180 HPKE, base mode, single-shot, with the suite
 * DHKEM(X25519, HKDF-SHA256) (kem_id 0x0020), HKDF-SHA256 (kdf_id 0x0001), AES-256-GCM (aead_id 0x0002)
 * (hpke.ts), so a back office in any language can open it with its own HPKE library:
 *   enc, ct = SealBase(pkR = back office key, info = "onevisit-seal/v2", aad = envelope bytes 0..9+N, pt)
 *   pt      = OpenBase(enc, skR, info, aad, ct)
 * `enc` is the header's `epk` (the 32-byte ephemeral X25519 public key, base64url).
 *
 * Format 1 (before issue 15; still opened so blobs sealed before an upgrade deliver and open):
 * an ECIES in the shape of HPKE without its labels: shared = X25519(ephemeral, recipient),
 * key = HKDF-SHA256(shared, salt = epk || recipient public, info = "onevisit-seal/v1 " + kid),
 * AES-256-GCM with the header's IV. Nothing writes format 1 any more.
 *
 * The terminal holds no private key; once sealed, only the back office can open it.
 *
 * Envelope (binary, both formats):
 *   0..3   "OVSL"
 *   4      format version (2; 1 for old blobs)
 *   5..8   header length N, uint32 big-endian
 *   9..    header: N bytes of UTF-8 JSON (`SealHeader`)   ┐ authenticated data (the HPKE aad)
 *   9+N..  ciphertext, then the 16-byte GCM tag           (everything before the ciphertext)
 * The header (format 2): `v`, `alg`, `kid` (key id), `epk` (HPKE enc), `reference`, `formId`,
 * `formVersion`, `terminalId`, `createdAt`: any change to it fails authentication.
 *
 * Plaintext (inside the ciphertext):
 *   uint32 big-endian M, then M bytes of UTF-8 JSON manifest `{ reference, answers, parts: [{ name, mediaType, sizeBytes }] }`,
 *   then the bytes of each part in order (application.pdf, signature.png, scan-01.png, ...).
 *
 * Key ids: `keyId(publicKey)` = first 16 bytes of SHA-256 over the SPKI DER, as hex. The terminal
 * seals to the current key; the blob names its key id, so after a rotation the back office keeps
 * the old private key and opens old blobs with it.
 */
import {
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
} from 'node:crypto';
import { z } from 'zod';
import { hpkeOpenBase, hpkeSealBase, rawX25519PublicKey, x25519PublicKeyFromRaw } from './hpke.ts';

export const SEAL_MAGIC = Buffer.from('OVSL', 'ascii');
export const SEAL_FORMAT_VERSION = 2;
/** RFC 9180 HPKE suite of format 2: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM, base mode. */
export const SEAL_ALGORITHM = 'HPKE-X25519-SHA256-AES256GCM';
/** The HPKE `info` of format 2. */
export const SEAL_HPKE_INFO = Buffer.from('onevisit-seal/v2', 'utf8');
const LEGACY_ALGORITHM = 'X25519-HKDF-SHA256-AES256GCM';
/** File extension of a sealed submission at an intake folder. */
export const SEALED_FILE_EXTENSION = '.ovsl';
export const SEALED_MEDIA_TYPE = 'application/vnd.onevisit.sealed';
const PREFIX_BYTES = 9;
const TAG_BYTES = 16;
const IV_BYTES = 12;
const MAX_HEADER_BYTES = 64 * 1024;

const SealMetadataFields = {
  reference: z.string().min(1).max(64),
  formId: z.string().min(1).max(128),
  formVersion: z.string().min(1).max(64),
  terminalId: z.string().min(1).max(64),
  /** When the terminal accepted it, ISO-8601 UTC. */
  createdAt: z.string().min(1).max(40),
};
const KID = z.string().regex(/^[0-9a-f]{32}$/);
/** Ephemeral X25519 public key, raw 32 bytes, base64url (HPKE `enc` in format 2). */
const EPK = z.string().regex(/^[A-Za-z0-9_-]{43}$/);

export const SealHeaderSchema = z.discriminatedUnion('v', [
  z.object({ v: z.literal(2), alg: z.literal(SEAL_ALGORITHM), kid: KID, epk: EPK, ...SealMetadataFields }),
  z.object({
    v: z.literal(1),
    alg: z.literal(LEGACY_ALGORITHM),
    kid: KID,
    epk: EPK,
    /** 12-byte IV, base64url. */
    iv: z.string().regex(/^[A-Za-z0-9_-]{16}$/),
    ...SealMetadataFields,
  }),
]);
export type SealHeader = z.infer<typeof SealHeaderSchema>;

export type SealMetadata = Pick<SealHeader, 'reference' | 'formId' | 'formVersion' | 'terminalId' | 'createdAt'>;

export type SealedPart = { name: string; mediaType: string; bytes: Uint8Array };

/** What is sealed: the answers (JSON) and the files (filled PDF, signature, scans). */
export type SubmissionContent = {
  answers: unknown;
  parts: readonly SealedPart[];
};

export const SEAL_ERROR_CODES = ['malformed', 'unsupported', 'unknownKey', 'tampered'] as const;
export type SealErrorCode = (typeof SEAL_ERROR_CODES)[number];

export class SealError extends Error {
  override readonly name = 'SealError';
  readonly code: SealErrorCode;
  constructor(code: SealErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

// ---------------------------------------------------------------- keys

/** Key id: first 16 bytes of SHA-256 over the SPKI DER encoding, hex. */
export function keyId(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 32);
}

export type PublicKeyEntry = { kid: string; key: KeyObject };
export type PrivateKeyEntry = { kid: string; key: KeyObject };

const PEM_BLOCK = /-----BEGIN ([A-Z ]+)-----[\s\S]*?-----END \1-----/g;

function pemBlocks(text: string, label: string): string[] {
  return [...text.matchAll(PEM_BLOCK)].filter((m) => m[1] === label).map((m) => m[0]);
}

/**
 * Every X25519 public key (SPKI PEM, `-----BEGIN PUBLIC KEY-----`) in a text, in order.
 * A terminal's key file may hold several: the first is the current one.
 */
export function parsePublicKeys(pemText: string): PublicKeyEntry[] {
  const blocks = pemBlocks(pemText, 'PUBLIC KEY');
  return blocks.map((pem) => {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== 'x25519') throw new SealError('unsupported', `the back office key must be X25519, got ${String(key.asymmetricKeyType)}`);
    return { kid: keyId(key), key };
  });
}

/** Every X25519 private key (PKCS#8 PEM) in a text. */
export function parsePrivateKeys(pemText: string): PrivateKeyEntry[] {
  return pemBlocks(pemText, 'PRIVATE KEY').map((pem) => {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'x25519') throw new SealError('unsupported', `the private key must be X25519, got ${String(key.asymmetricKeyType)}`);
    return { kid: keyId(createPublicKey(key)), key };
  });
}

/** A new back office key pair as PEM texts (SPKI public, PKCS#8 private). */
export function generateBackofficeKeyPair(): { publicPem: string; privatePem: string; kid: string } {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  return {
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    kid: keyId(publicKey),
  };
}

// ---------------------------------------------------------------- envelope

function deriveKeyV1(shared: Buffer, epkRaw: Buffer, recipientRaw: Buffer, kid: string): Buffer {
  const salt = Buffer.concat([epkRaw, recipientRaw]);
  return Buffer.from(hkdfSync('sha256', shared, salt, Buffer.from(`onevisit-seal/v1 ${kid}`, 'utf8'), 32));
}

function encodePlaintext(reference: string, content: SubmissionContent): Buffer {
  const manifest = {
    reference,
    answers: content.answers,
    parts: content.parts.map((p) => ({ name: p.name, mediaType: p.mediaType, sizeBytes: p.bytes.byteLength })),
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(manifestBytes.byteLength);
  return Buffer.concat([length, manifestBytes, ...content.parts.map((p) => p.bytes)]);
}

const ManifestSchema = z.object({
  reference: z.string(),
  answers: z.unknown(),
  parts: z.array(z.object({ name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/), mediaType: z.string().max(100), sizeBytes: z.number().int().nonnegative() })),
});

function decodePlaintext(plain: Buffer): { reference: string; content: SubmissionContent } {
  if (plain.byteLength < 4) throw new SealError('malformed', 'the sealed content is truncated');
  const manifestLength = plain.readUInt32BE(0);
  if (4 + manifestLength > plain.byteLength) throw new SealError('malformed', 'the sealed content is truncated');
  let json: unknown;
  try {
    json = JSON.parse(plain.subarray(4, 4 + manifestLength).toString('utf8'));
  } catch {
    throw new SealError('malformed', 'the sealed manifest is not JSON');
  }
  const manifest = ManifestSchema.safeParse(json);
  if (!manifest.success) throw new SealError('malformed', 'the sealed manifest has the wrong shape');
  let offset = 4 + manifestLength;
  const parts: SealedPart[] = [];
  for (const p of manifest.data.parts) {
    if (offset + p.sizeBytes > plain.byteLength) throw new SealError('malformed', 'a sealed part is truncated');
    parts.push({ name: p.name, mediaType: p.mediaType, bytes: plain.subarray(offset, offset + p.sizeBytes) });
    offset += p.sizeBytes;
  }
  if (offset !== plain.byteLength) throw new SealError('malformed', 'the sealed content has trailing bytes');
  return { reference: manifest.data.reference, content: { answers: manifest.data.answers, parts } };
}

/**
 * Seals `content` to `recipient` (format 2: RFC 9180 HPKE base mode, see the top of this file) with
 * the envelope prefix and header as authenticated data. Returns the envelope bytes.
 */
export function seal(recipient: PublicKeyEntry, metadata: SealMetadata, content: SubmissionContent): Buffer {
  // HPKE's enc must sit in the authenticated header, so the ephemeral key is made here and handed to Encap.
  const ephemeral = generateKeyPairSync('x25519');
  const header: SealHeader = {
    v: 2,
    alg: SEAL_ALGORITHM,
    kid: recipient.kid,
    epk: rawX25519PublicKey(ephemeral.publicKey).toString('base64url'),
    reference: metadata.reference,
    formId: metadata.formId,
    formVersion: metadata.formVersion,
    terminalId: metadata.terminalId,
    createdAt: metadata.createdAt,
  };
  const headerBytes = Buffer.from(JSON.stringify(SealHeaderSchema.parse(header)), 'utf8');
  const prefix = Buffer.alloc(PREFIX_BYTES);
  SEAL_MAGIC.copy(prefix, 0);
  prefix.writeUInt8(SEAL_FORMAT_VERSION, 4);
  prefix.writeUInt32BE(headerBytes.byteLength, 5);
  const aad = Buffer.concat([prefix, headerBytes]);
  const plain = encodePlaintext(metadata.reference, content);
  const sealed = hpkeSealBase('aes256gcm', recipient.key, SEAL_HPKE_INFO, aad, plain, ephemeral.privateKey);
  plain.fill(0);
  sealed.sharedSecret.fill(0);
  return Buffer.concat([aad, sealed.ciphertext]);
}

export type ParsedEnvelope = { header: SealHeader; aad: Buffer; ciphertext: Buffer; tag: Buffer };

/** Reads the header without a key (the intake uses it to match the idempotency key). Not proof of anything until opened. */
export function parseEnvelope(blob: Uint8Array): ParsedEnvelope {
  const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (buf.byteLength < PREFIX_BYTES + TAG_BYTES || !buf.subarray(0, 4).equals(SEAL_MAGIC)) {
    throw new SealError('malformed', 'not a OneVisit sealed submission');
  }
  const version = buf.readUInt8(4);
  if (version !== SEAL_FORMAT_VERSION && version !== 1) throw new SealError('unsupported', `sealed format version ${version} is not supported`);
  const headerLength = buf.readUInt32BE(5);
  if (headerLength > MAX_HEADER_BYTES || PREFIX_BYTES + headerLength + TAG_BYTES > buf.byteLength) {
    throw new SealError('malformed', 'the sealed header is truncated');
  }
  let json: unknown;
  try {
    json = JSON.parse(buf.subarray(PREFIX_BYTES, PREFIX_BYTES + headerLength).toString('utf8'));
  } catch {
    throw new SealError('tampered', 'the sealed header is not valid JSON');
  }
  const header = SealHeaderSchema.safeParse(json);
  if (!header.success) throw new SealError('tampered', 'the sealed header has the wrong shape');
  if (header.data.v !== version) throw new SealError('tampered', 'the sealed header and the envelope disagree on the format');
  const aadEnd = PREFIX_BYTES + headerLength;
  return {
    header: header.data,
    aad: buf.subarray(0, aadEnd),
    ciphertext: buf.subarray(aadEnd, buf.byteLength - TAG_BYTES),
    tag: buf.subarray(buf.byteLength - TAG_BYTES),
  };
}

export type OpenedSubmission = { header: SealHeader; content: SubmissionContent };

/**
 * Opens a sealed submission with whichever of `privateKeys` its key id names.
 * Throws `SealError`: `tampered` when the header, ciphertext or tag was changed.
 */
export function openSealed(blob: Uint8Array, privateKeys: readonly PrivateKeyEntry[]): OpenedSubmission {
  const { header, aad, ciphertext, tag } = parseEnvelope(blob);
  const entry = privateKeys.find((k) => k.kid === header.kid);
  if (!entry) throw new SealError('unknownKey', `sealed to key ${header.kid}, which is not among the keys given`);
  const plain = header.v === 2 ? openV2(entry, header.epk, aad, Buffer.concat([ciphertext, tag])) : openV1(entry, header, aad, ciphertext, tag);
  const decoded = decodePlaintext(plain);
  if (decoded.reference !== header.reference) throw new SealError('tampered', 'the reference inside does not match the header');
  return { header, content: decoded.content };
}

function openV2(entry: PrivateKeyEntry, epk: string, aad: Buffer, ciphertext: Buffer): Buffer {
  const plain = hpkeOpenBase('aes256gcm', entry.key, Buffer.from(epk, 'base64url'), SEAL_HPKE_INFO, aad, ciphertext);
  if (!plain) throw new SealError('tampered', 'authentication failed: the sealed submission or its metadata was changed');
  return plain;
}

/** Format 1 (before issue 15): kept only to open blobs sealed before the upgrade. */
function openV1(entry: PrivateKeyEntry, header: Extract<SealHeader, { v: 1 }>, aad: Buffer, ciphertext: Buffer, tag: Buffer): Buffer {
  const epkRaw = Buffer.from(header.epk, 'base64url');
  const iv = Buffer.from(header.iv, 'base64url');
  if (epkRaw.byteLength !== 32 || iv.byteLength !== IV_BYTES) throw new SealError('tampered', 'the sealed header has a bad key or IV');
  let shared: Buffer;
  try {
    shared = diffieHellman({ privateKey: entry.key, publicKey: x25519PublicKeyFromRaw(epkRaw) });
  } catch {
    throw new SealError('tampered', 'the ephemeral key in the sealed header is invalid');
  }
  const key = deriveKeyV1(shared, epkRaw, rawX25519PublicKey(entry.key), header.kid);
  shared.fill(0);
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw new SealError('tampered', 'authentication failed: the sealed submission or its metadata was changed');
  } finally {
    key.fill(0);
  }
}

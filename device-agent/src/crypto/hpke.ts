/**
 * RFC 9180 HPKE, base mode, single-shot (sequence number 0 only), on node:crypto.
 *
 * KEM DHKEM(X25519, HKDF-SHA256) (kem_id 0x0020), KDF HKDF-SHA256 (kdf_id 0x0001), AEAD AES-256-GCM
 * (aead_id 0x0002) for sealing; AES-128-GCM (0x0001) is here only so RFC 9180 Appendix A.1's
 * published vectors can check this code (A.1 is the X25519/SHA-256 suite with AES-128-GCM).
 *
 * Why not `@hpke/core` here: its API is asynchronous (WebCrypto), and the outbox seals inside one
 * synchronous SQLite transaction (the reference is assigned, sealed and stored atomically). The
 * library is the independent implementation the tests open our envelopes with (hpke.test.ts,
 * seal.test.ts), both ways, so any difference from the standard fails a test.
 */
import { createCipheriv, createDecipheriv, createHmac, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';

export type HpkeAead = 'aes128gcm' | 'aes256gcm';

const KEM_ID = 0x0020;
const KDF_ID = 0x0001;
const N_H = 32; // HKDF-SHA256 output (RFC 9180 §7.2)
const N_N = 12; // AES-GCM nonce (§7.3)
const N_T = 16; // AES-GCM tag
const N_ENC = 32; // X25519 public key (§7.1)

function aeadId(aead: HpkeAead): number {
  switch (aead) {
    case 'aes128gcm':
      return 0x0001;
    case 'aes256gcm':
      return 0x0002;
    default: {
      const never: never = aead;
      throw new Error(`unknown AEAD ${String(never)}`);
    }
  }
}

function keyBytes(aead: HpkeAead): number {
  return aead === 'aes128gcm' ? 16 : 32;
}

function i2osp(value: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  out.writeUIntBE(value, 0, length);
  return out;
}

const HPKE_V1 = Buffer.from('HPKE-v1', 'ascii');
const KEM_SUITE = Buffer.concat([Buffer.from('KEM', 'ascii'), i2osp(KEM_ID, 2)]);

function suiteId(aead: HpkeAead): Buffer {
  return Buffer.concat([Buffer.from('HPKE', 'ascii'), i2osp(KEM_ID, 2), i2osp(KDF_ID, 2), i2osp(aeadId(aead), 2)]);
}

/** HKDF-Extract (RFC 5869 §2.2): an empty salt is HashLen zeros, which HMAC pads to the same key. */
function extract(salt: Buffer, ikm: Buffer): Buffer {
  return createHmac('sha256', salt).update(ikm).digest();
}

/** HKDF-Expand (RFC 5869 §2.3). */
function expand(prk: Buffer, info: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  let previous = Buffer.alloc(0);
  for (let i = 1; blocks.length * N_H < length; i++) {
    previous = createHmac('sha256', prk).update(Buffer.concat([previous, info, Buffer.from([i])])).digest();
    blocks.push(previous);
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/** LabeledExtract / LabeledExpand (RFC 9180 §4). */
function labeledExtract(suite: Buffer, salt: Buffer, label: string, ikm: Buffer): Buffer {
  return extract(salt, Buffer.concat([HPKE_V1, suite, Buffer.from(label, 'ascii'), ikm]));
}

function labeledExpand(suite: Buffer, prk: Buffer, label: string, info: Buffer, length: number): Buffer {
  return expand(prk, Buffer.concat([i2osp(length, 2), HPKE_V1, suite, Buffer.from(label, 'ascii'), info]), length);
}

/** Raw 32-byte X25519 public key (SerializePublicKey, RFC 9180 §7.1.1). */
export function rawX25519PublicKey(key: KeyObject): Buffer {
  const jwk = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'jwk' });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'X25519' || typeof jwk.x !== 'string') throw new Error('not an X25519 key');
  return Buffer.from(jwk.x, 'base64url');
}

export function x25519PublicKeyFromRaw(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });
}

/** PKCS#8 DER prefix of an X25519 private key (RFC 8410 §7): the raw 32 bytes follow. */
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

export function x25519PrivateKeyFromRaw(raw: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
}

/** DHKEM ExtractAndExpand (RFC 9180 §4.1). */
function kemSharedSecret(dh: Buffer, enc: Buffer, pkRm: Buffer): Buffer {
  const eaePrk = labeledExtract(KEM_SUITE, Buffer.alloc(0), 'eae_prk', dh);
  return labeledExpand(KEM_SUITE, eaePrk, 'shared_secret', Buffer.concat([enc, pkRm]), N_H);
}

/** KeySchedule for mode_base (RFC 9180 §5.1): no PSK. */
export function keySchedule(aead: HpkeAead, sharedSecret: Buffer, info: Buffer): { key: Buffer; baseNonce: Buffer } {
  const suite = suiteId(aead);
  const empty = Buffer.alloc(0);
  const pskIdHash = labeledExtract(suite, empty, 'psk_id_hash', empty);
  const infoHash = labeledExtract(suite, empty, 'info_hash', info);
  const context = Buffer.concat([Buffer.from([0x00]), pskIdHash, infoHash]);
  const secret = labeledExtract(suite, sharedSecret, 'secret', empty);
  return { key: labeledExpand(suite, secret, 'key', context, keyBytes(aead)), baseNonce: labeledExpand(suite, secret, 'base_nonce', context, N_N) };
}

export type HpkeSealed = { enc: Buffer; ciphertext: Buffer; sharedSecret: Buffer };

/**
 * SealBase (RFC 9180 §6.1): Encap to `recipient`, then Seal(aad, plaintext) at sequence 0, whose
 * nonce is base_nonce itself. `ephemeralPrivate` is for the published test vectors only.
 */
export function hpkeSealBase(
  aead: HpkeAead,
  recipient: KeyObject,
  info: Uint8Array,
  aad: Uint8Array,
  plaintext: Uint8Array,
  ephemeralPrivate?: KeyObject,
): HpkeSealed {
  const skE = ephemeralPrivate ?? generateKeyPairSync('x25519').privateKey;
  const enc = rawX25519PublicKey(skE);
  const dh = diffieHellman({ privateKey: skE, publicKey: recipient });
  const sharedSecret = kemSharedSecret(dh, enc, rawX25519PublicKey(recipient));
  dh.fill(0);
  const { key, baseNonce } = keySchedule(aead, sharedSecret, Buffer.from(info));
  const cipher = createCipheriv(aead === 'aes128gcm' ? 'aes-128-gcm' : 'aes-256-gcm', key, baseNonce, { authTagLength: N_T });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  key.fill(0);
  return { enc, ciphertext, sharedSecret };
}

/** OpenBase (RFC 9180 §6.1). Returns null when the key, enc, aad or ciphertext do not match. */
export function hpkeOpenBase(aead: HpkeAead, recipient: KeyObject, enc: Uint8Array, info: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Buffer | null {
  if (enc.byteLength !== N_ENC || ciphertext.byteLength < N_T) return null;
  let dh: Buffer;
  try {
    dh = diffieHellman({ privateKey: recipient, publicKey: x25519PublicKeyFromRaw(enc) });
  } catch {
    return null; // an all-zero shared secret (a small-order point) throws: RFC 9180 §7.1.4
  }
  const sharedSecret = kemSharedSecret(dh, Buffer.from(enc), rawX25519PublicKey(recipient));
  dh.fill(0);
  const { key, baseNonce } = keySchedule(aead, sharedSecret, Buffer.from(info));
  sharedSecret.fill(0);
  const ct = Buffer.from(ciphertext.buffer, ciphertext.byteOffset, ciphertext.byteLength);
  const decipher = createDecipheriv(aead === 'aes128gcm' ? 'aes-128-gcm' : 'aes-256-gcm', key, baseNonce, { authTagLength: N_T });
  decipher.setAAD(aad);
  decipher.setAuthTag(ct.subarray(ct.byteLength - N_T));
  try {
    return Buffer.concat([decipher.update(ct.subarray(0, ct.byteLength - N_T)), decipher.final()]);
  } catch {
    return null;
  } finally {
    key.fill(0);
  }
}

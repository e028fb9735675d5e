import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hpkeLibrary } from './testing/hpke-library.ts';
import { hpkeOpenBase, hpkeSealBase, keySchedule, rawX25519PublicKey, x25519PrivateKeyFromRaw, x25519PublicKeyFromRaw } from './hpke.ts';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');

/**
 * RFC 9180 Appendix A.1.1 (DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, Base Setup
 * Information), and A.1.1.1 Encryptions, sequence numbers 0 and 1. The RFC publishes no vectors
 * for AES-256-GCM with this KEM: A.1 checks the KEM, the KDF, the labels and the key schedule this
 * code shares with the AES-256-GCM suite; @hpke/core checks the AES-256-GCM suite below.
 */
const A11 = {
  info: hex('4f6465206f6e2061204772656369616e2055726e'),
  skEm: hex('52c4a758a802cd8b936eceea314432798d5baf2d7e9235dc084ab1b9cfa2f736'),
  pkEm: hex('37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431'),
  skRm: hex('4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8'),
  pkRm: hex('3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d'),
  enc: hex('37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431'),
  sharedSecret: hex('fe0e18c9f024ce43799ae393c7e8fe8fce9d218875e8227b0187c04e7d2ea1fc'),
  key: hex('4531685d41d65f03dc48f6b8302c05b0'),
  baseNonce: hex('56d890e5accaaf011cff4b7d'),
  pt: hex('4265617574792069732074727574682c20747275746820626561757479'),
  seq0: { aad: hex('436f756e742d30'), ct: hex('f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a') },
};

describe('RFC 9180 HPKE base mode (node:crypto)', () => {
  it('matches the published vectors of RFC 9180 A.1.1 (X25519, HKDF-SHA256, AES-128-GCM)', () => {
    const skR = x25519PrivateKeyFromRaw(A11.skRm);
    expect(rawX25519PublicKey(skR).equals(A11.pkRm)).toBe(true);
    const sealed = hpkeSealBase('aes128gcm', x25519PublicKeyFromRaw(A11.pkRm), A11.info, A11.seq0.aad, A11.pt, x25519PrivateKeyFromRaw(A11.skEm));
    expect(sealed.enc.toString('hex')).toBe(A11.enc.toString('hex'));
    expect(sealed.sharedSecret.toString('hex')).toBe(A11.sharedSecret.toString('hex'));
    const schedule = keySchedule('aes128gcm', sealed.sharedSecret, A11.info);
    expect(schedule.key.toString('hex')).toBe(A11.key.toString('hex'));
    expect(schedule.baseNonce.toString('hex')).toBe(A11.baseNonce.toString('hex'));
    expect(sealed.ciphertext.toString('hex')).toBe(A11.seq0.ct.toString('hex'));
    expect(hpkeOpenBase('aes128gcm', skR, A11.enc, A11.info, A11.seq0.aad, A11.seq0.ct)?.toString('hex')).toBe(A11.pt.toString('hex'));
    // One changed byte anywhere: no plaintext.
    expect(hpkeOpenBase('aes128gcm', skR, A11.enc, A11.info, hex('436f756e742d31'), A11.seq0.ct)).toBeNull();
    expect(hpkeOpenBase('aes128gcm', skR, A11.enc, Buffer.from('other info'), A11.seq0.aad, A11.seq0.ct)).toBeNull();
  });

  it('@hpke/core opens what this code seals with AES-256-GCM, and this code opens what it seals', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('x25519');
    const info = Buffer.from('OneVisit test info', 'utf8');
    const aad = Buffer.from('header bytes', 'utf8');
    const pt = Buffer.from('申请材料 application bytes', 'utf8');
    const lib = hpkeLibrary('aes256gcm');
    const recipientKey = await lib.kem.deserializePrivateKey(x25519RawPrivate(privateKey));

    const ours = hpkeSealBase('aes256gcm', publicKey, info, aad, pt);
    const opened = await lib.open({ recipientKey, enc: ours.enc, info }, ours.ciphertext, aad);
    expect(Buffer.from(opened).equals(pt)).toBe(true);
    await expect(lib.open({ recipientKey, enc: ours.enc, info }, ours.ciphertext, Buffer.from('other'))).rejects.toThrow();

    const theirs = await lib.seal({ recipientPublicKey: await lib.kem.deserializePublicKey(rawX25519PublicKey(publicKey)), info }, pt, aad);
    expect(hpkeOpenBase('aes256gcm', privateKey, new Uint8Array(theirs.enc), info, aad, new Uint8Array(theirs.ct))?.equals(pt)).toBe(true);
    // AES-128-GCM output is not accepted as AES-256-GCM: the suite id is part of the key schedule.
    const other = await hpkeLibrary('aes128gcm').seal({ recipientPublicKey: await lib.kem.deserializePublicKey(rawX25519PublicKey(publicKey)), info }, pt, aad);
    expect(hpkeOpenBase('aes256gcm', privateKey, new Uint8Array(other.enc), info, aad, new Uint8Array(other.ct))).toBeNull();
  });
});

function x25519RawPrivate(key: ReturnType<typeof generateKeyPairSync>['privateKey']): Buffer {
  const jwk = key.export({ format: 'jwk' });
  return Buffer.from(String(jwk.d), 'base64url');
}

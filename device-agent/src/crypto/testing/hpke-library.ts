/**
 * The independent RFC 9180 implementation the tests check our sealing against: @hpke/core with
 * @hpke/dhkem-x25519 (X25519 from @noble/curves, not node:crypto).
 *
 * The narrow interface below is how the tests see it: the library's declarations name WebCrypto's
 * `CryptoKey`, which this project's Node-only `lib` does not declare, so typed lint would see its
 * values as unresolved. The tests fail at run time if the library does not behave like this.
 */
import { Aes128Gcm, Aes256Gcm, CipherSuite, HkdfSha256 } from '@hpke/core';
import { DhkemX25519HkdfSha256 } from '@hpke/dhkem-x25519';

type LibraryKey = { readonly __libraryKey: unique symbol };

export type HpkeLibrary = {
  kem: { deserializePrivateKey(raw: Uint8Array): Promise<LibraryKey>; deserializePublicKey(raw: Uint8Array): Promise<LibraryKey> };
  open(params: { recipientKey: LibraryKey; enc: Uint8Array; info: Uint8Array }, ct: Uint8Array, aad: Uint8Array): Promise<ArrayBuffer>;
  seal(params: { recipientPublicKey: LibraryKey; info: Uint8Array }, pt: Uint8Array, aad: Uint8Array): Promise<{ enc: ArrayBuffer; ct: ArrayBuffer }>;
};

/** Base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, with the AEAD asked for. */
export function hpkeLibrary(aead: 'aes128gcm' | 'aes256gcm'): HpkeLibrary {
  const suite: unknown = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: aead === 'aes128gcm' ? new Aes128Gcm() : new Aes256Gcm() });
  return suite as HpkeLibrary;
}

import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { pack as tarPack } from 'tar-stream';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  compareVersions,
  generateSigningKeys,
  isSafeRelativePath,
  keyIdOf,
  parsePublicKeys,
  signPackage,
  verifyPackage,
  writeArchive,
  type Result,
  type VerifiedPackage,
} from './signed-package.ts';

const PKG = fileURLToPath(new URL('../packages/residence-permit/', import.meta.url));
const NOW = new Date('2026-12-04T00:00:00Z');

function keys(): { priv: KeyObject; pub: KeyObject } {
  const k = generateSigningKeys();
  return { priv: createPrivateKey(k.privatePem), pub: createPublicKey(k.publicPem) };
}

const ops = keys();
let archive: Buffer;

beforeAll(async () => {
  const signed = await signPackage(PKG, ops.priv, { formId: 'residence-permit', version: '1.0.0', minAgentVersion: '0.1.0', now: NOW });
  if (!signed.ok) throw new Error(signed.refusal.detail);
  archive = signed.value.archive;
});

function refusalCode(r: Result<VerifiedPackage>): string {
  return r.ok ? 'ok' : r.refusal.code;
}

/** Replaces the first occurrence of `from` in the archive's raw bytes (same length, so the tar layout holds). */
function patch(bytes: Buffer, from: string, to: string): Buffer {
  expect(to.length).toBe(from.length);
  const at = bytes.indexOf(Buffer.from(from));
  expect(at).toBeGreaterThanOrEqual(0);
  const out = Buffer.from(bytes);
  out.write(to, at);
  return out;
}

async function tarOf(entries: readonly { name: string; type?: 'file' | 'symlink' | 'link' | 'directory'; data?: Buffer; linkname?: string }[]): Promise<Buffer> {
  const p = tarPack();
  for (const e of entries) {
    if (e.type === undefined || e.type === 'file') p.entry({ name: e.name, size: e.data?.length ?? 0, mtime: NOW }, e.data ?? Buffer.alloc(0));
    else p.entry({ name: e.name, type: e.type, mtime: NOW, ...(e.linkname === undefined ? {} : { linkname: e.linkname }) });
  }
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('signed form packages', () => {
  it('verifies what it signed, offline, with the file hashes and the short hash', async () => {
    const r = await verifyPackage(archive, [ops.pub]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.manifest).toMatchObject({ formId: 'residence-permit', version: '1.0.0', signerKeyId: keyIdOf(ops.pub) });
    expect([...r.value.files.keys()].sort()).toEqual(['definition.json', 'sample.json', 'template.pdf']);
    expect(r.value.archiveSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is deterministic for the same files, key and time', async () => {
    const again = await signPackage(PKG, ops.priv, { formId: 'residence-permit', version: '1.0.0', minAgentVersion: '0.1.0', now: NOW });
    expect(again.ok && again.value.archive.equals(archive)).toBe(true);
  });

  it('refuses a changed file (one byte of definition.json in the archive)', async () => {
    expect(refusalCode(await verifyPackage(patch(archive, '"id": "residence-permit"', '"id": "residence-permiT"'), [ops.pub]))).toBe(
      'fileHashMismatch',
    );
  });

  it('refuses any changed byte: single-bit flips across headers, checksums, padding, files, manifest, signature and end blocks', async () => {
    // Every byte of the first two 512-byte blocks and of the last three, a checksum field's end in
    // each header, and every 61st byte in between (the whole archive: tens of thousands of verifies).
    const offsets = new Set<number>();
    for (let i = 0; i < 1024; i += 1) offsets.add(i);
    for (let i = archive.length - 1536; i < archive.length; i += 1) offsets.add(i);
    for (let i = 0; i < archive.length; i += 61) offsets.add(i);
    for (let block = 0; block < archive.length; block += 512) offsets.add(block + 154).add(block + 155);
    const accepted: number[] = [];
    for (const at of offsets) {
      const changed = Buffer.from(archive);
      changed[at] = (changed[at] ?? 0) ^ 0x01;
      if ((await verifyPackage(changed, [ops.pub])).ok) accepted.push(at);
    }
    expect(accepted).toEqual([]);
    // Bytes appended after the end-of-archive blocks, or the end blocks cut off, are refused too.
    expect(refusalCode(await verifyPackage(Buffer.concat([archive, Buffer.from([1])]), [ops.pub]))).toBe('archiveInvalid');
    expect(refusalCode(await verifyPackage(archive.subarray(0, archive.length - 1024), [ops.pub]))).toBe('archiveInvalid');
  });

  it('refuses a changed manifest (its version edited in the archive)', async () => {
    expect(refusalCode(await verifyPackage(patch(archive, '"version": "1.0.0"', '"version": "9.0.0"'), [ops.pub]))).toBe('badSignature');
  });

  it('refuses a signature by an unknown key, and a forged key id', async () => {
    const other = keys();
    expect(refusalCode(await verifyPackage(archive, [other.pub]))).toBe('unknownSigner');
    const forged = await signPackage(PKG, other.priv, { formId: 'residence-permit', version: '1.0.0', minAgentVersion: '0.1.0', now: NOW });
    if (!forged.ok) throw new Error('sign failed');
    const claimsOps = patch(forged.value.archive, keyIdOf(other.pub), keyIdOf(ops.pub));
    expect(refusalCode(await verifyPackage(claimsOps, [ops.pub]))).toBe('badSignature');
    // Rotation: a trusted-keys file with both keys accepts both signers.
    expect(refusalCode(await verifyPackage(forged.value.archive, [ops.pub, other.pub]))).toBe('ok');
  });

  it('refuses a downgrade unless it is signed as a rollback, and a package needing a newer agent', async () => {
    expect(refusalCode(await verifyPackage(archive, [ops.pub], { replacesVersion: '1.0.0' }))).toBe('notNewer');
    expect(refusalCode(await verifyPackage(archive, [ops.pub], { replacesVersion: '1.2.0' }))).toBe('notNewer');
    expect(refusalCode(await verifyPackage(archive, [ops.pub], { replacesVersion: '0.9.9' }))).toBe('ok');
    const rollback = await signPackage(PKG, ops.priv, { formId: 'residence-permit', version: '1.0.0', minAgentVersion: '0.1.0', now: NOW, rollback: true });
    if (!rollback.ok) throw new Error('sign failed');
    expect(refusalCode(await verifyPackage(rollback.value.archive, [ops.pub], { replacesVersion: '1.2.0' }))).toBe('ok');
    const needsNew = await signPackage(PKG, ops.priv, { formId: 'residence-permit', version: '1.0.0', minAgentVersion: '2.0.0', now: NOW });
    if (!needsNew.ok) throw new Error('sign failed');
    expect(refusalCode(await verifyPackage(needsNew.value.archive, [ops.pub], { agentVersion: '0.1.0' }))).toBe('agentTooOld');
  });

  it('refuses entries that escape the folder: ../, absolute, symlinks, hard links, directories', async () => {
    const cases = [
      await tarOf([{ name: '../evil.json', data: Buffer.from('x') }]),
      await tarOf([{ name: 'package/../../evil.json', data: Buffer.from('x') }]),
      await tarOf([{ name: '/etc/evil', data: Buffer.from('x') }]),
      await tarOf([{ name: 'package/template.pdf', type: 'symlink', linkname: '/etc/passwd' }]),
      await tarOf([{ name: 'package/template.pdf', type: 'link', linkname: '../../x' }]),
      await tarOf([{ name: 'package/', type: 'directory' }]),
    ];
    for (const c of cases) expect(refusalCode(await verifyPackage(c, [ops.pub]))).toBe('unsafeEntry');
  });

  it('refuses tar bombs from the headers, before buffering bodies', async () => {
    const many = await tarOf(Array.from({ length: 300 }, (_, i) => ({ name: `package/f${i}`, data: Buffer.from('x') })));
    expect(refusalCode(await verifyPackage(many, [ops.pub]))).toBe('tooLarge');
    // A header that claims 1 GiB with no body behind it: refused from the size field alone.
    const header = await tarOf([{ name: 'package/big.pdf', data: Buffer.alloc(1) }]);
    const claimsHuge = Buffer.from(header);
    claimsHuge.write('10000000000\0', 124, 'ascii'); // ustar size field: 12 octal digits at offset 124 (POSIX.1-1988)
    let sum = 0;
    claimsHuge.fill(' ', 148, 156); // the checksum counts its own field as spaces
    for (let i = 0; i < 512; i++) sum += claimsHuge[i] ?? 0;
    claimsHuge.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
    expect(refusalCode(await verifyPackage(claimsHuge, [ops.pub]))).toBe('tooLarge');
    expect(refusalCode(await verifyPackage(archive, [ops.pub], { limits: { maxArchiveBytes: 1024, maxEntries: 10, maxEntryBytes: 1024 } }))).toBe(
      'tooLarge',
    );
  });

  it('refuses a file not in the manifest, a missing signature and garbage', async () => {
    const extra = await writeArchive([['manifest.json', Buffer.from('{}')], ['manifest.sig', Buffer.alloc(64)], ['package/x', Buffer.from('x')]], NOW);
    expect(refusalCode(await verifyPackage(extra, [ops.pub]))).toBe('unknownSigner');
    const noSig = await writeArchive([['manifest.json', Buffer.from('{}')]], NOW);
    expect(refusalCode(await verifyPackage(noSig, [ops.pub]))).toBe('signatureMissing');
    expect(refusalCode(await verifyPackage(Buffer.from('not a tar at all'.repeat(64)), [ops.pub]))).toBe('archiveInvalid');
  });

  it('compares versions and paths as documented', () => {
    expect(compareVersions('1.10.0', '1.9.9')).toBe(1);
    expect(compareVersions('1.0.0', '1.0.0-rc.1')).toBe(1);
    expect(compareVersions('2.0.0', '2.0.0')).toBe(0);
    expect(isSafeRelativePath('a/b.pdf')).toBe(true);
    for (const bad of ['', '/a', 'a/../b', './a', 'a//b', 'a\\b', 'C:x']) expect(isSafeRelativePath(bad)).toBe(false);
    expect(parsePublicKeys('nothing').ok).toBe(false);
  });
});

/**
 * Back office side: opening sealed submissions into readable folders.
 * `<out>/<reference>/` holds answers.json, meta.json, application.pdf, signature.png, scan-NN.(png|jpg).
 * A folder appears whole or not at all (written under a hidden name, then renamed).
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openSealed, parsePrivateKeys, SealError, SEALED_FILE_EXTENSION, type PrivateKeyEntry, type SealErrorCode } from '../crypto/seal.ts';
import { sealedSha256 } from '../outbox/delivery.ts';
import { isValidReference } from '../outbox/reference.ts';

export type OpenFileResult =
  | { file: string; ok: true; reference: string; folder: string; alreadyOpened: boolean }
  | { file: string; ok: false; code: SealErrorCode | 'unreadable' | 'conflict' | 'notAFile'; message: string };

export async function loadPrivateKeys(files: readonly string[]): Promise<PrivateKeyEntry[]> {
  const keys: PrivateKeyEntry[] = [];
  for (const file of files) {
    const found = parsePrivateKeys(await readFile(file, 'utf8'));
    if (found.length === 0) throw new Error(`${file} holds no private key (expected PEM "BEGIN PRIVATE KEY", X25519)`);
    keys.push(...found);
  }
  return keys;
}

/** The sealed files named by `input`: the file itself, or every `*.ovsl` in the folder (hidden temporaries skipped). */
export async function sealedFilesIn(input: string): Promise<string[]> {
  const info = await stat(input);
  if (!info.isDirectory()) return [input];
  const names = await readdir(input);
  return names
    .filter((n) => n.endsWith(SEALED_FILE_EXTENSION) && !n.startsWith('.'))
    .sort()
    .map((n) => path.join(input, n));
}

function safeReference(reference: string): boolean {
  return isValidReference(reference) && !reference.includes('/') && !reference.includes('..');
}

/** Whether `folder` was opened already, and the sealed file's SHA-256 its meta.json records (none before issue 11). */
async function openedSha256(folder: string): Promise<{ state: 'absent' } | { state: 'opened'; sha256: string | undefined }> {
  try {
    await stat(folder);
  } catch {
    return { state: 'absent' };
  }
  try {
    const meta = JSON.parse(await readFile(path.join(folder, 'meta.json'), 'utf8')) as { sealedSha256?: unknown };
    return { state: 'opened', sha256: typeof meta.sealedSha256 === 'string' ? meta.sealedSha256 : undefined };
  } catch {
    return { state: 'opened', sha256: undefined };
  }
}

/** Opens one sealed blob into `<outDir>/<reference>/`. */
export async function openOne(file: string, blob: Buffer, keys: readonly PrivateKeyEntry[], outDir: string): Promise<OpenFileResult> {
  let opened;
  try {
    opened = openSealed(blob, keys);
  } catch (error) {
    if (error instanceof SealError) return { file, ok: false, code: error.code, message: error.message };
    throw error;
  }
  const { header, content } = opened;
  if (!safeReference(header.reference)) return { file, ok: false, code: 'tampered', message: 'the sealed header names an invalid reference' };
  const base = path.basename(file);
  if (base.endsWith(SEALED_FILE_EXTENSION) && base !== `${header.reference}${SEALED_FILE_EXTENSION}`) {
    return { file, ok: false, code: 'tampered', message: `the file name does not match the sealed reference ${header.reference}` };
  }
  const folder = path.join(outDir, header.reference);
  const sha256 = sealedSha256(blob);
  const alreadyOpened = await openedSha256(folder);
  if (alreadyOpened.state === 'opened') {
    // Same reference, other bytes (a forgery, or two terminals with one id): never "already opened".
    if (alreadyOpened.sha256 !== sha256) return { file, ok: false, code: 'conflict', message: `${header.reference} was already opened from a different sealed file` };
    return { file, ok: true, reference: header.reference, folder, alreadyOpened: true };
  }
  await mkdir(outDir, { recursive: true });
  const tmp = path.join(outDir, `.${header.reference}.${randomBytes(4).toString('hex')}.tmp`);
  await mkdir(tmp, { mode: 0o700 });
  try {
    await writeFile(path.join(tmp, 'answers.json'), `${JSON.stringify(content.answers, null, 2)}\n`, { mode: 0o600 });
    const meta = {
      reference: header.reference,
      formId: header.formId,
      formVersion: header.formVersion,
      terminalId: header.terminalId,
      createdAt: header.createdAt,
      keyId: header.kid,
      sealedSha256: sha256,
      parts: content.parts.map((p) => ({ name: p.name, mediaType: p.mediaType, sizeBytes: p.bytes.byteLength })),
    };
    await writeFile(path.join(tmp, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`, { mode: 0o600 });
    for (const part of content.parts) await writeFile(path.join(tmp, path.basename(part.name)), part.bytes, { mode: 0o600 });
    await rename(tmp, folder);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
  return { file, ok: true, reference: header.reference, folder, alreadyOpened: false };
}

/** Opens every sealed file in `input` (a file or folder). Good ones are opened even when others are refused. */
export async function openSubmissions(input: string, keys: readonly PrivateKeyEntry[], outDir: string): Promise<OpenFileResult[]> {
  const results: OpenFileResult[] = [];
  for (const file of await sealedFilesIn(input)) {
    // A FIFO or device would hang the read or never end: only regular files are opened.
    if (!(await lstat(file).catch(() => undefined))?.isFile()) {
      results.push({ file, ok: false, code: 'notAFile', message: 'not a regular file; skipped' });
      continue;
    }
    let blob: Buffer;
    try {
      blob = await readFile(file);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      results.push({ file, ok: false, code: 'unreadable', message: `cannot read (${typeof code === 'string' ? code : 'error'})` });
      continue;
    }
    results.push(await openOne(file, blob, keys, outDir));
  }
  return results;
}

// Signed form packages (issue 16): one uncompressed tar archive, `.ovpkg`, holding
//   manifest.json   form id, version, SHA-256 and size of every file, created time, signer key id,
//                   minimum agent version (UTF-8 JSON; the signature covers these exact bytes)
//   manifest.sig    the raw 64-byte Ed25519 signature (RFC 8032) over manifest.json's bytes
//   package/<path>  the package files (definition.json, sample.json, template.pdf, ...)
// Modelled on minisign/TUF (Ed25519 over a manifest of hashes, a signed version against rollback)
// and VotingWorks (a signature beside the package from a known signer, refused on any mismatch).
// The archive is not compressed: the PDFs inside already are, and an uncompressed tar cannot expand
// beyond its own size, so the byte limits below bound everything read (no decompression bomb).
// Reading never touches the disk: entries are checked (type, path, size, count) from their headers
// before their bodies are buffered, and only a verified package is written out by the caller.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { pack as tarPack, extract as tarExtract } from 'tar-stream';
import { z } from 'zod';

export const PACKAGE_EXTENSION = '.ovpkg';
export const MANIFEST_ENTRY = 'manifest.json';
export const SIGNATURE_ENTRY = 'manifest.sig';
export const FILES_PREFIX = 'package/';
export const MANIFEST_FORMAT = 'onevisit-forms-package/1';

export interface ArchiveLimits {
  readonly maxArchiveBytes: number;
  readonly maxEntries: number;
  readonly maxEntryBytes: number;
}

/** A form package is a definition, a sample and one or a few PDFs: far below these. */
export const DEFAULT_LIMITS: ArchiveLimits = { maxArchiveBytes: 64 * 1024 * 1024, maxEntries: 256, maxEntryBytes: 32 * 1024 * 1024 };

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

export const ManifestSchema = z.strictObject({
  format: z.literal(MANIFEST_FORMAT),
  formId: z.string().min(1),
  version: z.string().regex(SEMVER),
  createdAt: z.iso.datetime(),
  signerKeyId: z.string().regex(/^[0-9a-f]{16}$/),
  minAgentVersion: z.string().regex(SEMVER),
  /** Set when ops deliberately re-offer an older version: the signature covers it, so it cannot be forged. */
  rollback: z.boolean().optional(),
  files: z
    .array(z.strictObject({ path: z.string().min(1), sha256: z.string().regex(SHA256_HEX), size: z.number().int().nonnegative() }))
    .min(1),
});
export type Manifest = z.infer<typeof ManifestSchema>;

export type RefusalCode =
  | 'archiveInvalid'
  | 'tooLarge'
  | 'unsafeEntry'
  | 'manifestMissing'
  | 'signatureMissing'
  | 'manifestInvalid'
  | 'unknownSigner'
  | 'badSignature'
  | 'fileMissing'
  | 'fileUnlisted'
  | 'fileHashMismatch'
  | 'agentTooOld'
  | 'notNewer';

export interface Refusal {
  readonly code: RefusalCode;
  readonly detail: string;
}

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly refusal: Refusal };

const refuse = (code: RefusalCode, detail: string): { ok: false; refusal: Refusal } => ({ ok: false, refusal: { code, detail } });

// ---------------------------------------------------------------- keys

/** Key id: the first 8 bytes (hex) of SHA-256 over the public key's SubjectPublicKeyInfo DER. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

export interface GeneratedKeys {
  readonly privatePem: string;
  readonly publicPem: string;
  readonly keyId: string;
}

export function generateSigningKeys(): GeneratedKeys {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: keyIdOf(publicKey),
  };
}

/** Parses one PEM private key; undefined if it is not an Ed25519 private key. */
export function parsePrivateKey(pem: string): KeyObject | undefined {
  try {
    const key = createPrivateKey(pem);
    return key.asymmetricKeyType === 'ed25519' ? key : undefined;
  } catch {
    return undefined;
  }
}

/** Parses a file of one or more PEM public keys (several for key rotation); non-Ed25519 blocks are an error. */
export function parsePublicKeys(text: string): Result<readonly KeyObject[]> {
  const blocks = text.match(/-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g) ?? [];
  if (blocks.length === 0) return refuse('unknownSigner', 'no PEM public key found');
  const keys: KeyObject[] = [];
  for (const [i, block] of blocks.entries()) {
    try {
      const key = createPublicKey(block);
      if (key.asymmetricKeyType !== 'ed25519') return refuse('unknownSigner', `key ${i + 1} is not Ed25519`);
      keys.push(key);
    } catch {
      return refuse('unknownSigner', `key ${i + 1} cannot be parsed`);
    }
  }
  return { ok: true, value: keys };
}

// ---------------------------------------------------------------- versions

/** Compares semantic versions by precedence (semver.org §11, numeric identifiers only for pre-releases' order). */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string): { nums: number[]; pre: string | undefined } => {
    const m = SEMVER.exec(v);
    if (m === null) throw new Error(`not a semantic version: ${v}`);
    return { nums: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4]?.slice(1) };
  };
  const pa = parse(a);
  const pb = parse(b);
  for (let i = 0; i < 3; i++) {
    const d = (pa.nums[i] ?? 0) - (pb.nums[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (pa.pre === pb.pre) return 0;
  if (pa.pre === undefined) return 1; // 1.0.0 > 1.0.0-rc.1
  if (pb.pre === undefined) return -1;
  return pa.pre < pb.pre ? -1 : 1;
}

// ---------------------------------------------------------------- archive

const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A relative path with no `..`, no absolute start, no backslash, no empty or `.` segment and no control characters. */
export function isSafeRelativePath(path: string): boolean {
  if (path === '' || path.startsWith('/') || path.includes('\\') || [...path].some((c) => c.charCodeAt(0) < 0x20)) return false;
  if (/^[A-Za-z]:/.test(path)) return false;
  return path.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

/** Reads the archive's regular-file entries into memory, refusing anything else from its header alone. */
export async function readArchive(bytes: Uint8Array, limits: ArchiveLimits = DEFAULT_LIMITS): Promise<Result<ReadonlyMap<string, Buffer>>> {
  if (bytes.length > limits.maxArchiveBytes) return refuse('tooLarge', `archive is ${bytes.length} bytes (limit ${limits.maxArchiveBytes})`);
  const entries = new Map<string, Buffer>();
  const extract = tarExtract();
  extract.end(Buffer.from(bytes));
  try {
    for await (const entry of extract) {
      const h = entry.header;
      if (entries.size + 1 > limits.maxEntries) return refuse('tooLarge', `more than ${limits.maxEntries} entries`);
      if (h.type !== 'file') return refuse('unsafeEntry', `${h.name}: entry type ${h.type ?? 'unknown'} is not a regular file`);
      if (!isSafeRelativePath(h.name)) return refuse('unsafeEntry', `${JSON.stringify(h.name)}: path leaves the package folder`);
      if ((h.size ?? 0) > limits.maxEntryBytes) return refuse('tooLarge', `${h.name}: ${h.size ?? 0} bytes (limit ${limits.maxEntryBytes})`);
      if (entries.has(h.name)) return refuse('unsafeEntry', `${h.name}: appears twice`);
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      entries.set(h.name, Buffer.concat(chunks));
    }
  } catch (e) {
    return refuse('archiveInvalid', `not a readable tar archive (${e instanceof Error ? e.message : 'read error'})`);
  }
  if (entries.size === 0) return refuse('archiveInvalid', 'empty archive');
  // After the entries (whose headers were checked against the limits first, so a bomb is tooLarge).
  const layout = layoutProblem(bytes);
  if (layout !== undefined) return refuse('archiveInvalid', layout);
  return { ok: true, value: entries };
}

/**
 * The bytes of an archive that neither a header (covered by its checksum) nor a file (covered by the
 * manifest's hashes) holds: each entry's padding to 512 bytes and the end-of-archive blocks. They must
 * be zero, as every tar writer leaves them, so that no byte of a package can change unnoticed. Says
 * what is wrong, or undefined when the layout is canonical.
 */
function layoutProblem(bytes: Uint8Array): string | undefined {
  let at = 0;
  while (at + BLOCK <= bytes.length) {
    const header = bytes.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) {
      const stray = bytes.subarray(at).findIndex((b) => b !== 0);
      return stray === -1 ? undefined : `byte ${at + stray}: data after the end of the archive`;
    }
    // The checksum covers every header byte but its own field, whose digits end in NUL and/or space:
    // anything else there would pass a reader's checksum test unchanged.
    if (!header.subarray(148, 156).every((b) => (b >= 0x30 && b <= 0x37) || b === 0 || b === 0x20)) return `entry at byte ${at}: malformed checksum field`;
    const size = tarSize(header.subarray(124, 136));
    if (size === undefined) return `entry at byte ${at}: unreadable size field`;
    const dataEnd = at + BLOCK + size;
    const next = at + BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (next > bytes.length) return `entry at byte ${at}: the archive ends inside it`;
    const padding = bytes.subarray(dataEnd, next).findIndex((b) => b !== 0);
    if (padding !== -1) return `byte ${dataEnd + padding}: padding after an entry is not zero`;
    at = next;
  }
  return `the archive has no end-of-archive block`;
}

const BLOCK = 512;

/** A ustar size field: octal digits, then NUL or space padding. */
function tarSize(field: Uint8Array): number | undefined {
  const text = Buffer.from(field).toString('latin1').replace(/[\0 ]+$/, '').replace(/^ +/, '');
  return /^[0-7]{1,11}$/.test(text) ? Number.parseInt(text, 8) : undefined;
}

/** Builds a tar from (name, bytes) pairs in the given order; deterministic (fixed mtime and mode). */
export async function writeArchive(files: readonly (readonly [string, Uint8Array])[], mtime: Date): Promise<Buffer> {
  const p = tarPack();
  for (const [name, data] of files) p.entry({ name, size: data.length, mode: 0o644, mtime, type: 'file' }, Buffer.from(data));
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of p) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Lists a package folder's regular files (relative POSIX paths, sorted); a symlink or special file is refused. */
export async function listPackageFiles(dir: string): Promise<Result<readonly string[]>> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<Refusal | undefined> => {
    for (const e of await readdir(join(dir, rel), { withFileTypes: true })) {
      const relPath = rel === '' ? e.name : posix.join(rel, e.name);
      if (e.isDirectory()) {
        const r = await walk(relPath);
        if (r !== undefined) return r;
      } else if (e.isFile()) out.push(relPath);
      else return { code: 'unsafeEntry', detail: `${relPath}: not a regular file (symlinks are not packaged)` };
    }
    return undefined;
  };
  const refusal = await walk('');
  if (refusal !== undefined) return { ok: false, refusal };
  return { ok: true, value: out.sort() };
}

export interface SignOptions {
  readonly formId: string;
  readonly version: string;
  readonly minAgentVersion: string;
  readonly now: Date;
  readonly rollback?: boolean;
}

/** Signs the files of a (checked) package folder into one `.ovpkg` archive. */
export async function signPackage(dir: string, privateKey: KeyObject, opts: SignOptions): Promise<Result<{ archive: Buffer; manifest: Manifest }>> {
  const listed = await listPackageFiles(dir);
  if (!listed.ok) return listed;
  const files: [string, Buffer][] = [];
  for (const rel of listed.value) {
    if (!(await lstat(join(dir, rel))).isFile()) return refuse('unsafeEntry', `${rel}: not a regular file`);
    files.push([rel, await readFile(join(dir, rel))]);
  }
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    formId: opts.formId,
    version: opts.version,
    createdAt: opts.now.toISOString(),
    signerKeyId: keyIdOf(createPublicKey(privateKey)),
    minAgentVersion: opts.minAgentVersion,
    ...(opts.rollback === true ? { rollback: true } : {}),
    files: files.map(([path, data]) => ({ path, sha256: sha256Hex(data), size: data.length })),
  };
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  const signature = sign(null, manifestBytes, privateKey); // Ed25519 takes no separate digest (RFC 8032 PureEdDSA)
  const archive = await writeArchive(
    [[MANIFEST_ENTRY, manifestBytes], [SIGNATURE_ENTRY, signature], ...files.map(([p, d]): [string, Buffer] => [FILES_PREFIX + p, d])],
    opts.now,
  );
  return { ok: true, value: { archive, manifest } };
}

export interface VerifiedPackage {
  readonly manifest: Manifest;
  /** Package files by relative path (without the `package/` prefix), each matching its manifest hash. */
  readonly files: ReadonlyMap<string, Buffer>;
  /** SHA-256 of the whole archive: its first 8 hex digits are the short hash shown to staff. */
  readonly archiveSha256: string;
}

export interface VerifyOptions {
  readonly limits?: ArchiveLimits;
  /** The verifying agent's version: a package needing a newer agent is refused. */
  readonly agentVersion?: string;
  /** The version it would replace: a package not higher is refused, unless it is signed as a rollback. */
  readonly replacesVersion?: string;
}

/** Verifies an archive offline: layout, signature by a trusted key, every file's hash, versions. */
export async function verifyPackage(bytes: Uint8Array, trustedKeys: readonly KeyObject[], opts: VerifyOptions = {}): Promise<Result<VerifiedPackage>> {
  const read = await readArchive(bytes, opts.limits ?? DEFAULT_LIMITS);
  if (!read.ok) return read;
  const entries = read.value;
  const manifestBytes = entries.get(MANIFEST_ENTRY);
  if (manifestBytes === undefined) return refuse('manifestMissing', `${MANIFEST_ENTRY} is not in the archive`);
  const signature = entries.get(SIGNATURE_ENTRY);
  if (signature === undefined) return refuse('signatureMissing', `${SIGNATURE_ENTRY} is not in the archive`);
  // The signer key id is read before the signature is checked only to pick the key; nothing else is trusted yet.
  let claimed: unknown;
  try {
    claimed = JSON.parse(manifestBytes.toString('utf8'));
  } catch {
    return refuse('manifestInvalid', `${MANIFEST_ENTRY} is not valid JSON`);
  }
  const keyId = typeof claimed === 'object' && claimed !== null && 'signerKeyId' in claimed ? String(claimed.signerKeyId) : '';
  const key = trustedKeys.find((k) => keyIdOf(k) === keyId);
  if (key === undefined) return refuse('unknownSigner', `signed by key ${keyId || '(none)'}, which is not a trusted key`);
  if (signature.length !== 64 || !verify(null, manifestBytes, key, signature)) return refuse('badSignature', `${MANIFEST_ENTRY}: signature does not match`);
  const parsed = ManifestSchema.safeParse(claimed);
  if (!parsed.success) return refuse('manifestInvalid', `${MANIFEST_ENTRY}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const manifest = parsed.data;
  const files = new Map<string, Buffer>();
  const listed = new Set<string>();
  for (const f of manifest.files) {
    if (!isSafeRelativePath(f.path) || listed.has(f.path)) return refuse('manifestInvalid', `${JSON.stringify(f.path)}: unsafe or repeated path`);
    listed.add(f.path);
    const data = entries.get(FILES_PREFIX + f.path);
    if (data === undefined) return refuse('fileMissing', `${f.path}: listed in the manifest but not in the archive`);
    if (data.length !== f.size || sha256Hex(data) !== f.sha256) return refuse('fileHashMismatch', `${f.path}: SHA-256 does not match the manifest`);
    files.set(f.path, data);
  }
  for (const name of entries.keys()) {
    if (name === MANIFEST_ENTRY || name === SIGNATURE_ENTRY) continue;
    if (!name.startsWith(FILES_PREFIX) || !listed.has(name.slice(FILES_PREFIX.length))) return refuse('fileUnlisted', `${name}: in the archive but not in the manifest`);
  }
  if (opts.agentVersion !== undefined && compareVersions(opts.agentVersion, manifest.minAgentVersion) < 0) {
    return refuse('agentTooOld', `needs agent ${manifest.minAgentVersion} or later (this is ${opts.agentVersion})`);
  }
  if (opts.replacesVersion !== undefined) {
    const v = checkNewer(manifest, opts.replacesVersion);
    if (v !== undefined) return { ok: false, refusal: v };
  }
  return { ok: true, value: { manifest, files, archiveSha256: sha256Hex(bytes) } };
}

/** A package must be higher than the version it replaces, except one signed as a rollback. */
export function checkNewer(manifest: Pick<Manifest, 'formId' | 'version' | 'rollback'>, replacesVersion: string): Refusal | undefined {
  if (manifest.rollback === true || compareVersions(manifest.version, replacesVersion) > 0) return undefined;
  return { code: 'notNewer', detail: `${manifest.formId}@${manifest.version} is not higher than ${replacesVersion}, which it replaces` };
}

/** The reasons as ops read them. */
export function formatRefusal(r: Refusal): string {
  return `${r.code}: ${r.detail}`;
}

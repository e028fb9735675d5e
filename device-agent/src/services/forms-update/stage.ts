// Terminal side of signed form updates (issue 16): verify a downloaded archive and unpack it into a
// version folder. The updater (updater.ts) calls it; activation is the pointer switch in active-forms.ts.
import type { KeyObject } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { checkPackage, formatProblem, loadPackage, PackageLoadError, verifyPackage, writeFileAtomic, type Refusal } from '@onevisit/forms';

export interface StagedPackage {
  readonly formId: string;
  readonly version: string;
  readonly dir: string;
  readonly archiveSha256: string;
}

export type StageRefusal = Refusal | { readonly code: 'checkFailed'; readonly detail: string };

/**
 * Verifies `bytes` (signature by a trusted key, every file's hash, agent version, higher than
 * `activeVersion` unless signed as a rollback), then writes it to `<root>/<formId>/<version>`
 * through a temporary folder renamed into place, so a crash leaves no half-unpacked version.
 */
export async function verifyAndStage(
  bytes: Uint8Array,
  opts: { trustedKeys: readonly KeyObject[]; agentVersion: string; activeVersion?: string; root: string },
): Promise<{ ok: true; value: StagedPackage } | { ok: false; refusal: StageRefusal }> {
  const verified = await verifyPackage(bytes, opts.trustedKeys, {
    agentVersion: opts.agentVersion,
    ...(opts.activeVersion === undefined ? {} : { replacesVersion: opts.activeVersion }),
  });
  if (!verified.ok) return verified;
  const { manifest, files, archiveSha256 } = verified.value;
  const finalDir = path.join(opts.root, manifest.formId, manifest.version);
  const tmpDir = `${finalDir}.staging`;
  await rm(tmpDir, { recursive: true, force: true });
  for (const [rel, data] of files) {
    await mkdir(path.dirname(path.join(tmpDir, rel)), { recursive: true });
    await writeFileAtomic(path.join(tmpDir, rel), data); // fsync'd, so the rename below publishes whole files
  }
  try {
    const problems = await checkPackage(await loadPackage(tmpDir));
    if (problems.length > 0) throw new PackageLoadError(problems);
  } catch (e) {
    await rm(tmpDir, { recursive: true, force: true });
    if (e instanceof PackageLoadError) return { ok: false, refusal: { code: 'checkFailed', detail: e.problems.map((p) => formatProblem({ ...p, file: path.relative(tmpDir, p.file) })).join('; ') } };
    throw e;
  }
  await rm(finalDir, { recursive: true, force: true });
  await rename(tmpDir, finalDir);
  const dirHandle = await open(path.dirname(finalDir), 'r');
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
  return { ok: true, value: { formId: manifest.formId, version: manifest.version, dir: finalDir, archiveSha256 } };
}

// Which version of each updated form this terminal serves (issue 16): one pointer file,
// `<root>/active.json`, written whole (temp + fsync + rename + fsync of the folder), over version
// folders `<root>/versions/<form id>/<version>/` that verifyAndStage (stage.ts) wrote and fsync'd
// before the pointer names them. A crash at any moment leaves the old pointer or the new one, each
// naming whole folders; `recover()` at the next start removes what no pointer names (a half-unpacked
// `.staging` folder, a staged version never activated, a pruned one, a temp pointer).
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { checkPackage, loadPackage, writeFileAtomic, type FormPackage } from '@onevisit/forms';
import type { Logger } from 'pino';
import { z } from 'zod';
import { FormCatalog } from '../application/form-catalog.ts';

export const ACTIVE_FILE = 'active.json';
export const VERSIONS_DIR = 'versions';
/** Versions kept besides the active one, to switch back to without a download (issue 16: the previous two). */
export const KEPT_PREVIOUS = 2;

const SHA256_HEX = z.string().regex(/^[0-9a-f]{64}$/);
/** A form id or version as a single path segment: what verifyAndStage's manifest checks allow, and no `..`. */
const SEGMENT = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/).refine((s) => !s.includes('..'));

const InstalledSchema = z.strictObject({ version: SEGMENT, archiveSha256: SHA256_HEX });
export type InstalledVersion = z.infer<typeof InstalledSchema>;

const ActiveFormSchema = z.strictObject({
  version: SEGMENT,
  archiveSha256: SHA256_HEX,
  activatedAt: z.iso.datetime(),
  /** Most recent first; at most KEPT_PREVIOUS. */
  previous: z.array(InstalledSchema).max(KEPT_PREVIOUS),
});
export type ActiveForm = z.infer<typeof ActiveFormSchema>;

/** Versions rolled back on this terminal: not installed again, whatever the channel offers, until ops publish another archive. */
export const ROLLED_BACK_KEPT = 32;
export const ROLLBACK_CAUSES = ['fillFailures', 'technician'] as const;
export type RollbackCause = (typeof ROLLBACK_CAUSES)[number];

const RolledBackSchema = z.strictObject({
  formId: SEGMENT,
  version: SEGMENT,
  archiveSha256: SHA256_HEX,
  /** Why: what failed, or that a technician chose it. Package facts only, never personal data. */
  cause: z.enum(ROLLBACK_CAUSES),
  reason: z.string().max(300),
  at: z.iso.datetime(),
});
export type RolledBack = z.infer<typeof RolledBackSchema>;

export const ActivePointerSchema = z.strictObject({
  format: z.literal('onevisit-forms-active/1'),
  forms: z.record(SEGMENT, ActiveFormSchema),
  /**
   * Most recent first. In the pointer, so that the switch back and the memory of the bad version
   * are one atomic write: a crash cannot leave the old version active and the bad one forgotten.
   * Optional: pointers written before it existed stay valid.
   */
  rolledBack: z.array(RolledBackSchema).max(ROLLED_BACK_KEPT).optional(),
});
export type ActivePointer = z.infer<typeof ActivePointerSchema>;

export const emptyPointer = (): ActivePointer => ({ format: 'onevisit-forms-active/1', forms: {} });

export class ActiveForms {
  readonly root: string;
  readonly #log: Logger | undefined;

  constructor(root: string, log?: Logger) {
    this.root = root;
    this.#log = log;
  }

  /** Where verifyAndStage puts versions (its `root`). */
  get versionsRoot(): string {
    return path.join(this.root, VERSIONS_DIR);
  }

  versionDir(formId: string, version: string): string {
    return path.join(this.versionsRoot, formId, version);
  }

  /** The pointer; none yet = no form updated. An unreadable pointer is logged and read as none (the shipped forms are served). */
  async read(): Promise<ActivePointer> {
    let text: string;
    try {
      text = await readFile(path.join(this.root, ACTIVE_FILE), 'utf8');
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return emptyPointer();
      throw error;
    }
    try {
      return ActivePointerSchema.parse(JSON.parse(text));
    } catch {
      this.#log?.error({ file: path.join(this.root, ACTIVE_FILE) }, 'forms update: the active-version pointer is invalid; serving the shipped forms');
      return emptyPointer();
    }
  }

  /** The atomic switch: after this resolves, a restart serves exactly `pointer`. */
  async write(pointer: ActivePointer): Promise<void> {
    await writeFileAtomic(path.join(this.root, ACTIVE_FILE), `${JSON.stringify(ActivePointerSchema.parse(pointer), null, 2)}\n`);
  }

  /**
   * Removes every version folder `pointer` does not name (active or kept), staging leftovers and
   * temp pointers. Run at start (finishing or undoing what a crash interrupted) and after each switch.
   */
  async prune(pointer: ActivePointer): Promise<string[]> {
    const removed: string[] = [];
    for (const name of await listNames(this.root)) {
      if (name.startsWith(`.${ACTIVE_FILE}.`) && name.endsWith('.tmp')) {
        await rm(path.join(this.root, name), { force: true });
        removed.push(name);
      }
    }
    for (const formId of await listNames(this.versionsRoot)) {
      const kept = pointer.forms[formId];
      const keep = new Set(kept === undefined ? [] : [kept.version, ...kept.previous.map((p) => p.version)]);
      for (const version of await listNames(path.join(this.versionsRoot, formId))) {
        if (keep.has(version)) continue;
        await rm(path.join(this.versionsRoot, formId, version), { recursive: true, force: true });
        removed.push(`${formId}/${version}`);
      }
    }
    return removed;
  }

  /** At start: what a crash left unfinished is discarded; the pointer stays as the last switch wrote it. */
  async recover(): Promise<{ pointer: ActivePointer; discarded: string[] }> {
    const pointer = await this.read();
    const discarded = await this.prune(pointer);
    if (discarded.length > 0) this.#log?.warn({ discarded }, 'forms update: discarded what an interrupted update left (the active versions are whole)');
    return { pointer, discarded };
  }
}

async function listNames(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return [];
    throw error;
  }
}

/**
 * The forms the agent serves: the shipped forms folder, with every form the pointer names replaced
 * by its active version. An active version that no longer loads is logged and the shipped one served.
 */
export async function loadServedCatalog(
  formsDir: string,
  active: ActiveForms | undefined,
  pointer: ActivePointer | undefined,
  log?: Logger,
): Promise<FormCatalog> {
  // The shipped folder, loaded and logged as without updates (a broken package is named and skipped).
  const shipped = await FormCatalog.load(formsDir, log === undefined ? {} : { log });
  if (active === undefined || pointer === undefined || Object.keys(pointer.forms).length === 0) return shipped;
  const byId = new Map<string, FormPackage>(shipped.ids().flatMap((id) => {
    const pkg = shipped.get(id)?.pkg;
    return pkg === undefined ? [] : [[id, pkg] as const];
  }));
  const hashes = new Map<string, string>();
  for (const [formId, form] of Object.entries(pointer.forms)) {
    try {
      const pkg = await loadPackage(active.versionDir(formId, form.version));
      const problems = await checkPackage(pkg, { includeSample: false });
      if (problems.length > 0 || pkg.definition.id !== formId) throw new Error(`${problems.length} problem(s)`);
      byId.set(formId, pkg);
      hashes.set(formId, form.archiveSha256);
    } catch {
      log?.error({ formId, version: form.version }, 'forms update: the active version does not load; serving the shipped one');
    }
  }
  const catalog = await FormCatalog.fromPackages(
    [...byId.values()].sort((a, b) => a.definition.id.localeCompare(b.definition.id)),
    { archiveSha256: hashes },
  );
  log?.info({ formsDir, forms: catalog.ids().map((id) => `${id}@${catalog.version(id) ?? '?'}`), updated: [...hashes.keys()] }, 'forms loaded with the active updates');
  return catalog;
}

import path from 'node:path';
import { PDFDocument } from '@cantoo/pdf-lib';
import { createFiller, loadAll, type Filler, type FillerOptions, type FormPackage } from '@onevisit/forms';
import type { Logger } from 'pino';
import { IDENTITY_FIELDS, type FormDefinition, type FormListItem, type FormPackageDefinition } from '@onevisit/protocol';
import { REPO_DIR } from '../../paths.ts';

/** forms/packages of this checkout, found from this file, not from the working directory. */
export const DEFAULT_FORMS_DIR = path.join(REPO_DIR, 'forms', 'packages');

/** One loaded form, with what the agent derives from it once. */
export type CatalogEntry = {
  readonly pkg: FormPackage;
  readonly item: FormListItem;
  /** Field ids filled from the ID card (the package's prefill map). */
  readonly identityFields: ReadonlySet<string>;
  readonly pageCount: number;
  /** SHA-256 of the signed archive it came from (issue 16 form updates); undefined for the shipped forms folder. */
  readonly archiveSha256?: string | undefined;
};

/** What the UI renders: the package minus its PDF mapping and prefill map (`FormDefinitionSchema`). */
export function definitionView(def: FormPackageDefinition): FormDefinition {
  const view: FormDefinition = {
    id: def.id,
    version: def.version,
    title: def.title,
    category: def.category,
    sections: def.sections,
    notice: def.notice,
  };
  if (def.description !== undefined) view.description = def.description;
  if (def.department !== undefined) view.department = def.department;
  return view;
}

export function identityFieldsOf(def: FormPackageDefinition): string[] {
  const out: string[] = [];
  for (const key of IDENTITY_FIELDS) {
    const target = def.prefill?.[key];
    if (target !== undefined) out.push(typeof target === 'string' ? target : target.field);
  }
  return out;
}

export function listItemOf(def: FormPackageDefinition): FormListItem {
  const identityFields = identityFieldsOf(def);
  const item: FormListItem = {
    id: def.id,
    version: def.version,
    title: def.title['zh-CN'],
    fields: def.sections.flatMap((s) => s.fields.map((f) => ({ id: f.id, type: f.type, required: f.required === true }))),
    titleEn: def.title.en,
    category: def.category,
    requiresIdentity: identityFields.length > 0,
    identityFields,
    notice: def.notice,
    definition: definitionView(def),
  };
  if (def.description !== undefined) item.description = def.description;
  if (def.department !== undefined) item.department = def.department;
  return item;
}

/**
 * The forms this terminal serves: every good package under the forms folder (a broken one is
 * logged, by file and field, and skipped), and one long-lived filler so the fonts are parsed once
 * per process, not once per form (issue 4).
 */
export class FormCatalog {
  #entries: ReadonlyMap<string, CatalogEntry>;
  readonly #fillerOptions: FillerOptions;
  #filler: Promise<Filler> | undefined;

  constructor(entries: readonly CatalogEntry[], fillerOptions: FillerOptions = {}) {
    this.#entries = new Map(entries.map((e) => [e.pkg.definition.id, e]));
    this.#fillerOptions = fillerOptions;
  }

  /** Loads every package under `dir`. Broken packages are reported in the log (no personal data: package files and fields). */
  static async load(dir: string, options: { log?: Logger; fillerOptions?: FillerOptions } = {}): Promise<FormCatalog> {
    const log = options.log;
    let result: Awaited<ReturnType<typeof loadAll>>;
    try {
      result = await loadAll(dir);
    } catch (error) {
      log?.error({ formsDir: dir, errorCode: (error as { code?: unknown }).code }, 'forms: the forms folder cannot be read; no forms are offered');
      return new FormCatalog([], options.fillerOptions);
    }
    for (const broken of result.broken) {
      log?.error(
        { formsDir: dir, package: path.basename(broken.dir), problems: broken.problems.slice(0, 20).map((p) => ({ file: path.relative(dir, p.file), field: p.field, message: p.message })) },
        'forms: package refused, skipped',
      );
    }
    const catalog = await FormCatalog.fromPackages(result.packages, options);
    log?.info({ formsDir: dir, forms: catalog.#describe(), broken: result.broken.length }, 'forms loaded');
    return catalog;
  }

  /**
   * A catalogue of packages already loaded and checked (form updates, issue 16, pass the active
   * versions here); `archiveSha256` names the signed archive each form id came from, if any.
   */
  static async fromPackages(
    packages: readonly FormPackage[],
    options: { fillerOptions?: FillerOptions; archiveSha256?: ReadonlyMap<string, string> } = {},
  ): Promise<FormCatalog> {
    const entries: CatalogEntry[] = [];
    for (const pkg of packages) {
      let pageCount = 1;
      try {
        pageCount = (await PDFDocument.load(pkg.template, { updateMetadata: false })).getPageCount();
      } catch {
        // checkPackage has read the template already; a count we cannot get is not worth refusing it.
      }
      const def = pkg.definition;
      entries.push({ pkg, item: listItemOf(def), identityFields: new Set(identityFieldsOf(def)), pageCount, archiveSha256: options.archiveSha256?.get(def.id) });
    }
    return new FormCatalog(entries, options.fillerOptions);
  }

  #describe(): string[] {
    return [...this.#entries.values()].map((e) => `${e.pkg.definition.id}@${e.pkg.definition.version}`);
  }

  /** Takes the packages of a freshly loaded catalogue (Staff.ResetTerminal reloads the forms folder); the filler and its parsed fonts stay. */
  adopt(other: FormCatalog): void {
    this.#entries = other.#entries;
  }

  get size(): number {
    return this.#entries.size;
  }

  ids(): string[] {
    return [...this.#entries.keys()];
  }

  get(formId: string): CatalogEntry | undefined {
    return this.#entries.get(formId);
  }

  list(): FormListItem[] {
    return [...this.#entries.values()].map((e) => e.item);
  }

  version(formId: string): string | undefined {
    return this.#entries.get(formId)?.pkg.definition.version;
  }

  /**
   * The one filler of this process: created (fonts read and parsed) on first use and kept.
   * A failed creation is forgotten so that the next call tries again.
   */
  filler(): Promise<Filler> {
    if (this.#filler === undefined) {
      const created = createFiller(this.#fillerOptions);
      this.#filler = created;
      created.catch(() => {
        if (this.#filler === created) this.#filler = undefined;
      });
    }
    return this.#filler;
  }

  /** Parses the fonts now (at boot, in the background) so the first citizen does not wait for it. */
  async warm(log?: Logger): Promise<void> {
    try {
      const filler = await this.filler();
      log?.info({ fonts: filler.fonts.map((f) => f.postscriptName), missingFallbacks: filler.missingFallbacks }, 'forms: fonts parsed');
    } catch (error) {
      log?.error({ errorType: error instanceof Error ? error.name : typeof error, message: error instanceof Error ? error.message : undefined }, 'forms: the fonts could not be loaded; filling will fail');
    }
  }
}

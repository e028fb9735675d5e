import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { checkPackage } from './check.ts';
import { AnswersSchema, FormPackageSchema, type Answers, type FormPackageDefinition } from '@onevisit/protocol';
import type { FormPackage } from './format.ts';
import { MAX_JSON_BYTES, MAX_PDF_BYTES, readRegularFile } from './read-input.ts';

export const DEFINITION_FILE = 'definition.json';
export const DEFAULT_TEMPLATE_FILE = 'template.pdf';
export const SAMPLE_FILE = 'sample.json';

/** One problem in a package: the file and, where known, the field (a JSON path like `sections[2].fields[0].label.en`). */
export interface PackageProblem {
  readonly file: string;
  readonly field?: string;
  readonly message: string;
}

export class PackageLoadError extends Error {
  override readonly name = 'PackageLoadError';
  constructor(readonly problems: readonly PackageProblem[]) {
    super(problems.map(formatProblem).join('\n'));
  }
}

export function formatProblem(p: PackageProblem): string {
  return p.field !== undefined ? `${p.file}: ${p.field}: ${p.message}` : `${p.file}: ${p.message}`;
}

/** Turns a zod issue path into `sections[2].fields[0].label.en`. */
export function issuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}

export function zodProblems(file: string, error: z.ZodError): PackageProblem[] {
  return error.issues.map((issue) => ({ file, field: issuePath(issue.path), message: issue.message }));
}

async function readJson(file: string): Promise<unknown> {
  const read = await readRegularFile(file, MAX_JSON_BYTES);
  if (!read.ok) throw new PackageLoadError([{ file, message: read.reason === 'missing' ? 'cannot be read (missing?)' : read.detail }]);
  const text = read.bytes.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new PackageLoadError([{ file, message: `not valid JSON (${e instanceof Error ? e.message : 'parse error'})` }]);
  }
}

/** Parses a definition object; throws PackageLoadError naming the file and field. */
export function parseDefinition(json: unknown, file: string): FormPackageDefinition {
  const parsed = FormPackageSchema.safeParse(json);
  if (!parsed.success) throw new PackageLoadError(zodProblems(file, parsed.error));
  return parsed.data;
}

/** Reads answers (keyed by field id) from a JSON file. */
export async function loadAnswers(file: string): Promise<Answers> {
  const json = await readJson(file);
  const parsed = AnswersSchema.safeParse(json);
  if (!parsed.success) throw new PackageLoadError(zodProblems(file, parsed.error));
  return parsed.data;
}

/**
 * Loads one package folder: definition.json (schema-checked), the template PDF, and sample.json
 * when present. Throws PackageLoadError naming the file and field.
 */
export async function loadPackage(dir: string): Promise<FormPackage> {
  const defFile = join(dir, DEFINITION_FILE);
  const definition = parseDefinition(await readJson(defFile), defFile);
  const templateFile = join(dir, definition.pdf.template ?? DEFAULT_TEMPLATE_FILE);
  const read = await readRegularFile(templateFile, MAX_PDF_BYTES);
  if (!read.ok) throw new PackageLoadError([{ file: templateFile, message: read.reason === 'missing' ? 'template PDF missing' : `template PDF ${read.detail}` }]);
  const template = new Uint8Array(read.bytes);
  if (template.length < 5 || Buffer.from(template.subarray(0, 5)).toString('latin1') !== '%PDF-') {
    throw new PackageLoadError([{ file: templateFile, message: 'not a PDF file' }]);
  }
  const sampleFile = join(dir, SAMPLE_FILE);
  let sample: Answers | undefined;
  if (await exists(sampleFile)) sample = await loadAnswers(sampleFile);
  return sample === undefined ? { definition, template, dir } : { definition, template, dir, sample };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export interface LoadAllResult {
  /** Good packages, sorted by id. */
  readonly packages: readonly FormPackage[];
  /** Broken folders with what is wrong; they are skipped, the good ones still load. */
  readonly broken: readonly { readonly dir: string; readonly problems: readonly PackageProblem[] }[];
}

/**
 * Loads every package folder under `dir` (folders without definition.json are ignored).
 * With `check` (default) a package must also pass checkPackage (sample answers aside).
 */
export async function loadAll(dir: string, options: { readonly check?: boolean } = {}): Promise<LoadAllResult> {
  const entries = await readdir(dir, { withFileTypes: true });
  const packages: FormPackage[] = [];
  const broken: { dir: string; problems: PackageProblem[] }[] = [];
  const seen = new Map<string, string>();
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const pkgDir = join(dir, entry.name);
    if (!(await exists(join(pkgDir, DEFINITION_FILE)))) continue;
    try {
      const pkg = await loadPackage(pkgDir);
      const other = seen.get(pkg.definition.id);
      if (other !== undefined) {
        broken.push({
          dir: pkgDir,
          problems: [{ file: join(pkgDir, DEFINITION_FILE), field: 'id', message: `duplicate form id, also in ${other}` }],
        });
        continue;
      }
      if (options.check !== false) {
        const problems = await checkPackage(pkg, { includeSample: false });
        if (problems.length > 0) {
          broken.push({ dir: pkgDir, problems });
          continue;
        }
      }
      seen.set(pkg.definition.id, pkgDir);
      packages.push(pkg);
    } catch (e) {
      const problems =
        e instanceof PackageLoadError ? [...e.problems] : [{ file: pkgDir, message: e instanceof Error ? e.message : 'cannot load' }];
      broken.push({ dir: pkgDir, problems });
    }
  }
  packages.sort((a, b) => a.definition.id.localeCompare(b.definition.id));
  return { packages, broken };
}

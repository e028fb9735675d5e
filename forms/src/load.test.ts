import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formPackageJsonSchema } from './format.ts';
import { loadAll, loadPackage, PackageLoadError } from './load.ts';

const PACKAGES_DIR = fileURLToPath(new URL('../packages/', import.meta.url));

function copyPackages(): string {
  const dir = mkdtempSync(join(tmpdir(), 'forms-load-'));
  cpSync(PACKAGES_DIR, dir, { recursive: true });
  return dir;
}

describe('loadPackage', () => {
  it('loads definition, template and sample', async () => {
    const pkg = await loadPackage(join(PACKAGES_DIR, 'residence-permit'));
    expect(pkg.definition.id).toBe('residence-permit');
    expect(Buffer.from(pkg.template.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    expect(pkg.sample?.name).toBeDefined();
  });
  it('names the file and the field of a schema error', async () => {
    const dir = copyPackages();
    const file = join(dir, 'residence-permit', 'definition.json');
    const json = JSON.parse(readFileSync(file, 'utf8')) as { sections: { fields: { label: { en?: string } }[] }[] };
    const label = json.sections[0]?.fields[1]?.label;
    if (label !== undefined) delete label.en;
    writeFileSync(file, JSON.stringify(json));
    const err = await loadPackage(join(dir, 'residence-permit')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PackageLoadError);
    expect(String(err)).toContain(file);
    expect(String(err)).toContain('sections[0].fields[1].label.en');
  });
  it('names a missing template', async () => {
    const dir = copyPackages();
    writeFileSync(join(dir, 'no-criminal-record', 'template.pdf'), 'not a pdf');
    await expect(loadPackage(join(dir, 'no-criminal-record'))).rejects.toThrow(/template\.pdf: not a PDF file/);
  });
});

describe('loadAll', () => {
  it('skips and reports broken packages and keeps the good ones', async () => {
    const dir = copyPackages();
    writeFileSync(join(dir, 'residence-permit', 'definition.json'), '{ broken');
    const defFile = join(dir, 'no-criminal-record', 'definition.json');
    const def = JSON.parse(readFileSync(defFile, 'utf8')) as { pdf: { fields: Record<string, unknown> } };
    def.pdf.fields.name = { acroField: 'NoSuchField' };
    writeFileSync(defFile, JSON.stringify(def));
    const result = await loadAll(dir);
    expect(result.packages.map((p) => p.definition.id)).toEqual([
      'flexible-employment-insurance',
      'real-estate-record-inquiry',
      'resident-medical-insurance',
      'social-security-card-replacement',
    ]);
    expect(result.broken).toHaveLength(2);
    const messages = result.broken.flatMap((b) => b.problems.map((p) => `${p.file}: ${p.field ?? ''}: ${p.message}`)).join('\n');
    expect(messages).toContain('residence-permit/definition.json');
    expect(messages).toContain('not valid JSON');
    expect(messages).toContain('pdf.fields.name.acroField');
    expect(messages).toContain('NoSuchField');
  });
});

describe('published JSON Schema', () => {
  it('is up to date with the zod schema (run forms/scripts/publish-schema.ts)', () => {
    const published = JSON.parse(readFileSync(fileURLToPath(new URL('../schema/form-package.schema.json', import.meta.url)), 'utf8')) as Record<string, unknown>;
    const { $id: _id, title: _title, ...rest } = published;
    expect(rest).toEqual(formPackageJsonSchema());
  });
  it('is referenced from every package', () => {
    for (const id of ['residence-permit', 'resident-medical-insurance']) {
      const def = JSON.parse(readFileSync(join(PACKAGES_DIR, id, 'definition.json'), 'utf8')) as { $schema?: string };
      expect(def.$schema).toBe('../../schema/form-package.schema.json');
    }
  });
});

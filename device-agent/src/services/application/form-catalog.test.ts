import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../log.ts';
import { FormListItemSchema } from '@onevisit/protocol';
import { DEFAULT_FORMS_DIR, FormCatalog } from './form-catalog.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function capture(): { lines: Record<string, unknown>[]; log: ReturnType<typeof createLogger> } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: createLogger({ level: 'info', destination }) };
}

describe('FormCatalog', () => {
  it('finds forms/packages from its own location, not the working directory', () => {
    expect(existsSync(path.join(DEFAULT_FORMS_DIR, 'residence-permit', 'definition.json'))).toBe(true);
  });

  it('serves the six packages with list items that match the protocol', async () => {
    const catalog = await FormCatalog.load(DEFAULT_FORMS_DIR);
    expect(catalog.size).toBe(6);
    for (const item of catalog.list()) {
      expect(FormListItemSchema.safeParse(item).success, item.id).toBe(true);
      // The definition the UI renders has no PDF mapping.
      expect(Object.keys(item.definition)).not.toContain('pdf');
      expect(item.fields.length).toBe(item.definition.sections.reduce((n, s) => n + s.fields.length, 0));
    }
    expect(catalog.version('residence-permit')).toBe('1.0.0');
    expect(catalog.version('nope')).toBeUndefined();
    expect(catalog.get('residence-permit')?.identityFields.has('idNumber')).toBe(true);
  });

  it('skips a broken package, logs the file and field, and still serves the good ones', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'onevisit-forms-'));
    dirs.push(dir);
    cpSync(path.join(DEFAULT_FORMS_DIR, 'residence-permit'), path.join(dir, 'residence-permit'), { recursive: true });
    mkdirSync(path.join(dir, 'broken'));
    writeFileSync(path.join(dir, 'broken', 'definition.json'), JSON.stringify({ id: 'broken', version: 'one' }));
    const { lines, log } = capture();
    const catalog = await FormCatalog.load(dir, { log });
    await new Promise((resolve) => setImmediate(resolve));
    expect(catalog.ids()).toEqual(['residence-permit']);
    const refused = lines.find((l) => l.msg === 'forms: package refused, skipped');
    expect(refused).toMatchObject({ package: 'broken' });
    expect(JSON.stringify(refused)).toContain('definition.json');
    expect(JSON.stringify(refused)).toContain('version');
  });

  it('offers no forms (and does not throw) when the folder is missing', async () => {
    const catalog = await FormCatalog.load(path.join(tmpdir(), 'onevisit-no-such-forms-dir'));
    expect(catalog.size).toBe(0);
  });

  it('creates one filler per process: the fonts are parsed once', async () => {
    const catalog = await FormCatalog.load(DEFAULT_FORMS_DIR);
    const first = catalog.filler();
    await catalog.warm();
    expect(catalog.filler()).toBe(first);
    expect((await first).fonts.length).toBeGreaterThan(0);
  });
});

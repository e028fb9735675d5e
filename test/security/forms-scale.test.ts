import { PDFArray, PDFContext, PDFDict } from '@cantoo/pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FormPackage } from '../../forms/src/format.ts';
import { checkPackage } from '../../forms/src/check.ts';
import { createFiller, type Filler } from '../../forms/src/fill.ts';
import { sampleSignaturePng } from '../../forms/src/png.ts';
import { manyFieldPackage } from '../../forms/src/testing/many-fields.ts';

/**
 * Issue 11, ops tools: a 5,000-field PDF took 70.8 s to preview. Checking and filling must grow
 * linearly with the fields. No clock: the test counts the work pdf-lib does on the PDF's objects
 * (dictionary reads, entries scanned by key and reference searches, array searches) and the reads of
 * the definition's field lists, for 1,000 and for 5,000 fields. Linear work gives a ratio near 5;
 * the lookups this replaced (getFieldMaybe per field, getObjectRef per widget, a search of every
 * section per mapped field, a font resource per drawn text) gave about 25.
 */

let work = 0;
const restore: (() => void)[] = [];

function countOn<T extends object>(proto: T, name: keyof T & string, cost: (self: never, result: unknown) => number): void {
  const original = proto[name] as unknown as (...args: unknown[]) => unknown;
  (proto as Record<string, unknown>)[name] = function (this: never, ...args: unknown[]): unknown {
    const result = original.apply(this, args);
    work += cost(this, result);
    return result;
  };
  restore.push(() => {
    (proto as Record<string, unknown>)[name] = original;
  });
}

beforeAll(() => {
  countOn(PDFDict.prototype, 'get', () => 1);
  countOn(PDFDict.prototype, 'keys', (_self, keys) => (Array.isArray(keys) ? keys.length : 1)); // uniqueKey scans them
  countOn(PDFArray.prototype, 'indexOf', (self: PDFArray, index) => (typeof index === 'number' && index >= 0 ? index + 1 : self.size())); // elements compared
  countOn(PDFContext.prototype, 'getObjectRef', (self: PDFContext) => self.enumerateIndirectObjects().length);
});

afterAll(() => {
  for (const r of restore) r();
});

/** The definition with its field lists counting every element read. */
function counted(pkg: FormPackage): FormPackage {
  const sections = pkg.definition.sections.map((section) => ({
    ...section,
    fields: new Proxy(section.fields, {
      get(target, key, receiver): unknown {
        if (typeof key === 'string' && /^\d+$/.test(key)) work += 1;
        return Reflect.get(target, key, receiver) as unknown;
      },
    }),
  }));
  return { ...pkg, definition: { ...pkg.definition, sections } };
}

const extras = { reference: 'PREVIEW-0001', terminalId: 'PREVIEW', dateIso: '2026-12-04', signaturePng: sampleSignaturePng(), language: 'zh-CN' as const };

async function measure(filler: Filler, fields: number): Promise<{ check: number; fill: number }> {
  const { pkg, answers } = await manyFieldPackage(fields);
  expect(pkg.definition.sections.flatMap((s) => s.fields)).toHaveLength(fields);
  const subject = counted(pkg);
  work = 0;
  expect(await checkPackage({ ...subject, sample: answers })).toEqual([]);
  const check = work;
  work = 0;
  const pdf = await filler.fill(subject, answers, extras);
  const fill = work;
  expect(pdf.length).toBeGreaterThan(fields * 100);
  return { check, fill };
}

describe('a package with thousands of fields', () => {
  it('is checked and filled with work that grows linearly (1,000 vs 5,000 fields)', { timeout: 600_000 }, async () => {
    const filler = await createFiller();
    await filler.fill((await manyFieldPackage(10)).pkg, (await manyFieldPackage(10)).answers, extras); // fonts and caches warm
    const small = await measure(filler, 1000);
    const large = await measure(filler, 5000);
    const checkRatio = large.check / small.check;
    const fillRatio = large.fill / small.fill;
    expect(checkRatio, `check work ${small.check} -> ${large.check}`).toBeGreaterThan(4);
    expect(checkRatio, `check work ${small.check} -> ${large.check}`).toBeLessThan(6.5);
    expect(fillRatio, `fill work ${small.fill} -> ${large.fill}`).toBeGreaterThan(4);
    expect(fillRatio, `fill work ${small.fill} -> ${large.fill}`).toBeLessThan(6.5);
  });
});

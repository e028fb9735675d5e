import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PDFDocument } from '@cantoo/pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { createFiller, FillError, type Filler } from './fill.ts';
import type { Answers } from '@onevisit/protocol';
import type { FormPackage } from './format.ts';
import { loadAll } from './load.ts';
import { sampleSignaturePng } from './png.ts';

const PACKAGES_DIR = fileURLToPath(new URL('../packages/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'forms-fill-'));
// An empty fontconfig: poppler must not substitute an installed font for one we failed to embed.
const fontsConf = join(work, 'fonts.conf');
writeFileSync(fontsConf, '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig></fontconfig>\n');
const env = { ...process.env, FONTCONFIG_FILE: fontsConf };

function tool(cmd: string, args: string[]): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { env, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

const extras = { reference: 'SZ20261121-000123', terminalId: 'TRM-0007', dateIso: '2026-11-21', language: 'zh-CN' as const };

/** The strings a citizen typed, as they must come back out of the PDF. */
function typedStrings(pkg: FormPackage, answers: Answers): string[] {
  const out: string[] = [];
  for (const s of pkg.definition.sections) {
    for (const f of s.fields) {
      const v = answers[f.id];
      if (f.type === 'group' && Array.isArray(v)) {
        for (const row of v) {
          if (typeof row !== 'object') continue;
          for (const sub of f.fields) {
            const x = row[sub.id];
            if (typeof x === 'string' && ['text', 'address', 'idNumber', 'phone'].includes(sub.type)) out.push(x);
          }
        }
      } else if (typeof v === 'string' && ['text', 'address', 'idNumber', 'phone'].includes(f.type)) out.push(v);
    }
  }
  return out;
}

let filler: Filler;
let packages: readonly FormPackage[];

beforeAll(async () => {
  filler = await createFiller();
  const result = await loadAll(PACKAGES_DIR);
  expect(result.broken).toEqual([]);
  packages = result.packages;
});

describe('the shipped packages', () => {
  it('are at least six, one with a repeating group and one with conditions', () => {
    expect(packages.length).toBeGreaterThanOrEqual(6);
    const fields = packages.flatMap((p) => p.definition.sections.flatMap((s) => s.fields));
    expect(fields.some((f) => f.type === 'group')).toBe(true);
    expect(fields.some((f) => f.showWhen !== undefined || f.requiredWhen !== undefined)).toBe(true);
  });
});

describe('fill every package and check it with external tools', () => {
  it('has the Debian fallback fonts for rare characters', () => {
    expect(filler.fonts.length).toBeGreaterThan(1);
  });
  const ids = ['residence-permit', 'flexible-employment-insurance', 'resident-medical-insurance', 'social-security-card-replacement', 'no-criminal-record', 'real-estate-record-inquiry'];
  for (const id of ids) {
    it(id, async () => {
      const pkg = packages.find((p) => p.definition.id === id);
      expect(pkg).toBeDefined();
      if (pkg?.sample === undefined) throw new Error(`${id}: no sample`);
      // A name with characters outside the main font (𠮷 is in CJK Ext-B, beyond the BMP).
      const answers: Answers = { ...pkg.sample, name: '张𠮷㙍' };
      const pdf = await filler.fill(pkg, answers, { ...extras, signaturePng: sampleSignaturePng() });
      const file = join(work, `${id}.pdf`);
      writeFileSync(file, pdf);

      const check = tool('qpdf', ['--check', file]);
      expect(check.status, check.out).toBe(0);
      expect(check.out).toContain('No syntax or stream encoding errors');

      const fonts = tool('pdffonts', [file]).out.split('\n').slice(2).filter((l) => l.trim() !== '');
      expect(fonts.length).toBeGreaterThanOrEqual(2);
      for (const line of fonts) {
        expect(line).toMatch(/^[A-Z]{6}\+\S+\s.*\byes\s+yes\s+yes\b/); // embedded, subset, unicode map
      }
      expect(fonts.some((l) => l.includes('+NotoSansSC'))).toBe(true);
      expect(fonts.some((l) => l.includes('+HanaMin'))).toBe(true);

      const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { env, encoding: 'utf8' }).replace(/\s+/g, '');
      for (const s of typedStrings(pkg, answers)) expect(text).toContain(s.replace(/\s+/g, ''));
      expect(text).toContain('张𠮷㙍');
      expect(text).toContain(extras.reference);
      expect(text).toContain(extras.terminalId);
      expect(text).toContain('2026年11月21日');

      // Flattened: no form fields and no widget annotations left.
      const reread = await PDFDocument.load(pdf);
      expect(reread.getForm().getFields()).toHaveLength(0);
      for (const page of reread.getPages()) {
        const annots = page.node.Annots();
        expect(annots === undefined ? 0 : annots.size()).toBe(0);
      }
    });
  }
  it('prints choices in the chosen language', async () => {
    const pkg = packages.find((p) => p.definition.id === 'no-criminal-record');
    if (pkg?.sample === undefined) throw new Error('no sample');
    const pdf = await filler.fill(pkg, pkg.sample, { ...extras, language: 'en' });
    const file = join(work, 'en.pdf');
    writeFileSync(file, pdf);
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { env, encoding: 'utf8' });
    expect(text).toContain('2 copies');
    expect(text).toContain('2026-11-21');
  });
});

describe('errors', () => {
  it('names the field, not the value, when no font covers a character', async () => {
    const noFallback = await createFiller({ fallbackFontPaths: ['/nonexistent/fallback.ttf'] });
    expect(noFallback.missingFallbacks).toEqual(['/nonexistent/fallback.ttf']);
    const pkg = packages.find((p) => p.definition.id === 'no-criminal-record');
    if (pkg?.sample === undefined) throw new Error('no sample');
    const err = await noFallback.fill(pkg, { ...pkg.sample, name: '王𠮷' }, extras).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FillError);
    if (!(err instanceof FillError)) return;
    expect(err.code).toBe('missingGlyph');
    expect(err.details.field).toBe('name');
    expect(err.details.codePoint).toBe(0x20bb7);
    expect(err.message).toContain('U+20BB7');
    expect(err.message).toContain('/nonexistent/fallback.ttf');
    expect(err.message).not.toContain('王');
  });
  it('refuses invalid answers with per-field codes', async () => {
    const pkg = packages.find((p) => p.definition.id === 'social-security-card-replacement');
    if (pkg?.sample === undefined) throw new Error('no sample');
    const err = await filler.fill(pkg, { ...pkg.sample, policeReportNumber: '' }, extras).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FillError);
    if (!(err instanceof FillError)) return;
    expect(err.code).toBe('invalidAnswers');
    expect(err.details.errors).toEqual([{ path: 'policeReportNumber', fieldId: 'policeReportNumber', code: 'required' }]);
  });
  it('wraps long answers without starting a line with closing punctuation', async () => {
    const pkg = packages.find((p) => p.definition.id === 'no-criminal-record');
    if (pkg?.sample === undefined) throw new Error('no sample');
    const remarks = '本人因工作需要申请开具无犯罪记录证明，用于入职背景调查。请在证明中注明查询期间，谢谢！如需补充材料，请电话联系。'.slice(0, 60);
    const pdf = await filler.fill(pkg, { ...pkg.sample, remarks }, extras);
    const file = join(work, 'wrap.pdf');
    writeFileSync(file, pdf);
    const lines = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { env, encoding: 'utf8' }).split('\n');
    // no printed line starts with closing punctuation
    for (const l of lines) expect(/^[，。、；：）》」！？]/.test(l.trim())).toBe(false);
  });
});

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PDFDocument } from '@cantoo/pdf-lib';
import { describe, expect, it } from 'vitest';
import { runCli } from './main.ts';

const PACKAGES_DIR = fileURLToPath(new URL('../../packages/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'forms-cli-'));
}

describe('forms check', () => {
  it('passes every shipped package', async () => {
    const r = await run('check', PACKAGES_DIR);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toHaveLength(6);
  });
  it('fails naming the file and the field', async () => {
    const dir = tmp();
    cpSync(join(PACKAGES_DIR, 'social-security-card-replacement'), dir, { recursive: true });
    const defFile = join(dir, 'definition.json');
    const def = JSON.parse(readFileSync(defFile, 'utf8')) as {
      sections: { fields: { id: string; label: { en: string }; showWhen?: unknown }[] }[];
      pdf: { fields: Record<string, unknown> };
    };
    const reason = def.sections[1]?.fields[1];
    if (reason === undefined) throw new Error('fixture changed');
    reason.label.en = '补换原因';
    reason.showWhen = { equals: { field: 'nope', value: 'x' } };
    def.pdf.fields.phone = { acroField: 'Missing_Field' };
    writeFileSync(defFile, JSON.stringify(def));
    const r = await run('check', dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${defFile}: sections[1].fields[1].label.en: English text contains Chinese`);
    expect(r.err).toContain(`${defFile}: sections[1].fields[1].showWhen: condition refers to unknown field "nope"`);
    expect(r.err).toContain(`${defFile}: pdf.fields.phone.acroField: PDF field "Missing_Field" is not in`);
  });
  it('fails on a folder without a package', async () => {
    const r = await run('check', tmp());
    expect(r.code).toBe(1);
    expect(r.err).toContain('definition.json');
  });
});

describe('forms import', () => {
  it('maps the AcroForm fields of a foreign PDF to a starting package', async () => {
    const doc = await PDFDocument.create();
    const page = doc.addPage();
    const form = doc.getForm();
    form.createTextField('applicant_name').addToPage(page, { x: 50, y: 700 });
    form.createTextField('Phone No').addToPage(page, { x: 50, y: 650 });
    form.createCheckBox('agree').addToPage(page, { x: 50, y: 600 });
    const radio = form.createRadioGroup('sex');
    radio.addOptionToPage('M', page, { x: 50, y: 550 });
    radio.addOptionToPage('F', page, { x: 100, y: 550 });
    const dd = form.createDropdown('district');
    dd.addOptions(['Chaoyang', 'Haidian']);
    dd.addToPage(page, { x: 50, y: 500 });
    const dir = tmp();
    const pdfFile = join(dir, 'Foreign Form.pdf');
    writeFileSync(pdfFile, await doc.save());
    const out = join(dir, 'pkg');
    const r = await run('import', pdfFile, '--out', out);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const def = JSON.parse(readFileSync(join(out, 'definition.json'), 'utf8')) as {
      id: string;
      sections: { fields: { id: string; type: string; options?: { value: string }[] }[] }[];
      pdf: { fields: Record<string, { acroField: string }> };
    };
    expect(def.id).toBe('foreign-form');
    const fields = def.sections[0]?.fields ?? [];
    expect(fields.map((f) => [f.id, f.type])).toEqual([
      ['applicant_name', 'text'],
      ['Phone_No', 'text'],
      ['agree', 'yesNo'],
      ['sex', 'choice'],
      ['district', 'choice'],
    ]);
    expect(fields[3]?.options?.map((o) => o.value)).toEqual(['M', 'F']);
    expect(def.pdf.fields.Phone_No).toEqual({ acroField: 'Phone No' });
    expect(existsSync(join(out, 'template.pdf'))).toBe(true);
    // The imported package fills (the terminal's path).
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ applicant_name: '王五', Phone_No: '13812345678', agree: true, sex: 'F', district: 'Haidian' }));
    const p = await run('preview', out, '--data', join(dir, 'a.json'), '--out', join(dir, 'a.pdf'), '--date', '2026-11-21');
    expect(p.err).toBe('');
    expect(p.code).toBe(0);
    // Without --data, the placeholder sample.json that import wrote is used.
    expect(JSON.parse(readFileSync(join(out, 'sample.json'), 'utf8'))).toMatchObject({ agree: true, sex: 'M', district: 'Chaoyang' });
    const q = await run('preview', out, '--out', join(dir, 'b.pdf'), '--date', '2026-11-21');
    expect(q.err).toBe('');
    expect(q.code).toBe(0);
    expect(existsSync(join(dir, 'b.pdf'))).toBe(true);
  });
  it('fails on a PDF without fields, naming the file', async () => {
    const doc = await PDFDocument.create();
    doc.addPage();
    const dir = tmp();
    const file = join(dir, 'flat.pdf');
    writeFileSync(file, await doc.save());
    const r = await run('import', file, '--out', join(dir, 'x'));
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${file}: the PDF has no fillable AcroForm fields`);
  });
});

describe('forms preview', () => {
  it('fills the sample data into a PDF', async () => {
    const out = join(tmp(), 'p.pdf');
    const r = await run('preview', join(PACKAGES_DIR, 'resident-medical-insurance'), '--out', out, '--date', '2026-11-21');
    expect(r.code).toBe(0);
    expect(readFileSync(out).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });
  it('fails naming the data file and the field', async () => {
    const dir = tmp();
    const data = join(dir, 'bad.json');
    writeFileSync(data, JSON.stringify({ name: '张三', sex: 'male', birthDate: '1990-01-01', idNumber: '123', phone: '13812345678', purpose: 'employment', receivingOrg: '某单位', copies: 1, hukouAddress: '北京' }));
    const r = await run('preview', join(PACKAGES_DIR, 'no-criminal-record'), '--data', data, '--out', join(dir, 'x.pdf'));
    expect(r.code).toBe(1);
    expect(r.err).toBe(`${data}: idNumber: invalidIdNumber`);
    expect(existsSync(join(dir, 'x.pdf'))).toBe(false);
  });
  it('reports usage errors with status 2 and prints help', async () => {
    expect((await run('preview', PACKAGES_DIR)).code).toBe(2);
    expect((await run('frobnicate')).code).toBe(2);
    const h = await run('--help');
    expect(h.code).toBe(0);
    expect(h.out).toContain('import FILE.pdf --out DIR');
  });
  it('runs as `npm run forms` from the root', () => {
    const r = spawnSync('npm', ['run', '-s', 'forms', '--', 'check', join(PACKAGES_DIR, 'residence-permit')], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('ok residence-permit@1.0.0');
  });
});

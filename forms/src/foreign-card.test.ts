import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { Visibility, allFields, materialApplies, prefillAnswers, validateAnswers, type Answers, type IdentityInput } from '@onevisit/protocol';
import { createFiller, type Filler } from './fill.ts';
import type { FormPackage } from './format.ts';
import { loadAll } from './load.ts';
import { sampleSignaturePng } from './png.ts';

/**
 * Issue 10: a holder of a foreign permanent-residence card files every shipped form correctly.
 * The identity is what the agent hands the forms library for such a card (services/application/answers.ts
 * identityInput): no 民族, no 户籍地址, no 公民身份号码; nationality in words, the card's own number.
 */
const PACKAGES_DIR = fileURLToPath(new URL('../packages/', import.meta.url));
const FOREIGN: IdentityInput = {
  name: '马克',
  sex: '男',
  birthDate: '1985-03-12',
  authority: '国家移民管理局',
  validFrom: '2023-12-01',
  validTo: '2033-12-01',
  cardType: 'foreignPermanent',
  englishName: 'JOHNSON MARK DAVID',
  nationality: '加拿大',
  permanentResidenceNumber: '911124198503120011',
};
const TODAY = '2026-12-03';

let packages: readonly FormPackage[];
let filler: Filler;

beforeAll(async () => {
  const result = await loadAll(PACKAGES_DIR);
  expect(result.broken).toEqual([]);
  packages = result.packages;
  filler = await createFiller();
});

/** The sample answers with the applicant's identity fields taken from the foreign card instead. */
function foreignAnswers(pkg: FormPackage): Answers {
  const sample: Answers = { ...(pkg.sample ?? {}) };
  for (const key of ['cardType', 'nation', 'idNumber', 'hukouAddress', 'name', 'sex', 'birthDate']) delete sample[key];
  return prefillAnswers(pkg, FOREIGN, sample);
}

describe('every shipped form package, with a foreign permanent-residence card', () => {
  it('ships six packages', () => {
    expect(packages.map((p) => p.definition.id).sort()).toEqual([
      'flexible-employment-insurance',
      'no-criminal-record',
      'real-estate-record-inquiry',
      'residence-permit',
      'resident-medical-insurance',
      'social-security-card-replacement',
    ]);
  });

  for (const id of [
    'flexible-employment-insurance',
    'no-criminal-record',
    'real-estate-record-inquiry',
    'residence-permit',
    'resident-medical-insurance',
    'social-security-card-replacement',
  ]) {
    describe(id, () => {
      const pkg = (): FormPackage => {
        const found = packages.find((p) => p.definition.id === id);
        if (found === undefined) throw new Error(`${id} missing`);
        return found;
      };

      it('prefills nationality in words, the permanent-residence number and the English name; never 民族 or 公民身份号码', () => {
        const answers = foreignAnswers(pkg());
        expect(answers['cardType']).toBe('foreignPermanent');
        expect(answers['nationality']).toBe('加拿大');
        expect(answers['permanentResidenceNumber']).toBe('911124198503120011');
        expect(answers['englishName']).toBe('JOHNSON MARK DAVID');
        expect(answers['nation']).toBeUndefined();
        expect(answers['idNumber']).toBeUndefined();
      });

      it('shows 国籍, 永久居留身份证号码 and 英文姓名, and hides 民族, 公民身份号码 and 户籍地址', () => {
        const vis = new Visibility(pkg().definition, foreignAnswers(pkg()));
        const labels = allFields(pkg().definition)
          .filter(({ field }) => vis.isFieldVisible(field.id))
          .map(({ field }) => field.label['zh-CN']);
        expect(labels).toEqual(expect.arrayContaining(['国籍', '永久居留身份证号码', '英文姓名']));
        expect(labels).not.toContain('民族');
        expect(labels).not.toContain('公民身份号码');
        expect(labels).not.toContain('户籍地址');
      });

      it('validates with no household address to invent', () => {
        const result = validateAnswers(pkg(), foreignAnswers(pkg()), { todayIso: TODAY });
        expect(result.errors).toEqual([]);
        expect(result.answers['hukouAddress']).toBeUndefined();
      });

      it('lists the foreign card among the materials, not the resident ID card', () => {
        const names = pkg()
          .definition.notice.materials.filter((m) => materialApplies(m, 'foreignPermanent'))
          .map((m) => m.name['zh-CN']);
        expect(names).toContain('外国人永久居留身份证');
        expect(names.some((n) => n.includes('居民身份证') || n.includes('户口簿'))).toBe(false);
        const residentNames = pkg()
          .definition.notice.materials.filter((m) => materialApplies(m, 'resident'))
          .map((m) => m.name['zh-CN']);
        expect(residentNames).not.toContain('外国人永久居留身份证');
      });

      it('prints the nationality, the number and the English name on the A4 form', async () => {
        const result = validateAnswers(pkg(), foreignAnswers(pkg()), { todayIso: TODAY });
        const pdf = await filler.fill(pkg(), result.answers, {
          reference: 'SZ20261203-000001',
          terminalId: 'TRM-0007',
          dateIso: TODAY,
          language: 'zh-CN',
          signaturePng: sampleSignaturePng(),
        });
        const dir = mkdtempSync(join(tmpdir(), 'forms-foreign-'));
        const file = join(dir, `${id}.pdf`);
        writeFileSync(file, pdf);
        const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
        expect(text).toContain('加拿大');
        expect(text).toContain('911124198503120011');
        expect(text).toContain('JOHNSONMARKDAVID');
      });
    });
  }
});

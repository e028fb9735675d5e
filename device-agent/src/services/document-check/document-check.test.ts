import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderSampleDocument, SAMPLE_PEOPLE } from '../../devices/scanner/sample-pages.ts';
import { OcrPool } from '../../ocr/pool.ts';
import { OcrService, type OcrPage } from '../../ocr/service.ts';
import { checkDocumentPages, findNameInText, idNumberMatches } from './check-document.ts';
import { readIdentityFromPage } from './read-identity.ts';

describe('matching rules', () => {
  it('finds a name across line breaks and, for 3+ characters, with one misread character', () => {
    expect(findNameInText('兹证明王小\n明（公民身份号码', '王小明')).toEqual({ found: true, exact: true });
    expect(findNameInText('兹证明王小朋（', '王小明')).toEqual({ found: true, exact: false });
    expect(findNameInText('兹证明李虹（', '李红')).toEqual({ found: false, exact: false });
  });

  it('accepts a one-character misread of the ID number only when the read fails the check character', () => {
    const id = SAMPLE_PEOPLE.liHong.idNumber;
    expect(idNumberMatches(id, id)).toEqual({ found: true, exact: true });
    expect(idNumberMatches(`${id.slice(0, 3)}9${id.slice(4)}`, id)).toEqual({ found: true, exact: false });
    // Another valid number is another person.
    expect(idNumberMatches(SAMPLE_PEOPLE.wangXiaoming.idNumber, id).found).toBe(false);
  });
});

describe('document checks with OCR', () => {
  let pool: OcrPool;
  let ocr: OcrService;
  let dataDir: string;
  const page = async (png: Buffer): Promise<OcrPage> => {
    const p = await OcrService.page(png, 200);
    if (!p) throw new Error('no page');
    return p;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'doc-check-test-'));
    pool = new OcrPool({ log: pino({ level: 'silent' }), dataDir });
    ocr = new OcrService(pool);
    await pool.start();
  });
  afterAll(async () => {
    await pool.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('(a) reads name and verified ID number from a temporary ID certificate', async () => {
    const person = SAMPLE_PEOPLE.wangXiaoming;
    const out = await readIdentityFromPage(ocr, await page(renderSampleDocument({ kind: 'temporaryIdCertificate', person, dpi: 200 }).png));
    expect(out).toMatchObject({ ok: true, payload: { name: { value: person.name }, idNumber: { value: person.idNumber, corrected: false, birthDate: '1990-03-07', sex: 'male' }, problems: [] } });
  });

  it('(a) says what is missing on a page that is not an identity document', async () => {
    const out = await readIdentityFromPage(ocr, await page(renderSampleDocument({ kind: 'prosePage', dpi: 200 }).png));
    expect(out).toMatchObject({ ok: true, payload: { name: null, idNumber: null, problems: ['nameNotFound', 'idNumberNotFound'] } });
  });

  it('(b) finds the citizen on a residence certificate, and not someone else', async () => {
    const person = SAMPLE_PEOPLE.zhaoJing;
    const pages = [await page(renderSampleDocument({ kind: 'residenceCertificate', person, dpi: 200 }).png)];
    expect(await checkDocumentPages(ocr, pages, { name: person.name, idNumber: person.idNumber })).toMatchObject({ ok: true, payload: { found: true, problems: [], idNumber: { found: true, exact: true } } });
    const other = SAMPLE_PEOPLE.liHong;
    expect(await checkDocumentPages(ocr, pages, { name: other.name, idNumber: other.idNumber })).toMatchObject({
      ok: true,
      payload: { found: false, name: { found: false }, idNumber: { found: false }, problems: ['nameNotFound', 'idNumberNotFound'] },
    });
  });

  it('(b) reports a blank scan as having no text', async () => {
    const pages = [await page(renderSampleDocument({ kind: 'blankPage', dpi: 100 }).png)];
    expect(await checkDocumentPages(ocr, pages, { name: '王小明', idNumber: SAMPLE_PEOPLE.wangXiaoming.idNumber })).toMatchObject({
      ok: true,
      payload: { found: false, problems: ['noTextFound', 'nameNotFound', 'idNumberNotFound'] },
    });
  });
});

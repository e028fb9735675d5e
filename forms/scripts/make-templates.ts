// Makes the A4 template.pdf of every package under forms/packages from its definition, and writes
// the matching `pdf` mapping back into definition.json, so template and mapping never disagree.
// Run: npx tsx forms/scripts/make-templates.ts [package-id ...]
//
// Layout: title, reference and QR code at the top; one titled block per section; fields in a
// two-column grid of labelled boxes (Chinese label over a small English one); few-option choices
// as checkboxes; repeating groups as a table; multi-line text as a free-text box; declaration,
// signature, date and terminal id at the end. Fields are real AcroForm fields.
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PDFDocument, rgb, type PDFFont, type PDFPage } from '@cantoo/pdf-lib';
import * as fontkit from 'fontkit';
import { defaultMainFontPath } from '../src/fill.ts';
import type { Field, FieldTarget, FormPackageDefinition, I18nText, PdfMapping, ScalarField } from '@onevisit/protocol';
import { parseDefinition } from '../src/load.ts';

const MM = 72 / 25.4;
const PAGE_W = 210;
const PAGE_H = 297;
const MARGIN = 15;
const CONTENT_W = PAGE_W - 2 * MARGIN;
const ROW_H = 10;
const LABEL_W = 30;
const GRID_GAP = 0;
const COL_W = (CONTENT_W - GRID_GAP) / 2;
const FOOTER_H = 46;
const LINE = rgb(0.35, 0.35, 0.35);
const SHADE = rgb(0.9, 0.92, 0.95);
const CN_NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

interface Ctx {
  readonly doc: PDFDocument;
  readonly font: PDFFont;
  page: PDFPage;
  pageNo: number;
  y: number; // mm from the top
  readonly fields: Record<string, FieldTarget>;
}

function pdfY(ctx: Ctx, yMm: number): number {
  return ctx.page.getHeight() - yMm * MM;
}

/** Draws text in one line, shrinking it to fit maxWidthMm. */
function text(ctx: Ctx, s: string, xMm: number, yMm: number, sizePt: number, maxWidthMm?: number, color = rgb(0, 0, 0)): void {
  let size = sizePt;
  if (maxWidthMm !== undefined) {
    const w = ctx.font.widthOfTextAtSize(s, size);
    if (w > maxWidthMm * MM) size = Math.max(4, (size * maxWidthMm * MM) / w);
  }
  ctx.page.drawText(s, { x: xMm * MM, y: pdfY(ctx, yMm), size, font: ctx.font, color });
}

function box(ctx: Ctx, xMm: number, yMm: number, wMm: number, hMm: number, fill?: ReturnType<typeof rgb>): void {
  ctx.page.drawRectangle({
    x: xMm * MM,
    y: pdfY(ctx, yMm + hMm),
    width: wMm * MM,
    height: hMm * MM,
    borderColor: LINE,
    borderWidth: 0.6,
    ...(fill !== undefined ? { color: fill } : {}),
  });
}

function label(ctx: Ctx, t: I18nText, xMm: number, yMm: number, wMm: number, hMm: number, required: boolean): void {
  box(ctx, xMm, yMm, wMm, hMm, SHADE);
  const zh = required ? `${t['zh-CN']}*` : t['zh-CN'];
  text(ctx, zh, xMm + 1.5, yMm + hMm / 2 - 0.2, 9, wMm - 3);
  text(ctx, t.en, xMm + 1.5, yMm + hMm / 2 + 3.2, 5.5, wMm - 3, rgb(0.3, 0.3, 0.3));
}

function newPage(ctx: Ctx): void {
  ctx.page = ctx.doc.addPage([PAGE_W * MM, PAGE_H * MM]);
  ctx.pageNo += 1;
  ctx.y = MARGIN;
}

function ensure(ctx: Ctx, hMm: number): void {
  if (ctx.y + hMm > PAGE_H - MARGIN) newPage(ctx);
}

function textField(ctx: Ctx, name: string, xMm: number, yMm: number, wMm: number, hMm: number): void {
  const form = ctx.doc.getForm();
  const tf = form.createTextField(name);
  tf.addToPage(ctx.page, {
    x: xMm * MM,
    y: pdfY(ctx, yMm + hMm),
    width: wMm * MM,
    height: hMm * MM,
    borderWidth: 0,
    font: ctx.font,
  });
  tf.setFontSize(10);
}

function checkbox(ctx: Ctx, name: string, xMm: number, yMm: number): void {
  const cb = ctx.doc.getForm().createCheckBox(name);
  cb.addToPage(ctx.page, { x: xMm * MM, y: pdfY(ctx, yMm + 3.2), width: 3.2 * MM, height: 3.2 * MM, borderWidth: 0.6, borderColor: LINE });
}

function optionText(o: { label: I18nText }): string {
  return `${o.label['zh-CN']} ${o.label.en}`;
}

/** Width in mm that a row of checkbox options needs. */
function optionsWidth(ctx: Ctx, field: ScalarField): number {
  if (field.type === 'yesNo') return 30;
  if (field.type !== 'choice' && field.type !== 'multiChoice') return Infinity;
  return field.options.reduce((sum, o) => sum + 6 + ctx.font.widthOfTextAtSize(optionText(o), 8) / MM + 3, 2);
}

function drawOptions(ctx: Ctx, field: ScalarField, xMm: number, yMm: number): void {
  const options =
    field.type === 'yesNo'
      ? [
          { value: 'yes', label: { 'zh-CN': '是', en: 'Yes' } },
          { value: 'no', label: { 'zh-CN': '否', en: 'No' } },
        ]
      : field.type === 'choice' || field.type === 'multiChoice'
        ? field.options
        : [];
  let x = xMm + 2;
  const mapping: Record<string, string> = {};
  for (const o of options) {
    const name = `${field.id}_${o.value}`;
    checkbox(ctx, name, x, yMm + ROW_H / 2 - 1.6);
    text(ctx, optionText(o), x + 4.5, yMm + ROW_H / 2 + 1.2, 8);
    x += 6 + ctx.font.widthOfTextAtSize(optionText(o), 8) / MM + 3;
    mapping[o.value] = name;
  }
  ctx.fields[field.id] = { acroCheckboxes: mapping };
}

function isFullWidth(ctx: Ctx, field: Field): boolean {
  if (field.type === 'group' || field.type === 'address') return true;
  if (field.type === 'text' && (field.multiline === true || (field.maxLength ?? 20) > 30)) return true;
  const ow = optionsWidth(ctx, field);
  return ow !== Infinity && ow > COL_W - LABEL_W;
}

function drawScalar(ctx: Ctx, field: ScalarField, xMm: number, wMm: number): void {
  const yMm = ctx.y;
  label(ctx, field.label, xMm, yMm, LABEL_W, ROW_H, field.required === true);
  const vx = xMm + LABEL_W;
  const vw = wMm - LABEL_W;
  box(ctx, vx, yMm, vw, ROW_H);
  const ow = optionsWidth(ctx, field);
  if (ow <= vw) {
    drawOptions(ctx, field, vx, yMm);
    return;
  }
  textField(ctx, field.id, vx + 0.5, yMm + 0.5, vw - 1, ROW_H - 1);
  ctx.fields[field.id] = { acroField: field.id };
}

function drawMultiline(ctx: Ctx, field: ScalarField): void {
  const h = 22;
  ensure(ctx, h);
  label(ctx, field.label, MARGIN, ctx.y, LABEL_W, h, field.required === true);
  box(ctx, MARGIN + LABEL_W, ctx.y, CONTENT_W - LABEL_W, h);
  // Free text (no AcroForm field): wrapped by the filler inside this box.
  ctx.fields[field.id] = {
    text: { page: ctx.pageNo, xMm: MARGIN + LABEL_W + 0.5, yMm: ctx.y + 0.5, widthMm: CONTENT_W - LABEL_W - 1, heightMm: h - 1, fontSizePt: 10 },
  };
  ctx.y += h;
}

function columnWidths(fields: readonly ScalarField[]): number[] {
  const weight = (f: ScalarField): number =>
    f.type === 'idNumber' ? 46 : f.type === 'yesNo' ? 18 : f.type === 'choice' ? 24 : f.type === 'date' ? 26 : 30;
  const total = fields.reduce((s, f) => s + weight(f), 0);
  return fields.map((f) => (weight(f) * (CONTENT_W - 8)) / total);
}

function drawGroup(ctx: Ctx, field: Extract<Field, { type: 'group' }>): void {
  const rows = field.maxItems ?? 5;
  const headH = 10;
  const rowH = 8;
  ensure(ctx, headH + rows * rowH + 6);
  text(ctx, `${field.label['zh-CN']}  ${field.label.en}`, MARGIN, ctx.y + 4, 9);
  ctx.y += 6;
  const widths = columnWidths(field.fields);
  let x = MARGIN;
  label(ctx, { 'zh-CN': '序号', en: 'No.' }, x, ctx.y, 8, headH, false);
  x += 8;
  field.fields.forEach((sub, i) => {
    const w = widths[i] ?? 20;
    label(ctx, sub.label, x, ctx.y, w, headH, sub.required === true);
    x += w;
  });
  ctx.y += headH;
  for (let n = 1; n <= rows; n++) {
    x = MARGIN;
    box(ctx, x, ctx.y, 8, rowH);
    text(ctx, String(n), x + 3, ctx.y + rowH / 2 + 1.2, 8);
    x += 8;
    field.fields.forEach((sub, i) => {
      const w = widths[i] ?? 20;
      box(ctx, x, ctx.y, w, rowH);
      textField(ctx, `${field.id}_${n}_${sub.id}`, x + 0.5, ctx.y + 0.5, w - 1, rowH - 1);
      x += w;
    });
    ctx.y += rowH;
  }
  for (const sub of field.fields) ctx.fields[`${field.id}.${sub.id}`] = { acroField: `${field.id}_{n}_${sub.id}` };
}

async function makeTemplate(def: FormPackageDefinition, fontBytes: Uint8Array): Promise<{ pdf: Uint8Array; mapping: PdfMapping }> {
  const doc = await PDFDocument.create();
  doc.registerFontkit({ create: (b: Uint8Array, n?: string) => fontkit.create(b, n) });
  doc.setTitle(`${def.title['zh-CN']} ${def.title.en}`);
  doc.setCreator('OneVisit forms/scripts/make-templates.ts');
  doc.setProducer('OneVisit');
  const font = await doc.embedFont(fontBytes, { subset: true, customName: 'OVTMPL+NotoSansSC-Regular' });
  const page = doc.addPage([PAGE_W * MM, PAGE_H * MM]);
  const ctx: Ctx = { doc, font, page, pageNo: 1, y: MARGIN, fields: {} };

  // Heading, reference, QR code.
  const title = def.title['zh-CN'];
  const titleW = font.widthOfTextAtSize(title, 18) / MM;
  text(ctx, title, MARGIN + (CONTENT_W - 30 - titleW) / 2, 22, 18);
  const en = def.title.en;
  const enW = Math.min(CONTENT_W - 34, font.widthOfTextAtSize(en, 10) / MM);
  text(ctx, en, MARGIN + (CONTENT_W - 30 - enW) / 2, 29, 10, CONTENT_W - 34);
  if (def.department !== undefined) {
    const dep = `受理部门 Authority: ${def.department['zh-CN']} ${def.department.en}`;
    text(ctx, dep, MARGIN, 37, 8, CONTENT_W - 34, rgb(0.25, 0.25, 0.25));
  }
  text(ctx, '申请编号 Ref. No.', MARGIN, 43.5, 9);
  box(ctx, MARGIN + 28, 39, 60, 6.5);
  const reference = { page: 1, xMm: MARGIN + 28.5, yMm: 39.25, widthMm: 59, heightMm: 6, fontSizePt: 10 };
  const qrCode = { page: 1, xMm: PAGE_W - MARGIN - 28, yMm: 12, sizeMm: 28 };
  box(ctx, qrCode.xMm, qrCode.yMm, qrCode.sizeMm, qrCode.sizeMm);
  ctx.y = 50;

  def.sections.forEach((section, si) => {
    ensure(ctx, 8 + ROW_H);
    box(ctx, MARGIN, ctx.y, CONTENT_W, 7, rgb(0.82, 0.86, 0.92));
    text(ctx, `${CN_NUMERALS[si] ?? String(si + 1)}、${section.title['zh-CN']}  ${section.title.en}`, MARGIN + 2, ctx.y + 5, 10);
    ctx.y += 7;
    let column = 0;
    for (const field of section.fields) {
      if (field.type === 'group') {
        if (column === 1) ctx.y += ROW_H;
        column = 0;
        ctx.y += 1;
        drawGroup(ctx, field);
        continue;
      }
      if (field.type === 'text' && field.multiline === true) {
        if (column === 1) ctx.y += ROW_H;
        column = 0;
        drawMultiline(ctx, field);
        continue;
      }
      if (isFullWidth(ctx, field)) {
        if (column === 1) ctx.y += ROW_H;
        column = 0;
        ensure(ctx, ROW_H);
        drawScalar(ctx, field, MARGIN, CONTENT_W);
        ctx.y += ROW_H;
        continue;
      }
      if (column === 0) ensure(ctx, ROW_H);
      drawScalar(ctx, field, MARGIN + column * (COL_W + GRID_GAP), COL_W);
      if (column === 1) ctx.y += ROW_H;
      column = 1 - column;
    }
    if (column === 1) ctx.y += ROW_H;
    ctx.y += 4;
  });

  // Declaration, signature, date, terminal.
  ensure(ctx, FOOTER_H);
  const top = ctx.y;
  box(ctx, MARGIN, top, CONTENT_W, FOOTER_H);
  text(ctx, '申请人承诺：本人所填信息及提交材料真实、准确、完整，如有虚假，愿承担相应法律责任。', MARGIN + 3, top + 7, 9.5, CONTENT_W - 6);
  text(ctx, 'I declare that the information given and the documents submitted are true, accurate and complete.', MARGIN + 3, top + 12, 7, CONTENT_W - 6, rgb(0.3, 0.3, 0.3));
  text(ctx, '申请人签名 Signature', MARGIN + 3, top + 22, 9);
  const signature = { page: ctx.pageNo, xMm: MARGIN + 40, yMm: top + 15, widthMm: 60, heightMm: 20 };
  box(ctx, signature.xMm, signature.yMm, signature.widthMm, signature.heightMm);
  text(ctx, '申请日期 Date', MARGIN + 108, top + 22, 9);
  const date = { page: ctx.pageNo, xMm: MARGIN + 132, yMm: top + 17.5, widthMm: 45, heightMm: 6, fontSizePt: 10 };
  text(ctx, '终端编号 Terminal', MARGIN + 108, top + 32, 9);
  const terminalId = { page: ctx.pageNo, xMm: MARGIN + 138, yMm: top + 27.5, widthMm: 39, heightMm: 6, fontSizePt: 9 };
  text(ctx, '本表由政务服务自助终端打印，二维码为申请编号，咨询办理情况时请出示。', MARGIN + 3, top + FOOTER_H - 4, 7.5, CONTENT_W - 6, rgb(0.3, 0.3, 0.3));

  // Page numbers.
  const pages = doc.getPages();
  pages.forEach((p, i) => {
    ctx.page = p;
    text(ctx, `第 ${i + 1} 页 / 共 ${pages.length} 页`, PAGE_W / 2 - 10, PAGE_H - 8, 8, undefined, rgb(0.4, 0.4, 0.4));
  });

  doc.getForm().updateFieldAppearances(font);
  const pdf = await doc.save({ useObjectStreams: true });
  return { pdf, mapping: { fields: ctx.fields, signature, reference, qrCode, date, terminalId } };
}

async function main(): Promise<void> {
  const root = fileURLToPath(new URL('../packages/', import.meta.url));
  const only = process.argv.slice(2);
  const fontBytes = new Uint8Array(await readFile(defaultMainFontPath()));
  for (const entry of (await readdir(root, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory() || (only.length > 0 && !only.includes(entry.name))) continue;
    const defFile = join(root, entry.name, 'definition.json');
    const json = JSON.parse(await readFile(defFile, 'utf8')) as Record<string, unknown>;
    const def = parseDefinition(json, defFile);
    const { pdf, mapping } = await makeTemplate(def, fontBytes);
    await writeFile(join(root, entry.name, 'template.pdf'), pdf);
    const out = { ...json, pdf: mapping };
    await writeFile(defFile, `${JSON.stringify(out, null, 2)}\n`);
    console.log(`${entry.name}: template.pdf (${pdf.length} bytes, ${Object.keys(mapping.fields).length} mapped fields)`);
  }
}

await main();

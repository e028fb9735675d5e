import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import {
  PDFCheckBox,
  PDFDocument,
  PDFDropdown,
  PDFOptionList,
  PDFRadioGroup,
  PDFRef,
  PDFTextField,
  rgb,
  type PDFField,
  type PDFFont,
  type PDFObject,
  type PDFPage,
} from '@cantoo/pdf-lib';
import * as fontkit from 'fontkit';
import QRCode from 'qrcode';

type Fontkit = Parameters<PDFDocument['registerFontkit']>[0];
type Font = Extract<Awaited<ReturnType<Fontkit['create']>>, { unitsPerEm: number }>;
import {
  validateAnswers,
  type AnswerValue,
  type Answers,
  type Field,
  type FieldTarget,
  type FieldValidationError,
  type Language,
  type Position,
  type ScalarField,
} from '@onevisit/protocol';
import type { FormPackage } from './format.ts';
import { splitRuns, wrapText } from './text-layout.ts';

/*
 * Why @cantoo/pdf-lib + fontkit 2 (measured, ../shared/STACK-NOTES.md): pdf-lib 1.17's subsetter
 * corrupts glyphs of Noto Sans SC and leaves dangling annotation references after flatten();
 * the maintained fork with fontkit 2 subsets correctly. We always subset (full embeds are
 * 2–14 MB and slow), draw text ourselves (pdf-lib wraps only at spaces and uses one font per
 * field), and flatten so no viewer has to regenerate appearances.
 */

const MM_TO_PT = 72 / 25.4;
const DEFAULT_FONT_SIZE_PT = 10;
const LINE_HEIGHT = 1.25;
const PADDING_PT = 2;
/** Text that does not fit its box may shrink to this share of its size, never further. */
const MIN_SHRINK = 0.7;

export const FILL_ERROR_CODES = [
  'missingGlyph',
  'textOverflow',
  'missingPdfField',
  'wrongPdfFieldType',
  'invalidAnswers',
  'badTemplate',
  'badSignature',
  'fontUnavailable',
] as const;
export type FillErrorCode = (typeof FILL_ERROR_CODES)[number];

/** A fill failure. Messages name the package and field, never the citizen's value. */
export class FillError extends Error {
  override readonly name = 'FillError';
  constructor(
    readonly code: FillErrorCode,
    message: string,
    readonly details: {
      readonly formId?: string;
      readonly field?: string;
      readonly codePoint?: number;
      readonly errors?: readonly FieldValidationError[];
    } = {},
  ) {
    super(message);
  }
}

export interface FillerOptions {
  /** A TrueType/OpenType face for all text. Default: Noto Sans SC Regular from npm. */
  readonly mainFontPath?: string;
  /**
   * Faces tried in order for characters the main font lacks (生僻字, CJK Ext-B and beyond).
   * Default: Debian's fonts-hanazono (HanaMinA, HanaMinB) where installed; see DEFAULT_FALLBACK_FONT_PATHS.
   */
  readonly fallbackFontPaths?: readonly string[];
}

export interface FillExtras {
  /** Application reference number, printed and encoded in the QR code. */
  readonly reference: string;
  readonly terminalId: string;
  /** Date of the application, YYYY-MM-DD (also "today" for date-range validation). */
  readonly dateIso: string;
  /** The on-screen signature as PNG bytes. */
  readonly signaturePng?: Uint8Array;
  /** Language for choice labels, yes/no and dates. */
  readonly language: Language;
}

export interface LoadedFont {
  readonly path: string;
  readonly postscriptName: string;
}

export interface Filler {
  /** Fills, draws and flattens; returns the PDF bytes. Throws FillError. */
  fill(pkg: FormPackage, answers: Answers, extras: FillExtras): Promise<Uint8Array>;
  /** The faces in use, main first. */
  readonly fonts: readonly LoadedFont[];
  /** Fallback paths asked for (or defaulted) that were not found: shown in errors and ops output. */
  readonly missingFallbacks: readonly string[];
}

export const DEFAULT_FALLBACK_FONT_PATHS: readonly string[] = [
  '/usr/share/fonts/truetype/hanazono/HanaMinA.ttf',
  '/usr/share/fonts/truetype/hanazono/HanaMinB.ttf',
];

export function defaultMainFontPath(): string {
  const require = createRequire(import.meta.url);
  return require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');
}

interface FontFace {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly font: Font;
  readonly covers: (codePoint: number) => boolean;
}

function parseFace(path: string, bytes: Uint8Array): FontFace {
  const parsed = fontkit.create(bytes);
  if (parsed === null || 'fonts' in parsed) {
    throw new FillError('fontUnavailable', `${path}: not a single TrueType/OpenType face (collections need one face picked)`);
  }
  const font = parsed;
  // hasGlyphForCodePoint is a cmap lookup: the same answer as getCharacterSet() without
  // materialising 60 000-entry arrays for the big fallback faces.
  const hasGlyph = (font as Font & { hasGlyphForCodePoint?: (cp: number) => boolean }).hasGlyphForCodePoint;
  const covers =
    hasGlyph !== undefined
      ? (cp: number): boolean => hasGlyph.call(font, cp)
      : (() => {
          const set = new Set(font.characterSet);
          return (cp: number): boolean => set.has(cp);
        })();
  return { path, bytes, font, covers };
}

/** PDF subset tag (ISO 32000-1 §9.6.4): six capitals and a plus before the font name. */
function subsetTag(): string {
  return [...randomBytes(6)].map((b) => String.fromCharCode(65 + (b % 26))).join('');
}

/**
 * Creates a filler. Fonts are read and parsed ONCE here and kept in memory: every later fill
 * reuses the parsed faces (and fontkit's glyph caches) and only subsets what it uses.
 */
export async function createFiller(options: FillerOptions = {}): Promise<Filler> {
  const mainPath = options.mainFontPath ?? defaultMainFontPath();
  let mainBytes: Uint8Array;
  try {
    mainBytes = new Uint8Array(await readFile(mainPath));
  } catch {
    throw new FillError('fontUnavailable', `main font not readable: ${mainPath}`);
  }
  const faces: FontFace[] = [parseFace(mainPath, mainBytes)];
  const wanted = options.fallbackFontPaths ?? DEFAULT_FALLBACK_FONT_PATHS;
  const missingFallbacks: string[] = [];
  for (const path of wanted) {
    if (!existsSync(path)) {
      missingFallbacks.push(path);
      continue;
    }
    faces.push(parseFace(path, new Uint8Array(await readFile(path))));
  }
  // pdf-lib calls fontkit.create(bytes) on every embed; hand it the face parsed above instead.
  const parsedByBytes = new Map<Uint8Array, Font>(faces.map((f) => [f.bytes, f.font]));
  const cachedFontkit: Fontkit = {
    create: (bytes: Uint8Array, postscriptName?: string) => parsedByBytes.get(bytes) ?? fontkit.create(bytes, postscriptName),
  };
  const fonts = faces.map((f) => ({ path: f.path, postscriptName: f.font.postscriptName ?? 'Font' }));
  return {
    fonts,
    missingFallbacks,
    fill: (pkg, answers, extras) => fillDocument(pkg, answers, extras, faces, cachedFontkit, missingFallbacks),
  };
}

// ---------------------------------------------------------------------------------------------

/** One document being filled: lazily embeds the faces it needs, measures with caches. */
class DocFonts {
  private readonly embedded = new Map<number, PDFFont>();
  private readonly widthCache = new Map<string, number>();
  /** The font each page draws with now: pdf-lib adds a font resource on every setFont (issue 11). */
  private readonly pageFont = new Map<PDFPage, PDFFont>();

  constructor(
    private readonly doc: PDFDocument,
    private readonly faces: readonly FontFace[],
  ) {}

  readonly covers = (): readonly ((cp: number) => boolean)[] => this.faces.map((f) => f.covers);

  async font(index: number): Promise<PDFFont> {
    const known = this.embedded.get(index);
    if (known !== undefined) return known;
    const face = this.faces[index];
    if (face === undefined) throw new FillError('fontUnavailable', `no font #${index}`);
    const name = face.font.postscriptName ?? 'Font';
    const font = await this.doc.embedFont(face.bytes, { subset: true, customName: `${subsetTag()}+${name}` });
    this.embedded.set(index, font);
    return font;
  }

  /**
   * Makes `font` the page's current font. pdf-lib's drawText with a `font` option adds a new entry
   * to the page's /Font resources each call, after a scan of the entries already there: with
   * thousands of fields on a page that was quadratic. Set it only when it changes.
   */
  useFont(page: PDFPage, font: PDFFont): void {
    if (this.pageFont.get(page) === font) return;
    page.setFont(font);
    this.pageFont.set(page, font);
  }

  /** Width in points of text at a size; characters no face covers measure as one em. */
  widthOf(text: string, sizePt: number): number {
    let total = 0;
    for (const ch of text) {
      const key = ch;
      let w = this.widthCache.get(key);
      if (w === undefined) {
        const cp = ch.codePointAt(0) ?? 0;
        const face = this.faces.find((f) => f.covers(cp)) ?? this.faces[0];
        const glyph = face?.font.glyphForCodePoint(cp);
        w = glyph !== undefined && glyph !== null && face !== undefined ? glyph.advanceWidth / face.font.unitsPerEm : 1;
        this.widthCache.set(key, w);
      }
      total += w * sizePt;
    }
    return total;
  }
}

interface Rect {
  readonly page: PDFPage;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

function rectFromPosition(doc: PDFDocument, pos: Position | { page: number; xMm: number; yMm: number; widthMm: number; heightMm?: number }, sizePt: number, where: string): Rect {
  const page = doc.getPages()[pos.page - 1];
  if (page === undefined) throw new FillError('badTemplate', `${where}: the template has no page ${pos.page}`);
  const height = pos.heightMm !== undefined ? pos.heightMm * MM_TO_PT : sizePt * LINE_HEIGHT + 2 * PADDING_PT;
  const top = page.getHeight() - pos.yMm * MM_TO_PT;
  return { page, x: pos.xMm * MM_TO_PT, y: top - height, width: pos.widthMm * MM_TO_PT, height };
}

function formatDate(iso: string, language: Language): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (m === null) return iso;
  return language === 'zh-CN' ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : iso;
}

/** The printed text of an answer. */
export function displayValue(field: Field | ScalarField, value: AnswerValue | undefined, language: Language): string {
  if (value === undefined || value === null) return '';
  const scalar = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
  switch (field.type) {
    case 'choice':
      return field.options.find((o) => o.value === value)?.label[language] ?? scalar;
    case 'multiChoice': {
      const values = Array.isArray(value) ? value : [value];
      return values
        .map((v) => (typeof v === 'string' ? (field.options.find((o) => o.value === v)?.label[language] ?? v) : ''))
        .join(language === 'zh-CN' ? '、' : ', ');
    }
    case 'yesNo':
      return value === true ? (language === 'zh-CN' ? '是' : 'Yes') : language === 'zh-CN' ? '否' : 'No';
    case 'date':
      return typeof value === 'string' ? formatDate(value, language) : '';
    case 'number':
      return `${scalar}${field.unit !== undefined ? ` ${field.unit[language]}` : ''}`;
    case 'group':
      return '';
    case 'text':
    case 'address':
    case 'phone':
    case 'idNumber':
      return scalar;
    default: {
      const never: never = field;
      return never;
    }
  }
}

/** Draws wrapped text into a rectangle with per-run font fallback. */
async function drawTextInRect(
  fonts: DocFonts,
  rect: Rect,
  text: string,
  sizePt: number,
  where: { formId: string; field: string },
): Promise<void> {
  if (text === '') return;
  const innerWidth = Math.max(1, rect.width - 2 * PADDING_PT);
  const innerHeight = Math.max(1, rect.height - 2 * PADDING_PT);
  let size = sizePt;
  let lines = wrapText(text, (s) => fonts.widthOf(s, size), innerWidth);
  while (lines.length * size * LINE_HEIGHT > innerHeight + size * (LINE_HEIGHT - 1) && size > sizePt * MIN_SHRINK) {
    size = Math.max(sizePt * MIN_SHRINK, size - 0.5);
    lines = wrapText(text, (s) => fonts.widthOf(s, size), innerWidth);
  }
  const blockHeight = lines.length * size * LINE_HEIGHT - size * (LINE_HEIGHT - 1);
  if (blockHeight > innerHeight + 0.01) {
    throw new FillError('textOverflow', `${where.formId}: the answer to "${where.field}" does not fit its box on the PDF`, where);
  }
  // One line sits in the middle of its box; several start at the top.
  const ascent = size * 0.88;
  let baseline =
    lines.length === 1 ? rect.y + (rect.height - size) / 2 + size * 0.14 : rect.y + rect.height - PADDING_PT - ascent;
  const covers = fonts.covers();
  for (const line of lines) {
    let x = rect.x + PADDING_PT;
    const split = splitRuns(line, covers);
    if ('missing' in split) {
      const hex = split.missing.toString(16).toUpperCase().padStart(4, '0');
      throw new FillError(
        'missingGlyph',
        `${where.formId}: no font covers character U+${hex} in field "${where.field}"`,
        { ...where, codePoint: split.missing },
      );
    }
    for (const run of split.runs) {
      fonts.useFont(rect.page, await fonts.font(run.fontIndex));
      rect.page.drawText(run.text, { x, y: baseline, size, color: rgb(0, 0, 0) });
      x += fonts.widthOf(run.text, size);
    }
    baseline -= size * LINE_HEIGHT;
  }
}

function fontSizeFromDa(da: string | undefined, heightPt: number): number {
  const m = da === undefined ? null : /(\d+(?:\.\d+)?)\s+Tf/.exec(da);
  const size = m?.[1] !== undefined ? Number(m[1]) : 0;
  if (size > 0) return size;
  return Math.min(DEFAULT_FONT_SIZE_PT, Math.max(6, (heightPt - 2 * PADDING_PT) / LINE_HEIGHT));
}

function widgetRects(doc: PDFDocument, index: FormIndex, field: PDFField): Rect[] {
  const out: Rect[] = [];
  for (const widget of field.acroField.getWidgets()) {
    const pageRef = widget.P();
    let page = pageRef === undefined ? undefined : index.pageByRef.get(pageRef);
    if (page === undefined) {
      // A widget without /P: find the page whose /Annots lists it (one pass over all pages, once).
      const ref = doc.context.getObjectRef(widget.dict);
      page = ref === undefined ? undefined : index.pageOfAnnot(ref);
    }
    if (page === undefined) continue;
    const r = widget.getRectangle();
    out.push({ page, x: r.x, y: r.y, width: r.width, height: r.height });
  }
  return out;
}

/**
 * The template's fields by name and pages by reference, built once per fill. pdf-lib's
 * form.getFieldMaybe(name) builds every field object and compares every name on each call, so
 * looking fields up one by one was quadratic: 5,000 fields took 70.8 s to preview (issue 11).
 */
interface FormIndex {
  readonly fieldByName: ReadonlyMap<string, PDFField>;
  readonly pageByRef: ReadonlyMap<PDFRef, PDFPage>;
  readonly pageOfAnnot: (ref: PDFRef) => PDFPage | undefined;
}

function indexForm(doc: PDFDocument): FormIndex {
  const fieldByName = new Map<string, PDFField>();
  for (const field of doc.getForm().getFields()) {
    const name = field.getName();
    if (!fieldByName.has(name)) fieldByName.set(name, field); // the first of equal names, as getFieldMaybe
  }
  let byAnnot: Map<PDFRef, PDFPage> | undefined;
  const pageOfAnnot = (ref: PDFRef): PDFPage | undefined => {
    if (byAnnot === undefined) {
      const map = new Map<PDFRef, PDFPage>();
      for (const page of doc.getPages()) {
        for (const annot of page.node.Annots()?.asArray() ?? []) if (annot instanceof PDFRef && !map.has(annot)) map.set(annot, page);
      }
      byAnnot = map;
    }
    return byAnnot.get(ref);
  };
  return { fieldByName, pageByRef: new Map(doc.getPages().map((page) => [page.ref, page])), pageOfAnnot };
}

interface Placement {
  readonly key: string; // mapping key: field id or group.sub
  readonly label: string; // for errors: path such as family[1].name
  readonly field: ScalarField | Field;
  readonly value: AnswerValue | undefined;
  readonly row?: number; // 0-based group row
}

function placementsOf(pkg: FormPackage, answers: Answers): Placement[] {
  const out: Placement[] = [];
  for (const section of pkg.definition.sections) {
    for (const field of section.fields) {
      const value = answers[field.id];
      if (field.type !== 'group') {
        out.push({ key: field.id, label: field.id, field, value });
        continue;
      }
      const rows = Array.isArray(value) ? value : [];
      rows.forEach((row, index) => {
        if (typeof row !== 'object' || row === null) return;
        for (const sub of field.fields) {
          out.push({
            key: `${field.id}.${sub.id}`,
            label: `${field.id}[${index}].${sub.id}`,
            field: sub,
            value: row[sub.id],
            row: index,
          });
        }
      });
    }
  }
  return out;
}

/** Sets checkboxes, radios and dropdowns now; queues text drawing in `later` (after flatten). */
function place(
  doc: PDFDocument,
  index: FormIndex,
  fonts: DocFonts,
  pkg: FormPackage,
  p: Placement,
  target: FieldTarget,
  language: Language,
  later: (() => Promise<void>)[],
): void {
  const formId = pkg.definition.id;
  const where = { formId, field: p.label };
  const acroName = (name: string): string => name.replaceAll('{n}', String((p.row ?? 0) + 1));
  const getField = (name: string): PDFField => {
    const f = index.fieldByName.get(acroName(name));
    if (f === undefined) {
      throw new FillError('missingPdfField', `${formId}: PDF field "${acroName(name)}" (for "${p.label}") is not in the template`, where);
    }
    return f;
  };
  if ('text' in target) {
    const size = target.text.fontSizePt ?? DEFAULT_FONT_SIZE_PT;
    const pos = { ...target.text, yMm: target.text.yMm + (p.row ?? 0) * (target.rowStepMm ?? 0) };
    const rect = rectFromPosition(doc, pos, size, `${formId} "${p.label}"`);
    later.push(() => drawTextInRect(fonts, rect, displayValue(p.field, p.value, language), size, where));
    return;
  }
  if ('acroCheckboxes' in target) {
    const selected: string[] =
      p.field.type === 'yesNo'
        ? [p.value === true ? 'yes' : p.value === false ? 'no' : '']
        : Array.isArray(p.value)
          ? p.value.filter((v): v is string => typeof v === 'string')
          : typeof p.value === 'string'
            ? [p.value]
            : [];
    for (const [option, name] of Object.entries(target.acroCheckboxes)) {
      const box = getField(name);
      if (!(box instanceof PDFCheckBox)) {
        throw new FillError('wrongPdfFieldType', `${formId}: PDF field "${acroName(name)}" (for "${p.label}") is not a checkbox`, where);
      }
      if (selected.includes(option)) box.check();
      else box.uncheck();
    }
    return;
  }
  const pdfField = getField(target.acroField);
  if (pdfField instanceof PDFTextField) {
    // Drawn after flatten: the widget's own appearance (often a white background) would cover it.
    for (const rect of widgetRects(doc, index, pdfField)) {
      const size = fontSizeFromDa(pdfField.acroField.getDefaultAppearance(), rect.height);
      later.push(() => drawTextInRect(fonts, rect, displayValue(p.field, p.value, language), size, where));
    }
    return;
  }
  if (pdfField instanceof PDFCheckBox) {
    const on = p.value === true || (typeof p.value === 'string' && p.value !== '') || (Array.isArray(p.value) && p.value.length > 0);
    if (on) pdfField.check();
    else pdfField.uncheck();
    return;
  }
  if (pdfField instanceof PDFRadioGroup) {
    if (typeof p.value === 'string' && pdfField.getOptions().includes(p.value)) pdfField.select(p.value);
    return;
  }
  if (pdfField instanceof PDFDropdown || pdfField instanceof PDFOptionList) {
    const values = Array.isArray(p.value) ? p.value.filter((v): v is string => typeof v === 'string') : typeof p.value === 'string' ? [p.value] : [];
    const options = pdfField.getOptions();
    const usable = values.filter((v) => options.includes(v));
    if (usable.length > 0) pdfField.select(usable);
    return;
  }
  throw new FillError('wrongPdfFieldType', `${formId}: PDF field "${acroName(target.acroField)}" (for "${p.label}") cannot take a value`, where);
}

function drawQr(page: PDFPage, text: string, xPt: number, topPt: number, sizePt: number): void {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const quiet = 2;
  const cell = sizePt / (n + 2 * quiet);
  for (let row = 0; row < n; row++) {
    let runStart = -1;
    for (let col = 0; col <= n; col++) {
      const dark = col < n && qr.modules.get(row, col) === 1;
      if (dark && runStart < 0) runStart = col;
      if (!dark && runStart >= 0) {
        page.drawRectangle({
          x: xPt + (quiet + runStart) * cell,
          y: topPt - (quiet + row + 1) * cell,
          width: (col - runStart) * cell,
          height: cell,
          color: rgb(0, 0, 0),
        });
        runStart = -1;
      }
    }
  }
}

async function fillDocument(
  pkg: FormPackage,
  answers: Answers,
  extras: FillExtras,
  faces: readonly FontFace[],
  fk: Fontkit,
  missingFallbacks: readonly string[],
): Promise<Uint8Array> {
  const def = pkg.definition;
  const result = validateAnswers(pkg, answers, { todayIso: extras.dateIso });
  if (!result.ok) {
    const first = result.errors[0];
    throw new FillError(
      'invalidAnswers',
      `${def.id}: ${result.errors.length} answer(s) invalid, first "${first?.path ?? '?'}" (${first?.code ?? '?'})`,
      { formId: def.id, errors: result.errors, ...(first !== undefined ? { field: first.path } : {}) },
    );
  }
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(pkg.template, { updateMetadata: false });
  } catch (e) {
    throw new FillError('badTemplate', `${def.id}: template PDF cannot be read (${e instanceof Error ? e.message : 'unknown'})`, { formId: def.id });
  }
  doc.registerFontkit(fk);
  const fonts = new DocFonts(doc, faces);
  const mainFont = await fonts.font(0);

  try {
    const later: (() => Promise<void>)[] = [];
    const index = indexForm(doc);
    for (const p of placementsOf(pkg, result.answers)) {
      const target = def.pdf.fields[p.key];
      if (target === undefined) continue;
      place(doc, index, fonts, pkg, p, target, extras.language, later);
    }
    // Checkboxes, radios and dropdowns get appearances drawn with the CJK font (the default
    // Helvetica cannot encode Chinese), then every field is flattened into page content, and
    // our own text goes on top.
    const form = doc.getForm();
    form.updateFieldAppearances(mainFont);
    flattenWithRefIndex(doc);
    removeDanglingAnnots(doc);
    for (const job of later) await job();

    const where = (field: string): { formId: string; field: string } => ({ formId: def.id, field });
    if (def.pdf.reference !== undefined) {
      const size = def.pdf.reference.fontSizePt ?? DEFAULT_FONT_SIZE_PT;
      await drawTextInRect(fonts, rectFromPosition(doc, def.pdf.reference, size, 'reference'), extras.reference, size, where('reference'));
    }
    if (def.pdf.date !== undefined) {
      const size = def.pdf.date.fontSizePt ?? DEFAULT_FONT_SIZE_PT;
      await drawTextInRect(fonts, rectFromPosition(doc, def.pdf.date, size, 'date'), formatDate(extras.dateIso, extras.language), size, where('date'));
    }
    if (def.pdf.terminalId !== undefined) {
      const size = def.pdf.terminalId.fontSizePt ?? DEFAULT_FONT_SIZE_PT;
      await drawTextInRect(fonts, rectFromPosition(doc, def.pdf.terminalId, size, 'terminalId'), extras.terminalId, size, where('terminalId'));
    }
    if (def.pdf.qrCode !== undefined) {
      const q = def.pdf.qrCode;
      const page = doc.getPages()[q.page - 1];
      if (page === undefined) throw new FillError('badTemplate', `${def.id}: qrCode is on page ${q.page}, which the template lacks`, where('qrCode'));
      drawQr(page, extras.reference, q.xMm * MM_TO_PT, page.getHeight() - q.yMm * MM_TO_PT, q.sizeMm * MM_TO_PT);
    }
    if (def.pdf.signature !== undefined && extras.signaturePng !== undefined) {
      let image;
      try {
        image = await doc.embedPng(extras.signaturePng);
      } catch {
        throw new FillError('badSignature', `${def.id}: the signature is not a readable PNG`, where('signature'));
      }
      const box = rectFromPosition(doc, def.pdf.signature, DEFAULT_FONT_SIZE_PT, 'signature');
      const scale = Math.min(box.width / image.width, box.height / image.height);
      const w = image.width * scale;
      const h = image.height * scale;
      box.page.drawImage(image, { x: box.x + (box.width - w) / 2, y: box.y + (box.height - h) / 2, width: w, height: h });
    }
  } catch (e) {
    if (e instanceof FillError && e.code === 'missingGlyph' && missingFallbacks.length > 0) {
      throw new FillError('missingGlyph', `${e.message}; fallback fonts not installed: ${missingFallbacks.join(', ')}`, e.details);
    }
    throw e;
  }

  return doc.save({ useObjectStreams: true });
}

/**
 * form.flatten, in time linear in the fields. pdf-lib's flatten removes each field after drawing it,
 * and finds each widget's reference with context.getObjectRef, which copies and scans every object
 * of the document: quadratic (issue 11). For the flatten, that lookup answers from a map of the
 * document's objects built once; an object not in the map (a widget written inline, not as its own
 * object) still gets pdf-lib's scan.
 */
function flattenWithRefIndex(doc: PDFDocument): void {
  const context = doc.context;
  const refOf = new Map<PDFObject, PDFRef>();
  for (const [ref, object] of context.enumerateIndirectObjects()) if (!refOf.has(object)) refOf.set(object, ref);
  const scan = context.getObjectRef.bind(context);
  // An own property shadows the prototype's method for this document only, and is removed after.
  context.getObjectRef = (object: PDFObject): PDFRef | undefined => refOf.get(object) ?? scan(object);
  try {
    doc.getForm().flatten({ updateFieldAppearances: false });
  } finally {
    Reflect.deleteProperty(context, 'getObjectRef');
  }
}

/** After flatten, drop /Annots entries that point at deleted objects (qpdf and poppler warn otherwise). */
function removeDanglingAnnots(doc: PDFDocument): void {
  for (const page of doc.getPages()) {
    const annots = page.node.Annots();
    if (annots === undefined) continue;
    for (let i = annots.size() - 1; i >= 0; i--) {
      const ref = annots.get(i);
      if (ref !== undefined && doc.context.lookup(ref) === undefined) annots.remove(i);
    }
  }
}

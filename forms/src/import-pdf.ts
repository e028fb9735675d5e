import {
  PDFCheckBox,
  PDFDocument,
  PDFDropdown,
  PDFHexString,
  PDFName,
  PDFOptionList,
  PDFRadioGroup,
  PDFString,
  PDFTextField,
  type PDFField,
} from '@cantoo/pdf-lib';
import { ID_PATTERN, type Field, type FieldTarget, type FormPackageDefinition, type I18nText } from '@onevisit/protocol';

export interface ImportedField {
  /** The AcroForm field name as found in the PDF. */
  readonly pdfName: string;
  readonly id: string;
  readonly type: Field['type'];
}

export interface ImportResult {
  readonly definition: FormPackageDefinition;
  readonly fields: readonly ImportedField[];
  /** Fields that cannot take an answer (push buttons, signature fields). */
  readonly skipped: readonly { readonly pdfName: string; readonly reason: string }[];
}

const TODO: I18nText = { 'zh-CN': '待补充', en: 'To be completed' };

/** A usable field id: the AcroForm name itself when possible, otherwise a sanitised form of it. */
export function fieldIdFor(pdfName: string, taken: Set<string>, index: number): string {
  let id = ID_PATTERN.test(pdfName) ? pdfName : pdfName.replace(/\[\d+\]/g, '').replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  if (id === '' || !/[A-Za-z0-9]/.test(id)) id = `field${index + 1}`;
  if (/^\d/.test(id)) id = `f_${id}`;
  id = id.slice(0, 60);
  let unique = id;
  for (let n = 2; taken.has(unique); n++) unique = `${id}_${n}`;
  taken.add(unique);
  return unique;
}

function tooltip(field: PDFField): string | undefined {
  const tu = field.acroField.dict.get(PDFName.of('TU'));
  if (tu instanceof PDFString || tu instanceof PDFHexString) {
    const s = tu.decodeText().trim();
    return s === '' ? undefined : s;
  }
  return undefined;
}

/** A form id from a file name: lowercase kebab-case. */
export function formIdFor(fileName: string): string {
  const base = fileName.replace(/\.pdf$/i, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return base.length >= 2 ? base.slice(0, 60) : 'imported-form';
}

/**
 * Reads the AcroForm fields of any fillable PDF and builds a starting package that maps every
 * field by its name. Texts are placeholders (the PDF's tooltip or name) for ops to translate.
 */
export async function importPdf(bytes: Uint8Array, fileName: string): Promise<ImportResult> {
  const doc = await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false });
  const form = doc.getForm();
  const taken = new Set<string>();
  const fields: Field[] = [];
  const mapping: Record<string, FieldTarget> = {};
  const imported: ImportedField[] = [];
  const skipped: { pdfName: string; reason: string }[] = [];
  form.getFields().forEach((pdfField, index) => {
    const pdfName = pdfField.getName();
    const labelText = tooltip(pdfField) ?? pdfName;
    const label: I18nText = { 'zh-CN': labelText, en: labelText };
    const options = (values: string[]): { value: string; label: I18nText }[] =>
      [...new Set(values.filter((v) => v !== ''))].map((v) => ({ value: v.slice(0, 64), label: { 'zh-CN': v, en: v } }));
    let field: Field | undefined;
    const id = (): string => fieldIdFor(pdfName, taken, index);
    if (pdfField instanceof PDFTextField) {
      const maxLength = pdfField.getMaxLength();
      field = {
        id: id(),
        type: 'text',
        label,
        ...(maxLength !== undefined && maxLength > 0 ? { maxLength } : {}),
        ...(pdfField.isMultiline() ? { multiline: true } : {}),
      };
    } else if (pdfField instanceof PDFCheckBox) {
      field = { id: id(), type: 'yesNo', label };
    } else if (pdfField instanceof PDFRadioGroup || pdfField instanceof PDFDropdown) {
      const opts = options(pdfField.getOptions());
      field = opts.length > 0 ? { id: id(), type: 'choice', label, options: opts } : { id: id(), type: 'text', label };
    } else if (pdfField instanceof PDFOptionList) {
      const opts = options(pdfField.getOptions());
      const multi = pdfField.acroField.hasFlag(1 << 21); // MultiSelect, ISO 32000-1 Table 230
      field =
        opts.length === 0
          ? { id: id(), type: 'text', label }
          : multi
            ? { id: id(), type: 'multiChoice', label, options: opts }
            : { id: id(), type: 'choice', label, options: opts };
    } else {
      skipped.push({ pdfName, reason: `${pdfField.constructor.name} takes no answer` });
      return;
    }
    fields.push(field);
    mapping[field.id] = { acroField: pdfName };
    imported.push({ pdfName, id: field.id, type: field.type });
  });
  if (fields.length === 0) throw new Error(`${fileName}: the PDF has no fillable AcroForm fields`);
  const definition: FormPackageDefinition = {
    $schema: '../../schema/form-package.schema.json',
    id: formIdFor(fileName.split('/').pop() ?? fileName),
    version: '0.1.0',
    title: { 'zh-CN': fileName, en: fileName },
    category: 'other',
    sections: [{ id: 'main', title: { 'zh-CN': '申请信息', en: 'Application' }, fields }],
    notice: { materials: [], legalBasis: [TODO], timeLimit: TODO, fees: TODO, collection: TODO },
    pdf: { fields: mapping },
  };
  return { definition, fields: imported, skipped };
}

/**
 * Placeholder answers for a freshly imported package (its `sample.json`), so that
 * `preview` shows where every value lands before ops write real sample data.
 * Every value passes the field's own validation as far as a placeholder can.
 */
export function placeholderAnswers(definition: FormPackageDefinition): Record<string, string | number | boolean | string[]> {
  const answers: Record<string, string | number | boolean | string[]> = {};
  for (const section of definition.sections) {
    for (const field of section.fields) {
      const value = placeholderFor(field);
      if (value !== undefined) answers[field.id] = value;
    }
  }
  return answers;
}

function placeholderFor(field: Field): string | number | boolean | string[] | undefined {
  switch (field.type) {
    case 'text': {
      const text = field.maxLength !== undefined && field.maxLength < 4 ? '示例'.slice(0, field.maxLength) : '示例 Sample';
      return field.pattern === undefined ? text.slice(0, field.maxLength ?? text.length) : undefined;
    }
    case 'number':
      return field.min ?? 1;
    case 'date':
      return '2026-01-01';
    case 'choice':
      return field.options[0]?.value;
    case 'multiChoice':
      return field.options[0] === undefined ? [] : [field.options[0].value];
    case 'yesNo':
      return true;
    case 'phone':
      return '13800138000';
    case 'idNumber':
      // GB 11643's own example number, with a valid check character.
      return '11010519491231002X';
    case 'address':
      return '北京市东城区示例路1号';
    case 'group':
      return undefined;
    default: {
      const unreachable: never = field;
      return unreachable;
    }
  }
}

import { join } from 'node:path';
import { PDFCheckBox, PDFDocument, type PDFField } from '@cantoo/pdf-lib';
import { conditionFields, validateAnswers, type Condition, type Field, type FormPackageDefinition, type I18nText, type ScalarField } from '@onevisit/protocol';
import type { FormPackage } from './format.ts';
import { DEFAULT_TEMPLATE_FILE, DEFINITION_FILE, SAMPLE_FILE, type PackageProblem } from './load.ts';

const HAN = /\p{Script=Han}/u;

/**
 * Checks what the schema cannot: ids unique, conditions and prefill naming existing fields,
 * every text translated, every mapped PDF field present in the template, sample answers valid.
 * Returns problems naming the file and the field (empty when the package is good).
 */
export async function checkPackage(
  pkg: FormPackage,
  options: { readonly todayIso?: string; readonly includeSample?: boolean } = {},
): Promise<PackageProblem[]> {
  const dir = pkg.dir ?? '.';
  const defFile = join(dir, DEFINITION_FILE);
  const def = pkg.definition;
  const problems: PackageProblem[] = checkDefinition(def, defFile);
  problems.push(...(await checkTemplate(def, pkg.template, defFile, join(dir, def.pdf.template ?? DEFAULT_TEMPLATE_FILE))));
  if (pkg.sample !== undefined && options.includeSample !== false) {
    const result = validateAnswers(def, pkg.sample, options.todayIso !== undefined ? { todayIso: options.todayIso } : {});
    for (const err of result.errors) {
      problems.push({ file: join(dir, SAMPLE_FILE), field: err.path, message: `sample answer invalid (${err.code})` });
    }
  }
  return problems;
}

export function checkDefinition(def: FormPackageDefinition, file: string): PackageProblem[] {
  const problems: PackageProblem[] = [];
  const add = (field: string, message: string): void => {
    problems.push({ file, field, message });
  };
  const topIds = new Map<string, ScalarField | { type: 'group' }>();
  const sectionIds = new Set<string>();

  const checkText = (path: string, text: I18nText | undefined): void => {
    if (text === undefined) return;
    if (HAN.test(text.en)) add(`${path}.en`, 'English text contains Chinese characters (not translated?)');
    if (text['zh-CN'].trim() === '') add(`${path}.zh-CN`, 'empty Chinese text');
    if (text.en.trim() === '') add(`${path}.en`, 'empty English text');
  };
  checkText('title', def.title);
  checkText('description', def.description);
  checkText('department', def.department);

  def.sections.forEach((section, si) => {
    const sp = `sections[${si}]`;
    if (sectionIds.has(section.id)) add(`${sp}.id`, `duplicate section id "${section.id}"`);
    sectionIds.add(section.id);
    checkText(`${sp}.title`, section.title);
    checkText(`${sp}.description`, section.description);
    section.fields.forEach((field, fi) => {
      const fp = `${sp}.fields[${fi}]`;
      if (topIds.has(field.id)) add(`${fp}.id`, `duplicate field id "${field.id}"`);
      topIds.set(field.id, field.type === 'group' ? { type: 'group' } : field);
      checkText(`${fp}.label`, field.label);
      checkText(`${fp}.help`, field.help);
      checkText(`${fp}.placeholder`, field.placeholder);
      const subs = field.type === 'group' ? field.fields : [field];
      if (field.type === 'group') {
        checkText(`${fp}.itemLabel`, field.itemLabel);
        const seen = new Set<string>();
        field.fields.forEach((sub, ci) => {
          if (seen.has(sub.id)) add(`${fp}.fields[${ci}].id`, `duplicate sub-field id "${sub.id}"`);
          seen.add(sub.id);
          checkText(`${fp}.fields[${ci}].label`, sub.label);
          checkText(`${fp}.fields[${ci}].help`, sub.help);
        });
        if (field.minItems !== undefined && field.maxItems !== undefined && field.minItems > field.maxItems) {
          add(`${fp}.minItems`, 'minItems is larger than maxItems');
        }
      }
      subs.forEach((f, ci) => {
        const p = field.type === 'group' ? `${fp}.fields[${ci}]` : fp;
        if ((f.type === 'choice' || f.type === 'multiChoice') && f.options !== undefined) {
          const values = new Set<string>();
          f.options.forEach((o, oi) => {
            if (values.has(o.value)) add(`${p}.options[${oi}].value`, `duplicate option "${o.value}"`);
            values.add(o.value);
            checkText(`${p}.options[${oi}].label`, o.label);
          });
        }
        if (f.type === 'text' && f.pattern !== undefined) {
          try {
            new RegExp(f.pattern, 'u');
          } catch {
            add(`${p}.pattern`, 'not a valid regular expression');
          }
        }
        if ((f.type === 'text' || f.type === 'address') && f.minLength !== undefined && f.maxLength !== undefined && f.minLength > f.maxLength) {
          add(`${p}.minLength`, 'minLength is larger than maxLength');
        }
      });
    });
  });

  // Conditions name existing fields (a group's sub-fields may also name their siblings).
  const checkCond = (path: string, cond: Condition | undefined, siblings: readonly string[] = []): void => {
    if (cond === undefined) return;
    for (const id of conditionFields(cond)) {
      if (!topIds.has(id) && !siblings.includes(id)) add(path, `condition refers to unknown field "${id}"`);
    }
  };
  def.sections.forEach((section, si) => {
    checkCond(`sections[${si}].showWhen`, section.showWhen);
    checkCond(`sections[${si}].hideWhen`, section.hideWhen);
    section.fields.forEach((field, fi) => {
      const fp = `sections[${si}].fields[${fi}]`;
      checkCond(`${fp}.showWhen`, field.showWhen);
      checkCond(`${fp}.hideWhen`, field.hideWhen);
      checkCond(`${fp}.requiredWhen`, field.requiredWhen);
      if (field.type === 'group') {
        const siblings = field.fields.map((f) => f.id);
        field.fields.forEach((sub, ci) => {
          checkCond(`${fp}.fields[${ci}].showWhen`, sub.showWhen, siblings);
          checkCond(`${fp}.fields[${ci}].hideWhen`, sub.hideWhen, siblings);
          checkCond(`${fp}.fields[${ci}].requiredWhen`, sub.requiredWhen, siblings);
        });
      }
    });
  });

  for (const [identityField, target] of Object.entries(def.prefill ?? {})) {
    if (target === undefined) continue;
    const id = typeof target === 'string' ? target : target.field;
    const f = topIds.get(id);
    if (f === undefined) add(`prefill.${identityField}`, `prefills unknown field "${id}"`);
    else if (f.type === 'group') add(`prefill.${identityField}`, `cannot prefill the group "${id}"`);
  }

  const byId = fieldsById(def);
  for (const key of Object.keys(def.pdf.fields)) {
    const [top, sub] = key.split('.', 2);
    const f = top === undefined ? undefined : byId.get(top);
    if (f === undefined) add(`pdf.fields.${key}`, `maps unknown field "${top ?? key}"`);
    else if (f.type === 'group' && sub === undefined) add(`pdf.fields.${key}`, 'a group maps its sub-fields as "group.sub"');
    else if (f.type === 'group' && !f.fields.some((x) => x.id === sub)) add(`pdf.fields.${key}`, `group "${top ?? ''}" has no sub-field "${sub ?? ''}"`);
    else if (f.type !== 'group' && sub !== undefined) add(`pdf.fields.${key}`, `"${top ?? ''}" is not a group`);
  }
  return problems;
}

/**
 * Top-level fields by id, the first of equal ids (duplicates are reported above). Built once: a search
 * of every section for each mapped field was quadratic in the number of fields (issue 11).
 */
function fieldsById(def: FormPackageDefinition): ReadonlyMap<string, Field> {
  const byId = new Map<string, Field>();
  for (const section of def.sections) for (const f of section.fields) if (!byId.has(f.id)) byId.set(f.id, f);
  return byId;
}

async function checkTemplate(
  def: FormPackageDefinition,
  template: Uint8Array,
  defFile: string,
  templateFile: string,
): Promise<PackageProblem[]> {
  const problems: PackageProblem[] = [];
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(template, { updateMetadata: false });
  } catch (e) {
    return [{ file: templateFile, message: `cannot be parsed as PDF (${e instanceof Error ? e.message : 'error'})` }];
  }
  // A file that starts like a PDF but has no usable catalog, page tree or form parses lazily and then
  // throws here: report it as a problem of the template, never as a crash of the check.
  let pageCount: number;
  let names: Map<string, PDFField>;
  try {
    pageCount = doc.getPageCount();
    names = new Map(doc.getForm().getFields().map((f) => [f.getName(), f]));
  } catch (e) {
    return [{ file: templateFile, message: `is not a usable PDF form (${e instanceof Error ? e.message : 'error'})` }];
  }
  const byId = fieldsById(def);
  const maxRows = (key: string): number => {
    const top = key.split('.', 1)[0];
    const f = top === undefined ? undefined : byId.get(top);
    return f?.type === 'group' ? (f.maxItems ?? 1) : 1;
  };
  const needName = (field: string, name: string, rows: number, checkbox: boolean): void => {
    for (let n = 1; n <= (name.includes('{n}') ? rows : 1); n++) {
      const actual = name.replaceAll('{n}', String(n));
      const f = names.get(actual);
      if (f === undefined) problems.push({ file: defFile, field, message: `PDF field "${actual}" is not in ${templateFile}` });
      else if (checkbox && !(f instanceof PDFCheckBox)) {
        problems.push({ file: defFile, field, message: `PDF field "${actual}" in ${templateFile} is not a checkbox` });
      }
    }
  };
  const needPage = (field: string, page: number): void => {
    if (page > pageCount) problems.push({ file: defFile, field, message: `page ${page} is past the template's ${pageCount} page(s)` });
  };
  for (const [key, target] of Object.entries(def.pdf.fields)) {
    const field = `pdf.fields.${key}`;
    if ('acroField' in target) needName(`${field}.acroField`, target.acroField, maxRows(key), false);
    else if ('acroCheckboxes' in target) {
      for (const [option, name] of Object.entries(target.acroCheckboxes)) needName(`${field}.acroCheckboxes.${option}`, name, maxRows(key), true);
    } else needPage(`${field}.text.page`, target.text.page);
  }
  const { signature, reference, qrCode, date, terminalId } = def.pdf;
  if (signature !== undefined) needPage('pdf.signature.page', signature.page);
  if (reference !== undefined) needPage('pdf.reference.page', reference.page);
  if (qrCode !== undefined) needPage('pdf.qrCode.page', qrCode.page);
  if (date !== undefined) needPage('pdf.date.page', date.page);
  if (terminalId !== undefined) needPage('pdf.terminalId.page', terminalId.page);
  return problems;
}

import { PDFDocument, PDFString, type PDFPage } from '@cantoo/pdf-lib';
import type { Answers } from '@onevisit/protocol';
import type { FormPackage } from '../format.ts';
import { importPdf, placeholderAnswers } from '../import-pdf.ts';
import { parseDefinition } from '../load.ts';

/** Rows of fields per A4 page (15 pt apart, from the top margin down). */
const FIELDS_PER_PAGE = 40;

/**
 * A generated package with `count` text fields (and one checkbox per ten), for the tests and the
 * bench that show checking and filling grow linearly with the fields (issue 11: 5,000 fields took
 * 70.8 s to preview). Made as ops would: a fillable PDF, `importPdf`, placeholder answers.
 */
export async function manyFieldPackage(count: number): Promise<{ pkg: FormPackage; answers: Answers }> {
  const doc = await PDFDocument.create();
  const form = doc.getForm();
  const pages: PDFPage[] = [];
  for (let i = 0; i < count; i++) {
    if (i % FIELDS_PER_PAGE === 0) pages.push(doc.addPage([595, 842]));
    const page = pages[pages.length - 1];
    if (page === undefined) throw new Error('no page');
    const y = 800 - (i % FIELDS_PER_PAGE) * 19;
    if (i % 10 === 9 && i < 200) {
      // pdf-lib's createCheckBox checks the new name against every field (quadratic), so only a few.
      form.createCheckBox(`agree${i}`).addToPage(page, { x: 60, y, width: 12, height: 12 });
      continue;
    }
    // A text field written directly (createTextField would also check every name): one widget
    // with its rectangle, page, font size and an empty appearance, as form designers save them.
    const appearance = doc.context.register(doc.context.formXObject([], { BBox: [0, 0, 300, 16] }));
    const ref = doc.context.register(
      doc.context.obj({
        FT: 'Tx',
        T: PDFString.of(`field${i}`),
        Type: 'Annot',
        Subtype: 'Widget',
        Rect: [60, y, 360, y + 16],
        P: page.ref,
        F: 4,
        DA: PDFString.of('/Helv 10 Tf 0 g'),
        AP: { N: appearance },
      }),
    );
    page.node.addAnnot(ref);
    form.acroForm.addField(ref);
  }
  const template = await doc.save();
  const imported = await importPdf(template, 'many-fields.pdf');
  const definition = parseDefinition(imported.definition, 'many-fields/definition.json');
  return { pkg: { definition, template, dir: 'many-fields' }, answers: placeholderAnswers(definition) };
}

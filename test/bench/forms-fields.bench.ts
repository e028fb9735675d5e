// Issue 11: a 5,000-field PDF took 70.8 s to preview. Times `forms check` and a preview fill
// (warm filler, as the agent fills) of generated packages with 1,000 and 5,000 fields; linear work
// makes the 5,000 figure about five times the 1,000 one. The test that guards the scaling counts
// work instead of timing it: test/security/forms-scale.test.ts.
import { checkPackage, createFiller, sampleSignaturePng } from '@onevisit/forms';
import { manyFieldPackage } from '../../forms/src/testing/many-fields.ts';

const extras = { reference: 'PREVIEW-0001', terminalId: 'PREVIEW', dateIso: '2026-12-04', signaturePng: sampleSignaturePng(), language: 'zh-CN' as const };

export async function run(): Promise<void> {
  const filler = await createFiller();
  const warm = await manyFieldPackage(10);
  await filler.fill(warm.pkg, warm.answers, extras);
  for (const fields of [1000, 5000]) {
    const { pkg, answers } = await manyFieldPackage(fields);
    let t0 = performance.now();
    const problems = await checkPackage({ ...pkg, sample: answers });
    const checkMs = performance.now() - t0;
    t0 = performance.now();
    const pdf = await filler.fill(pkg, answers, extras);
    const fillMs = performance.now() - t0;
    console.log(`forms: ${fields} fields: check ${checkMs.toFixed(0)} ms (${problems.length} problems), preview fill ${fillMs.toFixed(0)} ms (${pdf.length} bytes)`);
  }
}

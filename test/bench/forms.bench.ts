// Fill + flatten time of the largest form package, with a fresh font cache (fonts read and
// parsed for this one fill) and warm (the agent's case: fonts parsed once, p50 over 20 fills).
// Budget (issue 4): warm under 150 ms.
import { fileURLToPath } from 'node:url';
import { createFiller, loadAll, sampleSignaturePng, type FormPackage } from '@onevisit/forms';
import type { Answers } from '@onevisit/protocol';

const RUNS = 20;
const BUDGET_WARM_MS = 150;

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function largest(packages: readonly FormPackage[]): FormPackage {
  let best: FormPackage | undefined;
  let bestSize = -1;
  for (const pkg of packages) {
    const size = pkg.template.length + JSON.stringify(pkg.sample ?? {}).length * 10;
    if (size > bestSize) {
      best = pkg;
      bestSize = size;
    }
  }
  if (best === undefined) throw new Error('no form packages found');
  return best;
}

export async function run(): Promise<void> {
  const dir = fileURLToPath(new URL('../../forms/packages/', import.meta.url));
  const { packages } = await loadAll(dir);
  const pkg = largest(packages);
  const answers: Answers = { ...(pkg.sample ?? {}), name: '张𠮷㙍' };
  const extras = {
    reference: 'SZ20261121-000123',
    terminalId: 'TRM-0007',
    dateIso: '2026-11-21',
    signaturePng: sampleSignaturePng(),
    language: 'zh-CN' as const,
  };

  const coldRuns: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const fresh = await createFiller();
    const pdf = await fresh.fill(pkg, answers, extras);
    coldRuns.push(performance.now() - t0);
    bytes = pdf.length;
  }

  const filler = await createFiller();
  await filler.fill(pkg, answers, extras); // first fill warms fontkit's glyph caches
  const warm: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await filler.fill(pkg, answers, extras);
    warm.push(performance.now() - t0);
  }
  const p50 = percentile(warm, 50);
  console.log(`forms: fill+flatten "${pkg.definition.id}" (${bytes} bytes out, fonts: ${filler.fonts.map((f) => f.postscriptName).join(', ')})`);
  console.log(`forms:   fresh font cache: p50 ${percentile(coldRuns, 50).toFixed(1)} ms (runs: ${coldRuns.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`forms:   warm:             p50 ${p50.toFixed(1)} ms, p90 ${percentile(warm, 90).toFixed(1)} ms over ${RUNS} runs (budget ${BUDGET_WARM_MS} ms: ${p50 < BUDGET_WARM_MS ? 'ok' : 'OVER'})`);
}

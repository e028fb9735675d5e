// The UI's initial JS (DESIGN.md budget: < 100 KB gzip; issue 9: < 60 KB): what the browser must
// fetch before the first screen runs, i.e. the entry chunk of index.html and everything it imports
// statically, transitively. Dynamic `import()`s (lazy screens) are left out. The static graph is
// read by esbuild's metafile over the built files, not from index.html's modulepreload hints, so
// that a chunk Vite did not hint still counts.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';

const DIST = fileURLToPath(new URL('../../kiosk-ui/dist', import.meta.url));

export type InitialJs = { files: string[]; rawBytes: number; gzipBytes: number };

/** The module scripts index.html loads (src paths relative to dist). */
function entryScripts(html: string): string[] {
  const entries: string[] = [];
  for (const m of html.matchAll(/<script\b[^>]*\btype=["']module["'][^>]*>/gi)) {
    const src = /\bsrc=["']([^"']+)["']/i.exec(m[0])?.[1];
    if (src) entries.push(src.replace(/^\.?\//, '').split('?')[0] ?? src);
  }
  return entries;
}

/** Entry chunks plus their static imports, transitively (gzip at node:zlib's default level, per file). */
export async function measureInitialJs(distDir: string = DIST): Promise<InitialJs | undefined> {
  const index = path.join(distDir, 'index.html');
  if (!existsSync(index)) return undefined;
  const entries = entryScripts(readFileSync(index, 'utf8')).map((src) => path.join(distDir, src));
  const result = await build({
    entryPoints: entries,
    absWorkingDir: distDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    metafile: true,
    write: false,
    outdir: path.join(distDir, '.initial-js'),
    logLevel: 'silent',
    // Only the graph matters; anything that is not JS (fonts, CSS) is not fetched as script.
    loader: { '.css': 'empty', '.woff2': 'empty', '.svg': 'empty', '.png': 'empty' },
  });
  const inputs: Metafile['inputs'] = result.metafile.inputs;
  const seen = new Set<string>();
  const queue = entries.map((e) => path.relative(distDir, e));
  while (queue.length > 0) {
    const file = queue.pop();
    if (file === undefined || seen.has(file)) continue;
    seen.add(file);
    for (const imported of inputs[file]?.imports ?? []) {
      if (imported.kind === 'import-statement' && imported.external !== true) queue.push(imported.path);
    }
  }
  let rawBytes = 0;
  let gzipBytes = 0;
  for (const file of seen) {
    const bytes = readFileSync(path.join(distDir, file));
    rawBytes += bytes.length;
    gzipBytes += gzipSync(bytes).length;
  }
  return { files: [...seen].sort(), rawBytes, gzipBytes };
}

export async function run(): Promise<void> {
  const measured = await measureInitialJs();
  if (!measured) {
    process.stdout.write('   UI initial JS: not built (run npm run build)\n');
    return;
  }
  const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
  process.stdout.write(
    `   UI initial JS (entry chunk + its static imports): ${measured.files.length} file(s), ${kb(measured.rawBytes)} raw, ${kb(measured.gzipBytes)} gzip (node:zlib default level)   (budget: < 60 KB gzip, issue 9; DESIGN.md < 100 KB)\n` +
      `   files: ${measured.files.map((f) => path.basename(f)).join(', ')}\n`,
  );
}

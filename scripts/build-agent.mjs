// `node scripts/build-agent.mjs` (part of `npm run build`): bundles the device agent with esbuild
// into device-agent/dist/ (main.js: the agent; intake.js: the back office's reference intake), so
// that `npm start` runs it with plain `node`, without tsx and without compiling TypeScript at every
// start. Our workspaces (@onevisit/protocol, @onevisit/forms) and pure-JS packages go into the
// bundle; packages with a native addon or with files of their own that they load at run time stay
// outside and load from node_modules. Files the agent reads by path (OCR worker scripts, IPP
// tests, the hall calendar, form packages, the built UI) stay where they are: see
// device-agent/src/paths.ts. The bundles must stay directly inside device-agent/dist/.
import { readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const AGENT_DIST = path.join(root, 'device-agent', 'dist');
export const AGENT_MAIN = path.join(AGENT_DIST, 'main.js');

const ENTRY_POINTS = {
  main: path.join(root, 'device-agent', 'src', 'main.ts'),
  intake: path.join(root, 'device-agent', 'src', 'intake', 'main.ts'),
};

/**
 * Left outside the bundle: native addons (better-sqlite3, serialport, node-hid, @napi-rs/canvas),
 * tesseract.js (starts worker threads on its own script files; our worker, ocr/offline-worker.cjs,
 * requires it by path), and ws's optional native speed-ups.
 */
const EXTERNAL = [
  'better-sqlite3',
  'serialport',
  '@serialport/*',
  'node-hid',
  '@napi-rs/canvas',
  'tesseract.js',
  '@tesseract.js-data/*',
  'bufferutil',
  'utf-8-validate',
];

/** What the bundle is made from: when any of it is newer than main.js, `npm start` rebuilds. */
export const AGENT_SOURCES = [
  path.join(root, 'device-agent', 'src'),
  path.join(root, 'device-agent', 'protocol', 'src'),
  path.join(root, 'device-agent', 'package.json'),
  path.join(root, 'device-agent', 'protocol', 'package.json'),
  path.join(root, 'forms', 'src'),
  path.join(root, 'forms', 'package.json'),
  fileURLToPath(import.meta.url),
];

/** Newest modification time (ms) of a file or anything under a folder; 0 when absent. */
export function newestMtimeMs(target) {
  let info;
  try {
    info = statSync(target);
  } catch {
    return 0;
  }
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(target)) {
    if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue;
    newest = Math.max(newest, newestMtimeMs(path.join(target, entry)));
  }
  return newest;
}

/** Why the agent must be (re)built, or undefined when device-agent/dist/main.js is up to date. */
export function agentNeedsBuild() {
  const built = newestMtimeMs(AGENT_MAIN);
  if (built === 0) return 'device-agent/dist is missing';
  return Math.max(...AGENT_SOURCES.map(newestMtimeMs)) > built ? 'agent sources changed since the last build' : undefined;
}

/**
 * Builds into a fresh sibling folder, then swaps it in: an agent or a test that is starting from the
 * previous build never sees a half-written or missing dist/ (and esbuild leaves no stale files).
 */
export async function buildAgent() {
  const staging = path.join(root, 'device-agent', `.dist-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  // Imported here: `npm start` loads this module for its freshness check, and a built tree may run without dev dependencies.
  const { build } = await import('esbuild');
  await build({
    entryPoints: ENTRY_POINTS,
    outdir: staging,
    entryNames: '[name]',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    external: EXTERNAL,
    // CommonJS packages inside an ES module bundle call require() for Node's built-ins.
    banner: { js: "import { createRequire as __onevisitCreateRequire } from 'node:module'; const require = __onevisitCreateRequire(import.meta.url);" },
    logLevel: 'warning',
    // Not minified and without a source map: a stack trace points at readable code, and esbuild
    // marks each module's start with its source path.
  });
  const previous = path.join(root, 'device-agent', `.dist-old-${process.pid}`);
  rmSync(previous, { recursive: true, force: true });
  try {
    renameSync(AGENT_DIST, previous);
  } catch {
    // no earlier build
  }
  renameSync(staging, AGENT_DIST);
  rmSync(previous, { recursive: true, force: true });
}

// `node scripts/build-agent.mjs [--if-stale]`: --if-stale builds only when a source is newer than the build.
if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const reason = process.argv.includes('--if-stale') ? agentNeedsBuild() : 'requested';
  if (reason !== undefined) {
    const started = Date.now();
    await buildAgent();
    process.stdout.write(`device-agent/dist built in ${Date.now() - started} ms (${reason})\n`);
  }
}

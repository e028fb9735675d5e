/**
 * Issue 16: SIGKILL during unpack or switch, many times. A child (testing/switch-child.ts, bundled
 * once with esbuild so that a restart is a plain `node`) stages and switches four signed versions of
 * a form round and round; the test kills it at a random moment after it is ready, then checks what
 * the next start sees after `recover()`: the pointer names one whole version (every file byte-equal
 * to its signed archive), nothing unnamed is left, and the shipped-forms overlay serves that version.
 * Bounded by ONEVISIT_FORMS_CRASH_KILLS (default 15) kills, each 0-2.5 s after the child is ready
 * (a stage-and-switch takes a few hundred ms on this machine, so kills land in every step).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyPackage } from '@onevisit/forms';
import { build } from 'esbuild';
import { afterAll, expect, it } from 'vitest';
import { ActiveForms, loadServedCatalog } from './active-forms.ts';
import { forms, FORM_ID, makeOps, SHIPPED_PACKAGE } from './test-fleet.ts';

const KILLS = Number(process.env.ONEVISIT_FORMS_CRASH_KILLS ?? 15);
const CHILD_SOURCE = fileURLToPath(new URL('./testing/switch-child.ts', import.meta.url));
const cleanup: string[] = [];

afterAll(() => {
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
});

function runUntilKilled(script: string, args: readonly string[], killAfterMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let err = '';
    let partial = '';
    const safety = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (line === 'READY') setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('close', (code, signal) => {
      clearTimeout(safety);
      if (signal === 'SIGKILL') resolve(lines);
      else reject(new Error(`switch child ended on its own (${String(code)}): ${err.slice(-2000)}`));
    });
  });
}

it(`leaves the old or the new version wholly active across ${KILLS} SIGKILLs during unpack and switch`, { timeout: 300_000 }, async () => {
  const ops = await makeOps();
  cleanup.push(ops.dir);
  const script = path.join(ops.dir, 'switch-child.mjs');
  await build({
    entryPoints: [CHILD_SOURCE],
    outfile: script,
    bundle: true,
    platform: 'node',
    format: 'esm',
    logLevel: 'warning',
    // CommonJS dependencies of @onevisit/forms (qrcode) call require() for Node's own modules.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
  const versions = ['1.1.0', '1.2.0', '1.3.0', '1.4.0'];
  const signed = new Map<string, { file: string; files: ReadonlyMap<string, Buffer>; sha: string }>();
  for (const v of versions) {
    const file = path.join(ops.dir, 'out', `${v}.ovpkg`);
    await forms('sign', ops.packageAt(v), '--key', ops.keyFile, '--out', file);
    const verified = await verifyPackage(readFileSync(file), ops.trustedKeys);
    if (!verified.ok) throw new Error(verified.refusal.detail);
    signed.set(v, { file, files: verified.value.files, sha: verified.value.archiveSha256 });
  }
  const root = path.join(ops.dir, 'terminal', 'forms-update');
  const shipped = path.dirname(SHIPPED_PACKAGE);
  const args = [root, ops.pubFile, ...versions.map((v) => `${v}=${signed.get(v)?.file ?? ''}`)];
  let switches = 0;
  const seen = new Set<string>();
  for (let kill = 0; kill < KILLS; kill++) {
    const lines = await runUntilKilled(script, args, Math.floor(Math.random() * 2500));
    switches += lines.filter((l) => l.startsWith('SWITCHED')).length;
    const active = new ActiveForms(root);
    const { pointer } = await active.recover();
    const form = pointer.forms[FORM_ID];
    if (form === undefined) continue; // killed before the first switch: the shipped version is served
    seen.add(form.version);
    const expected = signed.get(form.version);
    expect(form.archiveSha256).toBe(expected?.sha);
    const dir = active.versionDir(FORM_ID, form.version);
    expect(readdirSync(dir).sort()).toEqual([...(expected?.files.keys() ?? [])].sort());
    for (const [name, bytes] of expected?.files ?? []) expect(readFileSync(path.join(dir, name)).equals(bytes)).toBe(true);
    // Nothing the pointer does not name is left (no .staging, no half version).
    expect(readdirSync(path.join(root, 'versions', FORM_ID)).sort()).toEqual([form.version, ...form.previous.map((p) => p.version)].sort());
    for (const kept of form.previous) expect(readdirSync(active.versionDir(FORM_ID, kept.version)).length).toBe(expected?.files.size);
    if (kill % 10 === 9) {
      const catalog = await loadServedCatalog(shipped, active, pointer);
      expect(catalog.version(FORM_ID)).toBe(form.version);
      expect(catalog.get(FORM_ID)?.archiveSha256).toBe(form.archiveSha256);
    }
  }
  console.log(`forms switch crash: ${KILLS} kills, ${switches} switches seen, active versions found after a kill: ${[...seen].sort().join(', ')}`);
  expect(switches).toBeGreaterThan(0);
});

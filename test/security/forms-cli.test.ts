import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../forms/src/cli/main.ts';
import { MAX_PDF_BYTES } from '../../forms/src/read-input.ts';

/** Issue 11, ops tools: `forms check` reports every problem and never ends in a stack trace. */

const PACKAGE = fileURLToPath(new URL('../../forms/packages/social-security-card-replacement/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Starts with `%PDF-` and parses, but has no page tree or form: pdf-lib throws only when asked for them. */
const GARBAGE_PDF = '%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n';

/** A folder of packages, each broken in its own way, and one good one. */
function brokenFolder(): string {
  const root = mkdtempSync(join(tmpdir(), 'forms-check-'));
  for (const name of ['a-garbage-pdf', 'b-template-is-folder', 'c-definition-is-folder', 'd-good', 'e-bad-json']) {
    cpSync(PACKAGE, join(root, name), { recursive: true });
  }
  writeFileSync(join(root, 'a-garbage-pdf', 'template.pdf'), GARBAGE_PDF);
  rmSync(join(root, 'b-template-is-folder', 'template.pdf'));
  mkdirSync(join(root, 'b-template-is-folder', 'template.pdf'));
  rmSync(join(root, 'c-definition-is-folder', 'definition.json'));
  mkdirSync(join(root, 'c-definition-is-folder', 'definition.json'));
  writeFileSync(join(root, 'e-bad-json', 'definition.json'), '{"id": ');
  writeFileSync(join(root, 'not-a-package.txt'), 'a file among the folders');
  return root;
}

describe('forms check', () => {
  it('reports every broken package in a folder, and the good one, without throwing', async () => {
    const root = brokenFolder();
    const r = await run('check', root);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${join(root, 'a-garbage-pdf', 'template.pdf')}: is not a usable PDF form`);
    expect(r.err).toContain(`${join(root, 'b-template-is-folder', 'template.pdf')}: template PDF not a regular file (a folder)`);
    expect(r.err).toContain(`${join(root, 'c-definition-is-folder', 'definition.json')}: not a regular file (a folder)`);
    expect(r.err).toContain(`${join(root, 'e-bad-json', 'definition.json')}: not valid JSON`);
    expect(r.out).toContain(`ok social-security-card-replacement@1.0.0 (${join(root, 'd-good')})`);
  });

  it('says when the target is a file, not a folder', async () => {
    const root = mkdtempSync(join(tmpdir(), 'forms-check-'));
    writeFileSync(join(root, 'definition.json'), '{}');
    const r = await run('check', join(root, 'definition.json'));
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${join(root, 'definition.json')}: not a folder`);
    const missing = await run('check', join(root, 'nope'));
    expect(missing.code).toBe(1);
    expect(missing.err).toContain(`${join(root, 'nope')}: does not exist`);
  });

  it('prints reasons, never a stack trace, when run as a command', () => {
    const root = brokenFolder();
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'forms/src/cli/main.ts'), 'check', root], { encoding: 'utf8', cwd: ROOT });
    expect(r.status).toBe(1);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr).toContain('a-garbage-pdf');
    expect(r.stdout).toContain('d-good');
  });
});

describe('forms preview --out', () => {
  it('creates a missing folder for the output', async () => {
    const root = mkdtempSync(join(tmpdir(), 'forms-preview-'));
    const out = join(root, 'missing', 'deeper', 'preview.pdf');
    const r = await run('preview', PACKAGE, '--out', out, '--date', '2026-12-04');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(existsSync(out)).toBe(true);
  });

  it('names the output when it cannot be written, without throwing', async () => {
    const root = mkdtempSync(join(tmpdir(), 'forms-preview-'));
    writeFileSync(join(root, 'a-file'), '');
    const r = await run('preview', PACKAGE, '--out', join(root, 'a-file', 'preview.pdf'), '--date', '2026-12-04');
    expect(r.code).toBe(1);
    expect(r.err).toContain(join(root, 'a-file'));
    expect(r.err).not.toMatch(/^\s+at /m);
  });
});

describe('inputs that are not regular files', () => {
  // Before, each of these read forever (/dev/zero) or blocked on open (a FIFO nobody writes to).
  it('import refuses /dev/zero, a FIFO and a folder at once, and writes nothing', async () => {
    const root = mkdtempSync(join(tmpdir(), 'forms-import-'));
    const fifo = join(root, 'form.pdf');
    execFileSync('mkfifo', [fifo]);
    for (const [input, kind] of [['/dev/zero', 'a device'], [fifo, 'a FIFO'], [root, 'a folder']] as const) {
      const out = join(root, 'out');
      const r = await run('import', input, '--out', out);
      expect(r.code, input).toBe(1);
      expect(r.err, input).toBe(`${input}: not a regular file (${kind})`);
      expect(existsSync(out), input).toBe(false);
    }
  });

  it('import refuses a regular file over the size cap without reading it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'forms-import-'));
    const big = join(root, 'big.pdf');
    writeFileSync(big, '%PDF-1.7\n');
    truncateSync(big, MAX_PDF_BYTES + 1); // sparse: no disk used
    const r = await run('import', big, '--out', join(root, 'out'));
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${big}: ${MAX_PDF_BYTES + 1} bytes, more than the ${MAX_PDF_BYTES} allowed`);
  });

  it('check reports a FIFO in place of a template or definition', async () => {
    const root = mkdtempSync(join(tmpdir(), 'forms-check-'));
    cpSync(PACKAGE, join(root, 'a'), { recursive: true });
    cpSync(PACKAGE, join(root, 'b'), { recursive: true });
    rmSync(join(root, 'a', 'template.pdf'));
    execFileSync('mkfifo', [join(root, 'a', 'template.pdf')]);
    rmSync(join(root, 'b', 'definition.json'));
    execFileSync('mkfifo', [join(root, 'b', 'definition.json')]);
    const r = await run('check', root);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${join(root, 'a', 'template.pdf')}: template PDF not a regular file (a FIFO)`);
    expect(r.err).toContain(`${join(root, 'b', 'definition.json')}: not a regular file (a FIFO)`);
  });

  it('check, verify and sign refuse a device or FIFO as archive or key', async () => {
    const root = mkdtempSync(join(tmpdir(), 'forms-keys-'));
    const fifo = join(root, 'signing.key');
    execFileSync('mkfifo', [fifo]);
    expect(await run('check', '/dev/zero', '--replaces', PACKAGE)).toMatchObject({ code: 1 });
    const archive = join(root, 'zero.ovpkg');
    execFileSync('mkfifo', [archive]);
    const checked = await run('check', archive);
    expect(checked).toMatchObject({ code: 1, err: `${archive}: not a regular file (a FIFO)` });
    const verified = await run('verify', archive, '--key', '/dev/zero');
    expect(verified).toMatchObject({ code: 1, err: '/dev/zero: not a regular file (a device)' });
    const signed = await run('sign', PACKAGE, '--key', fifo, '--out', join(root, 'x.ovpkg'));
    expect(signed).toMatchObject({ code: 1, err: `${fifo}: not a regular file (a FIFO)` });
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runStaffCli } from './cli.ts';

/** `npm run staff -- …` (issue 12): the register and the readiness report without the UI. */

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runStaffCli(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }, {});
  return { code, out: out.join(''), err: err.join('') };
}

describe('npm run staff', () => {
  it('adds and lists a staff member without printing the ID number; the PIN is shown once', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'onevisit-staff-cli-'));
    dirs.push(dataDir);
    const added = await run(['add', '--id-number', '110105198805120026', '--name', '张静', '--role', 'staff', '--data-dir', dataDir]);
    expect(added.code).toBe(0);
    expect(added.out).toMatch(/\b\d{6}\b/);
    const listed = await run(['list', '--data-dir', dataDir]);
    expect(listed.code).toBe(0);
    expect(listed.out).toContain('张静');
    expect(listed.out).not.toContain('110105198805120026');
    expect((await run(['add', '--id-number', '123', '--name', 'x', '--role', 'staff', '--data-dir', dataDir])).code).not.toBe(0);
  });

  it('report prints the readiness report as JSON: checks with results, the software and the form packages as served', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'onevisit-staff-cli-'));
    dirs.push(dataDir);
    const r = await run(['report', '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as { ready: boolean; software: { version: string; hash: string }; formPackages: { id: string; version: string; hash: string }[]; checks: { id: string; result: string }[] };
    expect(report.ready).toBe(true);
    expect(report.formPackages.map((f) => f.id)).toContain('residence-permit');
    for (const f of report.formPackages) expect(f.hash).toMatch(/^[0-9a-f]{8,}$/);
    expect(report.checks.find((c) => c.id === 'storeIntegrity')?.result).toBe('pass');
    expect(report.checks.find((c) => c.id === 'auditChain')?.result).toBe('pass');
  });
});

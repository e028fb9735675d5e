import { cpSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './main.ts';

const PKG = fileURLToPath(new URL('../../packages/residence-permit/', import.meta.url));

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('forms keygen / sign / verify / check --replaces', () => {
  it('signs a package, verifies it offline, refuses tampering and downgrades with a reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'forms-sign-'));
    const keys = join(dir, 'keys');
    expect((await run('keygen', '--out', keys)).code).toBe(0);
    expect(statSync(join(keys, 'signing.key')).mode & 0o777).toBe(0o600);
    expect((await run('keygen', '--out', keys)).code).toBe(1); // never overwrites a key

    const v1 = join(dir, 'rp-1.0.0.ovpkg');
    const signed = await run('sign', PKG, '--key', join(keys, 'signing.key'), '--out', v1);
    expect(signed.err).toBe('');
    expect(signed.code).toBe(0);
    const ok = await run('verify', v1, '--key', join(keys, 'signing.pub'));
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^ok residence-permit@1\.0\.0 signed by [0-9a-f]{16}/);
    expect((await run('check', v1)).code).toBe(0);

    const bytes = readFileSync(v1);
    const at = bytes.indexOf(Buffer.from('"version": "1.0.0"'));
    bytes.write('"version": "1.0.1"', at);
    const tampered = join(dir, 'tampered.ovpkg');
    writeFileSync(tampered, bytes);
    const bad = await run('verify', tampered, '--key', join(keys, 'signing.pub'));
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('REFUSED badSignature');
    expect(bad.err).not.toContain('    at ');

    // A changed form with the same version is refused against the one it replaces; a higher one passes.
    const next = join(dir, 'next');
    cpSync(PKG, next, { recursive: true });
    expect((await run('check', next, '--replaces', v1)).err).toContain('REFUSED notNewer');
    const def = JSON.parse(readFileSync(join(next, 'definition.json'), 'utf8')) as { version: string };
    def.version = '1.0.1';
    writeFileSync(join(next, 'definition.json'), JSON.stringify(def, null, 2));
    expect((await run('check', next, '--replaces', v1)).code).toBe(0);
    const v2 = join(dir, 'rp-1.0.1.ovpkg');
    expect((await run('sign', next, '--key', join(keys, 'signing.key'), '--out', v2)).code).toBe(0);
    expect((await run('check', v1, '--replaces', v2)).code).toBe(1);

    expect((await run('verify', v1, '--key', join(keys, 'signing.key'))).code).toBe(1); // a private key is no trusted-key file
    expect((await run('sign', PKG, '--key', join(keys, 'signing.pub'), '--out', join(dir, 'x.ovpkg'))).err).toContain('not an Ed25519 private key');
    expect((await run('verify', join(dir, 'missing.ovpkg'), '--key', join(keys, 'signing.pub'))).err).toContain('cannot be read');
  });
});

describe('forms publish / rollout', () => {
  it('publishes to a ring, refuses a republish of the same version, halts, resumes and rolls back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'forms-publish-'));
    const keys = join(dir, 'keys');
    const channel = join(dir, 'channel');
    await run('keygen', '--out', keys);
    const v1 = join(dir, 'a.ovpkg');
    expect((await run('sign', PKG, '--key', join(keys, 'signing.key'), '--out', v1)).code).toBe(0);
    expect((await run('publish', v1, '--channel', channel, '--ring', 'all')).code).toBe(0);
    expect((await run('publish', v1, '--channel', channel)).err).toContain('REFUSED notNewer');
    expect((await run('publish', v1, '--channel', channel, '--ring', '0%')).code).toBe(2);
    const next = join(dir, 'next');
    cpSync(PKG, next, { recursive: true });
    const def = JSON.parse(readFileSync(join(next, 'definition.json'), 'utf8')) as { version: string };
    def.version = '1.1.0';
    writeFileSync(join(next, 'definition.json'), JSON.stringify(def, null, 2));
    const v2 = join(dir, 'b.ovpkg');
    expect((await run('sign', next, '--key', join(keys, 'signing.key'), '--out', v2)).code).toBe(0);
    expect((await run('publish', v2, '--channel', channel, '--ring', '10%')).code).toBe(0);
    const index = JSON.parse(readFileSync(join(channel, 'index.json'), 'utf8')) as { forms: Record<string, { releases: { version: string; ring: string; file: string }[] }> };
    expect(index.forms['residence-permit']?.releases.map((r) => `${r.version} ${r.ring}`)).toEqual(['1.0.0 all', '1.1.0 10%']);
    expect(readFileSync(join(channel, 'residence-permit-1.1.0.ovpkg')).equals(readFileSync(v2))).toBe(true);

    mkdirSync(join(channel, 'reports'));
    writeFileSync(
      join(channel, 'reports', 'K1.json'),
      JSON.stringify({ terminalId: 'K1', at: new Date().toISOString(), forms: { 'residence-permit': { active: '1.0.0', version: '1.1.0', step: 'failed', reason: 'badSignature' } } }),
    );
    const status = await run('rollout', 'status', 'residence-permit', '--channel', channel);
    expect(status.out).toContain('failed K1 1.1.0: badSignature');
    expect(status.out).toContain('running 1.0.0: 1 (K1)');
    // Without a form id: every form of the channel, the same lines under a heading each.
    const fleet = await run('rollout', 'status', '--channel', channel);
    expect(fleet.code).toBe(0);
    expect(fleet.out).toContain('# residence-permit');
    expect(fleet.out).toContain('failed K1 1.1.0: badSignature');
    expect((await run('rollout', 'halt', '--channel', channel)).code).toBe(2);
    expect((await run('rollout', 'halt', 'residence-permit', '--channel', channel)).out).toBe('residence-permit@1.1.0: halted');
    expect((await run('rollout', 'resume', 'residence-permit', '--channel', channel)).out).toBe('residence-permit@1.1.0: rolling');
    expect((await run('rollout', 'rollback', 'residence-permit', '--channel', channel)).out).toBe('residence-permit@1.1.0: withdrawn');
    expect((await run('rollout', 'rollback', 'residence-permit', '--channel', channel)).err).toContain('no earlier release');
    expect((await run('rollout', 'status', 'other-form', '--channel', channel)).code).toBe(1);
  });
});

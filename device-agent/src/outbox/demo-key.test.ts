import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parsePrivateKeys, parsePublicKeys } from '../crypto/seal.ts';
import { ensureDemoBackofficeKey } from './demo-key.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('ensureDemoBackofficeKey', () => {
  it('makes a matching key pair once, keeps it on the next start, and warns each time', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'onevisit-demo-key-'));
    dirs.push(dataDir);
    const warn = vi.fn();
    const first = await ensureDemoBackofficeKey(dataDir, { warn });
    const pub = readFileSync(first, 'utf8');
    const second = await ensureDemoBackofficeKey(dataDir, { warn });
    expect(second).toBe(first);
    expect(readFileSync(second, 'utf8')).toBe(pub);
    expect(warn).toHaveBeenCalledTimes(2);
    const privateFile = path.join(dataDir, 'demo-backoffice', 'backoffice.key');
    expect(statSync(privateFile).mode & 0o077).toBe(0);
    const [publicKey] = parsePublicKeys(pub);
    const [privateKey] = parsePrivateKeys(readFileSync(privateFile, 'utf8'));
    expect(publicKey?.kid).toBeDefined();
    expect(privateKey?.kid).toBe(publicKey?.kid);
  });
});

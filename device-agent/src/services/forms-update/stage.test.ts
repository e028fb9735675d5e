import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { signPackage } from '@onevisit/forms';
import { describe, expect, it } from 'vitest';
import { verifyAndStage } from './stage.ts';

const PKG = fileURLToPath(new URL('../../../../forms/packages/residence-permit/', import.meta.url));

describe('verifyAndStage', () => {
  it('stages a verified package whole, and refuses a downgrade or an untrusted signer leaving nothing behind', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const priv = createPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const pub = createPublicKey(publicKey.export({ type: 'spki', format: 'pem' }));
    const signed = await signPackage(PKG, priv, { formId: 'residence-permit', version: '1.0.0', minAgentVersion: '0.1.0', now: new Date('2026-12-04T00:00:00Z') });
    if (!signed.ok) throw new Error(signed.refusal.detail);
    const root = mkdtempSync(path.join(tmpdir(), 'forms-stage-'));
    const staged = await verifyAndStage(signed.value.archive, { trustedKeys: [pub], agentVersion: '0.1.0', root });
    expect(staged.ok).toBe(true);
    expect(readdirSync(path.join(root, 'residence-permit', '1.0.0')).sort()).toEqual(['definition.json', 'sample.json', 'template.pdf']);

    const down = await verifyAndStage(signed.value.archive, { trustedKeys: [pub], agentVersion: '0.1.0', activeVersion: '1.0.0', root: path.join(root, 'b') });
    expect(down.ok ? 'ok' : down.refusal.code).toBe('notNewer');
    const other = generateKeyPairSync('ed25519').publicKey;
    const untrusted = await verifyAndStage(signed.value.archive, { trustedKeys: [other], agentVersion: '0.1.0', root: path.join(root, 'c') });
    expect(untrusted.ok ? 'ok' : untrusted.refusal.code).toBe('unknownSigner');
    expect(existsSync(path.join(root, 'b'))).toBe(false);
    expect(existsSync(path.join(root, 'c'))).toBe(false);
  });
});

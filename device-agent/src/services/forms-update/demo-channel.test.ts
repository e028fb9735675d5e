import { cpSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parsePublicKeys, readIndex, verifyPackage } from '@onevisit/forms';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FORMS_DIR } from '../application/form-catalog.ts';
import { ensureDemoFormsChannel } from './demo-channel.ts';
import { forms, FORM_ID, makeTerminal, type Ops } from './test-fleet.ts';

describe('the demo forms channel (issue 16: the shipped forms as the initial channel content for npm start)', () => {
  it('publishes every shipped package signed with a key of this data folder, once; a form signed with that key reaches the terminal', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'onevisit-demo-forms-'));
    const log = pino({ level: 'silent' });
    const demo = await ensureDemoFormsChannel(dataDir, DEFAULT_FORMS_DIR, log);
    expect(statSync(demo.keyFile).mode & 0o777).toBe(0o600);
    const shipped = readdirSync(DEFAULT_FORMS_DIR).filter((n) => statSync(path.join(DEFAULT_FORMS_DIR, n, 'definition.json'), { throwIfNoEntry: false }) !== undefined);
    const index = await readIndex(demo.dir);
    expect(Object.keys(index.forms).sort()).toEqual(shipped.sort());
    const keys = parsePublicKeys(readFileSync(demo.trustedKeysFile, 'utf8'));
    if (!keys.ok) throw new Error(keys.refusal.detail);
    for (const [formId, form] of Object.entries(index.forms)) {
      expect(form.releases).toHaveLength(1);
      const release = form.releases[0];
      expect(release).toMatchObject({ ring: 'all', status: 'rolling' });
      const verified = await verifyPackage(readFileSync(path.join(demo.dir, release?.file ?? '')), keys.value);
      expect(verified.ok && verified.value.manifest.formId).toBe(formId);
    }

    // A second start publishes nothing new and keeps the key.
    const key = readFileSync(demo.keyFile, 'utf8');
    await ensureDemoFormsChannel(dataDir, DEFAULT_FORMS_DIR, log);
    expect(readFileSync(demo.keyFile, 'utf8')).toBe(key);
    expect(await readIndex(demo.dir)).toEqual(index);

    // The demo loop: sign a changed form with the demo key, publish it there, the terminal takes it.
    const ops: Pick<Ops, 'channel' | 'trustedKeys'> = { channel: demo.dir, trustedKeys: keys.value };
    const terminal = await makeTerminal(ops, { dataDir: mkdtempSync(path.join(tmpdir(), 'onevisit-demo-terminal-')) });
    const edited = mkdtempSync(path.join(tmpdir(), 'onevisit-demo-edit-'));
    cpSync(path.join(DEFAULT_FORMS_DIR, FORM_ID), edited, { recursive: true });
    const defFile = path.join(edited, 'definition.json');
    writeFileSync(defFile, JSON.stringify({ ...(JSON.parse(readFileSync(defFile, 'utf8')) as object), version: '1.0.1' }));
    const archive = path.join(edited, '..', `${path.basename(edited)}.ovpkg`);
    await forms('sign', edited, '--key', demo.keyFile, '--out', archive);
    await forms('publish', archive, '--channel', demo.dir, '--ring', 'all');
    await terminal.updater.pollOnce();
    expect(terminal.catalog.version(FORM_ID)).toBe('1.0.1');
  });
});

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadAll } from './load.ts';

const PACKAGES_DIR = fileURLToPath(new URL('../packages/', import.meta.url));

/**
 * Issue 10, "every text offers only what works now": no package promises what the terminal cannot
 * do yet (a progress query, a photo taken at the terminal, an application finished on the spot —
 * applications go to the department in working hours). The issues that build these add the texts back.
 */
const PROMISES = [/即时办结/u, /on the spot/iu, /终端现场采集/u, /terminal can take/iu, /查询(办理)?进度/u, /查询参保状态/u, /at any terminal/iu, /本终端打印/u, /即时制卡/u];

describe('form packages promise only what works now', () => {
  it('no notice text promises a progress query, a terminal photo or an on-the-spot result', async () => {
    const { packages } = await loadAll(PACKAGES_DIR);
    expect(packages.length).toBeGreaterThan(0);
    for (const pkg of packages) {
      const notice = JSON.stringify(pkg.definition.notice);
      for (const promise of PROMISES) expect(notice, `${pkg.definition.id}: ${promise.source}`).not.toMatch(promise);
    }
  });

  it('no A4 template prints that its QR code checks progress', () => {
    for (const id of ['residence-permit', 'flexible-employment-insurance']) {
      const text = execFileSync('pdftotext', [`${PACKAGES_DIR}${id}/template.pdf`, '-'], { encoding: 'utf8' }).replace(/\s+/gu, '');
      expect(text, id).toContain('自助终端打印');
      expect(text, id).not.toMatch(/查询办理进度/u);
    }
  });
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startAgent, useAgent } from './agent.ts';
import { openKiosk, screen, switchLanguage } from './kiosk.ts';

/**
 * `npm start` with nothing configured: the built agent on plain node runs the demo by itself (no
 * --dev), so a newcomer can tap through every journey, and every screen says it is a demo.
 */
const agent = useAgent({ built: true, dev: false });

test('the demo: the mark on every screen in both languages, the dev dock and Dev.* work', async ({ page }) => {
  await openKiosk(page, agent());
  const mark = page.getByTestId('demo-mark');
  await expect(mark).toHaveCount(1);
  await expect(mark).toContainText('演示');
  await switchLanguage(page, 'en');
  await expect(mark).toContainText('DEMO');
  await switchLanguage(page, 'zh-CN');

  await page.getByTestId('start').click();
  await expect(screen(page, 'home')).toBeVisible();
  await expect(mark).toBeVisible();
  await expect(page.getByTestId('dev-toggle')).toBeVisible();

  await agent().command('Dev.RemoveCard', {});
  await page.getByTestId('service-identify').click();
  await expect(screen(page, 'identify')).toBeVisible();
  await expect(mark).toBeVisible();
  await agent().command('Dev.InsertCard', { identity: 'minority' });
  await expect(screen(page, 'confirmed')).toBeVisible();
  await expect(mark).toBeVisible();
});

test('a configured terminal: no mark, no dev dock', async ({ page }) => {
  const configDir = await mkdtemp(join(tmpdir(), 'onevisit-e2e-config-'));
  const configFile = join(configDir, 'kiosk.json');
  await writeFile(configFile, JSON.stringify({ terminalId: 'T0042' }));
  const real = await startAgent({ built: true, dev: false, args: ['--config', configFile] });
  try {
    await openKiosk(page, real);
    await expect(screen(page, 'attract')).toBeVisible();
    await expect(page.getByTestId('demo-mark')).toHaveCount(0);
    await expect(page.getByTestId('dev-toggle')).toHaveCount(0);
    await expect(real.command('Dev.RemoveCard', {})).rejects.toThrow();
  } finally {
    await real.stop();
    await rm(configDir, { recursive: true, force: true });
    await rm(real.dataDir, { recursive: true, force: true });
  }
});

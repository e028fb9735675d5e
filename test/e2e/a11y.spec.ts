import { expect, test, type Page } from '@playwright/test';
import { AxeBuilder } from '@axe-core/playwright';
import { useAgent } from './agent.ts';
import { AXE_LANGS, TEXT, openDevDock, closeDevDock, openKiosk, screen, switchLanguage } from './kiosk.ts';

const agent = useAgent();

/** Serious and critical axe violations on the page as it is now. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`);
}

test.beforeEach(async () => {
  await agent().command('Dev.RemoveCard', {});
  await agent().command('Dev.SetDeviceState', { device: 'idCard', state: 'online' });
});

for (const lang of AXE_LANGS) {
  test(`every screen passes axe without serious or critical violations (${lang})`, async ({ page }) => {
    await page.clock.install();
    await openKiosk(page, agent());
    await switchLanguage(page, lang);
    const scans: Record<string, string[]> = {};

    scans['attract'] = await seriousViolations(page);
    await page.getByTestId('start').click();
    await expect(screen(page, 'home')).toBeVisible();
    scans['home'] = await seriousViolations(page);

    await page.getByTestId('service-identify').click();
    await expect(page.getByTestId('read-stage')).toHaveText(TEXT[lang].waiting);
    scans['identify'] = await seriousViolations(page);

    await openDevDock(page);
    scans['dev dock'] = await seriousViolations(page);
    await closeDevDock(page);

    await agent().command('Dev.InsertCard', { identity: 'expired' });
    await expect(page.getByTestId('read-error')).toBeVisible();
    scans['identify: expired card'] = await seriousViolations(page);

    await agent().command('Dev.RemoveCard', {});
    await page.locator('.actions .btn-primary').click();
    await expect(page.getByTestId('read-stage')).toHaveText(TEXT[lang].waiting);
    await agent().command('Dev.InsertCard', { identity: 'foreign' });
    await expect(screen(page, 'confirmed')).toBeVisible();
    scans['confirmed'] = await seriousViolations(page);

    await page.clock.runFor(61_000);
    await expect(page.getByTestId('idle-overlay')).toBeVisible();
    scans['idle countdown'] = await seriousViolations(page);
    await page.getByTestId('idle-overlay').locator('.btn-primary').click();

    await page.getByTestId('done').click();
    await expect(screen(page, 'done')).toBeVisible();
    scans['done'] = await seriousViolations(page);

    expect(scans).toEqual({
      attract: [],
      home: [],
      identify: [],
      'dev dock': [],
      'identify: expired card': [],
      confirmed: [],
      'idle countdown': [],
      done: [],
    });
  });
}

test('the out-of-service screen passes axe', async ({ page }) => {
  // A page whose WebSocket never gets through: after the grace, out-of-service.
  await page.routeWebSocket(/xfs4iot/, (ws) => ws.close());
  await page.goto(agent().url);
  await expect(screen(page, 'outOfService')).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});

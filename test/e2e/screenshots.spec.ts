// page.evaluate callbacks run in the browser: they use DOM types.
import { expect, test, type Page } from '@playwright/test';
import { useAgent } from './agent.ts';
import { DISPLAY_PAIRS, TEXT, closeDevDock, expectCleanLayout, openDevDock, openKiosk, saveScreenshot, screen, switchLanguage, type Lang, type Orientation } from './kiosk.ts';

/**
 * Every screen of the foundation journey, both orientations, both languages: the layout of each is
 * checked (nothing overflows, nothing off screen, touch targets of 48 px), and a screenshot is saved
 * for a person to look at in ONEVISIT_SHOTS_DIR (outside the repo) when it is set, e.g.
 * `ONEVISIT_SHOTS_DIR=/tmp/shots npx playwright test -c test/playwright.config.ts screenshots`.
 */

const agent = useAgent();

async function shoot(page: Page, orientation: Orientation, lang: Lang, name: string): Promise<void> {
  await saveScreenshot(page, `${orientation}-${lang}-${name}.png`);
  await expectCleanLayout(page);
}

for (const { orientation, lang } of DISPLAY_PAIRS) {
  test(`screens, ${orientation}, ${lang}`, async ({ page }) => {
    await agent().command('Dev.RemoveCard', {});
    await agent().command('Dev.SetDeviceState', { device: 'idCard', state: 'online' });
    await page.clock.install();
    await openKiosk(page, agent(), orientation);
    await switchLanguage(page, lang);
    await shoot(page, orientation, lang, '01-attract');

    await page.getByTestId('start').click();
    await expect(screen(page, 'home')).toBeVisible();
    await shoot(page, orientation, lang, '02-home');

    await page.getByTestId('service-identify').click();
    await expect(page.getByTestId('read-stage')).toHaveText(TEXT[lang].waiting);
    await shoot(page, orientation, lang, '03-identify');
    await openDevDock(page);
    await shoot(page, orientation, lang, '04-identify-dev-dock');
    await closeDevDock(page);

    await agent().command('Dev.InsertCard', { identity: 'expired' });
    await expect(page.getByTestId('read-error')).toBeVisible();
    await shoot(page, orientation, lang, '05-identify-expired');
    await agent().command('Dev.RemoveCard', {});

    await agent().command('Dev.SetDeviceState', { device: 'idCard', state: 'offline' });
    await page.locator('.actions .btn-primary').click();
    await expect(page.getByTestId('read-error')).toHaveAttribute('data-error', 'readerOffline');
    await shoot(page, orientation, lang, '06-identify-reader-offline');
    await agent().command('Dev.SetDeviceState', { device: 'idCard', state: 'online' });
    await expect(page.getByTestId('read-stage')).toHaveText(TEXT[lang].waiting);

    await agent().command('Dev.InsertCard', { identity: 'minority' });
    await expect(screen(page, 'confirmed')).toBeVisible();
    await shoot(page, orientation, lang, '07-confirmed');

    await page.clock.runFor(61_000);
    await expect(page.getByTestId('idle-overlay')).toBeVisible();
    await shoot(page, orientation, lang, '08-idle-countdown');
    await page.getByTestId('idle-overlay').locator('.btn-primary').click();

    await page.getByTestId('done').click();
    await expect(screen(page, 'done')).toBeVisible();
    await shoot(page, orientation, lang, '09-done');
    await page.getByTestId('home').click();

    await switchLanguage(page, lang);
    await page.getByTestId('start').click();
    await page.getByTestId('service-identify').click();
    await agent().command('Dev.RemoveCard', {});
    await agent().command('Dev.InsertCard', { identity: 'foreign' });
    await expect(screen(page, 'confirmed')).toBeVisible();
    await shoot(page, orientation, lang, '10-confirmed-foreign');
    await agent().command('Dev.RemoveCard', {});
    await expect(screen(page, 'done')).toBeVisible();
    await shoot(page, orientation, lang, '11-done-card-removed');

    await page.routeWebSocket(/xfs4iot/, (ws) => ws.close());
    await page.reload();
    await switchLanguage(page, lang);
    await page.clock.runFor(5_000);
    await expect(screen(page, 'outOfService')).toBeVisible();
    await shoot(page, orientation, lang, '12-out-of-service');
  });
}

// page.evaluate callbacks run in the browser: they use DOM types.
import { expect, test, type Page } from '@playwright/test';
import { AxeBuilder } from '@axe-core/playwright';
import { maskIdNumber } from '@onevisit/protocol';
import { useAgent } from './agent.ts';
import { atDisplayPairs, TEXT, closeDevDock, expectCleanLayout, openDevDock, openKiosk, saveScreenshot, screen, type Lang, type Orientation } from './kiosk.ts';

/**
 * Identify by scanning a paper document (issue 3, use (a)): the simulated scanner with a sample
 * temporary ID certificate, real OCR in the agent (2–3 s a page, so the journey scans and reads
 * once per test). Screenshots go to ONEVISIT_SHOTS_DIR when set.
 */

// The sample people of device-agent/src/devices/scanner/sample-pages.ts.
const WANG = { key: 'wangXiaoming', name: '王小明', idNumber: '11010119900307061X' } as const;

// A long idle timeout: OCR and screenshots must not race the countdown.
const agent = useAgent({ args: ['--idle-timeout', '600'] });

const SCAN_TEXT = {
  'zh-CN': { scanTitle: '扫描纸质证明', previewTitle: '请查看扫描结果', confirmTitle: '请逐项核对您的信息', source: '纸质证明（已扫描核对）', offline: '扫描仪暂时无法使用', coverOpen: '扫描仪盖板没有合上' },
  en: { scanTitle: 'Scan a paper document', previewTitle: 'Check the scan', confirmTitle: 'Check each value', source: 'Paper document (scanned and checked)', offline: 'The scanner is not available', coverOpen: 'The scanner lid is open' },
} as const satisfies Record<Lang, Record<string, string>>;

async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`);
}

/** The screen as it is, laid out cleanly in portrait Chinese and landscape English (a screenshot of each when asked for). */
async function shootAll(page: Page, name: string): Promise<void> {
  await atDisplayPairs(page, async (orientation, language) => {
    await saveScreenshot(page, `${name}-${orientation}-${language}.png`);
    await expectCleanLayout(page);
  });
}

async function toIdentify(page: Page, orientation: Orientation = 'portrait'): Promise<void> {
  await openKiosk(page, agent(), orientation);
  await page.getByTestId('start').click();
  await page.getByTestId('service-identify').click();
  await expect(page.getByTestId('read-stage')).toHaveText(TEXT['zh-CN'].waiting);
}

test.beforeEach(async () => {
  await agent().command('Dev.RemoveCard', {});
  await agent().command('Dev.SetDeviceState', { device: 'idCard', state: 'online' });
  await agent().command('Dev.SetDeviceState', { device: 'scanner', state: 'online' });
  await agent().command('Scanner.PlaceSampleDocument', { kind: 'temporaryIdCertificate', person: WANG.key });
});

test('identify by scanning a temporary ID certificate: scan, retake, accept, confirm each value', async ({ page }) => {
  test.setTimeout(180_000);
  await toIdentify(page);
  await closeDevDock(page);
  await shootAll(page, '01-identify');
  expect(await seriousViolations(page), 'identify').toEqual([]);

  await page.getByTestId('scan-document').click();
  await expect(screen(page, 'scan')).toBeVisible();
  await expect(page.getByTestId('scan-step')).toHaveAttribute('data-step', 'place');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(SCAN_TEXT['zh-CN'].scanTitle);
  await shootAll(page, '02-scan-place');
  expect(await seriousViolations(page), 'place').toEqual([]);

  // Scan, look at the preview, retake once.
  await page.getByTestId('scan-start').click();
  await expect(page.getByTestId('scan-preview')).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(SCAN_TEXT['zh-CN'].previewTitle);
  const firstSrc = await page.getByTestId('scan-preview').getAttribute('src');
  expect(firstSrc).toMatch(/^data:image\/jpeg;base64,/);
  await page.getByTestId('scan-retake').click();
  await expect(page.getByTestId('scan-retakes')).toBeVisible();
  await expect(page.getByTestId('scan-preview')).toBeVisible();
  // The preview is a real page image, within the agent's preview size.
  const natural = await page.getByTestId('scan-preview').evaluate((img) => (img instanceof HTMLImageElement ? { w: img.naturalWidth, h: img.naturalHeight } : { w: 0, h: 0 }));
  expect(Math.max(natural.w, natural.h)).toBeLessThanOrEqual(1200);
  expect(Math.min(natural.w, natural.h)).toBeGreaterThan(300);
  await shootAll(page, '03-scan-preview');
  expect(await seriousViolations(page), 'preview').toEqual([]);

  // Accept: OCR reads the page (2–3 s) with a visible progress.
  await page.getByTestId('scan-accept').click();
  await expect(page.getByTestId('scan-reading')).toBeVisible();
  await saveScreenshot(page, '04-scan-reading-portrait-zh-CN.png');
  await expect(page.getByTestId('scan-step')).toHaveAttribute('data-step', 'confirm', { timeout: 30_000 });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(SCAN_TEXT['zh-CN'].confirmTitle);

  // Each value is shown in full for checking: the number large and in groups.
  await expect(page.getByTestId('scan-value-name')).toHaveText(WANG.name);
  await expect(page.getByTestId('scan-value-idNumber').locator('.group')).toHaveText(['110101', '19900307', '061X']);
  await expect(page.getByTestId('scan-confirm')).toBeDisabled();
  await shootAll(page, '05-scan-confirm');
  expect(await seriousViolations(page), 'confirm').toEqual([]);

  // The keypad: X only as the 18th character, a wrong check character refused; cancel keeps the read value.
  await page.getByTestId('scan-edit-idNumber').click();
  await expect(page.getByTestId('scan-entry')).toBeVisible();
  await page.getByTestId('key-backspace').click();
  await expect(page.getByTestId('scan-entry-value')).toHaveAttribute('data-value-length', '17');
  await expect(page.getByTestId('key-X')).toBeEnabled();
  await page.getByTestId('key-0').click();
  await expect(page.getByTestId('key-X')).toBeDisabled();
  await page.getByTestId('scan-entry-ok').click();
  await expect(page.getByTestId('scan-entry-problem')).toBeVisible();
  await shootAll(page, '06-scan-keypad');
  expect(await seriousViolations(page), 'keypad').toEqual([]);
  await page.getByTestId('scan-entry-cancel').click();
  await expect(page.getByTestId('scan-entry')).toHaveCount(0);
  await expect(page.getByTestId('scan-value-idNumber').locator('.group')).toHaveText(['110101', '19900307', '061X']);

  // Confirm each value, then the whole.
  await page.getByTestId('scan-correct-name').click();
  await expect(page.getByTestId('scan-field-name')).toHaveAttribute('data-confirmed', 'true');
  await expect(page.getByTestId('scan-confirm')).toBeDisabled();
  await page.getByTestId('scan-correct-idNumber').click();
  await expect(page.getByTestId('scan-confirm')).toBeEnabled();
  await shootAll(page, '07-scan-confirmed-values');
  await page.getByTestId('scan-confirm').click();

  // The agent re-checks the values against the scan; the identity is the session's now, masked on screen.
  await expect(screen(page, 'confirmed')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('masked-id')).toHaveText(maskIdNumber(WANG.idNumber));
  await expect(page.locator('[data-source="document"]')).toHaveText(SCAN_TEXT['zh-CN'].source);
  const html = await page.content();
  expect(html).not.toContain(WANG.idNumber);
  expect(html).not.toContain('data:image/jpeg');
  await shootAll(page, '08-confirmed-from-document');

  await page.getByTestId('done').click();
  await expect(screen(page, 'done')).toBeVisible();
  await page.getByTestId('home').click();
  await expect(screen(page, 'attract')).toBeVisible();
  expect(await page.content()).not.toContain('110101');
});

test('a scanner that is offline, or open, says so at once, and the citizen can go back to the card', async ({ page }) => {
  await toIdentify(page);
  await agent().command('Dev.SetDeviceState', { device: 'scanner', state: 'offline' });
  await page.getByTestId('scan-document').click();
  await expect(page.getByTestId('scan-error')).toHaveAttribute('data-error', 'scannerNotReady');
  await expect(page.getByTestId('scan-error')).toContainText(SCAN_TEXT['zh-CN'].offline);
  // Trying anyway says the same, without a scan.
  await page.getByTestId('scan-start').click();
  await expect(page.getByTestId('scan-error')).toHaveAttribute('data-error', 'scannerNotReady');
  await closeDevDock(page);
  await shootAll(page, '09-scan-offline');
  expect(await seriousViolations(page), 'offline').toEqual([]);

  // Back online: the error clears by itself. The lid opened: that is said instead.
  await agent().command('Dev.SetDeviceState', { device: 'scanner', state: 'online' });
  await expect(page.getByTestId('scan-error')).toHaveCount(0);
  await agent().command('Dev.SetDeviceState', { device: 'scanner', state: 'coverOpen' });
  await expect(page.getByTestId('scan-error')).toHaveAttribute('data-error', 'coverOpen');
  await expect(page.getByTestId('scan-error')).toContainText(SCAN_TEXT['zh-CN'].coverOpen);
  await agent().command('Dev.SetDeviceState', { device: 'scanner', state: 'online' });

  // No paper on the glass (paperOut makes the next scan find none): the scan itself says so.
  await agent().command('Dev.SetDeviceState', { device: 'scanner', state: 'paperOut' });
  await page.getByTestId('scan-start').click();
  await expect(page.getByTestId('scan-error')).toHaveAttribute('data-error', 'noDocument');

  await page.getByTestId('scan-back').click();
  await expect(screen(page, 'identify')).toBeVisible();
  await expect(page.getByTestId('read-stage')).toHaveText(TEXT['zh-CN'].waiting);
});

test('the identify screen shows what is wrong with a picture, and offers the scan', async ({ page }) => {
  await toIdentify(page, 'landscape');
  await closeDevDock(page);
  await agent().command('Dev.InsertCard', { identity: 'expired' });
  await expect(page.getByTestId('read-error')).toHaveAttribute('data-error', 'cardExpired');
  await expect(page.locator('svg[data-kind="expired"]')).toBeVisible();
  await expect(page.getByTestId('scan-document')).toBeVisible();
  await shootAll(page, '10-identify-expired');
  await agent().command('Dev.RemoveCard', {});

  await agent().command('Dev.SetDeviceState', { device: 'idCard', state: 'offline' });
  await page.locator('.actions .btn-primary').click();
  await expect(page.getByTestId('read-error')).toHaveAttribute('data-error', 'readerOffline');
  await expect(page.locator('svg[data-kind="readerOffline"]')).toBeVisible();
  await shootAll(page, '11-identify-reader-offline');
  expect(await seriousViolations(page), 'reader offline').toEqual([]);
  await agent().command('Dev.SetDeviceState', { device: 'idCard', state: 'online' });

  // The dev dock places a sample paper on the scanner.
  await openDevDock(page);
  await page.getByTestId('dev-scan-kind').selectOption('residenceCertificate');
  await page.getByTestId('dev-scan-person').selectOption('liHong');
  await page.getByTestId('dev-scan-place').click();
  await expect(page.getByTestId('dev-dock').getByRole('status')).toHaveCount(0);
  await shootAll(page, '12-dev-dock-scanner');
});
